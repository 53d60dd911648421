"""The shortcuts a warm command takes (issue 22) give the answers of the long way:
an answer with few IRIs is labelled from the labels of just those IRIs (one query),
not from every label of the graph, with the same labels in every language; an answer
read back from the answer cache holds rdflib's own terms, slot for slot, though IRIs
and strings are made without rdflib's constructors."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Literal, URIRef

from hetao_kg import open_graph
from hetao_kg.query.queries import named_queries
from hetao_kg.store.answers import _json_term, rows_to_json

LANGS = ("en", "zh-Hans", "zh-Hant")


@pytest.fixture(scope="module")
def everything():
    """A graph with every label loaded (the long way: what ``labels()`` gives)."""
    kg = open_graph()
    kg.labels()
    return kg


def _entities(kg) -> list[str]:
    rows = kg.named("network-links").raw
    return sorted({str(r["source"]) for r in rows})[::4]


def test_describe_is_labelled_alike_from_a_few_labels(everything):
    entities = _entities(everything)
    assert len(entities) > 20
    for lang in LANGS:
        fresh = open_graph()  # no label loaded: each answer asks for its own IRIs' labels
        for iri in entities:
            assert fresh.describe(iri, lang=lang).rows == everything.describe(iri, lang=lang).rows, (iri, lang)
        assert fresh._labels is None and fresh._some_labels  # it never loaded every label


def test_named_queries_are_labelled_alike_from_a_few_labels(everything):
    answered = 0
    for lang in LANGS:
        fresh = open_graph()
        for name, query in named_queries().items():
            if query.param_names and "optional" not in query.params:
                continue
            want = everything.named(name, lang=lang)
            assert fresh.named(name, lang=lang).rows == want.rows, (name, lang)
            answered += bool(want.rows)
    assert answered >= 30


def _by_rdflib(obj: dict):
    """A JSON binding's term through rdflib's constructors (what the answer cache did before)."""
    kind, value = obj["type"], obj["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=obj.get("xml:lang"), datatype=obj.get("datatype"))


def _slots(term) -> tuple:
    return (type(term), str(term), term.__reduce__(), getattr(term, "value", None), getattr(term, "language", None),
            getattr(term, "datatype", None), getattr(term, "ill_typed", None), hash(term))


TRICKY = [
    {"type": "uri", "value": "https://w3id.org/hetao-kg/id/org/hku"},
    {"type": "uri", "value": "not an iri at all"},
    {"type": "bnode", "value": "b0"},
    {"type": "literal", "value": "香港大学"},
    {"type": "literal", "value": ""},
    {"type": "literal", "value": "HKU", "xml:lang": "en"},
    {"type": "literal", "value": "香港大學", "xml:lang": "zh-Hant"},
    {"type": "literal", "value": "香港大學", "xml:lang": "zh-hant"},
    {"type": "literal", "value": "x", "xml:lang": "x-private-1"},
    {"type": "literal", "value": "x", "xml:lang": ""},
    {"type": "literal", "value": "  spaced\nline\u2028 ", "xml:lang": "en-GB"},
    {"type": "literal", "value": "plain", "datatype": "http://www.w3.org/2001/XMLSchema#string"},
    {"type": "literal", "value": "01", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
    {"type": "typed-literal", "value": "2024-05", "datatype": "http://www.w3.org/2001/XMLSchema#gYearMonth"},
    {"type": "literal", "value": "abc", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
]


def test_answers_read_back_are_rdflibs_own_terms():
    for obj in TRICKY:
        assert _slots(_json_term(obj)) == _slots(_by_rdflib(obj)), obj
    with pytest.raises(ValueError):  # a tag rdflib refuses is refused alike (the entry is dropped)
        _json_term({"type": "literal", "value": "x", "xml:lang": "not a tag"})


def test_every_named_answer_reads_back_as_rdflib_would(everything):
    terms = 0
    for name in named_queries():
        doc = json.loads(rows_to_json(everything.store.select(named_queries()[name].text)))
        for binding in doc["results"]["bindings"]:
            for obj in binding.values():
                assert _slots(_json_term(obj)) == _slots(_by_rdflib(obj)), obj
                terms += 1
    assert terms > 5000


def test_a_query_that_may_not_name_graphs_names_none():
    """The guard reads a query's FROM clauses only when ``may_name_graphs`` says it may
    hold one: every query with a FROM clause, written any way the grammar allows, is
    said to; the named queries (which say "from" only in comments, IRIs and names) are not."""
    from itertools import product

    from hetao_kg.store.dataset import may_name_graphs
    from hetao_kg.store.sparql_guard import checked

    heads = ["SELECT *", "SELECT ?x", "SELECT (1 AS ?x)", "SELECT DISTINCT ?x", "ASK", "CONSTRUCT",
             "CONSTRUCT { ?s ?p ?o }", "DESCRIBE <http://ex/a>", "DESCRIBE ex:a", "DESCRIBE ?x", "SELECT ?x # from\n"]
    gaps = ["", " ", "\n", "\t", "\r\n", "#c\n", " # from c\n", "\n# from c\n", "\n  # c\r", "\n#c\rx\n"]
    words = ["FROM", "from", "From", "fRoM", "\\u0046ROM", "FR\\u004fM"]
    graphs = ["<http://ex/g>", " <http://ex/g>", " NAMED <http://ex/g>", "#c\n<http://ex/g>", " ex:g", "\nNAMED\nex:g"]
    tails = [" WHERE { ?s ?p ?o }", "{ ?s ?p ?o }", " WHERE {}", "\nWHERE{?x ?p ?o}"]
    named = checked_named = 0
    for head, gap, word, graph, tail in product(heads, gaps, words, graphs, tails):
        text = f"PREFIX ex: <http://ex/>\n{head}{gap}{word}{graph}{tail}"
        try:
            dataset = checked(text).dataset
        except Exception:  # noqa: BLE001 - not a query (e.g. SELECT *FROM without a gap is fine, ?xFROM is a name)
            continue
        checked_named += 1
        if dataset[0] or dataset[1]:
            named += 1
            assert may_name_graphs(text), text
    assert named > 3000 and checked_named >= named
    for name, query in named_queries().items():
        assert not (checked(query.text).dataset[0] or checked(query.text).dataset[1]), name
    assert sum(not may_name_graphs(q.text) for q in named_queries().values()) >= 30  # the guard is not asked


def test_the_language_tag_test_is_rdflibs():
    import random

    from rdflib.term import _is_valid_langtag

    from hetao_kg.store.answers import _valid_tag

    rng = random.Random(5)
    pool = ["a", "Z", "z", "0", "9", "-", "-", "_", " ", "é", "\n", "x"]
    tags = ["en", "zh-Hant", "zh-hant-HK", "x-private", "en-", "-en", "en--gb", "1en", "en-1", "", "en\n"]
    tags += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    for tag in tags:
        if tag and not tag.endswith("\n"):  # rdflib's `$` lets one final newline through: then rdflib decides
            assert _valid_tag(tag) == _is_valid_langtag(tag), repr(tag)
        elif _valid_tag(tag):
            assert _is_valid_langtag(tag), repr(tag)
