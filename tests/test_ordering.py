"""A final ``ORDER BY`` applied in Python (hetao_kg.store.ordering, issue 22): where a
column's literals are of a kind whose order is reproduced, the rows must come back in
exactly the order Oxigraph's own ``ORDER BY`` gives them; any other column (which
Oxigraph 0.5.13 compares inconsistently, and on which it can abort) must be sorted by a
total order that agrees with SPARQL's ``<`` wherever that is defined."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from hetao_kg.namespaces import PREFIXES, QUERY_BASE
from hetao_kg.query.queries import named_queries
from hetao_kg.store import oxigraph as oxi
from hetao_kg.store.ordering import OrderKey, final_order, literal_key, sort_rows, with_keys_projected

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


#: named queries with a key column that mixes numbers and strings unbound (``describe``'s
#: values): sorted by the store's own order, which Oxigraph's does not give
_MIXED = {"describe"}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_comes_back_in_oxigraphs_own_order(db, name: str):
    text = named_queries()[name].text
    ours, engine = _ours(db, text), _engine_rows(db, text)
    if name in _MIXED:
        assert sorted(ours, key=repr) == sorted(engine, key=repr) and ours != engine
        _assert_sparql_order(ours, _key_columns(db, text))
    else:
        assert ours == engine


def _key_columns(db, text: str) -> list[tuple[int, bool]]:
    order = final_order(text)
    variables = [v.value for v in oxi.query_unknown_functions_unbound(db, order.unordered, **_OPTIONS).variables]
    return [(variables.index(k.variable), k.descending) for k in order.keys if not k.bound]


def test_the_big_unbound_answers_are_sorted_here(db):
    """The point of the module: the answers that cost most to sort in RocksDB take this path."""
    texts = {name: q.text for name, q in named_queries().items()}
    for name in ("network-labels", "entity-kinds", "entity-links", "hk-university-projects", "network-degree"):
        assert _sorted_here(db, texts[name]), name
        assert len(_ours(db, texts[name])) >= 5, name


# --- SPARQL's order, independently of the module: ``<`` where SPARQL defines it ----------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _sparql_value(term) -> tuple[str, object] | None:
    """(kind, value) for the literals SPARQL's ``<`` compares with each other: numbers, plain
    strings, and date-times with a time zone; ``None`` for the rest."""
    import re
    from datetime import datetime
    from decimal import Decimal

    if not isinstance(term, ox.Literal):
        return None
    lexical, datatype = term.value, term.datatype.value
    if datatype in _INTEGERS and re.fullmatch(r"[+-]?[0-9]+", lexical):
        return "number", int(lexical)
    if datatype == _XSD + "decimal" and re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", lexical):
        return "number", Decimal(lexical)
    if datatype in (_XSD + "double", _XSD + "float") and lexical != "NaN":
        try:
            return "number", float(lexical)
        except ValueError:
            return None
    if datatype == _XSD + "string":
        return "string", lexical
    if datatype == _XSD + "dateTime" and re.search(r"(Z|[+-][0-9]{2}:[0-9]{2})$", lexical):
        try:
            return "instant", datetime.fromisoformat(lexical.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _assert_sparql_order(rows: list[tuple], columns: list[tuple[int, bool]]) -> None:
    """Each key column (index, descending), among rows equal in the columns before it, is
    ordered as SPARQL 1.1 §15.1 asks: unbound, blank nodes, IRIs, literals; IRIs by their
    text; and within each kind ``<`` compares (numbers, strings, zoned date-times), by value."""
    for n, (column, descending) in enumerate(columns):
        groups: dict[tuple, list] = {}
        for row in rows:
            groups.setdefault(tuple(row[c] for c, _ in columns[:n]), []).append(row[column])
        for terms in groups.values():
            seen: dict[str, object] = {}
            last_rank = None
            for term in (reversed(terms) if descending else terms):
                rank = (0 if term is None else 1 if isinstance(term, ox.BlankNode)
                        else 2 if isinstance(term, ox.NamedNode) else 3)
                assert last_rank is None or rank >= last_rank, (term, "after a later kind")
                last_rank = rank
                kind_value = ("iri", term.value) if rank == 2 else _sparql_value(term)
                if kind_value is None:
                    continue
                kind, value = kind_value
                assert kind not in seen or not value < seen[kind], (term, "after", seen[kind])
                seen[kind] = value


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


def _mix_text(mix: list[str], keys: str = "?v ?id") -> str:
    return ("SELECT ?v ?id WHERE { VALUES (?v ?id) { " + " ".join(f"({m} {i})" for i, m in enumerate(mix))
            + f" }} }} ORDER BY {keys}")


@pytest.mark.parametrize("mix, expected", [
    # a string and numbers: numbers first, by value (Oxigraph: "10" < "9x" < 9 < 10, a cycle)
    (['"9x"', "10", "9"], ["9", "10", "9x"]),
    (['"1"', "2"], ["2", "1"]),
    # one instant: the date without a zone read as UTC, then by text
    (['"2024-01-05Z"^^xsd:date', '"2024-01-05"^^xsd:date'], ["2024-01-05", "2024-01-05Z"]),
    # zones: 10:00 at +09:00 is 01:00 UTC, before 05:00 UTC
    (['"2024-01-01T05:00:00Z"^^xsd:dateTime', '"2024-01-01T10:00:00+09:00"^^xsd:dateTime'],
     ["2024-01-01T10:00:00+09:00", "2024-01-01T05:00:00Z"]),
    (["1.5e0", "2", '"-INF"^^xsd:double', '"NaN"^^xsd:double'], ["-INF", "1.5", "2", "NaN"]),
    (['"2024-01-05"^^xsd:date', '"2024-01-05T00:00:00"^^xsd:dateTime'], ["2024-01-05T00:00:00", "2024-01-05"]),
    (['"y"^^<http://ex/custom>', '"x"^^<http://ex/custom>'], ["x", "y"]),
])
def test_orders_oxigraph_does_not_give_consistently_are_sorted_here_by_value(mix: list[str], expected: list[str]):
    """Numbers, then dates and times (each kind by the instant it names), then everything
    else by its text: SPARQL's ``<`` wherever it is defined, and one total order."""
    store = ox.Store()
    text = _mix_text(mix)
    assert _sorted_here(store, text)
    assert [row[0].value for row in _ours(store, text)] == expected


def test_the_query_that_aborted_oxigraph_is_answered(db):
    """``?o`` over the whole shipped store mixes numbers, strings, dates and IRIs:
    Oxigraph's own ``ORDER BY`` aborted the process (SIGABRT) on this text."""
    text = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)"
    assert _sorted_here(db, text)
    rows = _ours(db, text)
    assert len(rows) > 5_000
    kinds = {type(r[0]).__name__ for r in rows}
    assert {"Literal", "NamedNode"} <= kinds
    _assert_sparql_order(rows, [(0, True)])


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3 LIMIT 4",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 1 LIMIT 2 OFFSET 3",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT ?x",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2.5",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3 ?s",
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


def test_a_key_the_answer_does_not_project_is_asked_for_and_dropped():
    store = ox.Store()
    text = "SELECT ?a WHERE { VALUES (?a ?b) { (1 2) (2 1) } } ORDER BY ?b"
    assert with_keys_projected(final_order(text)) == ("SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 2) (2 1) } } ", 1, False)
    assert _ours(store, text) == _engine_rows(store, text) == [(ox.Literal(2),), (ox.Literal(1),)]


_HIDDEN = ['"9x"', "10", "9", "<http://ex/i>", '"2024-01-01T10:00:00+09:00"^^xsd:dateTime', "UNDEF"]


@pytest.mark.parametrize("select, tail", [
    ("SELECT ?a", ""), ("SELECT ?a", "LIMIT 4"), ("SELECT ?a", "OFFSET 2 LIMIT 3"), ("SELECT ?a", "OFFSET 30"),
    ("SELECT DISTINCT ?a", ""), ("SELECT DISTINCT ?a", "LIMIT 3"), ("SELECT REDUCED ?a", "OFFSET 1 LIMIT 2"),
    ("SELECT (STR(?a) AS ?t)", "LIMIT 5")])
def test_keys_the_answer_does_not_project_over_mixed_kinds_are_sorted_here(select: str, tail: str):
    """``SELECT ?s … ORDER BY ?o`` was left to Oxigraph, whose sort aborts the process on a
    column mixing numbers and strings: the keys are asked for too, the rows sorted here,
    the keys dropped, then DISTINCT, then OFFSET / LIMIT (SPARQL 1.1 §18.5)."""
    store = ox.Store()
    rng = random.Random(select + tail)
    rows = " ".join(f"({rng.choice(['1', '2', '3'])} {rng.choice(_HIDDEN)} {i})" for i in range(40))
    where = f"WHERE {{ VALUES (?a ?b ?id) {{ {rows} }} }} ORDER BY DESC(?b) ?id"
    text = f"{select} {where} {tail}"
    assert with_keys_projected(final_order(text)) is not None  # never asked of Oxigraph with the clause
    # the same order with the keys selected (sorted here too), the keys dropped afterwards
    whole = [row[:-2] for row in _ours(store, f"{select} ?b ?id {where}")]
    if "DISTINCT" in select or "REDUCED" in select:
        whole = list(dict.fromkeys(whole))
    offset = int(tail.split("OFFSET ")[1].split()[0]) if "OFFSET" in tail else 0
    limit = int(tail.split("LIMIT ")[1]) if "LIMIT" in tail else None
    assert _ours(store, text) == whole[offset: None if limit is None else offset + limit]
    result = oxi._evaluated(store, text, "SelectQuery")[0]
    assert [v.value for v in result.variables] == [select.split("?")[-1].rstrip(")")]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?x",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?o",
])
def test_keys_are_added_only_to_a_projection_that_lacks_them_outside_aggregates(text: str):
    assert with_keys_projected(final_order(text)) is None


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
def test_numbers_oxigraph_does_not_read_are_ordered_here(mix: list[str]):
    """Oxigraph compares a number it cannot read with the others by its lexical form (and
    the others by value: no total order). Here a number in XSD's grammar is ordered by
    value whatever its size or precision; a form outside the grammar comes after every
    number, by its text."""
    store = ox.Store()
    text = _mix_text(mix)
    assert _sorted_here(store, text)
    rows = _ours(store, text)
    _assert_sparql_order(rows, [(0, False)])
    assert sorted(rows, key=repr) == sorted(_engine_rows(store, text), key=repr)


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


# --- answers that mix every kind of literal, and LIMIT / OFFSET ---------------------------

_ANY = _TEXTS + _NUMBERS + _DATES + [
    '"2024-01-01T10:00:00+09:00"^^xsd:dateTime', '"2024-01-01T05:00:00Z"^^xsd:dateTime',
    '"2024-01-01T03:00:00"^^xsd:dateTime', "1.5e0", '"-INF"^^xsd:double', '"NaN"^^xsd:double',
    '"1_000"^^xsd:integer', '"100000000000000000000"^^xsd:integer', '"x"^^<http://ex/custom>', '"7"^^xsd:int']


def _columns(keys: str) -> list[tuple[int, bool]]:
    """The (column, descending) of keys over ``?v ?w ?id`` written ``?v`` or ``DESC(?v)``."""
    out = []
    for key in keys.split():
        descending = key.startswith("DESC(")
        out.append(("vwi".index(key.strip("DESC()?")[0]), descending))
    return out


@pytest.mark.parametrize("keys", ["?v ?id", "DESC(?v) ?id", "?w DESC(?v) ?id", "DESC(?w) ?v DESC(?id)"])
def test_mixed_answers_come_back_in_sparqls_order(keys: str):
    """Never asked of Oxigraph with the clause: on such columns its sort may abort."""
    store = ox.Store()
    rng = random.Random(keys)
    for _ in range(8):
        text = f"SELECT ?v ?w ?id WHERE {{ {_values(rng, _ANY, 80)} }} ORDER BY {keys}"
        assert _sorted_here(store, text)
        rows = _ours(store, text)
        unordered = _engine_rows(store, final_order(text).unordered)
        assert sorted(rows, key=repr) == sorted(unordered, key=repr)
        _assert_sparql_order(rows, _columns(keys))


@pytest.mark.parametrize("pool", [_TEXTS, _NUMBERS, _ANY], ids=["strings", "numbers", "mixed"])
@pytest.mark.parametrize("tail, offset, limit", [
    ("LIMIT 7", 0, 7), ("OFFSET 50", 50, None), ("LIMIT 5 OFFSET 20", 20, 5), ("OFFSET 20 LIMIT 5", 20, 5),
    ("LIMIT 0", 0, 0), ("LIMIT 1000", 0, 1000), ("OFFSET 1000", 1000, None)])
def test_limit_and_offset_keep_the_rows_of_the_whole_order(pool: list[str], tail: str, offset: int,
                                                           limit: int | None):
    store = ox.Store()
    rng = random.Random(tail + pool[0])
    text = f"SELECT ?v ?w ?id WHERE {{ {_values(rng, pool, 60)} }} ORDER BY DESC(?v) ?id"
    assert final_order(f"{text} {tail}")[2:] == (offset, limit)
    whole = _ours(store, text)
    sliced = _ours(store, f"{text} {tail}")
    assert sliced == whole[offset: None if limit is None else offset + limit]
    if pool is not _ANY:  # kinds Oxigraph orders consistently (and ?id unique): its own answer too
        assert sliced == _engine_rows(store, f"{text} {tail}")


def test_limit_reads_the_answer_once_and_keeps_only_what_it_returns():
    """``ORDER BY ?v LIMIT 3`` over a large answer holds a few rows at a time, not the answer."""
    import tracemalloc

    from hetao_kg.store.ordering import top_rows

    keys = [OrderKey("v", descending=True), OrderKey("s")]
    read = []

    def rows(n: int = 30_000):
        for i in range(n):
            read.append(i)
            yield (ox.Literal(i % 997), ox.Literal(str(i)))

    def peak(limit: int | None) -> tuple[list, int]:
        tracemalloc.start()
        try:
            out = top_rows(rows(), ["v", "s"], keys, offset=1, limit=limit)
            return out, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    top, small = peak(3)
    assert len(read) == 30_000
    expected = sorted(((i % 997, str(i)) for i in range(30_000)), key=lambda r: (-r[0], r[1]))[1:4]
    assert [(int(r[0].value), r[1].value) for r in top] == expected
    whole, large = peak(None)
    assert len(whole) == 29_999 and [(int(r[0].value), r[1].value) for r in whole[:3]] == expected
    assert small * 20 < large, (small, large)


@pytest.mark.parametrize("keys", ["?v ?id", "DESC(?v) ?id"])
def test_a_time_zone_past_the_years_python_counts_is_still_ordered(keys: str):
    """A time zone carries these instants before year 1 or after 9999: reading them with
    ``datetime`` raised OverflowError out of the query (a traceback, no answer)."""
    store = ox.Store()
    mix = ['"0001-01-01T00:00:00+05:00"^^xsd:dateTime', '"0001-01-01T03:00:00Z"^^xsd:dateTime',
           '"9999-12-31T23:00:00-05:00"^^xsd:dateTime', '"0001-01-01+01:00"^^xsd:date', "1"]
    text = _mix_text(mix, keys)
    assert _sorted_here(store, text)
    rows = [row[0].value for row in _ours(store, text)]
    expected = ["1", "0001-01-01T00:00:00+05:00", "0001-01-01T03:00:00Z", "9999-12-31T23:00:00-05:00",
                "0001-01-01+01:00"]
    assert rows == (expected if keys.startswith("?v") else expected[::-1])


def test_literal_key_ties_no_two_terms():
    """A total order: two different literals never get the same key (a base direction too)."""
    ltr, rtl = (ox.Literal("a", language="en", direction=d) for d in (ox.BaseDirection.LTR, ox.BaseDirection.RTL))
    assert literal_key(ltr) != literal_key(rtl)
    assert literal_key(ox.Literal("a", language="en")) not in (literal_key(ltr), literal_key(rtl))
