"""`pip install .` (not editable) must work: the wheel carries the ontology and
the graph data (with the OWL 2 RL closures it needs), and the graph loads from it
alone, from an empty cache, without running owlrl."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_data_and_loads_the_graph(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = dist.glob("hetao_kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "hetao_kg/_data/ontology/hetao.ttl",
        "hetao_kg/_data/ontology/shapes.ttl",
        "hetao_kg/_data/graph_data/report-facts.trig",
        "hetao_kg/_data/graph_data/sources/000_d0ad826a37126c33.txt",
        "hetao_kg/_data/graph_data/sources/sources.json",
    ):
        assert needed in names
    shipped = sorted(p.name for p in (ROOT / "graph_data" / "closures").glob("*.nt.gz"))
    assert shipped and sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("hetao_kg/_data/graph_data/closures/")) == shipped
    snapshot = sorted(p.name for p in (ROOT / "graph_data" / "store").glob("*.nq.gz"))
    assert snapshot and sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("hetao_kg/_data/graph_data/store/")) == snapshot
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    probe = (
        "import hetao_kg, hetao_kg.paths as p, hetao_kg.data.closure as c;"
        "assert str(p.data_root()).startswith(%r), p.data_root();"
        "c._owlrl = lambda graph: exec('raise AssertionError(\\'owlrl ran: a shipped closure was not found\\')');"
        "kg = hetao_kg.load();"
        "import hetao_kg.store.oxigraph as ox;"
        "ox.fill = lambda *a, **k: exec('raise AssertionError(\\'the store was derived: no shipped snapshot\\')');"
        "ox.build(%r);"
        "print(len(kg), hetao_kg.validate(checks=['sparql']).ok)"
    ) % (str(target), str(tmp_path / "oxigraph"))
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HETAO_KG_CACHE": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    count, ok = result.stdout.split()
    assert int(count) > 3000 and ok == "True"
