"""Stage 7: RDF -> networkx. Entities become nodes, links become labelled edges.

Nodes carry their kind, labels in every language, sector and status; edges carry
the property, its label and the quote behind the link. Ontology terms, literals
and provenance bookkeeping stay out of the drawing but stay reachable as
attributes.

>>> from hetao_kg.api import open_graph
>>> g = project(open_graph())
>>> g.nodes["https://w3id.org/hetao-kg/id/org/hku"]["kind"]
'University'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from .namespaces import HTO

if TYPE_CHECKING:  # pragma: no cover
    from .api import KnowledgeGraph

__all__ = ["project", "CONCEPT_KINDS"]

# Kinds that are vocabulary rather than things in the zone (hubs in a drawing).
CONCEPT_KINDS = frozenset({"Sector", "DevelopmentStatus", "Qualifier", "EvidenceKind"})
_GENERIC = {"Organization", "Policy", "Project", "SourceDocument", "Place"}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def project(kg: "KnowledgeGraph", *, lang: str = "en") -> nx.MultiDiGraph:
    """Project the knowledge graph to a :class:`networkx.MultiDiGraph`."""
    labels = kg.labels()
    kinds: dict[str, list[str]] = {}
    for row in kg.named("entity-kinds").raw:
        kinds.setdefault(str(row["entity"]), []).append(_local(str(row["kind"])))
    quotes: dict[str, tuple[str, str]] = {}
    for row in kg.named("assertion-quotes").raw:
        if row["quote"] is not None and str(row["graph"]) not in quotes:
            quotes[str(row["graph"])] = (str(row["quote"]), str(row["sentence"]))

    g = nx.MultiDiGraph(lang=lang)

    def add_node(iri: str) -> None:
        if iri in g:
            return
        found = sorted(kinds.get(iri, ["Thing"]), key=lambda k: (k in _GENERIC, k))
        names = labels.get(iri, {})
        g.add_node(
            iri,
            kind=found[0],
            kinds=tuple(found),
            label=kg.label(iri, lang),
            labels={tag: names[tag] for tag in ("zh-Hans", "zh-Hant", "en") if tag in names},
        )

    for row in kg.named("entity-links").raw:
        source, prop, target, graph = (str(row[k]) for k in ("source", "property", "target", "graph"))
        add_node(source)
        add_node(target)
        quote, sentence = quotes.get(graph, ("", ""))
        g.add_edge(
            source,
            target,
            key=_local(prop),
            property=prop,
            label=kg.label(prop, lang),
            quote=quote,
            sentence=sentence,
            graph=graph,
        )
    for node, data in g.nodes(data=True):
        for attr, prop in (("sector", HTO.inSector), ("status", HTO.developmentStatus)):
            targets = [t for _, t, k in g.out_edges(node, keys=True) if k == _local(str(prop))]
            if targets:
                data[attr] = kg.label(targets[0], lang)
                data[attr + "_iri"] = targets[0]
    return g
