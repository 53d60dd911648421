"""Every screenshot in the README, taken in headless Chromium: the views (desktop and
phone) from files, and the explorer (entity page, SPARQL editor) from `hetao-kg serve`
on 127.0.0.1.

    python docs/screenshots.py           # writes docs/*.png (needs chromium + fonts-noto-cjk)
    python docs/screenshots.py --check   # takes them again and fails if any image differs

Same data, same pages, same pictures: positions are computed in Python with a seed,
so a rerun reproduces every image byte for byte (the editor's free port is masked and its
query time dropped, the only parts that change from run to run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from hetao_kg.facade import open_graph
from hetao_kg.browser import CHROMIUM_ARGS, chromium_path, offline_browser
from hetao_kg.network.views import render

DOCS = Path(__file__).resolve().parent
KG = "https://w3id.org/hetao-kg/id/"


def _search_and_focus(browser) -> None:
    page = browser.page
    page.fill("#search", "liangzi")
    page.press("#search", "Enter")
    page.evaluate("document.activeElement.blur()")


def _tooltip(browser) -> None:
    x, y = browser.node_point(KG + "org/siqa")
    browser.page.mouse.move(x, y)
    browser.page.wait_for_selector("#tooltip:not([hidden])")


def _tap(browser) -> None:
    x, y = browser.node_point(KG + "org/siqa")
    browser.page.touchscreen.tap(x, y)
    browser.page.wait_for_selector("#tooltip.pinned")
    browser.page.mouse.move(0, 0)  # the sheet opened under the finger: no button of it stays hovered
    browser.page.wait_for_timeout(500)


PHONE = (390, 844)
# (file name, view, entities, language, what to do before the picture, screen: None = 1440x900)
SHOTS = [
    ("hk-universities-en", "hk-universities", (), "en", None, None),
    ("hk-universities-zh-Hans", "hk-universities", (), "zh-Hans", None, None),
    ("sectors-en", "sectors", (), "en", None, None),
    ("sectors-zh-Hans", "sectors", (), "zh-Hans", None, None),
    ("full-search-focus-en", "full", (), "en", _search_and_focus, None),
    ("sectors-tooltip-zh-Hans", "sectors", (), "zh-Hans", _tooltip, None),
    ("full-phone-en", "full", (), "en", None, PHONE),
    ("sectors-phone-tap-zh-Hant", "sectors", (), "zh-Hant", _tap, PHONE),
    ("construction-phone-zh-Hans", "construction", (), "zh-Hans", None, PHONE),
]


def _settle(page) -> None:
    """Fonts loaded and the drawing redrawn after them, however busy the machine is."""
    page.evaluate("() => document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))")
    page.evaluate("() => { if (window.hetaoNetwork) { window.hetaoNetwork.redraw(); } }")
    page.evaluate("() => { if (document.activeElement) { document.activeElement.blur(); } }")  # no blinking caret
    page.wait_for_timeout(250)


def shoot(out: Path) -> list[Path]:
    kg = open_graph()
    written = []
    with tempfile.TemporaryDirectory() as tmp, offline_browser(width=1440, height=900) as desktop:
        phone = desktop.sibling(width=PHONE[0], height=PHONE[1], touch=True)
        for stem, name, entities, lang, action, screen in SHOTS:
            browser = phone if screen == PHONE else desktop
            page = render(name, *entities, kg=kg, lang=lang).save(Path(tmp) / f"{stem}.html")
            browser.open(page)
            _settle(browser.page)
            if screen is None:
                browser.page.mouse.move(0, 0)
            if action:
                action(browser)
            target = out / f"{stem}.png"
            _settle(browser.page)
            browser.page.screenshot(path=str(target))
            assert not browser.requests and not browser.errors, (browser.requests, browser.errors)
            written.append(target)
    return written + shoot_served(out)


def shoot_served(out: Path) -> list[Path]:
    """The explorer: an entity page, the SPARQL editor with a named query run, the source reader on a phone."""
    from playwright.sync_api import sync_playwright

    from hetao_kg.web.launch import running_server

    written = [out / "serve-entity.png", out / "serve-editor.png", out / "serve-source-phone.png"]
    with running_server() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            outside: list[str] = []
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server.url)
                          else (outside.append(r.request.url), r.abort()))
            page = context.new_page()
            page.goto(server.url + "/id/org/hku?lang=en")
            page.screenshot(path=str(written[0]))
            page.goto(server.url + "/query?named=hk-university-projects&lang=en")
            page.wait_for_selector(".yasqe .CodeMirror")
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.evaluate("document.activeElement.blur()")
            page.locator("#yasgui").scroll_into_view_if_needed()
            page.wait_for_timeout(1000)  # the table settles (column widths, the editor's caret gone)
            # YASR writes the query time as a bare number ("in 0.05 seconds"), so the chip's width
            # changes with the machine's load: keep the count, drop the time.
            page.evaluate("""() => { const chip = document.querySelector('.yasr_response_chip');
                                    chip.textContent = chip.textContent.replace(/ in [0-9.]+ seconds?$/, ''); }""")
            _settle(page)
            page.screenshot(path=str(written[1]), full_page=True, mask=[page.locator("input.autocomplete")],
                            mask_color="#d0d7de")
            phone = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, device_scale_factor=1,
                                        has_touch=True, is_mobile=True)
            phone.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server.url)
                        else (outside.append(r.request.url), r.abort()))
            page = phone.new_page()
            page.goto(server.url + "/source/hetao-progress-report?lang=zh-Hans#p02")  # the facts under their sentences
            _settle(page)
            page.screenshot(path=str(written[2]))
            assert not outside, outside
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="render again and compare with docs/*.png")
    args = parser.parse_args()
    if not args.check:
        for path in shoot(DOCS):
            print(f"wrote {path.relative_to(DOCS.parent)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        differ = [p.name for p in shoot(Path(tmp)) if not (DOCS / p.name).exists() or p.read_bytes() != (DOCS / p.name).read_bytes()]
    for name in differ:
        print(f"differs: docs/{name}", file=sys.stderr)
    print("all screenshots reproduce byte for byte" if not differ else f"{len(differ)} screenshot(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
