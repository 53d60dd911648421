"""The embedded Oxigraph store: build, rebuild, crash safety, semantics, limits."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

import hetao_kg
from hetao_kg.data.graph import load
from hetao_kg.store import QueryMemoryExceeded, QueryTimeout, RdflibStore
from hetao_kg.store import OxigraphStore, open_store, oxigraph_store
from hetao_kg.store.oxigraph import MARKER, build

ROOT = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/hetao-kg/id/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> OxigraphStore:
    return OxigraphStore.opened(tmp_path_factory.mktemp("oxigraph"))


@pytest.fixture(scope="module")
def dataset():
    return load()


def data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "graph_data", root / "graph_data")
    return root


def n(store, query: str) -> int:
    return store.select(query).rows[0]["n"].toPython()


def test_same_triples_and_quads_as_rdflib(store, dataset):
    quads = {(s, p, o, g.identifier if hasattr(g, "identifier") else g) for s, p, o, g in dataset.quads((None, None, None, None))}
    triples = {(s, p, o) for s, p, o, _ in quads}
    assert n(store, QUADS) == len(quads)
    assert n(store, COUNT) == len(triples)  # the default graph is the union, each triple once
    rows = store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    got = {(r["s"], r["p"], r["o"], r["g"]) for r in rows}

    def ground(qs):  # blank nodes get new names in every parse
        return {q for q in qs if not any(isinstance(t, BNode) for t in q)}

    assert ground(got) == ground(quads)  # same terms, language tags and datatypes
    assert len(got - ground(got)) == len(quads - ground(quads)) > 0


def test_the_union_default_graph_of_pyoxigraph_repeats_triples(store, dataset):
    """Why the store keeps its own union: pyoxigraph 0.5's union default graph yields a
    triple once per named graph holding it, unlike rdflib (and SPARQL's RDF merge)."""
    raw = ox.Store.read_only(str(store.path))
    per_graph = len(list(raw.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))
    distinct = len({(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))})
    assert per_graph > distinct  # this pyoxigraph repeats (if this fails, upstream fixed it)
    assert n(store, COUNT) == distinct == n(RdflibStore(dataset), COUNT)


def test_terms_come_back_as_rdflib_gives_them(store):
    labels = {r["l"] for r in store.select(f"SELECT ?l WHERE {{ <{KG}org/hku> rdfs:label ?l }}").rows}
    assert Literal("香港大学", lang="zh-Hans") in labels and Literal("香港大學", lang="zh-Hant") in labels
    assert all(l.language in ("en", "zh-Hans", "zh-Hant") for l in labels)  # not zh-hans
    quote = store.select("SELECT ?q WHERE { ?x oa:exact ?q } LIMIT 1").rows[0]["q"]
    assert quote.datatype is None and quote.language is None  # plain, not xsd:string
    value = store.select("SELECT ?v WHERE { ?f schema:value ?v } ORDER BY DESC(?v) LIMIT 1").rows[0]["v"]
    assert value == Literal(10_000_000_000) and value.toPython() == 10_000_000_000  # HK$10 billion, an xsd:integer


_SLOTS = ("_language", "_datatype", "_value", "_ill_typed")


@pytest.mark.parametrize("value", ["香港大学", "", " a\tb\n", "HKU", "量子 \u00e9\u0301", "x" * 5000, "<b>&amp;</b>", "1", "true"])
@pytest.mark.parametrize("lang", [None, "en", "zh-hans", "ZH-HANT-HK", "en-gb"])
def test_string_terms_are_converted_slot_for_slot_as_rdflib_builds_them(value, lang):
    """The Oxigraph conversion builds plain and language-tagged literals and IRIs without
    rdflib's constructors (4 us a literal); each is the object the constructor gives."""
    from hetao_kg.store._common import literal
    from hetao_kg.store.oxigraph import _to_rdflib

    fast = _to_rdflib(ox.Literal(value, language=lang) if lang else ox.Literal(value))
    slow = literal(value, lang=lang)
    assert type(fast) is type(slow) is Literal and str(fast) == str(slow) and fast == slow and hash(fast) == hash(slow)
    assert [getattr(fast, n) for n in _SLOTS] == [getattr(slow, n) for n in _SLOTS]
    assert fast.__reduce__() == slow.__reduce__() and fast.n3() == slow.n3()
    from urllib.parse import quote

    iri = "https://w3id.org/hetao-kg/id/org/hku?q=" + quote(value[:40], safe="&")
    node = _to_rdflib(ox.NamedNode(iri))
    assert type(node) is URIRef and node == URIRef(iri) and hash(node) == hash(URIRef(iri))
    typed = _to_rdflib(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    assert typed.value == 7 and typed == Literal(7)  # typed literals keep rdflib's constructor (value casting)


def test_a_variable_not_projected_is_bound_through_values(store):
    query = "SELECT ?property WHERE { ?entity ?property ?value }"
    raw = ox.Store.read_only(str(store.path))
    with pytest.raises(RuntimeError, match="projection"):
        raw.query(query, substitutions={ox.Variable("entity"): ox.NamedNode(KG + "org/hku")})
    bound = {r["property"] for r in store.select(query, {"entity": URIRef(KG + "org/hku")}).rows}
    assert URIRef("https://w3id.org/hetao-kg/ontology#broughtInBy") not in bound
    assert URIRef("http://www.w3.org/2000/01/rdf-schema#label") in bound
    kg = hetao_kg.open(store=store)
    facts = kg.describe("IDEA").records()  # describe binds ?entity, which it does not project
    assert facts and any(f["quote"] for f in facts)
    assert kg.describe("IDEA").records() == hetao_kg.open(store=RdflibStore()).describe("IDEA").records()


@pytest.mark.parametrize("query, expected", [
    ("SELECT * {}", [{}]),  # the empty group has one solution, which binds nothing
    ("SELECT ?x { OPTIONAL { <urn:nothing> <urn:p> ?x } }", [{"x": None}]),
    ("SELECT ?x { VALUES ?x { UNDEF 1 } } ORDER BY ?x", [{"x": None}, {"x": Literal(1)}]),
])
def test_a_solution_that_binds_nothing_is_a_row_on_every_store(store, dataset, query, expected):
    """rdflib's result iterator skips a solution with no bound variable; the memory store
    keeps it, as Oxigraph does and the spec says."""
    from hetao_kg.store import RdflibStore

    memory = RdflibStore(dataset, cache=False)
    assert store.select(query).rows == expected
    assert memory.select(query).rows == expected


def test_bindings_in_ask_construct_and_subqueries(store):
    hku = URIRef(KG + "org/hku")
    assert store.ask("ASK { ?p hto:broughtInBy ?u }", {"u": hku})
    assert not store.ask("ASK { ?u hto:broughtInBy ?p }", {"u": hku})
    rows = store.select("CONSTRUCT { ?u rdfs:label ?l } WHERE { ?u rdfs:label ?l }", {"u": hku}).rows
    assert len(rows) == 3 and {r["subject"] for r in rows} == {hku}
    tricky = 'SELECT ?l WHERE { # a { brace in a comment\n ?u rdfs:label ?l FILTER (?l != "}{") }'
    assert len(store.select(tricky, {"u": hku}).rows) == 3


def test_rebuilt_when_an_input_changes_and_old_build_kept(tmp_path):
    root = data_copy(tmp_path)
    location = tmp_path / "store"
    first = build(location, root=root, inference=False)
    assert build(location, root=root, inference=False) == first  # unchanged inputs: the same database, not rebuilt
    before = n(OxigraphStore(location, root=root, inference=False), COUNT)
    extra = root / "graph_data" / "zz-extra.trig"
    extra.write_text('@prefix hto: <https://w3id.org/hetao-kg/ontology#> .\n'
                     '<assertion/zz> { <org/zz-test> a hto:ResearchInstitute . }\n', encoding="utf-8")
    second = build(location, root=root, inference=False)
    assert second != first and first.exists()
    changed = OxigraphStore(location, root=root, inference=False)
    assert n(changed, COUNT) == before + 1
    assert changed.ask(f"ASK {{ <{KG}org/zz-test> a hto:ResearchInstitute }}")
    entailed = OxigraphStore(location, root=root)  # with inference: its own database
    assert entailed.ask(f"ASK {{ <{KG}org/zz-test> a hto:Organization }}")
    assert not changed.ask(f"ASK {{ <{KG}org/zz-test> a hto:Organization }}")
    info = json.loads((second / MARKER).read_text(encoding="utf-8"))
    assert info["quads"] == len(changed.open()) and info["root"] == str(root)


def test_a_broken_data_file_is_a_clear_error_and_nothing_is_served(tmp_path):
    root = data_copy(tmp_path)
    (root / "graph_data" / "broken.trig").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(hetao_kg.DataError, match="broken.trig"):
        build(tmp_path / "store", root=root)
    assert not [p for p in (tmp_path / "store").iterdir() if p.name.startswith(("db-", ".build-"))]


_BUILD = "import sys; from hetao_kg.store.oxigraph import build; build(sys.argv[1], root=sys.argv[2])"


def test_a_build_killed_at_random_moments_never_serves_partial_data(tmp_path):
    root = data_copy(tmp_path)
    reference = tmp_path / "reference"
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", _BUILD, str(reference), str(root)], check=True, timeout=300)
    whole = time.monotonic() - started
    expected = n(OxigraphStore(reference, root=root), QUADS)
    rng = random.Random(20261129)
    kills = sorted(rng.uniform(0.2, whole) for _ in range(6))
    outcomes = []
    for i, delay in enumerate(kills):
        location = tmp_path / f"killed-{i}"
        process = subprocess.Popen([sys.executable, "-c", _BUILD, str(location), str(root)])
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        finished = [p for p in location.iterdir() if p.name.startswith("db-")] if location.exists() else []
        for db in finished:  # whatever is in place under a final name is complete
            assert (db / MARKER).is_file()
        outcomes.append("complete" if finished else "partial")
        again = OxigraphStore(location, root=root)  # detects the killed build, builds afresh
        assert n(again, QUADS) == expected
        assert not [p for p in location.iterdir() if p.name.startswith(".build-")] or finished
    assert "partial" in outcomes, f"no kill landed during a build: {kills} vs {whole:.2f} s"


def test_the_store_is_read_only_and_opens_after_fork(tmp_path, store):
    db = store.open()
    with pytest.raises((OSError, RuntimeError), match="read-write|read-only|Read"):
        db.update("INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }")  # opened read-only
    limited = oxigraph_store(store.location, timeout=60)  # built and opened inside its worker
    try:
        # this process opened pyoxigraph (RocksDB threads, invisible to threading):
        # forking now could deadlock the worker, so it must be started afresh
        assert len(os.listdir("/proc/self/task")) > 1
        assert limited.start_method() != "fork"
        assert limited.ask("ASK { ?u a hto:University }")
    finally:
        limited.close()


def test_the_worker_builds_its_own_store_when_threads_run(store):
    """With threads running (a web server), the worker is not forked from this process:
    the factory is pickled and the store opened in the new process."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    limited = oxigraph_store(store.location, timeout=120)
    try:
        assert limited.start_method() != "fork"
        found = {r["u"] for r in limited.select("SELECT ?u WHERE { ?u a hto:University }").rows}
        assert {URIRef(KG + "org/hku"), URIRef(KG + "org/hkust")} <= found
    finally:
        limited.close()
        stop.set()


def test_limits_apply_to_the_oxigraph_store(store):
    limited = oxigraph_store(store.location, timeout=3, max_rows=5)
    try:
        with pytest.raises(QueryTimeout):
            limited.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        cut = limited.select("SELECT ?s WHERE { ?s ?p ?o }")
        assert cut.truncated and len(cut.rows) == 5
        assert limited.ask("ASK { ?u a hto:University }")  # a new worker answers
    finally:
        limited.close()


def test_memory_ceiling_on_the_oxigraph_store_is_one_clean_error(tmp_path):
    """Rust aborts the worker when the ceiling is hit (with a backtrace under RUST_BACKTRACE):
    the user sees one line, not the abort's output."""
    from tests.test_limits import assert_clean_failure, cli, nested_replace

    query = tmp_path / "replace.rq"
    query.write_text(nested_replace(), encoding="utf-8")
    rc, _, err, _, _ = cli("query", str(query), env={"HETAO_KG_MAX_MEMORY": "256", "HETAO_KG_STORE": "oxigraph"})
    assert rc == 2
    assert_clean_failure(err, "256 MB memory ceiling")


def test_oxigraph_is_the_default_store_and_answers_in_rdflib_terms():
    from rdflib import Dataset

    from hetao_kg.store import DEFAULT

    assert DEFAULT == "oxigraph"
    kg = hetao_kg.open()
    assert "OxigraphStore" in repr(kg.store.factory)
    assert "RdflibStore" in repr(hetao_kg.open(store="memory").store.factory)  # the opt-out
    rows = kg.query("SELECT ?u ?l WHERE { ?u a hto:University ; rdfs:label ?l }").rows
    assert rows and all(isinstance(r["u"], URIRef) and isinstance(r["l"], Literal) for r in rows)
    assert Literal("香港大学", lang="zh-Hans") in {r["l"] for r in rows}  # not zh-hans
    described = kg.store.select(f"CONSTRUCT {{ <{KG}org/hku> ?p ?o }} WHERE {{ <{KG}org/hku> ?p ?o }}").rows
    assert described and all(isinstance(r["subject"], URIRef) for r in described)
    assert isinstance(hetao_kg.load(), Dataset)  # the whole graph, for rdflib users, as before


def test_the_cli_serve_and_open_use_the_default_store(tmp_path):
    """The CLI builds the Oxigraph store in the per-user cache (no N-Quads copy of the graph
    there); ``--store memory`` opts out; ``serve`` runs its pool on the same default."""
    from starlette.testclient import TestClient

    from hetao_kg.web import create_app

    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k not in ("HETAO_KG_STORE", "HETAO_KG_ENDPOINT")}
    env["HETAO_KG_CACHE"] = str(cache)
    run = subprocess.run([sys.executable, "-m", "hetao_kg.cli", "query", "ASK { ?u a hto:University }"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "true", run.stderr
    built = [p for p in (cache / "oxigraph").iterdir() if p.name.startswith("db-")]
    assert len(built) == 1 and (built[0] / MARKER).is_file()
    assert not list(cache.rglob("*.nq")) and not list(cache.rglob("*.pickle"))  # the store replaced the graph copy
    memory = subprocess.run([sys.executable, "-m", "hetao_kg.cli", "--store", "memory", "query",
                             "ASK { ?u a hto:University }"], env={**env, "HETAO_KG_CACHE": str(tmp_path / "m")},
                            capture_output=True, text=True, timeout=300)
    assert memory.returncode == 0 and memory.stdout.strip() == "true", memory.stderr
    assert not (tmp_path / "m" / "oxigraph").exists()
    help_text = subprocess.run([sys.executable, "-m", "hetao_kg.cli", "--help"], env=env, capture_output=True,
                               text=True, timeout=120).stdout
    assert "default: oxigraph" in " ".join(help_text.split())
    app = create_app()
    state = app.state
    try:
        assert all("OxigraphStore" in repr(s.factory) for s in state.runner._stores)
        assert "OxigraphStore" in repr(state.kg.store.factory)
        answer = TestClient(app).get("/sparql", params={"query": "ASK { ?u a hto:University }"},
                                     headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        state.runner.close()


def test_a_cold_build_fits_a_small_address_space(tmp_path):
    """The root cause of the Rust aborts on the hostile inputs: each pyoxigraph/RocksDB
    thread reserved a 64 MB malloc arena, the build peaked at 700-900 MB of address
    space, and under a limit the bulk loader's 200 MB buffer failed to allocate (Rust
    aborts then). With the arenas capped, a cold build fits 700 MB (it failed every time)."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (700 << 20, 700 << 20)); "
            "from hetao_kg.store.oxigraph import OxigraphStore; "
            "print(OxigraphStore(sys.argv[1]).ask('ASK { ?u a hto:University }'))")
    env = {**os.environ, "RUST_BACKTRACE": "1"}
    env.pop("MALLOC_ARENA_MAX", None)
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store")], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "True", run.stderr[-3000:]


def test_a_worker_that_dies_building_the_store_is_one_clear_line(tmp_path):
    """Too little memory to build: the worker aborts in Rust (allocation failure). The
    user sees one error line with Rust's reason and the limit, no backtrace; the killed
    build is never served and the next run, with memory, builds and answers."""
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k not in ("HETAO_KG_STORE", "MALLOC_ARENA_MAX")}
    env.update(HETAO_KG_CACHE=str(cache), RUST_BACKTRACE="1")
    argv = [sys.executable, "-m", "hetao_kg.cli", "query", "ASK { ?u a hto:University }"]

    def small():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (320 << 20, 320 << 20))

    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, preexec_fn=small)
    assert run.returncode == 2, run.stderr[-3000:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hetao-kg: error: the Oxigraph store in "), run.stderr[-3000:]
    assert "could not be built or opened" in lines[0] and "320 MB" in lines[0] and "--store memory" in lines[0]
    assert "memory allocation of" in lines[0]  # Rust's own reason, from the worker's log
    location = cache / "oxigraph"
    assert not [p for p in location.iterdir() if p.name.startswith("db-")]
    assert not list(location.glob(".worker-*.log"))  # read and removed
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout.strip() == "true", again.stderr
    assert not [p for p in location.iterdir() if p.name.startswith(".build-")]  # the killed build was cleaned


class PanicException(BaseException):
    """Stands for pyo3's ``pyo3_runtime.PanicException`` (a BaseException, not importable)."""


def test_a_rust_panic_becomes_a_clear_error(tmp_path, monkeypatch, store):
    from hetao_kg.store import oxigraph as module

    opened = OxigraphStore(store.location)
    assert opened.open() is not None

    class Panicking:
        def query(self, *args, **kwargs):
            raise PanicException("index out of bounds")

    opened._db = Panicking()
    with pytest.raises(hetao_kg.QueryError, match="Oxigraph failed on this query.*index out of bounds"):
        opened.ask("ASK { ?s ?p ?o }")

    def panics(*args, **kwargs):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    root = data_copy(tmp_path)
    monkeypatch.setattr(module, "build", panics)
    with pytest.raises(hetao_kg.QueryError, match=r"Oxigraph failed while building or opening the store in .*unwrap"):
        OxigraphStore(tmp_path / "store", root=root).open()
    (root / "graph_data" / "zz-bad.trig").write_text("<a> <b> <c> .\n<a> <b> .\n", encoding="utf-8")
    with pytest.raises(hetao_kg.DataError, match=r"zz-bad\.trig:2:"):  # the file and line rdflib finds wrong
        OxigraphStore(tmp_path / "store", root=root).open()


def _cli_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HETAO_KG_STORE", "HETAO_KG_ENDPOINT")}
    return {**env, "HETAO_KG_CACHE": str(cache), "RUST_BACKTRACE": "1"}


def test_processes_opening_a_cold_default_store_at_once(tmp_path, dataset):
    """Three commands start together on an empty cache: one builds (under the lock), the
    others wait for it and open the same database; all answer, nothing is left over."""
    env = _cli_env(tmp_path / "cache")
    argv = [sys.executable, "-m", "hetao_kg.cli", "query", "--format", "csv",
            "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?u a hto:University }"]
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    expected = n(RdflibStore(dataset), "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?u a hto:University }")
    assert len({o for o, _ in outs}) == 1 and outs[0][0].split()[1] == str(expected), outs
    assert not any(e.strip() for _, e in outs), [e for _, e in outs]
    location = tmp_path / "cache" / "oxigraph"
    names = sorted(p.name for p in location.iterdir())
    assert [n for n in names if n.startswith("db-")] and not [n for n in names if n.startswith((".build-", ".worker-"))]
    assert len([n for n in names if n.startswith("db-")]) == 1, names


def test_the_cli_while_serve_runs_on_the_same_store(tmp_path):
    """``hetao-kg serve`` and the CLI share the default store: both answer at once; a data
    change makes the CLI build a new database while the server keeps answering from the
    one it has open; ``cache clear`` keeps that one (it is in use) and removes the rest."""
    import json as _json
    import urllib.parse
    import urllib.request

    from hetao_kg.web.launch import running_server

    root = data_copy(tmp_path)
    cache = tmp_path / "cache"
    env = _cli_env(cache)
    ask = f"ASK {{ <{KG}org/zz-concurrent> a hto:ResearchInstitute }}"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "hetao_kg.cli", "--data-root", str(root), *args], env=env,
                              capture_output=True, text=True, timeout=600)

    def served(server, query):
        url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return _json.loads(response.read().decode("utf-8"))["boolean"]

    with running_server("--timeout", "30", data_root=root, env=env) as server:
        first = [p for p in (cache / "oxigraph").iterdir() if p.name.startswith("db-")]
        assert len(first) == 1  # the server built the default store
        running = [subprocess.Popen([sys.executable, "-m", "hetao_kg.cli", "--data-root", str(root), "query",
                                     f"ASK {{ <{KG}org/hku> a hto:University }}"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        assert served(server, "ASK { ?u a hto:University }") is True
        assert [p.communicate(timeout=300)[0].strip() for p in running] == ["true", "true"]
        assert not served(server, ask)
        (root / "graph_data" / "zz-concurrent.trig").write_text(
            "@prefix hto: <https://w3id.org/hetao-kg/ontology#> .\n"
            "<assertion/zz-concurrent> { <org/zz-concurrent> a hto:ResearchInstitute . }\n", encoding="utf-8")
        changed = cli("query", ask)
        assert changed.returncode == 0 and changed.stdout.strip() == "true", changed.stderr
        databases = sorted(p for p in (cache / "oxigraph").iterdir() if p.name.startswith("db-"))
        assert len(databases) == 2 and first[0] in databases  # the server's database is still there
        assert not served(server, ask)  # it answers from the data it started with, unharmed
        cleared = cli("cache", "clear")
        assert cleared.returncode == 0 and f"kept {first[0]}" in cleared.stderr, cleared.stderr
        assert [p for p in (cache / "oxigraph").iterdir() if p.name.startswith("db-")] == first
        assert served(server, "ASK { ?u a hto:University }") is True
        assert server.process.poll() is None
    again = cli("query", ask)  # the store removed by `cache clear` is rebuilt on demand
    assert again.returncode == 0 and again.stdout.strip() == "true", again.stderr
