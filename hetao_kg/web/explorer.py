"""What the explorer pages show, read from the graph with SPARQL (any store).

Evidence kinds, labels and property names are read from the graph itself, so new
kinds (e.g. the curator inferences, ``skos:broader hto:CuratorInference``) show
without code changes.

>>> from hetao_kg.query.api import open_graph
>>> page = entity_page(open_graph(), "https://w3id.org/hetao-kg/id/org/siqa", lang="en")
>>> sector = next(g for g in page.groups if g.label == "in sector")
>>> page.label, sector.statements[0].label
('Shenzhen International Quantum Academy', 'quantum information')
>>> sector.statements[0].supports[0].quotes[0].marked
'量子信息方面,深圳国际量子研究院等已落地'
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import HTO, KG, PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    from ..query.api import KnowledgeGraph

__all__ = [
    "EntityPage",
    "Quote",
    "SourcePage",
    "Statement",
    "Support",
    "entity_page",
    "home_counts",
    "source_dates",
    "source_page",
    "term_path",
]

_P = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"

_OUT = _P + """
SELECT ?p ?o ?g ?ev ?inferred ?source ?quote ?exact ?qstart ?qend ?sent ?stext ?sstart ?doc WHERE {
  GRAPH ?g { ?entity ?p ?o }
  OPTIONAL { ?g hto:evidence ?ev .
             OPTIONAL { ?ev skos:broader ?broader . FILTER (?broader = hto:CuratorInference) }
             BIND (BOUND(?broader) AS ?inferred) }
  OPTIONAL { ?g dcterms:source ?source }
  OPTIONAL { ?g prov:wasDerivedFrom ?quote .
             ?quote oa:exact ?exact ; oa:start ?qstart ; oa:end ?qend ; hto:inSentence ?sent .
             ?sent rdf:value ?stext ; oa:start ?sstart ; hto:inDocument ?doc }
}"""
_IN = _P + """
SELECT DISTINCT ?s ?p WHERE {
  GRAPH ?g { ?s ?p ?entity }
  FILTER (isIRI(?s) && ?p NOT IN (prov:wasDerivedFrom, hto:inSentence, hto:inDocument, dcterms:isPartOf))
} LIMIT 500"""
_FIGURES = _P + """
SELECT ?p ?f ?value ?unit ?qualifier ?counts WHERE {
  ?entity ?p ?f . ?f a hto:Figure ; schema:value ?value .
  OPTIONAL { ?f schema:unitText ?unit }
  OPTIONAL { ?f hto:qualifier ?qualifier }
  OPTIONAL { ?f hto:counts ?counts }
}"""
_SENTENCES = _P + """
SELECT ?sent ?para ?n ?text ?start WHERE {
  ?sent a hto:Sentence ; hto:inDocument ?doc ; rdf:value ?text ; oa:start ?start ;
        hto:paragraphNumber ?para ; hto:sentenceNumber ?n .
} ORDER BY ?start"""
_QUOTES = _P + """
SELECT ?quote ?sent ?qstart ?qend ?g ?subject WHERE {
  ?quote a hto:Quote ; hto:inSentence ?sent ; oa:start ?qstart ; oa:end ?qend .
  ?sent hto:inDocument ?doc .
  ?g prov:wasDerivedFrom ?quote .
  OPTIONAL { GRAPH ?g { ?subject ?anyp ?anyo } FILTER (isIRI(?subject)) }
}"""
_COUNTS = _P + """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { ?x a ?c . FILTER (STRSTARTS(STR(?x), STR(kg:)))
    FILTER (?c NOT IN (hto:Sentence, hto:Paragraph, hto:Quote, hto:Assertion, hto:SourceDocument, hto:Figure))
    BIND ("entities" AS ?what) }
  UNION { ?x a hto:Assertion . BIND ("assertions" AS ?what) }
  UNION { ?x a hto:Quote . BIND ("quotes" AS ?what) }
  UNION { ?x a hto:Figure . BIND ("figures" AS ?what) }
  UNION { GRAPH ?x { ?s ?p ?o } BIND ("graphs" AS ?what) }
} GROUP BY ?what"""
_DOCS = _P + """
SELECT ?doc (COUNT(?sent) AS ?n) WHERE { ?doc a hto:SourceDocument . ?sent hto:inDocument ?doc ; a hto:Sentence }
GROUP BY ?doc ORDER BY ?doc"""

_HIDDEN_PROPS = {str(RDF.type)}
_LABEL_PROPS = (str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel))
_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_PLUMBING = set(_LABEL_PROPS) | {_SAME_AS}  # shown as labels, aliases and identifiers, not as statements
_WIKIDATA = "http://www.wikidata.org/entity/"
_ASSERTIONS = str(KG) + "assertion/"
_LOCATED_IN = str(HTO._NS) + "locatedIn"


def term_path(iri: str) -> str | None:
    """The server path of a hetao-kg IRI (``/id/org/hku``), or None for other IRIs.

    >>> term_path("https://w3id.org/hetao-kg/id/org/hku"), term_path("http://example.org/x")
    ('/id/org/hku', None)
    """
    base = str(KG)
    if iri.startswith(base):
        return "/id/" + iri[len(base):]
    onto = str(HTO._NS)
    if iri.startswith(onto):
        return "/ontology#" + iri[len(onto):]
    return None


@dataclass
class Quote:
    """A quote behind a fact: its sentence split around the quoted span."""

    iri: str
    exact: str
    start: int
    end: int
    sentence: str
    before: str
    marked: str
    after: str
    doc: str
    anchor: str


@dataclass
class Support:
    """One assertion graph stating a fact: its evidence kind and quotes."""

    graph: str
    evidence: str | None
    evidence_label: str
    inferred: bool
    source: str | None
    quotes: list[Quote] = field(default_factory=list)
    source_dates: list[str] = field(default_factory=list)  # "date (source)", or "date not known; ..."

    @property
    def path(self) -> str | None:
        """The assertion's own page in the explorer."""
        return term_path(self.graph)


@dataclass
class Statement:
    """A property value of the entity with every assertion behind it."""

    value: str
    label: str
    path: str | None
    lang: str | None
    is_iri: bool
    supports: list[Support] = field(default_factory=list)

    @property
    def quotes(self) -> list[Quote]:
        """Each quoted span once, whichever assertions cite it (their references are listed apart)."""
        seen, out = set(), []
        for sup in self.supports:
            for q in sup.quotes:
                if (q.doc, q.start, q.end) not in seen:
                    seen.add((q.doc, q.start, q.end))
                    out.append(q)
        return out


@dataclass
class Group:
    """The statements of one property."""

    property: str
    label: str
    path: str | None
    statements: list[Statement] = field(default_factory=list)


@dataclass
class EntityPage:
    """Everything the entity page shows."""

    iri: str
    label: str
    labels: dict[str, list[str]]
    kinds: list[tuple[str, str, str | None]]
    groups: list[Group]
    incoming: list[tuple[str, str, str | None, str]]
    figures: list[dict]
    neighbours: list[dict]
    timeline: list[dict] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.groups or self.incoming or self.kinds)

    # --- as Wikidata lays out an item: labels, aliases and identifiers apart from the statements ---

    @property
    def statements(self) -> list[Group]:
        """The groups that say something about the entity (not its names or identifiers)."""
        return [g for g in self.groups if g.property not in _PLUMBING]

    @property
    def aliases(self) -> dict[str, list[str]]:
        """Language tag -> other names (``skos:altLabel``), apart from the labels."""
        out: dict[str, list[str]] = {}
        for g in self.groups:
            if g.property == str(SKOS.altLabel):
                for st in g.statements:
                    out.setdefault(st.lang or "", []).append(st.label)
        return out

    def name_statements(self, tag: str, aliases: bool = False) -> list[Statement]:
        """The label (or alias) statements in one language, each with the assertions behind it."""
        props = {str(SKOS.altLabel)} if aliases else {str(RDFS.label), str(SKOS.prefLabel)}
        return [st for g in self.groups if g.property in props for st in g.statements if (st.lang or "") == tag]

    @property
    def names(self) -> dict[str, list[str]]:
        """Language tag -> labels, aliases left out."""
        aliases = self.aliases
        return {tag: [l for l in ls if l not in aliases.get(tag, ())] for tag, ls in self.labels.items()}

    @property
    def identifiers(self) -> list[tuple[str, str, str | None]]:
        """External identifiers (``owl:sameAs``): (scheme, identifier, public URL or None)."""
        out = []
        for g in self.groups:
            if g.property == _SAME_AS:
                for st in g.statements:
                    iri = st.value.strip("<>")
                    if iri.startswith(_WIKIDATA):
                        qid = iri[len(_WIKIDATA):]
                        out.append(("Wikidata", qid, "https://www.wikidata.org/wiki/" + qid))
                    else:
                        out.append(("", iri, iri if iri.startswith(("http://", "https://")) else None))
        return sorted(out)

    @property
    def kind_list(self) -> list[tuple[str, str, str | None]]:
        """Kinds without repeated names (``org:Organization`` and ``hto:Organization`` read the same)."""
        best: dict[str, tuple[str, str, str | None]] = {}
        for iri, label, path in self.kinds:
            if label not in best or (path and not best[label][2]):
                best[label] = (iri, label, path)
        return sorted(best.values(), key=lambda k: k[1])

    @property
    def description(self) -> str:
        """One line: the most specific kind and where it is (``university · Hong Kong``)."""
        kinds = [k for k in self.kind_list if k[2]] or self.kind_list
        parts = [kinds[-1][1]] if kinds else []
        for g in self.statements:
            if g.property == _LOCATED_IN:
                parts.append(", ".join(st.label for st in g.statements[:2]))
        return " · ".join(parts)

    @property
    def links_in(self) -> list[tuple[str, str, str | None, str]]:
        """Incoming links from entities (not from the assertions that record them)."""
        return [i for i in self.incoming if not i[0].startswith(_ASSERTIONS)]


def _doc_id(doc_iri: str) -> str:
    return doc_iri[len(str(KG)) + len("doc/"):] if doc_iri.startswith(str(KG) + "doc/") else doc_iri


def _quote(row) -> Quote:
    text, sstart = str(row["stext"]), int(row["sstart"])
    qs, qe = int(row["qstart"]) - sstart, int(row["qend"]) - sstart
    qs, qe = max(0, min(qs, len(text))), max(0, min(qe, len(text)))
    doc = _doc_id(str(row["doc"]))
    return Quote(str(row["quote"]), str(row["exact"]), int(row["qstart"]), int(row["qend"]), str(row["sent"]),
                 text[:qs], text[qs:qe], text[qe:], doc, f"quote-{int(row['qstart'])}-{int(row['qend'])}")


def entity_page(kg: "KnowledgeGraph", iri: str, *, lang: str = "en") -> EntityPage:
    """Collect an entity's labels, kinds, statements (with evidence and quotes), incoming
    links, figures and direct neighbours."""
    entity = URIRef(iri)
    # bound, not written in the text: the term may not be in the ontology yet
    # hto:CuratorInference is named in the query: a FILTER in an OPTIONAL sees only its own
    # group, so a bound ?curator (through VALUES, as on Oxigraph) would be unbound there
    rows = kg.store.select(_OUT, {"entity": entity}).rows
    labels: dict[str, list[str]] = {}
    kinds: dict[str, tuple[str, str, str | None]] = {}
    groups: dict[str, Group] = {}
    for row in rows:
        p, o = str(row["p"]), row["o"]
        if p in _LABEL_PROPS and isinstance(o, Literal):
            bucket = labels.setdefault(o.language or "", [])
            if str(o) not in bucket:
                bucket.append(str(o))
        if p in _HIDDEN_PROPS:
            kinds.setdefault(str(o), (str(o), kg.label(str(o), lang), term_path(str(o))))
            continue
        group = groups.get(p)
        if group is None:
            group = groups[p] = Group(p, kg.label(p, lang), term_path(p))
        key = o.n3()
        stmt = next((s for s in group.statements if s.value == key), None)
        if stmt is None:
            if isinstance(o, URIRef):
                stmt = Statement(key, kg.label(str(o), lang), term_path(str(o)), None, True)
            else:
                stmt = Statement(key, str(o), None, getattr(o, "language", None), False)
            group.statements.append(stmt)
        g = str(row["g"])
        support = next((s for s in stmt.supports if s.graph == g), None)
        if support is None:
            ev = str(row["ev"]) if row.get("ev") is not None else None
            inferred = row.get("inferred") is not None and bool(row["inferred"].toPython())
            support = Support(g, ev, kg.label(ev, lang) if ev else "", inferred,
                              str(row["source"]) if row.get("source") is not None else None)
            stmt.supports.append(support)
        if row.get("quote") is not None and all(q.iri != str(row["quote"]) for q in support.quotes):
            support.quotes.append(_quote(row))
    incoming = [
        (str(r["s"]), kg.label(str(r["s"]), lang), term_path(str(r["s"])), kg.label(str(r["p"]), lang))
        for r in kg.store.select(_IN, {"entity": entity}).rows
    ]
    incoming.sort(key=lambda t: (t[3], t[1], t[0]))
    figures = []
    for r in kg.store.select(_FIGURES, {"entity": entity}).rows:
        figures.append({
            "property": kg.label(str(r["p"]), lang), "figure": str(r["f"]), "path": term_path(str(r["f"])),
            "value": r["value"].toPython() if isinstance(r["value"], Literal) else str(r["value"]),
            "unit": str(r["unit"]) if r.get("unit") is not None else "",
            "qualifier": kg.label(str(r["qualifier"]), lang) if r.get("qualifier") is not None else "",
            "counts": str(r["counts"]) if r.get("counts") is not None else "",
        })
    # same data, same page: every list in a stable order, whatever order the store answered in
    for group in groups.values():
        group.statements.sort(key=lambda st: (st.label, st.value))
        for st in group.statements:
            st.supports.sort(key=lambda sup: sup.graph)
            for sup in st.supports:
                sup.quotes.sort(key=lambda q: (q.doc, q.start, q.end))
    for bucket in labels.values():
        bucket.sort()
    figures.sort(key=lambda f: (f["property"], f["figure"]))
    ordered = sorted(groups.values(), key=lambda g: (g.property in _LABEL_PROPS, g.label.lower(), g.property))
    _date_supports(kg, entity, ordered)
    return EntityPage(iri, kg.label(iri, lang), labels, sorted(kinds.values(), key=lambda k: k[1]), ordered,
                      incoming, figures, _with_shapes(kg, iri, _neighbours(ordered, incoming)), _timeline(kg, iri, lang))


def _with_shapes(kg: "KnowledgeGraph", iri: str, neighbours: list[dict]) -> list[dict]:
    """The neighbourhood drawn in the views' shapes and colours (the centre first)."""
    if not neighbours:
        return neighbours
    shapes = drawn_as(kg, [iri] + [n["iri"] for n in neighbours])
    centre = {**shapes[iri], "attrs": _scaled(shapes[iri], 1.5)}
    return [{**n, "shape": shapes[n["iri"]], "centre": centre} for n in neighbours]


def _scaled(shape: dict, factor: float) -> dict:
    from ..network.views.page import FAMILY_STYLE, _shape

    return _shape(FAMILY_STYLE[shape["family"]][0], 7.0 * factor)[1]


def _date_note(when: str) -> str:
    from ..query.timeline import undated_note

    return undated_note(when) or when


def _rows(kg: "KnowledgeGraph", name: str, entity: URIRef) -> list:
    """A named query about one entity, bound as given (an unknown entity answers no rows)."""
    from ..query.queries import named_query

    return kg.store.select(named_query(name).text, {"entity": entity}).rows


_SOURCE_DATES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def source_dates(kg: "KnowledgeGraph") -> dict[str, list[str]]:
    """Every assertion graph -> its sources' dates ("date (source)"), asked once per store."""
    dates = _SOURCE_DATES.get(kg.store)
    if dates is None:
        from ..query.queries import named_query

        dates = {}
        for r in kg.store.select(named_query("source-dates").text).rows:
            source = str(r.get("source"))
            where = source if not source.startswith(str(KG)) else kg.label(source)
            dates.setdefault(str(r.get("g")), []).append(f"{_date_note(str(r.get('source_date')))} ({where})")
        _SOURCE_DATES[kg.store] = dates
    return dates


def _date_supports(kg: "KnowledgeGraph", entity: URIRef, groups: list[Group]) -> None:
    """Give every support the date of its source (issue 18)."""
    dates = source_dates(kg)
    for group in groups:
        for st in group.statements:
            for sup in st.supports:
                sup.source_dates = sorted(set(dates.get(sup.graph, [])))


def _timeline(kg: "KnowledgeGraph", iri: str, lang: str) -> list[dict]:
    """The entity's dated statuses, events and figures, oldest first; one row per item
    and date, with every participant and source (issue 18)."""
    rows: dict[tuple, dict] = {}
    for r in _rows(kg, "timeline", URIRef(iri)):
        item = str(r.get("item"))
        key = (str(r.get("earliest")), str(r.get("latest")), str(r.get("kind")), item, str(r.get("status") or ""))
        row = rows.get(key)
        if row is None:
            what = str(r.get("what")) if r.get("what") is not None else item
            row = rows[key] = {
                "date": str(r.get("date")), "note": _date_note(str(r.get("date"))) if "/" in str(r.get("date")) else "",
                "kind": str(r.get("kind")), "label": kg.label(item, lang), "path": term_path(item),
                "what": kg.label(what, lang) if what.startswith("http") else what,
                "status": kg.label(str(r.get("status")), lang) if r.get("status") is not None else "",
                "value": r.get("value").toPython() if isinstance(r.get("value"), Literal) else "",
                "qualifier": kg.label(str(r.get("qualifier")), lang) if r.get("qualifier") is not None else "",
                "of": kg.label(str(r.get("of")), lang) if r.get("of") is not None and str(r.get("of")) != iri else "",
                "participants": set(), "sources": set(),
            }
        if r.get("participant") is not None:
            row["participants"].add(kg.label(str(r.get("participant")), lang))
        source = str(r.get("source"))
        kind = kg.label(str(r.get("source_kind")), lang) if r.get("source_kind") is not None else ""
        shown = source if not source.startswith(str(KG)) else kg.label(source, lang)
        row["sources"].add((shown, source if source.startswith("http") and not source.startswith(str(KG)) else "",
                            kind, _date_note(str(r.get("source_date")))))
    out = []
    for key in sorted(rows):
        row = rows[key]
        row["participants"] = sorted(row["participants"])
        row["sources"] = sorted(row["sources"])
        out.append(row)
    return out


def _neighbours(groups: list[Group], incoming) -> list[dict]:
    """Up to 16 direct neighbours placed on a circle (an SVG drawn by the template)."""
    items: list[tuple[str, str, str | None, bool]] = []
    seen = set()
    for g in groups:
        for s in g.statements:
            if s.is_iri and s.path and s.path.startswith("/id/") and s.value not in seen:
                seen.add(s.value)
                items.append((s.label, g.label, s.path, True))
    for iri, label, path, prop in incoming:
        if path and path.startswith("/id/") and not path.startswith("/id/assertion/") and iri not in seen:
            seen.add(iri)
            items.append((label, prop, path, False))
    items = items[:16]
    out = []
    for i, (label, prop, path, outgoing) in enumerate(items):
        angle = 2 * math.pi * i / max(1, len(items)) - math.pi / 2
        out.append({"label": label, "property": prop, "path": path, "outgoing": outgoing, "iri": str(KG) + path[len("/id/"):],
                    "x": round(300 + 210 * math.cos(angle), 1), "y": round(200 + 150 * math.sin(angle), 1)})
    return out


_FAMILY_ROOTS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?n ?root WHERE { ?n a ?k . ?k rdfs:subClassOf* ?root }
"""


def drawn_as(kg: "KnowledgeGraph", iris: list[str]) -> dict[str, dict]:
    """Each entity's shape and colour as the network views draw it (its kind family)."""
    from ..network.projection import FAMILIES
    from ..network.views.page import FAMILY_STYLE, _shape

    if not iris:
        return {}
    roots = {r: f for f, rs in reversed(FAMILIES) for r in rs}  # the first family listed wins
    values = " ".join(f"<{i}>" for i in sorted(set(iris)))
    root_values = " ".join(f"<{r}>" for r in sorted(roots))
    text = _FAMILY_ROOTS.replace("WHERE {", f"WHERE {{ VALUES ?n {{ {values} }} VALUES ?root {{ {root_values} }}")
    order = [f for f, _ in FAMILIES]
    found: dict[str, str] = {}
    for row in kg.store.select(text).rows:
        f = roots[str(row["root"])]
        n = str(row["n"])
        if n not in found or order.index(f) < order.index(found[n]):
            found[n] = f
    out = {}
    for iri in iris:
        family = found.get(iri, "organization")
        shape, colour = FAMILY_STYLE[family]
        tag, attrs = _shape(shape, 7.0)
        out[iri] = {"family": family, "colour": colour, "tag": tag, "attrs": attrs}
    return out


@dataclass
class Segment:
    """A run of a sentence's text, with the quotes (anchors) that cover it."""

    text: str
    anchors: list[str]
    starts: list[str] = field(default_factory=list)


@dataclass
class SourceSentence:
    """A sentence of the source with its quoted spans and the facts they support."""

    iri: str
    id: str
    segments: list[Segment]
    facts: list[tuple[str, str, str | None]]
    covered: bool


@dataclass
class SourcePage:
    """The normalized source, paragraph by paragraph."""

    doc: str
    iri: str
    label: str
    paragraphs: list[tuple[int, list[SourceSentence]]]
    sentences: int
    uncovered: int


def source_page(kg: "KnowledgeGraph", doc_id: str, *, lang: str = "en") -> SourcePage | None:
    """The source reader's data for one document, or None when no such document."""
    doc = URIRef(str(KG) + "doc/" + doc_id)
    rows = kg.store.select(_SENTENCES, {"doc": doc}).rows
    if not rows:
        return None
    quotes: dict[str, dict[tuple[int, int], set]] = {}
    facts: dict[str, dict[str, tuple[str, str, str | None]]] = {}
    for r in kg.store.select(_QUOTES, {"doc": doc}).rows:
        sent = str(r.get("sent"))
        span = (int(r.get("qstart")), int(r.get("qend")))
        quotes.setdefault(sent, {}).setdefault(span, set())
        if r.get("subject") is not None:
            subj = str(r.get("subject"))
            facts.setdefault(sent, {})[subj] = (subj, kg.label(subj, lang), term_path(subj))
    paragraphs: dict[int, list[SourceSentence]] = {}
    uncovered = 0
    for r in rows:
        iri, text, start = str(r.get("sent")), str(r.get("text")), int(r.get("start"))
        spans = quotes.get(iri, {})
        cuts = {0, len(text)}
        for qs, qe in spans:
            cuts.update({max(0, min(len(text), qs - start)), max(0, min(len(text), qe - start))})
        edges = sorted(cuts)
        segments, started = [], set()
        for a, b in zip(edges, edges[1:]):
            anchors = [f"quote-{qs}-{qe}" for qs, qe in sorted(spans) if qs - start <= a and b <= qe - start]
            starts = [x for x in anchors if x not in started]
            started.update(starts)
            segments.append(Segment(text[a:b], anchors, starts))
        covered = bool(spans)
        uncovered += not covered
        fact_list = sorted(facts.get(iri, {}).values(), key=lambda f: f[1])
        paragraphs.setdefault(int(r.get("para")), []).append(
            SourceSentence(iri, iri.rsplit("/", 1)[-1], segments, fact_list, covered))
    return SourcePage(doc_id, str(doc), kg.label(str(doc), lang), sorted(paragraphs.items()), len(rows), uncovered)


def source_documents(kg: "KnowledgeGraph", *, lang: str = "en") -> list[tuple[str, str, int]]:
    """The source documents: (id, label, sentence count)."""
    return [(_doc_id(str(r.get("doc"))), kg.label(str(r.get("doc")), lang), int(r.get("n")))
            for r in kg.store.select(_DOCS).rows]


def home_counts(kg: "KnowledgeGraph") -> dict[str, int]:
    """Counts for the home page: entities, assertions, quotes, figures, graphs."""
    return {str(r.get("what")): int(r.get("n")) for r in kg.store.select(_COUNTS).rows}


#: The named views an entity page points to ("see it in the network"); ego and path are drawn for it.
NAMED_VIEWS = ("hk-universities", "sectors", "policies", "construction", "services", "full")


def view_titles(lang: str) -> dict[str, tuple[str, str]]:
    """Each view's title and one-line description in ``lang`` (ego and path: their templates)."""
    from ..network.views.page import TITLES

    return {name: (t["title"][lang], t["about"][lang]) for name, t in TITLES.items()}


def view_members(kg: "KnowledgeGraph") -> dict[str, frozenset[str]]:
    """The entities each named view draws (its pages are cached, so this is cheap after the first)."""
    from ..network.views import render

    return {name: frozenset(n["iri"] for n in render(name, kg=kg).nodes if n.get("iri")) for name in NAMED_VIEWS}



def citation_text(kg: "KnowledgeGraph", iri: str, *, limit: int = 3) -> str:
    """A citation a reader can paste for the entity: its first quoted facts, as plain text,
    the report's own sentences before the external facts that context-facts.md records."""
    from ..query.cite import citations, format_citations

    found = sorted(citations(kg, iri), key=lambda c: bool(c.sources))  # stable: document order within each
    return format_citations(found[:limit], format="text") if found else ""


def query_title(summary: str) -> tuple[str, str]:
    """A named query's summary as a title and the rest (split at its first ": ", " (" or "；"/"：").

    >>> query_title("Counted groups: the number the report gives")
    ('Counted groups', 'the number the report gives')
    """
    # a bracket only ends the title when enough comes before it ("The quote (exact words) …" keeps going)
    cuts = [i for i, shortest in ((summary.find(": "), 1), (summary.find(" ("), 20), (summary.find("："), 1),
                                  (summary.find("（"), 8), (summary.find("；"), 1)) if i >= shortest]
    if not cuts:
        return summary.rstrip("."), ""
    i = min(cuts)
    return summary[:i], summary[i:].lstrip(":：； ").rstrip("）)") if summary[i] in ":：；" else summary[i:].strip()

