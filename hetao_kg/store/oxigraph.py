"""The embedded store: a persistent pyoxigraph (RocksDB) database in a directory, queried.

The database is built by :mod:`hetao_kg.store.database` (from ``ontology/`` and
``graph_data/`` plus the derived graphs, named by the hash of all its inputs and of the
code that builds it), in a temporary directory renamed into place only when complete; the
code here opens it and answers queries, and is part of the answer cache's key, not of the
database's.

Answers match the in-memory rdflib store:

* the default graph holds the union of all graphs, deduplicated (pyoxigraph 0.5's
  union default graph yields a triple once per named graph holding it);
* bound variables go in through ``VALUES`` (Oxigraph refuses to bind a variable
  the query does not project);
* terms come back as rdflib terms, ``xsd:string`` as plain literals and language
  tags in their usual case (Oxigraph lowercases them).

Layout of the store directory: ``db-<inputs hash>/`` (finished databases, each with
``hetao-kg-build.json``, on which every process that has the database open holds a
shared lock, so that no cleaning removes it from under a running server), ``.build-*``
(builds in progress or killed), ``.lock`` (held by the builder), ``.worker-*.log``
(what Rust printed while a query worker built or opened the store, until it is open).

>>> store = OxigraphStore()
>>> store.ask("ASK { ?s a hto:University }")
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from itertools import islice
from pathlib import Path
from typing import Any, Mapping

from rdflib import BNode, URIRef
from rdflib.term import Node

from ..data.graph import DataError, data_files, parse_file
from ..namespaces import PREFIXES, QUERY_BASE, canonical_lang
from ._common import evaluated_text, lang_case, literal, string_literal
from .answers import Serialized
from .formats import FAST_FORMATS, CellWriter, ask_results, cell
from .base import QueryError, QueryRefused, Rows, SelectAsk, prepare, stable_columns
from .database import (MARKER, _few_malloc_arenas, _hold, _inputs_key, build, database_info, default_location,
                       remove_databases)
from .ordering import final_order, sort_rows, top_rows, with_keys_projected

__all__ = ["OxigraphStore", "build", "database_info", "default_location", "remove_databases"]

_FORMS = {"SelectQuery", "ConstructQuery", "DescribeQuery", "AskQuery"}
_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^<>]*)> is not supported")
#: how many functions unknown to Oxigraph one query may call (each costs a retry of its planning)
MAX_UNKNOWN_FUNCTIONS = 16
#: the most quads a store opened with ``in_memory=True`` copies into pyoxigraph's in-memory
#: store (the project's data: 13,296; the 35k scale set about 100,000); a larger one is
#: evaluated where it lies, in RocksDB
MEMORY_COPY_MAX_QUADS = 250_000


def _no_value(*_args: Any) -> None:
    """An extension function nobody defined: an error, so the expression is left unbound."""
    return None


def query_unknown_functions_unbound(db, text: str, **options: Any):
    """``db.query(text, **options)`` where a call of a function Oxigraph does not know
    raises an error inside the expression, leaving its value unbound (SPARQL 1.1 §17.6:
    an unknown function is an evaluation error), as the memory store does; Oxigraph
    itself refuses the whole query (W3C syntax-query syntax-select-expr-04).

    >>> import pyoxigraph as ox
    >>> [s["F"] for s in query_unknown_functions_unbound(ox.Store(), "SELECT (<http://ex/f>(1) AS ?F) {}")]
    [None]
    """
    import pyoxigraph as ox

    functions: dict = {}
    while True:
        try:
            return db.query(text, custom_functions=functions or None, **options)
        except RuntimeError as exc:
            found = _UNKNOWN_FUNCTION.search(str(exc))
            if found is None or len(functions) >= MAX_UNKNOWN_FUNCTIONS:
                raise
            name = ox.NamedNode(found.group(1))
            if name in functions:
                raise
            functions[name] = _no_value


_NEW_STR = str.__new__
_STRING_TYPES = frozenset({"http://www.w3.org/2001/XMLSchema#string",
                           "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})


def _to_rdflib(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _NEW_STR(URIRef, term.value)  # an IRI Oxigraph parsed: rdflib's check would only repeat its own
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _STRING_TYPES:  # most of any answer: labels, quotes
            return string_literal(term.value, term.language)
        return literal(term.value, lang=term.language, datatype=datatype)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise QueryError(f"unsupported RDF term in an answer: {term!r}")


def _answer_key(root: str | Path | None, inference: bool = True, stated_only: bool = False,
                in_memory: bool = False) -> str:
    """The answer-cache key of a variant (its answers are kept apart from other stores', and
    those of a store evaluated in memory from the RocksDB ones: a query without a total
    ``ORDER BY`` may list its rows in another order there)."""
    return _answers_of(_inputs_key(root, inference, stated_only), in_memory)  # data, flags, the build, pyoxigraph


#: the modules whose code shapes an embedded store's answers (beside the build's, in the database's key)
_ANSWERING_CODE = ("oxigraph.py", "ordering.py", "formats.py", "_common.py", "sparql_guard.py",
                   "../namespaces.py")


def _answers_of(database_key: str, in_memory: bool = False) -> str:
    """The answer-cache key of the database ``db-<database_key>``: its key and the code that
    answers (:data:`_ANSWERING_CODE`), so that a change to that code never serves an
    answer it gave before."""
    digest = hashlib.sha256(database_key.encode())
    package = Path(__file__).resolve().parent
    for name in _ANSWERING_CODE:
        digest.update((package / name).read_bytes())
    key = f"oxigraph-{digest.hexdigest()[:24]}"
    return f"{key}-memory" if in_memory else key


class OxigraphStore(SelectAsk):
    """The embedded pyoxigraph store as a :class:`~hetao_kg.store.Store`.

    ``location`` is the store directory (default :func:`default_location`); ``root``
    the data (default: the installed data). The database is built on first use and
    opened read-only, lazily: an ``OxigraphStore`` can be pickled and sent to a
    worker process before it opens anything (RocksDB must not be opened before a fork).

    ``in_memory``: once opened, a database of at most :data:`MEMORY_COPY_MAX_QUADS` quads
    is copied into pyoxigraph's in-memory store and queries are evaluated there (the
    endpoint's query workers: 2.5-3x less CPU per query than RocksDB's read path; the copy
    takes 0.1 s for the project's data). Every named query has a total ``ORDER BY``, so
    its rows come in the same order either way; a query without one may list its rows in
    another order than on RocksDB (SPARQL leaves that order to the engine).
    """

    def __init__(self, location: str | Path | None = None, *, root: str | Path | None = None,
                 inference: bool = True, stated_only: bool = False, in_memory: bool = False):
        self.location = Path(location) if location else default_location()
        self.root = root
        self.inference, self.stated = inference, stated_only
        self.in_memory = in_memory
        self._db: Any = None
        self._in_use: Any = None
        self.path: Path | None = None
        self.data_key: str | None = None

    @classmethod
    def opened(cls, location: str | Path | None = None, root: str | Path | None = None, *,
               inference: bool = True, stated_only: bool = False, quiet: bool = False,
               native_log: str | Path | None = None, in_memory: bool = False) -> "OxigraphStore":
        """A store built and opened now (what :class:`~hetao_kg.limits.LimitedStore` builds in its worker).

        ``quiet`` keeps Rust's own output (written to file descriptor 2, not through
        Python) from the user: while the store is built and opened it goes to
        ``native_log`` (the caller reads it if this process dies: an allocation failure
        makes Rust abort with a message and, under ``RUST_BACKTRACE``, a backtrace),
        while Python's warnings (an ill-typed literal in the data) still reach stderr;
        once the store is open, file descriptor 2 goes to ``/dev/null`` (a query that
        exhausts the worker's memory ceiling aborts the same way, and the worker's
        death is reported to the caller as one clear error).
        """
        store = cls(location, root=root, inference=inference, stated_only=stated_only, in_memory=in_memory)
        if not quiet:
            store.open()
            return store
        with _native_stderr_to(native_log):
            store.open()
        # from now on Rust's words (an allocation failure, a stack overflow) go to the log,
        # so that the caller can say which one killed this worker
        try:
            target = os.open(native_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except (OSError, TypeError):
            target = os.open(os.devnull, os.O_WRONLY)
        os.dup2(target, 2)
        os.close(target)
        return store

    def __getstate__(self) -> dict:
        return {"location": self.location, "root": self.root, "inference": self.inference, "stated": self.stated,
                "in_memory": self.in_memory, "_db": None, "_in_use": None, "path": None, "data_key": None}

    def stated_only(self) -> "OxigraphStore":
        """The same data without the curators' inferences, as another store (its own database)."""
        return OxigraphStore(self.location, root=self.root, inference=self.inference, stated_only=True,
                             in_memory=self.in_memory)

    def open(self):
        """The opened (read-only) pyoxigraph store, built first if needed."""
        if self._db is None:
            import pyoxigraph as ox

            _few_malloc_arenas()
            try:
                for attempt in range(2):
                    for _ in range(3):  # the database could be removed between its build and our lock
                        self.path = build(self.location, root=self.root, inference=self.inference,
                                          stated_only=self.stated)
                        self._in_use = _hold(self.path)  # released when this process ends or closes the store
                        if self._in_use is not None:
                            break
                    try:
                        self._db = ox.Store.read_only(str(self.path))
                        break
                    except (OSError, RuntimeError, ValueError) as exc:  # RocksDB: "Corruption: …", a missing file
                        if attempt or (isinstance(exc, OSError) and not _under(exc.filename, self.path)):
                            raise
                        self._set_aside_damaged(exc)
            except OSError as exc:
                if not _under(exc.filename, self.location):
                    raise
                raise _place_error(self.location, exc) from None
            except BaseException as exc:
                if not _is_panic(exc):
                    raise
                raise _panic_error(exc, self.root, self.location) from None
            self.data_key = _answers_of(self.path.name[3:], self.in_memory)  # the bytes it was built from
            if self.in_memory:
                self._db = _in_memory(self._db, self.path)
        return self._db

    def _set_aside_damaged(self, exc: BaseException) -> None:
        """The finished database cannot be opened (a damaged file, e.g. an empty ``CURRENT``):
        say so in one line, move it out of the way (the next build removes it) and build
        afresh: it is derived from the data."""
        import uuid
        import warnings

        said = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        warnings.warn(f"the embedded store {self.path} is damaged ({said}); rebuilding it from the data", stacklevel=3)
        if self._in_use is not None:
            self._in_use.close()
            self._in_use = None
        with contextlib.suppress(OSError):
            os.rename(self.path, self.location / f".build-damaged-{uuid.uuid4().hex[:12]}")

    def info(self) -> dict:
        """What the build recorded: inputs hash, data root, number of quads, build seconds."""
        self.open()
        return json.loads((self.path / MARKER).read_text(encoding="utf-8"))

    def execute(self, sparql: str, bindings: Mapping[str, Node] | None = None, *,
                max_rows: int | None = None) -> Rows | bool:
        """Run any read-only query: :class:`Rows` for SELECT/CONSTRUCT/DESCRIBE, bool for ASK.

        With ``max_rows``, evaluation stops after that many rows (``Rows.truncated`` set).
        """
        return self._answer(sparql, bindings, max_rows, None)

    def execute_serialized(self, sparql: str, bindings: Mapping[str, Node] | None = None, *, fmt: str,
                           max_rows: int | None = None) -> Serialized | Rows:
        """A SELECT or ASK answer written in the results format ``fmt`` (``json``, ``csv`` or
        ``tsv``) straight from Oxigraph's terms: the bytes
        :func:`hetao_kg.query.results.sparql_results` writes for :meth:`execute`'s answer,
        without an rdflib term per value. A CONSTRUCT or DESCRIBE answer comes back as
        :meth:`execute` gives it (:class:`Rows`).

        >>> OxigraphStore().execute_serialized("ASK { ?s a hto:University }", fmt="tsv").data
        b'?_askResult\\ntrue\\n'
        """
        if fmt not in FAST_FORMATS:
            raise ValueError(f"cannot write {fmt!r} here; choose from {', '.join(FAST_FORMATS)}")
        return self._answer(sparql, bindings, max_rows, fmt)

    def _answer(self, sparql: str, bindings: Mapping[str, Node] | None, max_rows: int | None,
                fmt: str | None) -> Rows | bool | Serialized:
        # the guard: nothing reaches Oxigraph before it passed, and Oxigraph reads the
        # guard's canonical text, never the text as given
        text, form = evaluated_text(sparql, bindings)
        if form not in _FORMS:
            raise QueryRefused(f"unsupported query form {form}")
        db = self.open()
        import pyoxigraph as ox

        from .sparql_guard import checked

        defaults, named = checked(sparql).dataset
        for iri in (*defaults, *named):  # FROM selects graphs this store holds; anything else would need fetching
            try:
                held = db.contains_named_graph(ox.NamedNode(iri))
            except ValueError:  # not an IRI Oxigraph accepts: not a graph it holds
                held = False
            if not held:
                raise QueryRefused(f"<{iri}> is refused: it is not a graph of the hetao-kg dataset, and graphs "
                                   "are never fetched (FROM and FROM NAMED select graphs it holds)")
        try:
            result, rows = _evaluated(db, text, form)
            if form == "AskQuery":
                return bool(result) if fmt is None else _ask_serialized(bool(result), fmt)
            rows = rows if max_rows is None else islice(rows, max_rows + 1)
            if form == "SelectQuery" and fmt is not None:
                return _select_serialized(sparql, result, rows, max_rows, fmt)
            seen: dict = {}  # answers repeat terms (properties, graphs, kinds): convert each once

            def conv(term):
                found = seen.get(term)
                if found is None and term is not None:
                    found = seen[term] = _to_rdflib(term)
                return found

            if form == "SelectQuery":
                order = tuple(v.value for v in result.variables)
                out = lang_case(sparql, [dict(zip(order, map(conv, row))) for row in rows])
                names = stable_columns(sparql, order)
            else:
                names = ("subject", "predicate", "object")
                out = [dict(zip(names, (conv(t.subject), conv(t.predicate), conv(t.object)))) for t in rows]
            if max_rows is not None and len(out) > max_rows:
                return Rows(names, out[:max_rows], truncated=True)
            return Rows(names, out)
        except SyntaxError as exc:
            raise _syntax_error(sparql, exc) from None
        except (ValueError, OSError, RuntimeError) as exc:
            raise QueryError(f"query evaluation failed: {exc}") from None
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            raise QueryError(f"Oxigraph failed on this query (an internal error: {_panic_text(exc)})") from None


def _evaluated(db, text: str, form: str) -> tuple[Any, Any]:
    """Oxigraph's answer to ``text`` and its rows. A SELECT whose final ``ORDER BY`` has
    simple keys (and maybe a ``LIMIT`` / ``OFFSET``) is asked without them and its rows
    sorted and cut here (:mod:`hetao_kg.store.ordering`: pyoxigraph 0.5 reads both terms of
    every comparison from the database, 350k triples, ``network-labels`` 4.7 s ordered,
    0.5 s not; and it aborts on some columns that mix kinds of literal). An answer whose
    rows tie where Oxigraph's own order is wanted is asked again with the clause."""
    options = {"prefixes": {k: str(v) for k, v in PREFIXES.items()}, "base_iri": QUERY_BASE}
    order = final_order(text) if form == "SelectQuery" and text not in _ENGINE_ORDERED else None
    widened = with_keys_projected(order) if order is not None else None
    if widened is not None:  # keys the text does not select: asked for too, sorted by, then dropped
        try:
            answer = _sorted_by_hidden_keys(query_unknown_functions_unbound(db, widened[0], **options), order,
                                            *widened[1:])
        except SyntaxError:  # Oxigraph refuses the key in the projection: the text as written decides
            answer = None
        if answer is not None:
            return answer
    elif order is not None:
        result = query_unknown_functions_unbound(db, order.unordered, **options)
        variables = [v.value for v in result.variables]
        # each solution read once into a tuple: the sort and the conversion share its terms
        if order.sliced:
            rows = top_rows(map(tuple, result), variables, order.keys, offset=order.offset, limit=order.limit)
        else:
            rows = sort_rows(list(map(tuple, result)), variables, order.keys)
        if rows is not None:
            return result, rows
    if order is not None:
        if len(_ENGINE_ORDERED) >= 256:
            _ENGINE_ORDERED.clear()
        _ENGINE_ORDERED.add(text)  # asked twice once; next time the engine sorts it at once
    result = query_unknown_functions_unbound(db, text, **options)
    return result, result


class _Projected:
    """An answer's ``variables`` without the keys added to its projection."""

    def __init__(self, variables: list):
        self.variables = variables


def _sorted_by_hidden_keys(result: Any, order: Any, hidden: int, distinct: bool) -> tuple[Any, list] | None:
    """The rows of ``result`` (the text with ``hidden`` key variables added at the end of its
    projection) in ``order`` (as :func:`sort_rows` / :func:`top_rows` sort them), those columns
    dropped, then (``distinct``) repeats after the first removed, then ``OFFSET`` / ``LIMIT``:
    SPARQL's ORDER BY, projection, DISTINCT, slice. ``None`` where Oxigraph's own order is
    wanted (:func:`sort_rows`: rows that tie in columns it orders consistently)."""
    variables = [v.value for v in result.variables]
    whole = distinct or order.limit is None
    if whole:
        rows = sort_rows(list(map(tuple, result)), variables, order.keys)
        if rows is None:
            return None
    else:
        rows = top_rows(map(tuple, result), variables, order.keys, offset=order.offset, limit=order.limit)
    width = len(variables) - hidden
    rows = [row[:width] for row in rows]  # type: ignore[union-attr]
    if distinct:
        rows = list(dict.fromkeys(rows))
    if whole:
        rows = rows[order.offset: None if order.limit is None else order.offset + order.limit]
    return _Projected(result.variables[:width]), rows


#: texts whose answer held rows that tie on every key in a column Oxigraph orders
#: consistently (its unstable sort decides their order)
_ENGINE_ORDERED: set[str] = set()


def _in_memory(db, path: Path):
    """``db`` copied into pyoxigraph's in-memory store (named graphs and all), when it holds
    at most :data:`MEMORY_COPY_MAX_QUADS` quads (as its build recorded); else ``db`` itself."""
    import pyoxigraph as ox

    try:
        quads = int(json.loads((path / MARKER).read_text(encoding="utf-8"))["quads"])
    except (OSError, ValueError, KeyError, TypeError):
        return db
    if quads > MEMORY_COPY_MAX_QUADS:
        return db
    memory = ox.Store()
    memory.bulk_extend(db.quads_for_pattern(None, None, None, None))
    for graph in db.named_graphs():  # a named graph without quads too
        memory.add_graph(graph)
    return memory


def _ask_serialized(answer: bool, fmt: str) -> Serialized:
    return Serialized(fmt, ask_results(answer, fmt), json=None if fmt == "json" else ask_results(answer, "json"))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _cell(term: Any) -> tuple:
    """A pyoxigraph term as the cell (:mod:`hetao_kg.store.formats`) of the rdflib term
    :func:`_to_rdflib` makes of it: IRIs, blank nodes and strings (plain or tagged, the
    tag in BCP 47 case, as :func:`string_literal` writes it) read directly; any other
    literal through rdflib, whose lexical form is what the answers show (rdflib writes
    ``"01"^^xsd:integer`` as ``1``)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        lang = term.language
        if lang:
            return ("literal", term.value, canonical_lang(lang), None)
        if term.datatype.value == _XSD_STRING:
            return ("literal", term.value, None, None)
    return cell(_to_rdflib(term))


def _select_serialized(sparql: str, result: Any, rows: Any, max_rows: int | None, fmt: str) -> Serialized:
    """A SELECT answer written as :meth:`OxigraphStore.execute` then ``sparql_results``
    would write it: columns in :func:`stable_columns` order, ``LANG(…)`` columns in BCP 47
    case (:func:`lang_case`), cut at ``max_rows``."""
    order = tuple(v.value for v in result.variables)
    names = stable_columns(sparql, order)
    at = [order.index(n) for n in names]
    from .sparql_guard import checked

    lang_at = {i for i, n in enumerate(names) if n in checked(sparql).lang_columns}
    seen: dict = {None: None}

    def conv(term):
        found = seen.get(term)
        if found is None and term is not None:
            found = seen[term] = _cell(term)
        return found

    writer = CellWriter(names)
    same_order = at == list(range(len(order)))
    for row in rows:  # max_rows + 1 of them, read and converted as execute() does, errors alike
        cells = list(map(conv, row))
        if not same_order:
            cells = [cells[k] for k in at]
        for i in lang_at:
            found = cells[i]
            if found is not None and found[0] == "literal" and found[2] is None and found[3] is None:
                cells[i] = ("literal", canonical_lang(found[1]), None, None)
        writer.add(cells)
    truncated = max_rows is not None and len(writer.rows) > max_rows
    if truncated:
        del writer.rows[max_rows:]
    data = writer.bytes(fmt)
    return Serialized(fmt, data, truncated, None if fmt == "json" else writer.bytes("json"))


def _syntax_error(sparql: str, exc: SyntaxError) -> QueryError:
    """Oxigraph found the query malformed: rdflib's diagnosis where it has one (the
    hints: a missing '.', an undefined prefix), else Oxigraph's words at its position."""
    try:
        prepare(sparql)
    except QueryError as diagnosed:
        return diagnosed
    except Exception:  # noqa: BLE001 - the diagnosis is a courtesy; Oxigraph's word stands
        pass
    from .diagnose import oxigraph_syntax_error

    return oxigraph_syntax_error(exc)


def _under(filename: Any, location: Path) -> bool:
    if not filename:
        return False
    path, location = Path(os.fsdecode(filename)).absolute(), location.absolute()
    return path == location or location in path.parents or path in location.parents  # or a folder above it


def _place_error(location: Path, exc: OSError) -> DataError:
    """The store's folder cannot be used (a file in its place, no permission, a full disk)."""
    what = "is a file, not a folder" if location.exists() and not location.is_dir() else (exc.strerror or str(exc))
    return DataError(location, f"the embedded store cannot be kept there ({what}): choose another folder with "
                               "--store DIR or HETAO_KG_CACHE, or use --store memory")


def _is_panic(exc: BaseException) -> bool:
    """pyo3 turns a Rust panic into ``pyo3_runtime.PanicException``, a :class:`BaseException`
    (not an :class:`Exception`) of a module that cannot be imported: known by name."""
    return type(exc).__name__ == "PanicException"


def _panic_text(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or ["no message"])[0]


def _panic_error(exc: BaseException, root: str | Path | None, location: Path) -> Exception:
    """A clear error for a Rust panic while building or opening the store: the first
    input file rdflib finds wrong (file, line, what), else what Oxigraph said."""
    try:
        files = data_files(root)
        for path in (*files.ontology, *files.data):
            parse_file(path)  # raises DataError naming file, line and column
    except DataError as bad:
        return bad
    return QueryError(f"Oxigraph failed while building or opening the store in {location} "
                      f"(an internal error: {_panic_text(exc)}); remove that folder to build it afresh")


@contextlib.contextmanager
def _native_stderr_to(log: str | Path | None):
    """Point file descriptor 2 (where Rust writes) at ``log`` (or ``/dev/null``) for the
    block, while Python's ``sys.stderr`` keeps writing where it wrote before."""
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="backslashreplace", buffering=1)
    try:
        Path(log).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
        target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except (OSError, TypeError):  # no log named, or not writable: Rust's output is dropped
        target = os.open(os.devnull, os.O_WRONLY)
    os.dup2(target, 2)
    os.close(target)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)

