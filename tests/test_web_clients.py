"""Real SPARQL clients against `hetao-kg serve`: SPARQLWrapper and rdflib's
SPARQLStore run every named query and get what the in-process store answers
(a differential test), and rdflib calls our endpoint through SERVICE from its
side (we are the callee; our own guard still refuses SERVICE in our queries)."""

from __future__ import annotations

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from hetao_kg.query.queries import named_queries
from hetao_kg.store import RdflibStore
from hetao_kg.web.launch import running_server

HKU = "https://w3id.org/hetao-kg/id/org/hku"
# queries whose parameter is required get one value, the same on both sides
VALUES = {"describe": f"\nVALUES ?entity {{ <{HKU}> }}"}


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", "60", "--max-rows", "100000") as s:
        yield s


@pytest.fixture(scope="module")
def local():
    return RdflibStore.from_root(None)


def _norm(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype is not None:
        return Literal(term.toPython(), datatype=term.datatype).n3() if term.ill_typed is False else term.n3()
    return term.n3()


def _rows(vars_, rows) -> list[tuple]:
    return sorted((tuple(_norm(r.get(v)) or "" for v in vars_) for r in rows))


def _wrapper_term(cell: dict | None):
    if cell is None:
        return None
    if cell["type"] == "uri":
        return URIRef(cell["value"])
    if cell["type"] == "bnode":
        return BNode(cell["value"])
    return Literal(cell["value"], lang=cell.get("xml:lang"), datatype=cell.get("datatype"))


# the time queries (issue 18) compare their parameters inside the query: bound where the WHERE starts
PARAMS = {
    "timeline": {"entity": URIRef("https://w3id.org/hetao-kg/id/park/hkstp-shenzhen-branch")},
    "as-of": {"date": Literal("2026-01-01")},
    "changes": {"since": Literal("2023-09-07"), "until": Literal("2026-12-31")},
    "series": {"measure": URIRef("https://w3id.org/hetao-kg/id/measure/shenzhen-park-research-projects")},
}


def _text(name: str) -> str:
    from hetao_kg.store._common import bind_values

    if name in PARAMS:
        return bind_values(named_queries()[name].text, PARAMS[name])
    return named_queries()[name].text + VALUES.get(name, "")


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_sparqlwrapper_matches_in_process(server, local, name):
    expected = local.select(_text(name))
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(_text(name))
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    answer = client.query().convert()
    vars_ = answer["head"]["vars"]
    assert tuple(vars_) == expected.vars
    rows = [{v: _wrapper_term(b.get(v)) for v in vars_} for b in answer["results"]["bindings"]]
    assert _rows(vars_, rows) == _rows(expected.vars, expected.rows)
    assert expected.rows, f"{name} answers nothing in process: the comparison would prove little"


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_rdflib_sparqlstore_matches_in_process(server, local, name):
    expected = local.select(_text(name))
    remote = Graph(store=SPARQLStore(server.url + "/sparql", returnFormat="json", method="POST_FORM"))
    result = remote.query(_text(name))
    vars_ = [str(v) for v in result.vars]
    rows = [{v: row[i] for i, v in enumerate(vars_)} for row in result]
    assert tuple(vars_) == expected.vars
    assert _rows(vars_, rows) == _rows(expected.vars, expected.rows)


def test_rdflib_service_calls_our_endpoint(server):
    # rdflib evaluates SERVICE itself and fetches from our endpoint (the callee side)
    caller = Graph()
    result = caller.query(f"""
        PREFIX hto: <https://w3id.org/hetao-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?u ?name WHERE {{
          SERVICE <{server.url}/sparql> {{ ?u a hto:University ; rdfs:label ?name . FILTER (langMatches(lang(?name), "zh-Hant")) }}
        }} ORDER BY ?name""")
    names = {str(row.name) for row in result}
    assert {"香港大學", "香港科技大學"} <= names
    # and a caller cannot make *us* call out: SERVICE inside a query we run is refused
    bounce = httpx.get(server.url + "/sparql", params={
        "query": f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}"})
    assert bounce.status_code == 400 and "SERVICE is refused" in bounce.text


def local_universities() -> set[str]:
    rows = RdflibStore.from_root(None).select("SELECT ?u WHERE { ?u a hto:University }").rows
    return {str(r["u"]) for r in rows}


def test_oxigraph_service_calls_our_endpoint(server):
    import pyoxigraph

    store = pyoxigraph.Store()
    rows = store.query(f"""SELECT ?u ?label WHERE {{
        SERVICE <{server.url}/sparql> {{
          ?u a <https://w3id.org/hetao-kg/ontology#University> ;
             <http://www.w3.org/2000/01/rdf-schema#label> ?label . FILTER (lang(?label) = "en") }}
    }}""")
    found = {r["u"].value: r["label"].value for r in rows}
    universities = local_universities()
    assert found[HKU] == "The University of Hong Kong" and set(found) == universities
