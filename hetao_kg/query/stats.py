"""Counts and sentence coverage of the knowledge graph.

>>> s = statistics()
>>> s.coverage["hetao-progress-report"].uncovered
()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Dataset

from ..data.graph import load

if TYPE_CHECKING:
    from ..store.base import Store

__all__ = ["Coverage", "Statistics", "statistics", "format_statistics"]

_PREFIXES = """
PREFIX hto:  <https://w3id.org/hetao-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_CLASS_COUNTS = _PREFIXES + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER (?g != <https://w3id.org/hetao-kg/id/graph/ontology>)
  FILTER (STRSTARTS(STR(?class), STR(hto:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_FACTS = _PREFIXES + """
SELECT ?evidence (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(*) AS ?facts) WHERE {
  GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?g a hto:Assertion ; hto:evidence ?evidence }
  GRAPH ?g { ?s ?p ?o }
} GROUP BY ?evidence ORDER BY ?evidence
"""

_COVERAGE = _PREFIXES + """
SELECT ?doc ?sentence ?text (COUNT(DISTINCT ?g) AS ?assertions) WHERE {
  ?sentence a hto:Sentence ; hto:inDocument ?doc ; rdf:value ?text ; hto:paragraphNumber ?p ; hto:sentenceNumber ?n .
  OPTIONAL { ?quote hto:inSentence ?sentence . ?g prov:wasDerivedFrom ?quote . }
} GROUP BY ?doc ?sentence ?text ?p ?n ORDER BY ?doc ?p ?n
"""


@dataclass(frozen=True)
class Coverage:
    """Which sentences (or lines) of a source back at least one fact."""

    document: str
    total: int
    covered: int
    uncovered: tuple[tuple[str, str], ...]  # (sentence IRI, text)

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 1.0


@dataclass(frozen=True)
class Statistics:
    """Counts per class, facts per kind of evidence, and sentence coverage."""

    triples: int
    classes: tuple[tuple[str, int], ...]
    facts: tuple[tuple[str, int, int], ...]  # (evidence kind, assertion graphs, facts)
    coverage: dict[str, Coverage]


def _short(iri: str) -> str:
    for prefix, ns in (("hto:", "https://w3id.org/hetao-kg/ontology#"), ("kg:", "https://w3id.org/hetao-kg/id/")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def statistics(ds: Dataset | None = None, *, store: "Store | None" = None) -> Statistics:
    """Compute :class:`Statistics` for a loaded graph, or through a store (whose
    answers are cached by content, so a repeated ``hetao-kg stats`` evaluates nothing).

    >>> from hetao_kg.query.api import open_graph
    >>> statistics(store=open_graph().store).triples == len(load())
    True
    """
    if store is not None:
        def select(query: str) -> list[tuple]:
            rows = store.select(query)
            return [tuple(row[v] for v in rows.vars) for row in rows.rows]

        triples = int(select(_TRIPLES)[0][0])
    else:
        ds = ds if ds is not None else load()
        from ..data.rdflib_eval import install

        install()

        def select(query: str) -> list[tuple]:
            return [tuple(row) for row in ds.query(query)]

        triples = len(ds)
    classes = tuple((_short(str(r[0])), int(r[1])) for r in select(_CLASS_COUNTS))
    facts = tuple((_short(str(r[0])), int(r[1]), int(r[2])) for r in select(_FACTS))
    per_doc: dict[str, list] = {}
    for doc, sentence, text, n in select(_COVERAGE):
        per_doc.setdefault(str(doc).rsplit("/", 1)[-1], []).append((str(sentence), str(text), int(n)))
    coverage = {
        doc: Coverage(
            document=doc,
            total=len(rows),
            covered=sum(1 for r in rows if r[2]),
            uncovered=tuple((r[0], r[1]) for r in rows if not r[2]),
        )
        for doc, rows in per_doc.items()
    }
    return Statistics(triples, classes, facts, coverage)


def format_statistics(stats: Statistics, *, list_uncovered: bool = True) -> str:
    """Render statistics as plain text for the terminal."""
    lines = [f"triples: {stats.triples}", "", "entities per class:"]
    lines += [f"  {name:<34} {n:>4}" for name, n in stats.classes]
    lines += ["", "facts per kind of evidence (assertion graphs / triples):"]
    lines += [f"  {kind:<34} {g:>4} / {n}" for kind, g, n in stats.facts]
    lines += ["", "sources and sentence coverage (sentences that back at least one fact):"]
    for cov in stats.coverage.values():
        lines.append(f"  {cov.document:<34} {cov.covered}/{cov.total} ({cov.ratio:.0%})")
        if list_uncovered and cov.document != "context-facts":
            lines += [f"    not covered: {iri.rsplit('/', 1)[-1]} {text}" for iri, text in cov.uncovered]
    return "\n".join(lines)
