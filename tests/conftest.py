"""Shared fixtures: the loaded graph, the normalized report, and writable copies
of the data for tests that break it on purpose."""

from __future__ import annotations

import os
import shutil
import tempfile
import subprocess
import sys
from pathlib import Path

import pytest

from hetao_kg.data.graph import load
from hetao_kg.paths import data_root
from hetao_kg.source.sources import source_documents

ROOT = Path(__file__).resolve().parent.parent
# Tests never touch the user's cache: subprocesses inherit this too.
os.environ.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-kg-test-cache-"))


@pytest.fixture(scope="session")
def kg():
    """The knowledge graph as loaded by users."""
    return load()


@pytest.fixture(scope="session")
def report():
    """The normalized zone progress report."""
    return source_documents()["hetao-progress-report"]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of ontology/ and graph_data/ to break on purpose."""
    for folder in ("ontology", "graph_data"):
        shutil.copytree(data_root() / folder, tmp_path / folder)
    return tmp_path


def run_cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the real ``hetao-kg`` entry point in a subprocess (UTF-8 in and out)."""
    return subprocess.run(
        [sys.executable, "-m", "hetao_kg.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=input,
        cwd=ROOT,
        timeout=300,
    )
