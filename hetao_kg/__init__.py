"""hetao-kg: the knowledge graph of the Hetao Shenzhen-Hong Kong Science and
Technology Innovation Cooperation Zone (Shenzhen Park).

>>> import hetao_kg
>>> kg = hetao_kg.open()
>>> kg.search("HKU")[0].label
'The University of Hong Kong'
>>> len(hetao_kg.load()) > 1000
True

The package is layered, imports only run downward (ARCHITECTURE.md): ``source`` ->
``data`` -> ``store`` -> ``query`` -> ``network`` -> ``web``, with ``cli`` and the
:mod:`.facade` that ``open()`` returns on top, and ``errors``, ``namespaces``,
``paths`` and ``cache`` at the bottom.
"""

from __future__ import annotations

from . import _moved

_moved.install()  # the old flat module paths (hetao_kg.api, hetao_kg.graph, …) still import

from .data.graph import load
from .data.validate import validate
from .errors import (
    AmbiguousEntity,
    DataError,
    QueryError,
    QueryLimitExceeded,
    QueryMemoryExceeded,
    QueryRefused,
    QueryTimeout,
    QueryTooLarge,
    SourceError,
    UnknownName,
)
from .facade import LANGS, KnowledgeGraph, PathStep, open_graph
from .query.queries import named_queries
from .query.results import QueryResult
from .query.search import SearchHit
from .query.stats import statistics
from .source.normalize import normalize, normalize_file
from .store.base import RdflibStore, Store
from .store.limits import LimitedStore

__all__ = [
    "LANGS",
    "AmbiguousEntity",
    "DataError",
    "KnowledgeGraph",
    "PathStep",
    "LimitedStore",
    "QueryError",
    "QueryLimitExceeded",
    "QueryMemoryExceeded",
    "QueryRefused",
    "QueryTimeout",
    "QueryTooLarge",
    "QueryResult",
    "RdflibStore",
    "SearchHit",
    "SourceError",
    "Store",
    "UnknownName",
    "load",
    "named_queries",
    "normalize",
    "normalize_file",
    "open_graph",
    "statistics",
    "validate",
]

#: ``hetao_kg.open()`` is :func:`open_graph` (kept out of ``__all__`` so that a star
#: import never shadows the built-in ``open``).
open = open_graph  # noqa: A001

__version__ = "0.1.0"
