"""The remembered OWL 2 RL closures (``hetao_kg/data/closure.py``): an answer read back
is owlrl's own, blank nodes and literals included; the closures shipped in
``graph_data/closures/`` are exactly those a fresh build of the data needs, byte for
byte what owlrl computes; a damaged entry is computed afresh, never trusted."""

from __future__ import annotations

import gzip

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from hetao_kg.data import closure

EX = Namespace("https://example.org/")


def _small() -> Graph:
    """Sub-classes, a union (an RDF list of blank nodes), an inverse, a sub-property, and
    literals that test the line format: a language tag, a datatype, xsd:string apart from
    a plain literal, quotes, a backslash, a newline, other line breaks, Chinese."""
    g = Graph()
    g.add((EX.University, RDFS.subClassOf, EX.Organization))
    union = BNode()
    Collection(g, union, [EX.University, EX.Lab])
    g.add((EX.Institution, OWL.unionOf, union))
    g.add((EX.Institution, RDF.type, OWL.Class))
    g.add((EX.broughtIn, OWL.inverseOf, EX.broughtBy))
    g.add((EX.name, RDFS.subPropertyOf, RDFS.label))
    g.add((EX.hku, RDF.type, EX.University))
    g.add((EX.hku, EX.broughtIn, EX.lab1))
    g.add((EX.lab1, RDF.type, EX.Lab))
    g.add((EX.hku, EX.name, Literal("香港大學", lang="zh-Hant")))
    g.add((EX.hku, EX.name, Literal('say "hi" \\ then\nnew line')))
    g.add((EX.hku, EX.name, Literal("a line\u2028separator, a \x0cform feed")))
    g.add((EX.hku, EX.name, Literal("plain", datatype=XSD.string)))
    g.add((EX.hku, EX.founded, Literal("1911", datatype=XSD.gYear)))
    return g


def _owlrl_only(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    closure._owlrl(out)
    return out


def _copy_with_new_blank_nodes(g: Graph) -> Graph:
    fresh: dict = {}
    out = Graph()
    for t in g:
        out.add(tuple(fresh.setdefault(x, BNode()) if isinstance(x, BNode) else x for x in t))
    return out


def test_a_remembered_closure_is_owlrls_own(tmp_path, monkeypatch):
    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(closure, "SHIPPED", tmp_path / "none")
    expected = _owlrl_only(_small())
    first = _small()
    closure.expand(first)  # computed by owlrl, remembered
    assert isomorphic(first, expected)

    def no_owlrl(_graph):
        raise AssertionError("owlrl ran although the closure was remembered")

    monkeypatch.setattr(closure, "_owlrl", no_owlrl)
    again = _copy_with_new_blank_nodes(_small())  # another parse: other blank node ids, same key
    closure.expand(again)
    assert isomorphic(again, expected)
    assert len(again) == len(expected)
    # the literals came back as they were: xsd:string apart from plain, escapes undone
    assert (EX.hku, RDFS.label, Literal("plain", datatype=XSD.string)) in again
    assert (EX.hku, RDFS.label, Literal('say "hi" \\ then\nnew line')) in again
    assert (EX.hku, RDFS.label, Literal("香港大學", lang="zh-Hant")) in again
    assert (EX.hku, RDFS.label, Literal("a line\u2028separator, a \x0cform feed")) in again
    assert (EX.lab1, EX.broughtBy, EX.hku) in again


def test_the_key_depends_on_the_graph_not_on_blank_node_ids():
    g = _small()
    key, labels = closure.closure_key(g)
    assert closure.closure_key(_copy_with_new_blank_nodes(g))[0] == key
    assert len(labels) == 2  # the two cells of the union's list
    g.add((EX.hku, EX.name, Literal("one more")))
    assert closure.closure_key(g)[0] != key


@pytest.mark.parametrize("damage", [b"not gzip at all",  # mtime=0: the same ids in every pytest-xdist worker
                                    gzip.compress(b"_:unknown <https://example.org/p> <https://example.org/o> .\n", mtime=0),
                                    gzip.compress(b"<https://example.org/s> <https://example.org/p>\n", mtime=0)],
                         ids=["not gzip", "an unknown blank node", "a broken line"])
def test_a_damaged_entry_is_computed_afresh(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setattr(closure, "SHIPPED", shipped)
    g = _small()
    (shipped / f"{closure.closure_key(g)[0]}.nt.gz").write_bytes(damage)
    closure.expand(g)
    assert isomorphic(g, _owlrl_only(_small()))


def test_the_shipped_closures_are_the_ones_the_data_needs(tmp_path, monkeypatch):
    """Build both stores from scratch with nothing remembered: owlrl computes every closure;
    they must be the files in graph_data/closures/, byte for byte (else: `make closures`)."""
    from hetao_kg.store import closures as ship

    real = closure.SHIPPED
    fresh = tmp_path / "closures"
    monkeypatch.setattr(closure, "SHIPPED", fresh)
    _keys, written = ship._fresh_builds(ship=True)
    assert written, "no closure was looked up"
    have = {p.name: p.read_bytes() for p in real.glob("*.nt.gz")}
    want = {p.name: p.read_bytes() for p in written}
    assert sorted(have) == sorted(want), "graph_data/closures/ is out of date: run `make closures`"
    for name in want:
        assert have[name] == want[name], f"graph_data/closures/{name} is not what owlrl computes: run `make closures`"
