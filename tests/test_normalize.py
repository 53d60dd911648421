"""The normalizer: garbled Traditional + pinyin -> clean Simplified Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hetao_kg.source.normalize import (
    Correction,
    SourceError,
    load_corrections,
    normalize,
    normalize_file,
    split_sentences,
)
from hetao_kg.paths import data_path

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = data_path("graph_data", "sources")
RAW = SOURCES / "000_d0ad826a37126c33.txt"
CORRECTIONS = load_corrections(SOURCES / "corrections.json")
EXCERPTS = (FIXTURES / "report-excerpts.txt").read_text(encoding="utf-8").splitlines()
PINYIN_ANNOTATION = re.compile(r"[\u4e00-\u9fff]\([a-zA-Züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)")


def test_strips_pinyin_and_converts_to_simplified():
    assert normalize(EXCERPTS[0]).text == "高标准推进深港科创合作 河套深港科技创新合作区深圳园区建设取得积极进展"


def test_keeps_latin_digits_punctuation_and_chinese_parentheses():
    text = normalize(EXCERPTS[2]).text
    assert "“e站通”综合服务中心建成" in text
    assert "557项" in text and text.count(",") == EXCERPTS[2].count(",")
    assert "香港中文大学(深圳)" in normalize(EXCERPTS[1], corrections=CORRECTIONS).text


def test_reports_lost_character_with_position():
    result = normalize(EXCERPTS[1])
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.raw_text == "?gòu)?qiáng)"
    assert problem.line == 1 and EXCERPTS[1][problem.column - 1 :].startswith("?gòu)")
    assert problem.correction is None and result.unresolved == (problem,)
    assert "全球百?gòu)?qiáng)" in result.text  # nothing repaired silently


def test_correction_table_repairs_only_the_reported_span():
    result = normalize(EXCERPTS[1], corrections=CORRECTIONS)
    assert "5所“全球百强”香港高校的10个优质科研项目顺利引进。" in result.text
    assert result.unresolved == ()
    assert result.problems[0].correction.replacement == "强"
    # a correction whose context does not match is not applied
    wrong = [Correction(span="?gòu)?qiáng)", before="全球千", replacement="强", reason="x")]
    assert normalize(EXCERPTS[1], corrections=wrong).unresolved


def test_whole_report_is_clean():
    result = normalize_file(RAW, corrections=CORRECTIONS)
    assert [p.line for p in result.problems] == [7, 15]
    assert result.unresolved == ()
    assert not PINYIN_ANNOTATION.search(result.text)
    assert "?" not in result.text
    assert opencc.OpenCC("t2s").convert(result.text) == result.text
    assert "UNI香港青年创业空间" in result.text


def test_sentences_are_numbered_and_stable():
    first = normalize_file(RAW, corrections=CORRECTIONS)
    second = normalize_file(RAW, corrections=CORRECTIONS)
    assert first.sentences == second.sentences
    assert len(first.sentences) == 30
    ids = [s.id for s in first.sentences]
    assert ids[0] == "p01s01" and "p14s02" in ids and ids[-1] == "p16s04"
    for s in first.sentences:
        assert first.text[s.start : s.end] == s.text


def test_sentences_split_on_full_stops_only():
    assert [s.text for s in split_sentences("一句。二句!\n\n三句")] == ["一句。", "二句!", "三句"]


def test_rejects_non_utf8_with_file_and_line(tmp_path):
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("第一行\n".encode("utf-8") + "第二行".encode("gbk"))
    with pytest.raises(SourceError, match=r"gbk\.txt:2: not UTF-8"):
        normalize_file(bad)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match=r"nope\.txt: cannot read"):
        normalize_file(tmp_path / "nope.txt")


# Alphabets drawn from the real report, so hypothesis explores realistic text.
_RAW_TOKENS = sorted(set(PINYIN_ANNOTATION.findall(RAW.read_text(encoding="utf-8"))))
_CLEAN_CHARS = sorted(set(normalize_file(RAW, corrections=CORRECTIONS).text) - set("()?"))
_PUNCT = list("，。、“”《》：；！,:+—— \n0123456789UNIe")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_RAW_TOKENS + _CLEAN_CHARS + _PUNCT), max_size=60))
def test_idempotent(tokens):
    once = normalize("".join(tokens)).text
    assert normalize(once).text == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CLEAN_CHARS + _PUNCT), max_size=80))
def test_clean_simplified_text_is_untouched(text):
    result = normalize(text)
    assert result.text == text
    assert result.problems == ()
