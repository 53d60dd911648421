"""Stores behind the one :class:`~hetao_kg.store.Store` interface.

* ``memory``: rdflib in process (:class:`~hetao_kg.store.RdflibStore`);
* ``oxigraph``: an embedded, persistent pyoxigraph database in a directory
  (:class:`~hetao_kg.stores.oxigraph.OxigraphStore`);
* ``sparql``: any SPARQL 1.1 endpoint by URL (:class:`~hetao_kg.stores.sparql.SparqlStore`).

Every store runs the guard (:func:`hetao_kg.store.prepare`) on a query before it
evaluates anything, so updates, ``FROM``/``FROM NAMED`` and ``SERVICE`` are refused
on all of them.

>>> type(open_store("memory")).__name__
'RdflibStore'
"""

from __future__ import annotations

from pathlib import Path

from ..store import RdflibStore, Store
from .oxigraph import OxigraphStore

__all__ = ["DEFAULT", "OxigraphStore", "RdflibStore", "SparqlStore", "open_store"]

#: The store used when none is named.
DEFAULT = "memory"


def __getattr__(name: str):
    if name == "SparqlStore":
        from .sparql import SparqlStore

        return SparqlStore
    raise AttributeError(name)


def open_store(store: "str | Path | Store | None" = None, *, endpoint: str | None = None,
               root: str | Path | None = None, timeout: float | None = None) -> Store:
    """A store by name: ``"memory"``, ``"oxigraph"`` (default location), a directory
    (an Oxigraph store there), or ``endpoint=URL`` for a remote SPARQL endpoint."""
    if endpoint:
        from .sparql import SparqlStore

        return SparqlStore(endpoint, timeout=timeout)
    if store is None:
        store = DEFAULT
    if not isinstance(store, (str, Path)):
        return store
    if str(store) == "memory":
        return RdflibStore(root=root)
    if str(store) == "oxigraph":
        return OxigraphStore(root=root)
    return OxigraphStore(store, root=root)
