"""The graph as known at a date (issue 18): every assertion graph whose sources were
all out only after the date is left out.

A graph's date is that of its dated sources (``dcterms:source`` pages with
``time:hasTime``), else that of the documents its quotes are in (the report:
2021-09 .. 2023-09-07). A source known only within an interval counts from its
earliest day, and is reported as uncertain. Graphs with no dated source at all
(labels, translations, the ontology) are kept: they say nothing about when.

>>> from hetao_kg.graph import load
>>> ds, note = known_by(load(), "2022-06")
>>> note.left_out > 0, note.uncertain["https://w3id.org/hetao-kg/id/doc/hetao-progress-report"]
(True, '2021-09/2023-09-07')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, TIME

from ..namespaces import HTO, KG, bind_prefixes

__all__ = ["AsOfNote", "BadDate", "earliest_day", "known_by", "latest_day", "source_dates"]

GRAPH_PROVENANCE = KG["graph/provenance"]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_XSD = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)


class BadDate(ValueError):
    """A date that is not YYYY, YYYY-MM or YYYY-MM-DD."""


def _parts(date: str) -> tuple[str, str | None, str | None]:
    m = _DATE.match(str(date).strip())
    if not m:
        raise BadDate(f"not a date: {date!r} (write YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise BadDate(f"not a date: {date!r} (month 01-12, day 01-31)")
    return year, month, day


def earliest_day(date: str) -> str:
    """The first day a date can mean.

    >>> earliest_day("2026"), earliest_day("2021-09"), earliest_day("2023-09-07")
    ('2026-01-01', '2021-09-01', '2023-09-07')
    """
    year, month, day = _parts(date)
    return f"{year}-{month or '01'}-{day or '01'}"


def latest_day(date: str) -> str:
    """The last day a date can mean, as the named queries compare it (a month ends on "31").

    >>> latest_day("2026"), latest_day("2021-09")
    ('2026-12-31', '2021-09-31')
    """
    year, month, day = _parts(date)
    return f"{year}-{month or '12'}-{day or '31'}"


def _written(ds: Dataset, instant) -> str | None:
    for p in _XSD:
        for v in ds.objects(instant, p):
            return str(v)
    return None


def source_dates(ds: Dataset) -> dict[str, tuple[str | None, str | None]]:
    """Each dated source -> (earliest, latest) as written (``None`` for an open end)."""
    out = {}
    for src, t in ds.subject_objects(TIME.hasTime):
        at = _written(ds, t)
        if at is not None:
            out[str(src)] = (at, at)
        else:
            lo = next((_written(ds, b) for b in ds.objects(t, TIME.hasBeginning)), None)
            hi = next((_written(ds, e) for e in ds.objects(t, TIME.hasEnd)), None)
            out[str(src)] = (lo, hi)
    return out


@dataclass
class AsOfNote:
    """What restricting to a date did: the date, how many assertion graphs were left out,
    and the sources kept although their date is uncertain (source -> interval as written)."""

    date: str
    left_out: int = 0
    uncertain: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        text = f"As of {self.date}: {self.left_out} assertion(s) from sources dated after it left out."
        for src, when in sorted(self.uncertain.items()):
            lo, _, hi = when.partition("/")
            text += f" Kept, date not known: <{src}> is undated, between {lo} and {hi}." if lo != ".." else \
                f" Kept, date not known: <{src}> is undated, before {hi}."
        return text


def known_by(ds: Dataset, date: str) -> tuple[Dataset, AsOfNote]:
    """A copy of ``ds`` with only what sources out by ``date`` said (see the module)."""
    from .inference import GRAPH_INFERRED, add_inferred

    last = latest_day(date)
    dates = source_dates(ds)
    prov = ds.graph(GRAPH_PROVENANCE)
    note = AsOfNote(str(date))
    drop: set = {GRAPH_INFERRED}
    for g in set(prov.subjects(HTO.evidence, None)):
        sources = [str(s) for s in prov.objects(g, DCTERMS.source) if str(s) in dates]
        if not sources:
            docs = {str(d) for q in prov.objects(g, PROV.wasDerivedFrom) for d in ds.objects(q, HTO.inDocument)}
            sources = [d for d in docs if d in dates]
        if not sources:
            continue
        known = []
        for s in sources:
            lo, hi = dates[s]
            first = earliest_day(lo) if lo else "0000-01-01"
            if first <= last:
                known.append(s)
                if not hi or latest_day(hi) > last:
                    note.uncertain[s] = f"{lo or '..'}/{hi or '..'}"
        if not known:
            drop.add(g)
    note.left_out = len(drop) - 1
    out = Dataset(default_union=True)
    bind_prefixes(out)
    for s, p, o, g in ds.quads((None, None, None, None)):
        ctx = g.identifier if isinstance(g, Graph) else g
        if ctx in drop:
            continue
        out.add((s, p, o, out.graph(ctx) if ctx is not None else out.default_graph))
    if len(ds.graph(GRAPH_INFERRED)):
        add_inferred(out)
    return out, note
