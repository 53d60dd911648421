"""What every store shares: the guard (cached per query text), binding through
``VALUES``, and terms turned back into rdflib's (language-tag case, plain strings).

>>> bind_values("SELECT ?x WHERE { ?x ?p ?entity }", {"entity": URIRef("http://ex/a")}, "SelectQuery")
'SELECT ?x WHERE { VALUES (?entity) { (<http://ex/a>) } ?x ?p ?entity }'
>>> canonical_lang("zh-hans"), canonical_lang("en-gb"), canonical_lang("zh-hant-hk")
('zh-Hans', 'en-GB', 'zh-Hant-HK')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..namespaces import PREFIXES, canonical_lang
from .base import QueryError, prepare

__all__ = ["bind_values", "canonical_lang", "check", "lang_case", "literal", "prefix_block"]

_XSD_STRING = str(XSD.string)
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


# A VALUES block of IRIs only, on one line (what the views bind: hetao_kg.network.with_values).
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_VALUES_OF_IRIS = re.compile(
    rf"VALUES[ \t]+(?:\?\w+[ \t]*\{{[ \t]*{_IRI}(?:[ \t]+{_IRI})*"
    rf"|\((?:[ \t]*\?\w+)+[ \t]*\)[ \t]*\{{[ \t]*\((?:[ \t]*{_IRI})+[ \t]*\)(?:[ \t]*\((?:[ \t]*{_IRI})+[ \t]*\))*)[ \t]*\}}")
_HEAD = re.compile(r"VALUES[^{]*")


def _one_row(m: re.Match) -> str:
    head = _HEAD.match(m.group(0)).group(0)
    names = head.count("?")
    row = "<urn:hetao-kg:values>" if "(" not in head else "(" + " ".join(["<urn:hetao-kg:values>"] * names) + ")"
    return f"{head}{{ {row} }}"


def check(sparql: str) -> str:
    """Run the guard (:func:`hetao_kg.store.prepare`) on ``sparql``; return its form
    (``SelectQuery``, ``ConstructQuery``, ``DescribeQuery`` or ``AskQuery``).

    Raises :class:`~hetao_kg.store.QueryError` or :class:`~hetao_kg.store.QueryRefused`
    before any store sees the text; a passing query's form is remembered. A one-line
    ``VALUES`` block of IRIs is checked as one row of a placeholder IRI: queries that
    differ only in the IRIs they bind are parsed once (IRIs can hide nothing).

    >>> check("SELECT ?s WHERE { VALUES ?s { <http://ex/a> <http://ex/b> } ?s ?p ?o }")
    'SelectQuery'
    """
    return _check(_VALUES_OF_IRIS.sub(_one_row, sparql))


@lru_cache(maxsize=512)
def _check(sparql: str) -> str:
    return prepare(sparql).algebra.name


@lru_cache(maxsize=1)
def prefix_block() -> str:
    """``PREFIX`` lines for hetao-kg's prefixes, for engines that do not know them."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


@lru_cache(maxsize=512)
def _lang_columns(sparql: str) -> frozenset[str]:
    """The variables a query binds to ``LANG(...)`` itself (``(LANG(?l) AS ?t)``, ``BIND``)."""
    from rdflib.plugins.sparql.algebra import traverse

    found: set[str] = set()

    def visit(node):
        if getattr(node, "name", None) == "Extend" and getattr(node.expr, "name", None) == "Builtin_LANG":
            found.add(str(node.var))

    traverse(prepare(sparql).algebra, visitPost=visit)
    return frozenset(found)


def lang_case(sparql: str, rows: list[dict[str, Node | None]]) -> list[dict[str, Node | None]]:
    """``rows`` with the values of ``LANG(...)`` columns in BCP 47 case, as the in-memory
    store gives them for this data (engines that lowercase tags answer ``zh-hans``).

    >>> lang_case("SELECT (LANG(?l) AS ?t) WHERE { ?s ?p ?l }", [{"t": Literal("zh-hans")}])
    [{'t': rdflib.term.Literal('zh-Hans')}]
    """
    columns = _lang_columns(_VALUES_OF_IRIS.sub(_one_row, sparql))  # IRIs bind no LANG: parse each form once
    if not columns:
        return rows
    for row in rows:
        for name in columns:
            value = row.get(name)
            if isinstance(value, Literal) and value.language is None and value.datatype is None:
                row[name] = Literal(canonical_lang(str(value)))
    return rows


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> Literal:
    """An rdflib literal as the in-memory store gives it: ``xsd:string`` as a plain
    literal, language tags in their conventional case."""
    if lang:
        return Literal(value, lang=canonical_lang(lang))
    if datatype and datatype != _XSD_STRING:
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def _tokens(sparql: str) -> Iterator[tuple[int, str]]:
    """Positions of ``{`` and ``}`` outside strings, comments and IRIs."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = _IRIREF.match(sparql, i)
            if m:
                i = m.end()
                continue
        if c in "{}":
            yield i, c
        i += 1


def _where_brace(sparql: str, form: str) -> int:
    """Index of the ``{`` that opens the query's WHERE group."""
    depth, groups = 0, 0
    skip = 0
    if form == "ConstructQuery":
        m = re.search(r"\bCONSTRUCT\s*(\S+)", _strip_comments(sparql).upper())
        if m and m.group(1).startswith("WHERE"):
            raise QueryError("binding variables needs a CONSTRUCT with an explicit template")
        skip = 1
    for pos, c in _tokens(sparql):
        if c == "{":
            if depth == 0:
                if groups == skip:
                    return pos
                groups += 1
            depth += 1
        else:
            depth -= 1
    raise QueryError("cannot bind variables: the query has no WHERE group")


def _strip_comments(sparql: str) -> str:
    return re.sub(r"(?m)^\s*#.*$", "", sparql)


def _n3(term: Node) -> str:
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound to a query variable")
    return term.n3()


def bind_values(sparql: str, bindings: Mapping[str, Node] | None, form: str) -> str:
    """Bind variables by adding ``VALUES (?v …) { (term …) }`` at the start of the WHERE group.

    This is how every store other than rdflib binds (Oxigraph refuses an initial
    binding for a variable the query does not project, e.g. ``?entity`` in ``describe``);
    the terms are serialized as RDF terms, never pasted as text.
    """
    if not bindings:
        return sparql
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"invalid variable name {name!r}")
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(_n3(bindings[n]) for n in names)}) }}"
    pos = _where_brace(sparql, form) + 1
    return sparql[:pos] + values + sparql[pos:]
