"""The graph over time (issue 18): dated sources, statuses as of a date, what changed
since the report, series and conflicts; the four competency questions, on the default
embedded Oxigraph store and alike on the in-memory rdflib store."""

from __future__ import annotations

from pathlib import Path

import pytest

from hetao_kg.api import open_graph
from hetao_kg.query.timeline import BadDate, changes, earliest_day, report_dates, status_as_of, undated_note
from hetao_kg.data.validate import validate

from .conftest import run_cli

KG = "https://w3id.org/hetao-kg/id/"


@pytest.fixture(scope="module")
def oxi():
    return open_graph()


@pytest.fixture(scope="module")
def mem():
    return open_graph(store="memory", timeout=300)


def _set(rows, *cols):
    return {tuple(str(r[c]) for c in cols) for r in rows}


def test_report_date_is_an_interval_with_inferred_bounds(oxi):
    assert report_dates(oxi) == ("2021-09", "2023-09-07")
    q = """SELECT ?g ?reason ?rests WHERE {
      GRAPH ?g { ?t time:hasBeginning|time:hasEnd ?b } ?doc time:hasTime ?t .
      ?g hto:evidence hto:InferredFromDates ; rdfs:comment ?reason ; hto:restsOn ?rests }"""
    rows = oxi.query(q, doc=f"{KG}doc/hetao-progress-report").records()
    assert {str(r["g"]).removeprefix(KG) for r in rows} == {"assertion/inferred/report-date-earliest",
                                                          "assertion/inferred/report-date-latest"}
    assert f"{KG}assertion/since-report/hkstp-branch-opened" in {str(r["rests"]) for r in rows}


def test_precision_is_kept_as_written(oxi):
    q = "SELECT ?v WHERE { <https://w3id.org/hetao-kg/id/time/2021-09> time:inXSDgYearMonth ?v }"
    [row] = oxi.query(q).raw
    assert str(row["v"]) == "2021-09" and row["v"].datatype.endswith("gYearMonth")
    assert not oxi.ask("ASK { ?t time:inXSDDate ?d FILTER (STR(?d) = '2021-09-01') }")


def test_q1_hong_kong_park_status_as_of_2024_and_2026(oxi, mem):
    """What was the Hong Kong Park's status as of 2024-01-01 and as of 2026-01-01?"""
    for kg in (oxi, mem):
        rows, text = status_as_of(kg, "Hong Kong Park", "2024-01-01")
        assert rows == [] and "No status of Hong Kong Park is known as of 2024-01-01" in text
        assert "topped out" not in text and "under construction (2025-03)" in text
        rows, text = status_as_of(kg, "Hong Kong Park", "2026-01-01")
        assert {str(r["status"]) for r in rows} == {f"{KG}status/opened"}
        assert {str(r["when"]) for r in rows} == {"2025-12-22"}
        assert "yes" in {r["certain"] for r in rows}  # the CNA report is dated 2025-12-22


def test_headline_answers_differ_as_of_2022_and_2026(oxi):
    early = oxi.named("as-of", date="2022-12-31").records()
    late = oxi.named("as-of", date="2026-12-31").records()
    park = f"{KG}park/hkstp-shenzhen-branch"
    assert park not in {str(r["entity"]) for r in early}
    assert (park, f"{KG}status/opened") in _set(late, "entity", "status")
    # the report's statuses are known in 2022 only possibly: its date is an interval
    report_rows = [r for r in early if str(r["source"]) == f"{KG}doc/hetao-progress-report"]
    assert report_rows and {r["certain"] for r in report_rows} == {"not certain"}
    assert undated_note(str(report_rows[0]["source_date"])) == \
        "date not known; the source is undated, between 2021-09 and 2023-09-07"


def test_q2_what_changed_between_the_report_and_2026(oxi, mem):
    """What changed between the report and 2026?"""
    answers = []
    for kg in (oxi, mem):
        rows = changes(kg, "report", "2026").records()
        answers.append(_set(rows, "kind", "item", "date", "source", "certain"))
        items = {(r["kind"], str(r["item"]).removeprefix(KG)) for r in rows}
        assert ("new entity", "org/hetao-hong-kong-youth-innovation-valley") in items
        assert ("event", "event/hong-kong-park-opened") in items
        assert ("event", "event/hkstp-branch-opened") in items
        assert ("figure", "figure/2025-research-projects") in items
        # before the report's latest day: not a change since it
        assert ("event", "event/hkstp-branch-agreement-signed") not in items
        assert ("event", "event/gba-innoexpress-launched") not in items
        # planned milestones have not happened
        assert ("event", "event/hong-kong-park-full-development-due") not in items
        undated = [r for r in rows if str(r["item"]) == f"{KG}figure/tkww-research-projects"]
        assert undated and {r["certain"] for r in undated} == {"not certain"}
    assert answers[0] == answers[1]


def test_q3_science_park_branch_opening_and_agreement_signatories(oxi, mem):
    """When did the Science Park Shenzhen Branch open, and who signed its framework agreement?"""
    answers = []
    for kg in (oxi, mem):
        rows = kg.named("timeline", entity="kg:park/hkstp-shenzhen-branch").records()
        opened = {str(r["date"]) for r in rows if str(r["item"]) == f"{KG}event/hkstp-branch-opened"}
        assert opened == {"2023-09-07"}
        signed = [r for r in rows if str(r["item"]) == f"{KG}event/hkstp-branch-agreement-signed"]
        assert {str(r["date"]) for r in signed} == {"2021-09"}
        assert {str(r["participant"]).removeprefix(KG) for r in signed} == {
            "org/hkstp", "org/shenzhen-hong-kong-zone-development-company"}
        assert {str(r["source"]) for r in signed} == {"https://std.stheadline.com/sc/realtime/article/1950105"}
        answers.append(_set(rows, "date", "kind", "item", "participant", "source"))
    assert answers[0] == answers[1]


def test_q4_projects_in_the_shenzhen_park_by_source(oxi, mem):
    """How has the number of projects in the Shenzhen Park grown, by source?"""
    answers = []
    for kg in (oxi, mem):
        rows = kg.named("series", measure="kg:measure/shenzhen-park-research-projects").records()
        got = [(str(r["date"]), int(r["value"]), str(r["qualifier"]).removeprefix(KG + "qualifier/"),
                str(r["source_kind"]).removeprefix(KG + "source-kind/")) for r in rows]
        assert got == [
            ("../2026-12-05", 10, "more-than", "study-abroad-site"),
            ("2021-09/2023-09-07", 10, "exactly", "progress-report"),
            ("2023-09/2026-12-05", 10, "exactly", "newspaper"),
            ("2023-09/2026-12-05", 160, "more-than", "newspaper"),
            ("2025", 200, "more-than", "reprint"),
        ]
        answers.append(got)
    assert answers[0] == answers[1]


def test_conflicts_are_flagged_and_kept_with_their_weights(oxi, mem):
    answers = []
    for kg in (oxi, mem):
        rows = kg.named("conflicts").records()
        pairs = {tuple(sorted((str(r["a"]).removeprefix(KG), str(r["b"]).removeprefix(KG)))) for r in rows}
        assert pairs == {("figure/hong-kong-university-projects", "figure/study-abroad-hk-university-projects"),
                         ("figure/study-abroad-hk-university-projects", "figure/tkww-hk-university-projects")}
        assert {4} <= {int(r["a_w"]) for r in rows} | {int(r["b_w"]) for r in rows}
        answers.append(_set(rows, "a", "b", "reason"))
    assert answers[0] == answers[1]
    # a series is not a conflict: 160+ and 200+ are both lower bounds
    assert not any("tkww-research-projects" in str(r["a"]) + str(r["b"]) for r in rows)


def test_report_still_names_none_of_the_five_universities(oxi):
    q = "SELECT ?m WHERE { ?c hto:hasMember ?m }"
    stated = oxi.query(q, stated_only=False, c=f"{KG}cohort/global-top-100-hong-kong-universities").column("m")
    assert {str(m).removeprefix(KG) for m in stated} == {"org/hku", "org/cuhk"}  # the curators' inferences only
    claimed = oxi.query("""SELECT ?m ?kind WHERE { GRAPH ?g { ?c hto:claimedMember ?m }
                           ?g dcterms:source/hto:sourceKind ?kind }""",
                        c=f"{KG}cohort/global-top-100-hong-kong-universities").records()
    assert len({str(r["m"]) for r in claimed}) == 5
    assert {str(r["kind"]) for r in claimed} == {f"{KG}source-kind/study-abroad-site"}


def test_dates_are_checked():
    assert earliest_day("2021-09") == "2021-09-01"
    with pytest.raises(BadDate):
        earliest_day("2021-13")
    with pytest.raises(BadDate):
        earliest_day("next year")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_undated_facts_are_a_violation(data_copy):
    _replace(data_copy / "graph_data" / "sources-dated.trig",
             "<doc/context-facts> time:hasTime <time/context-facts> .", "")
    report = validate(data_copy, checks=["sparql"])
    hits = [v for v in report.violations if v.check == "undated-fact-violation"]
    assert any("figure/zone-area" in v.node for v in hits), [str(v) for v in report.violations]


def test_interval_needs_both_bounds_or_an_open_end(data_copy):
    _replace(data_copy / "graph_data" / "sources-dated.trig",
             "<time/study-abroad-site> a time:Interval ;\n        hto:openBeginning true ;",
             "<time/study-abroad-site> a time:Interval ;")
    report = validate(data_copy, checks=["shacl"])
    assert any("time/study-abroad-site" in v.node and "openBeginning" in v.message for v in report.violations), \
        [str(v) for v in report.violations]


def test_inferred_bound_needs_a_reason(data_copy):
    path = data_copy / "graph_data" / "sources-dated.trig"
    text = path.read_text(encoding="utf-8")
    start = text.index('rdfs:comment "Not after 2023-09-07')
    end = text.index("@en .", start) + len("@en .")
    path.write_text(text[:start].rstrip().rstrip(";") + " ." + text[end:], encoding="utf-8")
    report = validate(data_copy, checks=["sparql"])
    assert any(v.check == "inferred-bound-without-reason-violation" and "time/hetao-progress-report" in v.node
               for v in report.violations), [str(v) for v in report.violations]


def test_cli_timeline_and_changes():
    out = run_cli("timeline", "kg:park/hong-kong-park", "--as-of", "2024-01-01")
    assert out.returncode == 0, out.stderr
    assert "No status of Hong Kong Park is known as of 2024-01-01" in out.stdout
    out = run_cli("changes", "--since", "report", "--until", "2026", "--format", "csv", "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert "Hetao Hong Kong Youth Innovation Valley" in out.stdout
    bad = run_cli("changes", "--since", "2021-13")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_cli_timeline_table_shows_each_item_once_and_csv_each_source():
    table = run_cli("timeline", "kg:park/hong-kong-park", "--lang", "en")
    assert table.returncode == 0, table.stderr
    opened = [line for line in table.stdout.splitlines() if "Hong Kong Park opened" in line]
    assert len(opened) == 1, opened  # three sources report the opening: one row, sources joined
    csv = run_cli("timeline", "kg:park/hong-kong-park", "--lang", "en", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert sum("Hong Kong Park opened" in line for line in csv.stdout.splitlines()) >= 3  # a row per source


def test_headline_answers_differently_as_of_2022_and_2026_and_says_so(oxi):
    early = oxi.as_of("2022-06")
    late = oxi.as_of("2026")
    unis = lambda kg: {str(r["university"]) for r in kg.named("hk-university-projects").records()}  # noqa: E731
    assert f"{KG}org/cityu" not in unis(early) and f"{KG}org/cityu" in unis(late)
    assert early.as_of_note.left_out > late.as_of_note.left_out == 0
    assert early.as_of_note.uncertain[f"{KG}doc/hetao-progress-report"] == "2021-09/2023-09-07"
    assert "undated, between 2021-09 and 2023-09-07" in str(early.as_of_note)
    # the memory store answers the same on the restricted data as the default store on all of it
    assert unis(late) == unis(oxi)
    out = run_cli("query", "--named", "hk-university-projects", "--as-of", "2022-06", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert "City University of Hong Kong" not in out.stdout and "As of 2022-06:" in out.stderr
    shown = run_cli("show", "Hong Kong Park", "--as-of", "2024", "--format", "csv")
    assert shown.returncode == 0 and "opened" not in shown.stdout and "outline" not in shown.stdout.lower()
    assert run_cli("show", "Hong Kong Park", "--as-of", "24").returncode == 2


def test_explorer_entity_page_shows_a_timeline_and_source_dates(oxi):
    from hetao_kg.web.explorer import entity_page

    page = entity_page(oxi, f"{KG}park/hkstp-shenzhen-branch", lang="en")
    dates = [r["date"] for r in page.timeline]
    assert dates[0] == "2021-09" and "2023-09-07" in dates
    signed = page.timeline[0]
    assert signed["participants"] == ["Hong Kong Science and Technology Parks Corporation",
                                      "Shenzhen-Hong Kong Science and Technology Innovation Cooperation Zone Development Company"]
    undated = [r for r in page.timeline if r["note"]]
    assert undated and undated[0]["note"] == "date not known; the source is undated, between 2023-09 and 2026-12-05"
    supports = [sup for g in page.groups for st in g.statements for sup in st.supports]
    assert all(sup.source_dates for sup in supports if sup.evidence and sup.evidence.endswith("VerifiedExternal"))
    assert any(d.startswith("2023-09-07 (https://std.stheadline.com/") for sup in supports for d in sup.source_dates)


def test_as_of_keyword_in_the_api(oxi):
    q = "SELECT ?e WHERE { ?e hto:broughtInBy <https://w3id.org/hetao-kg/id/org/cityu> }"
    assert len(oxi.query(q, as_of="2022-06")) == 0 and len(oxi.query(q, as_of="2022-12")) == 1
    assert oxi.as_of("2022-06") is oxi.as_of("2022-06")  # built once per date
    late = {str(r["university"]) for r in oxi.named("hk-university-projects", as_of="2026").records()}
    assert f"{KG}org/cityu" in late
    facts = oxi.describe("Hong Kong Park", as_of="2024").records()
    assert facts and not any("opened" in str(f["value"]) for f in facts)
