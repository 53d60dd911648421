"""Find an entity however a person types it: Simplified or Traditional Chinese,
English, pinyin with or without tones, partial names and recorded abbreviations.

>>> from hetao_kg.api import open_graph
>>> hit = open_graph().search("HKU")[0]
>>> hit.iri.endswith("org/hku"), hit.matched
(True, 'HKU')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .normalize import opencc_converter

__all__ = ["SearchHit", "SearchIndex", "normalize_query", "to_pinyin"]

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalize_query(text: str) -> str:
    """Fold a name for matching: NFKC, Traditional -> Simplified, lowercase, no spaces or punctuation.

    >>> normalize_query("香港大學 (HKU)")
    '香港大学hku'
    """
    text = unicodedata.normalize("NFKC", text)
    if _HAN.search(text):
        text = opencc_converter("t2s").convert(text)
    return _PUNCT.sub("", text.lower())


def strip_tones(text: str) -> str:
    """Pinyin without tone marks; ü becomes v as in pypinyin.

    >>> strip_tones("Xiānggǎng lǜ")
    'xianggang lv'
    """
    text = text.lower().replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def to_pinyin(text: str) -> str:
    """Toneless pinyin of a Chinese name, letters only (``香港`` -> ``xianggang``).

    >>> to_pinyin("量子信息")
    'liangzixinxi'
    """
    from pypinyin import Style, lazy_pinyin

    return _PUNCT.sub("", "".join(lazy_pinyin(text, style=Style.NORMAL)).lower())


@dataclass(frozen=True)
class SearchHit:
    """One match: the entity, the label that matched, how well, and its kind."""

    iri: str
    label: str  # the entity's label in the language asked for
    matched: str  # the label or alias the query matched
    score: float
    kind: str


@dataclass(frozen=True)
class _Entry:
    iri: str
    text: str
    folded: str
    pinyin: str
    kind: str


class SearchIndex:
    """An index over every label and alias of the graph's entities."""

    def __init__(self, labels: list[tuple[str, str, str]]):
        """``labels``: (entity IRI, label or alias text, kind)."""
        self.entries = [
            _Entry(iri, text, normalize_query(text), to_pinyin(text) if _HAN.search(text) else "", kind)
            for iri, text, kind in sorted(labels)  # ties go the same way whatever order a store answers in
        ]

    def search(self, query: str, *, limit: int = 10) -> list[tuple[str, str, float, str]]:
        """Ranked (iri, matched label, score, kind), best first, one per entity."""
        q = normalize_query(query)
        q_pinyin = _PUNCT.sub("", strip_tones(query)) if not _HAN.search(query) else ""
        if not q:
            return []
        best: dict[str, tuple[float, int, str, str]] = {}
        for e in self.entries:
            score = 0.0
            if e.folded == q:
                score = 100
            elif q_pinyin and e.pinyin == q_pinyin:
                score = 95
            elif e.folded.startswith(q):
                score = 80
            elif q_pinyin and len(q_pinyin) >= 2 and e.pinyin.startswith(q_pinyin):
                score = 75
            elif len(q) >= 2 and q in e.folded:
                score = 60
            elif q_pinyin and len(q_pinyin) >= 4 and q_pinyin in e.pinyin:
                score = 55
            else:
                ratio = difflib.SequenceMatcher(None, q, e.folded).ratio()
                if ratio >= 0.75:
                    score = 40 * ratio
            if score and (e.iri not in best or (score, -len(e.text)) > (best[e.iri][0], best[e.iri][1])):
                best[e.iri] = (score, -len(e.text), e.text, e.kind)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return [(iri, text, score, kind) for iri, (score, _, text, kind) in ranked[:limit]]
