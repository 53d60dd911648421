"""The README's screenshots reproduce: `docs/screenshots.py --check` takes every one again
(views on a desktop and a phone, the explorer served on 127.0.0.1) and compares them byte
for byte with docs/*.png, so a change to a page that forgets to regenerate them fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hetao_kg.browser import chromium_path

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                       reason="needs Debian chromium (make sysdeps installs it)"),
]


def test_readme_screenshots_reproduce_byte_for_byte():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "screenshots.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduce byte for byte" in done.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(docs/([\w.-]+\.png)\)", readme))
    taken = set(re.findall(r'"([\w-]+)", "[\w-]+", \(\)', (ROOT / "docs" / "screenshots.py").read_text(encoding="utf-8")))
    assert shown and shown <= {f"{t}.png" for t in taken} | {"serve-entity.png", "serve-editor.png", "serve-source-phone.png"}  # every image shown is taken
