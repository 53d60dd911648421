"""Render the headline views and screenshot them in headless Chromium for the README.

    python docs/screenshots.py        # writes docs/*.png (needs chromium + fonts-noto-cjk)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hetao_kg.api import open_graph
from hetao_kg.browser import offline_browser
from hetao_kg.views import render

DOCS = Path(__file__).resolve().parent


def main() -> None:
    kg = open_graph()
    with tempfile.TemporaryDirectory() as tmp, offline_browser(width=1400, height=900) as browser:
        for name in ("hk-universities", "sectors"):
            for lang in ("en", "zh-Hans"):
                page = render(name, kg=kg, lang=lang).save(Path(tmp) / f"{name}-{lang}.html")
                browser.open(page)
                out = DOCS / f"{name}-{lang}.png"
                browser.page.screenshot(path=str(out))
                assert not browser.requests and not browser.errors, (browser.requests, browser.errors)
                print(f"wrote {out.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
