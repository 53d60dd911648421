"""The page: families' shapes and colours, node and link records, the vis-network
data assembled by pyvis, the HTML around it and a still SVG image of the same view
(Jinja2 templates in ``templates/``, CSS and JS in ``static/``, words in ``text.json``)."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import networkx as nx

from ..projection import FAMILIES
from .layout import along_paths, force, layers, node_radius
from .select import Drawing

__all__ = ["BACKGROUND", "FAMILY_STYLE", "LABEL_PX", "TEXT", "TITLES", "build_page", "contrast"]

HERE = Path(__file__).resolve().parent
_WORDS = json.loads((HERE / "text.json").read_text(encoding="utf-8"))
TEXT: dict[str, dict] = _WORDS["text"]
TITLES: dict[str, dict] = _WORDS["views"]

#: The drawing's background; every family colour keeps a contrast of at least 3:1 on it.
BACKGROUND = "#16191d"
#: Labels are drawn at this many CSS pixels whatever the zoom (level of detail hides
#: the ones that would overlap).
LABEL_PX = 13
#: The ring drawn round a node for its development stage, in lifecycle order (each >= 3:1 on the background).
STATUS_RINGS = ("#ffffff", "#ff8c69", "#7fe0a8", "#8ec9ff", "#e0a8ff", "#ffd166")
#: vis-network's shape for each of our shapes ("custom" ones are drawn by view.js).
VIS_SHAPES = {"triangle": "triangle", "circle": "dot", "square": "square", "diamond": "diamond", "hexagon": "hexagon",
              "triangle-down": "triangleDown", "star": "star", "square-round": "custom", "circle-open": "dot"}
#: One shape and one Okabe-Ito colour per family, the same in every view.
FAMILY_STYLE: dict[str, tuple[str, str]] = {
    "university": ("triangle", "#D55E00"),  # vermillion
    "organization": ("circle", "#56B4E9"),  # sky blue
    "project": ("square", "#E69F00"),  # orange
    "policy": ("diamond", "#F0E442"),  # yellow
    "place": ("hexagon", "#009E73"),  # bluish green
    "sector": ("triangle-down", "#CC79A7"),  # reddish purple
    "service": ("star", "#0072B2"),  # blue
    "group": ("square-round", "#BBBBBB"),  # grey
    "more": ("circle-open", "#999999"),
}
assert [f for f, _ in FAMILIES] and {f for f, _ in FAMILIES} <= set(FAMILY_STYLE)
_QUOTE_LANG = "zh-Hans"  # the sources are Chinese
_KG = "https://w3id.org/hetao-kg/id/"
_DOCS = _KG + "doc/"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str = BACKGROUND) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours.

    >>> round(contrast("#ffffff", "#000000"))
    21
    """
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _shape(kind: str, r: float) -> tuple[str, dict]:
    """An SVG element name and attributes for a shape of radius ``r`` centred at 0,0."""
    def poly(points):
        return "polygon", {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points)}

    if kind in ("circle", "circle-open"):
        return "circle", {"r": f"{r:.1f}"}
    if kind in ("square", "square-round"):
        s = r * 0.9
        extra = {"rx": f"{r * 0.3:.1f}"} if kind == "square-round" else {}
        return "rect", {"x": f"{-s:.1f}", "y": f"{-s:.1f}", "width": f"{2 * s:.1f}", "height": f"{2 * s:.1f}", **extra}
    if kind == "diamond":
        return poly([(0, -r * 1.2), (r * 1.2, 0), (0, r * 1.2), (-r * 1.2, 0)])
    if kind == "triangle":
        return poly([(0, -r * 1.25), (r * 1.15, r * 0.8), (-r * 1.15, r * 0.8)])
    if kind == "triangle-down":
        return poly([(0, r * 1.25), (r * 1.15, -r * 0.8), (-r * 1.15, -r * 0.8)])
    if kind == "hexagon":
        return poly([(r * 1.1 * math.cos(a), r * 1.1 * math.sin(a)) for a in (math.pi / 3 * i for i in range(6))])
    if kind == "star":
        pts = []
        for i in range(10):
            rad = r * 1.3 if i % 2 == 0 else r * 0.6
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((rad * math.cos(a), rad * math.sin(a)))
        return poly(pts)
    raise ValueError(kind)


def _label_lang(d: dict, lang: str) -> str:
    for tag in (lang, "zh-Hans", "zh-Hant", "en"):
        if d.get("labels", {}).get(tag) == d.get("label"):
            return tag
    return lang if not _HAN.search(d.get("label", "")) else "zh-Hans"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("ü", "v"))
    return _PUNCT.sub("", "".join(ch for ch in text if not unicodedata.combining(ch)))


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    from ...query.search import known_pinyin, to_pinyin

    found = known_pinyin(text)  # from the search index on disk when it holds the label
    return found if found is not None else to_pinyin(text)


def _search_terms(d: dict) -> list[str]:
    """The node's slice of the search index: every label and alias, folded, plus pinyin."""
    to_pinyin = _pinyin
    texts = [d.get("label", "")] + list(d.get("labels", {}).values()) + list(d.get("aliases", ()))
    terms = {_fold(t) for t in texts if t}
    terms |= {to_pinyin(t) for t in texts if t and _HAN.search(t)}
    return sorted(t for t in terms if t)


def _evidence(d: dict) -> dict:
    keys = ("evidence_label", "inferred", "quote", "sentence_text", "span", "paragraph", "sentence_number", "document_label",
            "graph", "sentence", "document")
    return {k: d[k] for k in keys if d.get(k) not in (None, "", [])}


def _positions(drawing: Drawing, radius: dict[str, float]) -> dict[str, tuple[float, float]]:
    g = drawing.graph
    if drawing.layout == "layers":
        return layers(g, drawing.levels, drawing.order, column_gap=drawing.column_gap)
    if drawing.layout == "path":
        pos = along_paths(drawing.paths)
        for n in g:  # nothing else is drawn, but stay safe
            pos.setdefault(n, (0.0, -200.0))
        return pos
    return force(g, extra_edges=drawing.layout_edges, radius=radius)


def _edge_path(p1, p2, r1, r2, bend: float) -> str:
    (x1, y1), (x2, y2) = p1, p2
    dx, dy = x2 - x1, y2 - y1
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    sx, sy = x1 + ux * (r1 + 2), y1 + uy * (r1 + 2)
    ex, ey = x2 - ux * (r2 + 6), y2 - uy * (r2 + 6)
    if not bend:
        return f"M{sx:.1f},{sy:.1f}L{ex:.1f},{ey:.1f}"
    cx, cy = (sx + ex) / 2 - uy * bend, (sy + ey) / 2 + ux * bend
    return f"M{sx:.1f},{sy:.1f}Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}"


def _records(drawing: Drawing, lang: str, text: dict):
    g = drawing.graph
    simple = nx.Graph(g)
    degree = dict(simple.degree())
    radius = {n: node_radius(degree.get(n, 0)) if g.nodes[n].get("family") != "more" else 9.0 for n in g}
    for n, mark in drawing.marks.items():
        radius[n] = max(radius[n], 16.0)
    pos = _positions(drawing, radius)
    ranked = sorted(g, key=lambda n: (n not in drawing.marks, g.nodes[n].get("family") != "more", -degree.get(n, 0),
                                      len(g.nodes[n].get("label", "")), n))
    priority = {n: i for i, n in enumerate(ranked)}
    nodes = []
    index = {}
    for i, n in enumerate(sorted(g)):
        d = g.nodes[n]
        family = d.get("family", "organization")
        shape, colour = FAMILY_STYLE.get(family, FAMILY_STYLE["organization"])
        tag, attrs = _shape(shape, radius[n])
        index[n] = f"n{i}"
        nodes.append({
            "id": f"n{i}", "iri": n if n.startswith("http") else "", "label": d.get("label", ""),
            "lang": _label_lang(d, lang), "family": family, "colour": colour, "shape": shape,
            "tag": tag, "attrs": attrs, "x": pos[n][0], "y": pos[n][1], "r": radius[n],
            "priority": priority[n], "mark": drawing.marks.get(n, ""), "degree": degree.get(n, 0),
            "kind": d.get("kind_label", ""), "status": d.get("status", ""), "status_iri": d.get("status_iri", ""),
            "status_order": d.get("status_order", 99),
            "sector": d.get("sector", ""),
            "labels": [{"lang": t, "text": d["labels"][t]} for t in ("zh-Hans", "zh-Hant", "en") if t in d.get("labels", {})],
            "attributes": [{"property": a["property"], "value": a["value"], "inferred": bool(a.get("inferred"))}
                           for a in d.get("attributes", [])],
            "hub": [text["hub"].format(n=c, p=p) for p, c in sorted(d.get("hub_counts", {}).items())],
            "more": d.get("more", 0), "group": d.get("group", ""),
            "evidence": _evidence(d), "search": _search_terms(d),
        })
    edges = []
    pairs = Counter()
    for k, (u, v, key, d) in enumerate(sorted(g.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2]))):
        pair = tuple(sorted((u, v)))
        nth = pairs[pair]
        pairs[pair] += 1
        bend = 0.0 if nth == 0 else (1 if nth % 2 else -1) * 28.0 * ((nth + 1) // 2)
        edges.append({
            "id": f"e{k}", "source": index[u], "target": index[v], "label": d.get("label", ""),
            "inferred": bool(d.get("inferred")), "more": bool(d.get("more")),
            "d": _edge_path(pos[u], pos[v], radius[u], radius[v], bend), "evidence": _evidence(d),
        })
    return nodes, edges, pos, radius, index


def _groups(drawing: Drawing, pos, radius, index, text) -> tuple[list[dict], list[dict]]:
    boxes = []
    side = 0.38 * drawing.column_gap - 34.0
    for grp in drawing.groups:
        members = [m for m in grp["members"] if m in pos]
        if not members:
            continue
        xs = [pos[m][0] for m in members]
        ys = [pos[m][1] for m in members]
        pad = 34.0
        x0, y0 = min(xs) - pad - side, min(ys) - pad - 44
        x1, y1 = max(xs) + pad + side, max(ys) + pad + 10
        boxes.append({"id": grp["id"], "label": grp["label"], "x": round(x0, 1), "y": round(y0, 1),
                      "w": round(x1 - x0, 1), "h": round(y1 - y0, 1),
                      "info": text["group_info"].format(stated=grp["stated"], named=grp["named"])
                      + (text["group_known"].format(known=grp["known"]) if grp.get("known") else ""),
                      "members": [index[m] for m in members], "evidence": grp["evidence"]})
    by_id = {b["id"]: b for b in boxes}
    links = []
    for i, link in enumerate(drawing.group_links):
        a, b = by_id.get(link["source"]), by_id.get(link["target"])
        if a and b:
            y = max(a["y"], b["y"]) + 52
            links.append({"id": f"g{i}", "label": link["label"], "source": a["label"], "target": b["label"],
                          "d": f"M{a['x'] + a['w']:.1f},{y:.1f}L{b['x'] - 6:.1f},{y:.1f}", "evidence": b["evidence"]})
    return boxes, links


def _lanes(drawing: Drawing, pos, radius) -> list[dict]:
    """Column headings of a layered view (construction: one stage per column), above its nodes."""
    out = []
    if not drawing.lanes or not pos:
        return out
    top = min(pos[n][1] - radius[n] for n in pos)
    for column, heading in drawing.lanes:
        xs = [pos[n][0] for n, level in drawing.levels.items() if level == column and n in pos]
        if xs:
            out.append({"id": f"lane{column}", "label": heading, "x": round(sum(xs) / len(xs), 1), "y": round(top - 40.0, 1)})
    return out


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["json_island"] = _json_island
    return env


@lru_cache(maxsize=1)
def _static() -> tuple[str, str]:
    return (HERE / "static" / "view.css").read_text(encoding="utf-8"), (HERE / "static" / "view.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _vis_library() -> tuple[str, str]:
    """vis-network as pyvis ships it, and the same packed (gzip, base64) for the page:
    468 KB of script become 165 KB, unpacked in the browser by ``DecompressionStream``
    and run as an inline script whose hash the page's CSP lists. pyvis's CSS is not
    used (its 205 KB are images for navigation buttons the page does not show)."""
    import gzip

    import pyvis

    code = (Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(encoding="utf-8")
    packed = base64.b64encode(gzip.compress(code.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")
    return code, packed


def _vis_network(nodes: list[dict], edges: list[dict]) -> dict:
    """Nodes, links and options for vis-network, assembled by pyvis. Positions are
    fixed (computed in Python), physics is off, labels are drawn by view.js."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="local")
    groups = {}
    for n in nodes:  # one vis group per family: its shape and colours, the same in every view
        shape, colour = FAMILY_STYLE[n["family"]]
        open_shape = shape == "circle-open"
        fill = BACKGROUND if open_shape else colour
        groups[n["family"]] = {
            "shape": VIS_SHAPES[shape], "borderWidth": 2 if open_shape else 1.5, "borderWidthSelected": 3,
            "color": {"background": fill, "border": colour if open_shape else BACKGROUND,
                      "highlight": {"background": fill, "border": "#ffffff"}, "hover": {"background": fill, "border": "#ffffff"}},
            "shapeProperties": {"borderDashes": [3, 3] if open_shape else False},
        }
    for n in nodes:
        net.add_node(n["id"], label=n["label"], group=n["family"], x=n["x"], y=n["y"], size=n["r"], physics=False)
    pairs: Counter = Counter()
    for e in edges:
        pair = tuple(sorted((e["source"], e["target"])))
        nth = pairs[pair]
        pairs[pair] += 1
        smooth = {"enabled": True, "type": "curvedCW" if nth % 2 else "curvedCCW", "roundness": 0.2 * ((nth + 1) // 2)} if nth else False
        net.add_edge(e["source"], e["target"], id=e["id"], arrows="" if e["more"] else "to", dashes=e["inferred"] or e["more"],
                     smooth=smooth, color={"color": "#9aa3ad", "highlight": "#ffffff", "hover": "#e8e8e8"}, width=1.6)
    vis_nodes, vis_edges, *_ = net.get_network_data()
    for n in vis_nodes:  # view.js draws the labels (level of detail, fixed pixel size); the group gives the shape
        for key in ("label", "font", "shape", "color"):
            n.pop(key, None)
    options = {
        "physics": {"enabled": False},
        "layout": {"randomSeed": 7, "improvedLayout": False},
        "interaction": {"hover": True, "dragNodes": True, "dragView": True, "zoomView": True, "keyboard": False,
                        "selectConnectedEdges": False, "tooltipDelay": 3600000, "hoverConnectedEdges": False},
        "edges": {"arrowStrikethrough": False, "selectionWidth": 1.5, "hoverWidth": 1},
        "nodes": {"font": {"size": 0}},
        "groups": dict(sorted(groups.items())),
    }
    return {"nodes": vis_nodes, "edges": vis_edges, "options": options}


def _share_texts(payload: dict) -> None:
    """Each sentence and document name once in the page: evidence points at them by
    index, and the quote is the span of its sentence."""
    sentences: dict[str, int] = {}
    documents: dict[str, int] = {}
    doc_ids: dict[int, str] = {}
    holders = payload["nodes"] + payload["edges"] + payload["groups"] + payload["group_links"]
    for holder in holders:
        ev = dict(holder["evidence"])  # a copy: the View's own records keep every field
        sentence = ev.pop("sentence_text", None)
        if sentence:
            ev["s"] = sentences.setdefault(sentence, len(sentences))
            span = ev.get("span") or [0, 0]
            if sentence[span[0]:span[1]] == ev.get("quote"):
                ev.pop("quote", None)
        doc = ev.pop("document_label", None)
        doc_iri = ev.pop("document", "")
        if doc:
            ev["d"] = documents.setdefault(doc, len(documents))
            doc_ids.setdefault(ev["d"], doc_iri[len(_DOCS):] if doc_iri.startswith(_DOCS) else "")
        graph = ev.pop("graph", "")  # the statement's page in the explorer: /id/assertion/...
        if graph.startswith(_KG):
            ev["g"] = graph[len(_KG):]
        sentence_iri = ev.pop("sentence", "")  # the sentence's anchor in the source reader
        if sentence_iri.startswith(_DOCS):
            ev["sid"] = sentence_iri.rsplit("/", 1)[-1]
        holder["evidence"] = ev
    payload["sentences"] = list(sentences)
    payload["documents"] = list(documents)
    payload["document_ids"] = [doc_ids.get(i, "") for i in range(len(documents))]


def _json_island(value) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' survive literally."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def build_page(drawing: Drawing, *, name: str, title: str, lang: str, about: str = "", base: str = ""):
    """Nodes, links, legend, the page and the still SVG image for one view; ``base`` is the
    explorer's address (``hetao-kg serve``) the page's nodes, links and quotes lead to."""
    text = TEXT[lang]
    nodes, edges, pos, radius, index = _records(drawing, lang, text)
    boxes, group_links = _groups(drawing, pos, radius, index, text)
    lanes = _lanes(drawing, pos, radius)
    by_id = {n["id"]: n for n in nodes}
    for e in edges:
        e["source_label"], e["target_label"] = by_id[e["source"]]["label"], by_id[e["target"]]["label"]
    xs = [n["x"] - n["r"] for n in nodes] + [b["x"] for b in boxes]
    ys = [n["y"] - n["r"] for n in nodes] + [b["y"] for b in boxes]
    xe = [n["x"] + n["r"] for n in nodes] + [b["x"] + b["w"] for b in boxes]
    ye = [n["y"] + n["r"] + 24 for n in nodes] + [b["y"] + b["h"] for b in boxes]
    pad = 90
    bounds = [round(min(xs) - pad, 1), round(min(ys) - pad, 1), round(max(xe) - min(xs) + 2 * pad, 1), round(max(ye) - min(ys) + 2 * pad, 1)] if nodes else [0, 0, 100, 100]
    families = Counter(n["family"] for n in nodes if n["family"] != "more")
    order = [f for f, _ in FAMILIES]
    legend = [{"family": f, "label": text["families"][f], "colour": FAMILY_STYLE[f][1], "shape": FAMILY_STYLE[f][0],
               "count": families[f], "icon": _shape(FAMILY_STYLE[f][0], 7)} for f in order if families[f]]
    statuses = sorted({(n["status_order"], n["status_iri"], n["status"]) for n in nodes if n["status"]})
    rings = {iri: STATUS_RINGS[i % len(STATUS_RINGS)] for i, (_, iri, _) in enumerate(statuses)}
    documents = Counter(e["evidence"].get("document_label") for e in edges + nodes if e["evidence"].get("document_label"))
    inferred = sum(e["inferred"] for e in edges)
    steps = _steps(drawing, index, by_id, edges)
    counts = {"nodes": sum(1 for n in nodes if n["family"] != "more"), "links": len(edges) + len(group_links), "inferred": inferred}
    context = {
        "name": name, "title": title, "lang": lang, "about": about, "text": text,
        "nodes": nodes, "edges": edges, "boxes": boxes, "group_links": group_links, "legend": legend,
        "statuses": statuses, "rings": rings, "bounds": bounds, "background": BACKGROUND, "label_px": LABEL_PX,
        "counts": text["counts"].format(**counts),
        "source": text["source_line"].format(source="; ".join(d for d, _ in documents.most_common())) if documents else "",
        "steps": steps, "quote_lang": _QUOTE_LANG, "has_inferred": inferred > 0,
        "example": _example(edges, by_id, text),
        "link_types": sorted(Counter(e["label"] for e in edges if e["label"] and not e["more"]).items(), key=lambda kv: (-kv[1], kv[0])),
    }
    static_font, static_shown = _static_labels(nodes, bounds, text)
    env = _environment()
    svg = env.get_template("still.svg.j2").render(**context, static_font=static_font,
                                                    static_shown=static_shown)
    css, js = _static()
    vis = _vis_network(nodes, edges)
    payload = {"nodes": [{k: n[k] for k in ("id", "label", "lang", "family", "x", "y", "r", "priority", "mark", "kind",
                                           "status", "status_iri", "sector", "labels", "attributes", "hub", "more", "evidence",
                                           "search", "iri")} for n in nodes],
               "edges": [{k: e[k] for k in ("id", "source", "target", "label", "inferred", "more", "evidence",
                                           "source_label", "target_label")} for e in edges],
               "groups": [{k: b[k] for k in ("id", "label", "info", "members", "evidence")} for b in boxes],
               "group_links": [{k: e[k] for k in ("id", "label", "source", "target", "evidence")} for e in group_links],
               "boxes": [{k: b[k] for k in ("id", "x", "y", "w", "h", "label", "info")} for b in boxes],
               "group_geometry": [{"id": e["id"], "d": e["d"]} for e in group_links],
               "lanes": lanes, "rings": rings, "turnable": drawing.layout == "force",  # the free layout may turn to fit the screen
               "vis": vis, "bounds": bounds, "text": text, "label_px": LABEL_PX, "quote_lang": _QUOTE_LANG, "base": base}
    _share_texts(payload)
    island = _json_island(payload)
    vis_js, vis_packed = _vis_library()
    page = env.get_template("view.html.j2").render(
        **context, css=css, js=js, island=island, vis_packed=vis_packed,
        csp_script=" ".join((_sha256(js), _sha256(vis_js))), csp_style=_sha256(css))
    return nodes, edges, legend, page, svg, counts


def _example(edges: list[dict], by_id: dict, text: dict) -> str:
    """The header's example arrow, taken from the drawing: its most common link type between
    the kinds it most often joins (``university → brought in → project``)."""
    pairs = Counter((e["label"], by_id[e["source"]]["family"], by_id[e["target"]]["family"])
                    for e in edges if e["label"] and not e["more"])
    if not pairs:
        return ""
    (label, a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    return text["example"].format(a=text["families"][a], link=label, b=text["families"][b])


def _text_width(label: str, font: float) -> float:
    return sum(font if ord(ch) > 0x2E80 else font * 0.6 for ch in label)


def _static_labels(nodes: list[dict], bounds: list[float], text: dict, *, width_px: float = 960.0) -> tuple[float, set[str]]:
    """For the plain drawing (no script): the font size in layout units that reads as
    :data:`LABEL_PX` at ``width_px`` wide, and the labels that fit without overlapping,
    most important first (the same rule the page applies as you zoom)."""
    font = round(LABEL_PX * max(1.0, bounds[2] / width_px), 1)
    placed: list[tuple[float, float, float, float]] = []
    shown = set()
    for n in sorted(nodes, key=lambda n: n["priority"])[:400]:  # a still image holds a few hundred labels at most
        label = (text[n["mark"]] + ": " if n["mark"] else "") + n["label"]
        w = _text_width(label, font)
        box = (n["x"] - w / 2, n["y"] + n["r"] + 5, n["x"] + w / 2, n["y"] + n["r"] + 5 + font * 1.4)
        if not any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed):
            placed.append(box)
            shown.add(n["id"])
    return font, shown


def _steps(drawing: Drawing, index, by_id, edges) -> list[dict]:
    """For a path view: each step of the first path, in order, with its link and quote."""
    if not drawing.paths:
        return []
    steps = []
    for u, v in zip(drawing.paths[0], drawing.paths[0][1:]):
        a, b = index[u], index[v]
        link = next((e for e in edges if {e["source"], e["target"]} == {a, b}), None)
        if link is None:
            continue
        steps.append({"from": by_id[link["source"]], "to": by_id[link["target"]], "label": link["label"],
                      "evidence": link["evidence"], "forward": link["source"] == a, "inferred": link["inferred"]})
    return steps
