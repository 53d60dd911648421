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
import html
import io
import json
import re
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = ["QueryResult", "FORMATS", "terminal_safe", "cjk_font"]

FORMATS = ("table", "csv", "tsv", "json", "sparql-json")

# C0/C1 controls but newline and tab, bidi overrides and isolates, lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    r"""Text with control characters (which could move the cursor, recolour or
    rewrite a terminal), bidi overrides and lone surrogates shown as escapes.

    >>> terminal_safe("香港\x1b[31m大学\u202e")
    '香港\\x1b[31m大学\\u202e'
    """

    def escape(m: re.Match) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


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


def _width(text: str) -> int:
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
        bindings = []
        for row in self.rows:
            b = {}
            for v in self.vars:
                term = row.get(v)
                if term is None:
                    continue
                if isinstance(term, URIRef):
                    b[v] = {"type": "uri", "value": str(term)}
                elif isinstance(term, BNode):
                    b[v] = {"type": "bnode", "value": str(term)}
                else:
                    cell = {"type": "literal", "value": str(term)}
                    if term.language:
                        cell["xml:lang"] = term.language
                    elif term.datatype:
                        cell["datatype"] = str(term.datatype)
                    b[v] = cell
            bindings.append(b)
        return {"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter: every value escaped, IRIs kept in a title.

        >>> from rdflib import Literal
        >>> QueryResult(("name",), [{"name": Literal("<b>香港</b>")}])._repr_html_().count("&lt;b&gt;")
        1
        """
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
        """Render as ``table``, ``csv``, ``tsv``, ``json`` (records) or ``sparql-json``."""
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
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
