"""Each CLI command imports only what it uses: the heavy libraries (networkx, pandas,
scipy, jinja2, starlette, rdflib's pyparsing SPARQL parser, ...) stay out of the commands
that need none of them (issue 22: importing networkx alone cost a warm ``show`` 0.11 s of
0.34 s). The real entry point runs in a subprocess and reports the top-level packages in
its ``sys.modules`` when it exits (query workers are processes of their own and do not
count: the parent's imports are what a command waits for)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {"networkx", "pandas", "scipy", "jinja2", "starlette", "uvicorn", "numpy", "matplotlib", "pyvis",
         "pyshacl", "owlrl", "pyparsing", "nbformat", "IPython"}

# Write the heavy packages imported by the time the command exits, then run it.
DRIVER = """
import atexit, json, os, sys
def _dump():
    with open(os.environ["IMPORT_SET_OUT"], "w", encoding="utf-8") as f:
        json.dump(sorted({m.split(".")[0] for m in sys.modules}), f)
atexit.register(_dump)
sys.argv = ["hetao-kg"] + sys.argv[1:]
from hetao_kg.cli import main
main()
"""

#: command -> the heavy packages it may import (it uses them); every other heavy one is refused.
COMMANDS = {
    ("queries",): set(),
    ("query", "--named", "services"): set(),
    ("query", "SELECT ?u WHERE { ?u a hto:University }"): set(),
    ("show", "HKU"): set(),
    ("search", "liangzi"): set(),
    ("cite", "kg:org/hku"): set(),
    ("stats",): set(),
    ("cache", "info"): set(),
    ("path", "HKU", "HKUST"): set(),  # its links are read without networkx (tests/test_path_links.py)
    # pyvis assembles the page's vis-network data; importing it imports IPython (0.23 s with
    # networkx, measured with -X importtime): a stated fixed cost of drawing a page
    ("render", "ego", "HKU", "-o", "{tmp}/ego.html"): {"networkx", "numpy", "jinja2", "pyvis", "IPython"},
    ("network", "--format", "csv", "-o", "{tmp}/network.csv"): {"networkx", "numpy", "scipy"},
}


def imported(args: tuple[str, ...], tmp_path: Path) -> set[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", DRIVER, *(a.replace("{tmp}", str(tmp_path)) for a in args)],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600,
                          env={**os.environ, "IMPORT_SET_OUT": str(out)})
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(out.read_text(encoding="utf-8")))


@pytest.mark.parametrize("args", list(COMMANDS), ids=[" ".join(a[:2]) for a in COMMANDS])
def test_each_command_imports_only_the_heavy_packages_it_uses(args, tmp_path):
    heavy = imported(args, tmp_path) & HEAVY
    assert heavy <= COMMANDS[args], f"{' '.join(args)} imported {sorted(heavy - COMMANDS[args])}"


def test_the_import_set_check_sees_a_heavy_import(tmp_path):
    """The control: a command that draws a network does import networkx (else the
    check above would pass for a driver that saw nothing)."""
    assert "networkx" in imported(("network", "--format", "csv", "-o", "{tmp}/network.csv"), tmp_path)


#: modules a command answered from the answer cache never needs (issue 22, session 27): the
#: text normalizer (OpenCC's wrapper), the checks, the store's derivations, the guard (no
#: text is read), the query worker's machinery and pyoxigraph (no store is opened), networkx
NOT_WHEN_CACHED = {"hetao_kg.source.normalize", "hetao_kg.data.validate", "hetao_kg.data.derived",
                   "hetao_kg.store.sparql_guard", "hetao_kg.store.sandbox", "multiprocessing", "pyoxigraph",
                   "opencc", "networkx", "wcwidth", "pypinyin"}

MODULES = """
import atexit, json, os, sys
def _dump():
    with open(os.environ["IMPORT_SET_OUT"], "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
atexit.register(_dump)
sys.argv = ["hetao-kg"] + sys.argv[1:]
from hetao_kg.cli import main
main()
"""


@pytest.mark.parametrize("args", [("show", "HKU"), ("search", "liangzi"), ("cite", "kg:org/hku"), ("path", "HKU", "HKUST"),
                                  ("query", "--named", "services"), ("stats",)], ids=lambda a: " ".join(a))
def test_a_command_answered_from_the_cache_imports_nothing_it_does_not_run(args, tmp_path):
    out = tmp_path / "modules.json"
    env = {**os.environ, "IMPORT_SET_OUT": str(out), "HETAO_KG_CACHE": str(tmp_path / "cache")}
    for run in ("fills the caches", "answers from them"):
        done = subprocess.run([sys.executable, "-c", MODULES, *args], capture_output=True, text=True, encoding="utf-8",
                              cwd=ROOT, timeout=600, env=env)
        assert done.returncode == 0, (run, done.stderr[-2000:])
    modules = set(json.loads(out.read_text(encoding="utf-8")))
    assert "hetao_kg.cli" in modules and "rdflib" in modules  # (the control: the driver saw the imports)
    assert not modules & NOT_WHEN_CACHED, f"{' '.join(args)} imported {sorted(modules & NOT_WHEN_CACHED)}"
