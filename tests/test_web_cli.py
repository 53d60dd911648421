"""`hetao-kg serve` and `hetao-kg docs` from the command line, and the app's
options in process (CORS, mount prefix, language negotiation)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from hetao_kg.cli import main
from hetao_kg.web import create_app, pick_lang


@pytest.fixture(scope="module")
def prefixed():
    return TestClient(create_app(mount_prefix="/hetao-kg", cors="https://tools.example.org"))


def test_serve_warns_when_not_on_loopback(monkeypatch):
    import uvicorn

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(kw))
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "warning: binding to 0.0.0.0, not loopback" in result.output
    assert calls["host"] == "0.0.0.0" and calls["port"] == 8123
    quiet = CliRunner().invoke(main, ["serve"])
    assert "warning" not in quiet.output and calls["host"] == "127.0.0.1"


def test_serve_honours_no_inference(monkeypatch):
    """Issue 15: `hetao-kg --no-inference serve` serves the asserted facts alone."""
    import uvicorn

    apps = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.update(app=app))
    ask = "ASK { <https://w3id.org/hetao-kg/id/org/hku> a <https://w3id.org/hetao-kg/ontology#Organization> }"
    answers = {}
    for flags in ([], ["--no-inference"]):
        result = CliRunner().invoke(main, [*flags, "serve", "--store", "memory", "--workers", "1"])
        assert result.exit_code == 0, result.output
        with TestClient(apps["app"], base_url="http://127.0.0.1") as client:  # the Host the server is bound to
            answers[bool(flags)] = client.get("/sparql", params={"query": ask}).json()["boolean"]
    assert answers == {False: True, True: False}


def test_docs_writes_the_ontology_pages(tmp_path):
    result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    hant = (tmp_path / "site" / "zh-Hant" / "index.html").read_text(encoding="utf-8")
    assert 'id="University"' in index and "高校" in index and "hts:UniversityProjects" in index
    assert '<html lang="zh-Hant">' in hant and 'href="../static/style.css"' in hant
    assert (tmp_path / "site" / "static" / "style.css").is_file()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', index)


def test_mount_prefix_serves_iris_under_it(prefixed):
    page = prefixed.get("/hetao-kg/id/org/hku")
    assert page.status_code == 200 and 'href="/hetao-kg/static/style.css"' in page.text
    assert 'href="/hetao-kg/source/' in page.text
    rdf = prefixed.get("/hetao-kg/id/org/hku", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 200 and "香港大学" in rdf.text
    assert prefixed.get("/id/org/hku").status_code == 404
    assert prefixed.get("/hetao-kg/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_cors_only_for_the_given_origin(prefixed):
    ok = prefixed.get("/hetao-kg/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://tools.example.org"})
    assert ok.headers["access-control-allow-origin"] == "https://tools.example.org"
    other = prefixed.get("/hetao-kg/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("query,header,expected", [
    (None, "zh-HK,zh;q=0.8", "zh-Hant"), (None, "zh-CN", "zh-Hans"), (None, "de,en;q=0.5", "en"),
    ("zh-hant", "en", "zh-Hant"), ("xx", "zh", "zh-Hans"), (None, None, "en"),
])
def test_language_negotiation(query, header, expected):
    assert pick_lang(query, header) == expected


def test_inferred_evidence_is_read_from_the_graph(tmp_path):
    """A new evidence kind under hto:CuratorInference shows as inferred with its own label,
    without code changes (the data model is revised in parallel)."""
    import shutil

    from hetao_kg.paths import data_root

    root = tmp_path / "data"
    shutil.copytree(data_root() / "ontology", root / "ontology")
    shutil.copytree(data_root() / "graph_data", root / "graph_data")
    (root / "graph_data" / "inferred.trig").write_text("""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix hto: <https://w3id.org/hetao-kg/ontology#> .
<https://w3id.org/hetao-kg/id/assertion/test-inferred> {
  <https://w3id.org/hetao-kg/id/org/hku> hto:inSector <https://w3id.org/hetao-kg/id/sector/biomedicine> .
}
<https://w3id.org/hetao-kg/id/graph/provenance> {
  <https://w3id.org/hetao-kg/id/assertion/test-inferred> a hto:Assertion ; hto:evidence hto:TestInferredFromName .
  hto:TestInferredFromName skos:broader hto:CuratorInference ; rdfs:label "inferred from a name (test)"@en .
}
""", encoding="utf-8")
    client = TestClient(create_app(root=root))
    html = client.get("/id/org/hku", params={"lang": "en"}).text
    support = re.search(r'<li class="support inferred">(.*?)</li>', html, re.S)
    assert support and "inferred from a name (test)" in support.group(1)
    inferred = re.findall(r'<li class="support inferred">(.*?)</li>', html, re.S)
    assert sum("inferred from a name (test)" in x for x in inferred) == 1
    assert not any("StatedInSource" in x for x in inferred)  # the stated facts are not marked
    assert 'data-evidence="https://w3id.org/hetao-kg/ontology#StatedInSource"' in html


def test_pages_are_byte_identical_across_processes():
    """Same data, same page: two server processes (different hash seeds) serve the same bytes."""
    import os
    import subprocess
    import sys

    script = ("from starlette.testclient import TestClient\nfrom hetao_kg.web import create_app\n"
              "import hashlib\nc = TestClient(create_app())\n"
              "for p in ['/id/org/hku', '/id/park/shenzhen-park?lang=zh-Hant', '/source/hetao-progress-report', '/ontology']:\n"
              "    print(p, hashlib.sha256(c.get(p).content).hexdigest())\n")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("\n") == 4
