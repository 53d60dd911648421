"""Stage 6: the public query API, one facade over any :class:`~hetao_kg.store.Store`.

Every helper is a named SPARQL query underneath (``hetao_kg/queries/*.rq``) and
answers in the language asked for: ``lang="en" | "zh-Hans" | "zh-Hant"``, falling
back to the other scripts and then to English when a label is missing.

>>> kg = open_graph()
>>> kg.hk_university_projects(lang="en").column("university")
['City University of Hong Kong', 'The Hong Kong University of Science and Technology', 'The Hong Kong University of Science and Technology', 'The Chinese University of Hong Kong', 'The University of Hong Kong', '5 "global top-100" Hong Kong universities']
>>> kg.ask("ASK { ?p hto:broughtInBy ?u }", u="inst:hku")
True

A plain string bound to a variable that the query uses as an entity (a subject, or
the object of an object property) is resolved like :meth:`KnowledgeGraph.resolve`
does: any label, alias, pinyin or compact name. Pass ``rdflib.Literal(...)`` to bind
a literal instead.

>>> kg.ask("ASK { ?p hto:broughtInBy ?u }", u="香港大学")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from rdflib import Literal, URIRef

from ..errors import AmbiguousEntity
from ..namespaces import compact
from .queries import _NOT_IRI, VALUES_CHUNK, UnknownName, entity_params, named_query, select_values
from .results import QueryResult
from .search import DiskSearchIndex, SearchHit, SearchIndex
from ..store.base import QueryError, RdflibStore, Store, entity_variables, to_term

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
  GRAPH ?g { ?s a ?k } ?s rdfs:label|skos:altLabel ?text .
  FILTER (?g NOT IN (<https://w3id.org/hetao-kg/id/graph/inferred>, <https://w3id.org/hetao-kg/id/graph/inferred/from-curator-inferences>))
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/hetao-kg/id/"))
  FILTER (?k NOT IN (hto:Sentence, hto:Paragraph, hto:Quote, hto:Assertion, hto:SourceDocument))
} GROUP BY ?s ?text
"""
_EXISTS = "ASK { { ?entity ?p ?o } UNION { ?s ?p ?entity } }"
_LITERAL_PROPERTIES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?p WHERE { { ?p a owl:DatatypeProperty } UNION { ?p a owl:AnnotationProperty } }
"""
# Properties whose objects are text or numbers even where the ontology does not say so.
_TEXT_PROPERTIES = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/ns/oa#exact",
    "http://www.w3.org/ns/oa#start",
    "http://www.w3.org/ns/oa#end",
    "https://schema.org/value",
    "https://schema.org/name",
}


@dataclass(frozen=True)
class PathStep:
    """One link of a path between two entities, with the quote behind it.

    Steps come in walk order: ``source`` is the node reached first, ``target`` the
    next; ``forward`` is False when the RDF link points from ``target`` to ``source``.
    """

    source: str
    property: str
    target: str
    source_label: str
    property_label: str
    target_label: str
    quote: str
    forward: bool = True
    inferred: str = ""  # the curators' reason when the link is inferred, else ""


def _data_key(store: Store) -> str | None:
    """The content key of the data a store answers from (None when it has none: a remote endpoint)."""
    for name in ("_lookup_key", "data_key"):
        key = getattr(store, name, None)
        if isinstance(key, str) and key:
            return key
    answer_key = getattr(store, "lookup_key", None) or getattr(store, "_answer_key", None)  # (computed once)
    if callable(answer_key):
        try:
            key = answer_key()
        except Exception:  # a missing file: the query reports it
            return None
        return key if isinstance(key, str) and key else None
    return None


def _check_lang(lang: str) -> str:
    if lang not in _FALLBACK:
        raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
    return lang


def _dataset_checked(sparql: str, store: Store, default_graphs: Sequence[str] = (),
                     named_graphs: Sequence[str] = ()) -> str:
    """The query with its dataset (see :func:`hetao_kg.store.dataset.apply_dataset`)."""
    from ..store.dataset import apply_dataset

    return apply_dataset(sparql, store, default_graphs, named_graphs)


class KnowledgeGraph:
    """The hetao-kg facade: SPARQL, named queries, helpers, search and paths.

    >>> kg = open_graph()
    >>> kg.query("SELECT ?u WHERE { ?u a hto:University } ORDER BY ?u", lang="zh-Hant").column("u")
    ['香港城市大學', '香港中文大學', '香港中文大學（深圳）', '香港大學', '香港科技大學', '香港理工大學']
    """

    def __init__(self, store: Store | None = None, *, root: str | Path | None = None, inference: bool = True):
        self.store: Store = store if store is not None else RdflibStore(root=root, inference=inference)
        self._labels: dict[str, dict[str, str]] | None = None
        self._some_labels: dict[str, dict[str, str]] = {}  # labels asked for by IRI (views), until labels() runs
        self._literal_properties: set[str] | None = None
        self._index: SearchIndex | None = None
        self._networks: dict[str, Any] = {}  # lang -> the projected network, kept by hetao_kg.network
        self._stated: Store | None = None
        self._root, self._inference = root, inference
        self.as_of_note = None  # set on a graph restricted to a date (see as_of)
        self._known_by: dict[str, KnowledgeGraph] = {}

    def _store(self, stated_only: bool) -> Store:
        """The store to ask: the whole graph, or the graph without curators' inferences."""
        if not stated_only:
            return self.store
        if self._stated is None:
            restrict = getattr(self.store, "stated_only", None)
            if restrict is None:
                raise QueryError(
                    f"{type(self.store).__name__} cannot leave out inferred facts; --stated-only needs the rdflib store"
                )
            self._stated = restrict()
        return self._stated

    def as_of(self, date: str) -> "KnowledgeGraph":
        """The graph as known at ``date`` (YYYY, YYYY-MM or YYYY-MM-DD): every fact whose
        sources were all out only after it is left out (see :mod:`hetao_kg.data.as_of`);
        ``.as_of_note`` says how many and which kept sources have an uncertain date.
        Answers come from an in-memory rdflib store.

        >>> q = "SELECT ?e WHERE { ?e hto:broughtInBy <https://w3id.org/hetao-kg/id/org/cityu> }"
        >>> kg = open_graph()
        >>> len(kg.query(q)), len(kg.as_of("2022-06").query(q)), len(kg.as_of("2022-12").query(q))
        (1, 0, 1)
        """
        from ..data.as_of import known_by
        from ..data.graph import load

        if date not in self._known_by:
            ds, note = known_by(load(self._root, inference=self._inference), date)
            kg = type(self)(RdflibStore(ds, inference=self._inference), root=self._root, inference=self._inference)
            kg.as_of_note = note
            self._known_by[date] = kg
        return self._known_by[date]

    # --- SPARQL -------------------------------------------------------------

    def query(
        self, sparql: str, /, *, lang: str | None = None, stated_only: bool = False, as_of: str | None = None,
        **bindings: Any
    ) -> QueryResult:
        """Run a SELECT query; keyword arguments bind variables safely (no text pasting).

        With ``lang``, IRIs in the answer are shown as labels in that language. With
        ``stated_only``, the curators' inferences are left out of the data queried.

        >>> q, kg = "SELECT ?u WHERE { ?b hto:affiliatedWith ?u }", open_graph()
        >>> b = "kg:org/hkust-incubator"
        >>> len(kg.query(q, b=b)), len(kg.query(q, b=b, stated_only=True))
        (1, 0)

        With ``as_of`` (a date), only what sources out by then said: :meth:`as_of`.
        """
        if as_of:
            return self.as_of(as_of).query(sparql, lang=lang, stated_only=stated_only, **bindings)
        terms = self._bind(sparql, bindings)
        store = self._store(stated_only)
        raw = store.select(_dataset_checked(sparql, store), terms)
        result = QueryResult(raw.vars, raw.rows, truncated=raw.truncated)
        return self._labelled(result, lang) if lang else result

    def ask(self, sparql: str, /, *, stated_only: bool = False, **bindings: Any) -> bool:
        """Run an ASK query."""
        store = self._store(stated_only)
        return store.ask(_dataset_checked(sparql, store), self._bind(sparql, bindings))

    def run(
        self, sparql: str, /, *, lang: str | None = None, stated_only: bool = False,
        default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (), **bindings: Any
    ) -> QueryResult | bool:
        """Run any read-only query: a :class:`QueryResult`, or a bool for ASK.

        ``default_graphs`` and ``named_graphs`` (IRIs of graphs of the dataset) set the
        query's dataset as the protocol's ``default-graph-uri`` / ``named-graph-uri``
        do, replacing its ``FROM`` clauses; a graph the dataset does not hold is refused
        (:class:`~hetao_kg.store.QueryRefused`), never fetched.
        """
        store = self._store(stated_only)
        sparql = _dataset_checked(sparql, store, default_graphs, named_graphs)
        answer = store.execute(sparql, self._bind(sparql, bindings))
        if isinstance(answer, bool):
            return answer
        result = QueryResult(answer.vars, answer.rows, truncated=answer.truncated)
        return self._labelled(result, lang) if lang else result

    def named(self, name: str, /, *, lang: str | None = None, stated_only: bool = False, as_of: str | None = None,
              **params: Any) -> QueryResult:
        """Run a named query (``hetao-kg queries`` lists them) with bound parameters;
        a parameter the header declares as an entity takes any name.

        >>> r = open_graph().named("institutions-by-sector", sector="生物医药", lang="en")
        >>> r.column("status"), r.column("status_words")
        (['landed', 'under construction'], ['已落地', '正在开展场地建设'])
        """
        if as_of:
            return self.as_of(as_of).named(name, lang=lang, stated_only=stated_only, **params)
        query = named_query(name)
        unknown = sorted(set(params) - set(query.param_names))
        if unknown:
            raise UnknownName(f"parameter of {name}", unknown[0], list(query.param_names))
        entities = entity_params(query)
        params = {k: (URIRef(self.resolve(v)) if k in entities and isinstance(v, str) else v) for k, v in params.items()}
        return self.query(query.text, lang=lang, stated_only=stated_only, **params)

    def _bind(self, sparql: str, bindings: dict[str, Any]) -> dict[str, Any]:
        """Bindings as RDF terms; a plain string in an entity position is resolved as a name."""
        if not bindings:
            return {}
        for k, v in bindings.items():
            iri = v[1:-1] if isinstance(v, str) and v.startswith("<") and v.endswith(">") else v
            if isinstance(iri, str) and iri is not v or isinstance(v, URIRef):
                if _NOT_IRI.intersection(iri) or any(ord(c) < 0x20 for c in iri):
                    raise QueryError(f"the value given for ?{k} is not a valid IRI: <{iri}> "
                                     "(no spaces, quotes or <>{}|^`\\ in an IRI; percent-encode them)")
        terms = {k: to_term(v) for k, v in bindings.items()}
        names = [k for k, v in bindings.items() if isinstance(v, str) and isinstance(terms[k], Literal)]
        if names:
            if self._literal_properties is None:
                rows = self.store.select(_LITERAL_PROPERTIES).rows
                self._literal_properties = {str(r["p"]) for r in rows} | _TEXT_PROPERTIES
            for k in entity_variables(sparql, names, self._literal_properties):
                terms[k] = URIRef(self.resolve(bindings[k]))
        return terms

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
        iri = str(iri)
        found = self._some_labels[iri] if self._labels is None and iri in self._some_labels else self.labels().get(iri, {})
        for tag in _FALLBACK[_check_lang(lang)]:
            if tag in found:
                return found[tag]
        if found:
            return next(iter(found.values()))
        return compact(str(iri))

    def _prefetch_labels(self, iris) -> None:
        """Ask the labels of just these IRIs (through VALUES), so that :meth:`label` finds
        them without every label of the graph in memory (what views and paths do)."""
        if self._labels is not None:
            return
        todo = {str(i) for i in iris} - self._some_labels.keys()
        todo = {i for i in todo if not _NOT_IRI.intersection(i)}
        if not todo:
            return
        found: dict[str, dict[str, str]] = {i: {} for i in todo}
        for row in select_values(self, "network-labels", "s", todo):
            lit = row["label"]
            if isinstance(lit, Literal):
                found[str(row["s"])].setdefault(lit.language or "", str(lit))
        self._some_labels.update(found)

    def _labels_of(self, iri: str) -> dict[str, str]:
        """{language tag: label} of one IRI, as :meth:`labels` has it."""
        if self._labels is None:
            self._prefetch_labels([iri])
            if iri in self._some_labels:
                return self._some_labels[iri]
        return self.labels().get(iri, {})

    def _labelled(self, result: QueryResult, lang: str) -> QueryResult:
        _check_lang(lang)
        if self._labels is None:  # a short answer: the labels of its IRIs only (one query), not every label
            iris = {v for row in result.rows for v in row.values() if isinstance(v, URIRef)}
            if len(iris) <= VALUES_CHUNK:
                self._prefetch_labels(iris)
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
            self._index = self._search_index()
        found = self._index.search(text, limit=limit)
        self._prefetch_labels(iri for iri, *_ in found)
        return [SearchHit(iri, self.label(iri, lang), matched, score, kind) for iri, matched, score, kind in found]

    def _search_index(self) -> "SearchIndex | DiskSearchIndex":
        """The search index: an SQLite file in the cache built once per data (keyed by the
        store's content key), or, for a store without one (a remote endpoint), in memory."""
        key = _data_key(self.store)
        path = None
        if key:
            from .. import cache

            path = cache.entry_path("search", f"{DiskSearchIndex.VERSION}-{key[:40]}", ".sqlite")
            if cache.trusted_file("search", path):  # not a link, nor a file another user could write
                try:
                    index = DiskSearchIndex(path)
                    cache.touch(path)
                    return index
                except Exception:  # unreadable: build it again
                    pass
        rows = self.store.select(_SEARCHABLE).rows
        # sorted, so that ties rank alike whatever order the store answers in
        labels = sorted((str(r["s"]), str(r["text"]), compact(str(r["kind"]))) for r in rows)
        if path is not None:
            try:
                index = DiskSearchIndex.build(path, labels)
            except OSError:  # a read-only cache: search from memory
                pass
            else:
                from .. import cache

                cache.evict(keep=path)
                return index
        return SearchIndex(labels)

    def resolve(self, entity: str) -> str:
        """An entity's IRI from an IRI, a compact name (``inst:hku``; the old
        ``kg:org/hku`` too) or any label or alias, exactly (in either script, any case,
        or in pinyin). A name that only partly matches is not guessed at.

        Raises :class:`~hetao_kg.query.queries.UnknownName` (with suggestions) or
        :class:`AmbiguousEntity` (with candidates, when exact matches tie).

        >>> kg = open_graph()
        >>> kg.resolve("香港科技大學")
        'https://w3id.org/hetao-kg/id/org/hkust'
        >>> kg.resolve("Hong Kong University")  # a recorded common form
        'https://w3id.org/hetao-kg/id/org/hku'
        >>> kg.resolve("Hong Kong Univ")
        Traceback (most recent call last):
        ...
        hetao_kg.errors.AmbiguousEntity: 'Hong Kong Univ' is ambiguous; candidates: The University of Hong Kong (inst:hku); The Hong Kong University of Science and Technology (inst:hkust); Hong Kong universities with research institutes in the zone (cohort:hk-universities-with-institutes)
        """
        entity = str(entity).strip()
        term = to_term(entity)
        if isinstance(term, URIRef):
            if self.store.ask(_EXISTS, {"entity": term}):
                return str(term)
            local = str(term).rsplit("/", 1)[-1]
            raise UnknownName("entity", entity, [compact(h.iri) for h in self.search(local, limit=3)])
        hits = self.search(entity, limit=8)
        exact = [h for h in hits if h.score >= 95 and h.score == hits[0].score]  # a label beats pinyin
        if len(exact) == 1:
            return exact[0].iri
        top = exact or [h for h in hits if h.score == hits[0].score]
        if len(top) > 1:
            raise AmbiguousEntity(entity, [(compact(h.iri), h.label) for h in top])
        raise UnknownName("entity", entity, [f"{h.label} ({compact(h.iri)})" for h in hits[:3]])

    def describe(self, entity: str, *, lang: str = "en", stated_only: bool = False, as_of: str | None = None) -> QueryResult:
        """Everything about one entity: each fact with the quote it came from, its
        evidence, and whether (and why) the curators inferred it.

        >>> facts = open_graph().describe("XtalPi headquarters").records()
        >>> sorted({f["quote"] for f in facts if f["property"] == "development status"})
        ['生物医药方面,晶泰科技总部等已落地']
        """
        if as_of:
            return self.as_of(as_of).describe(entity, lang=lang, stated_only=stated_only)
        return self.named("describe", lang=lang, stated_only=stated_only, entity=URIRef(self.resolve(entity)))

    # --- helpers for the questions users come with ---------------------------------

    def hk_university_projects(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Hong Kong universities (not CUHK-Shenzhen, a university in Shenzhen) and what
        each one's own institution brought in or is tied to, plus the unnamed remainder.

        >>> open_graph().hk_university_projects().records()[-1]["unnamed"]
        8
        >>> open_graph().hk_university_projects(stated_only=True).column("university")  # the report's are read from names
        ['The Hong Kong University of Science and Technology', '5 "global top-100" Hong Kong universities']
        """
        return self.named("hk-university-projects", lang=lang, stated_only=stated_only)

    def institutions_by_sector(
        self, *, sector: str | None = None, lang: str = "en", stated_only: bool = False
    ) -> QueryResult:
        """Institutions by key sector and development stage (optionally one sector)."""
        params = {"sector": URIRef(self.resolve(sector))} if sector else {}
        return self.named("institutions-by-sector", lang=lang, stated_only=stated_only, **params)

    def policies(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Policies: kind, status, parties, what each concerns and does.

        >>> sorted(set(open_graph().policies(lang="zh-Hans").column("status")) - {None})
        ['出台', '出台实施', '签署实施']
        """
        return self.named("policies", lang=lang, stated_only=stated_only)

    def construction_projects(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Construction and infrastructure projects by stage.

        >>> open_graph().construction_projects().column("status")[0]
        'planning scheme under study'
        """
        return self.named("construction-projects", lang=lang, stated_only=stated_only)

    def landed_platforms(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """National-level platforms and international organizations that landed.

        >>> len(open_graph().landed_platforms())
        4
        """
        return self.named("landed-platforms", lang=lang, stated_only=stated_only)

    def services(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Services, service platforms and their figures: each service and each figure on
        a row of its own, so a sum over ``value`` counts each figure once.

        >>> int(open_graph().services().to_pandas()["value"].sum())
        565
        """
        return self.named("services", lang=lang, stated_only=stated_only)

    def innovation_bases(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Innovation and entrepreneurship bases (a row each) and their counted group (one
        row with the stated count, the named count and the people attracted).

        >>> [(r["stated"], r["named"], r["people"]) for r in open_graph().innovation_bases().records() if r["stated"]]
        [(6, 2, 500)]
        """
        return self.named("innovation-bases", lang=lang, stated_only=stated_only)

    def figures(self, *, lang: str = "en", stated_only: bool = False) -> QueryResult:
        """Every number in the graph with what it counts, its qualifier and unit (one system
        per language, with ``unit_code``).

        >>> sorted(open_graph().figures().column("value"))[-1]
        10000000000
        """
        return self.named("figures", lang=lang, stated_only=stated_only)


def open_graph(
    root: str | Path | None = None,
    *,
    store: Store | str | Path | None = None,
    endpoint: str | None = None,
    inference: bool = True,
    timeout: float | None = None,
    as_of: str | None = None,
) -> KnowledgeGraph:
    """Open the knowledge graph (loaded lazily, cached by content).

    ``store`` is ``"oxigraph"`` (the default: embedded, persistent, in the per-user
    cache; see :mod:`hetao_kg.store`), ``"memory"`` (rdflib in process), a directory
    for an Oxigraph store there, or a :class:`~hetao_kg.store.Store`; ``endpoint`` a
    SPARQL endpoint URL instead. Answers are rdflib terms on every store.
    With ``inference`` (the default) the default graph includes the RDFS/OWL RL
    entailments (``<graph/inferred>``), so ``?x a hto:Policy`` finds every kind of
    policy; ``inference=False`` answers from the asserted facts alone. Queries run
    under limits (:mod:`hetao_kg.store.limits`) in a worker process: ``timeout`` in seconds
    (default ``HETAO_KG_TIMEOUT`` or 30; 0 for none). ``as_of`` (a date) gives the graph as
    known then: :meth:`KnowledgeGraph.as_of`.

    >>> kg = open_graph()
    >>> len(kg.query("SELECT ?p WHERE { ?p a hto:ConstructionProject }"))
    8
    >>> q = "SELECT ?p WHERE { ?p a hto:ConstructionProject } ORDER BY ?p"
    >>> open_graph(store="memory").query(q).column("p") == kg.query(q).column("p")
    True
    >>> len(kg.query("SELECT ?p WHERE { ?p a hto:Policy }")), len(open_graph(inference=False).query("SELECT ?p WHERE { ?p a hto:Policy }"))
    (11, 0)
    """
    from ..store.backends import open_store

    store = open_store(store, endpoint=endpoint, root=root, inference=inference,
                       **({} if timeout is None else {"timeout": timeout}))
    kg = KnowledgeGraph(store, root=root, inference=inference)
    return kg.as_of(as_of) if as_of else kg
