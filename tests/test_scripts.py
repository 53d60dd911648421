"""Plain Python scripts use hetao-kg at top level, with no ``if __name__ == "__main__":``
(issue 15, section 1): the query worker must start without re-running the script.

Each script imports pandas first (numpy's OpenBLAS starts threads, so the worker
cannot be forked and starts as a fresh interpreter), queries at top level, imports
more afterwards, and prints a line at its top that must appear exactly once.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import uuid

import pytest

SCRIPT = """\
print("top-level code ran", flush=True)
import multiprocessing
{start_method}
import pandas
import hetao_kg

kg = hetao_kg.open(store={store!r})
answer = kg.query("SELECT ?x WHERE {{ ?x hto:broughtInBy ?u }} # {tag}", u="香港大学")
print("rows", len(answer), flush=True)
import json

print(json.dumps(answer.column("x")), flush=True)
"""


def _run(tmp_path, store: str, tag: str, cache, start_method: str = "") -> subprocess.CompletedProcess:
    script = tmp_path / f"script-{tag}.py"
    line = f"multiprocessing.set_start_method({start_method!r}, force=True)" if start_method else ""
    script.write_text(SCRIPT.format(store=store, tag=tag, start_method=line), encoding="utf-8")
    env = {**os.environ, "HETAO_KG_CACHE": str(cache)}
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, encoding="utf-8",
                          cwd=tmp_path, env=env, timeout=900)


def _assert_ran_once(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("top-level code ran") == 1, run.stdout
    assert "rows 1" in run.stdout, run.stdout
    assert "hku-ai-pathogen-diagnosis" in run.stdout
    assert "bootstrapping" not in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("script-cache")


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_a_plain_script_queries_cold_then_warm(tmp_path, cache, store):
    tag = uuid.uuid4().hex
    cold = _run(tmp_path, store, tag, cache)  # no answer cached (and, first time, no store built)
    _assert_ran_once(cold)
    warm = _run(tmp_path, store, tag, cache)  # the same query: its answer comes from the cache
    _assert_ran_once(warm)
    assert warm.stdout == cold.stdout


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_a_plain_script_works_whatever_start_method_it_sets(tmp_path, cache, store, method):
    _assert_ran_once(_run(tmp_path, store, uuid.uuid4().hex, cache, start_method=method))
