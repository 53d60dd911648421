"""Issue 21, the views as a user meets them on a laptop and a phone, in a real headless
Chromium (Debian's, via Playwright), offline: the drawing fits its nodes (not its labels)
at 1280x720, 1440x900, 390x844 and 844x390; labels elide and give way; a tap opens
details that scroll and keep the quote and the source; the selection and its neighbours
are labelled first; nodes can be dragged; search knows abbreviations and the arrow keys;
with a base URL a node, a link and a quote lead into the explorer; axe-core finds no
critical or serious violation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hetao_kg.facade import open_graph
from hetao_kg.browser import chromium_path, offline_browser
from hetao_kg.network import views
from hetao_kg.network.views import render

from .a11y import violations

pytestmark = [
    pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                       reason="needs Debian chromium (make sysdeps installs it)"),
    pytest.mark.slow,
]

KG = "https://w3id.org/hetao-kg/id/"
BASE = "http://127.0.0.1:8000/hetao-kg"  # never contacted: the links are read, not followed
SIZES = {"laptop": (1280, 720, False), "desktop": (1440, 900, False), "phone": (390, 844, True), "phone-landscape": (844, 390, True)}
LANGS = ["en", "zh-Hans", "zh-Hant"]
TEXT = json.loads((Path(views.__file__).parent / "text.json").read_text(encoding="utf-8"))["text"]
NODES_JS = "window.hetaoView.nodes()"
LABELS_JS = "window.hetaoView.labels()"
CANVAS_JS = "() => { const r = document.getElementById('network').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.fixture(scope="module")
def kgapi():
    return open_graph()


class _Pages(dict):
    """Each view saved once, when a test first asks for it: ``"full"`` (English) or ``"full@zh-Hant"``."""

    def __init__(self, kg, out):
        super().__init__()
        self.kg, self.out, self.network = kg, out, kg.network()

    def __missing__(self, key):
        name, _, lang = key.partition("@")
        args = {"ego": ["HKU"], "path": ["HKU", "HKUST"]}.get(name, [])
        extra = {"network": self.network} if not lang else {"lang": lang}
        self[key] = render(name, *args, kg=self.kg, **extra).save(self.out / f"{name}-{lang or 'en'}.html")
        return self[key]


def _in(name, lang):
    return name if lang == "en" else f"{name}@{lang}"


@pytest.fixture(scope="module")
def pages(kgapi, tmp_path_factory):
    out = tmp_path_factory.mktemp("views21")
    saved = _Pages(kgapi, out)
    saved["linked"] = render("hk-universities", kg=kgapi, base_url=BASE).save(out / "linked.html")
    return saved


@pytest.fixture(scope="module")
def handles():
    with offline_browser(width=1440, height=900) as first:
        yield {size: first.sibling(width=w, height=h, touch=t, bypass_csp=True) for size, (w, h, t) in SIZES.items()}


def _open(handle, path):
    handle.requests.clear(), handle.errors.clear()
    handle.open(path)
    return handle.page


def _overlap(a, b, slack=0.5):
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["full", "policies", "hk-universities", "sectors", "construction", "services"])
def test_drawing_fits_its_nodes_and_leaves_the_screen_to_them(handles, pages, name, lang, size):
    handle = handles[size]
    page = _open(handle, pages[_in(name, lang)])
    W, H = page.evaluate("[innerWidth, innerHeight]")
    canvas = page.evaluate(CANVAS_JS)
    shown = [n for n in page.evaluate(NODES_JS) if not n["hidden"]]
    # every node inside the drawing, none a speck: at least 5 px of radius (7 on a touch screen)
    outside = [n["label"] for n in shown if not (canvas[0] <= n["x"] <= canvas[2] and canvas[1] <= n["y"] <= canvas[3])]
    assert not outside, f"{name} at {size}: nodes outside the drawing: {outside}"
    smallest = min(n["r"] for n in shown)
    assert smallest >= (7 if SIZES[size][2] else 5) - 0.01, f"{name} at {size}: a node of {smallest:.1f} px"
    # the nodes span most of the drawing's width or height (a wide label no longer shrinks them)
    xs, ys = [n["x"] for n in shown], [n["y"] for n in shown]
    for box in page.evaluate("window.hetaoView.boxes()"):  # a view's group boxes are drawn too
        xs += [box["box"][0], box["box"][2]]
        ys += [box["box"][1], box["box"][3]]
    if len(shown) > 2:
        spread = max((max(xs) - min(xs)) / (canvas[2] - canvas[0]), (max(ys) - min(ys)) / (canvas[3] - canvas[1]))
        assert spread >= 0.6, f"{name} at {size}: the nodes span {spread:.0%} of the drawing"
    # the header leaves the drawing at least 75% of a laptop's height, 60% of a phone's
    stage = page.evaluate("document.getElementById('stage').getBoundingClientRect().height")
    assert stage >= (0.6 if SIZES[size][2] else 0.75) * H, f"{name} at {size}: drawing {stage:.0f} of {H} px"
    # nothing wider than the screen; labels at least 11 px, elided to at most 45% of the width, never on each other
    assert page.evaluate("document.documentElement.scrollWidth") <= W
    labels = page.evaluate(LABELS_JS)
    assert labels and all(l["px"] >= 11 for l in labels)
    wide = [l["text"] for l in labels if l["box"][2] - l["box"][0] > max(262, 0.45 * W + 3)]
    assert not wide, f"{name} at {size}: labels too wide: {wide}"
    assert not [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:] if _overlap(a["box"], b["box"])]
    # a group box's heading and counts wrap to the box's width (inside it, or as a caption under it)
    for box in page.evaluate("window.hetaoView.boxes()"):
        lines = [l for l in labels if l["id"].split("#")[0] == box["id"]]
        assert all(box["box"][0] <= l["box"][0] and l["box"][2] <= max(box["box"][2], box["box"][0] + 146) for l in lines), (box, lines)
    assert handle.requests == [] and handle.errors == []


def test_long_labels_elide_and_the_details_hold_the_whole_name(handles, pages):
    page = _open(handles["phone"], pages["full"])
    elided = [l for l in page.evaluate(LABELS_JS) if l["text"].endswith("…")]
    assert elided, "no label was long enough to elide at 390 px"
    label = elided[0]
    node = next(n for n in page.evaluate(NODES_JS) if n["id"] == label["id"])
    assert node["label"].startswith(label["text"][:-1].rstrip()) and len(node["label"]) > len(label["text"]) - 1
    page.touchscreen.tap(node["x"], node["y"])
    assert node["label"] in page.locator("#tooltip").inner_text()


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
def test_labels_do_not_sit_on_other_nodes(handles, pages, lang, size):
    page = _open(handles[size], pages[_in("full", lang)])
    nodes = [n for n in page.evaluate(NODES_JS) if not n["hidden"]]
    top = min(nodes, key=lambda n: page.evaluate("(id) => window.hetaoView.priority(id)", n["id"]))["id"]
    for label in page.evaluate(LABELS_JS):
        if label["id"] == top:  # the most important node's label may cover others when nowhere else is free
            continue
        on = [n["label"] for n in nodes if n["id"] != label["id"]
              and _overlap(label["box"], [n["x"] - n["r"], n["y"] - n["r"], n["x"] + n["r"], n["y"] + n["r"]], 1)]
        assert not on, f"label {label['text']!r} sits on {on}"


@pytest.mark.parametrize("size", ["phone", "phone-landscape"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_tap_opens_details_that_scroll_and_keep_quote_and_source(handles, pages, lang, size):
    handle = handles[size]
    page = _open(handle, pages[_in("sectors", lang)])
    W, H = page.evaluate("[innerWidth, innerHeight]")
    siqa = next(n for n in page.evaluate(NODES_JS) if n["iri"] == KG + "org/siqa")
    page.touchscreen.tap(siqa["x"], siqa["y"])
    tip = page.locator("#tooltip")
    assert tip.is_visible() and "pinned" in tip.get_attribute("class")
    box = page.evaluate("() => { const r = document.getElementById('tooltip').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")
    assert box[0] >= 0 and box[1] >= 0 and box[2] <= W + 0.5 and box[3] <= H + 0.5  # a sheet inside the screen
    text = tip.inner_text()
    assert "量子信息方面,深圳国际量子研究院等已落地" in text and TEXT[lang]["source"] + ":" in text  # quote and source, never cut
    scroll = page.evaluate("() => { const t = document.getElementById('tooltip'); return [t.scrollHeight, t.clientHeight, getComputedStyle(t).overflowY]; }")
    assert scroll[0] <= scroll[1] + 1 or scroll[2] == "auto"  # what does not fit scrolls
    page.evaluate("document.getElementById('tooltip').scrollTop = 1e6")
    last = page.evaluate("""() => { const t = document.getElementById('tooltip'), r = t.getBoundingClientRect();
        const metas = [...t.querySelectorAll('.meta')]; const m = metas[metas.length - 1].getBoundingClientRect();
        return [m.top >= r.top - 0.5, m.bottom <= r.bottom + 0.5]; }""")
    assert last == [True, True]  # the last line (the source) is reachable
    page.wait_for_timeout(450)  # (the click a touch sends just after it is not taken for a tap on the sheet)
    page.click("#tooltip .close")
    assert tip.is_hidden()
    assert handle.errors == []


def test_the_sheet_a_tap_opens_under_the_finger_stays_open(handles, pages):
    """The click a browser sends after a touch lands where the sheet now is: it must not close it."""
    page = _open(handles["phone"], pages["sectors@zh-Hant"])
    siqa = next(n for n in page.evaluate(NODES_JS) if n["iri"] == KG + "org/siqa")
    page.touchscreen.tap(siqa["x"], siqa["y"])
    page.wait_for_timeout(600)
    box = page.evaluate("() => { const r = document.getElementById('tooltip').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")
    assert box[1] <= siqa["y"] <= box[3]  # the sheet does cover the finger's place
    assert page.locator("#tooltip").is_visible() and "深圳國際量子研究院" in page.locator("#tooltip").inner_text()
    page.wait_for_timeout(200)
    page.click("#tooltip .close")  # a deliberate tap on the close button still closes it
    assert page.locator("#tooltip").is_hidden()


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
def test_focus_labels_the_selection_and_its_neighbours_and_their_link_types(handles, pages, lang, size):
    page = _open(handles[size], pages[_in("full", lang)])
    page.fill("#search", "HKU")
    page.press("#search", "Enter")
    hku = page.evaluate("(iri) => window.hetaoView.nodeId(iri)", KG + "org/hku")
    edges = [e for e in page.evaluate("window.hetaoView.edges()") if hku in (e["source"], e["target"])]
    near = {e["source"] for e in edges} | {e["target"] for e in edges}
    canvas = page.evaluate(CANVAS_JS)
    on_screen = {n["id"] for n in page.evaluate(NODES_JS)
                 if n["id"] in near and canvas[0] <= n["x"] <= canvas[2] and canvas[1] <= n["y"] <= canvas[3]}
    labelled = {l["id"] for l in page.evaluate(LABELS_JS)}
    assert hku in labelled and on_screen <= labelled, f"unlabelled neighbours: {on_screen - labelled}"
    link_labels = {l["text"] for l in page.evaluate(LABELS_JS) if l["id"].startswith("edge:")}
    assert link_labels and link_labels <= {e["label"] for e in edges}
    # the details opened by the focus leave the focused node and its neighbours in sight
    tip = page.evaluate("() => { const r = document.getElementById('tooltip').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")
    covered = [n["label"] for n in page.evaluate(NODES_JS) if n["id"] in on_screen | {hku}
               and _overlap(tip, [n["x"] - n["r"], n["y"] - n["r"], n["x"] + n["r"], n["y"] + n["r"]])]
    assert page.locator("#tooltip").is_visible() and not covered, f"the details cover {covered}"


@pytest.mark.parametrize("lang", LANGS)
def test_link_type_legend_counts_every_drawn_link(handles, pages, kgapi, lang):
    page = _open(handles["desktop"], pages[_in("policies", lang)])
    rows = page.evaluate("[...document.querySelectorAll('#link-types li')].map(li => [li.querySelector('span span').textContent, +li.querySelector('.count').textContent])")
    view = render("policies", kg=kgapi, lang=lang)
    drawn = [e["label"] for e in view.edges if e["label"] and not e["more"]]
    assert sorted(map(tuple, rows)) == sorted((label, drawn.count(label)) for label in set(drawn))
    assert [c for _, c in rows] == sorted((c for _, c in rows), reverse=True)


def test_nodes_can_be_dragged_and_the_page_lays_out_the_same_again(handles, pages):
    handle = handles["desktop"]
    page = _open(handle, pages["hk-universities"])
    before = handle.node_point(KG + "org/hku")
    page.mouse.move(*before)
    page.mouse.down()
    page.mouse.move(before[0] + 60, before[1] + 40, steps=8)
    page.mouse.up()
    after = handle.node_point(KG + "org/hku")
    assert abs(after[0] - before[0] - 60) < 3 and abs(after[1] - before[1] - 40) < 3
    page = _open(handle, pages["hk-universities"])
    assert handle.node_point(KG + "org/hku") == before


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("query, first", [("HKU", "org/hku"), ("hkust", "org/hkust"), ("CUHK", "org/cuhk")])
def test_search_knows_abbreviations(handles, pages, kgapi, query, first, lang):
    page = _open(handles["desktop" if lang == "en" else "phone"], pages[_in("full", lang)])
    page.fill("#search", query)
    assert page.locator("#results li").first.inner_text() == kgapi.label(KG + first, lang)
    page.press("#search", "Enter")
    assert page.evaluate("window.hetaoNetwork.getSelectedNodes()") == [page.evaluate("(iri) => window.hetaoView.nodeId(iri)", KG + first)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
def test_search_arrow_keys_choose_and_enter_opens(handles, pages, lang, size):
    page = _open(handles[size], pages[_in("full", lang)])
    page.fill("#search", {"en": "hong kong", "zh-Hans": "香港", "zh-Hant": "香港"}[lang])
    hits = page.locator("#results li[role=option]")
    assert hits.count() >= 3
    assert hits.nth(0).get_attribute("aria-selected") == "true"
    page.press("#search", "ArrowDown")
    page.press("#search", "ArrowDown")
    assert hits.nth(2).get_attribute("aria-selected") == "true" and hits.nth(0).get_attribute("aria-selected") == "false"
    assert page.get_attribute("#search", "aria-activedescendant") == hits.nth(2).get_attribute("id")
    page.press("#search", "ArrowUp")
    chosen = hits.nth(1).inner_text()
    page.press("#search", "Enter")
    selected = page.evaluate("window.hetaoNetwork.getSelectedNodes()")
    assert [n["label"] for n in page.evaluate(NODES_JS) if n["id"] in selected] == [chosen]


def test_with_a_base_url_node_link_and_quote_lead_into_the_explorer(handles, pages, kgapi):
    handle = handles["desktop"]
    page = _open(handle, pages["linked"])
    x, y = handle.node_point(KG + "org/hku")
    page.mouse.click(x, y)
    links = page.evaluate("[...document.querySelectorAll('#tooltip a')].map(a => a.getAttribute('href'))")
    assert BASE + "/id/org/hku" in links
    quote = [h for h in links if h.startswith(BASE + "/source/")]
    assert quote and "#" in quote[0]  # the sentence in the source reader
    sentence = kgapi.network().nodes[KG + "org/hku"]["sentence"]
    assert quote[0] == f"{BASE}/source/{sentence.split('/doc/')[1].rsplit('/', 1)[0]}#{sentence.rsplit('/', 1)[1]}"
    # the pinned quote can be selected
    assert page.evaluate("getComputedStyle(document.querySelector('#tooltip .quote')).userSelect") != "none"
    page.keyboard.press("Escape")
    edge = page.evaluate("window.hetaoView.edges()")[0]
    page.mouse.click(edge["mid"]["x"], edge["mid"]["y"])
    links = page.evaluate("[...document.querySelectorAll('#tooltip a')].map(a => a.getAttribute('href'))")
    assert any(h.startswith(BASE + "/id/assertion/") for h in links)
    assert handle.requests == []
    # without a base URL, a file links nowhere (no dead links)
    page = _open(handle, pages["hk-universities"])
    page.mouse.click(*handle.node_point(KG + "org/hku"))
    assert page.locator("#tooltip a").count() == 0


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("name", ["full", "hk-universities", "sectors", "policies", "construction", "services", "ego", "path",
                                  "full@zh-Hans", "hk-universities@zh-Hans", "sectors@zh-Hans",
                                  "full@zh-Hant", "hk-universities@zh-Hant", "sectors@zh-Hant"])
def test_axe_finds_no_critical_or_serious_violation(handles, pages, name, size):
    page = _open(handles[size], pages[name])
    assert violations(page) == [], "drawing"
    node = next(n for n in page.evaluate(NODES_JS) if n["family"] != "more")
    page.mouse.click(node["x"], node["y"]) if size == "desktop" else page.touchscreen.tap(node["x"], node["y"])
    assert page.locator("#tooltip").is_visible()
    assert violations(page) == [], "with details open"
    page.keyboard.press("Escape")
    page.fill("#search", "hong" if "@" not in name else "香港")
    assert page.locator("#results li[role=option]").count() >= 1
    assert violations(page) == [], "search results open"
    page.keyboard.press("Escape")
    page.click("#table-toggle")
    assert violations(page) == [], "table"


@pytest.mark.parametrize("size", ["desktop", "phone", "phone-landscape"])
@pytest.mark.parametrize("lang", LANGS)
def test_construction_columns_have_stage_headings(handles, pages, kgapi, lang, size):
    page = _open(handles[size], pages[_in("construction", lang)])
    lanes = page.evaluate("window.hetaoView.lanes()")
    view = render("construction", kg=kgapi, lang=lang)
    stages = {n["status"] for n in view.nodes if n["status"]}
    assert lanes and {l["label"] for l in lanes} == stages  # one heading per stage drawn
    assert [l["x"] for l in lanes] == sorted(l["x"] for l in lanes)
    shown = {l.get("whole", l["text"]) for l in page.evaluate(LABELS_JS)}  # (a heading wraps to its column)
    assert {l["label"] for l in lanes} <= shown  # drawn, not hidden by level of detail
    nodes = [n for n in page.evaluate(NODES_JS) if n["family"] == "project"]
    assert all(l["y"] < min(n["y"] - n["r"] for n in nodes) for l in lanes)  # above the columns


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
def test_sectors_draw_each_institutions_stage_as_a_ring(handles, pages, kgapi, lang, size):
    page = _open(handles[size], pages[_in("sectors", lang)])
    rings = page.evaluate("[...document.querySelectorAll('#status-rings li')].map(li => [li.textContent.trim(), li.querySelector('circle').getAttribute('stroke')])")
    view = render("sectors", kg=kgapi, lang=lang)
    stages = sorted({(n["status_order"], n["status_iri"], n["status"]) for n in view.nodes if n["status"]})
    assert [r[0] for r in rings] == [label for _, _, label in stages]  # lifecycle order (ties: by IRI, the same in every language)
    assert len({r[1] for r in rings}) == len(rings)  # a colour each
    colour = dict(rings)
    for n in (m for m in view.nodes if m["status"]):  # the ring's colour is on the canvas round the node
        drawn = page.evaluate("""(id) => {
            const n = window.hetaoView.nodes().find(m => m.id === id), k = window.hetaoView.scale();
            const c = document.querySelector('#network canvas'), r = c.getBoundingClientRect(), ctx = c.getContext('2d');
            const px = ctx.getImageData(Math.round(n.x - r.left), Math.round(n.y - r.top - n.r - 3.5), 1, 1).data;
            return '#' + [px[0], px[1], px[2]].map(v => v.toString(16).padStart(2, '0')).join(''); }""", n["id"])
        want = colour[n["status"]].lower()
        assert sum(abs(int(drawn[i:i + 2], 16) - int(want[i:i + 2], 16)) for i in (1, 3, 5)) < 60, (n["label"], drawn, want)
