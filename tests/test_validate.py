"""Validation: the real data is clean; deliberately broken copies fail with the
right message and exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hetao_kg.graph import DataError, load
from hetao_kg.validate import validate

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
