"""Where the CPU of a new query text goes in ``hetao-kg serve`` (issue 22), stage by stage,
in one process: the texts of ``serve_load.py --vs-oxigraph`` (every named query without
parameters, hetao-kg's prefixes declared, asked as SPARQL JSON), each with a comment no
cache has seen.

Stages (CPU milliseconds per text, median of ``--repeat`` passes over the texts):

* ``guard``: :func:`hetao_kg.store.sparql_guard.checked`, which runs once in the server
  and once in the query worker;
* ``pyoxigraph``: the embedded store evaluating the guard's text and iterating every
  value (no conversion): the floor for any path through pyoxigraph; on the read-only
  RocksDB database (the CLI's and the pages' store) and on the in-memory copy the
  endpoint's query workers evaluate in (``OxigraphStore(in_memory=True)``);
* ``worker, rows``: what the worker did for the endpoint before the fast path
  (``OxigraphStore.execute``: guard, evaluation, an rdflib term per value, then pickled);
* ``worker, fast``: ``OxigraphStore.execute_serialized(fmt="json")`` (guard, evaluation,
  the JSON written from pyoxigraph's terms), pickled, on RocksDB and in memory; and in
  memory given the server's guard verdict (what the endpoint's worker does now: no guard);
* ``server, rows`` / ``server, fast``: the server process's share of a request through a
  real query worker (the worker's CPU is not counted): dataset and guard, the answer-cache
  lookup, the pipe, unpickling, the answer cache written, the response bytes (rows path:
  ``sparql_results`` on rdflib rows; fast path: none). HTTP itself is not included.

    .venv/bin/python benchmarks/serve_breakdown.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_load import side_mix  # noqa: E402


def _fresh(texts: list[str], tag: str) -> list[str]:
    return [f"{t}\n# breakdown {tag} {i} {time.time_ns()}\n" for i, t in enumerate(texts)]


def _cpu_per_text(fn, texts: list[str], repeat: int, tag: str, prepare=None) -> float:
    """``prepare`` (text -> argument of ``fn``) runs before the clock starts."""
    runs = []
    for r in range(repeat):
        batch = _fresh(texts, f"{tag}-{r}")
        if prepare is not None:
            batch = [prepare(text) for text in batch]
        start = time.process_time()
        for text in batch:
            fn(text)
        runs.append((time.process_time() - start) * 1000 / len(batch))
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from hetao_kg.namespaces import PREFIXES, QUERY_BASE
    from hetao_kg.store.oxigraph import OxigraphStore
    from hetao_kg.store.sparql_guard import checked, vouched
    from hetao_kg.web.app import _answer_bytes, _prepared
    from hetao_kg.web.runner import page_graph, query_stores

    texts = [t for _, t, accept in side_mix() if accept != "text/turtle"]
    store = OxigraphStore()
    memory = OxigraphStore(in_memory=True)
    prefixes = {k: str(v) for k, v in PREFIXES.items()}

    def raw(text: str, db=store.open()) -> None:
        result = db.query(checked(text).text, prefixes=prefixes, base_iri=QUERY_BASE)
        if not isinstance(result, bool):
            for row in result:
                for _ in row:
                    pass

    def raw_memory(text: str, db=memory.open()) -> None:
        raw(text, db)

    def worker_rows(text: str) -> None:
        pickle.dumps(("answer", store.execute(text, max_rows=10_000)), protocol=pickle.HIGHEST_PROTOCOL)

    def worker_fast(text: str, on=store) -> None:
        pickle.dumps(("answer", on.execute_serialized(text, fmt="json", max_rows=10_000)),
                     protocol=pickle.HIGHEST_PROTOCOL)

    def worker_fast_memory(text: str) -> None:
        worker_fast(text, memory)

    def worker_vouched(pair) -> None:  # the server's guard verdict sent with the text
        with vouched(*pair):
            worker_fast(pair[0], memory)

    guard_cpu = _cpu_per_text(checked, texts, args.repeat, "guard")
    for text in _fresh(texts, "warm"):  # pyoxigraph's caches and the code paths warm
        raw(text)
        raw_memory(text)
    rows = {
        "guard (server and worker each)": guard_cpu,
        "pyoxigraph evaluating, RocksDB": _cpu_per_text(raw, texts, args.repeat, "raw"),
        "pyoxigraph evaluating, in memory": _cpu_per_text(raw_memory, texts, args.repeat, "rawm"),
        "worker, rows (before)": _cpu_per_text(worker_rows, texts, args.repeat, "wrows"),
        "worker, fast, RocksDB": _cpu_per_text(worker_fast, texts, args.repeat, "wfast"),
        "worker, fast, in memory": _cpu_per_text(worker_fast_memory, texts, args.repeat, "wfastm"),
        "worker, in memory, given the verdict": _cpu_per_text(worker_vouched, texts, args.repeat, "wvouch",
                                                             lambda t: (t, checked(t))),
    }

    kg = page_graph(None, "oxigraph")
    (limited,) = query_stores(None, "oxigraph", timeout=30, max_rows=10_000, max_query_bytes=65_536, pool=1)
    lock = threading.Lock()

    def server_rows(text: str) -> None:
        sparql, kind = _prepared(text, kg.store, (), (), lock)
        _answer_bytes(kg, limited.execute(sparql), kind, "application/sparql-results+json", None, 10_000)

    def server_fast(text: str) -> None:
        sparql, _ = _prepared(text, kg.store, (), (), lock)
        limited.execute_serialized(sparql, fmt="json")

    try:
        server_rows("ASK {}")  # the worker started
        rows["server, rows (before)"] = _cpu_per_text(server_rows, texts, args.repeat, "srows")
        rows["server, fast"] = _cpu_per_text(server_fast, texts, args.repeat, "sfast")
    finally:
        limited.close()
    load = os.getloadavg()
    print(f"CPU ms per new text, {len(texts)} named queries as SPARQL JSON, median of {args.repeat} passes; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    for name, value in rows.items():
        print(f"  {name:<40}{value:8.2f}")
    before = rows["worker, rows (before)"] + rows["server, rows (before)"]
    after = rows["worker, in memory, given the verdict"] + rows["server, fast"]
    print(f"  {'worker + server, before':<40}{before:8.2f}")
    print(f"  {'worker (in memory, verdict) + server':<40}{after:8.2f}   (HTTP, threads and the event loop not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
