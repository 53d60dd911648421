r"""SPARQL 1.1 Query Results formats, written from *cells*: one implementation for the
answers built from rdflib terms (:func:`write_results`, what the query facade, the CLI
and the endpoint write) and for the answers an engine hands over as its own terms (the
embedded Oxigraph store's worker writes a new query's answer straight from
pyoxigraph's terms, :class:`CellWriter`), so both give the same bytes.

A cell is a term as the results formats see it: ``("uri", iri)``, ``("bnode", label)``
or ``("literal", lexical form, language tag or None, datatype IRI or None)``. The stores
give ``xsd:string`` as a plain literal (neither tag nor datatype), as rdflib does.

>>> from rdflib import Literal, URIRef
>>> rows = [{"s": URIRef("http://ex/a"), "n": Literal("香港", lang="zh-Hant")}]
>>> write_results(("s", "n"), rows, "tsv")
b'?s\t?n\n<http://ex/a>\t"\xe9\xa6\x99\xe6\xb8\xaf"@zh-Hant\n'
>>> write_results(("s", "n"), rows, "json").decode("utf-8")
'{"head": {"vars": ["s", "n"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://ex/a"}, "n": {"type": "literal", "value": "香港", "xml:lang": "zh-Hant"}}]}}'
"""

from __future__ import annotations

import csv
import io
import json
import re
from json.encoder import encode_basestring
from typing import Any, Callable, Iterable, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "FAST_FORMATS",
    "plain_literal",
    "CellWriter",
    "ask_results",
    "cell",
    "csv_field",
    "json_binding",
    "tsv_term",
    "write_results",
]

#: the formats a store may write straight from its own terms (:class:`CellWriter`)
FAST_FORMATS = ("json", "csv", "tsv")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XSD_DOUBLE = _XSD + "double"
_TURTLE_NUMBER = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD_DOUBLE: re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"),
    _XSD + "boolean": re.compile(r"true|false"),
}
_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"}

Cell = tuple


_NEW_STR = str.__new__


def plain_literal(value: str, lang: str | None = None) -> Literal:
    """``Literal(value, lang=lang)`` (a string without a datatype, the tag as given), slot
    for slot, without rdflib's constructor (4 us a literal: tag validation, lexical-to-value
    casting), for a valid tag (or none) of a term an engine or this package wrote.

    >>> a, b = plain_literal("香港大学", "zh-Hans"), Literal("香港大学", lang="zh-Hans")
    >>> a == b, a.language, a.value == b.value, a.__reduce__() == b.__reduce__()
    (True, 'zh-Hans', True, True)
    """
    inst = _NEW_STR(Literal, value)
    inst._language = lang or None
    inst._datatype = None
    inst._value = value  # what rdflib's constructor casts a string with no datatype to
    inst._ill_typed = None
    return inst


def cell(term: Node | None) -> Cell | None:
    """The cell of an rdflib term (None: unbound)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term))
    if isinstance(term, BNode):
        return ("bnode", str(term))
    if isinstance(term, Literal):
        return ("literal", str(term), term.language or None,
                None if term.language or not term.datatype else str(term.datatype))
    raise TypeError(f"cannot write {type(term).__name__} in a results format")


def bnode_label(label: str) -> str:
    """A blank node's label as ``_:`` followed by characters every reader takes."""
    label = re.sub(r"[^A-Za-z0-9_]", "_", label)
    return f"_:{label if label[:1].isalpha() or label[:1] == '_' else 'b' + label}"


def with_exponent(lexical: str) -> str:
    """An ``xsd:double`` in canonical form, mantissa and exponent (``1000000.0`` -> ``1.0E6``);
    other text (``NaN``, ``INF``, ill-typed) as it is."""
    from decimal import Decimal, InvalidOperation

    try:
        value = float(lexical)
        sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    except (ValueError, InvalidOperation):
        return lexical
    if not isinstance(exponent, int):  # inf, nan
        return lexical
    if value == 0:
        return "-0.0E0" if sign else "0.0E0"
    text = "".join(map(str, digits))
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{exponent + len(text) - 1}"


def _tsv(c: Cell | None) -> str:
    if c is None:
        return ""
    if c[0] == "uri":
        return f"<{c[1]}>"
    if c[0] == "bnode":
        return bnode_label(c[1])
    _, lexical, lang, datatype = c
    pattern = _TURTLE_NUMBER.get(datatype or "")
    if datatype == _XSD_DOUBLE and not pattern.fullmatch(lexical):
        lexical = with_exponent(lexical)
    if pattern is not None and pattern.fullmatch(lexical):
        return lexical
    quoted = '"' + "".join(_TSV_ESCAPES.get(ch, ch) for ch in lexical) + '"'
    if lang:
        return f"{quoted}@{lang}"
    if datatype and datatype != _XSD_STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def tsv_term(term: Node | None) -> str:
    r"""A term as SPARQL 1.1 TSV writes it (Turtle/SPARQL syntax on one line): numbers
    and booleans abbreviated only where their lexical form is Turtle's, a double always
    with its exponent, strings in one pair of quotes with ``\t \n \r`` escaped, no
    ``^^xsd:string``.

    >>> from rdflib.namespace import XSD
    >>> tsv_term(Literal("a\tb\nc")), tsv_term(Literal("1.0E6", datatype=XSD.double)), tsv_term(Literal(1.5))
    ('"a\\tb\\nc"', '1.0E6', '1.5E0')
    """
    return _tsv(cell(term))


def _csv(c: Cell | None) -> str:
    if c is None:
        return ""
    if c[0] == "bnode":
        return bnode_label(c[1])
    if c[0] == "literal" and c[3] == _XSD_DOUBLE:
        return with_exponent(c[1])  # a double keeps its exponent (rdflib writes 1.0E6 as 1000000.0)
    return c[1]


def csv_field(term: Node | None) -> str:
    """A term as a SPARQL 1.1 CSV field: its text (a blank node labelled, a double with its exponent)."""
    return _csv(cell(term))


def _json_cell(c: Cell) -> dict[str, str]:
    if c[0] != "literal":
        return {"type": c[0], "value": c[1]}
    out = {"type": "literal", "value": c[1]}
    if c[2]:
        out["xml:lang"] = c[2]
    elif c[3]:
        out["datatype"] = c[3]
    return out


def json_binding(vars: Sequence[str], row: dict) -> dict:
    """One row as a SPARQL 1.1 Query Results JSON binding (unbound variables left out)."""
    return {v: _json_cell(cell(row[v])) for v in vars if row.get(v) is not None}


def _json_fragment(c: Cell) -> str:
    """:func:`_json_cell` as ``json.dumps(..., ensure_ascii=False)`` writes it."""
    if c[0] != "literal":
        return f'{{"type": "{c[0]}", "value": {encode_basestring(c[1])}}}'
    if c[2]:
        return f'{{"type": "literal", "value": {encode_basestring(c[1])}, "xml:lang": {encode_basestring(c[2])}}}'
    if c[3]:
        return f'{{"type": "literal", "value": {encode_basestring(c[1])}, "datatype": {encode_basestring(c[3])}}}'
    return f'{{"type": "literal", "value": {encode_basestring(c[1])}}}'


def ask_results(answer: bool, fmt: str) -> bytes:
    """An ASK answer in a results format. CSV and TSV define no boolean form: the one-cell
    table ``_askResult`` (as Jena writes it)."""
    word = "true" if answer else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": answer}).encode("utf-8")
    if fmt == "xml":
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{word}</boolean></sparql>\n").encode("utf-8")
    return (f"_askResult\r\n{word}\r\n" if fmt == "csv" else f"?_askResult\n{word}\n").encode("utf-8")


def write_results(vars: Sequence[str], rows: Iterable[dict], fmt: str) -> bytes:
    """Rows of rdflib terms (None: unbound) as SPARQL 1.1 Query Results ``json``, ``csv``
    (RFC 4180, CRLF line ends) or ``tsv``."""
    writer = CellWriter(vars)
    for row in rows:
        writer.add([cell(row.get(v)) for v in vars])
    return writer.bytes(fmt)


class CellWriter:
    """Collects rows of cells (in the order of ``vars``) and writes them in a results format.

    Each distinct cell is written once per format (answers repeat properties, kinds,
    graphs), so a store that keeps one cell object per distinct term pays for it once.
    """

    def __init__(self, vars: Sequence[str]):
        self.vars = tuple(vars)
        self.rows: list[list[Cell | None]] = []

    def add(self, cells: list[Cell | None]) -> None:
        self.rows.append(cells)

    def _each(self, fn: Callable[[Cell], str]) -> Callable[[Cell | None], str]:
        memo: dict[Any, str] = {}

        def one(c: Cell | None) -> str:
            found = memo.get(c)
            if found is None:
                found = memo[c] = fn(c)
            return found

        return one

    def bytes(self, fmt: str) -> bytes:
        """The rows as ``json``, ``csv`` or ``tsv`` (exactly the bytes :func:`write_results`
        writes for the same terms)."""
        if fmt == "json":
            frag: dict = dict.fromkeys(c for row in self.rows for c in row)  # each distinct cell written once
            frag.pop(None, None)
            for c in frag:
                frag[c] = _json_fragment(c)
            keys = [encode_basestring(v) + ": " for v in self.vars]
            out = ["{" + ", ".join([k + frag[c] for k, c in zip(keys, row) if c is not None]) + "}" for row in self.rows]
            head = ", ".join(encode_basestring(v) for v in self.vars)
            return ('{"head": {"vars": [' + head + ']}, "results": {"bindings": [' + ", ".join(out) + "]}}").encode("utf-8")
        if fmt == "tsv":
            text = self._each(_tsv)
            lines = ["\t".join(f"?{v}" for v in self.vars)]
            lines += ["\t".join(map(text, row)) for row in self.rows]
            return ("\n".join(lines) + "\n").encode("utf-8")
        if fmt == "csv":
            text = self._each(_csv)
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(self.vars)
            writer.writerows([list(map(text, row)) for row in self.rows])
            return buf.getvalue().encode("utf-8")
        raise ValueError(f"cannot write {fmt!r} from cells; choose from {', '.join(FAST_FORMATS)}")
