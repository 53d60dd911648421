"""The ego view of a hub with ``network-evidence`` before and after a change, paired in one process.

    python benchmarks/ego_evidence.py ROOT --location DIR [--before FILE] [--runs 3] [--hub kg:org/hku]

ROOT is a data root (``benchmarks/corpus.py OUT --reports N``), DIR the embedded
Oxigraph store's directory (built there first if needed; the build is not timed).
``--before`` is the text of ``network-evidence.rq`` to compare against (default: the
form bound once at the top, from commit 5ac96e2, read with ``git show``). The two
texts alternate, run after run, each drawing the ego view from a fresh facade (labels
and ancestors asked again; the page cache of views bypassed); the search index is
built first and shared (warm), as is the OS page cache of the store's files. Prints
the median CPU seconds of this process (the embedded store evaluates in it), wall
seconds, the ratio after/before, and whether both draw byte-identical pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BEFORE_COMMIT = "5ac96e2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--location", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="network-evidence.rq before the change (default: git show)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hub", default="kg:org/hku")
    args = parser.parse_args(argv)
    os.environ.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-ego-cache-"))
    if args.before:
        before = args.before.read_text(encoding="utf-8")
    else:
        before = subprocess.run(["git", "show", f"{BEFORE_COMMIT}:hetao_kg/queries/network-evidence.rq"],
                                capture_output=True, text=True, encoding="utf-8", check=True,
                                cwd=Path(__file__).resolve().parent).stdout

    import hetao_kg.network.views as views
    import hetao_kg.query.queries as queries
    from hetao_kg.facade import KnowledgeGraph
    from hetao_kg.store import OxigraphStore

    views._cached_view = lambda key: None  # every run draws its page
    named_query = queries.named_query
    use_before = {"on": False}

    def patched(name):
        query = named_query(name)
        return dataclasses.replace(query, text=before) if name == "network-evidence" and use_before["on"] else query

    queries.named_query = patched
    store = OxigraphStore(args.location, root=args.root)
    store.open()
    kg = KnowledgeGraph(store)
    kg.search("liangzi")  # the search index, shared by every run
    times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    pages: dict[str, str] = {}
    for _ in range(args.runs):
        for which in ("before", "after"):
            use_before["on"] = which == "before"
            fresh = KnowledgeGraph(store)
            fresh._index = kg._index
            c, w = time.process_time(), time.perf_counter()
            html = fresh.render("ego", args.hub).html
            times[which].append((time.process_time() - c, time.perf_counter() - w))
            if pages.setdefault(which, html) != html:
                raise SystemExit(f"{which}: the page changed between runs")
    cpu = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    wall = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    triples = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"])
    print(f"{triples} triples, ego view of {args.hub}, {args.runs} runs each, alternating")
    print(f"before: cpu {cpu['before']:.3f} s (wall {wall['before']:.3f} s)")
    print(f"after:  cpu {cpu['after']:.3f} s (wall {wall['after']:.3f} s)")
    print(f"ratio after/before: cpu {cpu['after'] / cpu['before']:.3f}; same page: {pages['before'] == pages['after']} "
          f"({len(pages['after'])} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
