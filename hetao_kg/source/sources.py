"""Stage 2: the source registry and the RDF of each source's normalized text.

``graph_data/sources/sources.json`` lists every source document: its raw file
(kept unchanged beside the registry), how to normalize it (``garbled-pinyin`` for
the report, ``none`` for clean UTF-8 text) and how to segment it (``sentences``
or ``lines``). Every quote's offsets refer to the normalized text built here.

>>> doc = source_documents()["hetao-progress-report"]
>>> doc.text[doc.sentence("p14s02").start:][:4]
'香港大学'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..namespaces import HTO, KG, OA
from .normalize import (
    Correction,
    NormalizedText,
    Sentence,
    SourceError,
    load_corrections,
    normalize_file,
    read_utf8,
    split_sentences,
)
from ..paths import data_path

__all__ = [
    "SourceDocument",
    "locate",
    "registered_corrections",
    "source_documents",
    "source_text_graph",
    "sentence_iri",
]


@dataclass(frozen=True)
class SourceDocument:
    """A registered source: its id, files and normalized text."""

    id: str
    path: Path
    normalizer: str
    segmentation: str
    label: dict[str, str]
    normalized: NormalizedText

    @property
    def iri(self) -> URIRef:
        return KG[f"doc/{self.id}"]

    @property
    def text(self) -> str:
        return self.normalized.text

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return self.normalized.sentences

    def sentence(self, sentence_id: str) -> Sentence:
        """The sentence (or line) with this id, e.g. ``p14s02`` or ``l041``."""
        for s in self.sentences:
            if s.id == sentence_id:
                return s
        raise KeyError(f"{self.id}: no sentence {sentence_id!r}")


def _lines(text: str) -> tuple[Sentence, ...]:
    out, start = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            out.append(Sentence(f"l{number:03d}", number, 1, start, start + len(line), line))
        start += len(line) + 1
    return tuple(out)


def _blocks(text: str) -> tuple[Sentence, ...]:
    r"""Markdown statements: a heading, a table row, a list item with its continuation
    lines, or a run of plain lines; each named ``l{first line}``.

    >>> [(s.id, s.text) for s in _blocks("# T\n- a\n  b\n| c |\n\nd\ne")]
    [('l001', '# T'), ('l002', '- a\n  b'), ('l004', '| c |'), ('l006', 'd\ne')]
    """
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    out: list[Sentence] = []
    first: int | None = None

    def close(last: int) -> None:
        if first is not None:
            s, e = starts[first], starts[last] + len(lines[last].rstrip())
            out.append(Sentence(f"l{first + 1:03d}", first + 1, 1, s, e, text[s:e]))

    for i, line in enumerate(lines):
        stripped = line.strip()
        opens = stripped.startswith(("#", "|", "- ", "* ")) or not stripped
        continues = first is not None and stripped and not opens and (
            line[:1].isspace() or not lines[first].lstrip().startswith(("#", "|"))
        )
        if continues:
            continue
        close(i - 1)
        first = i if stripped else None
        if stripped.startswith(("#", "|")):
            close(i)
            first = None
    close(len(lines) - 1)
    return tuple(out)


def _load_one(entry: dict, folder: Path, registry: Path) -> SourceDocument:
    missing = [k for k in ("id", "file", "normalizer", "segmentation", "label") if k not in entry]
    if missing:
        raise SourceError(f"{registry}: source {entry.get('id', '?')!r} lacks {missing}")
    path = folder / entry["file"]
    if entry["normalizer"] == "garbled-pinyin":
        corrections = load_corrections(folder / entry["corrections"]) if entry.get("corrections") else ()
        normalized = normalize_file(path, corrections=corrections)
    elif entry["normalizer"] == "none":
        text = read_utf8(path)
        normalized = NormalizedText(text, (), tuple(split_sentences(text)))
    else:
        raise SourceError(f"{registry}: unknown normalizer {entry['normalizer']!r} for {entry['id']!r}")
    if entry["segmentation"] in ("lines", "blocks"):
        split = _lines if entry["segmentation"] == "lines" else _blocks
        normalized = NormalizedText(normalized.text, normalized.problems, split(normalized.text))
    elif entry["segmentation"] != "sentences":
        raise SourceError(f"{registry}: unknown segmentation {entry['segmentation']!r}")
    return SourceDocument(entry["id"], path, entry["normalizer"], entry["segmentation"], entry["label"], normalized)


def _entries(registry: Path) -> list[dict]:
    try:
        return json.loads(read_utf8(registry))
    except json.JSONDecodeError as exc:
        raise SourceError(f"{registry}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


@lru_cache(maxsize=4)
def _registry(folder: Path, stamp: tuple) -> dict[str, SourceDocument]:
    registry = folder / "sources.json"
    return {e["id"]: _load_one(e, folder, registry) for e in _entries(registry)}


def registered_corrections(path: str | Path) -> list[Correction]:
    """The correction table that a ``sources.json`` beside ``path`` names for it (else none)."""
    path = Path(path)
    registry = path.parent / "sources.json"
    if registry.is_file():
        for entry in _entries(registry):
            if entry.get("file") == path.name and entry.get("corrections"):
                return load_corrections(path.parent / entry["corrections"])
    return []


def source_documents(folder: str | Path | None = None) -> dict[str, SourceDocument]:
    """The registered source documents, normalized (cached by the files' content)."""
    folder = Path(folder) if folder else data_path("graph_data", "sources")
    if not (folder / "sources.json").is_file():
        raise SourceError(f"{folder / 'sources.json'}: source registry not found")
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()))
    return _registry(folder.resolve(), stamp)


def sentence_iri(doc_id: str, sentence_id: str) -> URIRef:
    """IRI of a sentence: ``kg:doc/{doc}/{sentence}``."""
    return KG[f"doc/{doc_id}/{sentence_id}"]


def source_text_graph(doc: SourceDocument, graph: Graph) -> None:
    """Add the document's paragraphs and sentences (text + offsets) to ``graph``."""
    graph.add((doc.iri, RDF.type, HTO.SourceDocument))
    for lang, label in doc.label.items():
        graph.add((doc.iri, RDFS.label, Literal(label, lang=lang)))
    graph.add((doc.iri, DCTERMS.source, Literal(f"graph_data/sources/{doc.path.name}")))
    paragraphs: set[int] = set()
    for s in doc.sentences:
        iri = sentence_iri(doc.id, s.id)
        if doc.segmentation == "sentences":
            para = KG[f"doc/{doc.id}/p{s.paragraph:02d}"]
            if s.paragraph not in paragraphs:
                paragraphs.add(s.paragraph)
                graph.add((para, RDF.type, HTO.Paragraph))
                graph.add((para, HTO.paragraphNumber, Literal(s.paragraph)))
                graph.add((para, HTO.inDocument, doc.iri))
                graph.add((para, RDFS.label, Literal(f"{doc.id} ¶{s.paragraph}", lang="en")))
            graph.add((iri, DCTERMS.isPartOf, para))
        graph.add((iri, RDF.type, HTO.Sentence))
        graph.add((iri, RDFS.label, Literal(f"{doc.id} {s.id}", lang="en")))
        graph.add((iri, HTO.inDocument, doc.iri))
        graph.add((iri, HTO.paragraphNumber, Literal(s.paragraph)))
        graph.add((iri, HTO.sentenceNumber, Literal(s.number)))
        graph.add((iri, OA.start, Literal(s.start)))
        graph.add((iri, OA.end, Literal(s.end)))
        graph.add((iri, RDF.value, Literal(s.text)))


def locate(
    quote: str, *, doc_id: str = "hetao-progress-report", folder: str | Path | None = None
) -> list[tuple[int, int, str]]:
    """Where a quote occurs in a source's normalized text: (start, end, sentence id).

    >>> locate("深港联合办公室投入使用")
    [(1502, 1513, 'p16s04')]
    """
    docs = source_documents(folder)
    if doc_id not in docs:
        raise SourceError(f"unknown source document {doc_id!r}; known: {', '.join(docs)}")
    doc = docs[doc_id]
    hits, i = [], doc.text.find(quote)
    while i >= 0 and quote:
        end = i + len(quote)
        sid = next((s.id for s in doc.sentences if s.start <= i and end <= s.end), "(spans sentences)")
        hits.append((i, end, sid))
        i = doc.text.find(quote, i + 1)
    return hits


