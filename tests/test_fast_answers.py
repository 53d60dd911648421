"""The endpoint's fast path (issue 22): the query worker writes a SELECT or ASK answer as
SPARQL JSON, CSV or TSV straight from pyoxigraph's terms. Every answer must be the bytes
the rows path writes (rdflib terms, then ``sparql_results``): same columns in the same
order, same escapes, same language-tag case, same truncation, same errors.
"""

from __future__ import annotations

import functools
import json
import re

import pytest
from starlette.testclient import TestClient

from hetao_kg.query.queries import named_queries
from hetao_kg.query.results import sparql_results
from hetao_kg.store._common import prefix_block
from hetao_kg.store.answers import Serialized, rows_from_json, rows_to_json
from hetao_kg.store.formats import FAST_FORMATS, CellWriter, cell, write_results
from hetao_kg.store.oxigraph import OxigraphStore
from hetao_kg.store.sparql_guard import checked
from hetao_kg.web import app as web_app

#: texts that exercise every kind of cell: typed literals rdflib rewrites ("01", a double),
#: ill-typed ones, language tags in every case, LANG() columns, blank nodes from the data,
#: unbound values, Chinese, quotes/tabs/line breaks/backslashes, a long string, SELECT *
#: column order, an empty answer, ASK both ways, errors at parse and at evaluation
TRICKY = [
    'SELECT ?i ?d ?dec ?b ?dt ?c ?bad ?neg WHERE { BIND("01"^^xsd:integer AS ?i) BIND("1.0E6"^^xsd:double AS ?d) '
    'BIND("1.50"^^xsd:decimal AS ?dec) BIND("true"^^xsd:boolean AS ?b) BIND("2024-01-02T03:04:05Z"^^xsd:dateTime AS ?dt) '
    'BIND("x y"^^<http://ex/custom> AS ?c) BIND("abc"^^xsd:integer AS ?bad) BIND("-0"^^xsd:double AS ?neg) }',
    'SELECT ?a ?b ?c ?d WHERE { BIND("colour"@en-GB AS ?a) BIND("港"@zh-hant AS ?b) BIND("x"@x-private AS ?c) '
    'BIND(LANG("y"@EN-us) AS ?d) }',
    'SELECT ?t (LANG(?l) AS ?lt) ?l WHERE { ?s rdfs:label ?l . BIND(LANG(?l) AS ?t) } ORDER BY ?l LIMIT 60',
    'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isBlank(?o)) } LIMIT 20',
    'SELECT ?s ?missing WHERE { ?s a hto:University OPTIONAL { ?s <http://ex/none> ?missing } }',
    'SELECT ?z WHERE { BIND("香港大學 「引號」 \\"quoted\\" tab\\there\\nnewline\\r\\\\back, comma" AS ?z) }',
    'SELECT ?long WHERE { BIND(CONCAT("長字串 long, ", "' + "x" * 5000 + '") AS ?long) }',
    "SELECT * WHERE { ?b ?a ?c } LIMIT 7",
    "SELECT DISTINCT * WHERE { ?s a ?k . ?s rdfs:label ?n } LIMIT 9",
    "ASK { ?u a hto:University }",
    "ASK { ?u a <http://ex/nothing> }",
    "SELECT ?s WHERE { ?s a <http://ex/nothing> }",
    'SELECT ?x WHERE { VALUES ?x { 1 2.5 3e0 "4" <http://ex/5> UNDEF } }',
    "SELECT (COUNT(*) AS ?n) (SUM(?x) AS ?sum) (AVG(?x) AS ?avg) WHERE { VALUES ?x { 1 2 4 } }",
    "SELECT ?x WHERE { BIND(1/0 AS ?x) }",
    "SELECT ?x WHERE { BIND(<http://ex/f>(1) AS ?x) }",
    "SELECT ?s FROM <https://w3id.org/hetao-kg/id/graph/ontology> WHERE { ?s a owl:Class } LIMIT 5",
    "SELECT ?s FROM <http://ex/not-a-graph> WHERE { ?s ?p ?o } LIMIT 5",
    'SELECT ?x ?y WHERE { BIND(STRDT("1", xsd:string) AS ?x) BIND(STRLANG("a", "EN") AS ?y) }',
    'SELECT ?名 WHERE { BIND("值" AS ?名) }',
    'SELECT ?x WHERE { BIND("a\\u0000b" AS ?x) }',
    'SELECT ?x WHERE { BIND("" AS ?x) }',
    "SELECT ?x WHERE { OPTIONAL { BIND(1 AS ?y) } }",
    "SELECT ?x WHERE { ?x a hto:Universty }",
    "SELECT ?x WHERE { ?x ?p }",
    "SELECT ?x WHERE { SERVICE <http://127.0.0.1:1/> { ?x ?p ?o } }",
    "SELECT ?x WHERE { BIND(REGEX(\"a\", \"(\") AS ?x) }",
]


def _texts() -> list[tuple[str, str]]:
    out = [(f"named:{name}", prefix_block() + q.text) for name, q in sorted(named_queries().items())
           if "required" not in q.params]
    return out + [(f"tricky:{i}", text) for i, text in enumerate(TRICKY)]


TEXTS = _texts()


@pytest.fixture(scope="module")
def store():
    s = OxigraphStore()
    s.open()
    return s


def _rows_path(store: OxigraphStore, text: str, fmt: str, max_rows: int | None):
    """What the endpoint wrote before the fast path: rdflib rows, then ``sparql_results``."""
    answer = store.execute(text, max_rows=max_rows)
    return answer, sparql_results(answer, fmt)


def _outcome(fn):
    try:
        return "ok", fn()
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return "error", (type(exc), str(exc))


@pytest.mark.parametrize("key,text", TEXTS, ids=[k for k, _ in TEXTS])
def test_fast_path_writes_the_rows_path_bytes(store, key, text):
    """Byte for byte, for every format and row limit (one that cuts most answers too)."""
    for max_rows in (None, 10_000, 3):
        for fmt in FAST_FORMATS:
            old = _outcome(functools.partial(_rows_path, store, text, fmt, max_rows))
            new = _outcome(functools.partial(store.execute_serialized, text, fmt=fmt, max_rows=max_rows))
            assert old[0] == new[0], (key, fmt, max_rows, old, new)
            if old[0] == "error":
                assert old[1] == new[1], (key, fmt, max_rows)
                continue
            answer, data = old[1]
            fast = new[1]
            if not isinstance(fast, Serialized):  # CONSTRUCT / DESCRIBE: rows, as execute() gives them
                assert fast == answer
                continue
            assert fast.data == data, (key, fmt, max_rows)
            truncated = bool(getattr(answer, "truncated", False))
            assert fast.truncated == truncated
            # the answer cache keeps exactly what the rows path would have kept, and reads it back
            assert fast.cache_payload() == rows_to_json(answer)
            assert rows_from_json(fast.cache_payload()) == answer


def test_the_tricky_texts_cover_what_they_claim(store):
    """The comparison above is only as good as its texts: they hold each kind of cell."""
    seen = set()
    for _, text in TEXTS:
        try:
            answer = store.execute(text)
        except Exception:  # noqa: BLE001
            seen.add("error")
            continue
        if isinstance(answer, bool):
            seen.add("ask")
            continue
        truncated = store.execute(text, max_rows=3)
        if getattr(truncated, "truncated", False):
            seen.add("truncated")
        for row in answer.rows:
            for v in answer.vars:
                c = cell(row.get(v))
                if c is None:
                    seen.add("unbound")
                elif c[0] != "literal":
                    seen.add(c[0])
                elif c[2]:
                    seen.add("lang" if c[2] != c[2].lower() else "lang-lowercase")
                elif c[3]:
                    seen.add("typed")
                else:
                    seen.add("chinese" if re.search("[\u4e00-\u9fff]", c[1]) else "string")
                    if len(c[1]) > 4000:
                        seen.add("long")
    assert {"error", "ask", "truncated", "unbound", "uri", "bnode", "lang", "lang-lowercase", "typed", "chinese",
            "string", "long"} <= seen


def test_rdflib_rewrites_typed_literals_and_so_does_the_fast_path(store):
    """rdflib writes "01"^^xsd:integer as 1 and a double as 1000000.0: the bytes follow rdflib."""
    data = store.execute_serialized(TRICKY[0], fmt="tsv").data.decode("utf-8")
    assert data.splitlines()[1].split("\t")[:2] == ["1", "1.0E6"]


def test_cell_writer_matches_json_dumps():
    """The JSON writer builds text by hand: it must be what json.dumps writes for the same dict."""
    import json

    from rdflib import BNode, Literal, URIRef

    rows = [{"a": URIRef("http://ex/\u00e9"), "b": Literal('q"\\\n\t\x01\u2028香', lang="zh-Hant"), "c": None},
            {"a": BNode("b0"), "b": Literal("2", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
             "c": Literal("x", datatype=URIRef("http://www.w3.org/2001/XMLSchema#string"))},
            {}]
    from hetao_kg.store.formats import json_binding

    doc = {"head": {"vars": ["a", "b", "c"]}, "results": {"bindings": [json_binding(("a", "b", "c"), r) for r in rows]}}
    assert write_results(("a", "b", "c"), rows, "json") == json.dumps(doc, ensure_ascii=False).encode("utf-8")
    assert CellWriter(()).bytes("json") == json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()


@pytest.fixture(scope="module")
def client():
    app = web_app.create_app(pool=1, max_rows=50)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


ACCEPTS = ["application/sparql-results+json", "application/json", "text/csv", "text/tab-separated-values", None, "*/*",
           "text/*", "text/csv;q=0.5, text/tab-separated-values", "application/sparql-results+xml", "image/png"]


HTTP_TEXTS = [t for t in TEXTS if t in TEXTS[::3] or t in TEXTS[-10:]]


@pytest.mark.parametrize("key,text", HTTP_TEXTS, ids=[k for k, _ in HTTP_TEXTS])
def test_endpoint_answers_alike_with_and_without_the_fast_path(client, monkeypatch, key, text):
    """Over HTTP (a row limit of 50 cuts some answers): status, type, truncation header and
    body of the fast path equal the rows path's (each evaluates its own new text, in the
    server's query worker)."""
    if "BNODE(" in text:
        pytest.skip("fresh blank nodes differ on every evaluation")
    fast_used = []
    real = web_app._fast_media

    def spy(*args):
        media = real(*args)
        fast_used.append(media)
        return media

    for accept in ACCEPTS:
        headers = {"Content-Type": "application/sparql-query", **({"Accept": accept} if accept else {})}
        body = f"{text}\n# {key} {accept} fast\n".encode("utf-8")
        monkeypatch.setattr(web_app, "_fast_media", spy)
        fast = client.post("/sparql", content=body, headers=headers)
        monkeypatch.setattr(web_app, "_fast_media", lambda *a: None)
        rows = client.post("/sparql", content=body.replace(b" fast\n", b" rows\n"), headers=headers)
        got = (fast.status_code, fast.headers.get("content-type"), fast.headers.get("x-hetao-truncated"), fast.content)
        want = (rows.status_code, rows.headers.get("content-type"), rows.headers.get("x-hetao-truncated"), rows.content)
        assert got == want, (key, accept)
        if accept is None and fast.status_code == 200 and checked(text).form in ("SelectQuery", "AskQuery"):
            assert fast_used[-1] == "application/sparql-results+json", "the fast path was not taken"


# --- the endpoint's workers evaluate in an in-memory copy (OxigraphStore(in_memory=True)) ---

NAMED = [t for t in TEXTS if t[0].startswith("named:")]


@pytest.fixture(scope="module")
def memory_store():
    s = OxigraphStore(in_memory=True)
    s.open()
    return s


def test_the_in_memory_copy_holds_the_same_quads_and_graphs(store, memory_store):
    import pyoxigraph as ox

    db, copy = store.open(), memory_store.open()
    assert copy is not db and len(copy) == len(db) > 10_000
    assert sorted(map(str, copy.named_graphs())) == sorted(map(str, db.named_graphs()))
    assert isinstance(copy, ox.Store)
    # its answers are cached apart: a query without a total ORDER BY may list rows in another order
    assert memory_store.data_key == store.data_key + "-memory"


@pytest.mark.parametrize("key,text", NAMED, ids=[k for k, _ in NAMED])
def test_every_named_query_answers_the_same_bytes_in_memory_and_on_rocksdb(store, memory_store, key, text):
    """Every named query orders its rows totally, so the endpoint's in-memory workers answer
    what the CLI and the pages answer from RocksDB, byte for byte (12 of them had no
    ORDER BY, or a partial one, and listed their rows in another order in memory)."""
    for fmt in FAST_FORMATS:
        on_disk = _outcome(functools.partial(store.execute_serialized, text, fmt=fmt))
        in_memory = _outcome(functools.partial(memory_store.execute_serialized, text, fmt=fmt))
        assert on_disk[0] == in_memory[0] == "ok", (key, on_disk, in_memory)
        if isinstance(on_disk[1], Serialized):
            assert in_memory[1].data == on_disk[1].data, (key, fmt)
        else:  # CONSTRUCT / DESCRIBE
            assert in_memory[1] == on_disk[1], key


def test_every_named_select_has_an_order_by():
    """A named query whose row order is left to the engine answers differently on
    RocksDB, in memory, rdflib and Virtuoso: users need the same output for the same input."""
    unordered = [name for name, q in named_queries().items()
                 if checked(prefix_block() + q.text).form == "SelectQuery" and not re.search(r"\bORDER\s+BY\b", q.text)
                 and name != "network-size"]  # one row
    assert unordered == []


def test_a_store_above_the_bound_is_evaluated_where_it_lies(monkeypatch, store):
    from hetao_kg.store import oxigraph

    db = store.open()
    monkeypatch.setattr(oxigraph, "MEMORY_COPY_MAX_QUADS", len(db) - 1)
    assert oxigraph._in_memory(db, store.path) is db
    monkeypatch.setattr(oxigraph, "MEMORY_COPY_MAX_QUADS", len(db))
    assert oxigraph._in_memory(db, store.path) is not db


def test_the_endpoint_pool_evaluates_in_memory_and_refuses_graphs_it_does_not_hold():
    from hetao_kg.store.base import QueryRefused
    from hetao_kg.web.runner import query_stores

    (pooled,) = query_stores(None, "oxigraph", timeout=30, max_rows=100, max_query_bytes=65_536, pool=1)
    try:
        assert pooled._answer_key().endswith("-memory")
        text = f"SELECT ?s FROM <http://ex/not-a-graph> WHERE {{ ?s ?p ?o }} # {id(pooled)}"
        with pytest.raises(QueryRefused):
            pooled.execute_serialized(text, fmt="json")
        assert pooled.data_key.endswith("-memory")  # the worker said so when it started
        held = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/hetao-kg/id/graph/ontology> WHERE { ?s a owl:Class }"
        answer = json.loads(pooled.execute_serialized(f"{held} # {id(pooled)}", fmt="json").data)
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 10
    finally:
        pooled.close()


def test_a_short_text_naming_no_dataset_is_guarded_on_the_event_loop(client, monkeypatch):
    """No thread hop for the guard of a short text without a dataset; a refusal still comes
    before any worker, and a text naming graphs (or a long one) still goes through
    ``_prepared`` (the store's graphs asked under the graph lock)."""
    calls = []
    real = web_app._prepared

    def spy(based, *args):
        calls.append(based)
        return real(based, *args)

    monkeypatch.setattr(web_app, "_prepared", spy)
    headers = {"Content-Type": "application/sparql-query"}

    def ask(text):
        return client.post("/sparql", content=text.encode("utf-8"), headers=headers)

    r = ask("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } # inline 1")
    assert r.status_code == 400 and "SERVICE is refused" in r.text and calls == []
    r = ask("ASK { ?u a hto:University } # inline 2")
    assert r.status_code == 200 and r.json()["boolean"] is True and calls == []
    r = ask("ASK FROM <http://ex/not-held> { ?s ?p ?o } # inline 3")
    assert r.status_code == 400 and "http://ex/not-held" in r.text and len(calls) == 1
    long = "ASK { ?u a hto:University } #" + "x" * web_app.INLINE_GUARD_CHARS
    r = ask(long)
    assert r.status_code == 200 and len(calls) == 2
