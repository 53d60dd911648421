"""A short run of the load benchmark (benchmarks/serve_load.py; the 30 s run with
50 clients is in BENCHMARKS.md): concurrent clients on a mix of named queries and
pages, then the same with a hostile query; no request may fail, the server must
stay up and exit 0 on SIGTERM."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "serve_load.py"


@pytest.mark.slow
def test_short_load_with_a_hostile_query_has_no_errors():
    out = subprocess.run([sys.executable, str(SCRIPT), "--clients", "12", "--duration", "4", "--baseline", "1",
                          "--hostile", "--timeout", "2", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    for phase in ("baseline", "load", "load+hostile"):
        assert results[phase]["errors"] == 0, results[phase]["first_errors"]
        assert results[phase]["queries"] > 0 and results[phase]["pages"] > 0
    assert results["load+hostile"]["hostile"]["statuses"] == [503]
    assert results["load+hostile"]["p99_ms"] < 1000
    assert results["server"] == {"alive_after": True, "exit_code_on_sigterm": 0}
