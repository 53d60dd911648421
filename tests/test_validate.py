"""Validation: the real data is clean; deliberately broken copies fail with the
right message and exit code."""

from __future__ import annotations

import os
import sys
import re
from pathlib import Path

import pytest

from rdflib import Dataset, URIRef

from hetao_kg.data.graph import DataError, load
from hetao_kg.data.validate import validate

from .conftest import run_cli

REPORT_FACTS = Path("graph_data") / "report-facts.trig"


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_real_data_is_clean_under_every_check():
    report = validate()
    assert report.ran == ["shacl", "owlrl", "hermit", "sparql"]
    assert [str(v) for v in report.violations] == []


def test_cli_validate_exits_0_on_clean_data():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violation(s)" in result.stderr


def test_shacl_violation_names_file_node_and_message(data_copy):
    # drop the value of a figure: SHACL requires exactly one schema:value
    replace_in(data_copy / REPORT_FACTS, "schema:value 557 ;", "")
    report = validate(data_copy, checks=["shacl"])
    messages = [str(v) for v in report.violations]
    assert any(
        "graph_data/report-facts.trig" in m and "figure/government-service-items" in m and "numeric schema:value" in m
        for m in messages
    ), messages
    result = run_cli("--data-root", str(data_copy), "validate", "--check", "shacl")
    assert result.returncode == 1
    assert "figure/government-service-items" in result.stdout


def test_missing_english_label_is_a_shacl_violation(data_copy):
    replace_in(data_copy / "graph_data" / "english-names.trig", '"Shenzhen International Quantum Academy"@en', '"x"@fr')
    report = validate(data_copy, checks=["shacl", "sparql"])
    assert any(v.node.endswith("org/siqa") and "English" in v.message for v in report.violations)
    assert any(v.check == "missing-label-violation" and v.node.endswith("org/siqa") for v in report.violations)


def test_turtle_syntax_error_reports_file_line_column(data_copy):
    path = data_copy / REPORT_FACTS
    lines = path.read_text(encoding="utf-8").splitlines()
    target = next(i for i, l in enumerate(lines) if "hto:inSector" in l)
    lines[target] = lines[target].replace("hto:inSector", 'hto:inSector "unterminated', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(data_copy)
    assert info.value.path.name == "report-facts.trig"
    assert info.value.line == target + 1 and info.value.column is not None
    result = run_cli("--data-root", str(data_copy), "validate")
    assert result.returncode == 2
    assert re.search(rf"report-facts\.trig:{target + 1}:\d+: trig syntax error", result.stderr), result.stderr
    assert result.stdout == ""  # nothing half-loaded was validated


def test_quote_not_in_source_is_reported(data_copy):
    replace_in(data_copy / REPORT_FACTS, 'oa:exact "量子信息方面,深圳国际量子研究院等已落地"', 'oa:exact "量子信息方面,深圳国际量子研究所等已落地"')
    report = validate(data_copy, checks=["sparql"])
    hits = [v for v in report.violations if v.check == "quote-not-in-source-violation"]
    assert len(hits) == 1 and hits[0].node.endswith("quote/report/844-864")
    assert "深圳国际量子研究所" in hits[0].message and "report-facts.trig" in hits[0].file
    result = run_cli("--data-root", str(data_copy), "validate", "--check", "sparql")
    assert result.returncode == 1 and "quote-not-in-source-violation" in result.stdout


def test_fact_without_provenance_is_reported(data_copy):
    with open(data_copy / REPORT_FACTS, "a", encoding="utf-8") as fh:
        fh.write('\n<assertion/unbacked> { <org/hku> hto:inSector <sector/biomedicine> . }\n')
    report = validate(data_copy, checks=["sparql"])
    assert any(v.check == "fact-without-provenance-violation" and "assertion/unbacked" in v.message for v in report.violations)


def test_dangling_reference_is_reported(data_copy):
    replace_in(data_copy / REPORT_FACTS, "hto:broughtInBy <org/hku>", "hto:broughtInBy <org/hkuu>")
    report = validate(data_copy, checks=["sparql"])
    assert any(v.check == "dangling-reference-violation" and "org/hkuu" in v.message for v in report.violations)


def test_undeclared_ontology_term_is_reported(data_copy):
    replace_in(data_copy / REPORT_FACTS, "hto:broughtInBy <org/hku>", "hto:broughtInByy <org/hku>")
    report = validate(data_copy, checks=["sparql"])
    assert any(v.check == "undeclared-term-violation" and "broughtInByy" in v.message for v in report.violations)


def test_inconsistency_is_found_by_owlrl_and_hermit(data_copy):
    with open(data_copy / REPORT_FACTS, "a", encoding="utf-8") as fh:
        fh.write(
            "\n<assertion/clash> { <org/hku> a hto:ResearchProject . }\n"
            "<graph/provenance> { <assertion/clash> a hto:Assertion ; hto:evidence hto:PlainTranslation ;"
            " prov:wasAttributedTo <agent/hetao-kg-curators> . }\n"
        )
    report = validate(data_copy, checks=["owlrl", "hermit"])
    checks = {v.check for v in report.violations}
    assert checks == {"owlrl", "hermit"}
    assert any(v.node.endswith("org/hku") for v in report.violations if v.check == "owlrl")


def test_overcounted_cohort_is_a_shacl_violation(data_copy):
    replace_in(data_copy / REPORT_FACTS, "schema:value 6 ;", "schema:value 1 ;")
    report = validate(data_copy, checks=["shacl"])
    assert any("more members than its stated count" in v.message for v in report.violations)


def test_missing_data_folder_exits_2(tmp_path):
    result = run_cli("--data-root", str(tmp_path / "nowhere"), "validate")
    assert result.returncode == 2 and "folder not found" in result.stderr


# --- language tags as written, HermiT in its own process, pySHACL's parsed queries ----


def test_check_messages_show_language_tags_as_written(data_copy):
    # the SPARQL checks run on pyoxigraph, which lowercases tags (zh-hans); messages must not
    replace_in(data_copy / "graph_data" / "english-names.trig", 'rdfs:label "香港科技大学"@zh-Hans ,', 'rdfs:label "香港大学"@zh-Hans ,')
    report = validate(data_copy, checks=["sparql"])
    dup = [v for v in report.violations if v.check == "duplicate-label-violation"]
    assert dup and all("org/hku" in v.node for v in dup), [str(v) for v in report.violations]
    messages = " | ".join(v.message for v in dup)
    assert "shares the zh-Hans label '香港大学'" in messages and "shares the zh-Hant label '香港大學'" in messages
    assert "zh-hans" not in messages and "zh-hant" not in messages
    result = run_cli("--data-root", str(data_copy), "validate", "--check", "sparql")
    assert result.returncode == 1 and "shares the zh-Hans label" in result.stdout
    assert "zh-hans" not in result.stdout


def test_missing_label_message_names_the_tag_in_bcp47_case(data_copy):
    replace_in(data_copy / "graph_data" / "english-names.trig", 'rdfs:label "香港科技大学"@zh-Hans ,', "rdfs:label")
    report = validate(data_copy, checks=["sparql"])
    hits = [v for v in report.violations if v.check == "missing-label-violation"]
    assert [(v.node.rsplit("/", 1)[-1], v.message) for v in hits] == [("hkust", "no rdfs:label in zh-Hans")]


def test_tags_are_restored_only_as_whole_tokens():
    from hetao_kg.data.validate import _TAG_TOKEN

    token = re.compile(_TAG_TOKEN.format("zh-hans"))
    fix = lambda text: token.sub("zh-Hans", text)  # noqa: E731
    assert fix("shares the zh-hans label 'x'") == "shares the zh-Hans label 'x'"
    assert fix("no label in zh-hans") == "no label in zh-Hans"
    assert fix("zh-hansx zh-hans-hk xzh-hans") == "zh-hansx zh-hans-hk xzh-hans"  # other words, longer tags


def test_written_tags_keep_the_data_spelling_and_settle_clashes_in_bcp47_case():
    from rdflib import Literal

    from hetao_kg.data.validate import written_tags

    ds = Dataset()
    ex = "http://example.org/"
    for i, (text, tag) in enumerate([("a", "zh-Hans"), ("b", "en"), ("c", "EN-gb"), ("d", "en-GB"), ("e", "zh-HK")]):
        ds.add((URIRef(f"{ex}{i}"), URIRef(f"{ex}label"), Literal(text, lang=tag)))
    assert written_tags(ds) == {"zh-hans": "zh-Hans", "en-gb": "en-GB", "zh-hk": "zh-HK"}


def test_unsatisfiable_class_is_found_by_hermit(data_copy):
    # a subclass of two disjoint classes has no possible member: only HermiT sees it (no individual needed)
    with open(data_copy / "ontology" / "hetao.ttl", "a", encoding="utf-8") as fh:
        fh.write('\nhto:Chimera a owl:Class ; rdfs:subClassOf hto:Organization , hto:Project ;'
                 ' rdfs:label "chimera"@en , "嵌合体"@zh-Hans .\n')
    report = validate(data_copy, checks=["hermit", "owlrl"])
    assert [(v.check, v.node) for v in report.violations] == [
        ("hermit", "https://w3id.org/hetao-kg/ontology#Chimera")
    ], [str(v) for v in report.violations]
    assert "unsatisfiable" in report.violations[0].message


def _children() -> set[int]:
    out = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        out |= {int(p) for p in (task / "children").read_text().split()}
    return out


def test_hermit_process_is_stopped_when_a_python_check_fails(data_copy):
    (data_copy / "ontology" / "checks" / "broken-violation.rq").write_text("SELECT ?node WHERE {", encoding="utf-8")
    before = _children()
    with pytest.raises(DataError) as info:
        validate(data_copy, checks=["hermit", "sparql"])
    assert info.value.path.name == "broken-violation.rq" and "SPARQL error" in str(info.value)
    assert _children() <= before  # the Java process started first is gone, not left reasoning


def test_without_java_hermit_is_a_clear_error(data_copy, monkeypatch):
    module = sys.modules["hetao_kg.data.validate"]

    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    with pytest.raises(DataError, match="HermiT needs Java"):
        validate(data_copy, checks=["hermit"])
    assert validate(data_copy, checks=["sparql"]).ok  # the other checks do not need it


def test_shacl_data_graph_parses_each_query_once_and_answers_as_rdflib():
    from rdflib import Graph, Literal

    from hetao_kg.data.validate import _ParsedOnce

    ex = "http://example.org/"
    plain, parsed = Graph(), _ParsedOnce()
    for g in (plain, parsed):
        g.add((URIRef(ex + "a"), URIRef(ex + "p"), Literal(1)))
        g.add((URIRef(ex + "b"), URIRef(ex + "p"), Literal(2)))
    text = "SELECT ?o WHERE { $this <http://example.org/p> ?o }"
    for this in ("a", "b", "a"):
        binding = {"this": URIRef(ex + this)}
        assert list(parsed.query(text, initBindings=binding)) == list(plain.query(text, initBindings=binding))
    assert list(parsed._prepared) == [text]  # one parse for three evaluations
