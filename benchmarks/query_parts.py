"""Where a corpus-sized named query's time goes: ``hk-university-projects`` taken apart.

    python benchmarks/query_parts.py DATABASE [--runs 3]

``DATABASE`` is an embedded store's database folder (``db-<key>``, for example the one
``benchmarks/scale.py`` builds at 3.5M), opened read-only by raw pyoxigraph: no hetao-kg
code runs in the timings. The shipped text of ``hk-university-projects`` is asked whole and
then with one more of its parts taken out at each step (the ORDER BY, the two sub-selects
that say whether a link or an affiliation was inferred, the university's place sub-select,
the quote, the report's group), then its branches alone. Prints the best CPU seconds of ``--runs`` and the rows of
each, so the cost of a part is the difference between two lines. A part that is no longer in
the shipped text is an error (the benchmark must follow the query).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = ROOT / "hetao_kg" / "query" / "queries" / "hk-university-projects.rq"


def _without(text: str, part: str, *, until: str | None = None) -> str:
    """``text`` without ``part`` (or from ``part`` up to, not including, ``until``)."""
    at = text.find(part)
    if at < 0:
        raise SystemExit(f"{QUERY}: the part {part[:60]!r} is not in the query any more")
    end = at + len(part) if until is None else text.index(until, at)
    return text[:at] + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    store = ox.Store.read_only(str(args.database))
    text = "\n".join(line for line in QUERY.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))

    def run(name: str, sparql: str) -> None:
        best, rows = None, 0
        for _ in range(args.runs):
            started = time.process_time()
            rows = len(list(store.query(sparql)))
            took = time.process_time() - started
            best = took if best is None else min(best, took)
        print(f"{name:58} {rows:8,} {best:8.2f}", flush=True)

    print(f"{'hk-university-projects (raw pyoxigraph ' + ox.__version__ + ')':58} {'rows':>8} {'CPU s':>8}")
    run("whole", text)
    steps = text[:text.rindex("ORDER BY")]
    run("- ORDER BY", steps)
    for name, part in (("- inferred: the link", "OPTIONAL { SELECT DISTINCT ?g (xsd:boolean(true) AS ?link_inferred)"),
                       ("- inferred: the affiliation", "OPTIONAL { SELECT DISTINCT ?ga (xsd:boolean(true) AS ?affiliation_inferred)")):
        steps = _without(steps, part, until="\n")
        run(name, steps)
    steps = _without(steps, "OPTIONAL {\n      SELECT DISTINCT ?university", until="BIND (COALESCE")
    run("- the place sub-select", steps)
    steps = _without(steps, "OPTIONAL { ?g prov:wasDerivedFrom/oa:exact ?quote }")
    run("- the quote (projects)", steps)
    steps = _without(steps, "OPTIONAL { ?group hto:hasMember ?brought_in }")
    run("- the report's group", steps)
    first = text[:text.index("  } UNION {\n    { SELECT ?brought_in ?university ?stated ?g")] + "}}"
    run("the projects' part alone (whole, no ORDER BY)", first)
    prefixes = text[:text.index("SELECT")]
    counted = text[text.index("    { SELECT ?brought_in ?university ?stated ?g"):text.rindex("ORDER BY")]
    counted = counted[:counted.rindex("}", 0, counted.rindex("}"))]  # the branch's brace and the WHERE's
    run("the counted groups' part alone (no ORDER BY)", prefixes + "SELECT * WHERE {\n" + counted + "}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
