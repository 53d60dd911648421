"""The W3C SPARQL 1.1 test suites (tests/w3c/, imported unchanged) run through every
surface (the API, the CLI, a real `hetao-kg serve` process) on both stores (embedded
Oxigraph, the default, and rdflib in memory).

Verdicts: a positive syntax test must be answered, a negative one rejected (a syntax
error) or refused; a result-format test must give the expected results document; a
protocol test's HTTP exchange must get the expected status and answer. The only
departures are the documented ones in ``DEPARTURES``: hetao-kg is read-only and never
reaches the network, so it refuses SERVICE, FROM / FROM NAMED naming a graph its dataset
does not hold (it would need fetching), and every update, before anything runs.

Known gaps (the memory store's FROM and parser, relative IRIs) are listed with their reason
in ``KNOWN_GAPS`` and marked ``xfail(strict=True)``: a fix flips them visibly.
"""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

import hetao_kg
from hetao_kg.cli import main
from hetao_kg.paths import data_root
from hetao_kg.store import QueryError, QueryRefused
from hetao_kg.store.dataset import dataset_iris
from hetao_kg.web.launch import running_server

from .w3c_suite import DATA0, Case, cases, data_graphs, make_data_root, result_format, same_results

STORES = ("oxigraph", "memory")
SURFACES = ("api", "cli", "serve")
ALL = cases()
IN_DATASET = set(data_graphs())

#: the intended departures from the suites, each with its reason (README "SPARQL conformance")
DEPARTURES = {
    "service": "SERVICE is refused: queries never call other endpoints",
    "fetch": "FROM / FROM NAMED naming a graph the dataset does not hold is refused: it would need fetching",
    "update": "SPARQL Update is refused: hetao-kg is read-only",
}
#: (test id, surface, store) -> reason: known gaps, each failing today (strict xfail: a fix shows).
#: surface/store "*" = all.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}
#: failures of a store's evaluator, not of hetao-kg's handling: (test id, store) -> reason
STORE_LIMITS = {
    ("csv-tsv-res/tsv03", "oxigraph"): "oxigraph-derived-integer: Oxigraph keeps \"-3\"^^xsd:negativeInteger as "
                                       "xsd:integer (the Oxigraph server fails this test too)",
}


def departure(case: Case) -> str | None:
    """Which documented departure applies to ``case`` (None: it must pass as the suite says)."""
    if case.kind in ("positive-update", "negative-update") or (case.kind == "protocol" and "update" in case.name):
        return "update"
    if case.kind in ("positive", "negative"):
        text = case.text()
        if re.search(r"\bSERVICE\b", re.sub(r"#[^\n]*", "", text), re.IGNORECASE):
            return "service"
        try:
            default, named = dataset_iris(text)
        except Exception:
            return None
        if any(iri not in IN_DATASET for iri in (*default, *named)):
            return "fetch"
    return None


def _marks(case: Case, surface: str, store: str):
    if (case.id, store) in STORE_LIMITS:
        return [pytest.mark.xfail(reason=STORE_LIMITS[case.id, store], strict=True)]
    for key in ((case.id, surface, store), (case.id, "*", store), (case.id, surface, "*"), (case.id, "*", "*")):
        if key in KNOWN_GAPS:
            return [pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=True)]
    return []


def _params(kinds, surfaces=SURFACES):
    return [pytest.param(c, surface, store, id=f"{c.id}-{surface}-{store}", marks=_marks(c, surface, store))
            for c in ALL if c.kind in kinds for surface in surfaces for store in STORES]


# --- the three surfaces ----------------------------------------------------------------


@pytest.fixture(scope="session")
def w3c_root(tmp_path_factory):
    return make_data_root(tmp_path_factory.mktemp("w3c-root"), data_root())


_graphs: dict = {}


@pytest.fixture(scope="session")
def api(w3c_root):
    def get(store: str):
        if store not in _graphs:
            _graphs[store] = hetao_kg.open(w3c_root, store=store, timeout=60)
        return _graphs[store]

    yield get
    for kg in _graphs.values():
        close = getattr(kg.store, "close", None)
        if close:
            close()
    _graphs.clear()


_servers: dict = {}


@pytest.fixture(scope="session")
def serve(w3c_root):
    """A `hetao-kg serve` process per store, started on first use, stopped by PID at the end."""
    stack = []

    def get(store: str):
        if store not in _servers:
            ctx = running_server("--store", store, "--timeout", "60", "--workers", "1", data_root=w3c_root)
            _servers[store] = ctx.__enter__()
            stack.append(ctx)
        return _servers[store]

    yield get
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)
    _servers.clear()


def _verdict_api(kg, text: str, **dataset) -> tuple[str, object]:
    try:
        return "answered", kg.run(text, **dataset)
    except QueryRefused as exc:
        return "refused", str(exc)
    except QueryError as exc:
        return "rejected", str(exc)


def _cli(root, store: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-root", str(root), "--store", store, "--timeout", "60", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _verdict_text(code_ok: bool, message: str, answer) -> tuple[str, object]:
    if code_ok:
        return "answered", answer
    if "Traceback" in message:
        return "error", message
    return ("refused" if "refused" in message.lower() else "rejected"), message


def verdict(surface: str, store: str, case: Case, *, root=None, api=None, serve=None, fmt: str = "json",
            default_graphs=()) -> tuple[str, object]:
    """Run ``case``'s query on a surface: ("answered", answer) or ("refused" | "rejected", message)."""
    text = case.text()
    if surface == "api":
        return _verdict_api(api(store), text, default_graphs=default_graphs)
    if surface == "cli":
        args = ["query", "-f", str(case.query), "--format", f"sparql-{fmt}"]
        for g in default_graphs:
            args += ["--default-graph", g]
        code, out, err = _cli(root, store, *args)
        return _verdict_text(code == 0, err, out.encode("utf-8"))
    server = serve(store)
    accept = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}[fmt]
    accept += ", text/turtle;q=0.5"  # CONSTRUCT and DESCRIBE answer a graph
    r = httpx.post(server.url + "/sparql", params=[("default-graph-uri", g) for g in default_graphs],
                   content=text.encode("utf-8"), timeout=90,
                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code in (200, 400), f"{r.status_code}: {r.text[:300]}"
    return _verdict_text(r.status_code == 200, r.text, r.content)


# --- syntax suites ---------------------------------------------------------------------


def _no_operation(text: str) -> bool:
    """Only comments and PREFIX / BASE declarations."""
    text = re.sub(r"#[^\n\r]*", "", text)
    text = re.sub(r"(?i)\b(PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", "", text)
    return not text.strip()



@pytest.mark.parametrize("case,surface,store", _params({"positive", "negative", "positive-update", "negative-update"}))
def test_syntax(case, surface, store, w3c_root, api, serve):
    outcome, detail = verdict(surface, store, case, root=w3c_root, api=api, serve=serve)
    assert outcome != "error", detail
    rule = departure(case)
    if case.kind == "positive" and rule is None:
        assert outcome == "answered", f"{case.title}: valid SPARQL was {outcome}: {detail}"
    elif case.kind == "positive":
        assert outcome == "refused", f"{case.title}: expected the documented refusal ({DEPARTURES[rule]}), got {outcome}: {detail}"
    elif case.kind == "positive-update" and _no_operation(case.text()):
        # an update request with no operation (syntax-update-38..40) is no query either
        assert outcome in ("refused", "rejected"), f"{case.title}: {outcome}: {detail}"
    elif case.kind == "positive-update":
        assert outcome == "refused" and "update" in str(detail).lower(), f"{case.title}: {outcome}: {detail}"
    else:  # negative: never run
        assert outcome in ("rejected", "refused"), f"{case.title}: invalid SPARQL was answered"
        if case.kind == "negative" and rule is None:
            assert outcome == "rejected", f"{case.title}: expected a syntax error, got {outcome}: {detail}"
            # whichever parser caught it, the message says where (issue 20, "Protocol details")
            assert re.search(r"syntax error: line \d+, column \d+: ", str(detail)), detail


# --- result formats ----------------------------------------------------------------------


@pytest.mark.parametrize("case,surface,store", _params({"result"}))
def test_result_format(case, surface, store, w3c_root, api, serve):
    fmt = result_format(case)
    outcome, answer = verdict(surface, store, case, root=w3c_root, api=api, serve=serve, fmt=fmt,
                              default_graphs=(case.data,))
    assert outcome == "answered", answer
    if surface == "api":
        from hetao_kg.query.results import sparql_results

        answer = sparql_results(answer, fmt)
    assert same_results(answer, case.result.read_bytes(), fmt), answer.decode("utf-8")


# --- protocol ------------------------------------------------------------------------------

_FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"),
    "RDF": ("text/turtle", "application/rdf+xml", "application/n-triples"),
}


def _boolean(body: bytes, ctype: str) -> bool:
    if "json" in ctype:
        import json

        return json.loads(body)["boolean"]
    m = re.search(rb"<boolean>\s*(true|false)\s*</boolean>", body)
    assert m, body[:300]
    return m.group(1) == b"true"


@pytest.mark.parametrize("case,store", [
    pytest.param(c, s, id=f"{c.id}-{s}", marks=_marks(c, "serve", s)) for c in ALL if c.kind == "protocol" for s in STORES])
def test_protocol(case, store, serve):
    server = serve(store)
    for req in case.requests:
        path = req.path.replace("/sparql/", "/sparql", 1)
        headers = dict(req.headers)
        r = httpx.request(req.method, server.url + path, content=req.body, headers=headers, timeout=90)
        status = f"{r.status_code // 100}xx"
        if departure(case) == "update":  # the update is refused; what follows checks its effect
            assert r.status_code // 100 == 4, f"an update was not refused: {r.status_code} {r.text[:200]}"
            break
        assert status in req.statuses, f"{case.title}: {r.status_code} {r.text[:300]}"
        if status != "2xx":
            continue
        ctype = r.headers["content-type"].split(";")[0]
        if req.result_format:
            assert ctype in _FORMATS[req.result_format], ctype
        if req.boolean is not None:
            assert _boolean(r.content, ctype) is req.boolean


# --- hetao-kg's own pieces, checked directly ---------------------------------------------

KASEI = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
BOTH = "ASK { <%s> a ?type . <%s> a ?type . }" % (KASEI.format(1), KASEI.format(2))
NAMED = "ASK { GRAPH ?g1 { <%s> a ?type } GRAPH ?g2 { <%s> a ?type } }" % (KASEI.format(1), KASEI.format(2))


@pytest.fixture(scope="module")
def protocol_data():
    """The protocol suite's graphs in a pyoxigraph store and an rdflib dataset (union default graph)."""
    import pyoxigraph
    from rdflib import Dataset, Graph, URIRef

    ox, ds = pyoxigraph.Store(), Dataset(default_union=True)
    for iri, path in data_graphs().items():
        if path is None or path.suffix != ".nt":
            continue
        ox.load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(iri))
        g = ds.graph(URIRef(iri))
        g.parse(path, format="nt")
    return ox, ds


@pytest.mark.parametrize("query,default,named,expected", [
    (BOTH, (1, 2), (), True),
    (BOTH, (1,), (), False),
    (NAMED, (), (1, 2), True),
    (NAMED, (3,), (1,), False),
    # the protocol's dataset replaces the query's own FROM (query_multiple_dataset)
    (NAMED.replace("ASK", "ASK FROM <%s>" % KASEI.format(3)), (), (1, 2), True),
    ("ASK FROM <%s> { <%s> a ?type }" % (KASEI.format(1), KASEI.format(2)), (2,), (), True),
])
def test_dataset_rewrite_selects_graphs_on_both_engines(protocol_data, query, default, named, expected):
    """with_dataset's text, evaluated by Oxigraph and by rdflib as they are (the guard is
    the lead's): the graphs named, and only they, make the dataset."""
    from hetao_kg.store import guard
    from hetao_kg.store.dataset import with_dataset

    ox, ds = protocol_data
    text = with_dataset(query, [KASEI.format(n) for n in default], [KASEI.format(n) for n in named])
    assert ox.query(text) is expected or bool(ox.query(text)) is expected
    with guard():  # rdflib would fetch a graph it does not hold: none is fetched here
        assert ds.query(text).askAnswer is expected


def test_dataset_rewrite_keeps_the_rest_of_the_query():
    from hetao_kg.store.dataset import dataset_iris, with_dataset

    q = 'PREFIX ex: <http://ex/>\n# FROM <http://no/>\nCONSTRUCT { ?s ex:p "FROM <x>" } FROM ex:a FROM NAMED ex:b WHERE { ?s ?p ?o } LIMIT 1'
    out = with_dataset(q, ["http://ex/c"], [])
    assert dataset_iris(q) == (["http://ex/a"], ["http://ex/b"])
    assert dataset_iris(out) == (["http://ex/c"], [])
    assert out.endswith('CONSTRUCT { ?s ex:p "FROM <x>" } FROM <http://ex/c> WHERE { ?s ?p ?o } LIMIT 1')
    assert "# FROM <http://no/>" in out


@pytest.mark.parametrize("store", STORES)
def test_graphs_not_in_the_dataset_are_refused_naming_them(store, api, w3c_root, serve):
    outside = "http://127.0.0.1:9/data.ttl"
    with pytest.raises(QueryRefused, match=re.escape(f"<{outside}> is refused")):
        api(store).run("ASK {}", default_graphs=[outside])
    with pytest.raises(QueryRefused, match=re.escape(f"<{outside}> is refused")):
        api(store).run(f"ASK FROM NAMED <{outside}> {{}}")
    code, _, err = _cli(w3c_root, store, "query", "--named-graph", outside, "ASK {}")
    assert code == 2 and f"<{outside}> is refused" in err
    url = serve(store).url + "/sparql"
    for params in ({"default-graph-uri": outside}, {"named-graph-uri": outside}):
        r = httpx.get(url, params={"query": "ASK {}", **params})
        assert r.status_code == 400 and f"<{outside}> is refused" in r.text
    r = httpx.get(url, params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "not an absolute IRI" in r.text


def test_protocol_details(serve):
    url = serve("oxigraph").url + "/sparql"
    # a query both in the URL and in the body
    for ctype, body in (("application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"),
                        ("application/sparql-query", b"ASK {}")):
        r = httpx.post(url, params={"query": "ASK {}"}, content=body, headers={"Content-Type": ctype})
        assert r.status_code == 400 and "both in the URL and in the request body" in r.text
    # the size limit counts the decoded query: 22 500 bytes of Chinese, 67 500 URL-encoded
    text = 'ASK { FILTER(STRLEN("' + "园" * 7500 + '") > 0) }'
    assert len(text.encode("utf-8")) < 65_536 < len(httpx.QueryParams({"query": text}).__str__())
    r = httpx.post(url, data={"query": text}, timeout=60)
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.post(url, data={"query": 'ASK { FILTER(STRLEN("' + "园" * 22_000 + '") > 0) }'}, timeout=60)
    assert r.status_code == 413


@pytest.mark.parametrize("store", STORES)
def test_results_formats_to_the_letter(store, serve):
    """TSV escapes, a double's exponent, plain strings; CSV per RFC 4180; valid XML; ASK in CSV/TSV."""
    import xml.etree.ElementTree as ET

    url = serve(store).url + "/sparql"
    q = ('SELECT ?t ?d ?n ?l ?u WHERE { VALUES (?t ?d ?n ?l) { ("a\\tb\\nc\\rd \\"q\\", e" 1.5e6 42 "港"@zh-Hant) } '
         'OPTIONAL { <urn:nothing> <urn:nothing> ?u } }')

    def get(accept, query=q):
        r = httpx.get(url, params={"query": query}, headers={"Accept": accept}, timeout=60)
        assert r.status_code == 200, r.text
        return r

    tsv = get("text/tab-separated-values").text
    assert tsv == '?t\t?d\t?n\t?l\t?u\n"a\\tb\\nc\\rd \\"q\\", e"\t1.5E6\t42\t"港"@zh-Hant\t\n'
    csv_text = get("text/csv").content
    assert csv_text == 't,d,n,l,u\r\n"a\tb\nc\rd ""q"", e",1.5E6,42,港,\r\n'.encode("utf-8")
    xml = ET.fromstring(get("application/sparql-results+xml").content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [v.get("name") for v in xml.find(f"{ns}head")] == ["t", "d", "n", "l", "u"]
    cells = {b.get("name"): b[0] for b in xml.find(f"{ns}results").find(f"{ns}result")}
    assert cells["t"].text == "a\tb\nc\rd \"q\", e" and cells["t"].attrib == {}
    assert cells["l"].get("{http://www.w3.org/XML/1998/namespace}lang").lower() == "zh-hant"
    assert cells["d"].get("datatype") == "http://www.w3.org/2001/XMLSchema#double" and "u" not in cells
    assert get("text/csv", "ASK {}").content == b"_askResult\r\ntrue\r\n"
    assert get("text/tab-separated-values", "ASK {}").content == b"?_askResult\ntrue\n"
    assert "<boolean>true</boolean>" in get("application/sparql-results+xml", "ASK {}").text


@pytest.mark.parametrize("store", STORES)
def test_relative_iris_resolve_against_the_endpoint_url_or_the_dataset_base(store, api, w3c_root, serve):
    """serve: the request's /sparql URL (SPARQL 1.1 Query §4.1.1.2); API and CLI:
    QUERY_BASE, the base the data is read with; a BASE in the query has the last word."""
    from hetao_kg.namespaces import QUERY_BASE

    q = "SELECT ?x ?y WHERE { BIND(<a/b> AS ?x) BIND(<../c> AS ?y) }"
    assert QUERY_BASE == "https://w3id.org/hetao-kg/id/"
    assert [(str(r["x"]), str(r["y"])) for r in api(store).run(q).rows] == [(QUERY_BASE + "a/b", "https://w3id.org/hetao-kg/c")]
    assert str(api(store).run("BASE <http://ex/d/> " + q).rows[0]["x"]) == "http://ex/d/a/b"
    assert api(store).run("ASK { <org/hku> a hto:University }") is True  # <org/hku> is inst:hku
    code, out, _ = _cli(w3c_root, store, "query", "--format", "sparql-tsv", q)
    assert code == 0 and out.splitlines()[1] == f"<{QUERY_BASE}a/b>\t<https://w3id.org/hetao-kg/c>"
    url = serve(store).url + "/sparql"
    r = httpx.post(url, content=q.encode(), headers={"Content-Type": "application/sparql-query",
                                                      "Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.text.splitlines()[1] == f"<{serve(store).url}/a/b>\t<{serve(store).url}/c>"
    r = httpx.get(url, params={"query": "BASE <http://ex/d/> " + q}, headers={"Accept": "text/tab-separated-values"})
    assert r.text.splitlines()[1] == "<http://ex/d/a/b>\t<http://ex/c>"
    # FROM with a relative IRI names the graph it resolves to; a syntax error keeps its position
    graph = DATA0.rsplit("/", 1)
    r = httpx.get(url, params={"query": f"BASE <{graph[0]}/> ASK FROM <{graph[1]}> {{ ?s ?p ?o }}"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.get(url, params={"query": f"ASK FROM <{graph[1]}> {{ ?s ?p ?o }}"})
    assert r.status_code == 400 and f"<{serve(store).url}/{graph[1]}> is refused" in r.text
    for bad in ("ASK { <s> ?p }", "ASK { ?s ?p <o> . FILTER(?o = ) }"):
        with pytest.raises(QueryError) as said:
            api(store).run(bad)
        r = httpx.get(url, params={"query": bad})
        assert r.status_code == 400 and "line 1, column" in r.text and r.text == str(said.value), r.text
