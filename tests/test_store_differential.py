"""Every store answers alike, and no store ever reaches the network for a query.

Stores: ``memory`` (rdflib), ``oxigraph`` (embedded), ``oxigraph-server`` (PyPI
``oxigraph serve``) and ``virtuoso`` (Debian ``virtuoso-opensource``), the servers
started here on free loopback ports, loaded with ``load_endpoint`` (Graph Store
Protocol / Virtuoso's bulk loader) and stopped by PID.
"""

from __future__ import annotations

import collections
import http.server
import shutil
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal
from rdflib.namespace import XSD

import hetao_kg
from hetao_kg.facade import KnowledgeGraph
from hetao_kg.data.graph import load
from hetao_kg.query.queries import named_queries
from hetao_kg.store import QueryError, QueryRefused, QueryTimeout, RdflibStore, to_term
from hetao_kg.store import OxigraphStore, SparqlStore
from hetao_kg.store.servers import EngineUnavailable, free_port, start_oxigraph, start_virtuoso
from hetao_kg.namespaces import KG
from hetao_kg.store.sparql import DEFAULT_GROUP, UNION_GRAPH, default_group, load_endpoint, load_virtuoso

ROOT = Path(__file__).resolve().parent.parent
STORES = ("memory", "oxigraph", "oxigraph-server", "virtuoso")


# --- the engines ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server") / "db", query_timeout=20)
    try:
        load_endpoint(server.url, store_dir=tmp_path_factory.mktemp("ox-local"))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), max_seconds=20)
    except EngineUnavailable as exc:  # .ci/system-deps installs it; say so loudly otherwise
        pytest.fail(f"Virtuoso is needed for these tests (Debian virtuoso-opensource): {exc}")
    try:
        load_endpoint(server.url, virtuoso_isql=server.isql, load_dir=server.extra["load_dir"],
                      store_dir=tmp_path_factory.mktemp("virt-local"))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stores(request, tmp_path_factory):
    """Raw stores (no answer cache, no worker), made on first use."""
    made: dict[str, object] = {}

    def get(name: str):
        if name not in made:
            if name == "memory":
                made[name] = RdflibStore(load())
            elif name == "oxigraph":
                made[name] = OxigraphStore.opened(tmp_path_factory.mktemp("oxigraph"))
            elif name == "oxigraph-server":
                made[name] = SparqlStore(request.getfixturevalue("oxigraph_server").url, timeout=60)
            else:
                made[name] = SparqlStore(request.getfixturevalue("virtuoso").url, timeout=60)
        return made[name]

    return get


# --- comparing answers -----------------------------------------------------------------------------


def norm(term):
    """A term as a comparable value: literals by value, language tag lowercased, xsd:string = plain."""
    if isinstance(term, Literal):
        datatype = None if term.datatype in (None, XSD.string) else str(term.datatype)
        value = term.toPython()
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            value = Decimal(str(value)).normalize()
        elif isinstance(value, str):  # also a Literal that rdflib could not convert (it is a str)
            value = str(value)
        elif not isinstance(value, bool):
            value = str(term)
        return ("literal", value, (term.language or "").lower(), datatype)
    if isinstance(term, BNode):
        return ("bnode",)
    return term


def as_set(rows) -> collections.Counter:
    return collections.Counter(tuple(sorted((k, norm(v)) for k, v in row.items())) for row in rows)


TIME_CASES = [  # issue 18: queries that take parameters
    ("timeline", {"entity": "kg:park/hkstp-shenzhen-branch"}),
    ("timeline", {"entity": "kg:park/hong-kong-park"}),
    ("as-of", {"date": "2026-01-01"}),
    ("changes", {"since": "2023-09-07", "until": "2026-12-31"}),
    ("series", {"measure": "kg:measure/shenzhen-park-research-projects"}),
]
NAMED_CASES = [(name, {}) for name in sorted(named_queries())
               if name != "describe" and name not in {n for n, _ in TIME_CASES}] + TIME_CASES + [
    ("describe", {"entity": "kg:org/hku"}),
    ("describe", {"entity": "kg:org/idea"}),
    ("describe", {"entity": "kg:sector/quantum-information"}),
    ("institutions-by-sector", {"sector": "kg:sector/biomedicine"}),
]


# Named queries (with their parameters) that Virtuoso 7.2 may answer differently from memory,
# Oxigraph and the Oxigraph server: none now (issue 18). Fixed so far, the same on every store:
# - figures, timeline (Hong Kong Park), changes: Virtuoso's N-Quads reader typed the HK$10 billion
#   "10000000000"^^xsd:integer as xsd:decimal; the loader writes it bare
#   (hetao_kg.store.sparql.virtuoso_integers);
# - source-dates: three OPTIONALs after a UNION left an interval's end unbound for some rows;
#   the dates now come from a sub-select per temporal entity;
# - hk-university-projects: ?group left unbound for the second and third branches' rows when an
#   EXISTS or an OPTIONAL sub-select followed its OPTIONAL; that OPTIONAL now comes last.
VIRTUOSO_TIME_GAPS: set[str] = set()


@pytest.mark.parametrize("store_name", STORES[1:])
@pytest.mark.parametrize("name,params", NAMED_CASES, ids=[f"{n}{'-' + '-'.join(p.values()) if p else ''}" for n, p in NAMED_CASES])
def test_every_named_query_answers_alike(stores, store_name, name, params):
    if store_name == "virtuoso" and "-".join([name, *params.values()]) in VIRTUOSO_TIME_GAPS:
        pytest.xfail("known gap: Virtuoso answers this time query differently (issue 18, not yet portable)")
    text = named_queries()[name].text
    bindings = {k: to_term(v) for k, v in params.items()}
    expected = stores("memory").select(text, bindings)
    got = stores(store_name).select(text, bindings)
    assert got.vars == expected.vars
    assert len(expected.rows) > 0
    assert as_set(got.rows) == as_set(expected.rows)


@pytest.mark.parametrize("store_name", STORES)
def test_network_evidence_bounded_inside_its_optionals_answers_as_bounded_once(stores, store_name):
    """``network-evidence`` repeats its ``# VALUES ?graph`` inside the OPTIONAL blocks (so
    that quotes and sentences are looked up for the asked graphs only): on every store its
    answer for some graphs equals the query bound only at the top (the form before), on the
    memory store, and includes rows with and without quotes."""
    from hetao_kg.query.queries import with_values

    text = named_queries()["network-evidence"].text
    assert text.count("# VALUES ?graph") == 3
    graphs = sorted(str(r["graph"]) for r in stores("memory").select(
        "SELECT DISTINCT ?graph WHERE { GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?graph a hto:Assertion } }").rows)
    graphs = graphs[::max(1, len(graphs) // 40)][:40] + [str(r["graph"]) for r in stores("memory").select(
        "SELECT ?graph WHERE { ?graph prov:wasDerivedFrom ?q } LIMIT 3").rows]
    once = text.replace("# VALUES ?graph", "VALUES ?graph { " + " ".join(f"<{g}>" for g in sorted(set(graphs))) + " }", 1)
    expected = stores("memory").select(once).rows
    got = stores(store_name).select(with_values(text, "graph", sorted(set(graphs)))).rows
    assert any(r.get("quote") is not None for r in expected) and any(r.get("quote") is None for r in expected)
    assert as_set(got) == as_set(expected)


def helper_answers(kg: KnowledgeGraph) -> dict[str, object]:
    out: dict[str, object] = {}
    for lang in ("en", "zh-Hans", "zh-Hant"):
        out[f"hk_university_projects-{lang}"] = as_set(kg.hk_university_projects(lang=lang).rows)
    for helper in ("policies", "construction_projects", "landed_platforms", "services", "innovation_bases", "figures"):
        out[helper] = as_set(getattr(kg, helper)(lang="zh-Hans").rows)
    out["institutions_by_sector"] = as_set(kg.institutions_by_sector(sector="量子信息", lang="en").rows)
    out["describe"] = as_set(kg.describe("IDEA", lang="zh-Hant").rows)
    out["path"] = kg.path("HKU", "HKUST", lang="en")
    out["search"] = [(h.iri, h.matched, h.score) for h in kg.search("liangzi")]
    out["search-hant"] = [(h.iri, h.matched, h.score) for h in kg.search("香港科技大學")]
    out["labels"] = kg.labels()
    out["resolve"] = kg.resolve("深圳國際量子研究院")
    network = kg.network(lang="en")
    out["network-nodes"] = sorted((n, tuple(sorted((k, str(v)) for k, v in d.items()))) for n, d in network.nodes(data=True))
    out["network-edges"] = sorted((u, v, tuple(sorted((k, str(x)) for k, x in d.items()))) for u, v, d in network.edges(data=True))
    return out


@pytest.fixture(scope="module")
def memory_helpers(stores):
    return helper_answers(KnowledgeGraph(stores("memory")))


@pytest.mark.parametrize("store_name", STORES[1:])
def test_every_helper_answers_alike(stores, memory_helpers, store_name):
    got = helper_answers(KnowledgeGraph(stores(store_name)))
    assert got.keys() == memory_helpers.keys()
    assert memory_helpers["network-edges"] and memory_helpers["path"]
    differ = sorted(key for key in got if got[key] != memory_helpers[key])
    if store_name == "virtuoso" and differ and all(any(gap in key.replace("_", "-") for gap in VIRTUOSO_TIME_GAPS)
                                                   for key in differ):
        pytest.xfail(f"known gap on Virtuoso (issue 18, open): {', '.join(differ)}")
    assert not differ, differ


@pytest.mark.parametrize("store_name", STORES)
def test_language_tags_in_their_usual_case_on_every_store(stores, store_name):
    rows = stores(store_name).select("SELECT DISTINCT ?l WHERE { ?s rdfs:label ?l }").rows
    assert {r["l"].language for r in rows} == {"en", "zh-Hans", "zh-Hant"}


@pytest.mark.parametrize("store_name", STORES)
def test_bound_describe_and_ask_on_every_store(stores, store_name):
    store = stores(store_name)
    hku = to_term("kg:org/hku")
    assert store.ask("ASK { ?p hto:broughtInBy ?u }", {"u": hku})
    rows = store.select("CONSTRUCT { ?u rdfs:label ?l } WHERE { ?u rdfs:label ?l }", {"u": hku}).rows
    assert {str(r["object"]) for r in rows} == {"The University of Hong Kong", "香港大学", "香港大學"}


def test_virtuoso_still_behaves_as_the_lints_say(stores):
    """The control for the Virtuoso lints in tests/test_portability.py: each construct they
    forbid in the named queries is answered differently by Virtuoso 7.2 than by rdflib here.
    (When an upgrade fixes one, this fails: then the lint may go.)"""
    memory, virtuoso = stores("memory"), stores("virtuoso")
    uni = "?u a hto:University ; hto:locatedIn <https://w3id.org/hetao-kg/id/place/hong-kong> ."

    def both(query: str):
        return as_set(memory.select(query).rows), as_set(virtuoso.select(query).rows)

    # a bare boolean in BIND comes back as the integer 1/0; wrapped in xsd:boolean it is a boolean
    bare, wrapped = (f"SELECT ?u ?x WHERE {{ {uni} BIND ({e} AS ?x) }}"
                     for e in ("EXISTS { ?u a hto:University }", "xsd:boolean(EXISTS { ?u a hto:University })"))
    got = both(bare)
    assert got[0] != got[1]
    assert {r["x"] for r in virtuoso.select(bare).rows} == {Literal(1)}
    got = both(wrapped)
    assert got[0] == got[1]
    assert {str(r["x"]) for r in virtuoso.select(wrapped).rows} == {"true"}  # not Virtuoso's "1"
    # EXISTS in || inside a BIND: refused
    with pytest.raises(QueryError, match="SQ074"):
        virtuoso.select(f"SELECT ?u ?x WHERE {{ {uni} BIND (xsd:boolean(EXISTS {{ ?u a hto:Cohort }} || EXISTS {{ ?u a hto:University }}) AS ?x) }}")
    # || over variables holding booleans: false || false is true
    flags = (f"SELECT ?u ?x WHERE {{ {uni} BIND (xsd:boolean(EXISTS {{ ?u a hto:Cohort }}) AS ?a) "
             "BIND (xsd:boolean(EXISTS { ?u a hto:Policy }) AS ?b) BIND (xsd:boolean(?a || ?b) AS ?x) }")
    assert {str(r["x"]) for r in memory.select(flags).rows} == {"false"}
    assert {str(r["x"]) for r in virtuoso.select(flags).rows} == {"true"}
    # an EXISTS over a UNION whose first branch has a skos:broader+ path: the later branches are
    # not seen (HKU's and HKUST's places are inferred: true on rdflib, false on Virtuoso)
    place = ("GRAPH ?gl { ?u hto:locatedIn <https://w3id.org/hetao-kg/id/place/hong-kong> } "
             "?gl hto:evidence/skos:broader+ hto:CuratorInference")
    union = ("SELECT ?u ?x WHERE { " + uni + " BIND (xsd:boolean(EXISTS { { ?u hto:evidence/skos:broader+ hto:CuratorInference }"
             " UNION { " + place + " } }) AS ?x) }")
    assert "true" in {str(r["x"]) for r in memory.select(union).rows}
    assert {str(r["x"]) for r in virtuoso.select(union).rows} == {"false"}
    # a BIND of an EXISTS in an OPTIONAL that did not match: false instead of unbound
    optional = ("SELECT ?u ?x WHERE { " + uni + " OPTIONAL { ?u hto:party ?p BIND (xsd:boolean(EXISTS { ?p a ?t }) AS ?x) } }")
    assert {r["x"] for r in memory.select(optional).rows} == {None}
    assert {str(r["x"]) for r in virtuoso.select(optional).rows} == {"false"}
    # a variable left unbound by an OPTIONAL, joined with a bound one: the row vanishes
    join = ("SELECT ?b WHERE { ?u a hto:University . { GRAPH ?g { ?b hto:broughtInBy ?via } "
            "OPTIONAL { ?via hto:affiliatedWith ?u } } }")
    got = both(join)
    assert len(got[1]) < len(got[0])


# --- safety: nothing reaches the network ----------------------------------------------------------


class Listener:
    """A loopback HTTP server that records every request it receives."""

    def __init__(self, delay: float = 0.0):
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                listener.requests.append(f"{self.command} {self.path}")
                time.sleep(delay)
                body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def hostile(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x a hto:University . SERVICE SILENT <{url}/sparql> {{ ?x ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"LOAD <{url}/data.ttl>",
        f"LOAD <{url}/data.ttl> INTO GRAPH <{url}/g>",
        "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "CLEAR DEFAULT",
    ]


def test_the_listener_would_see_a_request(listener):
    """The control: unguarded, pyoxigraph does call SERVICE endpoints (so the refusals below matter)."""
    raw = ox.Store()
    try:
        list(raw.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"))
    except Exception:  # noqa: BLE001 - the listener's answer may not please it; the request is what counts
        pass
    assert listener.requests


@pytest.mark.parametrize("store_name", STORES)
def test_no_store_reaches_the_network_for_a_query(stores, listener, store_name):
    store = stores(store_name)
    for query in hostile(listener.url):
        with pytest.raises(QueryRefused):
            store.execute(query)
    assert listener.requests == []


def test_a_remote_store_refuses_before_sending_anything(listener):
    store = SparqlStore(f"{listener.url}/sparql", dialect="standard")
    for query in hostile("http://127.0.0.1:9"):
        with pytest.raises(QueryRefused):
            store.execute(query)
    assert listener.requests == []
    assert store.select("SELECT ?s WHERE { ?s ?p ?o }").rows == []  # a good query is sent
    assert len(listener.requests) == 1


def test_a_remote_store_has_a_client_timeout():
    slow = Listener(delay=5)
    try:
        store = SparqlStore(f"{slow.url}/sparql", timeout=1, dialect="standard")
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="within 1 s"):
            store.select("SELECT ?s WHERE { ?s ?p ?o }")
        assert time.monotonic() - started < 4
    finally:
        slow.close()


def test_an_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(QueryError, match="cannot reach the SPARQL endpoint"):
        SparqlStore(f"http://127.0.0.1:{free_port()}/sparql", dialect="standard").ask("ASK {}")


def test_the_engines_own_limit_stops_a_heavy_query(oxigraph_server):
    store = SparqlStore(oxigraph_server.url, timeout=120)
    started = time.monotonic()
    with pytest.raises(QueryError):
        store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert time.monotonic() - started < 60  # the server's --timeout-s 20, not the client's 120


# --- the CLI against real endpoints ------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hetao_kg.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=300)


def test_cli_load_and_query_an_oxigraph_server(tmp_path):
    server = start_oxigraph(tmp_path / "db")
    try:
        empty = cli("query", "--endpoint", server.url, "SELECT ?u WHERE { ?u a hto:University }", "--format", "csv")
        assert empty.returncode == 0 and empty.stdout.strip() == "u"
        done = cli("load", "--endpoint", server.url)
        assert done.returncode == 0, done.stderr
        assert "loaded" in done.stderr
        memory = cli("--store", "memory", "query", "--named", "hk-university-projects", "--format", "csv")
        remote = cli("query", "--endpoint", server.url, "--named", "hk-university-projects", "--format", "csv")
        assert remote.returncode == 0, remote.stderr
        assert sorted(remote.stdout.splitlines()) == sorted(memory.stdout.splitlines())
        shown = cli("--endpoint", server.url, "show", "香港大學", "--lang", "zh-Hant")
        assert shown.returncode == 0 and "香港大學" in shown.stdout
        again = cli("load", "--endpoint", server.url)  # replaces, does not duplicate
        assert again.returncode == 0
        count = cli("query", "--endpoint", server.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                    "--format", "csv")
        assert int(count.stdout.splitlines()[1]) == sum(1 for _ in load().quads((None, None, None, None)))
    finally:
        server.stop()


def test_cli_load_virtuoso_with_its_bulk_loader(virtuoso):
    done = cli("load", "--endpoint", virtuoso.url, "--virtuoso-isql", virtuoso.isql,
               "--load-dir", virtuoso.extra["load_dir"])
    assert done.returncode == 0, done.stderr
    remote = cli("--endpoint", virtuoso.url, "query", "--named", "services", "--format", "csv", "--lang", "zh-Hans")
    memory = cli("--store", "memory", "query", "--named", "services", "--format", "csv", "--lang", "zh-Hans")
    assert remote.returncode == 0, remote.stderr
    assert sorted(remote.stdout.splitlines()) == sorted(memory.stdout.splitlines())


def test_virtuoso_bulk_load_in_several_files_replaces_and_cleans_up(virtuoso, tmp_path):
    """The bulk loader at corpus scale: several N-Quads files, parallel loader sessions,
    hetao-kg's graphs replaced (not doubled), nothing left in the load folder."""
    expected = sum(1 for _ in load().quads((None, None, None, None)))
    store_dir = tmp_path / "local"
    for _ in range(2):
        n = load_virtuoso(virtuoso.isql, virtuoso.extra["load_dir"], quads_per_file=1_000, loaders=2,
                          store_dir=store_dir)
        assert n >= expected  # the dump: named graphs + the union as default graph
        assert not any((Path(virtuoso.extra["load_dir"]) / "hetao-kg").glob("*"))
    count = SparqlStore(virtuoso.url, timeout=60).select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"].toPython()
    assert count == expected
    # the default graph (the union) replaced too, blank nodes included (a reload used to keep the old ones)
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert (SparqlStore(virtuoso.url, timeout=60).select(union).rows[0]["n"].toPython()
            == RdflibStore(load()).select(union).rows[0]["n"].toPython())
    assert SparqlStore(virtuoso.url, timeout=60).ask(
        "ASK { ?u a hto:University ; rdfs:label ?l FILTER (langMatches(LANG(?l), \"zh-Hant\")) }")


def test_virtuoso_bulk_load_leaves_another_load_folders_rows_alone(virtuoso, tmp_path):
    """A load folder's rows of DB.DBA.load_list are its own: with ``LIKE '<folder>/%'`` a ``_``
    in the folder's path matched any character, so loading from ``…/load_x/`` deleted the
    record of a load from ``…/loadyx/`` on the same server (and counted it as its own)."""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    workdir = Path(virtuoso.extra["load_dir"]).parent
    ours = workdir / "load_x"  # inside DirsAllowed (".": the server's folder)
    other = f"{workdir}/loadyx/hetao-kg/other.nq"

    def sql(text: str) -> str:
        done = subprocess.run([isql, virtuoso.isql, "dba", "dba"], input=text + "\n", capture_output=True,
                              text=True, timeout=60)
        assert "*** Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    sql(f"INSERT INTO DB.DBA.load_list (ll_file, ll_graph, ll_state, ll_error) "
        f"VALUES ('{other}', 'urn:other', 2, 'another load');")
    try:
        load_virtuoso(virtuoso.isql, ours, store_dir=tmp_path / "local")
        left = sql(f"SELECT 'LEFT=' || ll_error FROM DB.DBA.load_list WHERE ll_file = '{other}';")
        assert "LEFT=another load" in left
    finally:
        sql(f"DELETE FROM DB.DBA.load_list WHERE ll_file = '{other}';")


def test_virtuoso_bulk_load_retries_a_file_whose_session_lost_a_deadlock(monkeypatch, tmp_path):
    """Parallel rdf_loader_run() sessions can deadlock (SQLSTATE 40001: seen loading 350k
    triples); the victim's file is loaded again in one session, and a file that still fails
    is an error. The sessions default to cores / 2.5 (Virtuoso's maintainers' advice)."""
    from hetao_kg.store import sparql

    sent: list[str] = []
    states = iter([["LLSTATE=2|", "LLSTATE=2|40001 SR...: Transaction deadlock, from SQL built-in function."],
                   ["LLSTATE=2|", "LLSTATE=2|"]])

    def isql(_isql, _address, _user, _password, sql, _timeout):
        sent.append(sql)
        if sql.startswith("checkpoint;"):
            return "\n".join(next(states)) + "\n"
        if sql.startswith("SELECT 'VICTIM='"):
            return f"VICTIM={tmp_path.resolve()}/hetao-kg/b.nq\n"
        return ""

    def split(whole, folder, **kw):  # b.nq, the victim, has no blank node: loading it again doubles nothing
        for name in ("a", "b"):
            (folder / f"{name}.nq").write_text(f"<http://ex/{name}> <http://ex/p> <http://ex/o> .\n", encoding="utf-8")
        return [folder / "a.nq", folder / "b.nq"]

    monkeypatch.setattr(sparql, "_isql", isql)
    monkeypatch.setattr(sparql, "dump_nquads", lambda out, **kw: 2)
    monkeypatch.setattr(sparql, "split_nquads", split)
    monkeypatch.setattr(sparql, "default_group", lambda *a: 255)
    monkeypatch.setattr(sparql.shutil, "which", lambda name: "/usr/bin/isql-vt")
    monkeypatch.setattr(sparql.os, "cpu_count", lambda: 2)
    assert sparql.load_virtuoso("127.0.0.1:1111", tmp_path, replace=False) == 2
    assert sent.count("rdf_loader_run();") == 1  # 2 cores / 2.5: one session
    retry = [sql for sql in sent if sql.startswith("UPDATE DB.DBA.load_list SET ll_state = 0")]
    assert len(retry) == 1 and "40001" in retry[0] and retry[0].endswith("rdf_loader_run();")

    states = iter([["LLSTATE=2|", "LLSTATE=2|40001 deadlock"]] * 2)
    with pytest.raises(QueryError, match="did not finish loading"):
        sparql.load_virtuoso("127.0.0.1:1111", tmp_path, replace=False)

    def split_blank(whole, folder, **kw):
        split(whole, folder)
        (folder / "b.nq").write_text("_:b0 <http://ex/p> <http://ex/o> .\n", encoding="utf-8")
        return [folder / "a.nq", folder / "b.nq"]

    monkeypatch.setattr(sparql, "split_nquads", split_blank)  # appending, blank nodes cannot be loaded again
    states = iter([["LLSTATE=2|", "LLSTATE=2|40001 deadlock"]])
    sent.clear()
    with pytest.raises(QueryError, match="blank nodes"):
        sparql.load_virtuoso("127.0.0.1:1111", tmp_path, replace=False)
    assert not [sql for sql in sent if sql.startswith("UPDATE DB.DBA.load_list")]


def test_virtuoso_bulk_load_refuses_a_folder_its_sql_would_misread(monkeypatch, tmp_path):
    """The load folder goes into isql's SQL as a quoted string (ld_dir, load_list's ll_file):
    a ' in its name ended the string early; refused, nothing dumped or sent."""
    from hetao_kg.store import sparql

    sent = []
    monkeypatch.setattr(sparql, "_isql", lambda *a: sent.append(a[4]) or "")
    monkeypatch.setattr(sparql.shutil, "which", lambda name: "/usr/bin/isql-vt")
    for name in ("o'brien", "back\\slash"):
        with pytest.raises(ValueError, match="load folder"):
            sparql.load_virtuoso("127.0.0.1:1111", tmp_path / name)
        assert not (tmp_path / name).exists()
    assert sent == []


def test_virtuoso_bulk_load_after_a_deadlock_does_not_double_blank_nodes(virtuoso, monkeypatch, tmp_path):
    """Each load of a file makes its blank nodes anew, so a deadlock's victim with blank nodes
    (the ontology's OWL lists, the union's copy of them) loaded once more left the first
    load's beside the second's. Here every file is marked a victim after a whole load."""
    from hetao_kg.store import sparql

    real = sparql._isql
    marked = []

    def isql(path, address, user, password, sql, timeout):
        output = real(path, address, user, password, sql, timeout)
        if sql == "rdf_loader_run();" and not marked:  # the deadlock, after the file was (half) loaded
            marked.append(real(path, address, user, password,
                               "UPDATE DB.DBA.load_list SET ll_error = '40001 SR172: Transaction deadlocked (test)' "
                               "WHERE ll_file LIKE '%/hetao-kg/%';", timeout))
        return output

    monkeypatch.setattr(sparql, "_isql", isql)
    sparql.load_virtuoso(virtuoso.isql, virtuoso.extra["load_dir"], quads_per_file=5_000, loaders=1,
                         store_dir=tmp_path / "local")
    assert marked
    blank = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isBlank(?s) || isBlank(?o)) }"
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }"
    for query in (blank, union):
        assert (SparqlStore(virtuoso.url, timeout=60).select(query).rows[0]["n"].toPython()
                == RdflibStore(load()).select(query).rows[0]["n"].toPython()), query


# --- Virtuoso's dataset: one parameter however many graphs (issue 22) -----------------------------------


def test_virtuoso_names_its_dataset_without_a_parameter_per_graph(stores):
    """hetao-kg's dataset on Virtuoso: one protocol parameter (the default graph, a graph
    group) and one pragma, whatever the number of graphs; GRAPH ?g binds hetao-kg's graphs
    only (not the group, the union graph or Virtuoso's system graphs), each with its quads,
    and the default graph is the union, each triple once."""
    memory, virtuoso = stores("memory"), stores("virtuoso")
    assert virtuoso.dataset() == [("default-graph-uri", DEFAULT_GROUP)]
    assert virtuoso.pragmas() == f"define input:named-graph-exclude <{UNION_GRAPH}>\n"
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    expected = {str(r["g"]): int(r["n"]) for r in memory.select(per_graph).rows}
    assert {str(r["g"]): int(r["n"]) for r in virtuoso.select(per_graph).rows} == expected
    assert len(expected) > 100 and UNION_GRAPH not in expected and DEFAULT_GROUP not in expected
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(virtuoso.select(count).rows[0]["n"]) == int(memory.select(count).rows[0]["n"])
    # a constant graph, and SELECT * (the variable standing for the constant is not a column)
    star = "SELECT * WHERE { GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?a a hto:Assertion } }"
    assert virtuoso.select(star).vars == ("a",)
    assert as_set(virtuoso.select(star).rows) == as_set(memory.select(star).rows)
    assert not virtuoso.ask("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }")


EXTRA_GRAPHS = 12_000  # Virtuoso 7.2 took 4,000 named-graph-uri, refused 8,000 (350k triples: 11,196 graphs)


@pytest.fixture(scope="module")
def crowded_virtuoso(tmp_path_factory):
    """A Virtuoso of its own holding hetao-kg's data and 12,000 more of its graphs (one triple each)."""
    from hetao_kg.store.sparql import _isql

    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-crowded"), max_seconds=60)
    except EngineUnavailable as exc:
        pytest.fail(f"Virtuoso is needed for these tests (Debian virtuoso-opensource): {exc}")
    try:
        load_virtuoso(server.isql, server.extra["load_dir"], store_dir=tmp_path_factory.mktemp("crowded-local"))
        extra = Path(server.extra["load_dir"]) / "extra"
        extra.mkdir()
        with open(extra / "extra.nq", "w", encoding="utf-8") as fh:
            for i in range(EXTRA_GRAPHS):
                fh.write(f'<{KG}extra/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "額外 {i}" <{KG}extra-graph/{i}> .\n')
        _isql(shutil.which("isql-vt") or "isql", server.isql, "dba", "dba",
              f"ld_dir('{extra}', '*.nq', '{UNION_GRAPH}');\nrdf_loader_run();\ncheckpoint;", 600)
        yield server
    finally:
        server.stop()


def test_virtuoso_answers_with_more_graphs_than_a_parameter_per_graph_allowed(stores, crowded_virtuoso):
    from hetao_kg.store.sparql import _isql

    store = SparqlStore(crowded_virtuoso.url, timeout=120)
    graphs = store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"].toPython()
    real = len(stores("memory").select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)
    assert graphs == real + EXTRA_GRAPHS
    assert store.select("SELECT ?c WHERE { GRAPH ?g { <https://w3id.org/hetao-kg/id/extra/7> ?p ?c } }").rows == [
        {"c": Literal("額外 7")}]
    for name in ("hk-university-projects", "network-evidence", "policies"):
        text = named_queries()[name].text
        assert as_set(store.select(text).rows) == as_set(stores("memory").select(text).rows), name
    # the control: a load without the graph group is asked the way before, one named-graph-uri per
    # graph, which Virtuoso refuses at this size; the error says what to do
    isql = shutil.which("isql-vt") or "isql"
    _isql(isql, crowded_virtuoso.isql, "dba", "dba", f"DB.DBA.RDF_GRAPH_GROUP_DROP('{DEFAULT_GROUP}', 1);", 60)
    old = SparqlStore(crowded_virtuoso.url, timeout=120)
    assert len(old.dataset()) == 1 + real + EXTRA_GRAPHS and old.pragmas() == ""
    with pytest.raises(QueryError, match="Load again with `hetao-kg load --virtuoso-isql`"):
        old.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    # graph-level security that lets the anonymous user read but not list a group's members makes
    # the group's default graph empty, silently: the loader's step adds that one permission
    _isql(isql, crowded_virtuoso.isql, "dba", "dba",
          "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1, 0);\nDB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1, 1);", 60)
    assert default_group(isql, crowded_virtuoso.isql, "dba", "dba", 60) == 9
    again = SparqlStore(crowded_virtuoso.url, timeout=120)
    assert again.dataset() == [("default-graph-uri", DEFAULT_GROUP)]
    assert again.ask("ASK { <https://w3id.org/hetao-kg/id/org/hku> a hto:University }")


# --- several reports: the time queries (issue 22) ---------------------------------------------------

# The real report and a synthetic one (benchmarks/corpus.py, seed 7): with more than one report,
# Virtuoso 7.2 answered these differently from Oxigraph while the real data (one report) showed
# nothing: `changes` and `as-of` left ?source_kind unbound where the weight was bound (58 and 8
# rows, in every fresh load of 2, 3 or 10 reports; an OPTIONAL of two patterns followed by the
# OPTIONAL date lookups), and `source-dates` lost every row dated by an interval in some loads of
# 10 reports (a DISTINCT sub-select of OPTIONALs, joined row by row; too rare to see here: the
# lint in tests/test_portability.py keeps that form out). The dates now come from a sub-select
# with one UNION branch per shape of date and no OPTIONAL, the source kind from the last OPTIONAL.
REPORTS = 2
SEVERAL_REPORTS_CASES = [("source-dates", {}), ("as-of", {"date": "2026-01-01"}),
                         ("changes", {"since": "2023-09-07", "until": "2026-12-31"})]


@pytest.fixture(scope="module")
def several_reports(tmp_path_factory):
    """The embedded store, an Oxigraph server and a Virtuoso of its own, each holding the real
    report and ``REPORTS - 1`` synthetic ones (not the memory store: with it these tests took
    190 s instead of 25 s; the real data compares it above)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("hetao_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    root = module.generate(tmp_path_factory.mktemp("reports") / "root", reports=REPORTS, seed=7)
    local_dir = tmp_path_factory.mktemp("reports-local")
    made = {"oxigraph": OxigraphStore.opened(local_dir, root=root)}
    servers = []
    try:
        try:
            servers.append(start_virtuoso(tmp_path_factory.mktemp("reports-virtuoso"), max_seconds=60))
        except EngineUnavailable as exc:
            pytest.fail(f"Virtuoso is needed for these tests (Debian virtuoso-opensource): {exc}")
        load_virtuoso(servers[-1].isql, servers[-1].extra["load_dir"], store_dir=local_dir, root=root)
        made["virtuoso"] = SparqlStore(servers[-1].url, timeout=120)
        servers.append(start_oxigraph(tmp_path_factory.mktemp("reports-oxigraph-server") / "db", query_timeout=60))
        load_endpoint(servers[-1].url, store_dir=local_dir, root=root)
        made["oxigraph-server"] = SparqlStore(servers[-1].url, timeout=120)
        yield made
    finally:
        for server in servers:
            server.stop()


@pytest.mark.parametrize("store_name", STORES[2:])
@pytest.mark.parametrize("name,params", SEVERAL_REPORTS_CASES, ids=[n for n, _ in SEVERAL_REPORTS_CASES])
def test_time_queries_answer_alike_with_several_reports(several_reports, store_name, name, params):
    text = named_queries()[name].text
    bindings = {k: to_term(v) for k, v in params.items()}
    expected = several_reports["oxigraph"].select(text, bindings)
    got = several_reports[store_name].select(text, bindings)
    assert got.vars == expected.vars
    synthetic = [r for r in expected.rows if "synthetic-" in str(r.get("source", ""))]
    assert synthetic, "the synthetic reports' rows are in the answer"
    if name == "source-dates":  # rows dated by an interval, the ones Virtuoso lost
        assert any("/" in str(r["source_date"]) for r in expected.rows)
    else:  # rows whose source has a kind and a weight, the pair Virtuoso split
        assert all((r.get("source_kind") is None) == (r.get("source_weight") is None) for r in expected.rows)
        assert any(r.get("source_kind") is not None for r in expected.rows)
    assert as_set(got.rows) == as_set(expected.rows)


def test_virtuoso_still_splits_the_source_kind_in_the_old_form(several_reports):
    """The control for the lint on an OPTIONAL of two patterns after a UNION with another
    OPTIONAL after it (tests/test_portability.py): the old `changes` text, on the same two
    reports, still leaves ?source_kind unbound with ?source_weight bound on Virtuoso 7.2 (and
    not on Oxigraph). When an upgrade fixes it, this fails: then that lint may go."""
    text = (ROOT / "tests" / "fixtures" / "virtuoso-controls" / "changes-before-issue-22.rq").read_text(encoding="utf-8")
    bindings = {k: to_term(v) for k, v in dict(SEVERAL_REPORTS_CASES)["changes"].items()}
    split = [r for r in several_reports["virtuoso"].select(text, bindings).rows
             if r.get("source_kind") is None and r.get("source_weight") is not None]
    assert split
    assert not [r for r in several_reports["oxigraph"].select(text, bindings).rows
                if r.get("source_kind") is None and r.get("source_weight") is not None]


def test_cli_errors_for_endpoints(tmp_path):
    down = cli("--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "query", "ASK {}")
    assert down.returncode == 2 and "cannot reach" in down.stderr and "Traceback" not in down.stderr
    missing = cli("load")
    assert missing.returncode == 2 and "--endpoint" in missing.stderr
