"""A smoke run of the scale benchmark at its smallest size (7k triples: the real report and one synthetic): it completes and produces every row.

Nothing about timing is asserted (performance is measured by the benchmark itself)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hetao_kg.query.queries import named_queries

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("scale", ROOT / "benchmarks" / "scale.py")
_scale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_scale)
SEARCHES = _scale.SEARCHES


@pytest.mark.slow
def test_scale_benchmark_at_7k_produces_every_row(tmp_path: Path):
    out, png = tmp_path / "scale.json", tmp_path / "scale.png"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scale.py"), "--sizes", "7k", "--runs", "1",
         "--stores", "memory,oxigraph,pyoxigraph", "--checks", "sparql", "--cutoff", "900",
         "--workdir", str(tmp_path / "work"), "--json", str(out), "--plot", str(png)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    entry = results["sizes"]["7k"]
    # ~7k asserted triples (2 reports), plus the owlrl entailments in <graph/inferred>
    assert 5_000 < entry["triples"] < 12_000 and entry["reports"] == 2
    queries = {f"query {name}" for name in named_queries()}
    api_ops = {"build", "search (first: builds the index)", "search", "network projection",
               "ego view of a hub (first: counts the degree table)", "ego view of a hub (projection + render)"}
    expected = {"memory": queries | api_ops | {"validate"}, "oxigraph": queries | api_ops,
                "pyoxigraph": queries | {"build"}}
    for store, ops in expected.items():
        res = entry["stores"][store]
        assert res["killed"] is None
        assert {row["op"] for row in res["rows"]} == ops, store
        assert res["peak_mb"] > 0 and res["disk_mb"] > 0
        # one run each; "search" times every one of the benchmark's search texts per run
        assert all(row["seconds"] >= 0 and row["runs"] == (len(SEARCHES) if row["op"] == "search" else 1)
                   for row in res["rows"]), store
    rows = {store: {r["op"]: r for r in entry["stores"][store]["rows"]} for store in expected}
    assert rows["memory"]["validate"]["violations"] == 0
    # the stores agree on how many rows each named query returns (the hub's describe included);
    # raw pyoxigraph holds the same quads (derived graphs and entailments included)
    for op in queries:
        assert rows["memory"][op]["rows"] == rows["oxigraph"][op]["rows"] == rows["pyoxigraph"][op]["rows"], op
    for table_row in ["query entity-links", "peak memory (MB)", "on disk (MB)", "memory/raw", "oxigraph/raw"]:
        assert table_row in proc.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_named_vs_raw_before_after_binds_a_name_as_the_cli_does(tmp_path: Path):
    """`--bind measure=<a name>`: the name is resolved, as `hetao-kg query --named series
    --param measure=<a name>` resolves it; bound as a plain literal it matched nothing, and
    two empty answers were reported as the same rows."""
    import os
    import re

    query = ROOT / "hetao_kg" / "query" / "queries" / "series.rq"
    run = [sys.executable, str(ROOT / "benchmarks" / "named_vs_raw.py"), str(ROOT), "--location", str(tmp_path / "db"),
           "--runs", "1", "--before-after", str(query), str(query)]
    env = {**os.environ, "HETAO_KG_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(run + ["--bind", "measure=research projects in the Shenzhen Park"],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = re.search(r"rows (\d+) / (\d+)\s+same rows in order: yes", proc.stdout)
    assert rows and int(rows.group(1)) == int(rows.group(2)) > 0, proc.stdout
    proc = subprocess.run(run + ["--bind", "measure=kg:measure/no-such-measure"],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600, env=env)
    assert proc.returncode == 1 and "nothing to compare" in proc.stdout, proc.stdout


def test_virtuoso_dataset_refuses_an_unknown_way_or_query_before_it_starts_anything(monkeypatch, capsys):
    """`--ways grup` (a typo) used to build the corpus, start and load Virtuoso, and then
    compare nothing: no way matched, no row printed, exit 0."""
    spec = importlib.util.spec_from_file_location("virtuoso_dataset", ROOT / "benchmarks" / "virtuoso_dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def never(*args, **kwargs):
        raise AssertionError("the corpus was built for a run that compares nothing")

    monkeypatch.setattr(module, "corpus", never)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--ways", "group,grup"])
    assert exit_.value.code == 2 and "unknown way 'grup'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        module.main(["--only", "cohorts,cohort"])  # and a misspelt query name, skipped silently before
    assert exit_.value.code == 2 and "unknown named query 'cohort'" in capsys.readouterr().err
