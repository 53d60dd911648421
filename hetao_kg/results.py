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
import io
import json
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = ["QueryResult", "FORMATS"]

FORMATS = ("table", "csv", "tsv", "json", "sparql-json")


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

    def to_table(self, *, max_width: int = 60) -> str:
        """A plain-text table whose columns line up with wide (CJK) characters."""

        def clip(text: str) -> str:
            text = text.replace("\n", " ")
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
