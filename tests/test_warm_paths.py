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
