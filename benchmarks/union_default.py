"""What the embedded store's stored union default graph costs, and whether the named queries need it.

    python benchmarks/union_default.py DIR [--runs 3] [--no-answers]

DIR is an embedded Oxigraph store's directory (``OxigraphStore(DIR, root=…)``, built).
Prints its quads, how many are the default-graph copy of the union and how many the
``<graph/inferred>`` entailments; runs every named query (unbound) by raw pyoxigraph
on the stored quads and on the named graphs alone with ``use_default_graph_as_union=True``
and says whether the answers are the same multiset (or only the same set); then
bulk-loads both sets of quads into fresh on-disk stores, alternating, ``--runs`` times:
median CPU seconds of this process (the loader's threads included) and size on disk.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("location", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-answers", action="store_true", help="skip comparing the named queries' answers")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from hetao_kg.namespaces import PREFIXES
    from hetao_kg.query.queries import named_queries

    db = sorted(args.location.glob("db-*"))[-1]
    full = ox.Store.read_only(str(db))
    named = ox.Store()
    named.bulk_extend(q for q in full.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
    inferred = next(iter(full.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/hetao-kg/id/graph/inferred> { ?s ?p ?o } }")))["n"].value
    total = len(full)
    print(f"{db.name}: {total} quads; named graphs {len(named)}; default-graph copy {total - len(named)} "
          f"({(total - len(named)) / total:.1%}); <graph/inferred> {inferred}")
    prefixes = {k: str(v) for k, v in PREFIXES.items()}

    def answer(store, text, union):
        result = store.query(text, prefixes=prefixes, use_default_graph_as_union=union)
        if isinstance(result, bool):
            return result
        names = [v.value for v in result.variables]
        return collections.Counter(tuple(str(s[v]) if s[v] is not None else None for v in names) for s in result)

    if not args.no_answers:
        for name, query in sorted(named_queries().items()):
            stored, union = answer(full, query.text, False), answer(named, query.text, True)
            same_set = stored == union if isinstance(stored, bool) else set(stored) == set(union)
            print(f"{name:28s} same multiset {stored == union}  same set {same_set}")
    work = Path(tempfile.mkdtemp(prefix="hetao-union-"))
    try:
        files = {"all": work / "all.nq", "named": work / "named.nq"}
        full.dump(str(files["all"]), ox.RdfFormat.N_QUADS)
        named.dump(str(files["named"]), ox.RdfFormat.N_QUADS)
        del named
        times: dict[str, list[float]] = {k: [] for k in files}
        sizes: dict[str, tuple[int, int]] = {}
        for run in range(args.runs):
            for which, source in files.items():
                target = work / f"db-{which}-{run}"
                c = time.process_time()
                store = ox.Store(str(target))
                store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
                store.flush()
                store.optimize()
                times[which].append(time.process_time() - c)
                sizes[which] = (len(store), sum(p.stat().st_size for p in target.rglob("*") if p.is_file()))
                del store
                shutil.rmtree(target)
        for which in files:
            print(f"bulk load {which}: {sizes[which][0]} quads, {sizes[which][1] / 1e6:.1f} MB on disk, "
                  f"CPU median {statistics.median(times[which]):.2f} s (runs {[round(t, 2) for t in times[which]]})")
        print(f"ratio named/all: {statistics.median(times['named']) / statistics.median(times['all']):.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
