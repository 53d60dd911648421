"""The synthetic corpus generator of the scale benchmark (benchmarks/corpus.py)."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hetao_kg
from hetao_kg.data.graph import load

ROOT = Path(__file__).resolve().parent.parent


def _corpus_module():
    spec = importlib.util.spec_from_file_location("hetao_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """The real report plus two synthetic ones."""
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "root", reports=3)


def test_tiny_corpus_is_valid_under_the_projects_validator(tiny: Path):
    report = hetao_kg.validate(tiny, checks=("shacl", "owlrl", "sparql"))
    assert report.violations == []
    assert report.ran == ["shacl", "owlrl", "sparql"]


def test_same_seed_same_bytes_other_seed_other_corpus(tiny: Path, tmp_path: Path):
    again = corpus.generate(tmp_path / "again", reports=3)
    other = corpus.generate(tmp_path / "other", reports=3, seed=8)
    names = sorted(p.name for p in (tiny / "graph_data").glob("synthetic-*.trig"))
    assert names == ["synthetic-0001.trig", "synthetic-0002.trig"]
    match, mismatch, errors = filecmp.cmpfiles(tiny / "graph_data", again / "graph_data", names, shallow=False)
    assert (match, mismatch, errors) == (names, [], [])
    assert (other / "graph_data" / names[0]).read_bytes() != (tiny / "graph_data" / names[0]).read_bytes()


def test_every_synthetic_fact_sits_in_an_assertion_graph_with_a_quote_at_its_offsets(tiny: Path):
    ds = load(tiny, cache=False)
    texts = {e["id"]: (tiny / "graph_data" / "sources" / e["file"]).read_text(encoding="utf-8")
             for e in json.loads((tiny / "graph_data" / "sources" / "sources.json").read_text(encoding="utf-8"))
             if e["id"].startswith("synthetic-")}
    rows = list(ds.query("""
        SELECT ?g ?exact ?start ?end ?doc WHERE {
          GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> {
            ?g hto:evidence hto:StatedInSource ; prov:wasDerivedFrom ?q .
            ?q oa:exact ?exact ; oa:start ?start ; oa:end ?end ; hto:inDocument ?doc . }
          FILTER (STRSTARTS(STR(?doc), "https://w3id.org/hetao-kg/id/doc/synthetic-"))
        }""", initNs={"hto": "https://w3id.org/hetao-kg/ontology#", "prov": "http://www.w3.org/ns/prov#",
                       "oa": "http://www.w3.org/ns/oa#"}))
    assert len(rows) > 2 * 100  # about 110 quoted assertions per report
    for g, exact, start, end, doc in rows:
        text = texts[str(doc).rsplit("/", 1)[1]]
        assert text[int(start):int(end)] == str(exact)
        assert len(list(ds.graph(g).triples((None, None, None)))) > 0


def test_a_report_is_about_3500_triples_and_the_cli_reads_the_root(tiny: Path):
    real = len(load(cache=False, inference=False))  # stated data, as the sizes are counted
    assert 3000 < (len(load(tiny, cache=False, inference=False)) - real) / 2 < 4000
    out = subprocess.run(
        [sys.executable, "-m", "hetao_kg.cli", "--data-root", str(tiny), "query", "--format", "csv",
         "SELECT (COUNT(DISTINCT ?z) AS ?n) WHERE { ?z a hto:CooperationZone }"],
        capture_output=True, text=True, encoding="utf-8", check=True)
    assert out.stdout.split() == ["n", "3"]


def _quads(ds) -> set:
    return {(s, p, o, g.identifier if hasattr(g, "identifier") else g) for s, p, o, g in ds.quads((None, None, None, None))}


def _ground(quads) -> set:
    from rdflib import BNode

    return {q for q in quads if not any(isinstance(t, BNode) for t in q)}


@pytest.mark.parametrize("inference, stated", [(True, False), (False, False), (True, True)])
def test_the_oxigraph_build_derives_the_memory_stores_quads(tiny: Path, tmp_path: Path, inference: bool, stated: bool):
    """The embedded store derives sentences, zh-Hant labels and entailments next to Oxigraph
    (hetao_kg.data.derived), not in rdflib: the same quads as the memory store, on
    three reports (shared entities restated, owl:sameAs twins, every kind of fact)."""
    from hetao_kg.data.graph import stated_only
    from hetao_kg.data.inference import GRAPH_INFERRED
    from hetao_kg.store import OxigraphStore

    ds = load(tiny, cache=False, inference=inference)
    if stated:
        ds = stated_only(ds)
    want = _quads(ds)
    store = OxigraphStore(tmp_path / "ox", root=tiny, inference=inference, stated_only=stated)
    got = {(r["s"], r["p"], r["o"], r["g"]) for r in store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
    assert _ground(got) == _ground(want)
    assert len(got) == len(want)  # blank nodes get new names in every parse: count them
    assert any(g == GRAPH_INFERRED for *_, g in want) == inference
    union = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].toPython()
    assert union == len({(s, p, o) for s, p, o, _ in want})  # the default graph: the union, each triple once


def test_entailments_by_pattern_only_when_every_rule_has_one_data_premise(tiny: Path, tmp_path: Path):
    """A transitive property joins two data triples: then the build reasons over the whole graph."""
    import pyoxigraph as ox
    from rdflib.namespace import OWL, RDF

    from hetao_kg.data.graph import data_files
    from hetao_kg.namespaces import HTO
    from hetao_kg.data import derived
    from hetao_kg.store.database import fill

    store = ox.Store()
    fill(store, data_files(tiny), tmp_path, inference=False)
    assert derived._entailment_patterns(store) is not None  # today's ontology: one premise each
    assert not derived.single_premise([(HTO.broughtIn, RDF.type, OWL.TransitiveProperty)])
    store.add(ox.Quad(ox.NamedNode(str(HTO.broughtIn)), ox.NamedNode(str(RDF.type)),
                      ox.NamedNode(str(OWL.TransitiveProperty)), ox.NamedNode("https://w3id.org/hetao-kg/id/graph/ontology")))
    assert derived._entailment_patterns(store) is None


def test_the_split_from_inferences_asks_only_about_its_own_terms(tiny: Path, tmp_path: Path, monkeypatch):
    """hetao_kg.data.inference.from_inferences leaves out what cannot bear on a candidate
    (schema-given candidates, other things' types) when every rule has one data premise:
    on three reports it keeps apart exactly what the full closure of the terms' triples does,
    from a far smaller input."""
    from hetao_kg.data import inference
    from hetao_kg.data.inference import GRAPH_FROM_INFERENCES, GRAPH_INFERRED
    from hetao_kg.store import OxigraphStore

    sizes = []
    real_closure = inference.closure

    def measured(triples):
        triples = list(triples)
        sizes.append(len(triples))
        return real_closure(triples)

    monkeypatch.setattr(inference, "closure", measured)
    query = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ <{GRAPH_INFERRED}> <{GRAPH_FROM_INFERENCES}> }} GRAPH ?g {{ ?s ?p ?o }} }}"

    def split(location):
        store = OxigraphStore(location, root=tiny)
        return {(r["s"], r["p"], r["o"], r["g"]) for r in store.select(query).rows}

    pruned = split(tmp_path / "pruned")
    pruned_input = sizes[-1]
    # the things around a candidate that nothing else names stand in once per (predicate,
    # far end): one report or three, owlrl is asked about the same few triples
    one = corpus.generate(tmp_path / "one", reports=1)
    OxigraphStore(tmp_path / "one-db", root=one).select(query)
    assert abs(pruned_input - sizes[-1]) <= 10, (sizes[-1], pruned_input)
    monkeypatch.setattr(inference, "single_premise", lambda triples: False)  # the full closure of every term's triples
    full = split(tmp_path / "full")
    assert pruned == full and any(g == GRAPH_FROM_INFERENCES for *_, g in full)
    assert pruned_input * 2 < sizes[-1], (pruned_input, sizes[-1])  # 2,016 against 4,676 triples
