"""`hetao-kg serve` as a real process on 127.0.0.1: the SPARQL 1.1 Protocol (every
method and format), the guard, the limits, malformed requests, content negotiation
on entity IRIs, the explorer pages, the access log and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import signal
import statistics
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

from hetao_kg.facade import open_graph
from hetao_kg.paths import data_root
from hetao_kg.web.launch import running_server

HKU = "https://w3id.org/hetao-kg/id/org/hku"
UNIVERSITIES = "SELECT ?u WHERE { ?u a hto:University } ORDER BY ?u"
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 3


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", str(TIMEOUT), "--max-rows", "500", "--max-query-bytes", "20000") as s:
        yield s


@pytest.fixture(scope="module")
def kg():
    return open_graph()


def sparql(server, query: str, *, accept: str = "application/sparql-results+json", method: str = "GET", **kw):
    headers = {"Accept": accept}
    if method == "GET":
        return httpx.get(server.url + "/sparql", params={"query": query}, headers=headers, timeout=60, **kw)
    if method == "POST-form":
        return httpx.post(server.url + "/sparql", data={"query": query}, headers=headers, timeout=60)
    return httpx.post(server.url + "/sparql", content=query.encode("utf-8"), timeout=60,
                      headers={**headers, "Content-Type": "application/sparql-query"})


# --- the protocol ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_select_by_every_method(server, kg, method):
    r = sparql(server, UNIVERSITIES, method=method)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    got = [b["u"]["value"] for b in r.json()["results"]["bindings"]]
    assert got == [str(row["u"]) for row in kg.store.select(UNIVERSITIES).rows]
    assert HKU in got


def test_result_formats_agree(server):
    as_json = sparql(server, UNIVERSITIES).json()
    expected = [b["u"]["value"] for b in as_json["results"]["bindings"]]
    xml = XMLResultParser().parse(io.BytesIO(sparql(server, UNIVERSITIES, accept="application/sparql-results+xml").content))
    assert [str(row[0]) for row in xml] == expected
    rows = list(csv.reader(io.StringIO(sparql(server, UNIVERSITIES, accept="text/csv").text)))
    assert rows[0] == ["u"] and [r[0] for r in rows[1:]] == expected
    tsv = sparql(server, UNIVERSITIES, accept="text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?u"
    assert [str(row[0]) for row in TSVResultParser().parse(io.StringIO(tsv.text))] == expected
    ask = sparql(server, "ASK { ?u a hto:University }", accept="application/sparql-results+xml")
    assert "<boolean>true</boolean>" in ask.text


def test_construct_in_every_graph_format(server, kg):
    query = "CONSTRUCT { ?u ?p ?o } WHERE { ?u a hto:University ; ?p ?o }"
    expected = len(kg.store.select(query).rows)
    for media, fmt in [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                       ("application/ld+json", "json-ld"), ("application/trig", "trig")]:
        r = sparql(server, query, accept=media)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), (media, r.text[:200])
        g = Dataset() if fmt == "trig" else Graph()
        g.parse(data=r.text, format=fmt)
        assert len(g) == expected > 10, media
    describe = sparql(server, f"DESCRIBE <{HKU}>", accept="text/turtle")
    assert (URIRef(HKU), None, None) in Graph().parse(data=describe.text, format="turtle")
    assert sparql(server, query, accept="image/png").status_code == 406


def test_union_default_graph_and_named_graphs(server):
    union = sparql(server, f"ASK {{ <{HKU}> ?p ?o }}").json()["boolean"]
    per_graph = sparql(server, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{HKU}> ?p ?o }} }}").json()
    graphs = {b["g"]["value"] for b in per_graph["results"]["bindings"]}
    assert union is True
    assert "https://w3id.org/hetao-kg/id/graph/zh-hant-labels" in graphs and len(graphs) >= 2
    one = sparql(server, f"ASK {{ GRAPH <https://w3id.org/hetao-kg/id/graph/zh-hant-labels> {{ <{HKU}> rdfs:label \"香港大學\"@zh-Hant }} }}")
    assert one.json()["boolean"] is True


def test_service_description(server):
    r = httpx.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(server.url + "/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in g
    assert (endpoint, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in g
    names = set(g.objects(None, URIRef(sd + "name")))
    assert URIRef("https://w3id.org/hetao-kg/id/graph/provenance") in names
    browser = httpx.get(server.url + "/sparql", headers={"Accept": "text/html"}, follow_redirects=True)
    assert browser.status_code == 200 and "yasgui" in browser.text  # redirected to the editor


# --- the guard and malformed requests --------------------------------------------


@pytest.mark.parametrize("request_kw,needle", [
    ({"params": {"query": "DROP ALL"}}, "Update is refused"),
    ({"params": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, "Update is refused"),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}, "SERVICE is refused"),
    ({"params": {"query": "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }"}}, "FROM"),
    ({"params": {"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"}}, "FROM"),
    ({"params": {"query": "ASK {}", "default-graph-uri": "http://127.0.0.1:9/"}}, "default-graph-uri is refused"),
    ({"params": {"query": "SELEKT * WHERE { ?s ?p ?o }"}}, "line 1"),
    ({"params": {"query": "SELECT * WHERE { ?s undefinedprefix:x ?o }"}}, "SPARQL"),
    ({"params": {"query": "   "}}, "empty"),
    ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, "exactly one"),
])
def test_refused_and_malformed_get_400(server, request_kw, needle):
    r = httpx.get(server.url + "/sparql", timeout=30, **request_kw)
    assert r.status_code == 400, r.text
    assert needle in r.text
    assert "Traceback" not in r.text


def test_malformed_posts(server):
    url = server.url + "/sparql"
    update = httpx.post(url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 400 and "read-only" in update.text
    assert httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    bad_utf8 = httpx.post(url, content=b"ASK { \xff }", headers={"Content-Type": "application/sparql-query"})
    assert bad_utf8.status_code == 400 and "UTF-8" in bad_utf8.text
    big = "ASK { " + "?s ?p ?o . " * 3000 + "}"
    assert httpx.post(url, content=big.encode(), headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert httpx.put(url, content=b"ASK {}").status_code == 405
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"  # survived all of it


def test_row_limit(server):
    r = sparql(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 500
    assert "500" in r.headers["x-hetao-truncated"]


def test_cors_off_by_default(server):
    r = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert "access-control-allow-origin" not in r.headers


# --- limits under load: a hostile query times out, the others are served -------------


async def _other_clients(url: str, stop: asyncio.Event, latencies: list[float], errors: list[str]):
    queries = ["ASK { ?u a hto:University }", UNIVERSITIES, "SELECT ?p WHERE { ?p a hto:ConstructionProject }"]
    async with httpx.AsyncClient(timeout=30) as client:
        i = 0
        while not stop.is_set():
            start = time.perf_counter()
            if i % 2:
                r = await client.get(url + "/sparql", params={"query": queries[i % 3]})
            else:
                r = await client.get(url + "/id/org/hku")
            latencies.append(time.perf_counter() - start)
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text[:100]}")
            i += 1


def test_hostile_query_times_out_while_others_are_served(server):
    # warm both workers and the answer cache, as a running server would be
    for q in ["ASK { ?u a hto:University }", UNIVERSITIES, "SELECT ?p WHERE { ?p a hto:ConstructionProject }"]:
        assert sparql(server, q).status_code == 200
    assert httpx.get(server.url + "/id/org/hku", timeout=60).status_code == 200
    # start both pool workers (queries never seen before miss the answer cache)
    nonce = uuid.uuid4().hex
    pair = [threading.Thread(target=sparql, args=(server, f"ASK {{ ?s ?p ?o }} # warm {nonce} {i}")) for i in (1, 2)]
    for t in pair:
        t.start()
    for t in pair:
        t.join()

    async def scenario():
        stop, latencies, errors = asyncio.Event(), [], []
        clients = [asyncio.create_task(_other_clients(server.url, stop, latencies, errors)) for _ in range(8)]
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient(timeout=60) as client:
            start = time.perf_counter()
            hostile = await client.post(server.url + "/sparql", data={"query": HOSTILE})
            elapsed = time.perf_counter() - start
        stop.set()
        await asyncio.gather(*clients)
        return hostile, elapsed, latencies, errors

    hostile, elapsed, latencies, errors = asyncio.run(scenario())
    assert hostile.status_code == 503, hostile.text
    assert f"limit of {TIMEOUT} s" in hostile.text
    assert TIMEOUT - 0.5 < elapsed < TIMEOUT + 30  # plus starting a fresh worker on a busy machine
    assert not errors
    assert len(latencies) > 20
    p99 = statistics.quantiles(latencies, n=100)[98]
    assert p99 < 1.0, f"p99 {p99:.2f}s while the hostile query ran"
    # the worker was freed: the next new query is answered
    assert sparql(server, "ASK { ?x a hto:Sector . ?x ?p ?o }").json()["boolean"] is True


# --- entities as Linked Data and the explorer pages -----------------------------------


@pytest.mark.parametrize("media,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                       ("application/n-triples", "nt")])
def test_entity_iri_negotiates_rdf(server, media, fmt):
    r = httpx.get(server.url + "/id/org/hku", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.text, format=fmt)
    assert (URIRef(HKU), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in g
    assert (None, URIRef("https://w3id.org/hetao-kg/ontology#broughtInBy"), URIRef(HKU)) in g


def test_entity_page_shows_statements_with_evidence_and_quotes(server):
    r = httpx.get(server.url + "/id/org/siqa", params={"lang": "zh-Hant"})
    assert r.status_code == 200 and r.headers["content-language"] == "zh-Hant"
    html = r.text
    assert "深圳國際量子研究院" in html and "<mark>量子信息方面,深圳国际量子研究院等已落地</mark>" in html
    assert 'data-evidence="https://w3id.org/hetao-kg/ontology#StatedInSource"' in html
    assert re.search(r'href="/source/hetao-progress-report\?lang=zh-Hant#quote-\d+-\d+"', html)
    assert "<svg class=\"neighbourhood\"" in html
    english = httpx.get(server.url + "/id/org/siqa", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Shenzhen International Quantum Academy" in english.text and english.headers["content-language"] == "en"
    assert httpx.get(server.url + "/id/org/no-such-thing").status_code == 404


def test_every_quote_anchor_exists_in_the_source_reader(server):
    entity = httpx.get(server.url + "/id/park/shenzhen-park").text
    anchors = set(re.findall(r"/source/hetao-progress-report#(quote-\d+-\d+)", entity))
    reader = httpx.get(server.url + "/source/hetao-progress-report").text
    assert anchors and all(f'id="{a}"' in reader for a in anchors)


def test_source_reader_shows_uncovered_sentences(server, kg):
    html = httpx.get(server.url + "/source/hetao-progress-report").text
    sentences = kg.query("SELECT ?s WHERE { ?s a hto:Sentence ; hto:inDocument <https://w3id.org/hetao-kg/id/doc/hetao-progress-report> }")
    uncovered = kg.query("""SELECT ?s WHERE { ?s a hto:Sentence ; hto:inDocument <https://w3id.org/hetao-kg/id/doc/hetao-progress-report> .
                            FILTER NOT EXISTS { ?q hto:inSentence ?s } }""")
    assert html.count('class="sentence') == len(sentences)
    assert html.count('class="sentence uncovered"') == len(uncovered)
    assert f'<span class="uncovered-count">{len(uncovered)}</span>' in html


def test_pages_answer_with_a_locked_csp(server, kg):
    for path, needle in [("/", "hk-university-projects"), ("/search?q=xianggang+daxue", "/id/org/hku"),
                         ("/query", "yasgui.min.js"), ("/views/", "/views/sectors"), ("/ontology", "hto:University"),
                         ("/source/", "/source/hetao-progress-report")]:
        r = httpx.get(server.url + path)
        assert r.status_code == 200, path
        assert needle in r.text, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "http" not in csp, path
        assert not re.search(r'(?:src|href)="(?:https?:)?//', r.text), path
    view = httpx.get(server.url + "/views/hk-universities", params={"lang": "zh-Hans"})
    assert view.status_code == 200
    cli = kg.render("hk-universities", lang="zh-Hans")  # what `hetao-kg render` writes
    assert view.text.startswith(cli.html[:200]) and abs(len(view.text) - len(cli.html)) < 200
    assert all(f'"{node["id"]}"' in view.text for node in cli.nodes)
    assert "script-src 'unsafe-inline'" in view.headers["content-security-policy"]
    assert httpx.get(server.url + "/views/no-such-view").status_code == 404


def test_ontology_by_negotiation(server):
    r = httpx.get(server.url + "/ontology", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef("https://w3id.org/hetao-kg/ontology#University"), None, None) in g


def test_access_log_line_per_request(server):
    httpx.get(server.url + "/healthz?probe=access-log")
    time.sleep(0.2)
    assert re.search(r'"GET /healthz\?probe=access-log" 200 \d+\.\dms', server.log_text())


# --- a data copy with a hostile label: it stays text -------------------------------------

XSS = '<img src=x onerror="window.__xss=1">'


def xss_copy(tmp: Path) -> Path:
    root = tmp / "data"
    shutil.copytree(data_root() / "ontology", root / "ontology")
    shutil.copytree(data_root() / "graph_data", root / "graph_data")
    (root / "graph_data" / "hostile.trig").write_text(f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix hto: <https://w3id.org/hetao-kg/ontology#> .
<https://w3id.org/hetao-kg/id/assertion/hostile> {{
  <https://w3id.org/hetao-kg/id/org/hku> rdfs:label {json.dumps(XSS)}@en .
}}
<https://w3id.org/hetao-kg/id/graph/provenance> {{
  <https://w3id.org/hetao-kg/id/assertion/hostile> a hto:Assertion ; hto:evidence hto:PlainTranslation .
}}
""", encoding="utf-8")
    return root


def test_xss_label_is_escaped(tmp_path):
    with running_server(data_root=xss_copy(tmp_path)) as s:
        for path in ["/id/org/hku", "/search?q=HKU", "/id/project/hku-ai-pathogen-diagnosis", "/source/hetao-progress-report"]:
            html = httpx.get(s.url + path, params={"lang": "en"}).text
            assert XSS not in html, path
        assert "&lt;img src=x onerror=" in httpx.get(s.url + "/id/org/hku").text


# --- SIGTERM drains ------------------------------------------------------------------


def test_sigterm_drains_and_exits_cleanly():
    with running_server("--timeout", "2") as s:
        answers = {}

        def slow():
            answers["r"] = httpx.post(s.url + "/sparql", data={"query": HOSTILE}, timeout=30)

        worker = threading.Thread(target=slow)
        worker.start()
        time.sleep(0.8)  # the request is in flight
        s.process.send_signal(signal.SIGTERM)
        code = s.process.wait(30)
        worker.join(30)
        assert answers["r"].status_code == 503  # answered, not cut off
        assert code == 0
        log = s.log_text()
        assert "Shutting down" in log and "Finished server process" in log
        assert "Traceback" not in log


def test_entity_page_figures_with_qualifiers(server):
    html = httpx.get(server.url + "/id/zone/hetao", params={"lang": "en"}).text
    table = re.search(r'<table class="figures">(.*?)</table>', html, re.S)
    assert table, "no figures table"
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S) if "3.89" in r)
    assert "about" in row and "km²" in row


def test_select_star_keeps_values_under_their_names(server):
    r = sparql(server, 'SELECT * WHERE { ?u a hto:University ; rdfs:label ?name . FILTER (lang(?name) = "zh-Hant") }')
    for b in r.json()["results"]["bindings"]:
        assert b["u"]["type"] == "uri" and b["name"]["type"] == "literal", b


def test_favicon_answers_no_content(server):
    # browsers request it on every page; a 404 there is a console error in older Chromium drivers
    response = httpx.get(server.url + "/favicon.ico")
    assert response.status_code == 204 and response.content == b""
