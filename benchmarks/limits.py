"""Overhead of the query limits (the killable worker) on the named queries.

    python benchmarks/limits.py [--runs 20]

in-process  every named query, evaluated afresh (no answer cache) by the rdflib
            store in this process (baseline) and by the same store behind
            :class:`hetao_kg.store.limits.LimitedStore` in its worker (timeout, row
            limit and memory ceiling on). Interleaved runs; medians; the ratio is
            limited / baseline (target: under 1.05 in total).
process     a whole program that opens the graph and answers one named query with
            the answer cache off: the store in-process (baseline) against the
            store in a worker (what the CLI and ``hetao_kg.open()`` do), which
            adds starting the worker and shipping the answer back.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PROGRAM = """
import functools, sys
from hetao_kg.facade import open_graph
from hetao_kg.store.limits import LimitedStore
from hetao_kg.store import RdflibStore
factory = functools.partial(RdflibStore.from_root, None)
store = LimitedStore(factory) if sys.argv[1] == "limited" else factory()
open_graph(store=store).named("hk-university-projects")
"""


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_in_process(runs: int) -> None:
    from hetao_kg.store.limits import LimitedStore
    from hetao_kg.query.queries import named_queries
    from hetao_kg.store import RdflibStore

    factory = functools.partial(RdflibStore.from_root, None)
    limited = LimitedStore(factory)  # answer_key=None: no answer cache, every call evaluates
    limited.ask("ASK { ?s ?p ?o }")  # start the worker and load the graph once, like a session
    plain = factory()  # loaded after the fork, so the worker does not carry it
    queries = {q.name: q.text for q in named_queries().values() if "required" not in q.params}
    print(f"== in-process: median of {runs} interleaved runs per query (ms)")
    print(f"{'query':26} {'rows':>5} {'baseline':>9} {'limited':>9} {'ratio':>6}")
    total_plain = total_limited = 0.0
    for name, text in queries.items():
        base, lim = [], []
        for _ in range(runs):
            start = time.perf_counter()
            rows = plain.execute(text)
            base.append(time.perf_counter() - start)
            start = time.perf_counter()
            limited.execute(text)
            lim.append(time.perf_counter() - start)
        b, m = _median_ms(base), _median_ms(lim)
        total_plain, total_limited = total_plain + b, total_limited + m
        print(f"{name:26} {len(rows.rows):>5} {b:9.2f} {m:9.2f} {m / b:6.3f}")
    print(f"{'all named queries':26} {'':>5} {total_plain:9.2f} {total_limited:9.2f} {total_limited / total_plain:6.3f}"
          f"  target < 1.05: {'ok' if total_limited / total_plain < 1.05 else 'MISSED'}")
    trivial = "ASK { }"
    base, lim = [], []
    for _ in range(runs * 10):
        start = time.perf_counter()
        plain.execute(trivial)
        base.append(time.perf_counter() - start)
        start = time.perf_counter()
        limited.execute(trivial)
        lim.append(time.perf_counter() - start)
    print(f"{'fixed cost: ASK { }':26} {'':>5} {_median_ms(base):9.2f} {_median_ms(lim):9.2f}"
          f"  (+{_median_ms(lim) - _median_ms(base):.2f} ms per query: the round trip to the worker)")
    limited.close()


def bench_process(runs: int) -> None:
    cache = tempfile.mkdtemp(prefix="hetao-bench-limits-")
    env = dict(os.environ, HETAO_KG_CACHE=cache)
    cmd = [sys.executable, "-c", _PROGRAM]
    subprocess.run([*cmd, "plain"], check=True, env=env, cwd=ROOT)  # build the graph cache once
    times: dict[str, list[float]] = {"plain": [], "limited": []}
    for _ in range(runs):
        for mode in times:
            start = time.perf_counter()
            subprocess.run([*cmd, mode], check=True, env=env, cwd=ROOT)
            times[mode].append(time.perf_counter() - start)
    b, m = _median_ms(times["plain"]), _median_ms(times["limited"])
    print(f"\n== process: open the graph + hk-university-projects, no answer cache, median of {runs} runs (ms)")
    print(f"store in process (baseline)   {b:8.1f}")
    print(f"store in a worker (limits on) {m:8.1f}   ratio {m / b:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    bench_in_process(args.runs)
    bench_process(max(5, args.runs // 2))


if __name__ == "__main__":
    main()
