"""A final ``ORDER BY`` applied in Python (hetao_kg.store.ordering, issue 22): the rows
must come back in exactly the order Oxigraph's own ``ORDER BY`` gives them, and any
answer whose order is not reproduced must be left to Oxigraph."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from hetao_kg.namespaces import PREFIXES, QUERY_BASE
from hetao_kg.query.queries import named_queries
from hetao_kg.store import oxigraph as oxi
from hetao_kg.store.ordering import OrderKey, final_order, sort_rows

_OPTIONS = {"prefixes": {k: str(v) for k, v in PREFIXES.items()}, "base_iri": QUERY_BASE}


def _engine_rows(db, text: str) -> list[tuple]:
    """Oxigraph's own answer, its ``ORDER BY`` included."""
    return [tuple(row) for row in oxi.query_unknown_functions_unbound(db, text, **_OPTIONS)]


def _ours(db, text: str) -> list[tuple]:
    return [tuple(row) for row in oxi._evaluated(db, text, "SelectQuery")[1]]


def _sorted_here(db, text: str) -> bool:
    """Whether the store sorted this text's rows itself (rather than asking Oxigraph)."""
    order = final_order(text)
    if order is None:
        return False
    result = oxi.query_unknown_functions_unbound(db, order.unordered, **_OPTIONS)
    return sort_rows(list(result), [v.value for v in result.variables], order.keys) is not None


@pytest.fixture(scope="module")
def db():
    return oxi.OxigraphStore().open()


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_comes_back_in_oxigraphs_own_order(db, name: str):
    text = named_queries()[name].text
    assert _ours(db, text) == _engine_rows(db, text)


def test_the_big_unbound_answers_are_sorted_here(db):
    """The point of the module: the answers that cost most to sort in RocksDB take this path."""
    texts = {name: q.text for name, q in named_queries().items()}
    for name in ("network-labels", "entity-kinds", "entity-links", "hk-university-projects", "network-degree"):
        assert _sorted_here(db, texts[name]), name
        assert len(_ours(db, texts[name])) >= 5, name


# --- made-up answers: every kind of term, every kind of key ------------------------------

_IRIS = [f"<http://ex/{c}>" for c in ("a", "B", "b", "aa", "港", "z%20")]
_TEXTS = ['"a"', '"B"', '"b"', '""', '"港大"', '"a"@en', '"a"@EN-gb', '"b"@zh-hant', '"b"@en', '"a"^^xsd:string',
          '"true"^^xsd:boolean', '"false"^^xsd:boolean', '"http://x"^^xsd:anyURI']
_NUMBERS = ["1", "-2", "10", "2.5", "-0.0", "007", "3.0", "1.50"]
_DATES = ['"2024-01-05"^^xsd:date', '"2023-12-31"^^xsd:date', '"1999-01-01"^^xsd:date']
_BNODES = ["_:b1", "_:b0"]


def _values(rng: random.Random, pool: list[str], n: int) -> str:
    """A VALUES block of ``n`` rows: ``?id`` unique (the last key, so the order is total)
    and ``?v`` / ``?w`` drawn from ``pool``, IRIs, blank-node-free terms and UNDEF."""
    rows = []
    for i in range(n):
        v, w = (rng.choice(pool + _IRIS + ["UNDEF"]) for _ in range(2))
        rows.append(f"({v} {w} {i})")
    return "VALUES (?v ?w ?id) { " + " ".join(rows) + " }"


@pytest.mark.parametrize("pool", [_TEXTS, _NUMBERS, _DATES], ids=["strings", "numbers", "dates"])
@pytest.mark.parametrize("keys", ["?v ?id", "DESC(?v) ?id", "?w DESC(?v) DESC(?id)", "(BOUND(?v)) ?w ?v ?id",
                                  "ASC(?v) ?w ?id", "DESC(?w) (BOUND(?w)) ?v DESC(?id)"])
def test_made_up_answers_come_back_in_oxigraphs_order(pool: list[str], keys: str):
    store = ox.Store()
    rng = random.Random(f"{keys}{pool[0]}")
    for _ in range(5):
        text = f"SELECT ?v ?w ?id WHERE {{ {_values(rng, pool, 60)} }} ORDER BY {keys}"
        assert _sorted_here(store, text), text
        assert _ours(store, text) == _engine_rows(store, text)


def test_blank_nodes_come_first_and_sort_by_their_label():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.BlankNode("b2")))
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.BlankNode("b1")))
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.NamedNode("http://ex/o")))
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("o")))
    text = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"
    assert _sorted_here(store, text)
    ours = _ours(store, text)
    assert ours == _engine_rows(store, text)
    assert [type(r[0]).__name__ for r in ours] == ["BlankNode", "BlankNode", "NamedNode", "Literal"]


@pytest.mark.parametrize("mix", [
    ['"1"', "2"],  # a string and a number: Oxigraph compares them by lexical form, numbers by value
    ['"2024-01-05Z"^^xsd:date', '"2024-01-05"^^xsd:date'],  # a time zone
    ["1.5e0", "2"],  # a double
    ['"2024-01-05"^^xsd:date', '"2024-01-05T00:00:00"^^xsd:dateTime'],
    ['"x"^^<http://ex/custom>'],
])
def test_orders_not_reproduced_here_are_left_to_oxigraph(mix: list[str]):
    store = ox.Store()
    text = "SELECT ?v ?id WHERE { VALUES (?v ?id) { " + " ".join(f"({m} {i})" for i, m in enumerate(mix)) + " } } ORDER BY ?v ?id"
    assert not _sorted_here(store, text)
    assert _ours(store, text) == _engine_rows(store, text)


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 1",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?s)",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY DESC(STR(?s))",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <http://ex/a> }",
    'SELECT ?s WHERE { ?s ?p "ORDER BY ?s" }',
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2 } }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s",
])
def test_final_order_reads_only_a_final_clause_of_simple_keys(text: str):
    assert final_order(text) is None


def test_final_order_keys_and_the_text_left():
    found = final_order("PREFIX ex: <http://ex/>\nSELECT ?a ?b WHERE { { SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a LIMIT 1 }"
                        " ?a ex:p ?b } # comment\nORDER BY (BOUND(?b)) desc(?a) ?b")
    assert found.keys == (OrderKey("b", bound=True), OrderKey("a", descending=True), OrderKey("b"))
    assert found.unordered.endswith("?a ex:p ?b } \n")
    assert "LIMIT 1" in found.unordered


def test_a_key_the_answer_does_not_project_is_left_to_oxigraph():
    store = ox.Store()
    text = "SELECT ?a WHERE { VALUES (?a ?b) { (1 2) (2 1) } } ORDER BY ?b"
    assert not _sorted_here(store, text)
    assert _ours(store, text) == _engine_rows(store, text) == [(ox.Literal(2),), (ox.Literal(1),)]


@pytest.mark.parametrize("mix", [
    ["5", '"100000000000000000000"^^xsd:integer', "3"],  # past i64: Oxigraph keeps it unparsed
    ["-5", '"-9223372036854775809"^^xsd:integer', "3"],
    ['"1_000"^^xsd:integer', "5", "20"],  # Python's Decimal reads these; Oxigraph does not
    ['" 7"^^xsd:integer', "5", "20"],
    ['"1e3"^^xsd:integer', "5", "20"],
    ['"\u0661\u0662"^^xsd:integer', "5", "20"],  # Arabic-Indic digits
    ['"1000000000000000000000.5"^^xsd:decimal', "5.5", "20.5"],  # past Oxigraph's i128 of 10^-18
    ['"1E1"^^xsd:decimal', "5.5", "20.5"],
    ['"0.1000000000000000001"^^xsd:decimal', "0.2", '"0.05"^^xsd:decimal'],  # 19 fractional digits
])
def test_numbers_oxigraph_does_not_parse_are_not_ordered_by_value(mix: list[str]):
    """A number Oxigraph cannot read is compared with the others by its lexical form; the
    store must give Oxigraph's order, not the order of the values Python reads."""
    store = ox.Store()
    text = "SELECT ?v ?id WHERE { VALUES (?v ?id) { " + " ".join(f"({m} {i})" for i, m in enumerate(mix)) + " } } ORDER BY ?v ?id"
    assert _ours(store, text) == _engine_rows(store, text)
    assert not _sorted_here(store, text)


@pytest.mark.parametrize("mix", [["+7", "-0", '"9223372036854775807"^^xsd:integer', "007"],
                                 ['"7."^^xsd:decimal', '".5"^^xsd:decimal', "-0.0", '"0.000000000000000001"^^xsd:decimal']])
def test_numbers_oxigraph_reads_are_still_sorted_here(mix: list[str]):
    store = ox.Store()
    text = "SELECT ?v ?id WHERE { VALUES (?v ?id) { " + " ".join(f"({m} {i})" for i, m in enumerate(mix)) + " } } ORDER BY ?v ?id"
    assert _sorted_here(store, text)
    assert _ours(store, text) == _engine_rows(store, text)


@pytest.mark.parametrize("keys", ["?v", "DESC(?v)", "(BOUND(?v)) ?v"])
def test_rows_that_tie_come_back_in_oxigraphs_order(keys: str):
    """Oxigraph sorts with an unstable sort: past 20 rows, rows whose keys tie are not
    left in the order they came in, as Python's stable sort leaves them."""
    store = ox.Store()
    rng = random.Random(keys)
    terms = ['"a"', '"b"', '"c"', "UNDEF"]
    rows = " ".join(f"({rng.choice(terms)} {i})" for i in range(200))
    text = f"SELECT ?v ?id WHERE {{ VALUES (?v ?id) {{ {rows} }} }} ORDER BY {keys}"
    assert _ours(store, text) == _engine_rows(store, text)


def test_rows_equal_in_every_column_are_still_sorted_here():
    store = ox.Store()
    text = "SELECT ?v WHERE { VALUES ?v { " + " ".join(['"b"', '"a"'] * 30) + " } } ORDER BY ?v"
    assert _sorted_here(store, text)
    assert _ours(store, text) == _engine_rows(store, text)


@pytest.mark.parametrize("text", [
    "SELECT ?v WHERE { VALUES ?v { 2 1 3 } } LIMIT 2 ORDER BY ?v",
    "SELECT ?v WHERE { VALUES ?v { 2 1 3 } } OFFSET 1 ORDER BY ?v",
    "SELECT ?v WHERE { VALUES ?v { 2 1 3 } } ORDER BY ?v ORDER BY DESC(?v)",
    "SELECT ?v WHERE { ?v ?p ?o } VALUES ?v { 1 } ORDER BY ?v",
])
def test_a_text_that_is_not_sparql_is_not_answered_without_its_order_by(text: str):
    """Without the clause these texts would be SPARQL; with it they are not, and the store
    must refuse them as Oxigraph does rather than answer the text left."""
    assert final_order(text) is None
    with pytest.raises(SyntaxError):
        oxi._evaluated(ox.Store(), text, "SelectQuery")


def test_strings_with_a_base_direction_come_back_in_oxigraphs_order():
    """``"a"@en--ltr`` is an rdf:dirLangString (SPARQL 1.2, which pyoxigraph 0.5 reads):
    Oxigraph puts it before ``"a"@en`` by its datatype, not beside it as an rdf:langString."""
    store = ox.Store()
    mix = ['"a"@en--ltr', '"a"@en', '"a"', '"b"@en--rtl', '"a"@en--rtl', '"0"@en']
    text = "SELECT ?v ?id WHERE { VALUES (?v ?id) { " + " ".join(f"({m} {i})" for i, m in enumerate(mix)) + " } } ORDER BY ?v ?id"
    assert _ours(store, text) == _engine_rows(store, text)
