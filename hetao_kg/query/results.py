"""Query results: rows, pandas, SPARQL 1.1 Query Results JSON, and text tables.

>>> from rdflib import Literal
>>> r = QueryResult(("name", "n"), [{"name": Literal("香港大学"), "n": Literal(1)}])
>>> print(r.to_table())
name      n
--------  -
香港大学  1
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..store.formats import FAST_FORMATS, ask_results, bnode_label, json_binding, write_results

__all__ = ["QueryResult", "FORMATS", "RESULT_FORMATS", "sparql_results", "terminal_safe", "cjk_font"]

FORMATS = ("table", "csv", "tsv", "json", "sparql-json", "sparql-xml", "sparql-csv", "sparql-tsv")
#: SPARQL 1.1 Query Results formats :func:`sparql_results` writes
RESULT_FORMATS = ("json", "xml", "csv", "tsv")

# C0/C1 controls but newline and tab, bidi overrides and isolates, lone surrogates.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


@functools.lru_cache(maxsize=1)
def _unsafe() -> re.Pattern:
    return re.compile(_UNSAFE)  # on first use: not every command writes to a terminal


def terminal_safe(text: str) -> str:
    r"""Text with control characters (which could move the cursor, recolour or
    rewrite a terminal), bidi overrides and lone surrogates shown as escapes.

    >>> terminal_safe("香港\x1b[31m大学\u202e")
    '香港\\x1b[31m大学\\u202e'
    """

    def escape(m: re.Match) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _unsafe().sub(escape, text)


def cjk_font(*, apply: bool = True) -> str | None:
    """The name of an installed CJK font (Noto CJK first) for matplotlib, or None.

    With ``apply`` it is put first in ``font.sans-serif`` so plots show Chinese
    labels instead of empty boxes.

    >>> name = cjk_font(apply=False)
    >>> name is None or "CJK" in name or "Hei" in name or "Hans" in name or "SC" in name
    True
    """
    from matplotlib import font_manager, rcParams

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    preferred = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC",
                 "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC")
    found = next((n for n in preferred if n in names), None)
    found = found or next((n for n in names if "CJK" in n), None)
    if found and apply:
        rcParams["font.sans-serif"] = [found, *[f for f in rcParams["font.sans-serif"] if f != found]]
        rcParams["font.family"] = "sans-serif"
        rcParams["axes.unicode_minus"] = False
    return found


def _text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _python(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return value if isinstance(value, (int, float, str, bool)) else str(term)
    return str(term)


#: characters whose width wcwidth gives without being imported (12 ms at start-up): one
#: column for printable ASCII, Latin-1 and the general punctuation of labels (dashes,
#: quotes, the ellipsis), two for the CJK ideographs of the two main blocks, CJK
#: punctuation (、。「」 …) and the fullwidth forms (（）：…); tests/test_text_width.py
#: checks every one against wcwidth
_NARROW = dict.fromkeys([*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2028)])  # translate drops them


def _fast_width(text: str) -> int | None:
    """The width of ``text`` when all its characters are of those, else ``None``. (No
    regular expression: re takes 2.5 ms to compile these ranges, at every start.)"""
    wide = text.translate(_NARROW)  # what is left must be wide
    if all("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\u3000" <= c <= "\u3029"
           or "\u3030" <= c <= "\u303e" or "\uff01" <= c <= "\uff60" for c in wide):
        return len(text) + len(wide)
    return None


def _width(text: str) -> int:
    fast = _fast_width(text)
    if fast is not None:
        return fast
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


@dataclass
class QueryResult:
    """The answer to a SELECT query.

    ``rows`` hold what is shown (IRIs replaced by labels when a language was asked
    for); ``raw`` holds the original RDF terms; ``truncated`` is true when the
    answer was cut at the row limit.
    """

    vars: tuple[str, ...]
    rows: list[dict[str, Node | None]]
    raw: list[dict[str, Node | None]] = field(default_factory=list)
    truncated: bool = False

    def __post_init__(self) -> None:
        if not self.raw:
            self.raw = self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Node | None]]:
        return iter(self.rows)

    def column(self, name: str, *, raw: bool = False) -> list[Any]:
        """One column as Python values (``raw=True``: the original terms as text)."""
        source = self.raw if raw else self.rows
        return [_python(r.get(name)) for r in source]

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain Python dicts."""
        return [{v: _python(r.get(v)) for v in self.vars} for r in self.rows]

    def to_pandas(self):
        """A :class:`pandas.DataFrame` of the rows (Python values)."""
        import pandas as pd

        return pd.DataFrame(self.records(), columns=list(self.vars))

    def to_json(self) -> dict:
        """SPARQL 1.1 Query Results JSON (as a dict)."""
        return {"head": {"vars": list(self.vars)}, "results": {"bindings": [json_binding(self.vars, r) for r in self.rows]}}

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter: every value escaped, IRIs kept in a title.

        >>> from rdflib import Literal
        >>> QueryResult(("name",), [{"name": Literal("<b>香港</b>")}])._repr_html_().count("&lt;b&gt;")
        1
        """
        import html

        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.vars)
        body = []
        for shown, raw in zip(self.rows, self.raw if len(self.raw) == len(self.rows) else self.rows):
            cells = []
            for v in self.vars:
                text, original = _text(shown.get(v)), raw.get(v)
                title = f' title="{html.escape(str(original))}"' if isinstance(original, URIRef) else ""
                cells.append(f"<td{title}>{html.escape(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        note = f"<p>{len(self.rows)} row(s)</p>"
        if self.truncated:
            note = f"<p>{len(self.rows)} row(s): cut at the row limit (HETAO_KG_MAX_ROWS); add LIMIT to the query</p>"
        return f'<table class="hetao-kg-result"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}'

    def to_table(self, *, max_width: int = 60) -> str:
        """A plain-text table whose columns line up with wide (CJK) characters."""

        def clip(text: str) -> str:
            text = terminal_safe(text.replace("\n", " "))
            if _width(text) <= max_width:
                return text
            out = ""
            for ch in text:
                if _width(out + ch + "…") > max_width:
                    break
                out += ch
            return out + "…"

        cells = [[clip(_text(r.get(v))) for v in self.vars] for r in self.rows]
        widths = [max([_width(v)] + [_width(row[i]) for row in cells]) for i, v in enumerate(self.vars)]

        def line(values: list[str]) -> str:
            parts = [val + " " * (widths[i] - _width(val)) for i, val in enumerate(values)]
            return "  ".join(parts).rstrip()

        out = [line(list(self.vars)), line(["-" * w for w in widths])]
        out += [line(row) for row in cells]
        return "\n".join(out)

    def format(self, fmt: str = "table") -> str:
        """Render as ``table``, ``csv``, ``tsv``, ``json`` (records), or a SPARQL 1.1
        results format: ``sparql-json``, ``sparql-xml``, ``sparql-csv``, ``sparql-tsv``."""
        if fmt == "table":
            return self.to_table()
        if fmt in ("csv", "tsv"):
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            writer.writerow(self.vars)
            for row in self.rows:
                writer.writerow([_text(row.get(v)) for v in self.vars])
            return buf.getvalue().rstrip("\n")
        if fmt == "json":
            return json.dumps(self.records(), ensure_ascii=False, indent=2)
        if fmt == "sparql-json":
            return json.dumps(self.to_json(), ensure_ascii=False, indent=2)
        if fmt in ("sparql-xml", "sparql-csv", "sparql-tsv"):
            return sparql_results(self, fmt[7:]).decode("utf-8")
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


# --- SPARQL 1.1 Query Results formats, to the letter ------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _xml_term(term: Node) -> str:
    from xml.sax.saxutils import escape, quoteattr

    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(bnode_label(str(term))[2:])}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype and str(term.datatype) != _XSD_STRING:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{escape(_xml_text(str(term)), {chr(13): '&#13;'})}</literal>"  # a raw CR would read as LF


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry (most C0 controls) as their code points, visibly."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"\\u{ord(m.group(0)):04X}", text)


def sparql_results(answer: "QueryResult | Any | bool", fmt: str) -> bytes:
    r"""A SELECT answer (anything with ``vars`` and ``rows``) or an ASK answer (bool)
    in a SPARQL 1.1 Query Results format: ``json``, ``xml``, ``csv`` (RFC 4180, CRLF
    line ends) or ``tsv``. CSV and TSV define no boolean form: an ASK answer is the
    one-cell table ``_askResult`` (as Jena writes it).

    >>> r = QueryResult(("s", "o"), [{"s": URIRef("http://ex/a"), "o": Literal('say "hi", twice')}])
    >>> sparql_results(r, "csv")
    b's,o\r\nhttp://ex/a,"say ""hi"", twice"\r\n'
    >>> sparql_results(True, "tsv")
    b'?_askResult\ntrue\n'
    """
    if fmt not in RESULT_FORMATS:
        raise ValueError(f"unknown results format {fmt!r}; choose from {', '.join(RESULT_FORMATS)}")
    if isinstance(answer, bool):
        return ask_results(answer, fmt)
    names, rows = tuple(answer.vars), answer.rows
    if fmt in FAST_FORMATS:
        return write_results(names, rows, fmt)
    from xml.sax.saxutils import quoteattr

    out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in names]
    out.append("</head>\n<results>")
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                        for v in names if row.get(v) is not None)
        out.append(f"<result>{cells}</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out).encode("utf-8")
