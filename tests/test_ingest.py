"""`hetao-kg ingest` and `hetao-kg review` (issue 19): proposals with their quotes, a
review that validates before anything lands, and an extractor that never reads the
curated facts it is evaluated against."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS, PROV, RDFS, XSD
from rdflib.namespace import SDO as SCHEMA

from hetao_kg.cli import main
from hetao_kg.data.graph import load
from hetao_kg.ingest import IngestError, SourceMeta, ingest_file, lexicon_for
from hetao_kg.ingest.draft import read_jsonl
from hetao_kg.ingest.extract import _DATE, _FIGURE, parse_date, parse_figure
from hetao_kg.ingest.review import Review, ReviewError
from hetao_kg.namespaces import HTO, KG
from hetao_kg.source.normalize import opencc_converter
from hetao_kg.data.validate import validate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from ingest_eval import eval_root  # noqa: E402

REPORT = REPO / "graph_data" / "sources" / "000_d0ad826a37126c33.txt"
CORRECTIONS = REPO / "graph_data" / "sources" / "corrections.json"

# A next report, in Traditional characters: a known institute, a new laboratory, statuses,
# figures and a partial date.
NEXT = opencc_converter("s2t").convert(textwrap.dedent("""\
    河套深港科技创新合作区深圳园区建设取得新进展
    量子信息方面,深圳国际量子研究院等正加快建设,深港量子计算联合实验室等已落地。
    累计筹集科研空间约12万平方米,吸引港澳人才超过三百人。
    2025年3月,深港联合办公室投入使用。
    """))


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    """The project's report ingested on a data root without its curated facts."""
    work = tmp_path_factory.mktemp("ingest-report")
    root = eval_root(work / "root")
    result = ingest_file(REPORT, review_dir=work / "review", root=root, doc_id="next", about=KG["park/shenzhen-park"],
                         corrections=CORRECTIONS)
    return work, root, result, read_jsonl(work / "review" / "next" / "proposals.jsonl")


@pytest.fixture()
def data_root(tmp_path):
    """A writable copy of the project's data root."""
    root = tmp_path / "data"
    for part in ("ontology", "graph_data"):
        shutil.copytree(REPO / part, root / part)
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the extractor never sees the curated facts ----------------------------------------


def test_extractor_runs_without_reading_report_facts(tmp_path):
    """Run the whole ingest in a child whose every open of report-facts.trig fails: the
    evaluation's data root has no such file, and nothing falls back to the repository's."""
    root = eval_root(tmp_path / "root")
    assert not (root / "graph_data" / "report-facts.trig").exists()
    code = textwrap.dedent(f"""
        import sys
        def guard(event, args):
            if event == "open" and args and "report-facts" in str(args[0]):
                raise PermissionError("the extractor read " + str(args[0]))
        sys.addaudithook(guard)
        from hetao_kg.ingest import ingest_file, lexicon_for
        lex = lexicon_for({str(root)!r})
        assert "深圳国际量子研究院" not in lex.names, "a name only report-facts.trig gives"
        r = ingest_file({str(REPORT)!r}, review_dir={str(tmp_path / 'review')!r}, root={str(root)!r}, doc_id="x")
        print(r.counts["new-entity"], r.counts["status"])
    """)
    env = {"HETAO_KG_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    new, statuses = map(int, proc.stdout.split())
    assert new > 20 and statuses > 20


def test_lexicon_knows_every_kind_of_name(tmp_path):
    lex = lexicon_for(eval_root(tmp_path / "root"))
    hows = {n.how for names in lex.names.values() for n in names}
    assert {"label", "alt-label", "zh-Hant", "English", "abbreviation"} <= hows
    assert lex.names["HKUST"][0].entity == KG["org/hkust"]
    assert lex.names["香港科技大學"][0].entity == KG["org/hkust"]  # the derived Traditional label
    assert lex.pinyin["xianggangkejidaxue"][0].entity == KG["org/hkust"]
    # status words from the vocabulary's labels and definitions, and the synonym table
    assert lex.statuses["投入使用"].status == KG["status/in-use"]
    assert lex.statuses["完成建设"].how == "vocabulary definition"
    assert lex.statuses["开工"].how == "synonym table"


# --- proposals on the project's report ----------------------------------------------------


def test_every_proposal_quotes_the_normalized_text(report_run):
    work, _, result, proposals = report_run
    text = (work / "review" / "next" / "normalized.txt").read_text(encoding="utf-8")
    from hetao_kg.source.sources import source_documents

    assert text == source_documents()["hetao-progress-report"].text  # same offsets as the registered report
    assert proposals and result.pinyin_stripped == 291 and result.problem_count == 2
    for p in proposals:
        assert text[p.start:p.end] == p.text, p
        assert text[p.quote_start:p.quote_end] == p.quote, p
        assert p.quote_start <= p.start and p.end <= p.quote_end or p.kind == "link", p
        assert 0 < p.confidence <= 1 and p.rule


def _find(proposals, kind, label=None, text=None):
    return [p for p in proposals if p.kind == kind and (label is None or p.label == label)
            and (text is None or p.text == text)]


def test_report_entities_statuses_figures_links(report_run):
    proposals = report_run[3]
    siqa = _find(proposals, "new-entity", "深圳国际量子研究院")
    assert len(siqa) == 1 and siqa[0].cls == HTO.ResearchInstitute
    plan = _find(proposals, "new-entity", "粤港澳大湾区发展规划纲要")
    assert plan and plan[0].cls == HTO.DevelopmentPlan and plan[0].rule == "title-in-book-marks"
    landed = [p for p in _find(proposals, "status") if p.entity == siqa[0].entity]
    assert [(t[1], t[2]) for t in landed[0].triples] == [
        (HTO.developmentStatus, KG["status/landed"]), (HTO.statusWords, Literal("已落地", lang="zh-Hans"))]
    assert siqa[0].id in landed[0].depends
    office = [p for p in _find(proposals, "status") if p.label == "深港联合办公室"]
    assert office[0].triples[0][2] == KG["status/in-use"] and office[0].quote == "深港联合办公室投入使用"
    area = _find(proposals, "figure", text="约60万平方米")[0]
    values = {t[1]: t[2] for t in area.triples}
    assert values[HTO.qualifier] == KG["qualifier/about"] and values[SCHEMA.unitCode] == Literal("MTK")
    assert values[SCHEMA.value].toPython() == 600000
    more = _find(proposals, "figure", text="超过500人")[0]
    assert {t[2] for t in more.triples} >= {KG["qualifier/more-than"], Literal("IE")}
    # links: the sector named before the list, the platform of the arbitration centre
    in_sector = [p for p in _find(proposals, "link") if p.triples[0][1] == HTO.inSector and p.label == "深圳国际量子研究院"]
    assert in_sector and "量子信息" in in_sector[0].text
    platform = [p for p in _find(proposals, "link") if p.triples[0][1] == HTO.platformOf]
    assert platform and platform[0].label == "粤港澳大湾区国际仲裁中心交流合作平台"
    # names linked through the lexicon: an alternative label of the zone
    zone = [p for p in _find(proposals, "mention") if p.entity == KG["zone/hetao"]]
    assert zone and zone[0].rule == "lexicon:alt-label"


def test_draft_is_trig_with_one_graph_per_proposal(report_run):
    work, _, _, proposals = report_run
    ds = Dataset()
    ds.parse(work / "review" / "next" / "draft.trig", format="trig")
    draft = ds.graph(KG["graph/draft/next"])
    assert len(list(draft.subjects(HTO.evidence, HTO.MachineProposal))) == len(proposals)
    for p in proposals:
        g = ds.graph(KG[f"proposal/next/{p.id}"])
        assert set(g) == set(p.triples)
        assert draft.value(KG[f"proposal/next/{p.id}"], HTO.proposalRule) == Literal(p.rule)
    # the draft stays in the review folder: never in the data root
    assert not list((report_run[1] / "graph_data").glob("*next*"))


def test_figures_and_dates():
    assert parse_figure(_FIGURE.search("三百余家")) == (300, "more-than", "家")
    assert parse_figure(_FIGURE.search("共1.5万家")) == (15000, "exactly", "家")
    assert parse_figure(_FIGURE.search("约60万平方米")) == (600000, "about", "平方米")
    assert parse_figure(_FIGURE.search("近两千人")) == (2000, "about", "人")
    assert str(parse_date(_DATE.search("2023年"))) == "2023"
    assert parse_date(_DATE.search("2023年5月")).datatype.endswith("gYearMonth")
    d = parse_date(_DATE.search("二〇二四年三月五日"))
    assert (str(d), d.datatype.split("#")[1]) == ("2024-03-05", "date")
    assert parse_date(_DATE.search("2024年13月")) is None


# --- review ----------------------------------------------------------------------------


def _ingest_next(tmp_path, root, doc_id="next-report"):
    src = tmp_path / f"{doc_id}.txt"
    src.write_text(NEXT, encoding="utf-8")
    return ingest_file(src, review_dir=tmp_path / "review", root=root, doc_id=doc_id,
                       meta=SourceMeta(title="测试:下一份进展报告", title_en="Test: the next progress report",
                                       date="2025-03"),
                       about=KG["park/shenzhen-park"])


def test_accept_writes_validated_curated_trig(tmp_path, data_root):
    result = _ingest_next(tmp_path, data_root)
    assert result.traditional_converted > 20
    review = Review(tmp_path / "review", "next-report", root=data_root)
    props = {p.id: p for p in read_jsonl(tmp_path / "review" / "next-report" / "proposals.jsonl")}
    lab = next(p for p in props.values() if p.kind == "new-entity" and p.label == "深港量子计算联合实验室")
    status = next(p for p in props.values() if p.kind == "status" and p.entity == lab.entity)
    siqa_status = next(p for p in props.values() if p.kind == "status" and p.entity == KG["org/siqa"])
    figure = next(p for p in props.values() if p.kind == "figure" and p.text == "约12万平方米")
    date = next(p for p in props.values() if p.kind == "date")
    assert str(date.triples[0][2]) == "2025-03" and date.triples[0][0] == KG["facility/joint-office"]
    with pytest.raises(ReviewError, match="needs an English label"):
        review.accept([lab.id, status.id], curator="Test Curator")
    review.edit(lab.id, en="Shenzhen-Hong Kong quantum computing joint laboratory")
    assert siqa_status.depends == ()  # a known entity: nothing to accept first
    target = review.accept([lab.id, status.id, figure.id, date.id], curator="Test Curator",
                           when="2026-12-06T00:00:00Z")
    assert target == data_root / "graph_data" / "ingested-next-report.trig"
    assert validate(data_root, checks=("shacl", "sparql")).ok
    kg = load(data_root, cache=False)
    assert (lab.entity, HTO.developmentStatus, KG["status/landed"]) in kg
    assert (KG["facility/joint-office"], DCTERMS.date,
            Literal("2025-03", datatype=XSD.gYearMonth)) in kg
    assert (lab.entity, RDFS.label, Literal("深港量子计算联合实验室", lang="zh-Hans")) in kg
    quote = KG[f"quote/next-report/{status.quote_start}-{status.quote_end}"]
    from hetao_kg.namespaces import OA

    assert str(kg.value(quote, OA.exact)) == status.quote
    text = (tmp_path / "review" / "next-report" / "normalized.txt").read_text(encoding="utf-8")
    assert text[status.quote_start:status.quote_end] == status.quote
    graph = KG[f"assertion/next-report/{status.id}"]
    assert kg.value(graph, PROV.generatedAtTime).toPython().isoformat() == "2026-12-06T00:00:00+00:00"
    entries = json.loads((data_root / "graph_data" / "sources" / "sources.json").read_text(encoding="utf-8"))
    assert entries[-1]["id"] == "next-report" and entries[-1]["label"]["en"] == "Test: the next progress report"
    assert review.state(status.id) == "accepted"
    with pytest.raises(ReviewError, match="already accepted"):
        review.accept([status.id], curator="Test Curator")


def test_accept_that_would_not_validate_writes_nothing(tmp_path, data_root):
    _ingest_next(tmp_path, data_root)
    review = Review(tmp_path / "review", "next-report", root=data_root)
    siqa_status = next(r for r in review.rows(kind="status") if r.subject == "深圳国际量子研究院")
    before = _snapshot(data_root)
    # the graph holds one status per institution: SIQA's new one conflicts with the report's 已落地
    with pytest.raises(ReviewError, match="would not validate.*exactly one development status"):
        review.accept([siqa_status.id], curator="Test Curator")
    review.edit(siqa_status.id, status="flying")  # no such status concept
    with pytest.raises(ReviewError, match="would not validate"):
        review.accept([siqa_status.id], curator="Test Curator")
    assert _snapshot(data_root) == before
    assert review.state(siqa_status.id) == "edited"


def test_interrupted_accept_leaves_a_valid_data_root(tmp_path, data_root, monkeypatch):
    _ingest_next(tmp_path, data_root)
    review = Review(tmp_path / "review", "next-report", root=data_root)
    row = next(r for r in review.rows(kind="figure"))
    from hetao_kg.ingest import review as review_module

    real = review_module.atomic_write

    def dies_on_facts(path, data):
        if path.suffix == ".trig":
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(review_module, "atomic_write", dies_on_facts)
    with pytest.raises(KeyboardInterrupt):
        review.accept([row.id], curator="Test Curator")
    assert not (data_root / "graph_data" / "ingested-next-report.trig").exists()
    assert not list((data_root / "graph_data").glob(".*tmp"))
    assert validate(data_root, checks=("shacl", "sparql")).ok  # the source registered, no fact half-written


def test_merge_and_reject_are_remembered(tmp_path, data_root):
    _ingest_next(tmp_path, data_root)
    review = Review(tmp_path / "review", "next-report", root=data_root)
    lab = next(r for r in review.rows(kind="new-entity") if r.subject == "深港量子计算联合实验室")
    with pytest.raises(ReviewError, match="no such entity"):
        review.merge(lab.id, "org/not-there")
    review.merge(lab.id, "org/siqa")
    status = next(r for r in review.rows(kind="status") if r.subject == "深港量子计算联合实验室")
    assert review.current(status.id).triples[0][0] == KG["org/siqa"]
    figures = [r.id for r in review.rows(kind="figure")]
    review.reject(figures)
    again = _ingest_next(tmp_path, data_root, doc_id="next-report-again")
    assert again.skipped_rejected == len(figures) and again.counts["figure"] == 0


def test_ingest_refuses_a_report_under_review(tmp_path, data_root):
    _ingest_next(tmp_path, data_root)
    review = Review(tmp_path / "review", "next-report", root=data_root)
    review.reject([review.rows(kind="figure")[0].id])
    with pytest.raises(IngestError, match="already ingested and under review"):
        _ingest_next(tmp_path, data_root)


def test_cli_ingest_and_review(tmp_path, data_root):
    src = tmp_path / "next.txt"
    src.write_text(NEXT, encoding="utf-8")
    runner = CliRunner()
    env = {"HETAO_KG_CACHE": str(tmp_path / "cache")}
    out = runner.invoke(main, ["--data-root", str(data_root), "ingest", str(src), "--review-dir",
                               str(tmp_path / "review"), "--title", "下一份报告", "--date", "2025"], env=env)
    assert out.exit_code == 0, out.output
    assert "pinyin annotations stripped" in out.output and "known entities named" in out.output
    listed = runner.invoke(main, ["--data-root", str(data_root), "review", "list", "next", "--review-dir",
                                  str(tmp_path / "review"), "--kind", "status"], env=env)
    assert listed.exit_code == 0 and "已落地" in listed.output
    bad = runner.invoke(main, ["--data-root", str(data_root), "ingest", str(src), "--date", "March"], env=env)
    assert bad.exit_code == 2 and "a date is YYYY" in bad.output
    assert not (data_root / "graph_data" / "ingested-next.trig").exists()


# --- the review page (hetao-kg serve --review) ------------------------------------------


def test_review_page_escapes_highlights_and_needs_its_token(tmp_path, data_root):
    from starlette.testclient import TestClient

    from hetao_kg.web.review import create_review_app

    src = tmp_path / "next.txt"
    src.write_text(NEXT + "<script>alert(1)</script>深港量子计算联合实验室等已落地。\n", encoding="utf-8")
    ingest_file(src, review_dir=tmp_path / "review", root=data_root, doc_id="next")
    app = create_review_app(tmp_path / "review", "next", curator="Test Curator", root=data_root, token="t0ken")
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/")
    assert page.status_code == 200 and "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "<mark>已落地</mark>" in page.text and 'content="t0ken"' in page.text
    assert client.get("/static/review.js").status_code == 200
    figure = next(r.id for r in Review(tmp_path / "review", "next", root=data_root).rows(kind="figure"))
    assert client.post("/decide", json={"id": figure, "action": "reject"}).status_code == 403
    ok = client.post("/decide", json={"id": figure, "action": "reject"}, headers={"X-Review-Token": "t0ken"})
    assert ok.json() == {"id": figure, "state": "rejected"}
    mention = next(r.id for r in Review(tmp_path / "review", "next", root=data_root).rows(kind="mention"))
    refused = client.post("/decide", json={"id": mention, "action": "accept"}, headers={"X-Review-Token": "t0ken"})
    assert refused.status_code == 409 and "states no fact" in refused.json()["error"]


def test_review_page_has_the_explorers_edge_checks(tmp_path, data_root):
    """DNS rebinding (a foreign Host), another site's page and an oversized body are refused
    before the review app runs: the token on the page never reaches another origin."""
    from starlette.testclient import TestClient

    from hetao_kg.web.review import MAX_BODY, create_review_app

    src = tmp_path / "next.txt"
    src.write_text(NEXT, encoding="utf-8")
    ingest_file(src, review_dir=tmp_path / "review", root=data_root, doc_id="next")
    app = create_review_app(tmp_path / "review", "next", curator="Test Curator", root=data_root, token="t0ken",
                            host="127.0.0.1")
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    assert client.get("/").status_code == 200
    rebound = client.get("/", headers={"Host": "attacker.example:8765"})
    assert rebound.status_code == 421 and "t0ken" not in rebound.text
    foreign = client.post("/decide", json={"id": "x", "action": "reject"},
                          headers={"X-Review-Token": "t0ken", "Origin": "http://attacker.example"})
    assert foreign.status_code == 403
    big = client.post("/decide", content=b"{" + b" " * MAX_BODY + b"}",
                      headers={"X-Review-Token": "t0ken", "Content-Type": "application/json"})
    assert big.status_code == 413


def test_serve_review_is_loopback_only(tmp_path):
    out = CliRunner().invoke(main, ["serve", "--review", "next", "--host", "0.0.0.0", "--curator", "X",
                                    "--review-dir", str(tmp_path)])
    assert out.exit_code == 2 and "loopback only" in out.output
