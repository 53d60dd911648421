"""hetao-kg: the knowledge graph of the Hetao Shenzhen-Hong Kong Science and
Technology Innovation Cooperation Zone (Shenzhen Park).

>>> import hetao_kg
>>> kg = hetao_kg.open()
>>> kg.search("HKU")[0].label
'The University of Hong Kong'
>>> len(hetao_kg.load()) > 1000
True
"""

from __future__ import annotations

from .api import LANGS, AmbiguousEntity, KnowledgeGraph, PathStep, open_graph
from .graph import DataError, load
from .normalize import SourceError, normalize, normalize_file
from .queries import UnknownName, named_queries
from .results import QueryResult
from .search import SearchHit
from .stats import statistics
from .store import QueryError, QueryRefused, RdflibStore, Store
from .validate import validate

__all__ = [
    "LANGS",
    "AmbiguousEntity",
    "DataError",
    "KnowledgeGraph",
    "PathStep",
    "QueryError",
    "QueryRefused",
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
