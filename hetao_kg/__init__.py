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

import importlib

from . import _moved

_moved.install()  # the old flat module paths (hetao_kg.api, hetao_kg.graph, …) still import

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

#: the package's names, each imported from its module when first used: a command imports
#: only the modules it needs (``hetao-kg show`` neither validates nor counts; issue 22)
_LAZY = {
    "load": ".data.graph",
    "validate": ".data.validate",
    "LANGS": ".facade",
    "KnowledgeGraph": ".facade",
    "PathStep": ".facade",
    "open_graph": ".facade",
    "named_queries": ".query.queries",
    "QueryResult": ".query.results",
    "SearchHit": ".query.search",
    "statistics": ".query.stats",
    "normalize": ".source.normalize",
    "normalize_file": ".source.normalize",
    "RdflibStore": ".store.base",
    "Store": ".store.base",
    "LimitedStore": ".store.limits",
    "open": ".facade",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), "open_graph" if name == "open" else name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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

# ``hetao_kg.open()`` is :func:`open_graph` (kept out of ``__all__`` so that a star
# import never shadows the built-in ``open``).

__version__ = "0.1.0"
