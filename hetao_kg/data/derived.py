"""The derived graphs of the embedded store, computed next to Oxigraph, not in rdflib.

:func:`hetao_kg.data.graph.load` derives three things from the loaded files: the sentence
nodes of every source text, zh-Hant labels of the zh-Hans ones and (with inference)
the OWL 2 RL entailments. The memory store computes them in an rdflib ``Dataset``;
at 3.5M triples that costs minutes and gigabytes (owlrl walks every triple, many
times). Here the same triples are produced for the Oxigraph bulk loader:

* sentence nodes and zh-Hant labels are written as N-Quads text, straight from the
  normalized documents and from the labels Oxigraph finds;
* the entailments come from owlrl run on a small graph: the ontology, the schema
  triples of the data and one *representative* triple, with fresh placeholder terms,
  for every kind of data triple (its predicate, and its object when the ontology
  names it). When every OWL RL rule that can fire has a single data premise (true
  when the ontology uses no transitive, functional or chained properties, no
  value restrictions, keys, intersections or cardinalities: :func:`single_premise`),
  each entailment of a data triple is the entailment of its representative with the
  placeholders replaced, so a SPARQL ``CONSTRUCT`` per entailment pattern writes
  them all. Otherwise the whole graph goes through owlrl as in the memory store.

The results are the same triples as the memory store's (``tests/test_stores.py``,
``tests/test_corpus.py`` compare them quad for quad).
"""

from __future__ import annotations

from itertools import chain, islice
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .closure import _esc, closure, nt
from .graph import GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_ZH_HANT, DataFiles, record_machine_conversion, to_traditional, zh_hant_overrides
from .inference import _DULL_PREDICATES, _DULL_TYPES, GRAPH_INFERRED, entailments, single_premise
from ..namespaces import HTO, KG

__all__ = ["add_derived", "add_inferred", "single_premise"]

_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_RDF_TYPE = str(RDF.type)
_OWL_NS, _RDFS_NS, _RDF_NS = str(OWL), str(RDFS), str(RDF)
_OWN = (str(KG), str(HTO._NS))

# OWL RL constructs whose rules join two or more data triples (or derive owl:sameAs from them)
# data triples that are schema: they go into owlrl's graph as they are
_SCHEMA_PREDICATES = (f"{_RDFS_NS}subClassOf", f"{_RDFS_NS}subPropertyOf", f"{_RDFS_NS}domain", f"{_RDFS_NS}range",
                      f"{_RDF_NS}first", f"{_RDF_NS}rest")


#: quads per bulk load: Oxigraph's bulk loader sorts up to a million quads in memory
#: per batch (2.6 GB at 3.5M triples); batches of this size keep a build under 0.5 GB
#: at the same CPU cost.
CHUNK = 200_000


def _bulk_load_lines(store, path: Path, fmt, to_graph=None) -> None:
    """Bulk-load a line-based (N-Quads, N-Triples) file in batches of :data:`CHUNK` lines
    (only for files without blank nodes: each batch is a document of its own)."""
    with open(path, "rb") as fh:
        while True:
            lines = list(islice(fh, CHUNK))
            if not lines:
                return
            if to_graph is None:
                store.bulk_load(input=b"".join(lines), format=fmt)
            else:
                store.bulk_load(input=b"".join(lines), format=fmt, to_graph=to_graph)


def _bulk_extend(store, quads) -> None:
    """``store.bulk_extend`` in batches of :data:`CHUNK` quads (never all in a list)."""
    quads = iter(quads)
    while True:
        first = next(quads, None)
        if first is None:
            return
        store.bulk_extend(chain((first,), islice(quads, CHUNK - 1)))


def _provenance_lines(graph: URIRef, agent: str, comment: str) -> list[str]:
    prov = Graph()
    record_machine_conversion(prov, graph, agent, comment)
    return [f"{nt(s)} {nt(p)} {nt(o)} <{GRAPH_PROVENANCE}> .\n" for s, p, o in sorted(prov)]


_ZH_HANT_COMMENT = ("zh-Hant labels converted from the zh-Hans labels by OpenCC s2hk (Hong Kong standard forms), "
                    "then graph_data/zh-hant-overrides.json (official names, variant characters).")
_INFERRED_COMMENT = ("RDFS / OWL 2 RL entailments of the asserted graphs, materialized by owlrl "
                     "(inferred, not stated in any source).")

_ZH_HANS_LABELS = """
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#prefLabel>
              <http://www.w3.org/2004/02/skos/core#altLabel> }
  GRAPH ?g { ?s ?p ?o } FILTER (isLiteral(?o) && LCASE(LANG(?o)) = "zh-hans")
}"""


def _source_lines(files: DataFiles, hans: list[tuple[str, str, str]]) -> Iterable[str]:
    """What :func:`hetao_kg.source.sources.source_text_graph` adds for every source, as N-Quads lines."""
    from ..source.sources import source_documents

    rdf, hto, oa, dct = _RDF_NS, str(HTO._NS), "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/"
    label = f"<{_RDFS_NS}label>"
    prov = f"<{GRAPH_PROVENANCE}>"
    for doc in source_documents(files.sources).values():
        doc_iri = f"<{doc.iri}>"
        g = f"<{KG[f'graph/source-text/{doc.id}']}>"
        yield f"{doc_iri} <{rdf}type> <{hto}SourceDocument> {g} .\n"
        for lang, text in doc.label.items():
            yield f'{doc_iri} {label} "{_esc(text)}"@{lang} {g} .\n'
            if lang.lower() == "zh-hans":
                hans.append((str(doc.iri), f"{_RDFS_NS}label", text))
        yield f'{doc_iri} <{dct}source> "{_esc(f"graph_data/sources/{doc.path.name}")}" {g} .\n'
        paragraphs: set[int] = set()
        base = f"{KG}doc/{doc.id}/"
        for s in doc.sentences:
            iri = f"<{base}{s.id}>"
            if doc.segmentation == "sentences":
                para = f"<{base}p{s.paragraph:02d}>"
                if s.paragraph not in paragraphs:
                    paragraphs.add(s.paragraph)
                    yield (f"{para} <{rdf}type> <{hto}Paragraph> {g} .\n"
                           f'{para} <{hto}paragraphNumber> "{s.paragraph}"^^<{_XSD_INTEGER}> {g} .\n'
                           f"{para} <{hto}inDocument> {doc_iri} {g} .\n"
                           f'{para} {label} "{_esc(f"{doc.id} ¶{s.paragraph}")}"@en {g} .\n')
                yield f"{iri} <{dct}isPartOf> {para} {g} .\n"
            yield (f"{iri} <{rdf}type> <{hto}Sentence> {g} .\n"
                   f'{iri} {label} "{_esc(f"{doc.id} {s.id}")}"@en {g} .\n'
                   f"{iri} <{hto}inDocument> {doc_iri} {g} .\n"
                   f'{iri} <{hto}paragraphNumber> "{s.paragraph}"^^<{_XSD_INTEGER}> {g} .\n'
                   f'{iri} <{hto}sentenceNumber> "{s.number}"^^<{_XSD_INTEGER}> {g} .\n'
                   f'{iri} <{oa}start> "{s.start}"^^<{_XSD_INTEGER}> {g} .\n'
                   f'{iri} <{oa}end> "{s.end}"^^<{_XSD_INTEGER}> {g} .\n'
                   f'{iri} <{rdf}value> "{_esc(s.text)}" {g} .\n')
        yield (f"{g} <{rdf}type> <{hto}Assertion> {prov} .\n"
               f"{g} <{hto}evidence> <{hto}MachineConversion> {prov} .\n"
               f"{g} <http://www.w3.org/ns/prov#wasDerivedFrom> {doc_iri} {prov} .\n")


def _traditional(texts: list[str], overrides) -> list[str]:
    """:func:`hetao_kg.data.graph.to_traditional` of every text, in one OpenCC call when no
    text or override phrase holds a line break (OpenCC's phrases never span one)."""
    if texts and not any("\n" in t for t in (*texts, *overrides[0])):
        out = to_traditional("\n".join(texts), overrides).split("\n")
        if len(out) == len(texts):
            return out
    return [to_traditional(t, overrides) for t in texts]


def _write(fh, lines: Iterable[str], union: bool) -> None:
    """N-Quads lines, each followed by its triple in the default graph when ``union``."""
    if not union:
        fh.writelines(lines)
        return
    for line in lines:
        fh.write(line)
        for one in line.split("\n")[:-1]:  # "\n" alone ends an N-Quads line here (see _esc)
            fh.write(one[:one.rindex(" <", 0, -2)] + " .\n")


def add_derived(store, files: DataFiles, workdir: Path, *, union: bool = False) -> None:
    """Bulk-load into ``store`` (pyoxigraph) what :func:`hetao_kg.data.graph._add_derived`
    adds: the source texts' sentence graphs and the zh-Hant labels, with their provenance
    (and, with ``union``, each of those triples in the default graph too)."""
    import pyoxigraph as ox

    hans = [(r["s"].value, r["p"].value, r["o"].value) for r in store.query(_ZH_HANS_LABELS)]
    out = workdir / "derived.nq"
    hant = f"<{GRAPH_ZH_HANT}>"
    with open(out, "w", encoding="utf-8") as fh:
        _write(fh, _source_lines(files, hans), union)
        texts = sorted({text for _, _, text in hans})
        converted = dict(zip(texts, _traditional(texts, zh_hant_overrides(files.zh_hant_overrides))))
        _write(fh, (f'<{s}> <{p}> "{_esc(converted[text])}"@zh-Hant {hant} .\n' for s, p, text in hans), union)
        _write(fh, _provenance_lines(GRAPH_ZH_HANT, "opencc-s2hk", _ZH_HANT_COMMENT), union)
    _bulk_load_lines(store, out, ox.RdfFormat.N_QUADS)
    out.unlink()


# --- entailments ---------------------------------------------------------------------------------

def _rdflib(term):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == "http://www.w3.org/2001/XMLSchema#string" else URIRef(dt))


def _sparql(term) -> str:
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^<{term.datatype}>' if term.datatype is not None else f'"{text}"'
    return f"<{term}>"


_KINDS = "SELECT DISTINCT ?p ?lit WHERE { GRAPH ?g { ?s ?p ?o } BIND (isLiteral(?o) AS ?lit) }"
_TYPES = f"SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ ?s <{_RDF_TYPE}> ?o }} FILTER (isIRI(?o)) }}"


def _schema_namespace(term) -> bool:
    return str(term).startswith((_OWL_NS, _RDFS_NS, _RDF_NS))


def _everything(store) -> Graph:
    """Every triple of the store as one rdflib graph (what the memory store reasons over)."""
    import pyoxigraph as ox

    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    graph = Graph()
    graph.parse(data=data.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return graph


def _triples(store, query: str) -> list[tuple]:
    seen: dict = {}  # rows repeat their predicates and classes: convert each term once

    def conv(term):
        found = seen.get(term)
        if found is None:
            found = seen[term] = _rdflib(term)
        return found

    return [(conv(r["s"]), conv(r["p"]), conv(r["o"])) for r in store.query(query, prefixes={"rdf": _RDF_NS})]


class _Placeholders:
    """Fresh terms standing for the subject and object of every kind of data triple."""

    def __init__(self):
        self.kinds: dict[URIRef, tuple] = {}  # placeholder -> (predicate, object or None, object is a literal)
        self.literals: dict[Literal, URIRef] = {}

    def triple(self, p: URIRef, o=None, *, literal: bool = False) -> tuple:
        n = len(self.kinds)
        s = URIRef(f"urn:hetao-kg:placeholder:{n}:s")
        self.kinds[s] = (p, o, literal)
        if o is None:
            if literal:
                o = Literal(f"urn:hetao-kg:placeholder:{n}:o")
                self.literals[o] = s
            else:
                o = URIRef(f"urn:hetao-kg:placeholder:{n}:o")
        return (s, p, o)

    def owner(self, term) -> URIRef | None:
        """The subject placeholder of the kind ``term`` stands in (None: a real term)."""
        if isinstance(term, Literal):
            return self.literals.get(term)
        if isinstance(term, URIRef) and str(term).startswith("urn:hetao-kg:placeholder:"):
            n = str(term).rsplit(":", 2)[1]
            return URIRef(f"urn:hetao-kg:placeholder:{n}:s")
        return None


_INDIVIDUAL_TYPES = {OWL.Thing, OWL.NamedIndividual, RDFS.Resource}


def _keep(s, p, o, twins: set) -> bool:
    """The filter of :func:`hetao_kg.data.inference.entailments` on the terms that are known."""
    if s is not None and (not isinstance(s, URIRef) or not str(s).startswith(_OWN)):
        return False
    if o is not None and (o in twins or isinstance(o, BNode)):
        return False
    if p in _DULL_PREDICATES or (p == RDF.type and o in _DULL_TYPES):
        return False
    if str(p).startswith((_OWL_NS, str(HTO._NS))) or (p == RDF.type and isinstance(o, Literal)):
        return False
    return not (s is not None and s == o)


def _entailment_patterns(store) -> tuple[list[tuple], list[tuple]] | None:
    """(entailed triples without data terms, [(kind, template)]) or None when the
    rules join data triples (then only the whole graph gives the answer)."""
    schema = _triples(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}")
    kinds = [(URIRef(r["p"].value), r["lit"].value == "true") for r in store.query(_KINDS)]
    # schema in the data files: OWL and RDFS axioms, and rdf:type owl:Class and the like
    axioms = sorted({p for p, _ in kinds if str(p).startswith(_OWL_NS) or str(p) in _SCHEMA_PREDICATES})
    metatypes = sorted(URIRef(r["o"].value) for r in store.query(_TYPES) if _schema_namespace(r["o"].value))
    outside = f"FILTER (?g != <{GRAPH_ONTOLOGY}>)"
    if axioms:
        schema += _triples(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in axioms)} }} "
                                  f"GRAPH ?g {{ ?s ?p ?o }} {outside} }}")
    if metatypes:
        schema += _triples(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?o {{ {' '.join(f'<{o}>' for o in metatypes)} }} "
                                  f"BIND (<{_RDF_TYPE}> AS ?p) GRAPH ?g {{ ?s ?p ?o }} {outside} }}")
    if not single_premise(schema):
        return None
    named = {t for triple in schema for t in triple if isinstance(t, URIRef)}
    values = " ".join(f"<{t}>" for t in sorted(named))
    about = _triples(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    holders = _Placeholders()
    # schema triples are in the graph as they are: no placeholders for them
    reps = [holders.triple(p, literal=lit) for p, lit in kinds if p not in axioms and str(p) not in _SCHEMA_PREDICATES]
    specific = store.query(f"SELECT DISTINCT ?p ?o WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    reps += [holders.triple(p, o) for p, o in ((URIRef(r["p"].value), URIRef(r["o"].value)) for r in specific)
             if p not in axioms and str(p) not in _SCHEMA_PREDICATES and not (p == RDF.type and o in metatypes)]
    given = set(schema) | set(about) | set(reps)
    constants, templates = [], []
    schema_out = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDF.first, RDF.rest}
    for triple in closure(given) - given:
        owners = {holders.owner(t) for t in triple} - {None}
        if not owners:
            constants.append(triple)
        elif (len(owners) > 1 or triple[1] in schema_out or holders.owner(triple[1]) is not None
              or (triple[1] == RDF.type and _schema_namespace(triple[2]) and triple[2] not in _INDIVIDUAL_TYPES
                  and not isinstance(triple[0], Literal))):
            return None  # a rule joined two kinds of data triple or made schema from data
        else:
            templates.append((holders.kinds[owners.pop()], triple))
    return constants, templates


def _placeholder_var(term) -> str | None:
    """``?s`` or ``?o`` for a kind's placeholder in a template, None for a real term."""
    if isinstance(term, (URIRef, Literal)) and str(term).startswith("urn:hetao-kg:placeholder:"):
        return "?s" if isinstance(term, URIRef) and str(term).endswith(":s") else "?o"
    return None


def _template_queries(templates: list[tuple], twins: set, *, union: bool) -> list[str]:
    """CONSTRUCTs of the templates' instances for every data triple of their kind: one
    per kind and shape (which of the template's subject and object are the kind's
    subject or object), its templates' constant terms in ``VALUES``, so each kind's
    triples are read once and only the terms the templates use are kept distinct.
    ``union``: the default graph already holds the union of the graphs, so the kind's
    triples are read there (each once, however many graphs state it) and so are the
    instances already stated anywhere."""
    groups: dict[tuple, list[tuple]] = {}
    for kind, (s, q, o) in templates:
        vs, vo = _placeholder_var(s), _placeholder_var(o)
        if _keep(None if vs else s, q, None if vo else o, twins):
            groups.setdefault((kind, vs, vo), []).append((q, None if vs else s, None if vo else o))
    queries = []
    for (kind, vs, vo), rows in groups.items():
        p, obj, literal = kind
        where = f"?s <{p}> {_sparql(obj) if obj is not None else '?o'}"
        kind_filter = "" if obj is not None else ("FILTER (isLiteral(?o))" if literal else "FILTER (!isLiteral(?o))")
        ts, to = vs or "?cs", vo or "?co"
        columns = ["?q"] + ([] if vs else ["?cs"]) + ([] if vo else ["?co"])
        values = " ".join("(" + " ".join(_sparql(t) for t in (q, cs, co) if t is not None) + ")"
                          for q, cs, co in sorted(set(rows), key=lambda r: tuple(map(str, r))))
        filters = []
        if vs:
            filters.append(f'isIRI({ts}) && (STRSTARTS(STR({ts}), "{_OWN[0]}") || STRSTARTS(STR({ts}), "{_OWN[1]}"))')
        if vo:
            filters.append(f"!isBlank({to})")
            if twins:
                filters.append(f"{to} NOT IN ({', '.join(_sparql(t) for t in sorted(twins))})")
            filters.append(f"(?q != <{_RDF_TYPE}> || !isLiteral({to}))")
        filters.append(f"!sameTerm({ts}, {to})")
        projected = " ".join(v for v in ("?s", "?o") if v in (vs, vo))
        read = where if union else f"GRAPH ?g {{ {where} }}"
        stated = f"{ts} ?q {to}" if union else f"GRAPH ?h {{ {ts} ?q {to} }}"
        queries.append(
            f"CONSTRUCT {{ {ts} ?q {to} }} WHERE {{\n"
            f"  {{ SELECT DISTINCT {projected} WHERE {{ {read} {kind_filter} }} }}\n"
            f"  VALUES ({' '.join(columns)}) {{ {values} }}\n"
            f"  FILTER ({' && '.join(filters)})\n"
            f"  FILTER NOT EXISTS {{ {stated} }}\n}}")
    return queries


def _twins(store) -> set:
    rows = store.query("SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } }")
    return {t for r in rows for t in (_rdflib(r["s"]), _rdflib(r["o"])) if not str(t).startswith(str(KG))}


def _twin_of(store, twins: set) -> dict:
    """Our entity -> its external twins (owl:sameAs), as :func:`hetao_kg.inference.entailments` finds them."""
    out: dict = {}
    rows = store.query("SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } }")
    for r in rows:
        s, o = _rdflib(r["s"]), _rdflib(r["o"])
        for own, twin in ((s, o), (o, s)):
            if twin in twins and str(own).startswith(str(KG)):
                out.setdefault(own, set()).add(twin)
    return out


def _restates_twin(store, s, p, o, twin_of: dict) -> bool:
    """Whether (s, p, o) only copies a triple about an external twin onto our entity."""
    asks = [f"{_sparql(s)} <{p}> {_sparql(t)}" for t in sorted(twin_of.get(o, ()))]
    asks += [f"{_sparql(t)} <{p}> {_sparql(o)}" for t in sorted(twin_of.get(s, ()))]
    return any(store.query(f"ASK {{ GRAPH ?g {{ {a} }} }}") for a in asks)


def add_inferred(store, workdir: Path, *, inference: bool = True, stated_only: bool = False,
                 union: bool = False) -> None:
    """Bulk-load into ``store`` what :func:`hetao_kg.data.inference.add_inferred` adds: the
    entailments as ``<graph/inferred>`` (only with ``inference``) and its provenance.

    ``stated_only``: the store holds what :func:`hetao_kg.data.graph.stated_only` keeps, which
    still has the provenance record of ``<graph/inferred>`` when the entailments are computed.
    ``union``: each triple also goes into the default graph.
    """
    import pyoxigraph as ox

    prov = workdir / "inferred-provenance.nq"
    with open(prov, "w", encoding="utf-8") as fh:
        _write(fh, _provenance_lines(GRAPH_INFERRED, "owlrl", _INFERRED_COMMENT), union)
    if stated_only:
        store.bulk_load(path=str(prov), format=ox.RdfFormat.N_QUADS)
    if inference:
        out = workdir / "inferred.nt"
        with open(out, "wb") as fh:
            patterns = _entailment_patterns(store)
            if patterns is None:  # rules that join data triples: owlrl over everything, as the memory store
                for s, p, o in sorted(entailments(_everything(store))):
                    fh.write(f"{nt(s)} {nt(p)} {nt(o)} .\n".encode("utf-8"))
            else:
                constants, templates = patterns
                twins = _twins(store)
                twin_of = _twin_of(store, twins)
                for s, p, o in constants:
                    if _keep(s, p, o, twins) and not store.query(f"ASK {{ GRAPH ?g {{ {_sparql(s)} <{p}> {_sparql(o)} }} }}") \
                            and not _restates_twin(store, s, p, o, twin_of):
                        fh.write(f"{nt(s)} {nt(p)} {nt(o)} .\n".encode("utf-8"))
                # (x p twin) restated as (x p ours) is a sameAs copy, which entailments() drops
                templates = [(kind, template) for kind, template in templates
                             if not (kind[1] is not None and kind[1] in twin_of.get(template[2], ()) and kind[0] == template[1])]
                for query in _template_queries(templates, twins, union=union):
                    fh.write(store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES))
        _bulk_load_lines(store, out, ox.RdfFormat.N_TRIPLES, ox.NamedNode(str(GRAPH_INFERRED)))
        if union:
            _bulk_load_lines(store, out, ox.RdfFormat.N_TRIPLES)
        out.unlink()
        if not stated_only:
            _split_from_inferences(store, union)
    if not stated_only:
        store.bulk_load(path=str(prov), format=ox.RdfFormat.N_QUADS)
    prov.unlink()


#: the graphs whose evidence is a curator's inference (as hetao_kg.data.graph.inferred_graphs finds them)
_CURATOR_INFERENCE_GRAPHS = """
SELECT DISTINCT ?g WHERE {
  ?kind <http://www.w3.org/2004/02/skos/core#broader>* <https://w3id.org/hetao-kg/ontology#CuratorInference> .
  GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?g <https://w3id.org/hetao-kg/ontology#evidence> ?kind }
  FILTER (isIRI(?g))
}"""


def _split_from_inferences(store, union: bool) -> None:
    """Move the entailments that follow only from curators' inferences out of
    ``<graph/inferred>`` into :data:`hetao_kg.data.inference.GRAPH_FROM_INFERENCES`, as
    :func:`hetao_kg.data.inference.add_inferred` does (the same :func:`from_inferences` decides)."""

    from .inference import GRAPH_FROM_INFERENCES, from_inferences, record_from_inferences

    curator = sorted(URIRef(r["g"].value) for r in store.query(_CURATOR_INFERENCE_GRAPHS, use_default_graph_as_union=True))
    if not curator:
        return
    graphs = " ".join(f"<{g}>" for g in curator)
    facts = _triples(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    schema = _triples(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}")
    skip = f"{graphs} <{GRAPH_ONTOLOGY}> <{GRAPH_INFERRED}>"

    def entailed(triple) -> bool:
        s, p, o = triple
        return bool(store.query(f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ {_sparql(s)} <{p}> {_sparql(o)} }} }}"))

    def around(terms):
        values = " ".join(f"<{t}>" for t in sorted(terms))
        return _triples(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?t {{ {values} }} "
                               f"{{ GRAPH ?g {{ ?t ?p ?o }} BIND (?t AS ?s) }} UNION {{ GRAPH ?g {{ ?s ?p ?t }} BIND (?t AS ?o) }} "
                               f"FILTER (?g NOT IN ({skip.replace(' ', ', ')})) }}")

    apart = from_inferences(entailed, schema, facts, around)
    if not apart:
        return
    data = " ".join(f"{_sparql(s)} <{p}> {_sparql(o)} ." for s, p, o in sorted(apart))
    prov = Graph()
    record_from_inferences(prov, curator)
    record = " ".join(f"{_sparql(s)} <{p}> {_sparql(o)} ." for s, p, o in sorted(prov))
    update = (f"DELETE DATA {{ GRAPH <{GRAPH_INFERRED}> {{ {data} }} }} ; "
              f"INSERT DATA {{ GRAPH <{GRAPH_FROM_INFERENCES}> {{ {data} }} GRAPH <{GRAPH_PROVENANCE}> {{ {record} }} }}")
    if union:
        update += f" ; INSERT DATA {{ {record} }}"
    store.update(update)
