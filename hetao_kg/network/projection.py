"""Stage 7: RDF -> networkx. Entities become nodes, links become labelled edges.

Nodes carry their kind, labels in every language, sector, status and the quote
that introduces them; edges carry the property, its label and the quote behind
the link. Ontology terms, literals and provenance bookkeeping stay out of the
drawing but stay reachable as attributes.

>>> from hetao_kg.query.api import open_graph
>>> g = project(open_graph())
>>> g.nodes["https://w3id.org/hetao-kg/id/org/hku"]["kind"]
'University'
>>> top = centrality(g)[0]
>>> top["label"]
'Shenzhen Park'
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..namespaces import HTO
from ..query.api import PathStep, _check_lang
from ..query.queries import VALUES_CHUNK, named_query, select_values, with_values  # noqa: F401 (hetao_kg.network.with_values)

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx  # imported where a graph is built: resolving a name or a label needs none

    from ..query.api import KnowledgeGraph

__all__ = [
    "ATTRIBUTE_KINDS",
    "CONCEPT_KINDS",
    "FAMILIES",
    "add_centrality",
    "centrality",
    "communities",
    "Neighbourhood",
    "PathStep",
    "ego",
    "export",
    "family_of",
    "path_between",
    "path_steps",
    "project",
    "project_links",
    "projected",
    "shortest_paths",
]

# Kinds that are vocabulary rather than things in the zone (hubs in a drawing).
CONCEPT_KINDS = frozenset({"Sector", "DevelopmentStatus", "Qualifier", "EvidenceKind"})
_GENERIC = {"Organization", "Policy", "Project", "SourceDocument", "Place"}

_ONT = "https://w3id.org/hetao-kg/ontology#"
#: An assertion is inferred when its evidence kind has ``skos:broader`` this.
CURATOR_INFERENCE = _ONT + "CuratorInference"
_SCHEMA = "https://schema.org/"
#: Kind families, most specific first: a kind joins the first family one of whose
#: root classes is among its ancestors in the ontology's class hierarchy. Kinds in
#: no family are attributes (stages, figures, claims …) folded into the node they
#: describe. At most eight, so each can have its own shape and colour.
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("university", (_ONT + "University",)),
    ("service", (_ONT + "ServicePlatform", _ONT + "Service")),
    ("organization", (_ONT + "Organization", _ONT + "Person")),
    ("project", (_ONT + "Project",)),
    ("policy", (_ONT + "Policy", _ONT + "Strategy", _ONT + "SourceDocument", _SCHEMA + "CreativeWorkSeries")),
    ("place", (_SCHEMA + "Place",)),
    ("sector", (_ONT + "Sector",)),
    ("group", (_ONT + "Cohort",)),
)
#: Kinds drawn as attributes of another node, not as nodes, in the overview views.
ATTRIBUTE_KINDS = frozenset({"DevelopmentStatus", "Figure", "ProgressClaim", "Qualifier", "EvidenceKind"})


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def family_of(ancestors: set[str]) -> str:
    """The family of a kind given its ancestor classes (IRIs), or ``"attribute"``.

    >>> family_of({"https://w3id.org/hetao-kg/ontology#University", "https://w3id.org/hetao-kg/ontology#Organization"})
    'university'
    >>> family_of({"https://w3id.org/hetao-kg/ontology#DevelopmentStatus"})
    'attribute'
    """
    for family, roots in FAMILIES:
        if ancestors.intersection(roots):
            return family
    return "attribute"


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _evidence(kg: "KnowledgeGraph", lang: str, rows=None) -> dict[str, dict]:
    """Assertion graph -> its evidence: kind, label, inferred or stated, and its first
    quote located in its sentence (offsets relative to the sentence), paragraph and document.
    From ``rows`` of ``assertion-evidence`` (or ``network-evidence``), by default all of them."""
    out: dict[str, dict] = {}
    rows = kg.named("assertion-evidence").raw if rows is None else rows
    inferred_graphs = {str(r["graph"]) for r in rows if r["broader"] is not None and str(r["broader"]) == CURATOR_INFERENCE}
    order = ("graph", "quote_start", "evidence", "quote")
    rows = sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]).zfill(12) for k in order))
    kg._prefetch_labels({str(r[k]) for r in rows for k in ("evidence", "document") if r[k] is not None})
    for row in rows:
        graph = str(row["graph"])
        if graph in out and out[graph]["quote"]:
            continue
        inferred = graph in inferred_graphs
        quote = str(row["quote"]) if row["quote"] is not None else ""
        found = {
            "evidence": str(row["evidence"]),
            "evidence_label": kg.label(str(row["evidence"]), lang),
            "inferred": inferred,
            "quote": quote,
            "sentence": str(row["sentence"]) if row["sentence"] is not None else "",
            "sentence_text": str(row["sentence_text"]) if row["sentence_text"] is not None else quote,
            "span": [0, len(quote)],
            "paragraph": _int(row["paragraph"]),
            "sentence_number": _int(row["sentence_number"]),
            "document": str(row["document"]) if row["document"] is not None else "",
            "document_label": kg.label(str(row["document"]), lang) if row["document"] is not None else "",
        }
        if row["sentence_start"] is not None and row["quote_start"] is not None:
            begin = int(row["quote_start"]) - int(row["sentence_start"])
            found["span"] = [begin, begin + int(row["quote_end"]) - int(row["quote_start"])]
        out[graph] = found
    return out


def _stage_orders(kg: "KnowledgeGraph") -> dict[str, int]:
    rows = kg.query("SELECT ?s ?o WHERE { ?s hto:stageOrder ?o }").raw
    return {str(r["s"]): int(r["o"]) for r in rows}


# --- asking for just what a view draws: named queries bound through VALUES ---------------

def _ancestors(kg: "KnowledgeGraph") -> dict[str, set[str]]:
    """Kind (local name) -> its classes and every superclass (IRIs), from the ontology."""
    ancestors: dict[str, set[str]] = {}
    supers: dict[str, set[str]] = {}
    for row in kg.named("class-ancestors").raw:  # direct superclasses; the closure below
        supers.setdefault(str(row["kind"]), set()).add(str(row["ancestor"]))
    for kind in sorted(supers):
        seen, todo = {kind}, [kind]
        while todo:
            for parent in supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        ancestors[_local(kind)] = seen
    return ancestors


def _kind_family(ancestors: dict[str, set[str]], kind: str) -> str:
    """The family of a kind (local name) given :func:`_ancestors`; a kind the ontology
    does not place is its own only class."""
    return family_of(ancestors.get(kind, {_ONT + kind}))


def _primary(kinds: list[str]) -> str:
    """The kind a node is drawn as: the most specific of its kinds (local names)."""
    return sorted(kinds or ["Thing"], key=lambda k: (k in _GENERIC, k))[0]


def project(kg: "KnowledgeGraph", *, lang: str = "en") -> nx.MultiDiGraph:
    """Project the knowledge graph to a :class:`networkx.MultiDiGraph` labelled in ``lang``.

    Every node has ``kind``, ``family`` (see :data:`FAMILIES`), labels and the quote that
    introduces it; every edge its property, label, assertion ``graph`` and evidence
    (``evidence``, ``evidence_label``, ``inferred``, the quote with its ``span`` inside
    ``sentence_text``, ``paragraph``, ``sentence_number``, ``document_label``).
    Development stages carry ``stage_order`` (lifecycle order). This reads the whole
    graph; :func:`project_links` projects just some links (what a view draws).
    """
    kg.labels()  # every label at once
    kind_rows = sorted(_any_order(kg, "entity-kinds"), key=lambda r: (str(r["entity"]), str(r["kind"])))
    intro = {str(r["entity"]): (str(r["quote"]), str(r["sentence"])) for r in kg.named("entity-quotes").raw}
    evidence = _evidence(kg, lang)
    return _assemble(kg, lang, _any_order(kg, "entity-links"), kind_rows, intro, evidence, evidence)


_FINAL_ORDER = re.compile(r"\nORDER BY [^{}\n]*\s*\Z")


def _any_order(kg: "KnowledgeGraph", name: str) -> list:
    """The rows of a named query asked without its final ``ORDER BY``, for a caller that
    sorts them itself: a read-only Oxigraph store sorts by decoding every compared term
    (350k triples: ``entity-kinds`` 0.30 s unordered, 1.29 s ordered)."""
    text = named_query(name).text
    return kg.query(_FINAL_ORDER.sub("\n", text)).raw


def project_links(kg: "KnowledgeGraph", links: list[dict], *, lang: str = "en") -> nx.MultiDiGraph:
    """The projection of just these ``links`` (rows of ``network-links``: source, property,
    target, graph) and their end nodes: the same node and edge data as :func:`project`
    gives them, asked from the store for exactly these nodes and graphs through VALUES.

    A node's ``sector`` and ``status`` come from the links given: pass all its outgoing ones.
    """
    links = [{k: str(r[k]) for k in ("source", "property", "target", "graph")} for r in links]
    nodes = {r[k] for r in links for k in ("source", "target")}
    kind_rows = sorted(select_values(kg, "network-kinds", "entity", nodes), key=lambda r: (str(r["entity"]), str(r["kind"])))
    intro = {str(r["entity"]): (str(r["quote"]), str(r["sentence"])) for r in select_values(kg, "network-intro", "entity", nodes)}
    last: dict[tuple[str, str, str], str] = {}
    for r in sorted(links, key=lambda r: tuple(r[k] for k in ("source", "property", "target", "graph"))):
        last[(r["source"], _local(r["property"]), r["target"])] = r["graph"]
    evidence = _evidence(kg, lang, select_values(kg, "network-evidence", "graph", set(last.values())))
    quoted = {str(r["graph"]) for r in select_values(kg, "network-quoted-graphs", "sentence", {s for _, s in intro.values() if s})}
    intro_evidence = _evidence(kg, lang, select_values(kg, "network-evidence", "graph", quoted)) if quoted else {}
    kg._prefetch_labels(nodes | {r["property"] for r in links} | {str(r["kind"]) for r in kind_rows})
    return _assemble(kg, lang, links, kind_rows, intro, evidence, intro_evidence)


def projected(kg: "KnowledgeGraph", *, lang: str = "en") -> nx.MultiDiGraph:
    """The entity network of ``kg`` (:func:`project`), projected once per language and
    kept on ``kg``; treat it as read-only (views copy what they draw). ``kg.network()``."""
    if lang not in kg._networks:
        kg._networks[lang] = project(kg, lang=_check_lang(lang))
    return kg._networks[lang]


def _no_evidence() -> dict:
    """The evidence of a link whose assertion graph has none (a new dict: views change theirs)."""
    return {"evidence": "", "evidence_label": "", "inferred": False, "quote": "", "sentence": "",
            "sentence_text": "", "span": [0, 0], "paragraph": None, "sentence_number": None,
            "document": "", "document_label": ""}


_LINK_ORDER = ("source", "property", "target", "graph")


def _link_edges(kg: "KnowledgeGraph", links: list[dict], *, lang: str) -> dict[tuple[str, str], dict[str, dict]]:
    """The edges :func:`project_links` gives these ``links``, without networkx (what a
    path needs, and all it needs): ``(source, target) -> key -> data``, each data dict
    built and updated in the same order as the projection's ``add_edge`` calls do, so
    that a link met twice ends with the same attributes."""
    links = sorted(({k: str(r[k]) for k in _LINK_ORDER} for r in links), key=lambda r: tuple(r[k] for k in _LINK_ORDER))
    last = {(r["source"], _local(r["property"]), r["target"]): r["graph"] for r in links}  # the graph a link keeps
    evidence = _evidence(kg, lang, select_values(kg, "network-evidence", "graph", set(last.values())))
    kg._prefetch_labels({r[k] for r in links for k in ("source", "target", "property")})
    no_evidence = _no_evidence()
    edges: dict[tuple[str, str], dict[str, dict]] = {}
    for row in links:
        source, prop, target, graph = (row[k] for k in _LINK_ORDER)
        edges.setdefault((source, target), {}).setdefault(_local(prop), {}).update(
            property=prop, label=kg.label(prop, lang), graph=graph, **evidence.get(graph, no_evidence))
    return edges


def _assemble(kg: "KnowledgeGraph", lang: str, links, kind_rows, intro, evidence, intro_evidence) -> nx.MultiDiGraph:
    import networkx as nx

    ancestors = _ancestors(kg)
    kinds: dict[str, list[str]] = {}
    kind_iris: dict[str, str] = {}
    for row in kind_rows:
        kinds.setdefault(str(row["entity"]), []).append(_local(str(row["kind"])))
        kind_iris[_local(str(row["kind"]))] = str(row["kind"])
    stage_order = _stage_orders(kg)
    by_quote = {(e["quote"], e["sentence"]): e for _, e in sorted(intro_evidence.items()) if e["quote"]}
    no_evidence = _no_evidence()

    g = nx.MultiDiGraph(lang=lang)
    labels = kg.labels() if kg._labels is not None else None

    def add_node(iri: str) -> None:
        if iri in g:
            return
        found = _primary(kinds.get(iri, []))
        names = labels.get(iri, {}) if labels is not None else kg._labels_of(iri)
        quote, sentence = intro.get(iri, ("", ""))
        g.add_node(
            iri,
            kind=found,
            kind_label=kg.label(kind_iris[found], lang) if found in kind_iris else "thing",
            family=_kind_family(ancestors, found),
            label=kg.label(iri, lang),
            labels={tag: names[tag] for tag in ("zh-Hans", "zh-Hant", "en") if tag in names},
            **{**by_quote.get((quote, sentence), {**no_evidence, "sentence_text": quote, "span": [0, len(quote)]}),
               "quote": quote, "sentence": sentence},
        )
        if iri in stage_order:
            g.nodes[iri]["stage_order"] = stage_order[iri]

    # rows sorted, so that the projection is the same whatever order a store returns them in
    for row in sorted(links, key=lambda r: tuple(str(r[k]) for k in ("source", "property", "target", "graph"))):
        source, prop, target, graph = (str(row[k]) for k in ("source", "property", "target", "graph"))
        add_node(source)
        add_node(target)
        g.add_edge(
            source,
            target,
            key=_local(prop),
            property=prop,
            label=kg.label(prop, lang),
            graph=graph,
            **evidence.get(graph, no_evidence),
        )
    aliases: dict[str, set[str]] = {}  # abbreviations and common forms: the views' search finds them
    for row in select_values(kg, "network-aliases", "s", {n for n in g if str(n).startswith(("http://", "https://"))}):
        aliases.setdefault(str(row["s"]), set()).add(str(row["alias"]))
    for node, names in aliases.items():
        g.nodes[node]["aliases"] = sorted(names)
    targets_of = [t for node in g for t in g.successors(node)]
    kg._prefetch_labels(targets_of)
    for node, data in g.nodes(data=True):
        for attr, prop in (("sector", HTO.inSector), ("status", HTO.developmentStatus)):
            targets = [t for _, t, k in g.out_edges(node, keys=True) if k == _local(str(prop))]
            if targets:
                data[attr] = kg.label(targets[0], lang)
                data[attr + "_iri"] = targets[0]
                if targets[0] in stage_order:
                    data[attr + "_order"] = stage_order[targets[0]]
    return g


class Neighbourhood:
    """The network around some nodes, asked from the store link by link (never the whole graph).

    Knows, for the nodes it was asked about, their links (all outgoing ones; incoming
    ones except those of a hub property, see ``hub_min``), how many entities link into
    them by each property (:meth:`is_hub`), and the kinds of every node it met, so it
    can give a node's neighbours in the "simple" entity graph that the ego and path
    views use (attributes left out, hub links left out unless they touch ``centre``).
    """

    def __init__(self, kg: "KnowledgeGraph", *, hub_min: int, centre: str | None = None):
        self.kg, self.hub_min, self.centre = kg, hub_min, centre
        self.out: dict[str, list[dict]] = {}
        self.into: dict[str, list[dict]] = {}  # incoming links, hub properties left out (unless centre)
        self.fan_in: dict[tuple[str, str], int] = {}
        self._fanned: set[str] = set()
        self.kinds: dict[str, list[str]] = {}
        self._ancestors = _ancestors(kg)

    # -- asking the store ------------------------------------------------------------

    #: a :class:`~hetao_kg.network.degrees.DegreeTable` that answers the fan-in and the
    #: kinds (its primary kind per node: all :meth:`family` needs) instead of the store
    table = None

    def _fetch_fan_in(self, nodes) -> None:
        todo = set(nodes) - self._fanned
        if self.table is not None:
            self.fan_in.update(self.table.fan_in(todo))
        else:
            for row in select_values(self.kg, "network-fan-in", "target", todo):
                self.fan_in[(str(row["target"]), str(row["property"]))] = int(row["sources"])
        self._fanned |= todo

    def _fetch_kinds(self, nodes) -> None:
        todo = set(nodes) - self.kinds.keys()
        for n in todo:
            self.kinds[n] = []
        if self.table is not None:
            for n, kind in self.table.kinds(todo).items():
                self.kinds[n].append(kind)
            return
        for row in select_values(self.kg, "network-kinds", "entity", todo):
            self.kinds[str(row["entity"])].append(_local(str(row["kind"])))

    def fetch(self, nodes) -> None:
        """Ask the links of ``nodes`` (and the fan-in and kinds around them)."""
        todo = sorted(set(nodes) - self.out.keys())
        if not todo:
            return
        for n in todo:
            self.out[n], self.into[n] = [], []
        rows = [{k: str(r[k]) for k in ("source", "property", "target", "graph")}
                for r in select_values(self.kg, "network-links", "source", todo)]
        for r in rows:
            self.out[r["source"]].append(r)
        self._fetch_fan_in(todo + [r["target"] for r in rows])
        wanted = set(todo)
        pairs = [(t, p) for (t, p), n in self.fan_in.items() if t in wanted and (n < self.hub_min or t == self.centre)]
        found = [{k: str(r[k]) for k in ("source", "property", "target", "graph")}
                 for r in select_values(self.kg, "network-links", "target property", pairs)]
        for r in found:
            if r["target"] in wanted:
                self.into[r["target"]].append(r)
        self._fetch_kinds(set(todo) | {r["target"] for r in rows} | {r["source"] for r in found})

    def hub_attribute_links(self, nodes) -> list[dict]:
        """Links of a hub property into ``nodes`` from attribute nodes (folded into the node)."""
        wanted = set(nodes)
        pairs = [(t, p) for (t, p), n in self.fan_in.items() if t in wanted and n >= self.hub_min and t != self.centre]
        if self.table is not None:  # counted once: no need to ask for all the hub's links
            chosen = set(pairs)
            rows = [dict(zip(("source", "property", "target", "graph"), r))
                    for r in self.table.attribute_hub_links({t for t, _ in pairs}) if (r[2], r[1]) in chosen]
        else:
            rows = [{k: str(r[k]) for k in ("source", "property", "target", "graph")}
                    for r in select_values(self.kg, "network-links", "target property", pairs)]
        self._fetch_kinds({r["source"] for r in rows})
        return [r for r in rows if self.family(r["source"]) == "attribute"]

    # -- answers -----------------------------------------------------------------------

    def family(self, node: str) -> str:
        return _kind_family(self._ancestors, _primary(self.kinds.get(node, [])))

    def is_hub(self, row: dict) -> bool:
        """Whether the link is one of at least ``hub_min`` of its property into its target."""
        return self.fan_in.get((row["target"], row["property"]), 0) >= self.hub_min

    def links(self, node: str) -> list[dict]:
        """Every link of ``node`` this neighbourhood knows (after :meth:`fetch`)."""
        rows = self.out[node] + self.into[node]
        if self.centre is not None and node != self.centre and self.centre in self.out:
            rows = rows + [r for r in self.out[self.centre] if r["target"] == node and self.is_hub(r)]
        return rows

    def neighbours(self, node: str) -> set[str]:
        """The node's neighbours in the simple entity graph (both directions)."""
        self.fetch([node])
        found = set()
        for r in self.links(node):
            other = r["target"] if r["source"] == node else r["source"]
            if r["source"] == r["target"] == node:
                other = node
            if self.family(other) == "attribute":
                continue
            if self.is_hub(r) and self.centre not in (r["source"], r["target"]):
                continue
            found.add(other)
        return found


def _links_touching(kg: "KnowledgeGraph", nodes) -> list[dict]:
    """Every link into or out of ``nodes`` (two queries through VALUES)."""
    nodes = set(nodes)
    rows = select_values(kg, "network-links", "source", nodes) + select_values(kg, "network-links", "target", nodes)
    return [{k: str(r[k]) for k in ("source", "property", "target", "graph")} for r in rows]


def path_between(kg: "KnowledgeGraph", source: str, target: str) -> list[str]:
    """A shortest chain of nodes between two entities, links taken in either direction,
    found by a breadth-first search from both ends that asks the store for one level's
    links at a time (VALUES over the level), never the whole network. Neighbours are
    visited in IRI order, so ties go the same way every run. ``[]`` when there is none.
    """
    if source == target:
        return [source] if _links_touching(kg, [source]) else []
    adjacency: dict[str, list[str]] = {}

    def expand(level: list[str]) -> None:
        todo = [n for n in level if n not in adjacency]
        found: dict[str, set[str]] = {n: set() for n in todo}
        for r in _links_touching(kg, todo):
            if r["source"] in found:
                found[r["source"]].add(r["target"])
            if r["target"] in found:
                found[r["target"]].add(r["source"])
        adjacency.update({n: sorted(m) for n, m in found.items()})

    expand([source, target])
    if not adjacency[source] or not adjacency[target]:
        return []
    pred, succ = {source: None}, {target: None}
    forward, reverse = [source], [target]
    meet = None
    while forward and reverse and meet is None:  # networkx's bidirectional search, level by level
        if len(forward) <= len(reverse):
            level, forward, seen, other = forward, [], pred, succ
        else:
            level, reverse, seen, other = reverse, [], succ, pred
        expand(level)
        nxt = forward if seen is pred else reverse
        for v in level:
            for w in adjacency[v]:
                if w not in seen:
                    nxt.append(w)
                    seen[w] = v
                if w in other:
                    meet = w
                    break
            if meet is not None:
                break
    if meet is None:
        return []
    path, w = [], meet
    while w is not None:
        path.append(w)
        w = pred[w]
    path.reverse()
    w = succ[path[-1]]
    while w is not None:
        path.append(w)
        w = succ[w]
    return path


_INFERRED = """
PREFIX hto: <https://w3id.org/hetao-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g (SAMPLE(?c) AS ?reason) WHERE {
  GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?g hto:evidence ?kind . OPTIONAL { ?g rdfs:comment ?c } }
  ?kind skos:broader+ hto:CuratorInference .
} GROUP BY ?g
"""


def path_steps(kg: "KnowledgeGraph", a: str, b: str, *, lang: str = "en") -> list[PathStep]:
    """A shortest chain of links between two entities (any names), with quotes: the
    nodes :func:`path_between` finds, each link with its label and quote as
    :func:`project_links` projects it (networkx is not imported). ``kg.path(a, b)``."""
    source, target = kg.resolve(a), kg.resolve(b)
    nodes = path_between(kg, source, target)
    if len(nodes) < 2:
        return []
    pairs = {frozenset(pair) for pair in zip(nodes, nodes[1:])}
    links = [r for r in _links_touching(kg, nodes) if frozenset((r["source"], r["target"])) in pairs]
    edges_of = _link_edges(kg, links, lang=_check_lang(lang))  # the projection's edges, no networkx (0.11 s)
    reasons = {str(r["g"]): str(r["reason"] or "inferred") for r in kg.store.select(_INFERRED).rows}
    steps = []
    for u, v in zip(nodes, nodes[1:]):
        forward = (u, v) in edges_of
        edges = edges_of[(u, v)] if forward else edges_of[(v, u)]
        data = edges[min(edges, key=lambda k: (edges[k]["property"], str(k)))]  # the same link every run
        steps.append(PathStep(u, data["property"], v, kg.label(u, lang), data["label"],
                              kg.label(v, lang), data.get("quote", ""), forward,
                              reasons.get(str(data.get("graph", "")), "")))
    return steps


def _things(g: nx.MultiDiGraph, include_concepts: bool) -> nx.Graph:
    import networkx as nx

    keep = [n for n, d in g.nodes(data=True) if include_concepts or d["kind"] not in CONCEPT_KINDS]
    return nx.Graph(g.subgraph(keep))


def centrality(g: nx.MultiDiGraph, *, include_concepts: bool = False, top: int | None = None) -> list[dict]:
    """Degree and betweenness centrality per node, highest betweenness first.

    Sector and status concepts are left out unless ``include_concepts`` (they are
    hubs of the vocabulary, not actors in the zone).
    """
    import networkx as nx

    simple = _things(g, include_concepts)
    degree = nx.degree_centrality(simple)
    between = nx.betweenness_centrality(simple)
    rows = [
        {"node": n, "label": g.nodes[n]["label"], "kind": g.nodes[n]["kind"],
         "degree": simple.degree(n), "degree_centrality": degree[n], "betweenness": between[n]}
        for n in simple
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["label"]))
    return rows[:top] if top else rows


def add_centrality(g: nx.MultiDiGraph, *, include_concepts: bool = False) -> list[dict]:
    """Write :func:`centrality` into ``g`` as node attributes ``degree``,
    ``degree_centrality`` and ``betweenness`` (rounded to 6 places, so exports are
    byte-stable), which :func:`export` writes to GraphML, GEXF and CSV; nodes left out
    of the measure (sector and status concepts, attributes) get none. Returns the rows.

    >>> from hetao_kg.api import open_graph
    >>> g = project(open_graph())
    >>> rows = add_centrality(g)
    >>> g.nodes[rows[0]["node"]]["betweenness"] == round(rows[0]["betweenness"], 6)
    True
    """
    rows = centrality(g, include_concepts=include_concepts)
    for row in rows:
        g.nodes[row["node"]].update(degree=row["degree"], degree_centrality=round(row["degree_centrality"], 6),
                                    betweenness=round(row["betweenness"], 6))
    return rows


def communities(g: nx.MultiDiGraph, *, include_concepts: bool = False, seed: int = 7) -> list[list[str]]:
    """Communities (Louvain, seeded so runs agree), largest first, as lists of nodes."""
    import networkx as nx

    simple = _things(g, include_concepts)
    found = nx.community.louvain_communities(simple, seed=seed)
    return [sorted(c) for c in sorted(found, key=lambda c: (-len(c), sorted(c)[0]))]


def ego(g: nx.MultiDiGraph, center: str, *, depth: int = 1) -> nx.MultiDiGraph:
    """The neighbourhood of ``center`` up to ``depth`` links away, either direction."""
    import networkx as nx

    if center not in g:
        raise KeyError(f"{center} is not a node of the network")
    reach = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), center, cutoff=depth)
    return g.subgraph(reach).copy()


def shortest_paths(g: nx.MultiDiGraph, source: str, target: str, *, limit: int = 5) -> list[list[str]]:
    """Up to ``limit`` shortest node paths between two nodes, ignoring direction."""
    import networkx as nx

    undirected = g.to_undirected(as_view=True)
    try:
        out = []
        for path in nx.all_shortest_paths(undirected, source, target):
            out.append(path)
            if len(out) >= limit:
                break
        return out
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


def _flat(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are plain strings (GraphML and GEXF take no dicts)."""
    import networkx as nx

    flat = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        attrs = {k: v for k, v in d.items() if isinstance(v, (str, int, float))}
        attrs["kinds"] = " ".join(d.get("kinds", ()))
        for tag, text in d.get("labels", {}).items():
            attrs["label_" + tag.replace("-", "_")] = text
        flat.add_node(n, **attrs)
    for u, v, k, d in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, **{a: b for a, b in d.items() if isinstance(b, (str, int, float))})
    return flat


def export(g: nx.MultiDiGraph, path: str | Path, *, format: str | None = None) -> list[Path]:
    """Write the network as ``graphml``, ``gexf`` (Gephi) or ``csv`` (nodes + edges files).

    The format defaults to the file's suffix. Returns the files written (UTF-8).
    """
    import networkx as nx

    from ..data.export import write

    path = Path(path)
    fmt = format or path.suffix.lstrip(".")
    flat = _flat(g)
    if fmt in ("graphml", "gexf"):  # XML cannot hold control characters: keep the files well-formed
        from ..data.export import xml_safe

        for *_, data in [*flat.nodes(data=True), *flat.edges(data=True)]:
            data.update({k: xml_safe(v) for k, v in data.items() if isinstance(v, str)})
        flat = nx.relabel_nodes(flat, {n: xml_safe(n) for n in flat if isinstance(n, str) and xml_safe(n) != n})
    if fmt == "graphml":
        write(path, "\n".join(nx.generate_graphml(flat)))
        return [path]
    if fmt == "gexf":
        write(path, "\n".join(nx.generate_gexf(flat)))
        return [path]
    if fmt == "csv":
        nodes_path = path.with_name(path.stem + "-nodes.csv")
        edges_path = path.with_name(path.stem + "-edges.csv")
        node_cols = ["id", "label", "kind", "label_zh_Hans", "label_zh_Hant", "label_en", "sector", "status", "quote"]
        if any("betweenness" in d for _, d in flat.nodes(data=True)):  # after add_centrality
            node_cols += ["degree", "degree_centrality", "betweenness"]
        edge_cols = ["source", "target", "property", "label", "quote"]
        write(nodes_path, _csv(node_cols, [{"id": n, **d} for n, d in flat.nodes(data=True)]))
        write(edges_path, _csv(edge_cols, [{"source": u, "target": v, **d} for u, v, d in flat.edges(data=True)]))
        return [nodes_path, edges_path]
    raise ValueError(f"unknown network format {fmt!r}; choose graphml, gexf or csv")


def _csv(columns: list[str], rows: list[dict]) -> str:
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
