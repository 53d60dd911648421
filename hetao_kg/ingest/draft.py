"""TriG text in the project's hand-written style, and the draft files of a review folder.

A review folder holds one sub-folder per ingested report::

    review/
      rejected.json             signatures of rejected proposals (never proposed again)
      <doc-id>/
        source.json             the registry entry (title, publisher, date, language, …)
        source.txt              the report as read (UTF-8), registered on the first accept
        normalized.txt          its normalized text: every offset refers to it
        proposals.jsonl         one proposal a line (what `hetao-kg review` reads)
        draft.trig              the same proposals as RDF: one named graph each,
                                evidence hto:MachineProposal
        decisions.json          accepted / rejected / edited / merged

The draft is never part of the curated data: ``graph_data/`` and the stores never see it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD, DCTERMS
from rdflib.namespace import SDO as SCHEMA
from rdflib.util import from_n3

from ..namespaces import HTO, KG, OA
from .extract import Proposal

__all__ = ["PREAMBLE", "term", "block", "quote_iri", "proposal_to_json", "proposal_from_json",
           "draft_blocks", "atomic_write", "read_jsonl"]

_PREFIXES = [("hto", HTO._NS), ("rdf", RDF), ("rdfs", RDFS), ("owl", OWL), ("xsd", XSD), ("skos", SKOS),
             ("dcterms", DCTERMS), ("prov", PROV), ("schema", SCHEMA), ("oa", OA._NS)]

PREAMBLE = "@base <https://w3id.org/hetao-kg/id/> .\n" + "".join(
    f"@prefix {p}:{' ' * (8 - len(p))}<{ns}> .\n" for p, ns in _PREFIXES) + "\n"


_KG = str(KG)
_PREFIX_STRS = [(p, str(ns)) for p, ns in _PREFIXES]
_RDF_TYPE = str(RDF.type)
_XSD = str(XSD)
_NUMERIC = (XSD.integer, XSD.decimal)
_IRI_CACHE: dict[str, str] = {}


def _iri_term(s: str) -> str:
    if s == _RDF_TYPE:
        return "a"
    if s.startswith(_KG):
        return f"<{s[len(_KG):]}>"
    for p, ns in _PREFIX_STRS:
        if s.startswith(ns):
            local = s[len(ns):]
            if local and all(c.isalnum() or c in "_-" for c in local):
                return f"{p}:{local}"
    return URIRef(s).n3()


def term(t) -> str:
    """A term as the curated files write it: ``<org/hku>``, ``hto:locatedIn``, ``"…"@zh-Hans``.

    >>> term(KG["org/hku"]), term(HTO.locatedIn)
    ('<org/hku>', 'hto:locatedIn')
    """
    if isinstance(t, URIRef):
        s = str(t)
        out = _IRI_CACHE.get(s)
        if out is None:
            out = _iri_term(s)
            if len(_IRI_CACHE) < 100_000:
                _IRI_CACHE[s] = out
        return out
    if isinstance(t, Literal):
        if t.datatype in _NUMERIC and t.language is None:
            return str(t)
        if t.datatype is not None and str(t.datatype).startswith(_XSD):
            return f"{Literal(str(t)).n3()}^^xsd:{str(t.datatype)[len(_XSD):]}"
        return t.n3()
    if isinstance(t, BNode):  # pragma: no cover - proposals never hold blank nodes
        raise ValueError("blank nodes are not written")
    return str(t)


def block(graph: URIRef, triples: Iterable[tuple]) -> str:
    """One ``<graph> { … }`` block, triples grouped by subject in first-seen order."""
    by_subject: dict = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, [])
        if o not in by_subject[s][p]:
            by_subject[s][p].append(o)
    lines = [f"{term(graph)} {{"]
    for s, props in by_subject.items():
        items = list(props.items())
        items.sort(key=lambda kv: kv[0] != RDF.type)
        parts = [f"{term(p)} {' , '.join(term(o) for o in objs)}" for p, objs in items]
        lines.append(f"    {term(s)} " + " ;\n        ".join(parts) + " .")
    lines.append("}")
    return "\n".join(lines) + "\n"


def quote_iri(doc_id: str, start: int, end: int) -> URIRef:
    return KG[f"quote/{doc_id}/{start}-{end}"]


def quote_triples(doc_id: str, start: int, end: int, exact: str, sentence: str) -> list[tuple]:
    q = quote_iri(doc_id, start, end)
    return [(q, RDF.type, HTO.Quote), (q, OA.exact, Literal(exact)), (q, OA.start, Literal(start)),
            (q, OA.end, Literal(end)), (q, HTO.inSentence, KG[f"doc/{doc_id}/{sentence}"]),
            (q, HTO.inDocument, KG[f"doc/{doc_id}"])]


def proposal_iri(doc_id: str, pid: str) -> URIRef:
    return KG[f"proposal/{doc_id}/{pid}"]


def draft_blocks(p: Proposal, doc_id: str) -> str:
    """The draft TriG of one proposal: its graph (what accepting adds) and its metadata."""
    g = proposal_iri(doc_id, p.id)
    meta = [(g, RDF.type, HTO.Assertion), (g, HTO.evidence, HTO.MachineProposal),
            (g, HTO.proposalKind, Literal(p.kind)), (g, HTO.proposalRule, Literal(p.rule)),
            (g, HTO.confidence, Literal(str(p.confidence), datatype=XSD.decimal)),
            (g, HTO.suggestedEvidence, p.evidence), (g, PROV.wasDerivedFrom, quote_iri(doc_id, p.quote_start, p.quote_end))]
    span = KG[f"span/{doc_id}/{p.start}-{p.end}"]
    meta.append((g, HTO.foundIn, span))
    if p.entity is not None and p.kind == "mention":
        meta.append((g, HTO.mentions, p.entity))
    if p.comment:
        meta.append((g, RDFS.comment, Literal(p.comment, lang="en")))
    for d in p.depends:
        meta.append((g, HTO.dependsOn, proposal_iri(doc_id, d)))
    meta += quote_triples(doc_id, p.quote_start, p.quote_end, p.quote, p.sentence)
    meta += [(span, RDF.type, OA.TextPositionSelector), (span, OA.exact, Literal(p.text)),
             (span, OA.start, Literal(p.start)), (span, OA.end, Literal(p.end))]
    out = block(g, p.triples) if p.triples else ""
    return out + block(KG[f"graph/draft/{doc_id}"], meta) + "\n"


def proposal_to_json(p: Proposal) -> str:
    d = {k: getattr(p, k) for k in ("id", "kind", "sentence", "start", "end", "text", "quote_start", "quote_end",
                                     "quote", "rule", "confidence", "label", "comment")}
    d["entity"] = p.entity.n3() if p.entity is not None else None
    d["cls"] = p.cls.n3() if p.cls is not None else None
    d["evidence"] = p.evidence.n3()
    d["depends"] = list(p.depends)
    d["triples"] = [[t.n3() for t in triple] for triple in p.triples]
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _n3(text: str | None):
    return from_n3(text) if text else None


def proposal_from_json(line: str) -> Proposal:
    d = json.loads(line)
    return Proposal(
        d["id"], d["kind"], d["sentence"], d["start"], d["end"], d["text"], d["quote_start"], d["quote_end"],
        d["quote"], d["rule"], d["confidence"],
        triples=[tuple(from_n3(t) for t in triple) for triple in d["triples"]],
        entity=_n3(d["entity"]), label=d["label"], cls=_n3(d["cls"]), evidence=from_n3(d["evidence"]),
        comment=d["comment"], depends=tuple(d["depends"]))


def read_jsonl(path: Path) -> list[Proposal]:
    with path.open(encoding="utf-8") as fh:
        return [proposal_from_json(line) for line in fh if line.strip()]


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``path`` through a temporary file in the same folder and ``os.replace``:
    an interrupted write leaves the old file (or none), never half of the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

