"""Run user queries within limits: a timeout that frees the worker, a row cap and
a small pool so one slow query never blocks the others.

The pool is fair under load: a query waits for a worker at most until its deadline
(arrival + timeout; waiting counts, and the worker gets only the time left), and at
most ``queue`` queries wait at all: the next one gets :class:`QueryBusy` (503 with
``Retry-After``) at once rather than a 503 after the timeout. Workers run niced, so
a long query yields the CPU to the process serving pages.

Every pooled store is a :class:`~hetao_kg.store.limits.LimitedStore`: it evaluates in its
own worker process, killed on timeout (the next query starts a fresh one), and
answers repeated queries from the on-disk answer cache without a worker.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..query.api import KnowledgeGraph
from ..store.base import QueryError, QueryTimeout, RdflibStore, Rows, Store

__all__ = ["QueryBusy", "QueryRunner", "QueryTimeoutError", "is_truncated", "page_graph", "query_stores"]


#: seconds before its deadline that a query's worker is stopped: the time to stop it and
#: answer 503 comes out of the query's own time, so the client has its 503 by the deadline
#: (the answer can only come sooner), even if the worker is slow to report; at most a tenth
#: of the timeout
GRACE = 0.2


class QueryTimeoutError(QueryError):
    """The query ran past the server's time limit."""


class QueryBusy(QueryError):
    """Every worker is busy and the queue of waiting queries is full; ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _memory(store: str | Path | None) -> bool:
    return store is None or str(store) in ("", "memory")


def query_stores(root: str | None, store: str | Path | None, *, timeout: float, max_rows: int,
                 max_query_bytes: int, pool: int, inference: bool = True) -> list[Store]:
    """``pool`` limited stores for user queries: rdflib in memory, or any store
    :func:`hetao_kg.store.open_store` knows (``oxigraph``, a directory); ``inference=False``
    leaves out the RDFS/OWL RL entailments (``hetao-kg --no-inference serve``)."""
    limits = {"timeout": timeout, "max_rows": max_rows, "max_query_bytes": max_query_bytes}
    if _memory(store):
        from ..store.limits import LimitedStore, _answer_key


        return [LimitedStore(functools.partial(_niced_memory_store, root, inference),
                             answer_key=functools.partial(_answer_key, root, inference), **limits)
                for _ in range(max(1, pool))]
    try:
        from ..store.backends import open_store  # type: ignore[import-not-found]
    except ImportError:
        raise ValueError(f"store {store!r} is not available in this version; use --store memory") from None
    # the workers evaluate in an in-memory copy of small data (2.5-3x less CPU per new query)
    stores = [open_store(store, root=root, inference=inference, in_memory=True, **limits) for _ in range(max(1, pool))]
    for s in stores:
        if callable(getattr(s, "factory", None)):  # built in its worker: niced there
            s.factory = functools.partial(_niced, s.factory)
    return stores


def _nice() -> None:
    try:
        os.nice(5)
    except OSError:
        pass


def _niced(factory) -> Store:
    """Built inside the worker: a long query there yields the CPU to the process serving pages."""
    _nice()
    return factory()


def _niced_memory_store(root: str | None, inference: bool = True) -> Store:
    """Built inside the worker: a long query there yields the CPU to the process serving pages."""
    _nice()
    return RdflibStore.from_root(root, inference=inference)


def page_graph(root: str | None, store: str | Path | None, *, inference: bool = True) -> KnowledgeGraph:
    """The graph behind the explorer pages (the server's own, trusted queries)."""
    if _memory(store):
        return KnowledgeGraph(RdflibStore.from_root(root, inference=inference), root=root, inference=inference)
    try:
        from ..store.backends import open_store  # type: ignore[import-not-found]
    except ImportError:
        raise ValueError(f"store {store!r} is not available in this version; use --store memory") from None
    return KnowledgeGraph(open_store(store, root=root, inference=inference), root=root, inference=inference)


class QueryRunner:
    """Hands each user query to a free store of the pool, within the time limit."""

    def __init__(self, stores: list[Store], *, timeout: float, max_rows: int, queue: int | None = None):
        self.timeout, self.max_rows = timeout, max_rows
        self._stores = stores
        self._free: asyncio.Queue | None = None
        self.queue = 4 * len(stores) if queue is None else max(0, queue)
        self._waiting = 0
        self._closing = False
        self._warming: set[int] = set()

    def _queue(self) -> asyncio.Queue:
        if self._free is None:
            self._free = asyncio.Queue()
            for store in self._stores:
                self._free.put_nowait(store)
        return self._free

    async def execute(self, sparql: str, *, deadline: float | None = None, fmt: str | None = None) -> Any:
        """Evaluate within the limits; raises :class:`QueryTimeoutError` when out of time
        (waiting for a free worker counts too). ``deadline`` (``time.monotonic()``; default
        now + the timeout): when the request arrived plus the timeout, so that reading the
        request and checking the query before it count too. With ``fmt`` (``json``, ``csv``,
        ``tsv``) a store that can writes a SELECT or ASK answer in that results format
        itself (:class:`~hetao_kg.store.answers.Serialized`, cut at the same row limit);
        any other answer comes as without it."""
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        queue = self._queue()
        if self._waiting >= len(self._stores) + self.queue:
            raise QueryBusy(f"the server is busy: {len(self._stores)} queries are running and {self.queue} are "
                            "waiting; try again shortly", retry_after=max(1, round(self.timeout / 2)))
        self._waiting += 1  # admitted: running or waiting for a store
        try:
            return await self._execute(queue, sparql, deadline, fmt)
        finally:
            self._waiting -= 1

    async def _execute(self, queue: asyncio.Queue, sparql: str, deadline: float, fmt: str | None) -> Any:
        try:
            store = await asyncio.wait_for(queue.get(), max(0.01, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise QueryTimeoutError(self._timeout_message()) from None
        try:
            left = deadline - time.monotonic()
            grace = min(GRACE, self.timeout / 10)  # a short --timeout keeps most of its time
            if left - grace <= 0.05:
                raise QueryTimeout("no time left")
            if hasattr(store, "timeout"):  # the worker gets what is left of this query's time
                store.timeout = left - grace
            if fmt is not None and callable(getattr(store, "execute_serialized", None)) \
                    and getattr(store, "max_rows", None) == self.max_rows:  # the worker cuts where we would
                work = asyncio.ensure_future(run_in_threadpool(functools.partial(store.execute_serialized, fmt=fmt),
                                                               sparql))
            else:
                work = asyncio.ensure_future(run_in_threadpool(store.execute, sparql))
        except QueryTimeout:
            queue.put_nowait(store)
            raise QueryTimeoutError(self._timeout_message()) from None
        try:
            # the client gets its answer or its 503 by the deadline, whatever the store does
            # (anything before the worker's own timeout, e.g. parsing, is not killable here)
            answer = await asyncio.wait_for(asyncio.shield(work), left)
        except (QueryTimeout, asyncio.TimeoutError):
            raise QueryTimeoutError(self._timeout_message()) from None
        finally:
            # the store goes back once it is free again, its worker restarted if it was killed:
            # a fresh worker's start-up is no later query's time
            work.add_done_callback(functools.partial(self._done, store))
        if isinstance(answer, Rows) and len(answer.rows) > self.max_rows:
            answer = Rows(answer.vars, answer.rows[: self.max_rows], truncated=True)
        return answer

    def _done(self, store: Store, work: asyncio.Future) -> None:
        if not work.cancelled():
            work.exception()  # retrieved (a late failure was answered as a timeout already)
        if self._closing or not _needs_start(store):
            self._queue().put_nowait(store)
            return
        # a daemon thread, not the server's pool: a start-up never holds up a shutdown
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._restart, args=(store, loop), daemon=True, name="hetao-kg-restart").start()

    def _restart(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self._warming.add(id(store))
        try:
            if not self._closing:
                _warm(store)
        finally:
            self._warming.discard(id(store))
            if self._closing:
                _close(store)
            try:
                loop.call_soon_threadsafe(self._queue().put_nowait, store)
            except RuntimeError:  # the loop is gone: the server has stopped
                pass

    async def warm(self) -> None:
        """Start every worker (the server is healthy once they are up): a first query
        does not wait for a store to load."""
        await asyncio.gather(*(run_in_threadpool(_warm, store) for store in self._stores))

    def _timeout_message(self) -> str:
        return (f"the query ran longer than the server's limit of {self.timeout:g} s and was stopped; "
                "narrow it (add patterns, a LIMIT) or run it locally with hetao-kg query --timeout")

    def close(self) -> None:
        """Stop the worker processes (one being restarted is stopped once it is up)."""
        self._closing = True
        for store in self._stores:
            if id(store) not in self._warming:
                _close(store)


def _close(store: Store) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


def _needs_start(store: Store) -> bool:
    return getattr(store, "_lock", None) is not None and getattr(store, "_process", True) is None


def _warm(store: Store) -> None:
    """Start the worker of a :class:`~hetao_kg.store.limits.LimitedStore` that has none (it was
    killed at a timeout), so that the next query does not wait for it to load."""
    start, lock = getattr(store, "start", None) or getattr(store, "_start", None), getattr(store, "_lock", None)
    if start is None or not _needs_start(store):
        return
    with lock:
        if getattr(store, "_process", True) is None:
            try:
                start()
            except Exception:  # reported by the next query that needs the worker
                pass


def is_truncated(answer) -> bool:
    """Whether rows were cut at the row limit."""
    return bool(getattr(answer, "truncated", False))
