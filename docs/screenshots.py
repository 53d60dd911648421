"""Render views and screenshot them in headless Chromium for the README.

    python docs/screenshots.py           # writes docs/*.png (needs chromium + fonts-noto-cjk)
    python docs/screenshots.py --check   # renders again and fails if any image differs

Same data, same pages, same pictures: positions are computed in Python with a seed,
so a rerun reproduces every image byte for byte.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from hetao_kg.facade import open_graph
from hetao_kg.browser import offline_browser
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


# (file name, view, entities, language, what to do before the picture)
SHOTS = [
    ("hk-universities-en", "hk-universities", (), "en", None),
    ("hk-universities-zh-Hans", "hk-universities", (), "zh-Hans", None),
    ("sectors-en", "sectors", (), "en", None),
    ("sectors-zh-Hans", "sectors", (), "zh-Hans", None),
    ("full-search-focus-en", "full", (), "en", _search_and_focus),
    ("sectors-tooltip-zh-Hans", "sectors", (), "zh-Hans", _tooltip),
]


def shoot(out: Path) -> list[Path]:
    kg = open_graph()
    written = []
    with tempfile.TemporaryDirectory() as tmp, offline_browser(width=1440, height=900) as browser:
        for stem, name, entities, lang, action in SHOTS:
            page = render(name, *entities, kg=kg, lang=lang).save(Path(tmp) / f"{stem}.html")
            browser.open(page)
            browser.page.mouse.move(0, 0)
            if action:
                action(browser)
            target = out / f"{stem}.png"
            browser.page.screenshot(path=str(target))
            assert not browser.requests and not browser.errors, (browser.requests, browser.errors)
            written.append(target)
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
        differ = [p.name for p in shoot(Path(tmp)) if p.read_bytes() != (DOCS / p.name).read_bytes()]
    for name in differ:
        print(f"differs: docs/{name}", file=sys.stderr)
    print("all screenshots reproduce byte for byte" if not differ else f"{len(differ)} screenshot(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
