"""A linear-time evaluation of ``GRAPH ?g { … }`` for rdflib, same answers.

rdflib evaluates ``GRAPH ?g { P }`` with ``?g`` unbound by evaluating ``P`` once per
named graph of the dataset. With one named graph per assertion (about 90 per report)
that costs graphs x matches, so a corpus ten times larger answers about a hundred to
a thousand times slower (see ``BENCHMARKS.md``, scale). 13 of the 14 named queries,
``stats`` and the provenance check use the pattern.

:func:`eval_graph`, registered in rdflib's ``CUSTOM_EVALS`` by :func:`install` (which
:func:`hetao_kg.data.graph.load` and the query guard call, so that a process that never
evaluates SPARQL never imports rdflib's SPARQL engine; call it yourself before querying
a dataset you built otherwise),
evaluates ``P`` once over the union of the graphs (rdflib's indexes do the work) and
then, for each solution, asks the store which named graphs hold *every* triple of the
instantiated pattern: the SPARQL definition of ``GRAPH ?g`` (a solution per graph
whose triples match), computed from the other side. It handles what the queries use,
a basic graph pattern (with property paths, checked inside each candidate graph)
optionally under filters, and declines (``NotImplementedError``: rdflib's own
evaluation runs) for anything else: ``?g`` already bound or used inside the pattern,
blank nodes in the pattern, nested ``GRAPH``, a default graph that is not the union.
``tests/test_rdflib_eval.py`` runs every named query and check both ways and
requires identical answers.

:func:`install` also mends two places where rdflib 7 fails on valid SPARQL (the W3C
syntax tests ``syntax-aggregate-06/12/14`` and ``syntax-bindings-03a``), each narrowly:

* ``SUM``/``AVG``/``GROUP_CONCAT`` with ``DISTINCT`` over a solution where the
  expression is unbound raised ``NotBoundError`` (the DISTINCT test evaluated it
  without the ``try`` the update has): such a row is now skipped, as rdflib already
  skips it without ``DISTINCT`` (:func:`_distinct_use_row`);
* ``VALUES () { () }`` (rows without variables) was translated to a bare list that
  the evaluator cannot read: it is now a ``values`` part with one empty solution per
  row, and ``VALUES ?x { }`` one with none (:func:`_translate_values`).

>>> from hetao_kg.data.graph import load
>>> install()
>>> ds = load()
>>> q = "SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/hetao-kg/id/org/siqa> a ?k } }"
>>> sorted({str(r.g).rsplit("/", 1)[1] for r in ds.query(q)})
['inferred', 'siqa']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator

from rdflib import BNode, URIRef, Variable
from rdflib.paths import Path

__all__ = ["eval_graph", "install", "uninstall"]

_KEY = "hetao_kg_graph_var"


def _mentions(node: Any, var: Variable) -> bool:
    """Whether ``var`` occurs in the pattern, or the pattern has an EXISTS (evaluated per graph)."""
    if node == var or getattr(node, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        return True
    if isinstance(node, Mapping):
        return any(_mentions(v, var) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_mentions(v, var) for v in node)
    return False


def _pattern(part) -> list | None:
    """The triples of a BGP, possibly under filters; None when it is anything else."""
    inner = part
    while getattr(inner, "name", None) == "Filter":
        inner = inner.p
    if getattr(inner, "name", None) != "BGP":
        return None
    return list(inner.triples)


def eval_graph(ctx, part) -> Iterator:
    """rdflib custom evaluation of ``Graph`` parts (see the module docstring)."""
    if getattr(part, "name", None) != "Graph" or ctx.dataset is None:
        raise NotImplementedError
    var = part.term
    if not isinstance(var, Variable) or ctx[var] is not None or ctx.graph is not ctx.dataset:
        raise NotImplementedError
    if not getattr(ctx.dataset, "default_union", False):
        raise NotImplementedError
    triples = _pattern(part.p)
    if not triples or _mentions(part.p, var) or any(isinstance(t, BNode) for tr in triples for t in tr):
        raise NotImplementedError
    plain = [t for t in triples if not isinstance(t[1], Path)]
    paths = [t for t in triples if isinstance(t[1], Path)]
    if not plain:
        raise NotImplementedError
    return _solutions(ctx, part, var, plain, paths)


def _solutions(ctx, part, var, plain, paths) -> Iterator:
    from rdflib.plugins.sparql.evaluate import evalPart

    dataset = ctx.dataset
    store = dataset.store

    def value(solution, term):
        return solution.get(term) if isinstance(term, Variable) else term

    order = _graph_order(dataset)
    out: list = []
    seen: set = set()
    for solution in evalPart(ctx, part.p):
        if paths:  # a path may match once per intermediate node: count them per graph below
            key = frozenset(solution.items())
            if key in seen:
                continue
            seen.add(key)
        graphs: set | None = None
        for s, p, o in plain:
            triple = (value(solution, s), value(solution, p), value(solution, o))
            found = {getattr(c, "identifier", c) for c in store.contexts(triple)}
            graphs = found if graphs is None else graphs & found
            if not graphs:
                break
        for g in graphs or ():
            if g not in order:  # the default graph is not a named graph
                continue
            times = 1
            for s, p, o in paths:
                graph = dataset.get_context(g)
                times *= sum(1 for _ in graph.triples((value(solution, s), p, value(solution, o))))
                if not times:
                    break
            for _ in range(times):
                out.append((order[g], len(out), solution.merge({var: g})))
    # rdflib's own evaluation answers graph by graph, in the order of dataset.contexts();
    # keeping that order keeps order-sensitive answers (SAMPLE, unordered LIMIT) the same
    out.sort(key=lambda item: item[:2])
    for _, _, solution in out:
        yield solution


_ORDER: dict[int, tuple[int, dict]] = {}


def _graph_order(dataset) -> dict:
    """Named graph -> its position in ``dataset.contexts()`` (cached while the store is unchanged)."""
    stamp = len(dataset.store)
    cached = _ORDER.get(id(dataset))
    if cached is None or cached[0] != stamp:
        default = dataset.default_graph.identifier
        order = {}
        for c in dataset.contexts():
            ident = getattr(c, "identifier", c)
            if ident != default and isinstance(ident, (URIRef, BNode)):
                order.setdefault(ident, len(order))
        _ORDER.clear()
        _ORDER[id(dataset)] = cached = (stamp, order)
    return cached[1]


def _distinct_use_row(self, row) -> bool:
    """rdflib's ``Accumulator.use_row`` (the DISTINCT test of SUM, AVG, GROUP_CONCAT),
    skipping a row whose expression is unbound instead of raising ``NotBoundError``.

    >>> install()
    >>> from rdflib import Dataset
    >>> [r.y for r in Dataset().query("SELECT (SUM(DISTINCT ?x) AS ?y) { VALUES ?x { 1 1 2 UNDEF } }")]
    [rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))]
    """
    from rdflib.plugins.sparql.evalutils import _eval
    from rdflib.plugins.sparql.sparql import NotBoundError

    try:
        return _eval(self.expr, row) not in self.seen
    except NotBoundError:  # UNDEF: skipped, as the accumulators skip it without DISTINCT
        return False


_ORIGINAL_TRANSLATE_VALUES: list = []


def _translate_values(v):
    """rdflib's ``translateValues``, with rows of no variables kept (one empty solution each).

    >>> install()
    >>> from rdflib import Dataset
    >>> [len(Dataset().query(q)) for q in ("SELECT * { } VALUES () { () }", "SELECT * { } VALUES () { () () }",
    ...                                    "SELECT * { VALUES () { } }", "SELECT * { VALUES ?x { } }")]
    [1, 2, 0, 0]
    """
    from rdflib.plugins.sparql.algebra import Values

    res = _ORIGINAL_TRANSLATE_VALUES[0](v)
    if isinstance(res, list):  # rdflib gives [] for no variables or no rows: the evaluator needs a part
        rows = list(v.value or ()) if not v.var else []
        res = Values([{} for _ in rows])
    return res


def install() -> None:
    """Register :func:`eval_graph` with rdflib and mend rdflib's DISTINCT aggregates
    and variable-less VALUES (see the module docstring; idempotent)."""
    from rdflib.plugins.sparql import CUSTOM_EVALS, aggregates, algebra

    CUSTOM_EVALS[_KEY] = eval_graph
    aggregates.Accumulator.use_row = _distinct_use_row  # type: ignore[method-assign]
    if not _ORIGINAL_TRANSLATE_VALUES:
        _ORIGINAL_TRANSLATE_VALUES.append(algebra.translateValues)
        algebra.translateValues = _translate_values


def uninstall() -> None:
    """Remove it again (rdflib's own evaluation of ``GRAPH ?g``)."""
    from rdflib.plugins.sparql import CUSTOM_EVALS

    CUSTOM_EVALS.pop(_KEY, None)
