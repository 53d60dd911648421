"""The store layer: where every query is answered. The :class:`Store` protocol and the
in-process rdflib store with the query guard (:mod:`.base`: read-only, no ``SERVICE``
or ``FROM``, parsed before any store sees it; :mod:`.diagnose` explains errors), the
answers and their cache (:mod:`.answers`), the limits (:mod:`.limits`: every query in a
killable worker), and the backends (:mod:`.backends` opens one: :mod:`.oxigraph`
embedded, :mod:`.sparql` a remote endpoint, :mod:`.servers` to start one; :mod:`._common`
is what the SPARQL-text backends share). Builds on :mod:`hetao_kg.data`; knows nothing
of the query facade above it.

Everything ``hetao_kg.store`` and ``hetao_kg.stores`` offered before is importable here:

>>> from hetao_kg.store import QueryError, RdflibStore, open_store
>>> issubclass(QueryError, ValueError), type(open_store("memory")).__name__
(True, 'LimitedStore')
"""

from __future__ import annotations

from .backends import DEFAULT, open_store, oxigraph_store
from .base import (
    QueryError,
    QueryLimitExceeded,
    QueryMemoryExceeded,
    QueryRefused,
    QueryTimeout,
    QueryTooLarge,
    RdflibStore,
    Rows,
    SelectAsk,
    Store,
    data_key,
    entity_variables,
    guard,
    prepare,
    stable_columns,
    to_term,
)

__all__ = [
    "DEFAULT",
    "OxigraphStore",
    "QueryError",
    "QueryLimitExceeded",
    "QueryMemoryExceeded",
    "QueryRefused",
    "QueryTimeout",
    "QueryTooLarge",
    "RdflibStore",
    "Rows",
    "SelectAsk",
    "SparqlStore",
    "Store",
    "entity_variables",
    "guard",
    "open_store",
    "oxigraph_store",
    "prepare",
    "stable_columns",
    "to_term",
]


def __getattr__(name: str):
    """``OxigraphStore`` and ``SparqlStore``, imported on first use (see :mod:`.backends`)."""
    from . import backends

    if name in ("OxigraphStore", "SparqlStore"):
        return getattr(backends, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
