"""Views, paths and search at corpus size: asked from the store vs the whole projection.

    python benchmarks/views.py ROOT [--store oxigraph] [--location DIR] [--runs 3] [--hub kg:org/hku]

ROOT is a data root (``benchmarks/corpus.py OUT --reports N``). On an Oxigraph store
(built in ``--location`` if needed; the build is not timed here, see ``scale.py``) it
times, median CPU seconds of this process (and wall): the ego view of a hub asked from
the store (``render("ego", HUB)``: neighbourhood by SPARQL + page) against the same
view drawn from the whole projection (``hetao_kg.network.project`` + the same page);
``kg.path`` between two universities by bidirectional search against networkx on the
projection; the search index built from every label (first) and a warm search from the
SQLite index; each named view (``--views``) asked from the store (its seeds by kind, then
their links) against the same view from the whole projection; and checks that both ways
draw byte-identical pages. Every run draws its page (the page cache is bypassed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _timed(fn, runs: int):
    out, value = [], None
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        value = fn()
        out.append((time.process_time() - c, time.perf_counter() - w))
    return statistics.median(t[0] for t in out), statistics.median(t[1] for t in out), value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--location", type=Path, help="the Oxigraph store's directory (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hub", default="kg:org/hku")
    parser.add_argument("--path", nargs=2, default=["kg:org/hku", "kg:org/hkust"])
    parser.add_argument("--views", nargs="*", default=["hk-universities", "sectors", "policies", "construction", "services"],
                        help="the named views to time both ways (none: skip)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-views-cache-"))

    from hetao_kg.facade import KnowledgeGraph
    from hetao_kg.network import project
    from hetao_kg.store import OxigraphStore
    from hetao_kg.network.views import render

    store = OxigraphStore(args.location or Path(tempfile.mkdtemp(prefix="hetao-views-")) / "db", root=args.root)
    store.open()
    triples = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"])
    rows = []

    def emit(op, cpu, wall, **extra):
        rows.append({"op": op, "cpu": cpu, "wall": wall, **extra})
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)

    import hetao_kg.network.views

    hetao_kg.network.views._cached_view = lambda key: None  # every run draws its page, none reads it back from the cache
    kg = KnowledgeGraph(store)
    cpu, wall, _ = _timed(lambda: kg.search("liangzi"), 1)
    emit("search (first: builds the index)", cpu, wall)
    texts = ("liangzi", "香港大学", "Quantum", "研究院")
    times = [_timed(lambda t=t: kg.search(t), 1)[:2] for _ in range(args.runs) for t in texts]
    emit("search (warm)", statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))

    def asked():
        fresh = KnowledgeGraph(store)
        fresh._index = kg._index
        return fresh.render("ego", args.hub).html

    cpu_new, wall_new, page_new = _timed(asked, args.runs)
    emit("ego view of a hub, asked from the store", cpu_new, wall_new, bytes=len(page_new))

    def whole():
        fresh = KnowledgeGraph(store)
        fresh._index = kg._index
        return render("ego", args.hub, kg=fresh, network=project(fresh)).html

    cpu_old, wall_old, page_old = _timed(whole, 1)
    emit("ego view of a hub, from the whole projection (baseline)", cpu_old, wall_old, bytes=len(page_old))
    emit("ratio baseline / asked (ego)", cpu_old / cpu_new, wall_old / wall_new, same_page=page_new == page_old)

    def path_asked():
        fresh = KnowledgeGraph(store)
        fresh._index = kg._index
        return fresh.path(*args.path)

    cpu_p, wall_p, steps = _timed(path_asked, args.runs)
    emit("path, bidirectional search asked level by level", cpu_p, wall_p, steps=len(steps))

    def path_whole():
        import networkx as nx

        fresh = KnowledgeGraph(store)
        fresh._index = kg._index
        g = project(fresh)
        return nx.shortest_path(g.to_undirected(as_view=True), fresh.resolve(args.path[0]), fresh.resolve(args.path[1]))

    cpu_pw, wall_pw, nodes = _timed(path_whole, 1)
    emit("path, networkx on the whole projection (baseline)", cpu_pw, wall_pw, steps=len(nodes) - 1)
    for name in args.views:
        def named_asked(name=name):
            fresh = KnowledgeGraph(store)
            fresh._index = kg._index
            return render(name, kg=fresh).html

        cpu_v, wall_v, page_v = _timed(named_asked, args.runs)
        emit(f"{name} view, asked from the store", cpu_v, wall_v, bytes=len(page_v))

        def named_whole(name=name):
            fresh = KnowledgeGraph(store)
            fresh._index = kg._index
            return render(name, kg=fresh, network=project(fresh)).html

        cpu_vw, wall_vw, page_vw = _timed(named_whole, 1)
        emit(f"{name} view, from the whole projection (baseline)", cpu_vw, wall_vw, bytes=len(page_vw))
        emit(f"ratio baseline / asked ({name})", cpu_vw / cpu_v, wall_vw / wall_v, same_page=page_v == page_vw)
    print(json.dumps({"root": str(args.root), "triples": triples}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
