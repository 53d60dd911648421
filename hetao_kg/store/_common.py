"""What every store shares: the guard (cached per query text), binding through
``VALUES``, and terms turned back into rdflib's (language-tag case, plain strings).

>>> bind_values("SELECT ?x WHERE { ?x ?p ?entity }", {"entity": URIRef("http://ex/a")}, "SelectQuery")
'SELECT ?x WHERE { VALUES (?entity) { (<http://ex/a>) } ?x ?p ?entity }'
>>> canonical_lang("zh-hans"), canonical_lang("en-gb"), canonical_lang("zh-hant-hk")
('zh-Hans', 'en-GB', 'zh-Hant-HK')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..namespaces import PREFIXES, QUERY_BASE, canonical_lang
from .formats import plain_literal

__all__ = ["bind_values", "canonical_lang", "check", "evaluated_text", "lang_case", "literal", "prefix_block",
           "string_literal"]

_XSD_STRING = str(XSD.string)


def check(sparql: str) -> str:
    """Run the guard (:func:`hetao_kg.store.sparql_guard.checked`) on ``sparql``; return its
    form (``SelectQuery``, ``ConstructQuery``, ``DescribeQuery`` or ``AskQuery``).

    Raises :class:`~hetao_kg.store.QueryError` or :class:`~hetao_kg.store.QueryRefused`
    before any store sees the text. Stores then evaluate the guard's canonical text
    (:func:`evaluated_text`), never the text as given.

    >>> check("SELECT ?s WHERE { VALUES ?s { <http://ex/a> <http://ex/b> } ?s ?p ?o }")
    'SelectQuery'
    """
    from .sparql_guard import checked  # (imported where a text is read: a cached answer needs none)

    return checked(sparql).form


def evaluated_text(sparql: str, bindings: Mapping[str, Node] | None = None) -> tuple[str, str]:
    """The guard's canonical text of ``sparql`` with ``bindings`` as ``VALUES``, and
    the query's form: what a store evaluates or sends."""
    from .sparql_guard import bind, checked

    query = checked(sparql)
    return bind(query, bindings), query.form


@lru_cache(maxsize=1)
def prefix_block() -> str:
    """``BASE`` (:data:`~hetao_kg.namespaces.QUERY_BASE`, which relative IRIs resolve
    against on every store; a ``BASE`` in the query overrides it) and ``PREFIX`` lines for
    hetao-kg's prefixes, for engines that do not know them."""
    return f"BASE <{QUERY_BASE}>\n" + "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def lang_case(sparql: str, rows: list[dict[str, Node | None]]) -> list[dict[str, Node | None]]:
    """``rows`` with the values of ``LANG(...)`` columns in BCP 47 case, as the in-memory
    store gives them for this data (engines that lowercase tags answer ``zh-hans``).

    >>> lang_case("SELECT (LANG(?l) AS ?t) WHERE { ?s ?p ?l }", [{"t": Literal("zh-hans")}])
    [{'t': rdflib.term.Literal('zh-Hans')}]
    """
    from .sparql_guard import checked

    columns = checked(sparql).lang_columns
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


def string_literal(value: str, lang: str | None = None) -> Literal:
    """The plain or language-tagged literal :func:`literal` gives, slot for slot, without
    rdflib's constructor (:func:`~hetao_kg.store.formats.plain_literal`), for terms an
    engine has parsed and validated already. The tag is put in BCP 47 case.

    >>> a, b = string_literal("香港大学", "zh-hans"), Literal("香港大学", lang="zh-Hans")
    >>> a == b, a.language, a.value == b.value, a.__reduce__() == b.__reduce__()
    (True, 'zh-Hans', True, True)
    """
    return plain_literal(value, canonical_lang(lang) if lang else None)


def bind_values(sparql: str, bindings: Mapping[str, Node] | None, form: str | None = None) -> str:
    """The guard's canonical text of ``sparql`` with ``VALUES (?v …) { (term …) }`` at
    the start of its WHERE group (:func:`hetao_kg.store.sparql_guard.bind`).

    This is how every store other than rdflib binds (Oxigraph refuses an initial
    binding for a variable the query does not project, e.g. ``?entity`` in ``describe``);
    the terms are serialized by the guard, never pasted as text.
    """
    from .sparql_guard import bind, checked

    return bind(checked(sparql), bindings)
