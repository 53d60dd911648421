"""Every named query on the embedded store against raw pyoxigraph on the same database, paired.

    python benchmarks/named_vs_raw.py ROOT --location DIR [--runs 3] [--only NAME,NAME] [--before-after OLD.rq NEW.rq [--bind NAME=VALUE ...]]

ROOT is a data root (``benchmarks/corpus.py OUT --reports N``), DIR the embedded Oxigraph
store's directory (built there first if needed; the build's CPU seconds are printed, not
compared). For each named query without a required parameter, ``OxigraphStore.select``
(the guard, evaluation, rdflib terms; no answer cache) and raw pyoxigraph iterating the
same text with hetao-kg's prefixes alternate, run after run; the median CPU seconds of
this process (pyoxigraph evaluates in it), the ratio, and both row counts are printed.

``--before-after`` instead times two texts of one query side by side with raw pyoxigraph
(the first as OLD, the second as NEW) and says whether they give the same rows, in order;
``--bind`` binds a parameter in both (``measure=kg:measure/…``, or any name where the NEW
text's header declares the parameter an entity, as ``hetao-kg query --named`` takes it) as the
stores bind it (``VALUES``). Exit status 1 when the rows differ, or when both are empty
(nothing was compared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _median_cpu(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--location", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated query names (default: every one without a required parameter)")
    parser.add_argument("--before-after", nargs=2, type=Path, metavar=("OLD", "NEW"))
    parser.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE", help="with --before-after")
    args = parser.parse_args(argv)
    os.environ.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-named-raw-cache-"))

    from hetao_kg.query.queries import named_queries, named_query
    from hetao_kg.store import OxigraphStore, to_term
    from hetao_kg.store._common import evaluated_text, prefix_block

    start = time.process_time()
    store = OxigraphStore(args.location, root=args.root)
    store.open()
    print(f"open (and build if needed): {time.process_time() - start:.1f} s of CPU", flush=True)
    db = store.open()
    prefixes = prefix_block()

    def raw(text: str):
        return [tuple(None if v is None else str(v) for v in row) for row in db.query(prefixes + text)]

    if args.before_after:
        from rdflib import Literal, URIRef

        from hetao_kg.query.api import open_graph
        from hetao_kg.query.queries import _parse, entity_params

        # a parameter the NEW text's header declares an entity takes any name, as `hetao-kg query --named` does
        entities = entity_params(_parse(args.before_after[1]))
        bindings = {name: to_term(value) for name, _, value in (b.partition("=") for b in args.bind)}
        for name, term in bindings.items():
            if name in entities and isinstance(term, Literal):
                bindings[name] = URIRef(open_graph(args.root, store=store).resolve(str(term)))
        old, new = (evaluated_text(p.read_text(encoding="utf-8"), bindings)[0] for p in args.before_after)
        (t_old, r_old), (t_new, r_new) = _median_cpu(lambda: raw(old), args.runs), _median_cpu(lambda: raw(new), args.runs)
        same = "NO" if r_old != r_new else "yes" if r_old else "nothing to compare: both answered no rows"
        print(f"old {t_old:.3f} s  new {t_new:.3f} s  new/old {t_new / max(t_old, 1e-9):.2f}  rows {len(r_old)} / {len(r_new)}  "
              f"same rows in order: {same}")
        return 0 if r_old == r_new and r_old else 1

    names = [n for n in args.only.split(",") if n] or [
        name for name, q in named_queries().items() if "required" not in q.params]
    print(f"{'query':28s} {'rows':>7s} {'store s':>9s} {'raw s':>9s} {'ratio':>6s}")
    for name in names:
        text = named_query(name).text
        store_times, raw_times, rows = [], [], (0, 0)
        for _ in range(args.runs):
            t, answer = _median_cpu(lambda: store.select(text), 1)
            store_times.append(t)
            t, raw_rows = _median_cpu(lambda: list(db.query(prefixes + text)), 1)
            raw_times.append(t)
            rows = (len(answer.rows), len(raw_rows))
        s, r = statistics.median(store_times), statistics.median(raw_times)
        print(f"{name:28s} {rows[0]:7d} {s:9.3f} {r:9.3f} {s / max(r, 1e-9):6.2f}{'' if rows[0] == rows[1] else '  ROWS DIFFER'}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
