"""Language tags reach users as the data writes them (zh-Hans, zh-Hant, en) on every
store: pyoxigraph lowercases tags (zh-hans), in terms and in what ``LANG()`` returns."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

HKU = "<https://w3id.org/hetao-kg/id/org/hku>"
QUERY = f"SELECT ?l (LANG(?l) AS ?t) ?u WHERE {{ {HKU} rdfs:label ?l BIND (LANG(?l) AS ?u) }} ORDER BY ?l"


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("fmt", ["csv", "json", "table", "sparql-json"])
def test_query_output_gives_tags_as_written(store, fmt):
    result = run_cli("--store", store, "query", QUERY, "--format", fmt)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "zh-Hans" in out and "zh-Hant" in out and "zh-hans" not in out and "zh-hant" not in out, out
    if fmt == "sparql-json":
        rows = json.loads(out)["results"]["bindings"]
        assert [(r["l"].get("xml:lang"), r["t"]["value"], r["u"]["value"]) for r in rows] == [
            ("en", "en", "en"), ("zh-Hans", "zh-Hans", "zh-Hans"), ("zh-Hant", "zh-Hant", "zh-Hant")]


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_show_gives_tags_as_written(store):
    result = run_cli("--store", store, "show", "HKU", "--lang", "zh-Hans")
    assert result.returncode == 0, result.stderr
    assert "香港大学" in result.stdout and "zh-hans" not in result.stdout
