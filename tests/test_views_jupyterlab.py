"""Views inside a real JupyterLab: a notebook executed with nbclient, opened in Debian
Chromium from a JupyterLab server started here on 127.0.0.1 (free port, token), and
looked at. Untrusted (as any notebook someone else executed), JupyterLab sanitizes
the output: the plain drawing must still show, nodes and all. Trusted, the
interactive page must run in its sandboxed frame and draw its nodes."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from hetao_kg.browser import chromium_path, offline_browser

pytestmark = [
    pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                       reason="needs Debian chromium (make sysdeps installs it)"),
    pytest.mark.slow,
]
TOKEN = "hetao-kg-test-token"
UNIVERSITY = (0xD5, 0x5E, 0x00)  # the university family's vermillion


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """An executed notebook and a JupyterLab serving its folder; stopped by PID afterwards."""
    import nbformat
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("jupyter-home")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import hetao_kg\nkg = hetao_kg.open()\nkg.render('hk-universities', lang='en')")])
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    nbformat.write(nb, root / "views.ipynb")
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port = _free_port()
    log = open(home / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start: " + (home / "lab.log").read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield {"root": root, "port": port, "env": env}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _open_notebook(lab, browser):
    url = f"http://127.0.0.1:{lab['port']}/lab/tree/views.ipynb?token={TOKEN}"
    browser.page.goto(url)
    browser.page.wait_for_selector(".jp-OutputArea-output .hetao-view", timeout=120_000)
    return browser.page


def _has_colour(png: bytes, rgb, tolerance=12, at_least=20) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    hits = sum(1 for px in image.getdata() if all(abs(a - b) <= tolerance for a, b in zip(px, rgb)))
    return hits >= at_least


def test_untrusted_notebook_shows_the_drawing(lab):
    with offline_browser(width=1300, height=900, allow=(f"http://127.0.0.1:{lab['port']}/",)) as browser:
        page = _open_notebook(lab, browser)
        output = page.locator(".jp-OutputArea-output .hetao-view").first
        assert page.locator(".jp-OutputArea-output iframe").count() == 0  # sanitized away: untrusted
        image = output.locator("img.hetao-view-static")
        page.wait_for_function("() => { const i = document.querySelector('img.hetao-view-static'); return i && i.complete && i.naturalWidth > 0; }")
        assert image.is_visible()
        assert _has_colour(image.screenshot(), UNIVERSITY)  # university triangles drawn
        assert not [r for r in browser.requests if not r.startswith(f"http://127.0.0.1:{lab['port']}")]


def test_trusted_notebook_runs_the_interactive_view(lab):
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(lab["root"] / "views.ipynb")], env=lab["env"],
                   check=True, capture_output=True)
    with offline_browser(width=1300, height=900, allow=(f"http://127.0.0.1:{lab['port']}/",)) as browser:
        page = _open_notebook(lab, browser)
        page.wait_for_selector(".jp-OutputArea-output iframe.hetao-view-page", timeout=60_000)
        # the frame of the view's own iframe (older Playwright names srcdoc frames differently)
        frame = page.locator(".jp-OutputArea-output iframe.hetao-view-page").first.element_handle().content_frame()
        assert frame is not None
        frame.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
        nodes = frame.evaluate("window.hetaoView.nodes()")
        assert len(nodes) >= 5 and any(n["label"] == "The University of Hong Kong" for n in nodes)
        shot = page.locator(".jp-OutputArea-output iframe.hetao-view-page").first.screenshot()
        assert _has_colour(shot, UNIVERSITY)
