"""The floor under the embedded store's build: raw pyoxigraph bulk-loading quads shaped like the store's.

    python benchmarks/load_floor.py [--quads 9500000] [--batch 200000] [--seed 7]

Makes ``--quads`` quads in Python (half in 11,000 named graphs, half their copy in the
default graph, as the store keeps its union; 60 predicates, 40% literal objects, subjects
and objects drawn from 1.5M IRIs) and bulk-loads them into a fresh on-disk store in
batches of ``--batch`` quads, as ``hetao_kg.data.derived._bulk_extend`` does, then runs
``optimize``. Prints the CPU seconds of every tenth batch, the load's CPU and wall
seconds (making the quads included) and ``optimize``'s. No hetao-kg code runs: this is
what Oxigraph itself costs for a store of that many quads (issue 22: the 3.5M store holds
9.5M). The store is made in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from itertools import islice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quads", type=int, default=9_500_000)
    parser.add_argument("--batch", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    rnd = random.Random(args.seed)
    kg = "https://w3id.org/hetao-kg/"
    predicates = [ox.NamedNode(f"{kg}ontology#p{i}") for i in range(60)]
    graphs = [ox.NamedNode(f"{kg}id/graph/r{i}") for i in range(11_000)]
    default = ox.DefaultGraph()

    def quads():
        for _ in range(args.quads // 2):
            s = ox.NamedNode(f"{kg}id/e/{rnd.randrange(1_500_000)}")
            p = predicates[rnd.randrange(60)]
            o = (ox.Literal(f"text {rnd.randrange(3_000_000)}") if rnd.random() < 0.4
                 else ox.NamedNode(f"{kg}id/e/{rnd.randrange(1_500_000)}"))
            yield ox.Quad(s, p, o, graphs[rnd.randrange(11_000)])
            yield ox.Quad(s, p, o, default)

    tmp = tempfile.mkdtemp(prefix="hetao-load-floor-")
    try:
        store = ox.Store(f"{tmp}/db")
        made = quads()
        cpu, wall, n = time.process_time(), time.monotonic(), 0
        while True:
            batch = list(islice(made, args.batch))
            if not batch:
                break
            started = time.process_time()
            store.bulk_extend(batch)
            n += 1
            if n % 10 == 0:
                print(f"batch {n}: {time.process_time() - started:.2f} s of CPU", flush=True)
        print(f"loaded {len(store):,} quads: {time.process_time() - cpu:.1f} s of CPU, {time.monotonic() - wall:.1f} s wall "
              f"(pyoxigraph {ox.__version__}, batches of {args.batch:,})")
        started = time.process_time()
        store.optimize()
        print(f"optimize: {time.process_time() - started:.1f} s of CPU")
        del store
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
