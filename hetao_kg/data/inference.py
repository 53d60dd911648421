"""Subclass-aware answers: the RDFS / OWL 2 RL entailments of the asserted graph
(computed with owlrl), kept in their own named graph ``<graph/inferred>``.

The dataset's default graph is the union of its named graphs, so with this graph
present ``?x a hto:Organization`` finds universities and ``?x a schema:Legislation``
every policy, and the standard vocabularies' links (``org:subOrganizationOf``,
``prov:hadMember`` …) follow from the ``hto:`` ones; ``hto:`` links themselves stay
exactly as stated. It is marked as machine-derived in ``<graph/provenance>``
(``hto:evidence hto:MachineConversion``, ``prov:wasAttributedTo <agent/owlrl>``);
``hetao-kg --no-inference`` / ``open(inference=False)`` leave it out, and
validation always checks the asserted data alone.

>>> from hetao_kg.data.graph import load
>>> from hetao_kg.namespaces import HTO, KG
>>> from rdflib.namespace import RDF
>>> ds = load()
>>> (KG["org/hku"], RDF.type, HTO.Organization) in ds.graph(GRAPH_INFERRED)
True
"""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..namespaces import HTO, KG
from .dataset import GRAPH_PROVENANCE, flatten, record_machine_conversion

__all__ = ["GRAPH_INFERRED", "entailments", "add_inferred"]

GRAPH_INFERRED = KG["graph/inferred"]

# Entailments that say nothing a reader wants (every thing is an owl:Thing) or that
# restate the ontology's own axioms.
_DULL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDFS.Datatype, RDF.Property,
               OWL.AnnotationProperty, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
_DULL_PREDICATES = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, OWL.differentFrom,
                    RDFS.domain, RDFS.range}


def entailments(asserted: Graph) -> set[tuple]:
    """The useful new triples of the OWL 2 RL closure of ``asserted`` (not modified)."""
    import owlrl

    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    # owl:sameAs copies every fact onto the Wikidata twin of an entity; keep ours only
    twins = {t for s, o in asserted.subject_objects(OWL.sameAs) for t in (s, o) if not str(t).startswith(str(KG))}
    own = (str(KG), str(HTO._NS))
    new = set()
    for s, p, o in closure:
        if not isinstance(s, URIRef) or not str(s).startswith(own) or o in twins or isinstance(o, BNode) or p in _DULL_PREDICATES or s == o:
            continue
        if p == RDF.type and o in _DULL_TYPES:
            continue
        if str(p).startswith(("http://www.w3.org/2002/07/owl#", str(HTO._NS))) or (isinstance(o, Literal) and p == RDF.type):
            continue  # hto: links stay exactly as stated (inverse and sub-property copies would repeat them)
        if (s, p, o) not in asserted:
            new.add((s, p, o))
    return new


def add_inferred(ds: Dataset) -> int:
    """Materialize the entailments of every graph of ``ds`` into :data:`GRAPH_INFERRED`
    and mark that graph in the provenance graph; returns how many triples were added."""
    triples = entailments(flatten(ds))
    graph = ds.graph(GRAPH_INFERRED)
    for triple in sorted(triples):
        graph.add(triple)
    prov = ds.graph(GRAPH_PROVENANCE)
    record_machine_conversion(prov, GRAPH_INFERRED, "owlrl",
        "RDFS / OWL 2 RL entailments of the asserted graphs, materialized by owlrl "
        "(inferred, not stated in any source).")
    return len(triples)
