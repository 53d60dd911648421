"""The named graphs of the built dataset and the helpers the build (:mod:`.graph`), the
entailments (:mod:`.inference`) and the derived graphs (:mod:`.derived`) share:
flattening a dataset, and recording a graph that a program made.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from ..namespaces import HTO, KG, bind_prefixes

__all__ = ["GRAPH_ONTOLOGY", "GRAPH_PROVENANCE", "GRAPH_ZH_HANT", "flatten", "record_machine_conversion"]

GRAPH_ONTOLOGY = KG["graph/ontology"]
GRAPH_PROVENANCE = KG["graph/provenance"]
GRAPH_ZH_HANT = KG["graph/zh-hant-labels"]


def record_machine_conversion(prov: Graph, graph: URIRef, agent: str, comment: str) -> None:
    """Record in ``prov`` that ``graph`` is an assertion made by a program (``agent/{agent}``)."""
    prov.add((graph, RDF.type, HTO.Assertion))
    prov.add((graph, HTO.evidence, HTO.MachineConversion))
    prov.add((graph, PROV.wasAttributedTo, KG[f"agent/{agent}"]))
    prov.add((graph, RDFS.comment, Literal(comment, lang="en")))


def flatten(ds: Dataset) -> Graph:
    """Every triple of every graph of ``ds`` in one plain graph (prefixes bound)."""
    flat = Graph()
    bind_prefixes(flat)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat
