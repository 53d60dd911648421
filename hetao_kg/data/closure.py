"""The OWL 2 RL closure that owlrl computes, remembered by its input.

owlrl is most of what building the graph costs (about 5 s of a 6 s build, in three
closures of a few thousand triples each), and its answer depends on nothing but the
triples it is given. :func:`expand` therefore keys every closure by its input, written
canonically (sorted N-Triples, blank nodes labelled by :mod:`rdflib.compare`, so two
parses of the same files give the same key), and looks the key up in

1. ``graph_data/closures/`` — the closures the shipped data needs, written by
   ``make closures`` (``python -m hetao_kg.store.closures``); ``tests/test_closure.py``
   fails when they no longer match the data, so a fresh install builds without owlrl;
2. the user's cache (kind ``closures``), for data the curators or ``ingest`` changed;

and runs owlrl only when neither has it (then caches the answer). An entry holds the
triples owlrl added, as sorted N-Triples; nothing in it is executed.

>>> from rdflib import Graph, Namespace, RDF, RDFS
>>> ex = Namespace("https://example.org/")
>>> g = Graph()
>>> _ = g.add((ex.Cat, RDFS.subClassOf, ex.Animal)).add((ex.tom, RDF.type, ex.Cat))
>>> expand(g)
>>> (ex.tom, RDF.type, ex.Animal) in g
True
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .. import cache
from ..paths import data_path

__all__ = ["SHIPPED", "closure", "closure_key", "expand", "nt", "ship"]

#: the closures the shipped data needs (``make closures`` writes them)
SHIPPED = data_path("graph_data", "closures")
_SUFFIX = ".nt.gz"
_SETTINGS = "owlrl {version} OWLRL_Semantics axiomatic_triples=False datatype_axioms=False"

#: the keys :func:`expand` looked up in this process, in order (``make closures`` keeps these)
used: list[str] = []


#: characters that end a line for Python's str.splitlines besides \n and \r (a form feed,
#: U+0085, U+2028 …): escaped, so that a label holding one stays on its N-Quads line
_LINE_BREAKS = {c: f"\\u{ord(c):04X}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def _esc(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if any(c in out for c in _LINE_BREAKS):
        out = "".join(_LINE_BREAKS.get(c, c) for c in out)
    return out


def nt(term) -> str:
    """An rdflib term in N-Triples syntax (language tags as written)."""
    if isinstance(term, Literal):
        if term.language:
            return f'"{_esc(str(term))}"@{term.language}'
        if term.datatype is not None:
            return f'"{_esc(str(term))}"^^<{term.datatype}>'
        return f'"{_esc(str(term))}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def _line(triple, labels: dict) -> str:
    return " ".join(f"_:{labels[t]}" if isinstance(t, BNode) else nt(t) for t in triple) + " .\n"


_labelled: dict[frozenset, dict] = {}


def _canonical_labels(graph) -> dict:
    """Each blank node of ``graph`` -> a label that depends only on the graph's shape."""
    from rdflib.compare import _TripleCanonicalizer

    # Only the triples with a blank node need labelling: the labels are canonical for that
    # part of the graph, which the graph determines, and every other triple is written as it is.
    triples = frozenset(t for t in graph if any(isinstance(term, BNode) for term in t))
    if triples in _labelled:  # one build asks three times about the same ontology lists
        return _labelled[triples]
    part = Graph()
    for triple in triples:
        part.add(triple)
    labels: dict = {}
    # canonical_triples() walks the graph in the same order as iterating it does
    for triple, canonical in zip(part, _TripleCanonicalizer(part).canonical_triples()):
        for term, label in zip(triple, canonical):
            if isinstance(term, BNode):
                labels[term] = f"c{label}"
    if len(_labelled) > 8:
        _labelled.clear()
    _labelled[triples] = labels
    return labels


def closure_key(graph) -> tuple[str, dict]:
    """(the key of the closure of ``graph`` (a Graph or a set of triples), its blank nodes' canonical labels)."""
    import owlrl

    labels = _canonical_labels(graph)
    digest = hashlib.sha256(_SETTINGS.format(version=owlrl.__version__).encode("ascii") + b"\n")
    for line in sorted(_line(t, labels) for t in graph):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()[:40], labels


def _remembered(key: str) -> bytes | None:
    shipped = SHIPPED / f"{key}{_SUFFIX}"
    if shipped.is_file():
        return shipped.read_bytes()
    return cache.read_entry("closures", key, _SUFFIX)


_TERM = re.compile(r'<([^>]*)>|_:(\w+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?')
_UNESCAPE = re.compile(r"\\(u[0-9A-F]{4}|.)")
_UNESCAPED = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}


def _unescaped(match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if len(code) == 5 else _UNESCAPED[code]


def _added(data: bytes, labels: dict) -> list[tuple]:
    """The triples of a remembered closure, its blank nodes the input's own. The lines are
    N-Triples generalized as owlrl's output is (a literal may be a subject); a plain
    literal and an ``xsd:string`` one stay apart, as in rdflib."""
    nodes = {label: node for node, label in labels.items()}
    out = []
    for line in data.decode("utf-8").split("\n")[:-1]:
        terms, at = [], 0
        for _ in range(3):
            m = _TERM.match(line, at)
            if m is None:
                raise ValueError(f"not a closure line: {line[:80]!r}")
            iri, label, text, lang, datatype = m.groups()
            if iri is not None:
                terms.append(URIRef(iri))
            elif label is not None:
                terms.append(nodes[label])
            else:
                value = _UNESCAPE.sub(_unescaped, text)
                terms.append(Literal(value, lang=lang) if lang else Literal(value, datatype=datatype and URIRef(datatype)))
            at = m.end() + 1
        if line[at - 1:] != " .":
            raise ValueError(f"not a closure line: {line[:80]!r}")
        out.append(tuple(terms))
    return out


def _owlrl(graph: Graph) -> None:
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)


def closure(triples) -> set[tuple]:
    """The OWL 2 RL closure of ``triples`` (the input included) as a set, as
    ``owlrl.DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand``
    computes it, from a remembered answer when there is one (see the module's text): then
    no rdflib graph is built at all."""
    given = set(triples)
    key, labels = closure_key(given)
    used.append(key)
    data = _remembered(key)
    if data is not None:
        try:
            return given.union(_added(gzip.decompress(data), labels))
        except (KeyError, ValueError, OSError, EOFError):  # a label it does not know: computed afresh below
            pass
    graph = Graph()
    for triple in given:
        graph.add(triple)
    _owlrl(graph)
    out = set(graph)
    added = out - given
    if not any(isinstance(term, BNode) and term not in labels for t in added for term in t):
        # (owlrl made no blank node of its own: the answer can be remembered)
        lines = "".join(sorted(_line(t, labels) for t in added)).encode("utf-8")
        cache.write_entry("closures", key, _SUFFIX, gzip.compress(lines, mtime=0))
    return out


def expand(graph: Graph) -> None:
    """Add to ``graph`` its OWL 2 RL closure (:func:`closure`)."""
    before = set(graph)
    for triple in closure(before) - before:
        graph.add(triple)


def ship(keys: list[str]) -> list[Path]:
    """Write the remembered closures ``keys`` into :data:`SHIPPED` and drop every other
    file there (``make closures``, via :mod:`hetao_kg.store.closures`)."""
    SHIPPED.mkdir(parents=True, exist_ok=True)
    written = []
    for key in dict.fromkeys(keys):
        data = _remembered(key)
        if data is None:
            raise RuntimeError(f"the closure {key} is not remembered (owlrl made blank nodes of its own)")
        target = SHIPPED / f"{key}{_SUFFIX}"
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
    for stale in SHIPPED.glob(f"*{_SUFFIX}"):
        if stale not in written:
            stale.unlink()
    return written
