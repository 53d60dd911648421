"""Memory (rdflib) and embedded Oxigraph side by side, on today's data.

    python benchmarks/stores_side_by_side.py [--runs 7]

in-process  every named query on each raw store (no answer cache, no worker),
            after opening; median ms, and the ratio memory / oxigraph.
cli         whole-process `hetao-kg --store S query --named hk-university-projects`
            with the answer cache missed on purpose (a comment makes each text new)
            and the built store warm; floor: `python -c "import rdflib"`.
The scale benchmark (corpora to 3.5M triples) is benchmarks/ of issue 9's scale part.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def in_process(runs: int) -> None:
    from hetao_kg.data.graph import load
    from hetao_kg.query.queries import named_queries
    from hetao_kg.store import RdflibStore, to_term
    from hetao_kg.store import OxigraphStore

    params = {"describe": {"entity": to_term("kg:org/hku")}}
    t0 = time.perf_counter()
    memory = RdflibStore(load(cache=False))
    memory_open = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        oxigraph = OxigraphStore.opened(tmp)
        oxigraph_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        OxigraphStore.opened(tmp)
        oxigraph_open = time.perf_counter() - t0
        print(f"== open: memory load {memory_open:.3f} s; oxigraph build {oxigraph_build:.3f} s, reopen {oxigraph_open:.3f} s")
        print(f"== in-process: median of {runs} runs, ms")
        print(f"{'query':26} {'memory':>9} {'oxigraph':>9} {'memory/oxigraph':>16}")
        totals = [0.0, 0.0]
        for name, q in named_queries().items():
            b = params.get(name, {})
            m = _median_ms(lambda: memory.select(q.text, b), runs)
            o = _median_ms(lambda: oxigraph.select(q.text, b), runs)
            totals[0] += m
            totals[1] += o
            print(f"{name:26} {m:9.2f} {o:9.2f} {m / o:16.1f}")
        print(f"{'all named queries':26} {totals[0]:9.2f} {totals[1]:9.2f} {totals[0] / totals[1]:16.1f}")


def cli(runs: int) -> None:
    env = dict(os.environ)
    env.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-side-"))
    text = (ROOT / "hetao_kg" / "queries" / "hk-university-projects.rq").read_text(encoding="utf-8")

    def run(cmd):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        return time.perf_counter() - start

    for store in ("memory", "oxigraph"):  # build both stores once
        run([sys.executable, "-m", "hetao_kg.cli", "--store", store, "query", text])
    rows = {"floor": [], "memory": [], "oxigraph": []}
    for i in range(runs):  # interleaved
        rows["floor"].append(run([sys.executable, "-c", "import rdflib"]))
        for store in ("memory", "oxigraph"):
            fresh = f"# run {i} {time.time_ns()}\n{text}"  # misses the answer cache
            rows[store].append(run([sys.executable, "-m", "hetao_kg.cli", "--store", store, "query", fresh]))
    floor = statistics.median(rows["floor"])
    print(f"== cli: {runs} interleaved runs, answer cache missed, built store warm")
    for name, times in rows.items():
        med = statistics.median(times)
        print(f"{name:10} median {med:7.3f} s   ratio to floor {med / floor:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    in_process(args.runs)
    cli(args.runs)


if __name__ == "__main__":
    main()
