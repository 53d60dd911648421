"""A SELECT's final ``ORDER BY``, applied in Python to Oxigraph's unordered rows.

pyoxigraph 0.5 sorts by decoding both compared terms of every comparison; on a RocksDB
store each decoding is a read of the database, so ordering 74k rows of ``network-labels``
took 4.7 s at 350k triples against 0.5 s for the rows themselves. (Oxigraph's main branch
decodes each row's keys once, ``spareval: compute ordering vector only once``, 2026-08;
no 0.5 release has it.) Here the rows are asked without the clause and sorted as
Oxigraph's ``cmp_terms`` sorts them: unbound, then blank nodes, then IRIs (by their
text), then literals. Where a key column's literals are of one kind whose order this
module reproduces exactly (strings, numbers Oxigraph reads, dates without a time zone),
the rows come back exactly as Oxigraph's own ``ORDER BY`` would give them.

Any other column (numbers mixed with strings, doubles, dates with time zones, custom
datatypes) is sorted here by :func:`literal_key`, a total order of its own: Oxigraph
0.5.13 compares such literals inconsistently (by value where it can, else by their
text), and on some answers Rust's sort notices and the process aborts (SIGABRT). For
example ``SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)`` aborted on the shipped data.
SPARQL leaves the order between literals of different kinds to the engine; within a kind
:func:`literal_key` orders by value, as SPARQL's ``<`` does.

The keys read are ``?v``, ``ASC(?v)``, ``DESC(?v)`` and ``(BOUND(?v))`` (a variable the
SELECT does not select is asked for too and dropped after the sort, outside aggregate
queries: :func:`with_keys_projected`), optionally followed by ``LIMIT`` and ``OFFSET`` (applied here,
after the sort, keeping only the rows asked for while reading the answer). A query whose
``ORDER BY`` has anything else, or a ``VALUES`` after it, is left to Oxigraph as written.
"""

from __future__ import annotations

import heapq
import re
from datetime import date
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from itertools import count
from typing import Any, Iterable, NamedTuple, Sequence

__all__ = ["OrderKey", "FinalOrder", "final_order", "with_keys_projected", "sort_rows", "top_rows", "term_key",
           "literal_key"]

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
    """A query's final ``ORDER BY`` read by :func:`final_order`: the text without it (and
    without the ``LIMIT`` / ``OFFSET`` after it), its keys, and the rows to keep."""

    unordered: str
    keys: tuple[OrderKey, ...]
    offset: int = 0
    limit: int | None = None

    @property
    def sliced(self) -> bool:
        """Whether the text had a ``LIMIT`` or ``OFFSET`` after its ``ORDER BY``."""
        return self.offset > 0 or self.limit is not None


@lru_cache(maxsize=512)
def final_order(text: str) -> FinalOrder | None:
    """The final ``ORDER BY`` of a SELECT text made only of simple keys, or ``None``.

    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s DESC(?p)").keys
    (OrderKey(variable='s', descending=False, bound=False), OrderKey(variable='p', descending=True, bound=False))
    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s").unordered
    'SELECT ?s WHERE { ?s ?p ?o } '
    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3 OFFSET 1")[2:]
    (1, 3)
    >>> final_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)") is None
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
    tail, slicing = _slicing(toks[order_at + 2:])
    keys = _keys(tail)
    if not keys or slicing is None:
        return None
    _, pieces = _write(toks, gaps)  # the guard's canonical text, up to ORDER
    return FinalOrder("".join(pieces[: 2 * order_at + 1]), keys, *slicing)


#: names that make a SELECT an aggregate one: projecting one more variable there changes its groups
_AGGREGATING = frozenset({"GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


@lru_cache(maxsize=64)  # per text, like final_order: a 256 KB text takes 0.08 s to read again
def with_keys_projected(order: FinalOrder) -> tuple[str, int, bool] | None:
    """``order.unordered`` with the key variables it does not select added at the end of
    its projection, how many were added and whether the SELECT is ``DISTINCT`` or
    ``REDUCED`` (the caller then removes repeats after dropping them); ``None`` when every
    key is selected, or for ``SELECT *`` (a key it does not select is unbound in every row)
    and aggregate queries (a variable more would change the groups).

    An ``ORDER BY ?o`` of ``SELECT ?s`` was left to Oxigraph, whose sort aborts the process
    on a column mixing numbers and strings (``SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o``).

    >>> with_keys_projected(final_order("SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?o ?s"))
    ('SELECT DISTINCT ?s ?o WHERE { ?s ?p ?o } ', 1, True)
    >>> with_keys_projected(final_order("SELECT (?s AS ?o) WHERE { ?s ?p ?x } ORDER BY ?o")) is None
    True
    """
    from .sparql_guard import QueryError, _lex, _write

    try:
        toks, gaps = _lex(order.unordered)
    except QueryError:
        return None
    depth, start, end = 0, None, None
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "NAME" else None
        if word in _AGGREGATING:
            return None
        if start is None:
            if word == "SELECT":
                start = i + 1
            continue
        if tok.kind == "PUNCT" and tok.text in "([":
            depth += 1
        elif tok.kind == "PUNCT" and tok.text in ")]":
            depth -= 1
        elif end is None and depth == 0 and (word in ("WHERE", "FROM") or tok.text == "{"):
            end = i
    if start is None or end is None:
        return None
    distinct = start < end and toks[start].text.upper() in ("DISTINCT", "REDUCED")
    projection = toks[start + distinct: end]
    if not projection or projection[0].text == "*":
        return None
    # the variables selected: those at the top of the projection and those after AS
    selected, level = set(), 0
    for n, t in enumerate(projection):
        level += (t.text == "(") - (t.text == ")") if t.kind == "PUNCT" else 0
        if t.kind == "VAR" and (level == 0 or (n and projection[n - 1].text.upper() == "AS")):
            selected.add(t.text[1:])
    missing = [v for v in dict.fromkeys(k.variable for k in order.keys) if v not in selected]
    if not missing:
        return None
    _, pieces = _write(toks, gaps)
    at = 2 * end + 1  # the gap before WHERE (or FROM, or the group)
    text = "".join(pieces[:at]).rstrip() + "".join(f" ?{v}" for v in missing) + " " + "".join(pieces[at:]).lstrip()
    return text, len(missing), distinct


def _slicing(toks: Sequence[Any]) -> tuple[Sequence[Any], tuple[int, int | None] | None]:
    """The keys' tokens and the ``(offset, limit)`` of the ``LIMIT`` and ``OFFSET`` that end
    them (each at most once, in either order, with a whole number); ``None`` for anything
    else after the keys (Oxigraph reads it, or refuses it, as written)."""
    found: dict[str, int] = {}
    end = len(toks)
    while end >= 2 and toks[end - 2].kind == "NAME" and toks[end - 2].text.upper() in ("LIMIT", "OFFSET"):
        word, number = toks[end - 2].text.upper(), toks[end - 1]
        if word in found or number.kind != "NUMBER" or not number.text.isdigit():
            return toks, None
        found[word] = int(number.text)
        end -= 2
    if any(t.kind == "NAME" and t.text.upper() in ("LIMIT", "OFFSET") for t in toks[:end]):
        return toks, None
    return toks[:end], (found.get("OFFSET", 0), found.get("LIMIT"))


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
    sorted by ``keys``, or ``None`` when a key is not a variable of the answer, or when
    every key column is one whose order Oxigraph's is reproduced here and two different
    rows tie on every key (Oxigraph's unstable sort orders them its own way; it orders
    such columns consistently, so the caller may ask it). A column whose literals are not
    reproduced here is sorted by :func:`literal_key`, rows that tie kept as they came.

    >>> import pyoxigraph as ox
    >>> rows = [[ox.Literal("b")], [ox.NamedNode("http://x/a")], [None], [ox.Literal("a", language="en")]]
    >>> [r[0] for r in sort_rows(rows, ["v"], [OrderKey("v")])]
    [None, <NamedNode value=http://x/a>, <Literal value=a language=en>, <Literal value=b datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>]
    >>> rows = [[ox.Literal("10", datatype=ox.NamedNode(_XSD + "integer"))], [ox.Literal("9x")], [ox.Literal(9)]]
    >>> [r[0].value for r in sort_rows(rows, ["v"], [OrderKey("v", descending=True)])]
    ['9x', '10', '9']
    """
    variables = list(variables)
    if any(key.variable not in variables for key in keys):
        return None
    ordinals: dict[int, dict] = {}  # per column: each distinct term's place in the order
    exact = True
    columns = []
    for key in keys:
        i = variables.index(key.variable)
        values = [row[i] for row in rows]  # one term object per cell, read once
        if key.bound:
            column = [0 if v is None else 1 for v in values]
        else:
            if i not in ordinals:
                rank = _column_rank(values)
                if rank is None:  # not Oxigraph's order: the total order of this module
                    exact = False
                    rank = {term: term_key(term) for term in set(values)}
                places = {r: n for n, r in enumerate(sorted(set(rank.values())))}  # equal keys, equal places
                ordinals[i] = {term: places[r] for term, r in rank.items()}
            place = ordinals[i]
            column = [place[v] for v in values]
        columns.append([-n for n in column] if key.descending else column)
    by_row = list(zip(*columns))
    order = sorted(range(len(rows)), key=by_row.__getitem__)
    # Oxigraph sorts with Rust's sort_unstable_by: rows whose keys tie but which differ
    # come back in an order of its own, not the order they had (kept by Python's sort)
    if exact:
        for a, b in zip(order, order[1:]):
            if by_row[a] == by_row[b] and tuple(rows[a]) != tuple(rows[b]):
                return None
    return [rows[j] for j in order]


def top_rows(rows: Iterable, variables: Sequence[str], keys: Sequence[OrderKey], *, offset: int = 0,
             limit: int | None = None) -> list | None:
    """The rows an ``ORDER BY keys OFFSET offset LIMIT limit`` keeps, in order: ``rows``
    read once, holding at most ``offset + limit`` of them (an ``ORDER BY ?o LIMIT 10``
    over a whole store keeps 10), sorted by :func:`term_key` (Oxigraph's order for the
    columns it orders consistently; rows that tie kept as they came). ``None`` when a key
    is not a variable of the answer.

    >>> import pyoxigraph as ox
    >>> rows = [(ox.Literal(n),) for n in (5, 3, 9, 1)]
    >>> [r[0].value for r in top_rows(rows, ["v"], [OrderKey("v", descending=True)], offset=1, limit=2)]
    ['5', '3']
    """
    variables = list(variables)
    if any(key.variable not in variables for key in keys):
        return None
    columns = [(variables.index(key.variable), key) for key in keys]

    def row_key(row: Sequence[Any]) -> tuple:
        out = []
        for i, key in columns:
            part = (row[i] is not None,) if key.bound else term_key(row[i])
            out.append(_Reversed(part) if key.descending else part)
        return tuple(out)

    arrived = count()
    keyed = ((row_key(row), next(arrived), row) for row in rows)
    if limit is None:
        kept = sorted(keyed, key=lambda k: k[:2])
    else:
        kept = heapq.nsmallest(offset + limit, keyed, key=lambda k: k[:2])
    return [row for _, _, row in kept[offset:]]


class _Reversed:
    """A sort key in reverse (``DESC``): greater is less."""

    __slots__ = ("key",)

    def __init__(self, key: tuple):
        self.key = key

    def __lt__(self, other: "_Reversed") -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


def term_key(term: Any) -> tuple:
    """A key that orders terms totally, as SPARQL's ``ORDER BY`` asks: unbound, blank nodes,
    IRIs (by their text), literals (:func:`literal_key`), then quoted triples.

    >>> import pyoxigraph as ox
    >>> sorted([ox.Literal("a"), None, ox.NamedNode("http://x/")], key=term_key)
    [None, <NamedNode value=http://x/>, <Literal value=a datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>]
    """
    import pyoxigraph as ox

    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if isinstance(term, ox.Literal):
        return (3, *literal_key(term))
    return (4, str(term))


def literal_key(literal: Any) -> tuple:
    """A key that orders literals totally and, within each kind SPARQL's ``<`` compares,
    by value: numbers (any numeric datatype, by value, ``NaN`` aside) first, then
    ``xsd:dateTime`` and ``xsd:date`` (each by the instant it names, a time zone taken into
    account; none read as UTC), then every other literal by its text, datatype and
    language tag (Oxigraph's own order for those). Equal values are ordered by their text.

    >>> import pyoxigraph as ox
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> mix = [ox.Literal("10", datatype=ox.NamedNode(xsd + "integer")), ox.Literal("9"),
    ...        ox.Literal("2.5e0", datatype=ox.NamedNode(xsd + "double")),
    ...        ox.Literal("2024-01-01T10:00:00+09:00", datatype=ox.NamedNode(xsd + "dateTime")),
    ...        ox.Literal("2024-01-01T05:00:00Z", datatype=ox.NamedNode(xsd + "dateTime"))]
    >>> [t.value for t in sorted(mix, key=literal_key)]
    ['2.5e0', '10', '2024-01-01T10:00:00+09:00', '2024-01-01T05:00:00Z', '9']
    """
    lexical, datatype, language = literal.value, literal.datatype.value, literal.language
    number = _numeric_value(lexical, datatype)
    if number is not None:
        return (0, number, lexical, datatype)
    instant = _instant(lexical, datatype)
    if instant is not None:
        return (1, _TIME_KINDS[datatype], instant, lexical, datatype)
    # a base direction ("a"@en--ltr, "a"@en--rtl: two terms) last, so that no two terms tie
    direction = getattr(literal, "direction", None)
    return (2, lexical, datatype, 1 if language else 0, language or "", str(direction) if direction else "")


_INTEGER_TYPES = frozenset(_XSD + name for name in (
    "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
_FLOAT_FORM = re.compile(r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF)\Z", re.ASCII)
_TIME_KINDS = {_XSD + "dateTime": 0, _XSD + "dateTimeStamp": 0, _XSD + "date": 1}
_TIME_FORM = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?)?"
                        r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z", re.ASCII)


def _numeric_value(lexical: str, datatype: str) -> Decimal | float | None:
    """The value of a numeric literal's lexical form (XSD's grammar, any size), or ``None``
    (not a number, ill-formed, or NaN)."""
    try:
        if datatype in _INTEGER_TYPES:
            return Decimal(lexical) if _NUMBER_FORMS[_XSD + "integer"].match(lexical) else None
        if datatype == _XSD + "decimal":
            return Decimal(lexical) if _NUMBER_FORMS[datatype].match(lexical) else None
        if datatype in (_XSD + "double", _XSD + "float"):
            return float(lexical) if _FLOAT_FORM.match(lexical) else None
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return None


def _instant(lexical: str, datatype: str) -> tuple | None:
    """The UTC instant an ``xsd:dateTime`` or ``xsd:date`` names (its start, for a date), as
    a sortable pair, or ``None`` for any other literal or a form not read here."""
    if datatype not in _TIME_KINDS:
        return None
    match = _TIME_FORM.match(lexical)
    if match is None or (match.group(4) is None) != (datatype == _XSD + "date"):
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        days = date(int(year), int(month), int(day)).toordinal()
    except ValueError:
        return None
    # seconds counted from 0001-01-01, not a datetime: a time zone may carry the instant
    # out of datetime's years 1-9999 ("0001-01-01T00:00:00+05:00" raised OverflowError)
    seconds = days * 86400 + int(hour or 0) * 3600 + int(minute or 0) * 60 + int(second or 0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return (seconds, Decimal(fraction) if fraction else Decimal(0))


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
        if term is None or isinstance(term, (ox.BlankNode, ox.NamedNode)):
            rank[term] = term_key(term)  # Oxigraph's place for them, and this module's
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
