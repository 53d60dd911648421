"""Stage 6: the public query API, one facade over any :class:`~hetao_kg.store.Store`.

Every helper is a named SPARQL query underneath (``hetao_kg/queries/*.rq``) and
answers in the language asked for: ``lang="en" | "zh-Hans" | "zh-Hant"``, falling
back to the other scripts and then to English when a label is missing.

>>> kg = open_graph()
>>> kg.hk_university_projects(lang="en").column("university")
['The Chinese University of Hong Kong, Shenzhen', 'The University of Hong Kong', 'Hong Kong University of Science and Technology', '5 "global top-100" Hong Kong universities']
>>> kg.ask("ASK { ?p hto:broughtInBy ?u }", u="kg:org/hku")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from .namespaces import PREFIXES
from .queries import UnknownName, named_query
from .results import QueryResult
from .search import SearchHit, SearchIndex
from .store import RdflibStore, Store, to_term

__all__ = [
    "LANGS",
    "AmbiguousEntity",
    "KnowledgeGraph",
    "PathStep",
    "open_graph",
]

LANGS = ("en", "zh-Hans", "zh-Hant")
_FALLBACK = {
    "en": ("en", "zh-Hans", "zh-Hant"),
    "zh-Hans": ("zh-Hans", "zh-Hant", "en"),
    "zh-Hant": ("zh-Hant", "zh-Hans", "en"),
}

_LABELS = """
SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
"""
_SEARCHABLE = """
PREFIX hto: <https://w3id.org/hetao-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?text (MIN(?k) AS ?kind) WHERE {
  ?s a ?k ; rdfs:label|skos:altLabel ?text .
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/hetao-kg/id/"))
  FILTER (?k NOT IN (hto:Sentence, hto:Paragraph, hto:Quote, hto:Assertion, hto:SourceDocument))
} GROUP BY ?s ?text
"""
_EXISTS = "ASK { { ?entity ?p ?o } UNION { ?s ?p ?entity } }"


class AmbiguousEntity(ValueError):
    """A name matches several entities; ``candidates`` lists them (IRI, label)."""

    def __init__(self, name: str, candidates: list[tuple[str, str]]):
        self.name, self.candidates = name, candidates
        listing = "; ".join(f"{label} <{iri}>" for iri, label in candidates)
        super().__init__(f"{name!r} is ambiguous; candidates: {listing}")


@dataclass(frozen=True)
class PathStep:
    """One link of a path between two entities, with the quote behind it."""

    source: str
    property: str
    target: str
    source_label: str
    property_label: str
    target_label: str
    quote: str


def _check_lang(lang: str) -> str:
    if lang not in _FALLBACK:
        raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
    return lang


class KnowledgeGraph:
    """The hetao-kg facade: SPARQL, named queries, helpers, search and paths.

    >>> kg = open_graph()
    >>> kg.query("SELECT ?u WHERE { ?u a hto:University } ORDER BY ?u", lang="zh-Hant").column("u")
    ['香港中文大學(深圳)', '香港大學', '香港科技大學']
    """

    def __init__(self, store: Store | None = None, *, root: str | Path | None = None):
        self.store: Store = store if store is not None else RdflibStore(root=root)
        self._labels: dict[str, dict[str, str]] | None = None
        self._index: SearchIndex | None = None
        self._networks: dict[str, Any] = {}

    # --- SPARQL -------------------------------------------------------------

    def query(self, sparql: str, /, *, lang: str | None = None, **bindings: Any) -> QueryResult:
        """Run a SELECT query; keyword arguments bind variables safely (no text pasting).

        With ``lang``, IRIs in the answer are shown as labels in that language.
        """
        terms = {k: to_term(v) for k, v in bindings.items()}
        raw = self.store.select(sparql, terms)
        result = QueryResult(raw.vars, raw.rows, truncated=raw.truncated)
        return self._labelled(result, lang) if lang else result

    def ask(self, sparql: str, /, **bindings: Any) -> bool:
        """Run an ASK query."""
        return self.store.ask(sparql, {k: to_term(v) for k, v in bindings.items()})

    def run(self, sparql: str, /, *, lang: str | None = None, **bindings: Any) -> QueryResult | bool:
        """Run any read-only query: a :class:`QueryResult`, or a bool for ASK."""
        answer = self.store.execute(sparql, {k: to_term(v) for k, v in bindings.items()})
        if isinstance(answer, bool):
            return answer
        result = QueryResult(answer.vars, answer.rows, truncated=answer.truncated)
        return self._labelled(result, lang) if lang else result

    def named(self, name: str, /, *, lang: str | None = None, **params: Any) -> QueryResult:
        """Run a named query (``hetao-kg queries`` lists them) with bound parameters.

        >>> r = open_graph().named("institutions-by-sector", sector="kg:sector/biomedicine", lang="en")
        >>> r.column("status")
        ['site construction', 'landed']
        """
        return self.query(named_query(name).text, lang=lang, **params)

    # --- labels ----------------------------------------------------------------

    def labels(self) -> dict[str, dict[str, str]]:
        """Every label: IRI -> {language tag: label}.

        >>> open_graph().labels()["https://w3id.org/hetao-kg/id/org/idea"]["zh-Hans"]
        '粤港澳大湾区数字经济研究院'
        """
        if self._labels is None:
            table: dict[str, dict[str, str]] = {}
            for row in self.store.select(_LABELS).rows:
                lit = row["label"]
                if isinstance(lit, Literal):
                    table.setdefault(str(row["s"]), {}).setdefault(lit.language or "", str(lit))
            self._labels = table
        return self._labels

    def label(self, iri: str, lang: str = "en") -> str:
        """The label of ``iri`` in ``lang`` (falling back sensibly), else a compact IRI.

        >>> open_graph().label("https://w3id.org/hetao-kg/id/org/hku", "zh-Hant")
        '香港大學'
        """
        found = self.labels().get(str(iri), {})
        for tag in _FALLBACK[_check_lang(lang)]:
            if tag in found:
                return found[tag]
        if found:
            return next(iter(found.values()))
        return _compact(str(iri))

    def _labelled(self, result: QueryResult, lang: str) -> QueryResult:
        _check_lang(lang)
        rows = [
            {k: (Literal(self.label(v, lang), lang=lang) if isinstance(v, URIRef) else v) for k, v in row.items()}
            for row in result.rows
        ]
        return QueryResult(result.vars, rows, raw=result.raw, truncated=result.truncated)

    # --- search and entities -------------------------------------------------------

    def search(self, text: str, *, lang: str = "en", limit: int = 10) -> list[SearchHit]:
        """Ranked entities whose labels or aliases match ``text`` in any script or pinyin.

        >>> [h.label for h in open_graph().search("liangzi", limit=2)]
        ['quantum information', 'Shenzhen International Quantum Academy']
        """
        if self._index is None:
            rows = self.store.select(_SEARCHABLE).rows
            # sorted, so that ties rank alike whatever order the store answers in
            self._index = SearchIndex(sorted((str(r["s"]), str(r["text"]), _compact(str(r["kind"]))) for r in rows))
        return [
            SearchHit(iri, self.label(iri, lang), matched, score, kind)
            for iri, matched, score, kind in self._index.search(text, limit=limit)
        ]

    def resolve(self, entity: str) -> str:
        """An entity's IRI from an IRI, a prefixed name (``kg:org/hku``) or any label.

        Raises :class:`~hetao_kg.queries.UnknownName` (with suggestions) or
        :class:`AmbiguousEntity` (with candidates).

        >>> open_graph().resolve("香港科技大學")
        'https://w3id.org/hetao-kg/id/org/hkust'
        """
        term = to_term(entity.strip())
        if isinstance(term, URIRef):
            if self.store.ask(_EXISTS, {"entity": term}):
                return str(term)
            local = str(term).rsplit("/", 1)[-1]
            raise UnknownName("entity", entity, [h.iri for h in self.search(local, limit=3)])
        hits = self.search(entity, limit=8)
        if not hits:
            raise UnknownName("entity", entity, [])
        top = [h for h in hits if h.score == hits[0].score]
        if len(top) == 1 and (hits[0].score >= 95 or len(hits) == 1):
            return hits[0].iri
        raise AmbiguousEntity(entity, [(h.iri, h.label) for h in hits])

    def describe(self, entity: str, *, lang: str = "en") -> QueryResult:
        """Everything about one entity: each fact with the quote it came from.

        >>> facts = open_graph().describe("XtalPi headquarters").records()
        >>> sorted({f["quote"] for f in facts if f["property"] == "development status"})
        ['生物医药方面,晶泰科技总部等已落地']
        """
        return self.named("describe", lang=lang, entity=URIRef(self.resolve(entity)))

    def path(self, a: str, b: str, *, lang: str = "en") -> list[PathStep]:
        """A shortest chain of links between two entities (via networkx), with quotes.

        >>> step = open_graph().path("STMicroelectronics", "意法半导体全球封测创新中心")[0]
        >>> step.property_label, step.quote
        ('unit of', '意法半导体全球封测创新中心等正在加快场地建设')
        """
        import networkx as nx

        source, target = self.resolve(a), self.resolve(b)
        graph = self.network(lang=lang)  # projected once per language, then reused
        try:
            nodes = nx.shortest_path(graph.to_undirected(as_view=True), source, target)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []
        steps = []
        for u, v in zip(nodes, nodes[1:]):
            if graph.has_edge(u, v):
                data = next(iter(graph.get_edge_data(u, v).values()))
                s, t = u, v
            else:
                data = next(iter(graph.get_edge_data(v, u).values()))
                s, t = v, u
            steps.append(PathStep(s, data["property"], t, self.label(s, lang), data["label"],
                                  self.label(t, lang), data.get("quote", "")))
        return steps

    # --- networks and views ---------------------------------------------------------

    def network(self, *, lang: str = "en"):
        """The entity network as a :class:`networkx.MultiDiGraph` (see :mod:`hetao_kg.network`).

        Projected once per language and kept; treat it as read-only (views copy what they draw).
        """
        from .network import project

        if lang not in self._networks:
            self._networks[lang] = project(self, lang=_check_lang(lang))
        return self._networks[lang]

    def render(self, view: str, *entities: str, lang: str = "en", depth: int = 1):
        """A named view (``hk-universities``, ``sectors``, …) as a :class:`~hetao_kg.views.View`;
        it displays inline in Jupyter and ``.save(path)`` writes the offline HTML page."""
        from .views import render

        return render(view, *entities, kg=self, lang=lang, depth=depth)

    # --- helpers for the questions users come with ---------------------------------

    def hk_university_projects(self, *, lang: str = "en") -> QueryResult:
        """Hong Kong universities and what each brought in, plus the unnamed remainder.

        >>> open_graph().hk_university_projects().records()[-1]["unnamed"]
        8
        """
        return self.named("hk-university-projects", lang=lang)

    def institutions_by_sector(self, *, sector: str | None = None, lang: str = "en") -> QueryResult:
        """Institutions by key sector and development stage (optionally one sector)."""
        params = {"sector": URIRef(self.resolve(sector))} if sector else {}
        return self.named("institutions-by-sector", lang=lang, **params)

    def policies(self, *, lang: str = "en") -> QueryResult:
        """Policies: kind, status, parties, what each concerns and does.

        >>> sorted(set(open_graph().policies(lang="zh-Hans").column("status")))
        ['出台', '出台实施', '签署实施']
        """
        return self.named("policies", lang=lang)

    def construction_projects(self, *, lang: str = "en") -> QueryResult:
        """Construction and infrastructure projects by stage.

        >>> open_graph().construction_projects().column("status")[0]
        'planning scheme under study'
        """
        return self.named("construction-projects", lang=lang)

    def landed_platforms(self, *, lang: str = "en") -> QueryResult:
        """National-level platforms and international organizations that landed.

        >>> len(open_graph().landed_platforms())
        4
        """
        return self.named("landed-platforms", lang=lang)

    def services(self, *, lang: str = "en") -> QueryResult:
        """Services, service platforms and their figures.

        >>> sorted({v for v in open_graph().services().column("value") if v})
        [8, 557]
        """
        return self.named("services", lang=lang)

    def innovation_bases(self, *, lang: str = "en") -> QueryResult:
        """Innovation and entrepreneurship bases with their counts.

        >>> {r["stated"] for r in open_graph().innovation_bases().records()}
        {6}
        """
        return self.named("innovation-bases", lang=lang)

    def figures(self, *, lang: str = "en") -> QueryResult:
        """Every number in the graph with what it counts and its qualifier.

        >>> sorted(open_graph().figures().column("value"))[-1]
        600000
        """
        return self.named("figures", lang=lang)


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def open_graph(
    root: str | Path | None = None,
    *,
    store: Store | str | Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
) -> KnowledgeGraph:
    """Open the knowledge graph (loaded lazily, cached by content).

    ``store`` is ``"memory"`` (rdflib), ``"oxigraph"`` (embedded, the default; see
    :mod:`hetao_kg.stores`), a directory for an Oxigraph store there, or a
    :class:`~hetao_kg.store.Store`; ``endpoint`` a SPARQL endpoint URL instead.
    Queries run under limits (:mod:`hetao_kg.limits`) in a worker process:
    ``timeout`` in seconds (default ``HETAO_KG_TIMEOUT`` or 30; 0 for none).

    >>> kg = open_graph()
    >>> len(kg.query("SELECT ?p WHERE { ?p a hto:ConstructionProject }"))
    7
    >>> q = "SELECT ?p WHERE { ?p a hto:ConstructionProject } ORDER BY ?p"
    >>> open_graph(store="memory").query(q).column("p") == kg.query(q).column("p")
    True
    """
    from .stores import open_store

    store = open_store(store, endpoint=endpoint, root=root, **({} if timeout is None else {"timeout": timeout}))
    return KnowledgeGraph(store, root=root)
