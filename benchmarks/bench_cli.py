"""Benchmark: whole-process time of `hetao-kg query --named hk-university-projects`
against the floor `python -c "import rdflib"`, run side by side (interleaved).

    python benchmarks/bench_cli.py [--runs 15]

Prints median and mean wall time of each command and the ratio to the floor, for a
warm cache (the usual case: the graph and answers are cached by content) and a cold
one (an empty cache directory every run: parse, normalize, derive, query).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HETAO = [sys.executable, "-m", "hetao_kg.cli", "query", "--named", "hk-university-projects"]
FLOOR = [sys.executable, "-c", "import rdflib"]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="hetao-bench-")
    env = dict(os.environ, HETAO_KG_CACHE=cache)
    timed(HETAO, env)  # fill the cache
    rows = []
    for label, cold in (("warm cache", False), ("cold cache", True)):
        floor, hetao = [], []
        for _ in range(args.runs):
            floor.append(timed(FLOOR, env))
            if cold:
                shutil.rmtree(cache, ignore_errors=True)
            hetao.append(timed(HETAO, env))
        rows.append((label, floor, hetao))
    shutil.rmtree(cache, ignore_errors=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} interleaved runs each")
    print(f"{'':12} {'command':52} {'median':>8} {'mean':>8} {'ratio':>6}")
    floor_name, hetao_name = 'python -c "import rdflib"', "hetao-kg query --named hk-university-projects"
    for label, floor, hetao in rows:
        f_med, h_med = statistics.median(floor), statistics.median(hetao)
        print(f"{label:12} {floor_name:52} {f_med:8.3f} {statistics.mean(floor):8.3f} {1:6.2f}")
        print(f"{'':12} {hetao_name:52} {h_med:8.3f} {statistics.mean(hetao):8.3f} {h_med / f_med:6.2f}")


if __name__ == "__main__":
    main()
