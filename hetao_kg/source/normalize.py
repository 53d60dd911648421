"""Stage 1: garbled source text -> clean Simplified Chinese, split into sentences.

The zone's progress report arrived garbled: most characters are Traditional
Chinese followed by their pinyin in parentheses (``標(biāo)`` for 标). This module
strips every pinyin annotation, converts Traditional to Simplified with OpenCC
(``t2s``) and changes nothing else: punctuation, Latin text (``UNI``, ``e站通``)
and digits stay as they are.

Spans it cannot recover (a lost character shows as ``?`` with stray pinyin) are
reported with their position. A reported span may be repaired only by an entry in
an explicit correction table (``graph_data/sources/corrections.json``); nothing is
repaired silently.

>>> normalize("高標(biāo)準(zhǔn)推進(jìn)").text
'高标准推进'
>>> normalize("全球百?gòu)?qiáng)高校").problems[0].raw_text
'?gòu)?qiáng)'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import SourceError

__all__ = [
    "Correction",
    "NormalizedText",
    "Problem",
    "Sentence",
    "SourceError",
    "load_corrections",
    "normalize",
    "normalize_file",
    "opencc_converter",
    "read_utf8",
    "split_sentences",
]

# Letters that occur in Hanyu Pinyin with tone marks (and ü / v for ü).
_PINYIN = "a-zA-ZüÜvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# Han ideographs (CJK Unified, Extension A, compatibility ideographs).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

_TOKEN = re.compile(
    rf"(?P<han>[{_HAN}])\((?P<pinyin>[{_PINYIN}]+)\)"  # 標(biāo): keep the character
    rf"|(?P<lost>(?:\?(?:[{_PINYIN}]+\))?)+)"  # ?gòu)?qiáng) or a lone ?: unrecoverable
)
_SENTENCE_END = "。！？!"


@dataclass(frozen=True)
class Correction:
    """One entry of the correction table: replace a reported span in a context."""

    span: str
    before: str
    replacement: str
    reason: str


@dataclass(frozen=True)
class Problem:
    """A span of the raw text that normalization could not recover."""

    kind: str
    raw_text: str
    line: int  # 1-based line of the raw file
    column: int  # 1-based column (characters) in that line
    raw_offset: int  # character offset in the raw text
    offset: int  # character offset in the normalized text where the span stood
    correction: Correction | None = None

    def describe(self) -> str:
        """A one-line report, e.g. ``3:12 lost-character '?gòu)' -> '强' (…)``."""
        fix = (
            f" -> {self.correction.replacement!r} (correction: {self.correction.reason})"
            if self.correction
            else " (left in the text; add a correction to repair it)"
        )
        return f"{self.line}:{self.column}: {self.kind} {self.raw_text!r}{fix}"


@dataclass(frozen=True)
class Sentence:
    """A sentence of the normalized text with its character offsets (end exclusive)."""

    id: str  # p03s02: paragraph 3, sentence 2
    paragraph: int
    number: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class NormalizedText:
    """The clean text, the problems found on the way and its sentences."""

    text: str
    problems: tuple[Problem, ...] = ()
    sentences: tuple[Sentence, ...] = field(default=())

    @property
    def unresolved(self) -> tuple[Problem, ...]:
        """Problems that no correction repaired."""
        return tuple(p for p in self.problems if p.correction is None)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@lru_cache(maxsize=4)
def opencc_converter(config: str):
    """A cached OpenCC converter (``t2s``: Traditional -> Simplified, ``s2t``: back)."""
    import opencc

    return opencc.OpenCC(config)


def _to_simplified(text: str) -> str:
    converted = opencc_converter("t2s").convert(text)
    if len(converted) != len(text):  # pragma: no cover - OpenCC t2s maps 1:1 here
        raise SourceError("OpenCC t2s changed the text length; offsets would drift")
    return converted


def normalize(raw: str, *, corrections: Sequence[Correction] = ()) -> NormalizedText:
    """Normalize garbled text: strip pinyin, convert to Simplified, report lost spans.

    >>> normalize("香港中文大學(深圳)").text
    '香港中文大学(深圳)'
    >>> normalize("前沿地。\\n?\\n探索", corrections=[
    ...     Correction(span="?", before="前沿地。\\n", replacement="", reason="placeholder")]).text
    '前沿地。\\n\\n探索'
    """
    out: list[str] = []
    length = 0
    problems: list[Problem] = []
    pos = 0
    for m in _TOKEN.finditer(raw):
        out.append(raw[pos : m.start()])
        length += m.start() - pos
        pos = m.end()
        if m.group("han"):
            out.append(m.group("han"))
            length += 1
            continue
        span = m.group("lost")
        tail = _to_simplified("".join(out)[-40:])
        fix = next((c for c in corrections if c.span == span and tail.endswith(c.before)), None)
        line, col = _line_col(raw, m.start())
        problems.append(Problem("lost-character", span, line, col, m.start(), length, fix))
        replacement = fix.replacement if fix else span
        out.append(replacement)
        length += len(replacement)
    out.append(raw[pos:])
    text = _to_simplified("".join(out))
    return NormalizedText(text, tuple(problems), tuple(split_sentences(text)))


def split_sentences(text: str) -> list[Sentence]:
    """Split into paragraphs (non-empty lines) and sentences, numbered from 1.

    >>> [s.id for s in split_sentences("一。二!\\n\\n三")]
    ['p01s01', 'p01s02', 'p02s01']
    """
    sentences: list[Sentence] = []
    paragraph = 0
    line_start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            paragraph += 1
            number = 0
            begin = line_start + (len(line) - len(line.lstrip()))
            line_end = line_start + len(line.rstrip())
            i = begin
            while i < line_end:
                j = i
                while j < line_end and text[j] not in _SENTENCE_END:
                    j += 1
                j = min(j + 1, line_end)
                while j < line_end and text[j] in _SENTENCE_END + "”’」)":
                    j += 1  # keep closing quotes with their sentence
                chunk = text[i:j]
                lead = len(chunk) - len(chunk.lstrip())
                s, e = i + lead, i + len(chunk.rstrip())
                if e > s:
                    number += 1
                    sentences.append(
                        Sentence(f"p{paragraph:02d}s{number:02d}", paragraph, number, s, e, text[s:e])
                    )
                i = j
        line_start += len(line) + 1
    return sentences


def read_utf8(path: str | Path) -> str:
    """Read a file as strict UTF-8; a bad byte raises :class:`SourceError` naming its line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from exc


def load_corrections(path: str | Path) -> list[Correction]:
    """Read a correction table (JSON list of {span, before, replacement, reason})."""
    path = Path(path)
    try:
        entries = json.loads(read_utf8(path))
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    fields = ("span", "before", "replacement", "reason")
    table = []
    for i, entry in enumerate(entries):
        missing = [f for f in fields if not isinstance(entry.get(f), str)]
        if missing:
            raise SourceError(f"{path}: entry {i + 1}: missing or non-text field(s) {missing}")
        table.append(Correction(**{f: entry[f] for f in fields}))
    return table


def normalize_file(
    path: str | Path, *, corrections: Iterable[Correction] | None = None
) -> NormalizedText:
    """Normalize a garbled UTF-8 file (see :func:`normalize`)."""
    return normalize(read_utf8(path), corrections=tuple(corrections or ()))
