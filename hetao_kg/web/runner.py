"""Run user queries within limits: a timeout that frees the worker, a row cap and
a small pool so one slow query never blocks the others.

With :mod:`hetao_kg.limits` (``LimitedStore``) each pooled store evaluates in its
own worker process, which is killed on timeout. Without it, queries run in a
thread and a timeout answers the client but the thread runs on: the limits
module is what frees the worker.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Callable

from starlette.concurrency import run_in_threadpool

from ..store import QueryError, QueryTimeout, Rows, Store

__all__ = ["QueryRunner", "QueryTimeoutError", "limited_store_available"]


class QueryTimeoutError(QueryError):
    """The query ran past the server's time limit."""


def _limits():
    try:
        from .. import limits  # noqa: F401  (helper i8s's module)
    except ImportError:
        return None
    return limits


def limited_store_available() -> bool:
    """True when ``hetao_kg.limits.LimitedStore`` is installed (worker processes)."""
    return _limits() is not None


class QueryRunner:
    """A pool of stores for untrusted queries.

    ``factory`` is a picklable zero-argument callable building a store; with
    ``LimitedStore`` it is called inside each worker process.
    """

    def __init__(self, factory: Callable[[], Store], *, timeout: float, max_rows: int, pool: int = 2,
                 max_query_bytes: int | None = None, answer_key: Callable[[], str] | None = None):
        self.timeout, self.max_rows = timeout, max_rows
        limits = _limits()
        self.isolated = limits is not None
        if limits is not None:
            self._stores: list[Store] = [
                limits.LimitedStore(factory, timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes,
                                    answer_key=answer_key)
                for _ in range(max(1, pool))
            ]
        else:
            self._stores = [factory()]
        self._free: asyncio.Queue | None = None

    def _queue(self) -> asyncio.Queue:
        if self._free is None:
            self._free = asyncio.Queue()
            for store in self._stores:
                self._free.put_nowait(store)
        return self._free

    async def execute(self, sparql: str) -> Rows | bool:
        """Evaluate within the limits; raises :class:`QueryTimeoutError` when out of time."""
        deadline = time.monotonic() + self.timeout
        if not self.isolated:
            store = self._stores[0]
            try:
                answer = await asyncio.wait_for(run_in_threadpool(store.execute, sparql), self.timeout)
            except asyncio.TimeoutError:
                raise QueryTimeoutError(self._timeout_message()) from None
            return self._capped(answer)
        queue = self._queue()
        try:
            store = await asyncio.wait_for(queue.get(), max(0.01, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise QueryTimeoutError(self._timeout_message()) from None
        try:
            return self._capped(await run_in_threadpool(store.execute, sparql))
        except QueryTimeout:
            raise QueryTimeoutError(self._timeout_message()) from None
        finally:
            queue.put_nowait(store)

    def _timeout_message(self) -> str:
        return (f"the query ran longer than the server's limit of {self.timeout:g} s and was stopped; "
                "narrow it (add patterns, a LIMIT) or run it locally with hetao-kg query --timeout")

    def _capped(self, answer: Rows | bool) -> Rows | bool:
        if isinstance(answer, Rows) and len(answer.rows) > self.max_rows:
            return _truncated(answer, self.max_rows)
        return answer

    def close(self) -> None:
        """Stop the worker processes (when isolated)."""
        for store in self._stores:
            close = getattr(store, "close", None)
            if callable(close):
                close()


def _truncated(answer: Rows, n: int) -> Rows:
    return Rows(answer.vars, answer.rows[:n], truncated=True)


def is_truncated(answer) -> bool:
    """Whether rows were cut at the row limit."""
    return bool(getattr(answer, "truncated", False))


def store_factory(root: str | None, store: str | None) -> Callable[[], Store]:
    """A picklable factory for the store named on the command line."""
    return functools.partial(_build_store, root, store)


def answer_key(root: str | None, store: str | None) -> Callable[[], str] | None:
    """The content key of the data for the on-disk answer cache (in-memory store only)."""
    if store in (None, "", "memory"):
        from ..graph import content_key

        return functools.partial(content_key, root)
    return None


def _build_store(root: str | None, store: str | None) -> Store:
    from ..store import RdflibStore

    if store in (None, "", "memory"):
        return RdflibStore.from_root(root)
    import hetao_kg

    try:
        kg = hetao_kg.open(root, store=store)  # type: ignore[call-arg]
    except TypeError:
        kg = None
    if kg is None or not hasattr(kg.store, "select"):
        raise ValueError(f"store {store!r} is not available in this version; use --store memory")
    return kg.store
