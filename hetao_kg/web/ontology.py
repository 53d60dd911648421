"""The ontology documented from its own files: classes, properties (domains and
ranges), labels in both languages, definitions and the SHACL constraints on each.

>>> doc = ontology_doc()
>>> uni = next(c for c in doc.classes if c.name == "University")
>>> uni.labels["zh-Hans"], [s.name for s in uni.parents]
('高校', ['Organization'])
>>> any(s.name == "UniversityProjects" for s in doc.shapes)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..data.graph import data_files, parse_file, to_traditional
from ..namespaces import HTO, PREFIXES

__all__ = ["OntologyDoc", "Term", "Ref", "Shape", "ontology_doc"]

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Ref:
    """A reference to a term: its IRI, compact name, and an in-page anchor when it is ours."""

    iri: str
    name: str
    anchor: str | None


@dataclass
class Term:
    """A class or property of the ontology."""

    iri: str
    name: str
    kind: str
    labels: dict[str, str]
    definition: str
    parents: list[Ref] = field(default_factory=list)
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)


@dataclass
class Shape:
    """A SHACL node shape: its targets and property constraints (as readable lines)."""

    name: str
    comment: str
    targets: list[Ref]
    constraints: list[str]


@dataclass
class OntologyDoc:
    """The whole documentation: ontology metadata, classes, properties, shapes."""

    title: str
    iri: str
    classes: list[Term]
    properties: list[Term]
    shapes: list[Shape]
    turtle: str


def _ref(g: Graph, node) -> list[Ref]:
    if isinstance(node, BNode):
        for key in (OWL.unionOf, OWL.intersectionOf):
            lst = g.value(node, key)
            if lst is not None:
                return [r for item in Collection(g, lst) for r in _ref(g, item)]
        return []
    iri = str(node)
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            name = iri[len(str(ns)):] if prefix == "hto" else f"{prefix}:{iri[len(str(ns)):]}"
            return [Ref(iri, name, iri[len(str(ns)):] if prefix == "hto" else None)]
    return [Ref(iri, iri, None)]


def _sorted(g: Graph, nodes) -> list[Ref]:
    """References in a stable order (rdflib's own order varies between processes)."""
    return sorted((r for n in nodes for r in _ref(g, n)), key=lambda r: r.name)


def _labels(g: Graph, node) -> dict[str, str]:
    out: dict[str, str] = {}
    for lit in g.objects(node, RDFS.label):
        if isinstance(lit, Literal):
            out.setdefault(lit.language or "", str(lit))
    if "zh-Hans" in out and "zh-Hant" not in out:
        out["zh-Hant"] = to_traditional(out["zh-Hans"])
    return out


def _path(g: Graph, node) -> str:
    if isinstance(node, BNode):
        inv = g.value(node, URIRef(SH + "inversePath"))
        if inv is not None:
            return "^" + _path(g, inv)
        if (node, RDF.first, None) in g:
            return "/".join(_path(g, n) for n in Collection(g, node))
        alt = g.value(node, URIRef(SH + "alternativePath"))
        if alt is not None:
            return "|".join(_path(g, n) for n in Collection(g, alt))
        return "[]"
    return _ref(g, node)[0].name


def _constraint(g: Graph, prop) -> str:
    path = g.value(prop, URIRef(SH + "path"))
    parts = [_path(g, path) if path is not None else "(node)"]
    for key in ("class", "datatype", "nodeKind", "minCount", "maxCount", "qualifiedMinCount", "qualifiedMaxCount",
                "minLength", "pattern", "hasValue", "minInclusive", "in", "languageIn"):
        for value in g.objects(prop, URIRef(SH + key)):
            if (value, RDF.first, None) in g:
                shown = ", ".join(str(v) for v in Collection(g, value))
            else:
                shown = _ref(g, value)[0].name if isinstance(value, URIRef) else str(value)
            parts.append(f"{key} {shown}")
    qvs = g.value(prop, URIRef(SH + "qualifiedValueShape"))
    if qvs is not None:
        inner = [f"{k} {', '.join(str(v) for v in Collection(g, o)) if (o, RDF.first, None) in g else _ref(g, o)[0].name if isinstance(o, URIRef) else o}"
                 for k in ("datatype", "class", "languageIn") for o in g.objects(qvs, URIRef(SH + k))]
        parts.append("values shaped [" + "; ".join(inner) + "]")
    message = g.value(prop, URIRef(SH + "message"))
    text = " · ".join(parts)
    return f"{text} — “{message}”" if message else text


def _shapes(shapes: Graph) -> list[Shape]:
    out = []
    for node in sorted(set(shapes.subjects(RDF.type, URIRef(SH + "NodeShape"))), key=str):
        targets: list[Ref] = []
        for key in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"):
            for t in shapes.objects(node, URIRef(SH + key)):
                targets += [Ref(r.iri, (r.name if key == "targetClass" else f"{key} {r.name}"), r.anchor)
                            for r in _ref(shapes, t)]
        targets.sort(key=lambda r: r.name)
        constraints = [_constraint(shapes, p) for p in shapes.objects(node, URIRef(SH + "property"))]
        if (node, URIRef(SH + "sparql"), None) in shapes:
            for sparql in shapes.objects(node, URIRef(SH + "sparql")):
                msg = shapes.value(sparql, URIRef(SH + "message"))
                constraints.append(f"SPARQL constraint — “{msg}”" if msg else "SPARQL constraint")
        comment = shapes.value(node, RDFS.comment)
        name = str(node).rsplit("#", 1)[-1]
        out.append(Shape(name, str(comment) if comment else "", targets, sorted(constraints)))
    return out


@lru_cache(maxsize=4)
def _cached(root: str | None) -> OntologyDoc:
    files = data_files(root)
    g = Graph()
    for path in files.ontology:
        for triple in parse_file(path).quads((None, None, None, None)):
            g.add(triple[:3])
    shapes = Graph()
    for triple in parse_file(files.shapes).quads((None, None, None, None)):
        shapes.add(triple[:3])
    shape_list = _shapes(shapes)
    by_target: dict[str, list[str]] = {}
    for shape in shape_list:
        for t in shape.targets:
            by_target.setdefault(t.iri, []).append(shape.name)
    ns = str(HTO._NS)
    terms: dict[str, Term] = {}
    for kind, types in (("class", (OWL.Class,)), ("property", (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))):
        for t in types:
            for node in g.subjects(RDF.type, t):
                iri = str(node)
                if not isinstance(node, URIRef) or not iri.startswith(ns) or iri in terms:
                    continue
                definition = g.value(node, SKOS.definition) or g.value(node, RDFS.comment) or ""
                term = Term(iri, iri[len(ns):], kind if kind == "class" else _ref(g, t)[0].name.split(":")[-1],
                            _labels(g, node), str(definition))
                term.parents = _sorted(g, g.objects(node, RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf))
                term.domain = _sorted(g, g.objects(node, RDFS.domain))
                term.range = _sorted(g, g.objects(node, RDFS.range))
                term.inverse = _sorted(g, g.objects(node, OWL.inverseOf))
                term.shapes = sorted(by_target.get(iri, []))
                terms[iri] = term
    onto = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    titles = sorted((0 if (t.language or "") == "en" else 1, str(t)) for p in (URIRef("http://purl.org/dc/terms/title"), RDFS.label)
                    for t in (g.objects(onto, p) if onto is not None else ()) if isinstance(t, Literal))
    title = titles[0][1] if titles else "hetao-kg ontology"
    ordered = sorted(terms.values(), key=lambda t: t.name.lower())
    turtle = "".join(p.read_text(encoding="utf-8") for p in files.ontology)
    return OntologyDoc(title, str(onto) if onto else ns, [t for t in ordered if t.kind == "class"],
                       [t for t in ordered if t.kind != "class"], shape_list, turtle)


def ontology_doc(root: str | Path | None = None) -> OntologyDoc:
    """Read the ontology and shapes files (cached per data root)."""
    return _cached(str(root) if root else None)
