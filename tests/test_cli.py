"""The hetao-kg command through its real entry point: normalize, stats, export."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from hetao_kg.paths import data_path

from .conftest import run_cli

RAW = data_path("graph_data", "sources", "000_d0ad826a37126c33.txt")


def test_source_normalize_prints_clean_text_and_problems():
    result = run_cli("source", "normalize", str(RAW))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("高标准推进深港科创合作 河套深港科技创新合作区深圳园区建设取得积极进展\n")
    assert "5所“全球百强”香港高校" in result.stdout
    assert ":15:" in result.stderr and "?gòu)?qiáng)" in result.stderr and "-> '强'" in result.stderr
    assert "2 problem(s), 0 unresolved" in result.stderr


def test_source_normalize_without_corrections_exits_1(tmp_path):
    copy = tmp_path / "report.txt"
    copy.write_bytes(RAW.read_bytes())
    result = run_cli("source", "normalize", str(copy))
    assert result.returncode == 1
    assert "2 unresolved" in result.stderr and "add a correction" in result.stderr


def test_source_normalize_sentences():
    result = run_cli("source", "normalize", "--sentences", str(RAW))
    lines = result.stdout.splitlines()
    assert len(lines) == 30 and lines[0].startswith("p01s01\t0\t35\t")


def test_source_normalize_non_utf8_exits_2(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    result = run_cli("source", "normalize", str(bad))
    assert result.returncode == 2 and "latin1.txt:1: not UTF-8" in result.stderr


def test_source_locate():
    result = run_cli("source", "locate", "深港联合办公室投入使用")
    assert result.stdout.strip() == "p16s04\toa:start 1502 ; oa:end 1513"
    missing = run_cli("source", "locate", "不存在的话")
    assert missing.returncode == 2 and "quote not found" in missing.stderr


def test_stats_reports_full_sentence_coverage():
    result = run_cli("stats")
    assert result.returncode == 0, result.stderr
    assert "hetao-progress-report              30/30 (100%)" in result.stdout
    assert "not covered" not in result.stdout
    assert "hto:University                        6" in result.stdout  # CityU and PolyU from the dated record


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_export_with_graphs_round_trips(kg, fmt, tmp_path):
    out = tmp_path / f"kg.{fmt}"
    result = run_cli("export", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    back = Dataset()
    back.parse(out, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(list(back.graphs())) == len(list(kg.graphs()))
    for g in kg.graphs():
        if len(g):
            assert isomorphic(g, back.graph(g.identifier)), g.identifier


@pytest.mark.parametrize("fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt")])
def test_export_flat_round_trips_to_stdout(kg, fmt, rdflib_format):
    result = run_cli("export", "--format", fmt)
    assert result.returncode == 0, result.stderr
    flat = Graph()
    for s, p, o, _ in kg.quads((None, None, None, None)):
        flat.add((s, p, o))
    assert isomorphic(Graph().parse(data=result.stdout, format=rdflib_format), flat)
    assert "香港大学" in result.stdout or "\\u" in result.stdout
