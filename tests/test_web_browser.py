"""The explorer in a real headless Chromium (Debian's, driven by Playwright) against
`hetao-kg serve` on 127.0.0.1: search → entity page → quote → source reader; a named
query run in the YASGUI editor; every page with no request leaving the server, no
console error, keyboard access, no JavaScript needed where promised, and an XSS
label in a data copy staying text."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from hetao_kg.browser import CHROMIUM_ARGS, chromium_path
from hetao_kg.web.launch import running_server

from .test_web import XSS, xss_copy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                       reason="needs Debian chromium (make sysdeps installs it)"),
]

PAGES = ["/", "/?lang=zh-Hans", "/search?q=liangzi", "/id/org/hku", "/id/org/siqa?lang=zh-Hant",
         "/id/park/shenzhen-park", "/source/", "/source/hetao-progress-report", "/source/context-facts",
         "/query", "/views/", "/views/hk-universities", "/views/ego?entity=HKU", "/ontology?lang=zh-Hans",
         "/id/org/does-not-exist"]


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", "10") as s:
        yield s


@contextmanager
def browser_page(base: str, *, javascript: bool = True):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=javascript)
            page = context.new_page()
            record = {"outside": [], "errors": [], "dialogs": []}

            def route(r):
                url = r.request.url
                if url.startswith(base) or url.startswith("data:"):
                    r.continue_()
                else:
                    record["outside"].append(url)
                    r.abort()

            context.route("**/*", route)
            page.on("console", lambda m: record["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: record["errors"].append(str(e)))
            page.on("dialog", lambda d: (record["dialogs"].append(d.message), d.dismiss()))
            yield page, record
        finally:
            browser.close()


def test_search_to_entity_to_quote_in_the_source(server):
    with browser_page(server.url) as (page, record):
        page.goto(server.url + "/?lang=en")
        page.fill("#q", "xianggang daxue")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?*")
        page.click("ol.hits a[href*='/id/org/hku?']")
        page.wait_for_url("**/id/org/hku*")
        assert page.text_content("h1") == "The University of Hong Kong"
        assert "香港大學" in page.text_content("table.labels")
        link = page.locator("a.quote-link").first
        quoted = link.locator("mark").text_content()
        link.click()
        page.wait_for_url("**/source/**#quote-*")
        target = page.evaluate("""() => {
            const a = document.querySelector(':target');
            const s = a.closest('.sentence');
            const r = s.getBoundingClientRect();
            return {visible: r.top >= 0 && r.bottom <= window.innerHeight, text: s.textContent,
                    bg: getComputedStyle(s).backgroundColor, marks: [...s.querySelectorAll('mark')].map(m => m.textContent).join('')};
        }""")
        assert target["visible"], target
        assert quoted in target["marks"]
        assert target["bg"] not in ("rgba(0, 0, 0, 0)", "transparent")
        assert not record["outside"] and not record["errors"] and not record["dialogs"]


def test_named_query_in_the_editor_shows_rows(server):
    with browser_page(server.url) as (page, record):
        page.goto(server.url + "/query?named=hk-university-projects&lang=en")
        page.wait_for_selector(".yasqe .CodeMirror")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
        rows = page.locator(".yasr table tbody tr").count()
        assert rows == 6  # HKU, HKUST, CUHK, CUHK-Shenzhen, CityU, PolyU
        body = page.text_content(".yasr table")
        assert "The University of Hong Kong" in body  # labels in the page's language (?universityLabel)
        assert "query=" in page.url  # the URL now shares the query
        assert not record["outside"], record["outside"]
        assert not record["errors"], record["errors"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_stays_on_the_server(server, path):
    with browser_page(server.url) as (page, record):
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        if path.startswith("/views/") and path != "/views/":
            page.wait_for_function("document.querySelector('canvas') !== null", timeout=30_000)
        assert not record["outside"], record["outside"]
        errors = [e for e in record["errors"] if not (path.endswith("does-not-exist") and "404" in e)]
        assert not errors, errors
        assert not record["dialogs"]


def test_keyboard_reaches_content_and_quotes(server):
    with browser_page(server.url) as (page, record):
        page.goto(server.url + "/id/org/hku")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        for _ in range(60):  # tab on until a quote link has the focus, then follow it
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('quote-link')"):
                break
        else:
            pytest.fail("no quote link reachable by keyboard")
        page.keyboard.press("Enter")
        page.wait_for_url("**/source/**#quote-*")
        assert page.evaluate("!!document.querySelector(':target')")


def test_pages_work_without_javascript(server):
    with browser_page(server.url, javascript=False) as (page, record):
        page.goto(server.url + "/search?q=xianggang+daxue")
        page.click("ol.hits a[href*='/id/org/hku?']")
        assert page.locator("blockquote.quote mark").count() >= 1
        assert page.locator("svg.neighbourhood a").count() >= 2
        page.goto(server.url + "/source/context-facts")
        assert page.locator(".sentence.uncovered").count() >= 1
        assert page.locator(".sentence mark.quoted").count() >= 1
        page.goto(server.url + "/query")
        assert page.locator("noscript").count() == 1


def test_xss_label_stays_text_in_the_browser(tmp_path):
    with running_server(data_root=xss_copy(tmp_path)) as s, browser_page(s.url) as (page, record):
        for path in ["/id/org/hku?lang=en", "/search?q=HKU", "/id/project/hku-ai-pathogen-diagnosis",
                     "/views/ego?entity=https://w3id.org/hetao-kg/id/org/hku&lang=en"]:
            page.goto(s.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__xss") is None, path
        page.goto(s.url + "/id/org/hku?lang=en")
        assert XSS in page.text_content("table.labels")
        assert not record["dialogs"] and not record["outside"]
