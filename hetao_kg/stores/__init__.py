"""Stores behind the one :class:`~hetao_kg.store.Store` interface.

* ``memory``: rdflib in process (:class:`~hetao_kg.store.RdflibStore`);
* ``oxigraph``: an embedded, persistent pyoxigraph database in a directory
  (:class:`~hetao_kg.stores.oxigraph.OxigraphStore`);
* ``sparql``: any SPARQL 1.1 endpoint by URL (:class:`~hetao_kg.stores.sparql.SparqlStore`).

Every store runs the guard (:func:`hetao_kg.store.prepare`) on a query before it
evaluates anything, so updates, ``FROM``/``FROM NAMED`` and ``SERVICE`` are refused
on all of them. The embedded stores run behind :class:`~hetao_kg.limits.LimitedStore`
(built inside its worker process); the remote store has a client timeout and a row cut.

>>> type(open_store("memory")).__name__
'LimitedStore'
>>> open_store(endpoint="http://127.0.0.1:9/sparql")
SparqlStore('http://127.0.0.1:9/sparql')
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..store import RdflibStore, Store
from .oxigraph import OxigraphStore, default_location
from .sparql import SparqlStore

__all__ = ["DEFAULT", "OxigraphStore", "RdflibStore", "SparqlStore", "open_store", "oxigraph_store"]

#: The store used when none is named (the faster one: see BENCHMARKS.md).
DEFAULT = "oxigraph"


def oxigraph_store(location: str | Path | None = None, *, root: str | Path | None = None, inference: bool = True,
                   stated_only: bool = False, **limits: Any) -> Store:
    """The embedded Oxigraph store behind the query limits (opened inside the worker, never before a fork).

    Its ``stated_only()`` gives the variant without the curators' inferences.
    """
    from ..limits import LimitedStore
    from .oxigraph import _answer_key

    store = LimitedStore(
        functools.partial(OxigraphStore.opened, location, root, inference=inference, stated_only=stated_only, quiet=True),
        answer_key=functools.partial(_answer_key, root, inference, stated_only), **limits)
    if not stated_only:
        store.stated_only = functools.partial(oxigraph_store, location, root=root, inference=inference,
                                              stated_only=True, **limits)
    return store


def open_store(store: "str | Path | Store | None" = None, *, endpoint: str | None = None,
               root: str | Path | None = None, inference: bool = True, **limits: Any) -> Store:
    """A store by name, with the query limits (``timeout``, ``max_rows``, … as for
    :class:`~hetao_kg.limits.LimitedStore`):

    ``"memory"``, ``"oxigraph"`` (in the per-user cache), a directory (an Oxigraph
    store there), a :class:`~hetao_kg.store.Store` (used as is), or ``endpoint=URL``
    for a remote SPARQL endpoint (which answers from what was loaded into it).
    ``None`` means :data:`DEFAULT`; ``inference=False`` leaves out the RDFS/OWL RL entailments.
    """
    if endpoint:
        return SparqlStore(endpoint, timeout=limits.get("timeout"), max_rows=limits.get("max_rows"))
    if store is None:
        store = DEFAULT
    if not isinstance(store, (str, Path)):
        return store
    if str(store) == "memory":
        from ..limits import memory_store

        return memory_store(root, inference=inference, **limits)
    if str(store) == "oxigraph":
        return oxigraph_store(default_location(), root=root, inference=inference, **limits)
    return oxigraph_store(Path(store), root=root, inference=inference, **limits)
