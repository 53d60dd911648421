"""`hetao-kg ingest FILE`: read, normalize, split and propose, into a review folder."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from rdflib import URIRef

from ..data.graph import load
from ..data.graph import data_files
from ..source.normalize import Problem, load_corrections, normalize, opencc_converter, split_sentences
from ..source.sources import source_documents
from .draft import PREAMBLE, draft_blocks, proposal_to_json
from .extract import Extractor, Proposal
from .lexicon import Lexicon, build_lexicon
from .reading import IngestError, check_readable, read_blocks

_MAX_PROBLEMS = 1000

__all__ = ["IngestResult", "ingest_file", "lexicon_for", "doc_id_for", "load_rejections", "SourceMeta"]

_PINYIN_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]\([a-zA-ZüÜvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]+\)")


@dataclass(frozen=True)
class SourceMeta:
    """What the curator says about the source; ``None`` stays unknown."""

    title: str | None = None
    title_en: str | None = None  # a plain English title (the source's own, or a translation)
    publisher: str | None = None
    date: str | None = None  # 2024, 2024-05, 2024-05-17 or an interval 2024-01/2024-06
    language: str | None = None  # e.g. zh-Hans, zh-Hant


@dataclass
class IngestResult:
    doc_id: str
    folder: Path
    characters: int = 0
    sentences: int = 0
    paragraphs: int = 0
    pinyin_stripped: int = 0
    traditional_converted: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first 1000
    problem_count: int = 0
    counts: Counter = field(default_factory=Counter)
    known_entities: set = field(default_factory=set)
    skipped_rejected: int = 0

    def summary(self) -> list[str]:
        """Human-readable lines: the repairs, then the proposals by kind."""
        lines = [f"{self.doc_id}: {self.characters} characters, {self.paragraphs} paragraphs, {self.sentences} sentences",
                 f"repaired: {self.pinyin_stripped} pinyin annotations stripped, "
                 f"{self.traditional_converted} Traditional characters converted to Simplified, "
                 f"{self.problem_count} lost-character spans reported"]
        lines += [f"  {p.describe()}" for p in self.problems[:20]]
        if self.problem_count > 20:
            lines.append(f"  … and {self.problem_count - 20} more")
        kinds = ("mention", "new-entity", "status", "figure", "date", "link")
        lines.append("proposed: " + ", ".join(f"{self.counts.get(k, 0)} {k}" for k in kinds)
                     + f" ({len(self.known_entities)} known entities named)")
        if self.skipped_rejected:
            lines.append(f"not proposed again: {self.skipped_rejected} rejected before")
        lines.append(f"draft: {self.folder / 'draft.trig'} (review with `hetao-kg review list {self.doc_id}`)")
        return lines


def doc_id_for(path: Path) -> str:
    """A document id from a file name: lower-case ASCII letters, digits and hyphens.

    >>> doc_id_for(Path("Report 2025 (5th).txt"))
    'report-2025-5th'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "report"


_LEXICONS: dict[str, Lexicon] = {}


def lexicon_for(root: Path | None) -> Lexicon:
    """The lexicon of the graph built from ``root`` (cached per data root and content)."""
    from ..data.graph import content_key

    key = f"{root}:{content_key(root)}"
    if key not in _LEXICONS:
        _LEXICONS.clear()
        _LEXICONS[key] = build_lexicon(load(root))
    return _LEXICONS[key]


def load_rejections(review_dir: Path) -> set[str]:
    path = review_dir / "rejected.json"
    if not path.is_file():
        return set()
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError) as exc:
        raise IngestError(f"{path}: not a list of rejected proposals ({exc})") from None


def _shift(p: Problem, line0: int, raw0: int, off0: int) -> Problem:
    return replace(p, line=p.line + line0, raw_offset=p.raw_offset + raw0, offset=p.offset + off0)


def ingest_file(
    path: str | Path,
    *,
    review_dir: str | Path,
    root: str | Path | None = None,
    doc_id: str | None = None,
    meta: SourceMeta = SourceMeta(),
    about: URIRef | None = None,
    encoding: str | None = None,
    lexicon: Lexicon | None = None,
    progress: Callable[[int, int], None] | None = None,
    block_bytes: int | None = None,
    corrections: str | Path | None = None,
) -> IngestResult:
    """Ingest a report into ``review_dir/<doc_id>/`` and return what was found.

    Nothing is written outside ``review_dir``; the report's folder appears only once
    complete (written aside, then renamed). ``progress(bytes_done, bytes_total)``.
    ``corrections``: a correction table for the normalizer (JSON, see
    :func:`hetao_kg.normalize.load_corrections`), registered with the source.
    """
    path = Path(path)
    review_dir = Path(review_dir)
    info = check_readable(path, encoding=encoding)
    doc_id = doc_id or doc_id_for(path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,80}", doc_id):
        raise IngestError(f"{doc_id!r}: a document id is lower-case letters, digits and hyphens")
    files = data_files(root)
    if doc_id in source_documents(files.sources):
        raise IngestError(f"{path}: a source {doc_id!r} is already registered in {files.sources / 'sources.json'}; "
                          "pass another --id")
    folder = review_dir / doc_id
    if (folder / "decisions.json").is_file() and json.loads((folder / "decisions.json").read_text(encoding="utf-8")):
        raise IngestError(f"{folder}: already ingested and under review; finish it with `hetao-kg review` "
                          "or remove the folder to start again")
    table = tuple(load_corrections(corrections)) if corrections else ()
    lex = lexicon or lexicon_for(Path(root) if root else None)
    rejected = load_rejections(review_dir)
    created = not review_dir.exists()
    review_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=review_dir, prefix=f".{doc_id}."))
    result = IngestResult(doc_id, folder)
    try:
        from ..cache import cache_dir

        jieba_cache = cache_dir() / "jieba"
        jieba_cache.mkdir(parents=True, exist_ok=True)
        ex = Extractor(lex, doc_id=doc_id, about=about, jieba_cache=str(jieba_cache))
        offset = raw_offset = lines = paragraphs = 0
        with (work / "source.txt").open("w", encoding="utf-8", newline="") as raw_out, \
                (work / "normalized.txt").open("w", encoding="utf-8", newline="") as norm_out, \
                (work / "proposals.jsonl").open("w", encoding="utf-8", newline="\n") as jl, \
                (work / "draft.trig").open("w", encoding="utf-8", newline="\n") as trig:
            trig.write(PREAMBLE)
            trig.write(f"# Draft of `hetao-kg ingest` for {doc_id}: machine proposals, NOT curated data.\n"
                       f"# Each proposal is one named graph; its metadata (rule, confidence, quote) is in\n"
                       f"# <graph/draft/{doc_id}> with evidence hto:MachineProposal.\n\n")
            kw = {"block_bytes": block_bytes} if block_bytes else {}
            for raw in read_blocks(info, progress=(lambda done: progress(done, info.size)) if progress else None, **kw):
                raw_out.write(raw)
                stripped = _PINYIN_TOKEN.sub(lambda m: m.group(0)[0], raw)
                result.pinyin_stripped += len(_PINYIN_TOKEN.findall(raw))
                norm = normalize(raw, corrections=table)
                simplified = opencc_converter("t2s").convert(stripped)
                result.traditional_converted += sum(1 for a, b in zip(stripped, simplified) if a != b)
                result.problem_count += len(norm.problems)
                room = _MAX_PROBLEMS - len(result.problems)
                result.problems += [_shift(p, lines, raw_offset, offset) for p in norm.problems[:max(0, room)]]
                norm_out.write(norm.text)
                for s in split_sentences(norm.text):
                    para = s.paragraph + paragraphs
                    s = replace(s, id=f"p{para:02d}s{s.number:02d}", paragraph=para,
                                start=s.start + offset, end=s.end + offset)
                    result.sentences += 1
                    for p in ex.sentence(s):
                        if p.signature() in rejected:
                            result.skipped_rejected += 1
                            continue
                        result.counts[p.kind] += 1
                        if p.kind == "mention" and not p.rule == "proposed-entity":
                            result.known_entities.add(p.entity)
                        jl.write(proposal_to_json(p) + "\n")
                        trig.write(draft_blocks(p, doc_id))
                paragraphs += sum(1 for line in norm.text.split("\n") if line.strip())
                offset += len(norm.text)
                raw_offset += len(raw)
                lines += raw.count("\n")
        result.characters, result.paragraphs = offset, paragraphs
        if not result.sentences:
            raise IngestError(f"{path}: no text to ingest (only blank lines)")
        entry = {"id": doc_id, "file": f"{doc_id}.txt", "normalizer": "garbled-pinyin", "segmentation": "sentences",
                 "label": {"zh-Hans": meta.title or doc_id, **({"en": meta.title_en} if meta.title_en else {})},
                 "ingested": {"from": path.name, "encoding": info.encoding, "title": meta.title,
                              "publisher": meta.publisher, "date": meta.date, "language": meta.language,
                              "about": str(about) if about else None}}
        (work / "source.json").write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (work / "decisions.json").write_text("{}\n", encoding="utf-8")
        if corrections:
            shutil.copyfile(corrections, work / "corrections.json")
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if created and not any(review_dir.iterdir()):
            review_dir.rmdir()  # leave no trace of a failed ingest
        raise
    return result
