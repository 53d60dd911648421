"""Virtuoso: hetao-kg's dataset named by the graph group against one parameter per graph.

    python benchmarks/virtuoso_dataset.py [--size 35k] [--runs 2] [--workdir .cache/scale] [--loads 1] [--only NAME,NAME]
                                          [--ways group,no-excl,per-graph]

Starts Virtuoso on loopback (``hetao_kg.store.servers.start_virtuoso``), loads a seeded
corpus (``benchmarks/corpus.py``) with ``load_virtuoso`` and runs every named query, bound
as ``benchmarks/scale.py`` binds them, three ways, alternating:

  group     what ``SparqlStore`` sends now: ``default-graph-uri`` = the graph group
            ``urn:hetao-kg:default``, one exclusion pragma, GRAPH patterns filtered
  no-excl   the same without the pragma (the filters alone keep the union graph out)
  per-graph the way before: ``default-graph-uri`` = the union graph and one
            ``named-graph-uri`` per graph (Virtuoso 7.2 refuses it past some thousands)

and prints the best wall seconds of ``--runs`` per way (the work is the server's; the
client only sends and parses) and whether each way's rows equal the embedded Oxigraph
store's (the dump's source; multisets of rows). Virtuoso is stopped by its PID.

Virtuoso's answers can depend on its plan, which can differ from one load of the same data
to the next: ``--loads N`` repeats the whole run on N fresh servers (a new database each,
loaded and queried alike) and ends with, per query and way, in how many loads the rows were
equal; ``--only`` runs only the named queries given, ``--ways`` only the ways given (at 3.5M
Virtuoso refuses ``per-graph`` after receiving 113,000 parameters per query). Virtuoso gets
60k buffer pages, or the buffers ``benchmarks/scale.py`` gives it at that size where those are
more (3.5M: 170k; there 60k pages thrashed the disk).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import SIZES  # noqa: E402
from scale import VIRTUOSO_BUFFERS, _bindings, corpus  # noqa: E402


def _key(row: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in row.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="35k", choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "scale")
    parser.add_argument("--loads", type=int, default=1, help="fresh Virtuoso servers, one after the other")
    parser.add_argument("--only", default="", help="comma-separated named queries (default: all)")
    parser.add_argument("--ways", default="group,no-excl,per-graph", help="comma-separated ways (default: all three)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.ways.split(",")) - {"group", "no-excl", "per-graph"})
    if unknown:  # an unknown way ran nothing and said nothing, after the whole load
        parser.error(f"unknown way {unknown[0]!r}; the ways are group, no-excl, per-graph")

    from hetao_kg.namespaces import KG
    from hetao_kg.query.queries import named_queries
    from hetao_kg.store import OxigraphStore, QueryError, SparqlStore, to_term
    from hetao_kg.store.servers import start_virtuoso
    from hetao_kg.store.sparql import DEFAULT_GROUP, UNION_GRAPH, load_virtuoso

    only = {n for n in args.only.split(",") if n}
    misspelt = sorted(only - set(named_queries()))
    if misspelt:  # an unknown name was skipped silently, after the whole load
        parser.error(f"unknown named query {misspelt[0]!r} in --only (`hetao-kg queries` lists them)")
    root, _ = corpus(args.size, args.workdir, args.seed)
    queries = {name: q for name, q in sorted(named_queries().items()) if not only or name in only}
    equal: dict[tuple[str, str], int] = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="hetao-virtuoso-dataset-") as tmp:
        local = OxigraphStore(Path(tmp) / "oxigraph", root=root)
        local.open()
        expected_rows = {name: collections.Counter(_key(r) for r in local.select(
            q.text, {k: to_term(v) for k, v in _bindings(name).items()}).rows) for name, q in queries.items()}
        for load in range(args.loads):
            server = start_virtuoso(Path(tmp) / f"virtuoso-{load}", max_rows=50_000_000, max_seconds=86_400,
                                    buffers=max(60_000, VIRTUOSO_BUFFERS.get(args.size, 0)))
            try:
                load_virtuoso(server.isql, server.extra["load_dir"], store_dir=Path(tmp) / "oxigraph", root=root)
                group = SparqlStore(server.url, timeout=3600)
                group.dataset()
                plain = SparqlStore(server.url, timeout=3600)
                plain._dataset = ([("default-graph-uri", DEFAULT_GROUP)], " ")  # the filters without the pragma
                old = SparqlStore(server.url, timeout=3600)
                listing = (f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{KG}")) }}')
                graphs = sorted(b["g"]["value"] for b in old._select_json(listing))
                if "per-graph" in args.ways.split(","):
                    old._dataset = ([("default-graph-uri", UNION_GRAPH)] + [("named-graph-uri", g) for g in graphs], "")
                ways = {w: store for w, store in {"group": group, "no-excl": plain, "per-graph": old}.items()
                        if w in args.ways.split(",")}
                which = f" (load {load + 1} of {args.loads})" if args.loads > 1 else ""
                print(f"== {args.size}: {len(graphs):,} graphs; best wall seconds of {args.runs}, and rows equal to "
                      f"the embedded store's (=) or not (!){which}")
                print(f"{'query':26}" + "".join(f"{w:>16}" for w in ways))
                for name, q in queries.items():
                    bindings = {k: to_term(v) for k, v in _bindings(name).items()}
                    expected = expected_rows[name]
                    best: dict[str, float] = {}
                    answers: dict[str, object] = {}
                    for _ in range(args.runs):
                        for way, store in ways.items():
                            started = time.perf_counter()
                            try:
                                rows = store.select(q.text, bindings).rows
                            except QueryError as exc:
                                answers[way] = f"refused: {str(exc)[:60]}"
                                continue
                            took = time.perf_counter() - started
                            best[way] = min(best.get(way, took), took)
                            answers[way] = collections.Counter(_key(r) for r in rows) == expected
                    for way in ways:
                        equal[name, way] += answers.get(way) is True
                    cells = [f"{best[w]:14.3f} {'=' if answers[w] is True else '!'}" if w in best else f"{'refused':>16}"
                             for w in ways]
                    print(f"{name:26}" + "".join(cells), flush=True)
            finally:
                server.stop()
    if args.loads > 1:
        print(f"== rows equal to the embedded store's in how many of {args.loads} fresh loads")
        shown = [w for w in ("group", "no-excl", "per-graph") if w in args.ways.split(",")]
        print(f"{'query':26}" + "".join(f"{w:>16}" for w in shown))
        for name in queries:
            print(f"{name:26}" + "".join(f"{equal[name, w]:>16}" for w in shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
