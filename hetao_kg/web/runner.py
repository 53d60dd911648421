"""Run user queries within limits: a timeout that frees the worker, a row cap and
a small pool so one slow query never blocks the others.

Every pooled store is a :class:`~hetao_kg.store.limits.LimitedStore`: it evaluates in its
own worker process, killed on timeout (the next query starts a fresh one), and
answers repeated queries from the on-disk answer cache without a worker.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from ..query.api import KnowledgeGraph
from ..store.base import QueryError, QueryTimeout, RdflibStore, Rows, Store

__all__ = ["QueryRunner", "QueryTimeoutError", "is_truncated", "page_graph", "query_stores"]


class QueryTimeoutError(QueryError):
    """The query ran past the server's time limit."""


def _memory(store: str | Path | None) -> bool:
    return store is None or str(store) in ("", "memory")


def query_stores(root: str | None, store: str | Path | None, *, timeout: float, max_rows: int,
                 max_query_bytes: int, pool: int) -> list[Store]:
    """``pool`` limited stores for user queries: rdflib in memory, or any store
    :func:`hetao_kg.store.open_store` knows (``oxigraph``, a directory)."""
    limits = {"timeout": timeout, "max_rows": max_rows, "max_query_bytes": max_query_bytes}
    if _memory(store):
        from ..data.graph import content_key
        from ..store.limits import LimitedStore

        return [LimitedStore(functools.partial(_niced_memory_store, root), answer_key=functools.partial(content_key, root),
                             **limits) for _ in range(max(1, pool))]
    try:
        from ..store.backends import open_store  # type: ignore[import-not-found]
    except ImportError:
        raise ValueError(f"store {store!r} is not available in this version; use --store memory") from None
    return [open_store(store, root=root, **limits) for _ in range(max(1, pool))]


def _niced_memory_store(root: str | None) -> Store:
    """Built inside the worker: a long query there yields the CPU to the process serving pages."""
    try:
        os.nice(5)
    except OSError:
        pass
    return RdflibStore.from_root(root)


def page_graph(root: str | None, store: str | Path | None) -> KnowledgeGraph:
    """The graph behind the explorer pages (the server's own, trusted queries)."""
    if _memory(store):
        return KnowledgeGraph(RdflibStore.from_root(root), root=root)
    try:
        from ..store.backends import open_store  # type: ignore[import-not-found]
    except ImportError:
        raise ValueError(f"store {store!r} is not available in this version; use --store memory") from None
    return KnowledgeGraph(open_store(store, root=root), root=root)


class QueryRunner:
    """Hands each user query to a free store of the pool, within the time limit."""

    def __init__(self, stores: list[Store], *, timeout: float, max_rows: int):
        self.timeout, self.max_rows = timeout, max_rows
        self._stores = stores
        self._free: asyncio.Queue | None = None

    def _queue(self) -> asyncio.Queue:
        if self._free is None:
            self._free = asyncio.Queue()
            for store in self._stores:
                self._free.put_nowait(store)
        return self._free

    async def execute(self, sparql: str) -> Rows | bool:
        """Evaluate within the limits; raises :class:`QueryTimeoutError` when out of time
        (waiting for a free worker counts too)."""
        deadline = time.monotonic() + self.timeout
        queue = self._queue()
        try:
            store = await asyncio.wait_for(queue.get(), max(0.01, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise QueryTimeoutError(self._timeout_message()) from None
        try:
            answer = await run_in_threadpool(store.execute, sparql)
        except QueryTimeout:
            raise QueryTimeoutError(self._timeout_message()) from None
        finally:
            queue.put_nowait(store)
        if isinstance(answer, Rows) and len(answer.rows) > self.max_rows:
            answer = Rows(answer.vars, answer.rows[: self.max_rows], truncated=True)
        return answer

    def _timeout_message(self) -> str:
        return (f"the query ran longer than the server's limit of {self.timeout:g} s and was stopped; "
                "narrow it (add patterns, a LIMIT) or run it locally with hetao-kg query --timeout")

    def close(self) -> None:
        """Stop the worker processes."""
        for store in self._stores:
            close = getattr(store, "close", None)
            if callable(close):
                close()


def is_truncated(answer) -> bool:
    """Whether rows were cut at the row limit."""
    return bool(getattr(answer, "truncated", False))
