"""Large queries (a long ``VALUES`` block) guarded and answered, against raw pyoxigraph.

    .venv/bin/python benchmarks/big_query.py [--runs 5] [--sizes 34000,61000,128000,256000] [--memory]

Each size is a SELECT whose ``VALUES (?e ?name)`` block lists entity IRIs (the graph's
own entities first, then made-up ones) with a string each, joined to their labels:
the shape of a program binding a few thousand entities at once. The same text is
answered, run after run in turn, by

* **raw**: pyoxigraph on the default store's database, in this process (the floor:
  no guard, no worker);
* **api**: ``open_store()`` (the default store: the guard in this process, the query
  in a worker, answers converted to rdflib terms);
* **serve**: ``hetao-kg serve`` on 127.0.0.1 (a free port), POST
  ``application/sparql-query``, JSON results;
* **memory** (with ``--memory``): the in-memory rdflib store (rdflib's own parser).

Every request carries a fresh comment (``# run N``), so no answer cache (the on-disk
one, the server's) ever answers; the comment is dropped by the guard, so the work is
the same. Prints the median wall seconds per size and store, the ratio to raw, and
whether every store answered the same number of rows. Exits 1 if a store answered
differently or the 256 KB query took 0.5 s or more (api or serve).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 0.5


def big_query(size: int, entities: list[str]) -> str:
    """A query of about ``size`` bytes (UTF-8): a VALUES block of entity IRIs and strings."""
    head = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?e ?name ?label WHERE {\n  VALUES (?e ?name) {\n")
    tail = "  }\n  ?e rdfs:label ?label .\n  FILTER(LANG(?label) = \"en\")\n}\n"
    rows, used, i = [], len(head) + len(tail), 0
    while True:
        iri = entities[i] if i < len(entities) else f"https://w3id.org/hetao-kg/id/org/made-up-{i}"
        row = f"    (<{iri}> \"name {i} 名稱\")\n"
        if used + len(row.encode("utf-8")) > size:
            break
        rows.append(row)
        used += len(row.encode("utf-8"))
        i += 1
    return head + "".join(rows) + tail


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="34000,61000,128000,256000", help="query sizes in bytes")
    ap.add_argument("--memory", action="store_true", help="also the in-memory rdflib store")
    args = ap.parse_args(argv)
    os.environ.setdefault("HETAO_KG_CACHE", tempfile.mkdtemp(prefix="hetao-bigq-cache-"))

    import httpx

    from hetao_kg.store import open_store
    from hetao_kg.store.oxigraph import OxigraphStore
    from hetao_kg.web.launch import running_server

    api = open_store()
    api.execute("ASK {}")  # the worker is up (and the database built) before RocksDB opens here
    stores = {"api": api}
    if args.memory:
        stores["memory"] = open_store("memory")
        stores["memory"].execute("ASK {}")
    raw = OxigraphStore().open()
    entities = sorted({str(s.value) for s, in raw.query(
        "SELECT DISTINCT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s")})
    sizes = [int(s) for s in args.sizes.split(",")]
    texts = {n: big_query(n, entities) for n in sizes}

    def run_raw(text: str) -> int:
        return sum(1 for _ in raw.query(text))

    with running_server("--timeout", "30", "--max-query-bytes", "262144") as server, httpx.Client(base_url=server.url, timeout=120) as http:
        def run_serve(text: str) -> int:
            r = http.post("/sparql", content=text.encode("utf-8"),
                          headers={"Content-Type": "application/sparql-query",
                                   "Accept": "application/sparql-results+json"})
            if r.status_code != 200:
                raise RuntimeError(f"serve answered {r.status_code}: {r.text[:300]}")
            return len(r.json()["results"]["bindings"])

        runners = {"raw": run_raw, **{k: (lambda text, s=s: len(s.execute(text).rows)) for k, s in stores.items()},
                   "serve": run_serve}
        run_serve("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        times: dict[tuple[int, str], list[float]] = {}
        counts: dict[tuple[int, str], set[int]] = {}
        for run in range(args.runs):
            order = list(runners) if run % 2 == 0 else list(reversed(runners))  # alternate who goes first
            for n in sizes:
                for name in order:
                    text = texts[n] + f"# run {run} {name} {time.perf_counter_ns()}\n"
                    t0 = time.perf_counter()
                    rows = runners[name](text)
                    times.setdefault((n, name), []).append(time.perf_counter() - t0)
                    counts.setdefault((n, name), set()).add(rows)

    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; median wall s of {args.runs} alternating runs; ratio = store / raw pyoxigraph")
    names = list(runners)
    print(f"{'bytes':>8} {'rows':>6} " + " ".join(f"{k:>9}" for k in names) + "  "
          + " ".join(f"{k + '/raw':>10}" for k in names if k != "raw") + "  same rows")
    bad = False
    for n in sizes:
        med = {k: statistics.median(times[(n, k)]) for k in names}
        rows = {k: counts[(n, k)] for k in names}
        same = len(set().union(*rows.values())) == 1
        bad |= not same
        size = len(texts[n].encode("utf-8"))
        print(f"{size:>8} {next(iter(rows['raw'])):>6} " + " ".join(f"{med[k]:>9.3f}" for k in names) + "  "
              + " ".join(f"{med[k] / med['raw']:>10.1f}" for k in names if k != "raw") + f"  {'yes' if same else rows}")
        if n == max(sizes):
            for k in ("api", "serve"):
                met = med[k] < TARGET_S
                bad |= not met
                print(f"    {k}: {size:,} bytes guarded and answered in {med[k]:.3f} s "
                      f"(target < {TARGET_S} s: {'met' if met else 'MISSED'})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
