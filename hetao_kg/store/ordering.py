"""A SELECT's final ``ORDER BY``, applied in Python to Oxigraph's unordered rows.

pyoxigraph 0.5 sorts by decoding both compared terms of every comparison; on a RocksDB
store each decoding is a read of the database, so ordering 74k rows of ``network-labels``
took 4.7 s at 350k triples against 0.5 s for the rows themselves. (Oxigraph's main branch
decodes each row's keys once, ``spareval: compute ordering vector only once``, 2026-08;
no 0.5 release has it.) Here the rows are asked without the clause and sorted as
Oxigraph's ``cmp_terms`` sorts them: unbound, then blank nodes, then IRIs (by their
text), then literals. Only key columns whose literals Oxigraph orders by a total order
this module can reproduce exactly are sorted here; for any other answer
:func:`sort_rows` gives ``None`` and the caller asks Oxigraph with the clause.

The keys read are the simple ones the named queries use: ``?v``, ``ASC(?v)``,
``DESC(?v)`` and ``(BOUND(?v))``, each naming a variable of the answer. A query whose
``ORDER BY`` has anything else, or a ``LIMIT`` / ``OFFSET`` / ``VALUES`` after it, is
left to Oxigraph as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, Sequence

__all__ = ["OrderKey", "FinalOrder", "final_order", "sort_rows"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# literals Oxigraph orders by (lexical form, datatype, language) alone: every pair of
# them either compares that way or, for two strings (or two strings of one language),
# by value, which the tuple order agrees with
_BY_TUPLE = frozenset({_XSD + "string", _RDF_LANG_STRING, _XSD + "boolean", _XSD + "anyURI"})
# the lexical forms Oxigraph reads as numbers (``i64::from_str``; oxsdatatypes' Decimal, an
# i128 of 10^-18 units): any other form, huge or with digits Python's Decimal also reads
# ("1_000", " 7", "1e3", Arabic-Indic digits), is to Oxigraph a literal it compares with a
# number by its lexical form, which no order by value reproduces
_NUMBER_FORMS = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+\Z", re.ASCII),
    _XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z", re.ASCII),
}
_NUMBERS = frozenset(_NUMBER_FORMS)
_I64 = (-(2 ** 63), 2 ** 63 - 1)
_I128 = (-(2 ** 127), 2 ** 127 - 1)
# dates whose lexical order is their order in time: no time zone, four-digit years
_LEXICAL_TIME = {
    _XSD + "date": re.compile(r"\d{4}-\d{2}-\d{2}\Z"),
    _XSD + "dateTime": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\Z"),
    _XSD + "gYear": re.compile(r"\d{4}\Z"),
}


#: the words of the solution modifiers that may only follow an ``ORDER BY``, and itself
_AFTER_ORDER = frozenset({"ORDER", "LIMIT", "OFFSET", "VALUES"})


class OrderKey(NamedTuple):
    """One key of an ``ORDER BY``: the variable (without ``?``), whether descending, and
    whether the key is ``BOUND(?variable)`` rather than the variable's value."""

    variable: str
    descending: bool = False
    bound: bool = False


class FinalOrder(NamedTuple):
    """A query's final ``ORDER BY`` read by :func:`final_order`: the text without it and its keys."""

    unordered: str
    keys: tuple[OrderKey, ...]


@lru_cache(maxsize=512)
def final_order(text: str) -> FinalOrder | None:
    """The final ``ORDER BY`` of a SELECT text made only of simple keys, or ``None``.

    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s DESC(?p)").keys
    (OrderKey(variable='s', descending=False, bound=False), OrderKey(variable='p', descending=True, bound=False))
    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s").unordered
    'SELECT ?s WHERE { ?s ?p ?o } '
    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3") is None
    True
    """
    from .sparql_guard import QueryError, _expand_codepoints, _lex, _write

    try:
        toks, gaps = _lex(_expand_codepoints(text))
    except QueryError:
        return None
    depth = 0
    order_at = -1
    modifiers = 0  # ORDER, LIMIT, OFFSET and VALUES outside every bracket
    for i, tok in enumerate(toks):
        if tok.kind == "PUNCT" and tok.text in "{([":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text in "})]":
            depth -= 1
        elif depth == 0 and tok.kind == "NAME" and tok.text.upper() in _AFTER_ORDER:
            modifiers += 1
            if (tok.text.upper() == "ORDER" and i + 1 < len(toks) and toks[i + 1].text.upper() == "BY"
                    and modifiers == 1):
                order_at = i
    # none of them may come before the ORDER BY: a text "... LIMIT 2 ORDER BY ?s" (or a second
    # ORDER BY) is not SPARQL, and without its ORDER BY it would be, and be answered
    if order_at < 0 or not toks or toks[0].text.upper() not in ("SELECT", "PREFIX", "BASE"):
        return None
    keys = _keys(toks[order_at + 2:])
    if not keys:
        return None
    _, pieces = _write(toks, gaps)  # the guard's canonical text, up to ORDER
    return FinalOrder("".join(pieces[: 2 * order_at + 1]), keys)


def _keys(toks: Sequence[Any]) -> tuple[OrderKey, ...]:
    """The keys of an ``ORDER BY`` running to the end of the text; empty if any key is
    not ``?v``, ``ASC(?v)``, ``DESC(?v)`` or ``(BOUND(?v))``."""
    words = [(t.kind, t.text.upper() if t.kind == "NAME" else t.text) for t in toks]
    out: list[OrderKey] = []
    i = 0
    while i < len(words):
        kind, word = words[i]
        if kind == "VAR":
            out.append(OrderKey(word[1:]))
            i += 1
        elif (kind == "NAME" and word in ("ASC", "DESC") and words[i + 1: i + 2] == [("PUNCT", "(")]
              and i + 3 < len(words) and words[i + 2][0] == "VAR" and words[i + 3] == ("PUNCT", ")")):
            out.append(OrderKey(words[i + 2][1][1:], descending=word == "DESC"))
            i += 4
        elif (words[i: i + 3] == [("PUNCT", "("), ("NAME", "BOUND"), ("PUNCT", "(")] and i + 5 < len(words)
              and words[i + 3][0] == "VAR" and words[i + 4: i + 6] == [("PUNCT", ")"), ("PUNCT", ")")]):
            out.append(OrderKey(words[i + 3][1][1:], bound=True))
            i += 6
        else:
            return ()
    return tuple(out)


def sort_rows(rows: list, variables: Sequence[str], keys: Sequence[OrderKey]) -> list | None:
    """``rows`` (pyoxigraph solutions, or sequences of terms in ``variables`` order)
    sorted by ``keys`` as Oxigraph's ``ORDER BY`` sorts them, or ``None`` when a key
    is not a variable of the answer, its column holds literals whose order is not
    reproduced here (a mix of numbers and strings, dates with time zones, doubles), or
    two different rows tie on every key (Oxigraph's unstable sort orders them its own way).

    >>> import pyoxigraph as ox
    >>> rows = [[ox.Literal("b")], [ox.NamedNode("http://x/a")], [None], [ox.Literal("a", language="en")]]
    >>> [r[0] for r in sort_rows(rows, ["v"], [OrderKey("v")])]
    [None, <NamedNode value=http://x/a>, <Literal value=a language=en>, <Literal value=b datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>]
    """
    variables = list(variables)
    if any(key.variable not in variables for key in keys):
        return None
    ordinals: dict[int, dict] = {}  # per column: each distinct term's place in Oxigraph's order
    columns = []
    for key in keys:
        i = variables.index(key.variable)
        values = [row[i] for row in rows]  # one term object per cell, read once
        if key.bound:
            column = [0 if v is None else 1 for v in values]
        else:
            if i not in ordinals:
                rank = _column_rank(values)
                if rank is None:
                    return None
                places = {r: n for n, r in enumerate(sorted(set(rank.values())))}  # equal keys, equal places
                ordinals[i] = {term: places[r] for term, r in rank.items()}
            place = ordinals[i]
            column = [place[v] for v in values]
        columns.append([-n for n in column] if key.descending else column)
    by_row = list(zip(*columns))
    order = sorted(range(len(rows)), key=by_row.__getitem__)
    # Oxigraph sorts with Rust's sort_unstable_by: rows whose keys tie but which differ
    # come back in an order of its own, not the order they had (kept by Python's sort)
    for a, b in zip(order, order[1:]):
        if by_row[a] == by_row[b] and tuple(rows[a]) != tuple(rows[b]):
            return None
    return [rows[j] for j in order]


def _number(lexical: str, datatype: str) -> Decimal | None:
    """The value Oxigraph gives a number's lexical form, or ``None`` where Oxigraph keeps
    it as an unparsed literal (not its grammar, out of ``i64`` for an integer, more than
    18 fractional digits or out of range for a decimal)."""
    if not _NUMBER_FORMS[datatype].match(lexical):
        return None
    try:
        value = Decimal(lexical)
    except InvalidOperation:
        return None
    if datatype == _XSD + "integer":
        return value if _I64[0] <= value <= _I64[1] else None
    whole, _, fraction = lexical.lstrip("+-").partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > 18:
        return None
    units = int((whole or "0") + fraction.ljust(18, "0"))  # the i128 Oxigraph holds
    return value if _I128[0] <= (-units if lexical.startswith("-") else units) <= _I128[1] else None


def _column_rank(values: list) -> dict | None:
    """Each distinct value of a column mapped to a key Python orders as Oxigraph does, or
    ``None`` if the column's literals are not all of one class reproduced here."""
    import pyoxigraph as ox

    rank: dict = {}
    literal_class = None
    for term in values:
        if term in rank:
            continue
        if term is None:
            rank[term] = (0,)
        elif isinstance(term, ox.BlankNode):
            rank[term] = (1, term.value)
        elif isinstance(term, ox.NamedNode):
            rank[term] = (2, term.value)
        elif isinstance(term, ox.Literal):
            language = term.language
            # the datatype as given: a tagged string with a base direction (SPARQL 1.2,
            # "a"@en--ltr) is an rdf:dirLangString, which Oxigraph sorts apart (left to it)
            datatype = term.datatype.value
            # flat keys (nested tuples compare slower): an untagged literal's language
            # sorts before every tag, as Rust's None before Some
            if datatype in _BY_TUPLE:
                kind, key = "tuple", (3, term.value, datatype, 1 if language else 0, language or "")
            elif datatype in _NUMBERS:
                value = _number(term.value, datatype)
                if value is None:
                    return None
                kind, key = "number", (3, value)
            elif datatype in _LEXICAL_TIME and _LEXICAL_TIME[datatype].match(term.value):
                kind, key = datatype, (3, term.value)
            else:
                return None
            if literal_class is None:
                literal_class = kind
            elif literal_class != kind:
                return None
            rank[term] = key
        else:  # a quoted triple
            return None
    return rank
