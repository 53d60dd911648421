"""``make closures``: write ``graph_data/closures/``, the OWL 2 RL closures the shipped data
needs, and ``graph_data/store/``, the embedded store's content for it.

Builds the embedded Oxigraph store (without the shipped snapshot) and the memory store's
dataset from the data files, in a cache folder of its own, and keeps the closures the
two builds looked up (:mod:`hetao_kg.data.closure`) and the quads of the Oxigraph build
(:mod:`hetao_kg.store.snapshot`); every other file in the two folders is removed. Run it
after changing ``ontology/``, ``graph_data/`` or the code that builds the store;
``tests/test_closure.py`` and ``tests/test_snapshot.py`` fail until then.

    python -m hetao_kg.store.closures
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..data import closure
from ..data.graph import load
from . import snapshot
from .database import build

__all__ = ["main"]


def _fresh_builds(*, ship: bool, snapshot_to: Path | None = None) -> tuple[list[str], list[Path]]:
    """Build both stores in a cache folder of their own: (the closure keys they looked up,
    the files written into ``graph_data/closures/`` when ``ship``); with ``snapshot_to``,
    the Oxigraph build's snapshot is written into that folder too."""
    saved = os.environ.get("HETAO_KG_CACHE")
    with tempfile.TemporaryDirectory(prefix="hetao-closures-") as tmp:
        os.environ["HETAO_KG_CACHE"] = str(Path(tmp) / "cache")
        try:
            start = len(closure.used)
            db = build(Path(tmp) / "oxigraph", use_snapshot=False)
            if snapshot_to is not None:
                _ship_snapshot(db, snapshot_to)
            load(cache=False)
            keys = list(dict.fromkeys(closure.used[start:]))
            return keys, closure.ship(keys) if ship else []
        finally:
            if saved is None:
                os.environ.pop("HETAO_KG_CACHE", None)
            else:
                os.environ["HETAO_KG_CACHE"] = saved


def _ship_snapshot(db: Path, folder: Path) -> Path:
    """Write the snapshot of the finished database ``db`` (``db-<key>``) into ``folder``."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(db))
    try:
        return snapshot.ship(store, snapshot.snapshot_key(db.name[3:]), folder)
    finally:
        del store


def main() -> int:
    """Compute the closures the data needs (owlrl, where none is remembered) and ship them
    with the embedded store's snapshot."""
    folder = snapshot.SHIPPED
    for path in _fresh_builds(ship=True, snapshot_to=folder)[1] + sorted(folder.glob("*.nq.gz")):
        print(f"{path.relative_to(closure.SHIPPED.parents[1])}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
