"""``make closures``: write ``graph_data/closures/``, the OWL 2 RL closures the shipped data needs.

Builds the embedded Oxigraph store and the memory store's dataset from the data files,
in a cache folder of its own, and keeps the closures the two builds looked up
(:mod:`hetao_kg.data.closure`); every other file in the folder is removed. Run it after
changing ``ontology/`` or ``graph_data/``; ``tests/test_closure.py`` fails until then.

    python -m hetao_kg.store.closures
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..data import closure
from ..data.graph import load
from .oxigraph import build

__all__ = ["main"]


def _fresh_builds(*, ship: bool) -> tuple[list[str], list[Path]]:
    """Build both stores in a cache folder of their own: (the closure keys they looked up,
    the files written into ``graph_data/closures/`` when ``ship``)."""
    saved = os.environ.get("HETAO_KG_CACHE")
    with tempfile.TemporaryDirectory(prefix="hetao-closures-") as tmp:
        os.environ["HETAO_KG_CACHE"] = str(Path(tmp) / "cache")
        try:
            start = len(closure.used)
            build(Path(tmp) / "oxigraph")
            load(cache=False)
            keys = list(dict.fromkeys(closure.used[start:]))
            return keys, closure.ship(keys) if ship else []
        finally:
            if saved is None:
                os.environ.pop("HETAO_KG_CACHE", None)
            else:
                os.environ["HETAO_KG_CACHE"] = saved


def main() -> int:
    """Compute the closures the data needs (owlrl, where none is remembered) and ship them."""
    for path in _fresh_builds(ship=True)[1]:
        print(f"{path.relative_to(closure.SHIPPED.parents[1])}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
