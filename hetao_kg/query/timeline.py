"""Asking the graph about time (issue 18): timelines, statuses as of a date, what
changed, series of figures and conflicts between sources.

Dates are kept as the sources write them (``2023-09-07``, ``2021-09``, ``2025``) or
as an interval (``2021-09/2023-09-07``; ``..`` for an open end). For comparing, a
date given to a helper is widened to its first or last day (``2026`` is
``2026-01-01`` .. ``2026-12-31``); nothing is stored with a guessed day.

>>> from hetao_kg.api import open_graph
>>> kg = open_graph()
>>> report_dates(kg)
('2021-09', '2023-09-07')
>>> undated_note("2021-09/2023-09-07")
'date not known; the source is undated, between 2021-09 and 2023-09-07'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the facade is passed in; this module never imports the layers above
    from .api import KnowledgeGraph
    from .results import QueryResult

__all__ = [
    "BadDate",
    "as_of",
    "changes",
    "conflicts",
    "earliest_day",
    "folded",
    "latest_day",
    "report_dates",
    "series",
    "status_as_of",
    "timeline",
    "undated_note",
]

from ..data.as_of import BadDate, earliest_day, latest_day

REPORT = "https://w3id.org/hetao-kg/id/doc/hetao-progress-report"


def undated_note(when: str) -> str:
    """What to say about a date known only within bounds (``''`` for a plain date).

    >>> undated_note("../2026-12-05")
    'date not known; the source is undated, before 2026-12-05'
    >>> undated_note("2025-12-22")
    ''
    """
    if "/" not in (when or ""):
        return ""
    lo, hi = when.split("/", 1)
    if lo == "..":
        return f"date not known; the source is undated, before {hi}"
    if hi == "..":
        return f"date not known; the source is undated, after {lo}"
    return f"date not known; the source is undated, between {lo} and {hi}"


def report_dates(kg: "KnowledgeGraph") -> tuple[str | None, str | None]:
    """The bounds of the report's date as the curators inferred them (as written)."""
    q = """PREFIX time: <http://www.w3.org/2006/time#>
    SELECT ?lo ?hi WHERE {
      ?doc time:hasTime ?t .
      OPTIONAL { ?t time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?lo }
      OPTIONAL { ?t time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?hi }
    }"""
    rows = kg.query(q, doc=_iri(REPORT)).records()
    if not rows:
        return None, None
    lo, hi = rows[0]["lo"], rows[0]["hi"]
    return (str(lo) if lo is not None else None, str(hi) if hi is not None else None)


def _iri(text: str):
    from rdflib import URIRef

    return URIRef(text)


def _plain(value: str):
    from rdflib import Literal

    return Literal(value)


def timeline(kg: "KnowledgeGraph", entity: str, *, lang: str | None = None, as_of: str | None = None) -> "QueryResult":
    """An entity's dated statuses, events and figures, oldest first, each with its source.

    With ``as_of``, rows whose source was not yet out by that date are left out. With
    ``lang``, IRIs are shown as labels in that language (as in :meth:`KnowledgeGraph.named`).

    >>> from hetao_kg.api import open_graph
    >>> rows = timeline(open_graph(), "Hong Kong Science Park Shenzhen Branch", lang="en").records()
    >>> [r["date"] for r in rows if r["kind"] == "event" and str(r["what"]) == "opened"][:1]
    ['2023-09-07']
    """
    result = kg.named("timeline", entity=entity, lang=lang)
    return _known_by(result, as_of) if as_of else result


#: the columns a reader's table of a timeline keeps; participants and sources are joined
FOLDED_COLUMNS = ("date", "kind", "item", "of", "what", "status", "value", "qualifier", "participant", "source",
                  "source_kind", "source_date")
_JOINED = ("participant", "source", "source_kind", "source_date")


def folded(result: "QueryResult") -> "QueryResult":
    """A timeline (or changes) answer with one row per dated item: rows that differ only in
    a participant or a source become one, those columns joined with "; " in order
    (a table for people; CSV and JSON keep a row per source, with its assertion).

    >>> from hetao_kg.api import open_graph
    >>> kg = open_graph()
    >>> full, short = timeline(kg, "Hong Kong Park", lang="en"), folded(timeline(kg, "Hong Kong Park", lang="en"))
    >>> len(short) < len(full), [r["source"] for r in short.records() if str(r["item"]) == "Hong Kong Park opened"][0].count("; ")
    (True, 2)
    """
    from rdflib import Literal

    from .results import QueryResult

    columns = [c for c in FOLDED_COLUMNS if c in result.vars]
    groups: dict[tuple, dict] = {}
    for row in result.rows:
        key = tuple(row.get(c) for c in columns if c not in _JOINED)
        seen = groups.setdefault(key, {c: [] for c in _JOINED} | {"row": row})
        for c in _JOINED:
            value = row.get(c)
            if value is not None and str(value) not in seen[c]:
                seen[c].append(str(value))
    rows = []
    for group in groups.values():
        out = {c: group["row"].get(c) for c in columns}
        for c in _JOINED:
            if c in out:
                out[c] = Literal("; ".join(group[c])) if group[c] else None
        rows.append(out)
    return QueryResult(columns, rows, truncated=result.truncated)


def _known_by(result: "QueryResult", date: str) -> "QueryResult":
    from .results import QueryResult

    last = latest_day(date)
    rows = [r for r in result.rows if _lo(r.get("source_date")) <= last]
    return QueryResult(result.vars, rows, truncated=result.truncated)


def _lo(when) -> str:
    text = str(when or "")
    lo = text.split("/", 1)[0]
    if not lo or lo == "..":
        return "0000-01-01"
    return earliest_day(lo)


def as_of(kg: "KnowledgeGraph", date: str, *, lang: str | None = None) -> "QueryResult":
    """Every entity's latest known status at ``date`` (facts from later sources left out).

    >>> from hetao_kg.api import open_graph
    >>> r = as_of(open_graph(), "2026-01-01", lang="en")
    >>> sorted({str(x["status"]) for x in r.records() if str(x["entity"]) == "Hong Kong Park"})
    ['opened']
    """
    return kg.named("as-of", date=_plain(latest_day(date)), lang=lang)


def status_as_of(kg: "KnowledgeGraph", entity: str, date: str, *, lang: str = "en") -> tuple[list[dict], str]:
    """The latest known status of one entity at ``date`` and a sentence saying so.

    >>> from hetao_kg.api import open_graph
    >>> rows, text = status_as_of(open_graph(), "Hong Kong Park", "2024-01-01")
    >>> rows, text.startswith("No status of Hong Kong Park is known as of 2024-01-01")
    ([], True)
    """
    iri = kg.resolve(entity)
    name = kg.label(iri, lang)
    rows = [r for r in kg.named("as-of", date=_plain(latest_day(date))).records() if str(r["entity"]) == iri]
    if not rows:
        dated = [r for r in kg.named("timeline", entity=iri).records()
                 if r["kind"] in ("status", "event") and r["status"] and str(r["of"]) == iri]
        later = (f"; the first dated status is {kg.label(str(dated[0]['status']), lang)} ({dated[0]['date']})"
                 if dated else "")
        return [], f"No status of {name} is known as of {date}{later}."
    parts = []
    for r in rows:
        status = kg.label(str(r["status"]), lang)
        note = undated_note(str(r["source_date"]))
        when = str(r["when"])
        text = f"{status} (as of {when}; source {r['source']}, {kg.label(str(r['source_kind']), lang) if r['source_kind'] else 'kind not recorded'}"
        text += f"; {note})" if note else ")"
        parts.append(text)
    return rows, f"As of {date}, {name}: " + "; ".join(dict.fromkeys(parts)) + "."


def changes(kg: "KnowledgeGraph", since: str, until: str, *, lang: str | None = None) -> "QueryResult":
    """What changed between ``since`` and ``until``: new entities, events, statuses, figures.

    ``since="report"`` starts at the latest day the report can have been written.

    >>> from hetao_kg.api import open_graph
    >>> r = changes(open_graph(), "report", "2026", lang="en")
    >>> "Hetao Hong Kong Youth Innovation Valley" in {str(x["item"]) for x in r.records()}
    True
    """
    if since == "report":
        since = report_dates(kg)[1]
        if since is None:
            raise BadDate("the report's date has no inferred latest bound")
    return kg.named("changes", since=_plain(earliest_day(since)), until=_plain(latest_day(until)), lang=lang)


def series(kg: "KnowledgeGraph", measure: str, *, lang: str | None = None) -> "QueryResult":
    """One measure (and its narrower measures) over time, each value with its source."""
    return kg.named("series", measure=measure, lang=lang)


def conflicts(kg: "KnowledgeGraph", *, lang: str | None = None) -> "QueryResult":
    """Values of one measure from different sources that cannot both hold at a shared time."""
    return kg.named("conflicts", lang=lang)
