"""Stage 5: the store behind every query, and the guard that keeps queries safe.

Queries are read-only and never reach the network or the file system:

* SPARQL Update and ``SERVICE <…>`` are refused (:class:`QueryRefused`);
* a dataset clause (``FROM <…>``, ``FROM NAMED <…>``) selects graphs the dataset
  holds and is refused, naming the IRI, for any other (rdflib would fetch it): the
  clause is taken out of rdflib's translated query (:func:`prepare`), and the memory
  store evaluates against a dataset it builds from the graphs named
  (:meth:`RdflibStore.execute`), so rdflib never sees an IRI to load;
* relative IRIs resolve against :data:`~hetao_kg.namespaces.QUERY_BASE` (a ``BASE``
  in the query overrides it), as on the embedded Oxigraph store;
* as a second line of defence, evaluation runs under a Python audit hook
  (rdflib's documented security mechanism) that blocks ``urllib.Request``, socket
  connections and opening files while a query runs.

The :class:`Store` protocol is what the rest of the package speaks to, in SPARQL
text, so that another store (an embedded Oxigraph, a remote endpoint) can stand in.

>>> store = RdflibStore(load())
>>> store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a hto:University }").rows[0]["n"].toPython()
6
"""

from __future__ import annotations

import contextvars
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

from rdflib import BNode, Dataset, Literal, URIRef, Variable
from rdflib.term import Node

from ..data.graph import load
from ..errors import QueryError, QueryLimitExceeded, QueryMemoryExceeded, QueryRefused, QueryTimeout, QueryTooLarge
from ..namespaces import PREFIXES, QUERY_BASE, expand
from .answers import Rows

__all__ = [
    "QueryError",
    "QueryLimitExceeded",
    "QueryMemoryExceeded",
    "QueryRefused",
    "QueryTimeout",
    "QueryTooLarge",
    "Rows",
    "Store",
    "RdflibStore",
    "SelectAsk",
    "entity_variables",
    "stable_columns",
    "guard",
    "prepare",
    "query_dataset",
    "to_term",
]


class Store(Protocol):
    """What a backend must offer: read-only SPARQL text in, rows or a boolean out.

    A store may also accept ``execute(..., max_rows=N)`` and stop after N rows
    (``Rows.truncated``); :class:`~hetao_kg.limits.LimitedStore` uses it when offered
    and otherwise cuts the answer itself.
    """

    def execute(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows | bool: ...

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows: ...

    def ask(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> bool: ...


# --- the guard ---------------------------------------------------------------

_ACTIVE: contextvars.ContextVar[list | None] = contextvars.ContextVar("hetao_kg_query_guard", default=None)
_BLOCKED_EVENTS = {"urllib.Request", "socket.connect", "socket.getaddrinfo", "socket.sendto", "ftplib.connect"}
_HOOKED = False


def _audit(event: str, args: tuple) -> None:
    blocked = _ACTIVE.get()
    if blocked is None:
        return
    if event in _BLOCKED_EVENTS:
        blocked.append(f"a query may not reach the network ({event} {args[:1]!r} blocked)")
        raise QueryRefused(blocked[-1])
    if event == "open" and args and isinstance(args[0], (str, bytes)) and not _is_code(args[0]):
        blocked.append(f"a query may not read or write files ({args[0]!r} blocked)")
        raise QueryRefused(blocked[-1])


def _is_code(path: str | bytes) -> bool:
    """Python's own lazy imports may open modules while a query runs; allow those."""
    p = path.decode() if isinstance(path, bytes) else path
    return p.endswith((".py", ".pyc", ".so", ".pth")) or "__pycache__" in p


@contextmanager
def guard() -> Iterator[None]:
    """Block network and file access in this context (an audit hook, installed once).

    >>> import urllib.request
    >>> with guard():
    ...     urllib.request.urlopen("http://127.0.0.1:9/")
    Traceback (most recent call last):
    ...
    hetao_kg.errors.QueryRefused: a query may not reach the network (urllib.Request ('http://127.0.0.1:9/',) blocked)
    """
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    blocked: list[str] = []
    token = _ACTIVE.set(blocked)
    try:
        yield
    except QueryRefused:
        raise
    except Exception as exc:
        if blocked:  # rdflib may wrap our refusal in its own exception
            raise QueryRefused(blocked[0]) from exc
        raise
    finally:
        _ACTIVE.reset(token)


# --- parsing and checks -----------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if type(node).__name__ == "ParseResults" or isinstance(node, (list, tuple)):
        for value in node:  # ParseResults is also a Mapping: walk its items
            yield from _walk(value)
    elif isinstance(node, Mapping):  # rdflib's CompValue
        for value in node.values():
            yield from _walk(value)


def prepare(sparql: str):
    """Check a query with the guard (:func:`hetao_kg.store.sparql_guard.checked`), then parse
    the guard's canonical text with rdflib; return rdflib's prepared query.

    Raises :class:`QueryError` (syntax, with line and column) or
    :class:`QueryRefused` (update, SERVICE). rdflib's parse is checked again for
    SERVICE: the memory store evaluates it. The query's dataset clause is taken out of
    the prepared query (rdflib would load the IRIs it names) and kept apart
    (:func:`query_dataset`). Relative IRIs resolve against
    :data:`~hetao_kg.namespaces.QUERY_BASE` unless the query says ``BASE``.

    >>> p = prepare("ASK FROM <org/hku> FROM NAMED inst:cityu { }")
    >>> query_dataset(p), p.algebra.datasetClause
    ((['https://w3id.org/hetao-kg/id/org/hku'], ['https://w3id.org/hetao-kg/id/org/cityu']), None)

    >>> prepare("DROP ALL")
    Traceback (most recent call last):
    ...
    hetao_kg.errors.QueryRefused: SPARQL Update is refused: hetao-kg queries are read-only
    """
    from .sparql_guard import checked

    text = checked(sparql).text
    try:
        return _prepare(text)
    except RecursionError:  # pyparsing and rdflib's algebra recurse per bracket
        raise QueryError("the query is nested too deeply to parse; simplify it") from None


def _prepare(sparql: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from .diagnose import check_terms, syntax_error

    from ..data.rdflib_eval import install

    install()  # rdflib's SPARQL is loaded now: GRAPH ?g in linear time (same answers)

    try:
        parsed = parseQuery(sparql)
    except ParseException as exc:
        try:
            parseUpdate(sparql)
        except Exception:
            raise syntax_error(sparql, exc) from None
        raise QueryRefused("SPARQL Update is refused: hetao-kg queries are read-only") from None
    for node in _walk(parsed):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: queries never call other endpoints")
    try:
        prepared = translateQuery(parsed, base=QUERY_BASE, initNs={k: str(v) for k, v in PREFIXES.items()})
    except Exception as exc:  # e.g. an undefined prefix
        raise syntax_error(sparql, exc) from None
    _strict_grammar(sparql)  # after rdflib's own diagnosis (its hints: an undefined prefix, a missing '.')
    check_terms(_walk(prepared.algebra))
    # the dataset clause leaves the query rdflib evaluates: its evaluator would load (fetch)
    # a graph it lacks; RdflibStore builds the dataset the clause describes instead
    clauses = prepared.algebra.datasetClause or ()  # CompValue: a missing key reads as None
    prepared.hetao_dataset = ([str(c.default) for c in clauses if c.default is not None],
                              [str(c.named) for c in clauses if c.named is not None])
    prepared.algebra["datasetClause"] = None
    return prepared


def query_dataset(prepared) -> tuple[list[str], list[str]]:
    """The IRIs of a prepared query's ``FROM`` and ``FROM NAMED`` clauses (absolute),
    which :func:`prepare` took out of the query rdflib evaluates."""
    return getattr(prepared, "hetao_dataset", ([], []))


def _strict_grammar(sparql: str) -> None:
    """Oxigraph's parser, which follows the SPARQL 1.1 grammar to the letter, on a query
    rdflib accepted: rdflib also takes what the grammar forbids (a VALUES row of the wrong
    width, a variable bound twice by BIND, ...), and every store answers the same queries.

    The query is parsed by an empty in-memory Oxigraph store and never evaluated on data
    (its answers are lazy and left unread).

    >>> _strict_grammar("SELECT ?x WHERE { VALUES (?x ?y) { (1) } }")
    Traceback (most recent call last):
    ...
    hetao_kg.errors.QueryError: SPARQL syntax error: line 1, column 43: expected UNDEF
    """
    import pyoxigraph as ox

    from .diagnose import oxigraph_syntax_error

    try:
        ox.Store().query(sparql, prefixes={k: str(v) for k, v in PREFIXES.items()}, base_iri=QUERY_BASE)
    except SyntaxError as exc:
        raise oxigraph_syntax_error(exc) from None
    except (ValueError, OSError, RuntimeError):
        pass  # an evaluation error on the empty store: not the grammar's business


def stable_columns(sparql: str, variables) -> tuple[str, ...]:
    """Column names; for ``SELECT *`` in order of first appearance in the query text
    (rdflib collects them in a set, whose order changes from run to run; other stores
    have orders of their own). Every store applies it.

    >>> stable_columns("SELECT * WHERE { ?b ?a ?c }", ["a", "c", "b"])
    ('b', 'a', 'c')
    """
    import re

    names = tuple(str(v) for v in variables)
    if not re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", sparql, re.IGNORECASE):
        return names

    def first(name: str) -> tuple[int, str]:
        m = re.search(rf"[?$]{re.escape(name)}\b", sparql)
        return (m.start() if m else len(sparql), name)

    return tuple(sorted(names, key=first))


def entity_variables(sparql: str, names: list[str], literal_properties: set[str]) -> list[str]:
    """Which of ``names`` the query uses as an entity: a subject, or the object of a
    property (given by IRI) that is not in ``literal_properties``."""
    algebra = prepare(sparql).algebra
    wanted, found = set(names), set()
    for node in _walk(algebra):
        if isinstance(node, Mapping) and getattr(node, "name", None) == "BGP":
            for s, p, o in node.get("triples") or ():
                if isinstance(s, Variable) and str(s) in wanted:
                    found.add(str(s))
                if isinstance(o, Variable) and str(o) in wanted and isinstance(p, URIRef) and str(p) not in literal_properties:
                    found.add(str(o))
    return [n for n in names if n in found]


def to_term(value: Any) -> Node:
    """Turn a Python value or a CLI string into an RDF term for binding.

    ``<iri>`` and compact names (``inst:hku``, ``hto:…``; the old ``kg:org/hku``
    too) become IRIs, anything else a literal.

    >>> to_term("inst:hku") == to_term("kg:org/hku") == to_term("<https://w3id.org/hetao-kg/id/org/hku>")
    True
    >>> to_term(5)
    rdflib.term.Literal('5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, str):
        if value.startswith("<") and value.endswith(">"):
            return URIRef(value[1:-1])
        iri = expand(value)
        if iri is not None:
            return iri
        if value.startswith(("http://", "https://")):
            return URIRef(value)
    return Literal(value)


# --- the rdflib store ----------------------------------------------------------------


class SelectAsk:
    """``select()`` and ``ask()`` for a store that defines ``execute()`` (a mixin)."""

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows:
        """Run a SELECT query (CONSTRUCT/DESCRIBE give rows of subject, predicate, object)."""
        answer = self.execute(sparql, bindings)
        if isinstance(answer, bool):
            raise QueryError("expected a SELECT query, got ASK (use ask())")
        return answer

    def ask(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        answer = self.execute(sparql, bindings)
        if not isinstance(answer, bool):
            raise QueryError("expected an ASK query, got a SELECT")
        return answer


def _solutions(result) -> Iterator[Mapping]:
    """The solutions of rdflib's SELECT ``result``, lazily, each once, including a solution
    that binds nothing (``SELECT * {}`` has one, as has an OPTIONAL that matched nothing over
    an empty group): iterating rdflib's result skips those, which every other store keeps."""
    pending = getattr(result, "_genbindings", None)  # rdflib 7's lazy solutions, not yet read
    if pending is not None:
        result._genbindings = None
        return iter(pending)
    return iter(result.bindings)


def data_key(content: str, *, inference: bool = True, stated_only: bool = False) -> str:
    """The key of what a store answers from: the data's content key, whether the
    entailments are included, and whether the curators' inferences are left out
    (answers are cached under it)."""
    key = content if inference else f"{content}-asserted"
    return f"{key}-stated" if stated_only else key


class RdflibStore(SelectAsk):
    """The in-memory rdflib dataset as a :class:`Store`.

    Answers are cached on disk as SPARQL JSON (:mod:`hetao_kg.cache`), keyed by the
    content of the data, the query text and its bindings: a changed data file or
    query is always evaluated afresh, and only queries that passed the safety checks
    and ran are cached. ``cache=False`` turns this off. ``data_key`` is the content
    key of the data loaded (``None`` for a dataset given by the caller).

    ``stated_only=True`` leaves out every assertion graph the curators inferred
    (see :func:`hetao_kg.graph.stated_only`).
    """

    def __init__(self, dataset: Dataset | None = None, *, root: str | Path | None = None, cache: bool = True,
                 inference: bool = True, stated_only: bool = False):
        self._dataset, self._root, self._inference = dataset, root, inference
        self._cache = cache and dataset is None
        self._lookup_key: str | None = None
        self.data_key: str | None = None
        self.stated = stated_only
        if dataset is not None and stated_only:
            from ..data.graph import stated_only as _restrict

            self._dataset = _restrict(dataset)

    def stated_only(self) -> "RdflibStore":
        """The same data without the curators' inferences, as another store."""
        if self._root is None and self._dataset is not None and not self._cache:
            return RdflibStore(self._dataset, inference=self._inference, stated_only=True)
        return RdflibStore(root=self._root, cache=self._cache, inference=self._inference, stated_only=True)

    @classmethod
    def from_root(
        cls, root: str | Path | None = None, *, cache: bool = True, inference: bool = True, stated_only: bool = False
    ) -> "RdflibStore":
        """Load the graph from ``root`` now (a picklable factory for :class:`~hetao_kg.limits.LimitedStore`)."""
        store = cls(root=root, cache=False, inference=inference, stated_only=stated_only)
        store._load(cache=cache)
        return store

    def _load(self, *, cache: bool = True) -> None:
        from ..data.graph import load_keyed

        self._dataset, key = load_keyed(self._root, cache=cache)
        self.data_key = data_key(key, inference=self._inference, stated_only=self.stated)
        if not self._inference:
            from ..data.inference import GRAPH_FROM_INFERENCES, GRAPH_INFERRED

            self._dataset.remove_graph(GRAPH_INFERRED)
            self._dataset.remove_graph(GRAPH_FROM_INFERENCES)
        if self.stated:
            from ..data.graph import stated_only

            self._dataset = stated_only(self._dataset)

    def execute(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, max_rows: int | None = None
    ) -> Rows | bool:
        """Run any read-only query: :class:`Rows` for SELECT/CONSTRUCT/DESCRIBE, bool for ASK.

        With ``max_rows``, evaluation stops after that many rows (``Rows.truncated``).
        """
        from .answers import answers

        if self._cache and self._lookup_key is None:
            from ..data.graph import content_key

            try:
                self._lookup_key = data_key(content_key(self._root), inference=self._inference, stated_only=self.stated)
            except Exception:  # let loading report a missing or broken file
                self._lookup_key = ""
        if self._cache and self._lookup_key:
            cached = answers().get(self._lookup_key, sparql, bindings, max_rows=max_rows)
            if cached is not None:
                return cached
        answer = self._run(sparql, bindings, max_rows)
        if self._cache and self.data_key:
            answers().put(self.data_key, sparql, bindings, answer, max_rows=max_rows)
        return answer

    @property
    def dataset(self) -> Dataset:
        """The rdflib dataset, loaded (from ``root``, or the installed data) on first use."""
        if self._dataset is None:
            self._load()
        return self._dataset

    def _run(self, sparql: str, bindings: Mapping[str, Node] | None, max_rows: int | None = None) -> Rows | bool:
        from itertools import islice

        prepared = prepare(sparql)
        init = {Variable(k): to_term(v) for k, v in (bindings or {}).items()}
        dataset = self.dataset
        stop = None if max_rows is None else max_rows + 1
        selected = query_dataset(prepared)
        if selected[0] or selected[1]:  # refused before anything runs: graphs are never fetched
            from .dataset import graph_names, refuse_missing

            refuse_missing(selected, graph_names(self))
        try:
            with guard():
                if selected[0] or selected[1]:
                    result = _evaluate_on(_selected_dataset(dataset, *selected), prepared, init)
                else:
                    result = dataset.query(prepared, initBindings=init)
                if result.type == "ASK":
                    return bool(result.askAnswer)
                if result.type == "SELECT":
                    names = stable_columns(sparql, result.vars)
                    rows = [{str(v): solution.get(v) for v in result.vars}
                            for solution in islice(_solutions(result), stop)]
                else:
                    names = ("subject", "predicate", "object")
                    rows = [dict(zip(names, t)) for t in islice(result.graph, stop)]
        except (QueryRefused, QueryError, MemoryError):
            raise  # MemoryError: the limits' worker reports it as QueryMemoryExceeded
        except RecursionError:
            raise QueryError("the query is nested too deeply to evaluate; simplify it") from None
        except Exception as exc:  # rdflib evaluation errors surface as many types
            raise QueryError(f"query evaluation failed: {type(exc).__name__}: {exc}") from None
        if max_rows is not None and len(rows) > max_rows:
            return Rows(names, rows[:max_rows], truncated=True)
        return Rows(names, rows)


def _selected_dataset(dataset: Dataset, defaults: list[str], named: list[str]):
    """The dataset a ``FROM`` / ``FROM NAMED`` clause describes, built from graphs
    ``dataset`` holds (SPARQL 1.1 Query §13.2): a default graph that merges the ``FROM``
    graphs (empty when there are none), and exactly the ``FROM NAMED`` graphs as named
    graphs. Returns (dataset of the named graphs, default graph)."""
    from rdflib import Graph

    default = Graph()
    for iri in dict.fromkeys(defaults):
        default += dataset.get_context(URIRef(iri))
    chosen = Dataset()  # not a union: its own default graph stays empty and is never a named graph
    for iri in dict.fromkeys(named):
        graph = chosen.graph(URIRef(iri))
        graph += dataset.get_context(URIRef(iri))
    return chosen, default


def _evaluate_on(selected, prepared, init):
    """Evaluate ``prepared`` (its dataset clause taken out) with ``selected`` as its
    dataset: rdflib's evalQuery, but with the default graph set here, since rdflib
    would take the union of every graph (``SPARQL_DEFAULT_GRAPH_UNION``) or load
    what a dataset clause names."""
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.processor import SPARQLResult
    from rdflib.plugins.sparql.sparql import QueryContext

    chosen, default = selected
    ctx = QueryContext(chosen, initBindings=init)
    ctx.graph = default
    ctx.prologue = prepared.prologue
    return SPARQLResult(evalPart(ctx, prepared.algebra))
