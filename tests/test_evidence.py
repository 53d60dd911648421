"""Stated vs inferred, status facets, citable external facts (issue 7).

Each test breaks a copy of the data the way a careless edit would, or checks the
real data for what the report does and does not say."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from hetao_kg.facade import open_graph
from hetao_kg.query.cite import citations, format_citations
from hetao_kg.data.graph import GRAPH_PROVENANCE, DataError, inferred_graphs, stated_only, to_traditional, zh_hant_overrides
from hetao_kg.namespaces import HTO, KG
from hetao_kg.source.sources import source_documents
from hetao_kg.data.validate import validate

from .conftest import run_cli

REPORT_FACTS = Path("graph_data") / "report-facts.trig"
CONTEXT_FACTS = Path("graph_data") / "context-facts.trig"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the evidence kinds and the inferred graphs ---------------------------------------


def test_inferred_kinds_are_narrower_than_curator_inference(kg):
    for kind in (HTO.InferredFromName, HTO.InferredFromList):
        assert (kind, SKOS.broader, HTO.CuratorInference) in kg
        assert (kind, SKOS.definition, None) in kg
    assert (HTO.CuratorInference, RDFS.label, Literal("curator inference", lang="en")) in kg


def test_every_inferred_graph_has_a_reason_and_a_quote(kg):
    graphs = inferred_graphs(kg)
    assert KG["assertion/inferred/hkust-incubator-affiliation"] in graphs
    assert KG["assertion/inferred/joint-policy-package-parties"] in graphs
    assert len(graphs) >= 10
    prov = kg.graph(GRAPH_PROVENANCE)
    for g in graphs:
        assert any(str(c).strip() for c in prov.objects(g, RDFS.comment)), g
        quotes = list(prov.objects(g, PROV.wasDerivedFrom))
        assert quotes and all((q, None, None) in prov for q in quotes), g
        assert len(kg.graph(g)) > 0, g


def test_stated_only_drops_exactly_the_inferred_graphs(kg):
    stated = stated_only(kg)
    names = {c.identifier for c in stated.contexts() if len(c)}
    assert not names & inferred_graphs(kg)
    hku_member = (KG["cohort/global-top-100-hong-kong-universities"], HTO.hasMember, KG["org/hku"])
    assert hku_member in kg and hku_member not in stated
    # stated facts and verified context facts stay
    assert (KG["org/siqa"], HTO.developmentStatus, KG["status/landed"]) in stated
    assert (KG["org/cuhk-shenzhen"], HTO.affiliatedWith, KG["org/cuhk"]) in stated


@pytest.mark.parametrize(
    "subject,prop",
    [
        ("cohort/global-top-100-hong-kong-universities", HTO.hasMember),
        ("org/hkust-incubator", HTO.affiliatedWith),
        ("policy/joint-policy-package", HTO.party),
        ("org/st-global-packaging-test-innovation-centre", HTO.unitOf),
        ("org/nmpa-drug-evaluation-gba-centre", HTO.branchOf),
    ],
)
def test_links_the_report_never_states_are_not_labelled_stated(kg, subject, prop):
    prov = kg.graph(GRAPH_PROVENANCE)
    holders = [c.identifier for c in kg.contexts((KG[subject], prop, None))]
    assert holders
    for g in holders:
        assert (g, HTO.evidence, HTO.StatedInSource) not in prov, g


def test_hkust_incubator_is_not_brought_in_and_framework_agreement_has_no_parties(kg):
    assert (KG["org/hkust-incubator"], HTO.broughtInBy, None) not in kg
    # the report names no parties: the only ones come from a later, dated public page (issue 18)
    prov = kg.graph(GRAPH_PROVENANCE)
    holders = {c for _, _, _, c in kg.quads((KG["policy/hkstp-shenzhen-branch-framework-agreement"], HTO.party, None, None))
               if str(c).startswith(str(KG["assertion/"]))}
    assert holders == {KG["assertion/since-report/hkstp-branch-agreement-signed"]}
    for g in holders:
        assert (g, HTO.evidence, HTO.VerifiedExternal) in prov
    assert (KG["project/cuhk-shenzhen-gba-biomedical-rnd-centre"], HTO.broughtInBy, KG["org/cuhk-shenzhen"]) in kg


# --- the quality checks fail on bad data ---------------------------------------------


def test_never_stated_check_catches_a_party_in_a_stated_graph(data_copy):
    replace_in(
        data_copy / REPORT_FACTS,
        '''        rdfs:label "发展“香港科学园深圳分园”框架协议"@zh-Hans ;''',
        '''        rdfs:label "发展“香港科学园深圳分园”框架协议"@zh-Hans ;
        hto:party <place/hong-kong> ;''',
    )
    report = validate(data_copy, checks=["sparql"])
    found = [v for v in report.violations if v.check == "stated-never-stated-violation"]
    assert found and "assertion/signed-policies" in found[0].node
    assert "never stated" in found[0].message and "party" in found[0].message


def test_never_stated_check_catches_group_membership_in_a_stated_graph(data_copy):
    replace_in(
        data_copy / REPORT_FACTS,
        '''        hto:statedCount <figure/global-top-100-hong-kong-universities> .''',
        '''        hto:hasMember <org/hku> ;
        hto:statedCount <figure/global-top-100-hong-kong-universities> .''',
    )
    report = validate(data_copy, checks=["sparql"])
    assert any(v.check == "stated-never-stated-violation" and "hk-university-projects" in v.node for v in report.violations)


def test_a_group_not_typed_where_it_is_stated_fails(data_copy):
    """hk-university-projects finds a member's group by hto:hasMember alone (the type in the
    same OPTIONAL lost groups on Virtuoso 7.2): a group must be typed hto:Cohort where it is stated."""
    replace_in(data_copy / REPORT_FACTS, "<cohort/hong-kong-macao-youth-innovation-bases> a hto:Cohort ;",
               "<cohort/hong-kong-macao-youth-innovation-bases>")
    report = validate(data_copy, checks=["sparql"])
    found = [v for v in report.violations if v.check == "untyped-group-violation"]
    assert [v.node.rsplit("/", 1)[-1] for v in found] == ["hong-kong-macao-youth-innovation-bases"]
    assert "hto:Cohort" in found[0].message


def test_inferred_assertion_without_a_reason_fails_shacl(data_copy):
    replace_in(
        data_copy / REPORT_FACTS,
        '''        rdfs:comment "The incubator's name''',
        '''        skos:note "The incubator's name''',
    )
    report = validate(data_copy, checks=["shacl"])
    assert any(
        v.node.endswith("assertion/inferred/hkust-incubator-affiliation") and "reason" in v.message
        for v in report.violations
    ), [str(v) for v in report.violations]


def test_stated_status_without_its_words_fails(data_copy):
    replace_in(data_copy / REPORT_FACTS, '''        hto:statusWords "正式运营"@zh-Hans ;\n''', "")
    replace_in(data_copy / REPORT_FACTS, '''hto:statusWords "挂牌运行"@zh-Hans''', '''hto:statusWords "正式运营"@zh-Hans''')
    report = validate(data_copy, checks=["sparql"])
    nodes = {v.node.rsplit("/", 1)[-1] for v in report.violations if v.check == "status-without-words-violation"}
    assert nodes == {"huang-danian-tea-house", "gba-arbitration-exchange-platform"}


def test_an_order_on_a_non_construction_status_fails_shacl(data_copy):
    replace_in(
        data_copy / "ontology" / "vocabularies.ttl",
        "<status/landed> a hto:DevelopmentStatus ; skos:inScheme <status/arrival> ;",
        "<status/landed> a hto:DevelopmentStatus ; skos:inScheme <status/arrival> ; hto:stageOrder 9 ;",
    )
    report = validate(data_copy, checks=["shacl"])
    assert any(v.node.endswith("status/landed") and "stageOrder" in v.message for v in report.violations)


def test_external_fact_without_url_fails_shacl(data_copy):
    replace_in(data_copy / CONTEXT_FACTS, "dcterms:source <https://cuhk.edu.hk>", 'dcterms:source "cuhk.edu.hk"')
    report = validate(data_copy, checks=["shacl"])
    assert any(v.node.endswith("assertion/context/cuhk") and "dcterms:source" in v.message for v in report.violations)


# --- external facts: one whole statement each ------------------------------------------


def test_external_quotes_are_whole_statements(kg):
    doc = source_documents()["context-facts"]
    rows = open_graph().query("""
        SELECT ?g ?q ?start ?end WHERE { ?g hto:evidence hto:VerifiedExternal ; prov:wasDerivedFrom ?n .
                                         ?n oa:exact ?q ; oa:start ?start ; oa:end ?end }""").records()
    assert len(rows) == len({r["g"] for r in rows}) >= 30  # exactly one quote per external assertion
    by_graph = {r["g"]: r for r in rows}
    areas = by_graph[str(KG["assertion/context/zone-areas"])]
    assert "about 3.89 km²" in areas["q"] and "0.87 km²" in areas["q"]  # the whole two-line item
    for r in rows:
        assert doc.text[r["start"]:r["end"]] == r["q"]
        block = next(s for s in doc.sentences if s.start <= r["start"] and r["end"] <= s.end)
        assert r["q"] == block.text or r["q"].endswith(".") or r["q"].endswith(")."), r["q"]


# --- stated-only in the API and the CLI; show marks inferred facts ----------------------


def test_stated_only_helper_argument():
    kg = open_graph()
    full = kg.policies(lang="en").records()
    stated = kg.policies(lang="en", stated_only=True).records()
    package = "joint policy package"
    assert {r["party"] for r in full if r["policy"] == package} == {"Shenzhen", "Hong Kong"}
    assert {r["party"] for r in stated if r["policy"] == package} == {None}
    assert all(r["party_inferred"] for r in full if r["policy"] == package)


def test_cli_stated_only_and_show_marks_inferred():
    q = "SELECT ?m WHERE { <https://w3id.org/hetao-kg/id/cohort/global-top-100-hong-kong-universities> hto:hasMember ?m }"
    full = run_cli("query", q, "--format", "csv")
    stated = run_cli("query", q, "--format", "csv", "--stated-only")
    assert full.returncode == stated.returncode == 0, full.stderr + stated.stderr
    assert sorted(full.stdout.splitlines()[1:]) == ["The Chinese University of Hong Kong", "The University of Hong Kong"]
    assert stated.stdout.splitlines() == ["m"]
    show = run_cli("show", "HKUST Innovation and Entrepreneurship Incubator")
    assert show.returncode == 0, show.stderr
    assert "1 fact(s) inferred by the curators" in show.stdout
    assert "affiliated with -> The Hong Kong University of Science and Technology" in show.stdout
    rows = list(csv.DictReader(io.StringIO(run_cli("show", "kg:org/hkust-incubator", "--format", "csv").stdout)))
    assert {r["property"]: r["inferred"] for r in rows}["affiliated with"] == "true"
    hidden = run_cli("show", "HKUST Innovation and Entrepreneurship Incubator", "--stated-only")
    assert "affiliated with" not in hidden.stdout


# --- citations --------------------------------------------------------------------------


def test_cite_a_report_fact_in_three_formats():
    kg = open_graph()
    [c] = citations(kg, "kg:assertion/siqa")
    assert (c.paragraph, c.sentence, c.start, c.end) == (12, 2, 844, 864)
    assert c.series == "粤港澳合作发展平台成效系列" and c.position == 4 and not c.inferred
    text = format_citations([c])
    assert "“量子信息方面,深圳国际量子研究院等已落地”" in text and "paragraph 12, sentence 2" in text
    bib = format_citations([c], format="bibtex")
    assert bib.startswith("@misc{siqa,") and "series = {粤港澳合作发展平台成效系列 no. 4}" in bib
    [item] = json.loads(format_citations([c], format="csl-json"))
    assert item["collection-number"] == "4" and item["URL"] == "http://jpxssl.cn/Item/3154.aspx"


def test_cite_an_external_fact_gives_its_url_and_marks_inferences():
    kg = open_graph()
    found = citations(kg, "CUHK")
    external = [c for c in found if c.external]
    assert {u for c in external for u in c.sources} == {
        "https://cuhk.edu.hk", "https://cuhk.edu.cn",
        # the dated public record since the report (issue 18) names CUHK too
        "https://www.tkww.hk/epaper/view/newsDetail/1807126961030565888.html",
        "https://xianggang.liuxueeedu.com/xgliuxue/%e6%b2%b3%e5%a5%97%e6%b7%b1%e6%b8%af%e7%a7%91%e6%8a%80%e5%88%9b%e6%96%b0%e5%90%88%e4%bd%9c%e5%8c%ba"}
    inferred = [c for c in found if c.inferred]
    assert inferred and "Inferred by the hetao-kg curators" in format_citations(inferred)
    assert not [c for c in citations(kg, "CUHK", stated_only=True) if c.inferred]
    # BibTeX special characters are escaped, CSL-JSON is valid JSON
    bib = format_citations(found, format="bibtex")
    assert bib.count("@misc{") == len(found)
    assert len(json.loads(format_citations(found, format="csl-json"))) == len(found)


def test_cli_cite_formats_and_errors():
    text = run_cli("cite", "深港联合办公室")
    assert text.returncode == 0, text.stderr
    assert "https://bayarea.gov.hk/gbais/en/" in text.stdout and "“深港联合办公室投入使用”" in text.stdout
    assert run_cli("cite", "深港联合办公室").stdout == text.stdout  # same input, same output
    bib = run_cli("cite", "kg:assertion/joint-office", "--format", "bibtex")
    assert bib.returncode == 0 and bib.stdout.startswith("@misc{joint-office,")
    csl = run_cli("cite", "kg:assertion/joint-office", "--format", "csl-json")
    assert json.loads(csl.stdout)[0]["id"] == "joint-office"
    missing = run_cli("cite", "kg:assertion/no-such-thing")
    assert missing.returncode == 2 and "no-such-thing" in missing.stderr and "Traceback" not in missing.stderr


# --- zh-Hant labels ----------------------------------------------------------------------


def test_zh_hant_uses_hong_kong_forms_and_the_override_table(kg):
    assert to_traditional("计数群体") == "計數群體"
    assert to_traditional("香港中文大学(深圳)大湾区生物医药创新研发中心").startswith("香港中文大學（深圳）")
    assert Literal("香港中文大學（深圳）", lang="zh-Hant") in set(kg.objects(KG["org/cuhk-shenzhen"], RDFS.label))
    # quotes keep the source's own form
    assert (None, None, Literal("香港中文大学(深圳)大湾区生物医药创新研发中心")) not in kg


def test_malformed_override_table_is_a_clear_error(tmp_path):
    bad = tmp_path / "zh-hant-overrides.json"
    bad.write_text('{"characters": {"羣": 1}}', encoding="utf-8")
    with pytest.raises(DataError, match="zh-hant-overrides.json"):
        zh_hant_overrides(bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not a valid override table"):
        zh_hant_overrides(bad)


def test_path_marks_inferred_links():
    steps = open_graph().path("HKUST Innovation and Entrepreneurship Incubator", "HKUST")
    assert [s.property_label for s in steps] == ["affiliated with"]
    assert "name" in steps[0].inferred and steps[0].quote.startswith("香港科技大学创新创业孵化器")
    cli = run_cli("path", "HKUST Innovation and Entrepreneurship Incubator", "HKUST")
    assert cli.returncode == 0 and "(inferred by the curators:" in cli.stdout
    stated = open_graph().path("SIQA", "Shenzhen Park")
    assert stated and not any(s.inferred for s in stated)


# --- issue 15: one rule for links read from names; quotes that mention their facts ------


def test_hong_kong_universities_are_external_facts_and_stay_in_stated_only(kg):
    stated = stated_only(kg)
    prov = kg.graph(GRAPH_PROVENANCE)
    for uni in ("org/hku", "org/hkust", "org/cuhk"):
        fact = (KG[uni], HTO.locatedIn, KG["place/hong-kong"])
        assert fact in stated, uni
        holders = [c.identifier for c in kg.contexts(fact) if str(c.identifier).startswith(str(KG))]
        assert holders and all((g, HTO.evidence, HTO.VerifiedExternal) in prov for g in holders), (uni, holders)
        assert all(str(u).startswith("http") for g in holders for u in prov.objects(g, DCTERMS.source))


@pytest.mark.parametrize(
    "subject,prop,obj",
    [
        ("project/hku-ai-pathogen-diagnosis", HTO.broughtInBy, "org/hku"),
        ("project/cuhk-shenzhen-gba-biomedical-rnd-centre", HTO.broughtInBy, "org/cuhk-shenzhen"),
        ("org/gba-arbitration-exchange-platform", HTO.platformOf, "org/gba-international-arbitration-centre"),
        ("org/e-station-service-centre", HTO.offersService, "service/bay-area-social-security"),
        ("org/e-station-service-centre", HTO.offersService, "service/shenzhen-hong-kong-easy-registration"),
        ("org/e-station-service-centre", HTO.offersService, "service/one-matter-one-visit"),
        ("org/e-station-service-centre", HTO.hasFigure, "figure/government-service-items"),
        ("claim/one-stop-cross-border", HTO.claimAbout, "org/e-station-service-centre"),
        ("policy/gba-outline-development-plan", HTO.concerns, "region/greater-bay-area"),
    ],
)
def test_links_read_from_names_or_a_missing_subject_are_inferred(kg, subject, prop, obj):
    holders = [c.identifier for c in kg.contexts((KG[subject], prop, KG[obj])) if str(c.identifier).startswith(str(KG))]
    assert holders
    assert set(holders) <= inferred_graphs(kg), holders
    assert (KG[subject], prop, KG[obj]) not in stated_only(kg)


@pytest.mark.parametrize(
    "old,new,graph",
    [
        ('''        rdfs:label "香港大学基于人工智能的病原诊断与防治项目"@zh-Hans ;''',
         '''        rdfs:label "香港大学基于人工智能的病原诊断与防治项目"@zh-Hans ;
        hto:broughtInBy <org/hku> ;''', "assertion/hk-university-projects"),
        ('''        hto:statusWords "挂牌运行"@zh-Hans ;''',
         '''        hto:statusWords "挂牌运行"@zh-Hans ;
        hto:platformOf <org/gba-international-arbitration-centre> ;''', "assertion/arbitration-platform"),
        ('''        hto:locatedIn <park/shenzhen-park> .
    <service/bay-area-social-security> a hto:Service ;''',
         '''        hto:locatedIn <park/shenzhen-park> ;
        hto:offersService <service/bay-area-social-security> .
    <service/bay-area-social-security> a hto:Service ;''', "assertion/e-station"),
    ],
)
def test_never_stated_check_catches_every_name_read_link(data_copy, old, new, graph):
    replace_in(data_copy / REPORT_FACTS, old, new)
    report = validate(data_copy, checks=["sparql"])
    found = [v for v in report.violations if v.check == "stated-never-stated-violation"]
    assert [v for v in found if v.node.endswith(graph)], [str(v) for v in report.violations]


def test_quote_that_does_not_mention_its_fact_fails(data_copy):
    # the One Zone, Two Parks arrangement's subject cited to the investment-plan sentence
    replace_in(
        data_copy / REPORT_FACTS,
        '''        prov:wasDerivedFrom <quote/report/441-507> ;
        prov:wasAttributedTo <agent/hetao-kg-curators> ;
        rdfs:comment "What each document''',
        '''        prov:wasDerivedFrom <quote/report/441-507> , <quote/report/520-554> ;
        prov:wasAttributedTo <agent/hetao-kg-curators> ;
        rdfs:comment "What each document''',
    )
    report = validate(data_copy, checks=["sparql"])
    found = [v for v in report.violations if v.check == "quote-off-fact-violation"]
    assert found and all(v.node.endswith("assertion/inferred/policy-subjects") for v in found)
    assert any("520-554" in v.message and "names neither" in v.message for v in found), [v.message for v in found]


def test_entailments_of_inferences_are_inferences_and_same_as_leaks_nothing(kg):
    from hetao_kg.data.inference import GRAPH_FROM_INFERENCES, GRAPH_INFERRED

    member = (KG["cohort/global-top-100-hong-kong-universities"], PROV.hadMember, KG["org/hku"])
    assert member in kg.graph(GRAPH_FROM_INFERENCES) and member not in kg.graph(GRAPH_INFERRED)
    assert GRAPH_FROM_INFERENCES in inferred_graphs(kg)  # stated-only and every inferred-graph filter leave it out
    assert member not in stated_only(kg)
    # an entailment of a stated fact stays a machine conversion
    assert (KG["org/siqa"], RDF.type, HTO.Organization) in kg.graph(GRAPH_INFERRED)
    # owl:sameAs wd:Q15568 must not turn `assertion/... dcterms:source wd:Q15568` into `... <org/hku>`
    assert not list(kg.triples((None, DCTERMS.source, KG["org/hku"])))


def test_raw_sparql_user_filtering_inferred_graphs_sees_no_inference():
    q = """SELECT ?m WHERE { GRAPH ?g { <https://w3id.org/hetao-kg/id/cohort/global-top-100-hong-kong-universities> hto:hasMember ?m }
             FILTER NOT EXISTS { ?g hto:evidence/skos:broader+ hto:CuratorInference }
             FILTER (isIRI(?m) && STRSTARTS(STR(?m), "https://w3id.org/hetao-kg/id/org/")) }"""
    for store in ("oxigraph", "memory"):
        out = run_cli("--store", store, "query", q, "--format", "csv")
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == ["m"], (store, out.stdout)


def test_path_stated_only_walks_stated_links_only():
    full = run_cli("path", "HKUST Innovation and Entrepreneurship Incubator", "HKUST")
    stated = run_cli("path", "HKUST Innovation and Entrepreneurship Incubator", "HKUST", "--stated-only")
    assert full.returncode == stated.returncode == 0, full.stderr + stated.stderr
    assert "(inferred by the curators:" in full.stdout and "(inferred by the curators:" not in stated.stdout
    assert "affiliated with" not in stated.stdout and len(stated.stdout.splitlines()) > len(full.stdout.splitlines())


def test_relation_column_follows_the_language():
    zh = open_graph().hk_university_projects(lang="zh-Hans").column("relation")
    en = open_graph().hk_university_projects(lang="en").column("relation")
    assert set(zh) == {"引进自", "隶属关联", "计数群体"} and set(en) == {"brought in by", "affiliated with", "counted group"}
