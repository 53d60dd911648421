"""Query limits: every query is evaluated in a worker process that can be stopped.

No query may hang the tool or eat the machine. :class:`LimitedStore` wraps any
:class:`~hetao_kg.store.Store` and enforces, per query:

* a **timeout** (default 30 s, ``HETAO_KG_TIMEOUT``): the worker is killed when the
  answer is late, and :class:`~hetao_kg.store.QueryTimeout` is raised;
* a **memory ceiling** for the evaluation (default 512 MB on top of the loaded
  store, ``HETAO_KG_MAX_MEMORY`` in MB): the worker runs under ``RLIMIT_AS``, and a
  query that needs more raises :class:`~hetao_kg.store.QueryMemoryExceeded`;
* a **row limit** (default 10,000, ``HETAO_KG_MAX_ROWS``): longer answers are cut
  and come back with ``Rows.truncated`` set;
* a **cap on the query text** (default 256 KB, ``HETAO_KG_MAX_QUERY_BYTES``):
  larger texts raise :class:`~hetao_kg.store.QueryTooLarge` before anything parses them.

The store itself is built *inside* the worker by ``factory``, a picklable
zero-argument callable (``functools.partial(RdflibStore.from_root, root)``). After a
timeout or a memory kill the worker is gone; the next query starts a new one, so
the calling process stays usable. One worker answers one query at a time (calls
from several threads wait their turn).

>>> import functools
>>> from hetao_kg.store import RdflibStore, QueryTimeout
>>> with LimitedStore(functools.partial(RdflibStore.from_root, None), timeout=20) as store:
...     store.ask("ASK { ?u a hto:University }")
True
"""

from __future__ import annotations

import math
import os
import pickle
import threading
from typing import Any, Callable, Mapping

from rdflib.term import Node

from .base import QueryError, QueryMemoryExceeded, QueryTimeout, QueryTooLarge, Rows, SelectAsk, Store

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_MAX_QUERY_BYTES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "LimitedStore",
    "limit_settings",
    "memory_store",
]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_MEMORY = 512 * 2**20
DEFAULT_MAX_QUERY_BYTES = 256 * 2**10
#: Building the store (parsing the data on a cold cache) is not the query's time.
STARTUP_TIMEOUT = 600.0
#: bytes the socket between a worker and its caller may hold unread (asked of the kernel,
#: which caps it at ``net.core.wmem_max``): with the default 208 KB the worker sat blocked
#: in ``send`` on the endpoint's larger answers (up to 250 KB of JSON) until the busy
#: server read them, 28% of its samples under load (py-spy); it now writes the answer
#: whole and takes the next query
SOCKET_BUFFER = 2**20

_UNSET: Any = object()


def _env_number(name: str, default: float | None, scale: float = 1) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value < 0 or math.isnan(value):
        raise ValueError(f"{name}={raw!r} must be 0 (no limit) or positive")
    return value * scale


def _off(value: float | None) -> float | None:
    """0, ``None`` and infinity all mean "no limit"."""
    return None if value is None or value <= 0 or math.isinf(value) else value


def limit_settings(
    *, timeout: Any = _UNSET, max_rows: Any = _UNSET, max_memory: Any = _UNSET, max_query_bytes: Any = _UNSET
) -> dict[str, float | None]:
    """The limits to use: explicit arguments, else the environment, else the defaults.

    ``0`` (or ``None`` given explicitly) turns a limit off.

    >>> limit_settings(timeout=5)["timeout"], limit_settings(timeout=0)["timeout"]
    (5, None)
    """
    env = {
        "timeout": _env_number("HETAO_KG_TIMEOUT", DEFAULT_TIMEOUT),
        "max_rows": _env_number("HETAO_KG_MAX_ROWS", DEFAULT_MAX_ROWS),
        "max_memory": _env_number("HETAO_KG_MAX_MEMORY", DEFAULT_MAX_MEMORY, 2**20),
        "max_query_bytes": _env_number("HETAO_KG_MAX_QUERY_BYTES", DEFAULT_MAX_QUERY_BYTES),
    }
    given = {"timeout": timeout, "max_rows": max_rows, "max_memory": max_memory, "max_query_bytes": max_query_bytes}
    out = {k: _off(env[k] if v is _UNSET else v) for k, v in given.items()}
    for k in ("max_rows", "max_memory", "max_query_bytes"):
        if out[k] is not None:
            out[k] = int(out[k])
    return out


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


# --- the worker -----------------------------------------------------------------------


def _address_space() -> int:
    """The worker's current virtual memory size in bytes (Linux), else 0."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _native_threads() -> int:
    """Threads of this process, native ones included (Linux ``/proc``; else 1)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _set_memory_ceiling(max_memory: int | None) -> None:
    if not max_memory:
        return
    try:
        import resource
    except ImportError:  # not on this platform: the timeout still applies
        return
    limit = _address_space() + max_memory
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _execute(store: Store, sparql: str, bindings: Mapping[str, Node] | None, max_rows: int | None) -> Rows | bool:
    try:
        answer = store.execute(sparql, bindings, max_rows=max_rows)  # type: ignore[call-arg]
    except TypeError as exc:
        if "max_rows" not in str(exc):
            raise
        answer = store.execute(sparql, bindings)  # a store that cannot stop early: cut afterwards
    if isinstance(answer, Rows) and max_rows is not None and len(answer.rows) > max_rows:
        answer = Rows(answer.vars, answer.rows[:max_rows], truncated=True)
    return answer


def _execute_serialized(store: Store, sparql: str, bindings: Mapping[str, Node] | None, max_rows: int | None,
                        fmt: str) -> Any:
    """The answer written in ``fmt`` by a store that can write it from its own terms
    (:class:`~hetao_kg.store.answers.Serialized`); any other store's answer as :func:`_execute` gives it."""
    write = getattr(store, "execute_serialized", None)
    if write is None:
        return _execute(store, sparql, bindings, max_rows)
    return write(sparql, bindings, fmt=fmt, max_rows=max_rows)


def _send_error(conn, exc: BaseException) -> None:
    """Send an exception as (type, message, attributes): many exceptions cannot be
    pickled as such (their ``__init__`` takes other arguments than ``args``)."""
    try:
        conn.send(("error", (type(exc), str(exc), dict(getattr(exc, "__dict__", {})))))
    except Exception:  # a type or an attribute that cannot cross the pipe: send the text
        conn.send(("error", (QueryError, f"{type(exc).__name__}: {exc}", {})))


def _rebuild(cls: type, message: str, attrs: dict) -> BaseException:
    exc = cls.__new__(cls)
    exc.args = (message,)
    exc.__dict__.update(attrs)
    return exc


def _die_with_parent(parent: int) -> None:
    """Exit as soon as the parent is gone, even in the middle of a runaway query (a
    ``kill -9`` of the server must not leave its worker evaluating and holding the
    database lock)."""
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(3)

    threading.Thread(target=watch, name="hetao-kg-parent-watch", daemon=True).start()


def _worker(conn, other_end, factory: Callable[[], Store], max_memory: int | None, parent: int | None = None) -> None:
    """Cut the network, build the store, then answer queries until the pipe closes.
    Never prints a traceback."""
    from .sandbox import cut_network
    from .sparql_guard import vouched

    if other_end is not None:
        other_end.close()  # so that the parent's death reaches us as end-of-file
    network = cut_network()  # before any thread starts: the filter then holds for all of them
    _die_with_parent(parent if parent is not None else os.getppid())
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        store = factory()
        conn.send(("ready", (getattr(store, "data_key", None), network)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        _send_error(conn, exc)
        return
    _set_memory_ceiling(max_memory)
    import gc

    gc.collect()
    gc.freeze()  # the loaded store lives as long as the worker: keep it out of every collection
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        sparql, bindings, max_rows, fmt, verdict = request
        try:
            with vouched(sparql, verdict):  # the caller's guard verdict, when it ran the guard
                if fmt is None:
                    answer = _execute(store, sparql, bindings, max_rows)
                else:
                    answer = _execute_serialized(store, sparql, bindings, max_rows, fmt)
            conn.send(("answer", answer))
        except MemoryError:
            answer = None  # free what can be freed before answering
            try:
                conn.send(("memory", None))
            except BaseException:  # noqa: BLE001 - the parent sees the pipe close instead
                pass
            return  # the heap may be damaged: the parent starts a fresh worker
        except RecursionError:
            _send_error(conn, QueryError("the query is nested too deeply to evaluate; simplify it"))
        except BaseException as exc:  # noqa: BLE001
            _send_error(conn, exc)


def _exec_main(fd: int) -> None:
    """The worker started as a fresh interpreter (``python -c``): read the factory
    from the pipe, then serve. The user's ``__main__`` is never imported."""
    from multiprocessing.connection import Connection

    conn = Connection(fd)
    try:
        parent, factory, max_memory = conn.recv()
    except BaseException as exc:  # noqa: BLE001 - a factory that cannot be unpickled here
        _send_error(conn, QueryError(f"the query worker could not receive its store: {type(exc).__name__}: {exc}"))
        return
    _worker(conn, None, factory, max_memory, parent)


class _Exec:
    """A worker started by ``subprocess`` with the ``multiprocessing.Process`` calls
    :class:`LimitedStore` uses (``is_alive``, ``kill``, ``join``, ``exitcode``)."""

    def __init__(self, popen) -> None:
        self.popen = popen
        self.pid = popen.pid

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()

    def join(self, timeout: float | None = None) -> None:
        import subprocess

        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()


def _roomy(*connections) -> None:
    """Ask for :data:`SOCKET_BUFFER` bytes of send and receive buffer on each connection's socket."""
    import socket

    for conn in connections:
        try:
            sock = socket.socket(fileno=os.dup(conn.fileno()))
        except (OSError, ValueError):
            continue
        with sock:
            for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
                try:
                    sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
                except OSError:
                    pass


def _exec_worker(factory: Callable[[], Store], max_memory: int | None):
    """Start the worker as a new interpreter that imports hetao-kg, not the caller's
    script: ``spawn`` and ``forkserver`` re-run the top-level code of ``__main__``
    (a plain script that queries at top level then fails with multiprocessing's
    "bootstrapping phase" error). Its import path is the caller's."""
    import socket
    import subprocess
    import sys
    from multiprocessing.connection import Connection

    ours, theirs = socket.socketpair()
    _roomy(ours, theirs)
    code = (f"import sys; sys.path[:] = {sys.path!r}; "
            f"from hetao_kg.store.limits import _exec_main; _exec_main({theirs.fileno()})")
    try:
        popen = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),),
                                 stdin=subprocess.DEVNULL, close_fds=True)
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    conn.send((os.getpid(), factory, max_memory))
    return _Exec(popen), conn


# --- the parent side -------------------------------------------------------------------------


class LimitedStore(SelectAsk):
    """A :class:`~hetao_kg.store.Store` whose queries run in a killable worker under limits.

    ``timeout`` (seconds), ``max_rows``, ``max_memory`` (bytes the evaluation may
    add to the loaded store) and ``max_query_bytes`` default to the environment
    (``HETAO_KG_TIMEOUT``, ``HETAO_KG_MAX_ROWS``, ``HETAO_KG_MAX_MEMORY`` in MB,
    ``HETAO_KG_MAX_QUERY_BYTES``) and then to the module defaults; ``0`` turns a
    limit off. ``answer_key``, when given, is a zero-argument callable returning the
    content key of the data now on disk: answers are then served from and saved to
    the on-disk answer cache (:mod:`hetao_kg.cache`) without starting the worker.
    """

    def __init__(
        self,
        factory: Callable[[], Store],
        *,
        timeout: float | None = _UNSET,
        max_rows: int | None = _UNSET,
        max_memory: int | None = _UNSET,
        max_query_bytes: int | None = _UNSET,
        answer_key: Callable[[], str] | None = None,
    ):
        settings = limit_settings(
            timeout=timeout, max_rows=max_rows, max_memory=max_memory, max_query_bytes=max_query_bytes
        )
        self.factory = factory
        self.timeout: float | None = settings["timeout"]
        self.max_rows: int | None = settings["max_rows"]
        self.max_memory: int | None = settings["max_memory"]
        self.max_query_bytes: int | None = settings["max_query_bytes"]
        self._answer_key = answer_key
        self._lookup_key: str | None = None
        self.data_key: str | None = None
        #: How the running worker is kept off the network (:func:`hetao_kg.store.sandbox.cut_network`).
        self.network: str | None = None
        self._process = None
        self._conn = None
        self._lock = threading.Lock()

    # --- worker lifecycle ----------------------------------------------------------

    def start_method(self) -> str:
        """How the next worker starts: ``"fork"`` (fast: it shares the imports) while
        this process runs one thread, else ``"exec"``, a fresh interpreter. Forking
        once threads run (a web server, a Jupyter kernel, numpy's OpenBLAS) deadlocks
        on their locks; native threads count too (a process that opened pyoxigraph has
        RocksDB's and rayon's, which Python's threading does not list)."""
        import multiprocessing  # (a command answered from the cache starts no worker)

        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 \
                and _native_threads() <= 1:
            return "fork"
        return "exec"

    def _start(self) -> None:
        if self.start_method() == "fork":
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            parent, child = ctx.Pipe()
            _roomy(parent, child)
            process = ctx.Process(
                target=_worker,
                args=(child, parent, self.factory, self.max_memory, os.getpid()),
                daemon=True,
                name="hetao-kg-query-worker",
            )
            process.start()
            child.close()
        else:
            process, parent = _exec_worker(self.factory, self.max_memory)
        self._process, self._conn = process, parent
        try:
            kind, value = self._receive(STARTUP_TIMEOUT, starting=True)
        except BaseException:
            self._kill()
            raise
        if kind == "error":
            self._kill()
            raise value
        self.data_key, self.network = value

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(5)

    def close(self) -> None:
        """Stop the worker (a later query starts a new one)."""
        with self._lock:
            if self._conn is not None and self._process is not None and self._process.is_alive():
                try:
                    self._conn.send(None)
                    self._process.join(2)
                except (OSError, ValueError):
                    pass
            self._kill()

    def __enter__(self) -> "LimitedStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self._kill()
        except Exception:
            pass

    def __getstate__(self):
        raise TypeError("a LimitedStore cannot be pickled; pass its factory instead")

    # --- one exchange with the worker ---------------------------------------------------

    def _receive(self, timeout: float | None, *, starting: bool = False):
        conn, process = self._conn, self._process
        try:
            ready = conn.poll(timeout)
        except KeyboardInterrupt:
            self._kill()
            raise
        if not ready:
            self._kill()
            if starting:
                raise QueryTimeout(f"the store did not load within {timeout:g} s")
            raise QueryTimeout(
                f"the query ran longer than the {timeout:g} s timeout and was stopped "
                "(raise it with --timeout / timeout=, or HETAO_KG_TIMEOUT)"
            )
        try:
            kind, value = conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError, TypeError, AttributeError, ImportError) as exc:
            if not isinstance(exc, (EOFError, OSError)):
                self._kill()
                raise QueryError(f"the query worker sent an answer that cannot be read ({exc})") from None
            process.join(5)
            code = process.exitcode
            error = self._death(code)  # before _kill: a store may read what the dead worker left
            self._kill()
            raise error from None
        if kind == "memory":
            self._kill()
            raise self._memory_error()
        if kind == "error":
            value = _rebuild(*value)
        return kind, value

    def _death(self, code: int | None) -> QueryError:
        """What to tell the caller about a worker that died: killed (the kernel's
        out-of-memory killer, or past the memory ceiling) is memory; a crash is a crash."""
        import signal

        if code is not None and code < 0 and -code == signal.SIGKILL:
            return self._memory_error()
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return QueryError(f"the query worker crashed ({name}) while evaluating the query; "
                              "the next query starts a fresh one")
        return QueryError(f"the query worker stopped unexpectedly (exit code {code})")

    def _memory_error(self) -> QueryMemoryExceeded:
        limit = f"the {_mb(self.max_memory)} memory ceiling" if self.max_memory else "the memory available"
        return QueryMemoryExceeded(
            f"the query needed more than {limit} and was stopped (raise it with HETAO_KG_MAX_MEMORY, in MB)"
        )

    def _check_size(self, sparql: str) -> None:
        if self.max_query_bytes is None:
            return
        size = len(sparql.encode("utf-8", "surrogatepass"))
        if size > self.max_query_bytes:
            raise QueryTooLarge(
                f"the query text is {size:,} bytes, more than the {self.max_query_bytes:,}-byte cap "
                "(HETAO_KG_MAX_QUERY_BYTES)"
            )

    # --- the Store protocol ------------------------------------------------------------------

    def execute(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows | bool:
        """Run a read-only query in the worker, under the limits."""
        self._check_size(sparql)
        cached = self._cached(sparql, bindings)
        if cached is not None:
            return cached
        return self._evaluate(sparql, bindings, None)

    def execute_serialized(self, sparql: str, *, fmt: str) -> Any:
        """Like :meth:`execute`, but a store that can (the embedded Oxigraph store) writes a
        SELECT or ASK answer in the results format ``fmt`` (``json``, ``csv``, ``tsv``) itself,
        as a :class:`~hetao_kg.store.answers.Serialized` whose bytes are what
        :func:`hetao_kg.query.results.sparql_results` writes for :meth:`execute`'s answer;
        any other answer (another store's, a CONSTRUCT, one from the answer cache) comes as
        :meth:`execute` gives it. The worker still runs the guard on the text itself."""
        self._check_size(sparql)
        cached = self._cached(sparql, None)
        if cached is not None:
            return cached
        return self._evaluate(sparql, None, fmt)

    def _evaluate(self, sparql: str, bindings: Mapping[str, Node] | None, fmt: str | None,
                  verdict: Any = None) -> Any:
        """``verdict``: the guard's :class:`~hetao_kg.store.sparql_guard.Checked` for
        ``sparql`` when this process ran it; the worker then takes it instead of lexing the
        text again (:func:`~hetao_kg.store.sparql_guard.vouched`)."""
        request = (sparql, dict(bindings) if bindings else None, self.max_rows, fmt, verdict)
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._kill()
                self._start()
            try:
                self._conn.send(request)
            except (OSError, ValueError):  # the worker died between queries: once more
                self._kill()
                self._start()
                self._conn.send(request)
            kind, value = self._receive(self.timeout)
        if kind == "error":
            raise value
        self._save(sparql, bindings, value)
        return value

    # --- the answer cache (in this process, so a hit needs no worker) -----------------------

    def lookup_key(self) -> str | None:
        """The key this store's answers are cached under, computed once (it hashes every
        input file): ``None`` without an answer cache, or when a file is missing (the
        worker then reports it properly)."""
        if self._lookup_key is None and self._answer_key is not None:
            try:
                self._lookup_key = self._answer_key()
            except Exception:  # noqa: BLE001 - reported by the worker
                return None
        return self._lookup_key

    def _cached(self, sparql: str, bindings: Mapping[str, Node] | None) -> Rows | bool | None:
        if self._answer_key is None or self.lookup_key() is None:
            return None
        from .answers import answers

        return answers().get(self._lookup_key, sparql, bindings, max_rows=self.max_rows)

    def _save(self, sparql: str, bindings: Mapping[str, Node] | None, answer: Any) -> None:
        if self._answer_key is None or self.data_key is None:
            return
        from .answers import Serialized, answers

        if isinstance(answer, Serialized):  # written once, in the worker
            answers().put_bytes(self.data_key, sparql, bindings, answer.cache_payload(), max_rows=self.max_rows)
        else:
            answers().put(self.data_key, sparql, bindings, answer, max_rows=self.max_rows)


def memory_store(root: Any = None, *, inference: bool = True, stated_only: bool = False, **limits: Any) -> LimitedStore:
    """The in-memory rdflib store of the graph below ``root``, behind the limits.

    Answers are cached on disk; a cache hit needs no worker. ``limits`` are
    :class:`LimitedStore`'s keyword arguments. ``stated_only`` leaves out the
    curators' inferences; the store's ``stated_only()`` gives that variant.
    """
    import functools

    from .base import RdflibStore

    store = LimitedStore(
        functools.partial(RdflibStore.from_root, root, inference=inference, stated_only=stated_only),
        answer_key=functools.partial(_answer_key, root, inference, stated_only),
        **limits,
    )
    if not stated_only:
        store.stated_only = functools.partial(memory_store, root, inference=inference, stated_only=True, **limits)
    return store


def _answer_key(root: Any, inference: bool, stated_only: bool = False) -> str:
    from ..data.graph import content_key
    from .base import data_key

    return data_key(content_key(root), inference=inference, stated_only=stated_only)
