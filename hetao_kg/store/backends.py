"""Stores behind the one :class:`~hetao_kg.store.Store` interface.

* ``memory``: rdflib in process (:class:`~hetao_kg.store.RdflibStore`);
* ``oxigraph``: an embedded, persistent pyoxigraph database in a directory
  (:class:`~hetao_kg.store.oxigraph.OxigraphStore`);
* ``sparql``: any SPARQL 1.1 endpoint by URL (:class:`~hetao_kg.store.sparql.SparqlStore`).

Every store runs the guard (:func:`hetao_kg.store.prepare`) on a query before it
evaluates anything, so updates, ``FROM``/``FROM NAMED`` and ``SERVICE`` are refused
on all of them. The embedded stores run behind :class:`~hetao_kg.store.limits.LimitedStore`
(built inside its worker process); the remote store has a client timeout and a row cut.

>>> type(open_store("memory")).__name__, type(open_store()).__name__
('LimitedStore', 'GuardedLimitedStore')
>>> open_store(endpoint="http://127.0.0.1:9/sparql")
SparqlStore('http://127.0.0.1:9/sparql')
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

from .base import RdflibStore, Store

__all__ = ["DEFAULT", "OxigraphStore", "RdflibStore", "SparqlStore", "open_store", "oxigraph_store"]

_LAZY = {"OxigraphStore": ".oxigraph", "default_location": ".oxigraph", "SparqlStore": ".sparql"}


def __getattr__(name: str):
    """The store classes, imported on first use: every command imports this package for
    :data:`DEFAULT`, and most never touch a remote endpoint (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: The store used when none is named: the embedded Oxigraph store in the per-user
#: cache. It answers the named queries 6-68x faster than rdflib at 35k triples and is
#: the only one usable at 3.5M (BENCHMARKS.md); ``--store memory`` opts out.
DEFAULT = "oxigraph"


def _guarded_class():
    from .limits import LimitedStore
    from .base import QueryError, QueryMemoryExceeded

    class GuardedLimitedStore(LimitedStore):
        """Runs the guard in this process, before the worker sees the query: refusals
        and the parser's warnings reach the user here (the Oxigraph worker's stderr is
        silenced, see :meth:`OxigraphStore.opened`), and the worker takes this verdict
        with the text rather than lexing it again. A worker that dies while it builds
        or opens the store is reported with what Rust said (kept in ``native_log``)."""

        native_log: Path | None = None
        location: Path | None = None

        def execute(self, sparql, bindings=None):
            self._check_size(sparql)
            cached = self._cached(sparql, bindings)  # saved only after the guard passed: no parse needed
            if cached is not None:
                return cached
            from .sparql_guard import checked  # (imported where a text is read: a cached answer needs none)

            # the verdict goes with the text: the worker evaluates its canonical text unlexed
            return self._evaluate(sparql, bindings, None, checked(sparql))

        def execute_serialized(self, sparql, *, fmt):
            self._check_size(sparql)
            cached = self._cached(sparql, None)
            if cached is not None:
                return cached
            from .sparql_guard import checked

            # remembered per text: free where the caller ran the guard already
            return self._evaluate(sparql, None, fmt, checked(sparql))

        def _start(self):
            try:
                super()._start()
            except QueryError as exc:
                died = isinstance(exc, QueryMemoryExceeded) or "stopped unexpectedly" in str(exc) \
                    or "worker crashed" in str(exc)
                if not died:
                    raise
                raise QueryError(_startup_failure(self.location, self._said)) from None

        _said = ""

        def _kill(self):
            super()._kill()
            if self.native_log is not None:  # the worker's log lives as long as the worker
                with contextlib.suppress(OSError):
                    self.native_log.unlink()

        def _death(self, code):
            """Rust says why it aborted (in ``native_log``): an allocation failure is the
            memory ceiling, anything else (a stack overflow) a crash, in its own words."""
            said = self._said = _native_said(self.native_log)
            if "memory allocation" in said:
                return self._memory_error()
            error = super()._death(code)
            if said and "worker crashed" in str(error):
                hint = ""
                if "total order" in said:  # Rust's sort saw Oxigraph's ORDER BY compare inconsistently
                    hint = ("; Oxigraph's ORDER BY cannot sort these values (it compares some kinds of "
                            "literal, such as numbers and strings, inconsistently): order by plain "
                            "variables, which hetao-kg sorts itself, or by STR(...)")
                return QueryError(f"{error} (Oxigraph: {said}){hint}")
            return error

    return GuardedLimitedStore


def _GuardedLimitedStore(*args, **kwargs):
    return _guarded_class()(*args, **kwargs)


def _native_said(log: Path | None) -> str:
    """The first line Rust wrote to a dead worker's log; for a panic (``thread … panicked at
    FILE:LINE:COLUMN:``, its message on the next line) both lines as one."""
    if log is None:
        return ""
    try:
        lines = [l.strip() for l in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [l for l in lines if l and not l.startswith(("stack backtrace", "note:"))]
    if not lines:
        return ""
    if "panicked at" in lines[0] and lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _startup_failure(location: Path | None, said: str) -> str:
    """One line for a worker that died building or opening the store: Rust's first line
    (``memory allocation of … bytes failed``, ``… panicked at …``) and the likely cause."""
    where = f" in {location}" if location else ""
    message = f"the Oxigraph store{where} could not be built or opened: its process was aborted"
    if said:
        message += f" ({said})"
    if not said or "memory allocation" in said:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        cap = f"the address-space limit of {limit // 2**20} MB (ulimit -v)" if limit != resource.RLIM_INFINITY else "memory"
        message += f"; it ran out of {cap}: raise it, or use --store memory"
    return message


def oxigraph_store(location: str | Path | None = None, *, root: str | Path | None = None, inference: bool = True,
                   stated_only: bool = False, in_memory: bool = False, **limits: Any) -> Store:
    """The embedded Oxigraph store behind the query limits (opened inside the worker, never before a fork).

    Its ``stated_only()`` gives the variant without the curators' inferences; ``in_memory``
    evaluates in an in-memory copy in the worker when the data is small (see
    :class:`~hetao_kg.store.oxigraph.OxigraphStore`).
    """
    import uuid

    from .oxigraph import OxigraphStore, _answer_key, default_location

    location = Path(location) if location else default_location()
    log = location / f".worker-{uuid.uuid4().hex[:12]}.log"  # what Rust says if the worker dies starting
    store = _GuardedLimitedStore(
        functools.partial(OxigraphStore.opened, location, root, inference=inference, stated_only=stated_only, quiet=True,
                          native_log=str(log), in_memory=in_memory),
        answer_key=functools.partial(_answer_key, root, inference, stated_only, in_memory), **limits)
    store.location, store.native_log = location, log
    if not stated_only:
        store.stated_only = functools.partial(oxigraph_store, location, root=root, inference=inference,
                                              stated_only=True, in_memory=in_memory, **limits)
    return store


def open_store(store: "str | Path | Store | None" = None, *, endpoint: str | None = None,
               root: str | Path | None = None, inference: bool = True, in_memory: bool = False,
               **limits: Any) -> Store:
    """A store by name, with the query limits (``timeout``, ``max_rows``, … as for
    :class:`~hetao_kg.store.limits.LimitedStore`):

    ``"memory"``, ``"oxigraph"`` (in the per-user cache), a directory (an Oxigraph
    store there), a :class:`~hetao_kg.store.Store` (used as is), or ``endpoint=URL``
    for a remote SPARQL endpoint (which answers from what was loaded into it).
    ``None`` means :data:`DEFAULT`; ``inference=False`` leaves out the RDFS/OWL RL entailments;
    ``in_memory`` has an Oxigraph store's worker evaluate in an in-memory copy of small
    data (the endpoint's pool; :class:`~hetao_kg.store.oxigraph.OxigraphStore`).
    """
    if endpoint:
        from .sparql import SparqlStore

        return SparqlStore(endpoint, timeout=limits.get("timeout"), max_rows=limits.get("max_rows"))
    if store is None:
        store = DEFAULT
    if not isinstance(store, (str, Path)):
        return store
    if str(store) == "memory":
        from .limits import memory_store

        return memory_store(root, inference=inference, **limits)
    if str(store) == "oxigraph":
        from .oxigraph import default_location

        return oxigraph_store(default_location(), root=root, inference=inference, in_memory=in_memory, **limits)
    return oxigraph_store(Path(store), root=root, inference=inference, in_memory=in_memory, **limits)
