"""Competency questions as data: each question, its query and the answer checked by
hand against the report (tests/fixtures/competency-questions.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hetao_kg.facade import open_graph

CASES = json.loads((Path(__file__).parent / "fixtures" / "competency-questions.json").read_text(encoding="utf-8"))
KG_ID = "https://w3id.org/hetao-kg/id/"


@pytest.fixture(scope="module")
def kgapi():
    return open_graph()


def _answer(kgapi, case):
    stated_only = case.get("stated_only", False)
    if "named" in case:
        return kgapi.named(case["named"], lang=case["lang"], stated_only=stated_only, **case.get("params", {}))
    return kgapi.query(case["sparql"], lang=case["lang"], stated_only=stated_only)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_competency_question(kgapi, case):
    if "search" in case:
        hits = [h.iri.removeprefix(KG_ID) for h in kgapi.search(case["search"])]
        if "top" in case:
            assert hits[0] == case["top"], hits
        else:
            assert set(case["expect_includes"]) <= set(hits[: case["in_top"]]), hits
        return
    if "describe" in case:
        quotes = kgapi.describe(case["describe"]).column("quote")
        assert case["expect_quote"] in quotes
        return
    if "path" in case:
        steps = kgapi.path(*case["path"])
        assert len(steps) == case["length"] and all(s.quote for s in steps)
        return
    result = _answer(kgapi, case)
    records = result.records()
    if "where" in case:
        records = [r for r in records if all(r[k] == v for k, v in case["where"].items())]
    if "count" in case:
        assert len(records) == case["count"]
    if "column" in case:
        values = [r[case["column"]] for r in records]
        if "expect" in case:
            assert sorted(map(str, {v for v in values if v is not None})) == sorted(map(str, case["expect"]))
        if "expect_set" in case:
            assert set(values) == set(case["expect_set"])
        if "expect_includes" in case:
            assert set(case["expect_includes"]) <= set(values)
        if "expect_excludes" in case:
            assert not set(case["expect_excludes"]) & set(values)
    if "columns" in case:
        rows = [[r[c] for c in case["columns"]] for r in records]
        if case.get("distinct"):
            rows = [list(t) for t in dict.fromkeys(tuple(r) for r in rows)]
        if "first" in case:
            rows = rows[: case["first"]]
        assert sorted(rows, key=str) == sorted(case["expect"], key=str)
