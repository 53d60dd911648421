"""The floor under the embedded store's build: raw pyoxigraph bulk-loading quads shaped like the store's.

    python benchmarks/load_floor.py [--quads 9500000] [--batch 200000] [--seed 7] [--ways objects,bytes,file,memory]
    python benchmarks/load_floor.py --from DATABASE [--batch 200000] [--ways ...]

Writes ``--quads`` quads as one N-Quads file (half in 11,000 named graphs, half their copy in
the default graph, as the store keeps its union; 60 predicates, 40% literal objects,
subjects and objects drawn from 1.5M IRIs), then loads them into a fresh store once per
way, one way after the other, each in a process of its own (so one way's memory and
RocksDB threads never count in another's):

  objects  Python ``Quad`` objects handed to ``bulk_extend`` in batches of ``--batch``
           (the way the build loads the data files with their union copy)
  bytes    the file's lines handed to ``bulk_load(input=...)`` in batches of ``--batch``
           (the way the build loads the derived graphs and the entailments)
  file     the whole file in one ``bulk_load(path=...)``: Oxigraph parses and sorts it all
  memory   the same into an in-memory store (no RocksDB; not what a build can keep)

and ``optimize`` after the on-disk ways. ``--from`` loads instead the quads of a built
database (an embedded store's ``db-<key>`` folder, dumped to N-Quads first, the dump not
timed): the floor for exactly the quads a build stores. Prints each way's CPU seconds (Oxigraph's loader
threads included), wall seconds and peak memory, and its CPU against ``objects``. No
hetao-kg code runs: this is what Oxigraph itself costs for a store of that many quads
(issue 22: the 3.5M store holds 9.5M). Everything is made in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

WAYS = ("objects", "bytes", "file", "memory")


def _write(path: Path, quads: int, seed: int) -> None:
    rnd = random.Random(seed)
    kg = "https://w3id.org/hetao-kg/"
    predicates = [f"<{kg}ontology#p{i}>" for i in range(60)]
    graphs = [f"<{kg}id/graph/r{i}>" for i in range(11_000)]
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(quads // 2):
            s = f"<{kg}id/e/{rnd.randrange(1_500_000)}>"
            p = predicates[rnd.randrange(60)]
            o = (f'"text {rnd.randrange(3_000_000)}"' if rnd.random() < 0.4
                 else f"<{kg}id/e/{rnd.randrange(1_500_000)}>")
            fh.write(f"{s} {p} {o} {graphs[rnd.randrange(11_000)]} .\n{s} {p} {o} .\n")


def _load(way: str, nquads: str, db: str, batch: int) -> dict:
    """One way's load, in this process; its figures."""
    import pyoxigraph as ox

    nq = ox.RdfFormat.N_QUADS
    store = ox.Store() if way == "memory" else ox.Store(db)
    cpu, wall = time.process_time(), time.monotonic()
    if way == "objects":
        quads = ox.parse(path=nquads, format=nq)
        while True:
            chunk = list(islice(quads, batch))
            if not chunk:
                break
            store.bulk_extend(chunk)
    elif way == "bytes":
        with open(nquads, "rb") as fh:
            while True:
                lines = list(islice(fh, batch))
                if not lines:
                    break
                store.bulk_load(input=b"".join(lines), format=nq)
    else:
        store.bulk_load(path=nquads, format=nq)
    out = {"way": way, "quads": len(store), "cpu": time.process_time() - cpu, "wall": time.monotonic() - wall}
    if way != "memory":
        started = time.process_time()
        store.optimize()
        out["optimize"] = time.process_time() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quads", type=int, default=9_500_000)
    parser.add_argument("--batch", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ways", default=",".join(WAYS), help="comma-separated, of " + ", ".join(WAYS))
    parser.add_argument("--from", dest="source", type=Path, help="a built database whose quads to load instead")
    parser.add_argument("--child", nargs=2, metavar=("NQUADS", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    ways = [w for w in args.ways.split(",") if w]
    unknown = sorted(set(ways) - set(WAYS))
    if unknown:
        parser.error(f"unknown way {unknown[0]!r}; the ways are {', '.join(WAYS)}")
    if args.child:
        print(json.dumps(_load(ways[0], args.child[0], args.child[1], args.batch)))
        return 0

    import pyoxigraph as ox

    tmp = Path(tempfile.mkdtemp(prefix="hetao-load-floor-"))
    try:
        nquads = tmp / "quads.nq"
        if args.source:
            source = ox.Store.read_only(str(args.source))
            source.dump(output=str(nquads), format=ox.RdfFormat.N_QUADS)
            args.quads = len(source)
            del source
        else:
            _write(nquads, args.quads, args.seed)
        print(f"{args.quads:,} quads{' of ' + str(args.source) if args.source else ''}, {nquads.stat().st_size / 1e6:.0f} MB of N-Quads; pyoxigraph {ox.__version__}, "
              f"batches of {args.batch:,}", flush=True)
        print(f"{'way':8} {'stored':>10} {'CPU s':>8} {'wall s':>8} {'optimize':>9} {'peak MB':>8} {'CPU / objects':>14}")
        base = None
        for way in ways:
            db = tmp / f"db-{way}"
            done = subprocess.run([sys.executable, __file__, "--ways", way, "--batch", str(args.batch),
                                   "--child", str(nquads), str(db)], check=True, capture_output=True, text=True)
            shutil.rmtree(db, ignore_errors=True)
            row = json.loads(done.stdout)
            base = row["cpu"] if way == "objects" else base
            ratio = f"{row['cpu'] / base:.2f}" if base else "-"
            optimize = f"{row['optimize']:.1f}" if "optimize" in row else "-"
            print(f"{way:8} {row['quads']:10,} {row['cpu']:8.1f} {row['wall']:8.1f} {optimize:>9} {row['peak_mb']:8} {ratio:>14}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
