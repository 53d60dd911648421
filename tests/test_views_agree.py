"""Issue 15 §3: each named view draws exactly the rows of its named query, and the CLI
states the same counts as the page. One test per view."""

from __future__ import annotations

import re

import pytest

import hetao_kg
from hetao_kg.namespaces import HTO

from .conftest import run_cli


@pytest.fixture(scope="module")
def kg():
    return hetao_kg.open()


def _drawn(view):
    """(IRIs of the drawn entities, {(source IRI, target IRI)} of the drawn links)."""
    iri = {n["id"]: n["iri"] for n in view.nodes}
    nodes = {n["iri"] for n in view.nodes if n["family"] != "more"}
    return nodes, {(iri[e["source"]], iri[e["target"]]) for e in view.edges}


def _col(result, *names):
    return {tuple(str(r[n]) for n in names) if len(names) > 1 else str(r[names[0]])
            for r in result.raw if all(r.get(n) is not None for n in names)}


def test_hk_universities_view_draws_the_headline_rows(kg):
    rows = [r for r in kg.named("hk-university-projects").raw if r.get("stated") is None]
    view = kg.render("hk-universities")
    nodes, links = _drawn(view)
    expected_links = set()
    for r in rows:
        uni, item, via = str(r["university"]), str(r["brought_in"]), str(r["via"]) if r.get("via") else None
        if str(r["relation"]) == str(HTO.affiliatedWith):
            expected_links.add((item, uni))
        elif via and via != uni:
            expected_links |= {(via, item), (via, uni)}  # "brought in" drawn university -> item
        else:
            expected_links.add((uni, item))
    assert links == expected_links
    entities = {str(r[k]) for r in rows for k in ("university", "brought_in", "via") if r.get(k) is not None}
    groups = {str(r["cohort"]) for r in kg.named("cohorts").raw if r["from_group"] is not None} | {
        str(r["from_group"]) for r in kg.named("cohorts").raw if r["from_group"] is not None}
    assert entities <= nodes and nodes - entities <= groups  # nothing drawn the table does not list
    # every university of the table is drawn with a link (HKUST too)
    assert {str(r["university"]) for r in rows} <= {u for pair in links for u in pair}


def test_sectors_view_draws_institutions_by_sector(kg):
    pairs = _col(kg.named("institutions-by-sector"), "sector", "institution")
    nodes, links = _drawn(kg.render("sectors"))
    assert links == pairs
    assert nodes == {s for s, _ in pairs} | {i for _, i in pairs}


def test_construction_view_draws_construction_projects(kg):
    projects = _col(kg.named("construction-projects"), "project")
    nodes, _ = _drawn(kg.render("construction"))
    assert nodes == projects


def test_policies_view_draws_the_policies_rows(kg):
    result = kg.named("policies")
    policies = _col(result, "policy")
    parties = _col(result, "policy", "party")
    nodes, links = _drawn(kg.render("policies"))
    linked = {p for p in policies if any(p in pair for pair in links)}
    assert linked <= nodes and linked  # every policy with a party or subject is drawn
    assert parties <= links  # every party of the table is a drawn link


def test_services_view_draws_the_services_rows(kg):
    result = kg.named("services")
    provided = _col(result, "provider", "service")
    nodes, links = _drawn(kg.render("services"))
    assert provided <= links
    assert _col(result, "provider") <= nodes


@pytest.mark.parametrize("name", ["hk-universities", "sectors", "construction", "policies", "services"])
def test_cli_states_the_counts_the_page_states(tmp_path, name):
    out = run_cli("render", name, "-o", str(tmp_path / "v.html"))
    assert out.returncode == 0, out.stderr
    said = re.search(r"(\d+) nodes, (\d+) links \((\d+) inferred\)", out.stderr).groups()
    page = tmp_path.joinpath("v.html").read_text(encoding="utf-8")
    assert re.search(r"(\d+) nodes, (\d+) links \((\d+) inferred\)", page).groups() == said
