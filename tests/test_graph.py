"""The knowledge graph: union default graph, provenance, labels, figures."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from hetao_kg.namespaces import HTO, KG
from hetao_kg.paths import data_path

PREFIXES = """
PREFIX hto: <https://w3id.org/hetao-kg/ontology#>
PREFIX kg: <https://w3id.org/hetao-kg/id/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
CONTEXT = data_path("graph_data", "sources", "context-facts.md").read_text(encoding="utf-8")


def rows(kg, query):
    return [tuple(r) for r in kg.query(PREFIXES + query)]


def test_plain_query_sees_facts_from_every_graph(kg):
    found = rows(kg, "SELECT ?u WHERE { ?p hto:broughtInBy|hto:affiliatedWith ?u . ?u a hto:University }")
    assert {r[0] for r in found} == {KG["org/hku"], KG["org/cuhk-shenzhen"], KG["org/hkust"], KG["org/cuhk"], KG["org/cityu"]}


def test_graph_reaches_provenance_of_a_fact(kg):
    found = rows(kg, """
        SELECT ?exact ?start ?sentence WHERE {
          GRAPH ?g { <https://w3id.org/hetao-kg/id/org/siqa> hto:developmentStatus <https://w3id.org/hetao-kg/id/status/landed> }
          ?g prov:wasDerivedFrom ?q . ?q oa:exact ?exact ; oa:start ?start ; hto:inSentence ?sentence .
        }""")
    assert found and found[0][0] == Literal("量子信息方面,深圳国际量子研究院等已落地")
    assert str(found[0][2]).endswith("/doc/hetao-progress-report/p12s02")


def test_every_quote_occurs_verbatim_at_its_offsets(kg, report):
    quotes = rows(kg, "SELECT ?q ?doc ?exact ?s ?e WHERE { ?q a hto:Quote ; hto:inDocument ?doc ; oa:exact ?exact ; oa:start ?s ; oa:end ?e }")
    assert len(quotes) > 80
    texts = {str(KG["doc/hetao-progress-report"]): report.text, str(KG["doc/context-facts"]): CONTEXT}
    for q, doc, exact, start, end in quotes:
        assert texts[str(doc)][int(start) : int(end)] == str(exact), q


def test_every_fact_graph_has_provenance(kg):
    orphans = rows(kg, """
        SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o }
          FILTER (?g NOT IN (<https://w3id.org/hetao-kg/id/graph/ontology>, <https://w3id.org/hetao-kg/id/graph/provenance>))
          FILTER NOT EXISTS { ?g a hto:Assertion ; prov:wasDerivedFrom|prov:wasAttributedTo ?x } }""")
    assert orphans == []


def test_zh_hans_labels_are_names_as_they_appear_in_the_report(kg, report):
    labels = rows(kg, """
        SELECT ?s ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } ?g hto:evidence hto:StatedInSource .
                             FILTER (LANG(?l) = "zh-Hans") }""")
    assert len(labels) > 60
    for s, label in labels:
        assert str(label) in report.text, s


def test_every_entity_has_zh_hans_zh_hant_and_en_labels(kg):
    entities = {s for s, _, c in kg.triples((None, RDF.type, None)) if str(c).startswith(str(HTO))
                and c not in (HTO.Sentence, HTO.Paragraph, HTO.Quote, HTO.Assertion)}
    assert len(entities) > 100
    for e in entities:
        langs = {l.language.lower() for l in kg.objects(e, RDFS.label) if isinstance(l, Literal) and l.language}
        assert {"zh-hans", "zh-hant", "en"} <= langs, e
    assert Literal("香港大學", lang="zh-Hant") in set(kg.objects(KG["org/hku"], RDFS.label))


def test_english_labels_are_verified_or_marked_as_translations(kg):
    found = rows(kg, """
        SELECT ?s ?l ?evidence WHERE { GRAPH ?g { ?s rdfs:label ?l } ?g hto:evidence ?evidence .
                                        FILTER (LANG(?l) = "en") }""")
    by_kind = {}
    for s, label, evidence in found:
        by_kind.setdefault(evidence, []).append((s, label))
    verified = by_kind[HTO.VerifiedExternal]
    assert (KG["org/siqa"], Literal("Shenzhen International Quantum Academy", lang="en")) in verified
    for s, label in verified:  # verified names are quoted from context-facts.md
        assert str(label) in CONTEXT, label
    hkust = (KG["org/hkust"], Literal("The Hong Kong University of Science and Technology", lang="en"))
    assert hkust in verified and hkust not in by_kind[HTO.PlainTranslation]
    assert (KG["project/hku-ai-pathogen-diagnosis"], Literal("HKU project on AI-based pathogen diagnosis, prevention and control", lang="en")) in by_kind[HTO.PlainTranslation]


def test_wikidata_links_come_only_from_context_facts(kg):
    qids = {str(o).rsplit("/", 1)[-1] for o in kg.objects(None, OWL.sameAs)}
    assert qids == {"Q15568", "Q661845", "Q15174", "Q8646", "Q15175"}
    for q in qids:
        assert re.search(rf"\| {q} \|", CONTEXT)


@pytest.mark.parametrize(
    "figure, value, qualifier, unit",
    [
        ("government-service-items", 557, "exactly", None),
        ("research-and-industrial-space-area", 600000, "about", "MTK"),
        ("hong-kong-macao-team-members", 500, "more-than", "IE"),
        ("hong-kong-macao-legal-institutions", 8, "exactly", None),
        ("hong-kong-university-projects", 10, "exactly", None),
        ("global-top-100-hong-kong-universities", 5, "exactly", None),
        ("hong-kong-macao-youth-innovation-bases", 6, "exactly", None),
    ],
)
def test_figures_keep_value_qualifier_and_unit(kg, figure, value, qualifier, unit):
    f = KG[f"figure/{figure}"]
    assert int(kg.value(f, URIRef("https://schema.org/value"))) == value
    assert kg.value(f, HTO.qualifier) == KG[f"qualifier/{qualifier}"]
    code = kg.value(f, URIRef("https://schema.org/unitCode"))
    assert (str(code) if code is not None else None) == unit
    assert list(kg.objects(f, HTO.counts))


@pytest.mark.parametrize(
    "cohort, stated, named",
    [
        ("hong-kong-university-projects", 10, 2),
        ("global-top-100-hong-kong-universities", 5, 2),
        ("hong-kong-macao-youth-innovation-bases", 6, 2),
        ("hong-kong-macao-legal-institutions", 8, 0),
    ],
)
def test_partial_knowledge_is_explicit(kg, cohort, stated, named):
    found = rows(kg, f"""
        SELECT ?stated (COUNT(DISTINCT ?m) AS ?named) WHERE {{
          <https://w3id.org/hetao-kg/id/cohort/{cohort}> hto:statedCount/schema:value ?stated .
          OPTIONAL {{ <https://w3id.org/hetao-kg/id/cohort/{cohort}> hto:hasMember ?m }}
        }} GROUP BY ?stated""")
    assert [(int(a), int(b)) for a, b in found] == [(stated, named)]


def test_institutions_have_sector_and_status(kg):
    found = rows(kg, "SELECT ?o ?sector ?status WHERE { ?o hto:inSector ?sector ; hto:developmentStatus ?status }")
    pairs = {(str(o).rsplit("/", 1)[-1], str(st).rsplit("/", 1)[-1]) for o, _, st in found}
    assert ("siqa", "landed") in pairs
    assert ("shenzhen-hong-kong-macao-chip-institute", "entity-registration-under-way") in pairs
    assert ("st-global-packaging-test-innovation-centre", "under-construction") in pairs
    assert len(found) == 9  # quantum 2, chips 2, biomedicine 2, big data and AI 3


def test_every_report_sentence_backs_a_fact(kg, report):
    covered = {str(s) for (s,) in rows(kg, "SELECT DISTINCT ?s WHERE { ?g prov:wasDerivedFrom ?q . ?q hto:inSentence ?s }")}
    missing = [s.id for s in report.sentences if str(KG[f"doc/hetao-progress-report/{s.id}"]) not in covered]
    assert missing == []


def test_context_facts_are_kept_apart(kg):
    found = rows(kg, """
        SELECT DISTINCT ?doc WHERE { GRAPH ?g { <https://w3id.org/hetao-kg/id/figure/zone-area> ?p ?o } ?g prov:wasDerivedFrom ?q . ?q hto:inDocument ?doc }""")
    assert found == [(KG["doc/context-facts"],)]


def test_namespace_matches_the_ontology_both_ways():
    g = Graph()
    for name in ("hetao.ttl", "vocabularies.ttl"):
        g.parse(data_path("ontology", name))
    declared = {str(t)[len(str(HTO._NS)):] for t in g.all_nodes() if str(t).startswith(str(HTO._NS))}
    in_python = set(HTO.__annotations__)
    assert declared == in_python
    with pytest.raises(AttributeError):
        HTO.Univrsity  # noqa: B018 - a misspelt term fails loudly


def test_ontology_terms_have_labels_definitions_domains_and_ranges():
    g = Graph().parse(data_path("ontology", "hetao.ttl"))
    onto = URIRef("https://w3id.org/hetao-kg/ontology")
    for prop in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, DCTERMS.created, DCTERMS.modified):
        assert g.value(onto, prop) is not None, prop
    terms = [t for t in g.subjects(RDF.type, None) if isinstance(t, URIRef) and str(t).startswith(str(HTO._NS))]
    for t in terms:
        langs = {l.language for l in g.objects(t, RDFS.label)}
        assert {"en", "zh-Hans"} <= langs, t
        assert g.value(t, SKOS.definition) is not None, t
    for p in g.subjects(RDF.type, OWL.ObjectProperty):
        if str(p).startswith(str(HTO._NS)):
            assert g.value(p, RDFS.domain) is not None and g.value(p, RDFS.range) is not None, p
