"""Citations a researcher can paste: for a fact of the report, the report's title,
series, paragraph, sentence and exact quote; for an external fact, its public URL
and the statement of ``context-facts.md`` that records it. Plain text, BibTeX or
CSL-JSON.

>>> import hetao_kg
>>> kg = hetao_kg.open()
>>> c = citations(kg, "kg:assertion/siqa")[0]
>>> c.quote, c.paragraph, c.sentence
('量子信息方面,深圳国际量子研究院等已落地', 12, 2)
>>> print(format_citations([c], format="text"))  # doctest: +ELLIPSIS
“量子信息方面,深圳国际量子研究院等已落地” — 高标准推进深港科创合作 河套深港科技创新合作区深圳园区建设取得积极进展, 粤港澳合作发展平台成效系列 no. 4, paragraph 12, sentence 2, characters 844–864 of the normalized text. ...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef

from .queries import UnknownName, named_query
from ..store.base import to_term

if TYPE_CHECKING:  # pragma: no cover
    from .api import KnowledgeGraph

__all__ = ["CITE_FORMATS", "Citation", "citations", "format_citations"]

CITE_FORMATS = ("text", "bibtex", "csl-json")
_ASSERTION = "https://w3id.org/hetao-kg/id/assertion/"
_ASSERTIONS_ABOUT = """
SELECT DISTINCT ?g WHERE {
  { GRAPH ?g { ?entity ?p ?o } } UNION { GRAPH ?g { ?s ?p ?entity } }
  GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?g a <https://w3id.org/hetao-kg/ontology#Assertion> }
} ORDER BY ?g
"""


@dataclass(frozen=True)
class Citation:
    """Everything needed to cite one assertion of the graph by one quote."""

    assertion: str
    quote: str
    start: int
    end: int
    paragraph: int
    sentence: int
    document: str
    document_label: str
    document_title: str
    series: str
    position: int | None
    mirror: str
    evidence: str
    inferred: bool
    reason: str
    sources: tuple[str, ...]
    #: the cited source's date as written (``2023-09-07``, ``2021-09``, ``2025``) or an
    #: interval ``begin/end`` (the report: written between two dates); empty when undated
    date: str = ""
    #: the key, unique within one list of citations (set by :func:`citations`)
    unique_key: str = ""

    @property
    def external(self) -> bool:
        """A fact from outside the report: cite its public URLs."""
        return bool(self.sources)

    @property
    def key(self) -> str:
        """A citation key: the assertion's name, made BibTeX-safe; when one assertion is
        cited by several quotes, each key adds the quote's offsets (``report-series-262-279``)."""
        return self.unique_key or self.base_key

    @property
    def base_key(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.assertion.removeprefix(_ASSERTION)).strip("-")

    @property
    def year(self) -> str:
        """The year(s) of :attr:`date`: ``2023``, or ``2021--2023`` for an interval."""
        years = [part[:4] for part in self.date.split("/") if part[:4].isdigit()]
        return "--".join(dict.fromkeys(years))


def citations(kg: "KnowledgeGraph", target: str, *, stated_only: bool = False) -> list[Citation]:
    """The citations for ``target``: an assertion graph (``kg:assertion/…``) or any
    entity name (then every quoted assertion about it, in document order).

    ``stated_only`` leaves out the curators' inferences.
    """
    term = to_term(target.strip())
    if isinstance(term, URIRef) and str(term).startswith(_ASSERTION):
        graphs = [term]
    else:
        entity = URIRef(kg.resolve(target))
        graphs = kg.query(_ASSERTIONS_ABOUT, stated_only=stated_only, entity=entity).column("g", raw=True)
    query = named_query("citations").text
    out: list[Citation] = []
    for graph in graphs:
        for r in kg.query(query, stated_only=stated_only, assertion=URIRef(graph)).raw:
            out.append(_citation(str(graph), r))
    if not out and isinstance(term, URIRef) and str(term).startswith(_ASSERTION):
        raise UnknownName("assertion with a quote", target, [])
    out = sorted(set(out), key=lambda c: (c.document, c.start, c.end, c.assertion))
    return _unique_keys(_dated(kg, out))


def _dated(kg: "KnowledgeGraph", cites: list[Citation]) -> list[Citation]:
    """Each citation with its source's date: the first public URL of an external fact, the
    document of a report fact."""
    from dataclasses import replace

    from .queries import select_values

    wanted = {c.sources[0] if c.sources else c.document for c in cites} - {""}
    dates: dict[str, str] = {}
    for r in select_values(kg, "source-when", "src", wanted) if wanted else []:  # sorted: the first wins
        when, begin, end = (str(r[k]) if r.get(k) is not None else "" for k in ("when", "begin", "end"))
        dates.setdefault(str(r["src"]), when or (f"{begin}/{end}" if begin or end else ""))
    return [replace(c, date=dates.get(c.sources[0] if c.sources else c.document, "")) for c in cites]


def _unique_keys(cites: list[Citation]) -> list[Citation]:
    """Keys unique within the list (BibTeX and CSL reject repeats): an assertion cited by
    several quotes gets the quote's offsets in each key."""
    from collections import Counter
    from dataclasses import replace

    counts = Counter(c.base_key for c in cites)
    out, seen = [], set()
    for c in cites:
        key = c.base_key if counts[c.base_key] == 1 else f"{c.base_key}-{c.start}-{c.end}"
        n = 2
        while key in seen:  # the same offsets in two documents
            key, n = f"{key}-{n}", n + 1
        seen.add(key)
        out.append(replace(c, unique_key=key))
    return out


def _citation(assertion: str, r: dict) -> Citation:
    def text(key: str) -> str:
        return str(r[key]) if r.get(key) is not None else ""

    return Citation(
        assertion=assertion,
        quote=text("quote"),
        start=int(r["start"]),
        end=int(r["end"]),
        paragraph=int(r["paragraph"]),
        sentence=int(r["sentence"]),
        document=text("doc"),
        document_label=text("doc_label"),
        document_title=text("doc_title"),
        series=text("series"),
        position=int(r["position"]) if r.get("position") is not None else None,
        mirror=text("mirror"),
        evidence=text("evidence"),
        inferred=bool(r["inferred"].toPython()) if r.get("inferred") is not None else False,
        reason=text("reason"),
        sources=tuple(u for u in text("sources").split() if u),
    )


def _flat(quote: str) -> str:
    """A quote on one line (statements of context-facts.md span lines)."""
    return re.sub(r"\s*\n\s*", " ", quote).strip()


def _where(c: Citation) -> str:
    if c.external:
        return f"context-facts.md, line {c.paragraph}"
    return f"paragraph {c.paragraph}, sentence {c.sentence}, characters {c.start}–{c.end} of the normalized text"


def _title(c: Citation) -> str:
    if c.external:
        host = re.sub(r"^[a-z]+://(www\.)?", "", c.sources[0]).split("/")[0]
        return f"{host}, as recorded in the hetao-kg context facts"
    return c.document_title or c.document_label or c.document


def _series(c: Citation) -> str:
    if not c.series:
        return ""
    return f"{c.series} no. {c.position}" if c.position is not None else c.series


def _text(c: Citation) -> str:
    quote = f"“{_flat(c.quote)}”"
    if c.external:
        body = f"{quote} — {', '.join(c.sources)} (as recorded in {_where(c)})."
    else:
        series = f", {_series(c)}" if c.series else ""
        body = f"{quote} — {_title(c)}{series}, {_where(c)}."
        if c.mirror:
            body += f" Copy: {c.mirror}."
    if c.inferred:
        body += f" Inferred by the hetao-kg curators, not stated: {c.reason}"
    return f"{body} hetao-kg: {c.assertion}"


_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib(value: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in value)


def _bibtex(c: Citation) -> str:
    note = f"“{_flat(c.quote)}” ({_where(c)})"
    if c.inferred:
        note += f"; inferred by the hetao-kg curators: {c.reason}"
    fields = [("title", _title(c))]
    if c.external:
        fields += [("howpublished", "context-facts.md of hetao-kg"), ("url", c.sources[0])]
        if len(c.sources) > 1:
            note += "; also " + ", ".join(c.sources[1:])
    else:
        fields += [("series", _series(c))] if c.series else []
        fields += [("url", c.mirror)] if c.mirror else []
    if c.date and "/" not in c.date:
        fields += [("year", c.year)] + ([("month", str(int(c.date[5:7])))] if len(c.date) >= 7 else [])
    elif c.date:  # written between two dates: biblatex's ISO range, and the years
        fields += [("year", c.year), ("date", c.date)]
    fields += [("note", note), ("keywords", c.assertion)]
    body = ",\n".join(f"  {k} = {{{_bib(v) if k != 'url' else v}}}" for k, v in fields)
    return f"@misc{{{c.key},\n{body}\n}}"


def _csl(c: Citation) -> dict:
    item: dict = {"id": c.key, "type": "webpage" if c.external else "article", "title": _title(c)}
    if c.external:
        item["URL"] = c.sources[0]
    else:
        item["language"] = "zh-Hans"
        if c.series:
            item["collection-title"] = c.series
        if c.position is not None:
            item["collection-number"] = str(c.position)
        if c.mirror:
            item["URL"] = c.mirror
    note = f"“{_flat(c.quote)}” ({_where(c)})"
    if c.inferred:
        note += f"; inferred by the hetao-kg curators: {c.reason}"
    item["note"] = note
    item["source"] = c.assertion
    if c.date:
        item["issued"] = {"date-parts": [_date_parts(part) for part in c.date.split("/") if part]}
    return item


def _date_parts(text: str) -> list[int]:
    """``2021-09`` -> ``[2021, 9]``: CSL date parts at the written precision."""
    return [int(p) for p in text.split("-") if p.isdigit()]


def format_citations(cites: list[Citation], *, format: str = "text") -> str:
    """Citations as plain text (one per paragraph), BibTeX entries, or CSL-JSON.

    >>> format_citations([], format="csl-json")
    '[]'
    """
    if format == "text":
        return "\n\n".join(_text(c) for c in cites)
    if format == "bibtex":
        return "\n\n".join(_bibtex(c) for c in cites)
    if format == "csl-json":
        return json.dumps([_csl(c) for c in cites], ensure_ascii=False, indent=2)
    raise ValueError(f"unknown citation format {format!r}; choose from {', '.join(CITE_FORMATS)}")
