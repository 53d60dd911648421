"""Screenshots of `hetao-kg serve` for the README: an entity page and the SPARQL
editor with a named query run, in headless Chromium against a server on 127.0.0.1.

    .venv/bin/python docs/serve_screenshots.py     # writes docs/serve-entity.png, docs/serve-editor.png
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from hetao_kg.browser import CHROMIUM_ARGS, chromium_path
from hetao_kg.web.launch import running_server

DOCS = Path(__file__).resolve().parent


def main() -> None:
    with running_server() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            outside: list[str] = []
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server.url)
                          else (outside.append(r.request.url), r.abort()))
            page = context.new_page()
            page.goto(server.url + "/id/org/hku?lang=en")
            page.screenshot(path=str(DOCS / "serve-entity.png"))
            page.goto(server.url + "/query?named=hk-university-projects&lang=en")
            page.wait_for_selector(".yasqe .CodeMirror")
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
            page.locator("#yasgui").scroll_into_view_if_needed()
            page.screenshot(path=str(DOCS / "serve-editor.png"), full_page=True)
            assert not outside, outside
        finally:
            browser.close()
    for name in ("serve-entity.png", "serve-editor.png"):
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
