"""Open rendered views in headless Chromium, offline, for tests, screenshots and
benchmarks. Needs Playwright for Python and a Chromium (Debian: ``apt-get install
chromium fonts-noto-cjk``); Playwright's own browser download is not used.

Every request that is not ``file:`` or ``data:`` is recorded and aborted, so a
page that tries to reach the network is caught, never served.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

__all__ = ["CHROMIUM_ARGS", "OfflinePage", "chromium_path", "offline_browser"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """The Chromium to drive: ``$HETAO_KG_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    for candidate in (os.environ.get("HETAO_KG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass
class OfflinePage:
    """A Playwright page with what it attempted recorded."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    browser: object = None

    def sibling(self, *, width: int = 1400, height: int = 900, touch: bool = False, allow: tuple[str, ...] = (),
                bypass_csp: bool = False) -> "OfflinePage":
        """Another page in the same browser, with its own viewport (e.g. a phone); ``bypass_csp``
        lets a test inject a checker (axe-core) into a page whose CSP forbids other scripts."""
        return _new_page(self.browser, width=width, height=height, touch=touch, allow=allow, bypass_csp=bypass_csp)

    def open(self, path: str | Path, *, timeout: float = 15.0) -> float:
        """Load a view from ``file://`` and wait until its network is laid out; returns seconds."""
        start = time.perf_counter()
        self.page.goto(Path(path).resolve().as_uri())
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=timeout * 1000)
        return time.perf_counter() - start

    def node_point(self, iri: str) -> tuple[float, float]:
        """Where the node for ``iri`` is drawn, in page coordinates."""
        return tuple(self.page.evaluate(
            "(iri) => { const p = window.hetaoView.point(window.hetaoView.nodeId(iri)); return [p.x, p.y]; }", iri))


@contextmanager
def offline_browser(*, width: int = 1400, height: int = 900, touch: bool = False,
                    allow: tuple[str, ...] = ()) -> Iterator[OfflinePage]:
    """A headless Chromium page with every non-file request aborted and recorded.

    ``touch`` emulates a phone (touch events, no hover); ``allow`` lists URL prefixes
    that may load (e.g. a JupyterLab started on 127.0.0.1 by a test)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("no Chromium found: apt-get install chromium fonts-noto-cjk (or set HETAO_KG_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield _new_page(browser, width=width, height=height, touch=touch, allow=allow)
        finally:
            browser.close()


def _new_page(browser, *, width: int, height: int, touch: bool, allow: tuple[str, ...], bypass_csp: bool = False) -> OfflinePage:
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  has_touch=touch, is_mobile=touch, bypass_csp=bypass_csp)
    page = context.new_page()
    handle = OfflinePage(page)
    handle.browser = browser

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:") + tuple(allow)):
            r.continue_()
        else:
            handle.requests.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: handle.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: handle.errors.append(str(e)))

    def on_dialog(d):
        handle.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return handle
