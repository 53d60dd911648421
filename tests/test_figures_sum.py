"""Issue 15 §3: each figure on its own row, so a sum() over a column is right, and units
in one system per language with the UN/CEFACT code returned."""

from __future__ import annotations

import pytest

import hetao_kg


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def kg(request):
    return hetao_kg.open(store=request.param)


def test_services_sum_counts_each_figure_once(kg):
    df = kg.services(lang="en").to_pandas()
    assert df["value"].sum() == 557 + 8
    assert df.loc[df["service"].notna(), "value"].isna().all()  # a service row carries no figure
    assert df["figure"].dropna().is_unique


def test_innovation_bases_sum_counts_the_group_once(kg):
    df = kg.innovation_bases(lang="en").to_pandas()
    assert df["people"].sum() == 500 and df["stated"].sum() == 6
    assert df["people_unit_code"].dropna().tolist() == ["IE"]


@pytest.mark.parametrize("lang,area,km", [("en", "m²", "km²"), ("zh-Hans", "平方米", "平方公里"), ("zh-Hant", "平方米", "平方公里")])
def test_units_in_one_system_per_language(kg, lang, area, km):
    rows = kg.figures(lang=lang).records()
    by_code = {}
    for r in rows:
        if r["unit_code"]:
            by_code.setdefault(r["unit_code"], set()).add(r["unit"])
    assert by_code["MTK"] == {area} and by_code["KMK"] == {km}
