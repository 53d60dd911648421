"""Packaging: the sdist holds everything `make test` needs (Makefile, .ci/system-deps,
tests, data, licences) and its tests run from the unpacked sdist; both licences ship
in the wheel and the sdist; every runtime dependency has a lower and an upper bound,
and the lowest-versions constraints file covers them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    return out


@pytest.mark.slow
def test_sdist_has_what_make_test_needs_and_its_tests_run(dists, tmp_path):
    (sdist,) = dists.glob("hetao_kg-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        for needed in (".ci/system-deps", ".ci/run", ".ci/lowest-constraints.py", "Makefile", "pyproject.toml",
                       "LICENSE", "LICENSE-DATA", "README.md", "tests/test_hostile.py", "tests/hostile/README.md",
                       "ontology/hetao.ttl", "graph_data/sources/sources.json", "hetao_kg/query/queries/describe.rq"):
            assert needed in names, needed
        assert any(n.startswith("tests/hostile/") and n.endswith(".json") for n in names)
        tar.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.glob("hetao_kg-*")
    assert os.access(unpacked / ".ci" / "system-deps", os.X_OK)
    dry = subprocess.run(["make", "-n", "test"], cwd=unpacked, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0 and "pytest" in dry.stdout, dry.stderr
    # the sdist's own code and tests, not the checkout's
    env = {**os.environ, "PYTHONPATH": str(unpacked), "HETAO_KG_CACHE": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                          "tests/test_hostile.py", "-k", "query-update or query-undefined-term or param-old-kg-form"],
                         cwd=unpacked, env=env, capture_output=True, text=True, timeout=600)
    # three cases, each on the default (Oxigraph) store and on --store memory, the query cases also through /sparql
    assert run.returncode == 0 and "10 passed" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    probe = subprocess.run([sys.executable, "-c", "import hetao_kg; print(hetao_kg.__file__)"], cwd=unpacked, env=env,
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.startswith(str(unpacked)), probe.stdout


@pytest.mark.slow
def test_wheel_ships_both_licences(dists):
    (wheel,) = dists.glob("hetao_kg-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert any(n.endswith(".dist-info/licenses/LICENSE-DATA") for n in names), names
    assert "License-Expression: MIT AND CC-BY-4.0" in metadata


def test_runtime_dependencies_have_lower_and_upper_bounds():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    deps = re.findall(r'"([^"]+)"', re.search(r"(?ms)^dependencies = \[(.*?)^\]", text).group(1))
    assert len(deps) >= 10
    for dep in deps:
        assert re.search(r">=\s*[\d.]+", dep) and re.search(r"<\s*[\d.]+", dep), dep


def test_lowest_constraints_pin_every_lower_bound():
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest-constraints.py")], capture_output=True, text=True, check=True)
    pins = dict(line.split("==") for line in out.stdout.split())
    assert pins["rdflib"] == "7.3.0" and pins["pytest"] == "8.0"
    assert len(pins) >= 20
