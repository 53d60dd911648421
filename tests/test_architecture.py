"""The package's layers (ARCHITECTURE.md) hold: no import runs from a lower layer up to a
higher one, and no circle runs through two layers. The contracts are in pyproject.toml
([tool.importlinter]); `lint-imports` checks them, lazy imports inside functions included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> list[str]:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    return [found]


def test_imports_keep_to_the_layers():
    """A broken contract fails with the offending import named (module -> module (l.N))."""
    run = subprocess.run([*_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = run.stdout + run.stderr
    if run.returncode != 0:
        broken = report[report.find("Broken contracts"):] if "Broken contracts" in report else report
        pytest.fail("an import runs against the layers of ARCHITECTURE.md:\n" + broken.strip(), pytrace=False)
    assert "0 broken" in report, report


def test_old_module_paths_are_the_new_modules():
    """Code written against the flat layout keeps working: an old path is the moved module itself."""
    import hetao_kg
    import hetao_kg.data.graph
    import hetao_kg.graph
    import hetao_kg.limits
    import hetao_kg.store.limits
    from hetao_kg.api import KnowledgeGraph, open_graph
    from hetao_kg.cite import format_citations
    from hetao_kg.network import FAMILIES, Neighbourhood, path_between  # noqa: F401
    from hetao_kg.results import cjk_font  # noqa: F401
    from hetao_kg.store import QueryError, QueryLimitExceeded  # noqa: F401
    from hetao_kg.stores import DEFAULT, open_store  # noqa: F401
    from hetao_kg.views.select import Drawing

    import hetao_kg.network.views.select

    assert hetao_kg.graph is hetao_kg.data.graph and hetao_kg.limits is hetao_kg.store.limits
    assert Drawing is hetao_kg.network.views.select.Drawing
    assert KnowledgeGraph is hetao_kg.KnowledgeGraph and open_graph is hetao_kg.open
    assert format_citations.__module__ == "hetao_kg.query.cite"
    assert hetao_kg.store.limits.__spec__.name == "hetao_kg.store.limits"  # the alias leaves the module as it was
