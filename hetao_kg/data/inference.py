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

import hashlib
from typing import Iterable

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..namespaces import HTO, KG
from .closure import closure
from .dataset import GRAPH_PROVENANCE, flatten, record_machine_conversion

__all__ = ["GRAPH_FROM_INFERENCES", "GRAPH_INFERRED", "FROM_INFERENCES_COMMENT", "entailments", "add_inferred",
           "curator_graphs", "from_inferences", "record_from_inferences", "single_premise"]

GRAPH_INFERRED = KG["graph/inferred"]
#: entailments that follow only from curator inferences: an entailment of an inference is
#: an inference (evidence hto:EntailedFromInference), never a machine conversion
GRAPH_FROM_INFERENCES = KG["graph/inferred/from-curator-inferences"]
FROM_INFERENCES_COMMENT = ("RDFS / OWL 2 RL entailments, materialized by owlrl, that follow only from "
                           "curators' inferences: inferred, as their premises are.")

# Entailments that say nothing a reader wants (every thing is an owl:Thing) or that
# restate the ontology's own axioms.
_DULL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDFS.Datatype, RDF.Property,
               OWL.AnnotationProperty, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
_DULL_PREDICATES = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, OWL.differentFrom,
                    RDFS.domain, RDFS.range}


_MULTI_PREMISE = {OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                  OWL.propertyChainAxiom, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.hasKey,
                  OWL.intersectionOf, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.cardinality,
                  OWL.qualifiedCardinality, OWL.minCardinality, OWL.oneOf}


def single_premise(schema: Iterable[tuple]) -> bool:
    """Whether every OWL RL rule the ``schema`` triples enable has at most one data premise
    (owl:sameAs aside: its rules join a fact with the identity).

    >>> from rdflib.namespace import OWL
    >>> single_premise([(OWL.Thing, OWL.unionOf, OWL.Nothing)]), single_premise([(OWL.Thing, OWL.someValuesFrom, OWL.Nothing)])
    (True, False)
    """
    return not any(p in _MULTI_PREMISE or o in _MULTI_PREMISE for _, p, o in schema)


def entailments(asserted: Graph) -> set[tuple]:
    """The useful new triples of the OWL 2 RL closure of ``asserted`` (not modified)."""
    stated = set(asserted)
    everything = closure(stated)
    # owl:sameAs copies every fact onto the Wikidata twin of an entity; keep ours only
    twins = {t for s, o in asserted.subject_objects(OWL.sameAs) for t in (s, o) if not str(t).startswith(str(KG))}
    # ... and copies every triple that names the twin onto our entity: an assertion's
    # `dcterms:source wd:Q15568` would become `dcterms:source <org/hku>` (bookkeeping leaking
    # into facts). A triple that only restates a twin's triple with our entity is dropped.
    twin_of: dict = {}
    for s, o in asserted.subject_objects(OWL.sameAs):
        for own_term, twin in ((s, o), (o, s)):
            if twin in twins and str(own_term).startswith(str(KG)):
                twin_of.setdefault(own_term, set()).add(twin)

    def restated(s, p, o) -> bool:
        return any((s, p, t) in stated for t in twin_of.get(o, ())) or any(
            (t, p, o) in stated for t in twin_of.get(s, ()))

    own = (str(KG), str(HTO._NS))
    new = set()
    for s, p, o in everything - stated:
        if not isinstance(s, URIRef) or not str(s).startswith(own) or o in twins or isinstance(o, BNode) or p in _DULL_PREDICATES or s == o:
            continue
        if p == RDF.type and o in _DULL_TYPES:
            continue
        if str(p).startswith(("http://www.w3.org/2002/07/owl#", str(HTO._NS))) or (isinstance(o, Literal) and p == RDF.type):
            continue  # hto: links stay exactly as stated (inverse and sub-property copies would repeat them)
        if not restated(s, p, o):
            new.add((s, p, o))
    return new


_SCHEMA_NAMESPACES = (str(RDF), str(RDFS), str(OWL))


def _stand_in(position: str, p: URIRef, other) -> URIRef:
    """One IRI for every term in ``position`` of a triple with predicate ``p`` and ``other`` at the other end."""
    digest = hashlib.sha256(f"{position} {p.n3()} {other.n3()}".encode("utf-8")).hexdigest()[:24]
    return URIRef(f"urn:hetao-kg:stand-in:{digest}")


def from_inferences(is_entailed, schema, inferred_facts, stated_around) -> set[tuple]:
    """The entailments (``is_entailed(triple)`` true) that follow only from curators' inferences.

    ``schema``: the ontology's triples; ``inferred_facts``: the triples of the curator-inference
    graphs; ``stated_around(terms)``: every other asserted triple with one of ``terms`` as
    subject or object. An entailment the inferences give (with the schema) is kept apart
    unless the stated triples around its terms give it too. Both stores call this, so they
    split alike.
    """
    inferred_facts = list(inferred_facts)
    if not inferred_facts:
        return set()
    schema = list(schema)
    small = Graph()
    for triple in (*schema, *inferred_facts):
        small.add(triple)
    candidates = {t for t in entailments(small) if is_entailed(t)}
    if not candidates:
        return set()
    around = None
    if single_premise(schema):
        # Every rule that can fire has one data premise, or joins through owl:sameAs, so a
        # candidate follows from the stated triples around its own terms or not at all:
        # - one the schema alone gives (hto:Assertion rdfs:subClassOf prov:Entity) is stated
        #   whatever the data, and its terms are not asked about;
        # - the type of another thing (x a C, for a class C a candidate gives) bears on no
        #   candidate unless x is one of its terms or tied to one by owl:sameAs.
        # Without these, owlrl's input grew with every instance of such a class (every
        # report's assertions and quotes: 13 s at 10 reports, hours at 1,000).
        given = closure(schema)
        kept = {t for t in candidates if t not in given}
        if not kept:
            return set()
        terms = {t for s, _, o in kept for t in (s, o) if isinstance(t, URIRef)}
        around = list(stated_around(terms))
        if single_premise(around):  # no axiom in the data files joins premises either
            classes = {o for _, p, o in kept if p == RDF.type}
            tied = {t for s, p, o in around if p == OWL.sameAs for t in (s, o)}
            around = [(s, p, o) for s, p, o in around
                      if not (p == RDF.type and o in classes and s not in terms and s not in tied)]
            # - in a data triple (a p b), p no RDF, RDFS or OWL term, where a is an IRI the
            #   schema does not name and neither a candidate's term nor tied to one: an
            #   entailment that mentions a is no candidate, and the others depend on (p, b)
            #   alone. So one stand-in for every such a, per (p, b), gives the same candidates:
            #   a hub that every report restates (in thousands of quotes) is asked about once.
            keep = terms | tied | {t for triple in schema for t in triple}

            def stand_in(term, position: str, p, other):
                return term if term in keep or not isinstance(term, URIRef) else _stand_in(position, p, other)

            around = sorted({(s, p, o) if str(p).startswith(_SCHEMA_NAMESPACES)
                             else (stand_in(s, "s", p, o), p, stand_in(o, "o", p, s)) for s, p, o in around})
            candidates = kept
        else:
            around = None
    if around is None:
        terms = {t for s, _, o in candidates for t in (s, o) if isinstance(t, URIRef)}
        around = list(stated_around(terms))
    stated = closure([*schema, *around])
    return {t for t in candidates if t not in stated}


def record_from_inferences(prov: Graph, premises) -> None:
    """Mark :data:`GRAPH_FROM_INFERENCES` in ``prov``: inferred, derived from ``premises``
    (the curator-inference graphs)."""
    from rdflib.namespace import PROV

    g = GRAPH_FROM_INFERENCES
    prov.add((g, RDF.type, HTO.Assertion))
    prov.add((g, HTO.evidence, HTO.EntailedFromInference))
    prov.add((g, PROV.wasAttributedTo, KG["agent/owlrl"]))
    prov.add((g, RDFS.comment, Literal(FROM_INFERENCES_COMMENT, lang="en")))
    for premise in sorted(premises):
        prov.add((g, PROV.wasDerivedFrom, premise))


def curator_graphs(ds: Dataset) -> set[URIRef]:
    """The assertion graphs whose evidence is a curator's inference (a kind with
    ``skos:broader hto:CuratorInference``, directly or further up); see
    :func:`hetao_kg.data.graph.inferred_graphs`."""
    from rdflib.namespace import SKOS

    kinds = {HTO.CuratorInference}
    frontier = [HTO.CuratorInference]
    while frontier:
        broader = frontier.pop()
        for narrower in ds.subjects(SKOS.broader, broader):
            if narrower not in kinds:
                kinds.add(narrower)
                frontier.append(narrower)
    prov = ds.graph(GRAPH_PROVENANCE)
    return {g for kind in kinds for g in prov.subjects(HTO.evidence, kind) if isinstance(g, URIRef)}


def add_inferred(ds: Dataset) -> int:
    """Materialize the entailments of every graph of ``ds`` into :data:`GRAPH_INFERRED`
    (those of stated facts) and :data:`GRAPH_FROM_INFERENCES` (those that follow only
    from curators' inferences), mark both in the provenance graph; returns how many
    triples were added."""
    from .dataset import GRAPH_ONTOLOGY

    triples = entailments(flatten(ds))
    premises = curator_graphs(ds)
    inferred_facts = [t for g in sorted(premises) for t in ds.graph(g)]
    skip = premises | {GRAPH_ONTOLOGY}

    def stated_around(terms):
        out = []
        for term in terms:
            for quad in (*ds.quads((term, None, None, None)), *ds.quads((None, None, term, None))):
                ctx = quad[3].identifier if isinstance(quad[3], Graph) else quad[3]
                if ctx not in skip:
                    out.append(quad[:3])
        return out

    apart = from_inferences(triples.__contains__, ds.graph(GRAPH_ONTOLOGY), inferred_facts, stated_around)
    graph = ds.graph(GRAPH_INFERRED)
    for triple in sorted(triples - apart):
        graph.add(triple)
    prov = ds.graph(GRAPH_PROVENANCE)
    record_machine_conversion(prov, GRAPH_INFERRED, "owlrl",
        "RDFS / OWL 2 RL entailments of the asserted graphs, materialized by owlrl "
        "(inferred, not stated in any source).")
    if apart:
        graph = ds.graph(GRAPH_FROM_INFERENCES)
        for triple in sorted(apart):
            graph.add(triple)
        record_from_inferences(prov, premises)
    return len(triples)
