"""Find an entity however a person types it: Simplified or Traditional Chinese,
English, pinyin with or without tones, partial names and recorded abbreviations.

>>> from hetao_kg.query.api import open_graph
>>> hit = open_graph().search("HKU")[0]
>>> hit.iri.endswith("org/hku"), hit.matched
(True, 'HKU')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DiskSearchIndex", "SearchHit", "SearchIndex", "has_han", "normalize_query", "to_pinyin"]

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _han_pattern() -> re.Pattern:
    # compiled on first need: re fills a map of the 27,000 code points (2 ms at start-up)
    return re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Han ideograph (CJK Unified, Extension A, compatibility).

    >>> has_han("HKU"), has_han("Hong Kong 大学"), has_han("café")
    (False, True, False)
    """
    return not text.isascii() and _han_pattern().search(text) is not None


def normalize_query(text: str) -> str:
    """Fold a name for matching: NFKC, Traditional -> Simplified, lowercase, no spaces or punctuation.

    >>> normalize_query("香港大學 (HKU)")
    '香港大学hku'
    """
    text = unicodedata.normalize("NFKC", text)
    if has_han(text):
        from ..source.normalize import opencc_converter

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
    """An index over every label and alias of the graph's entities.

    The folded form and pinyin of each label are kept in the cache
    (:mod:`hetao_kg.cache`, keyed by the labels' content), so a warm process neither
    imports pypinyin nor converts a label again. Searching finds the labels that
    contain the query (or its pinyin) with ``str.find`` over one joined string and
    scores only those; the fuzzy pass over the rest runs only when fewer than
    ``limit`` entities matched better than any fuzzy match can.
    """

    def __init__(self, labels: list[tuple[str, str, str]], *, cache: bool = True):
        """``labels``: (entity IRI, label or alias text, kind)."""
        labels = sorted(labels)  # ties go the same way whatever order a store answers in
        forms = _forms(labels, cache=cache)
        self.entries = [
            _Entry(iri, text, folded, pinyin, kind) for (iri, text, kind), (folded, pinyin) in zip(labels, forms)
        ]
        self._folded = _Blob([e.folded for e in self.entries])
        self._pinyin = _Blob([e.pinyin for e in self.entries])

    @staticmethod
    def _score(e: _Entry, q: str, q_pinyin: str) -> float:
        if e.folded == q:
            return 100
        if q_pinyin and e.pinyin == q_pinyin:
            return 95
        if e.folded.startswith(q):
            return 80
        if q_pinyin and len(q_pinyin) >= 2 and e.pinyin.startswith(q_pinyin):
            return 75
        if len(q) >= 2 and q in e.folded:
            return 60
        if q_pinyin and len(q_pinyin) >= 4 and q_pinyin in e.pinyin:
            return 55
        return _fuzzy(q, e.folded)

    def search(self, query: str, *, limit: int = 10) -> list[tuple[str, str, float, str]]:
        """Ranked (iri, matched label, score, kind), best first, one per entity."""
        q = normalize_query(query)
        q_pinyin = _PUNCT.sub("", strip_tones(query)) if not has_han(query) else ""
        if not q:
            return []
        # every score above 40 needs the query (or its pinyin) inside the label: find those first
        candidates = self._folded.containing(q) | (self._pinyin.containing(q_pinyin) if q_pinyin else set())
        scored = [(i, self._score(self.entries[i], q, q_pinyin)) for i in candidates]
        if len({self.entries[i].iri for i, score in scored if score > 40}) < limit:
            scored += [(i, _fuzzy(q, e.folded)) for i, e in enumerate(self.entries) if i not in candidates]
        return _ranked([(i, score, self.entries[i]) for i, score in scored], limit)


def _ranked(scored: list[tuple[int, float, "_Entry"]], limit: int) -> list[tuple[str, str, float, str]]:
    """The best match per entity, best entities first."""
    best: dict[str, tuple[float, int, str, str]] = {}
    for i, score, e in sorted(scored, key=lambda t: (t[0], t[1])):  # index order, as one pass over the entries would go
        if score and (e.iri not in best or (score, -len(e.text)) > (best[e.iri][0], best[e.iri][1])):
            best[e.iri] = (score, -len(e.text), e.text, e.kind)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return [(iri, text, score, kind) for iri, (score, _, text, kind) in ranked[:limit]]


class DiskSearchIndex:
    """The same index in an SQLite file (stdlib ``sqlite3``), built once per data and
    opened read-only by every later process: a search reads only the labels that
    contain the query (and, when too few do, those of a length a fuzzy match allows),
    never every label. Answers exactly as :class:`SearchIndex` over the same labels.

    The labels containing a query of three characters or more are found through an
    FTS5 trigram index (SQLite 3.34 or later; without it, a scan of every label), and
    SQLite scores and ranks them: a common word (``研究院``) matches tens of thousands of
    labels at a thousand reports, and none of them becomes a Python object unless a
    fuzzy score is needed.
    """

    VERSION = "search-db-v3"

    def __init__(self, path: str | Path):
        import sqlite3

        self.path = Path(path)
        self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._grams = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'grams'").fetchone() is not None
        _OPEN[:] = [self]  # the pinyin source for pages drawn in this process (see known_pinyin)

    def pinyin_of(self, text: str) -> str | None:
        """The stored pinyin of a label or alias, or None when the index does not hold the text."""
        row = self._db.execute("SELECT pinyin FROM entries WHERE text = ? LIMIT 1", (text,)).fetchone()
        return None if row is None else row[0]

    @classmethod
    def build(cls, path: str | Path, labels: list[tuple[str, str, str]], *, cache: bool = True) -> "DiskSearchIndex":
        """Write the index of ``labels`` (entity IRI, label or alias, kind) to ``path``
        (a temporary file renamed into place: a killed build leaves nothing half-written)."""
        import sqlite3

        from ..cache import write_sqlite

        labels = sorted(labels)
        forms = _forms(labels, cache=cache)
        path = Path(path)

        def fill(db) -> None:
            db.execute("CREATE TABLE entries (i INTEGER PRIMARY KEY, iri TEXT, text TEXT, folded TEXT, "
                       "pinyin TEXT, kind TEXT, flen INTEGER)")
            db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ((i, iri, text, folded, pinyin, kind, len(folded))
                            for i, ((iri, text, kind), (folded, pinyin)) in enumerate(zip(labels, forms))))
            db.execute("CREATE INDEX by_length ON entries (flen)")
            db.execute("CREATE INDEX by_text ON entries (text)")
            try:  # FTS5's trigram tokenizer (SQLite 3.34+): candidates by substring without a scan
                db.execute("CREATE VIRTUAL TABLE grams USING fts5(folded, pinyin, content='', detail=none, "
                           "tokenize='trigram case_sensitive 1')")
            except sqlite3.OperationalError:  # an SQLite without it: searches scan every label
                pass
            else:
                db.execute("INSERT INTO grams (rowid, folded, pinyin) SELECT i, folded, pinyin FROM entries")

        write_sqlite(path, fill)
        return cls(path)

    def search(self, query: str, *, limit: int = 10) -> list[tuple[str, str, float, str]]:
        """Ranked (iri, matched label, score, kind), best first, one per entity."""
        q = normalize_query(query)
        q_pinyin = _PUNCT.sub("", strip_tones(query)) if not has_han(query) else ""
        if not q or limit < 1:
            return []
        found, params = self._containing(q, q_pinyin)
        # SearchIndex._score's tiers, in SQL; NULL where only a fuzzy score can apply
        scored = (f"SELECT i, iri, text, kind, folded, CASE WHEN folded = :q THEN 100 "
                  "WHEN :qp != '' AND pinyin = :qp THEN 95 "
                  "WHEN substr(folded, 1, length(:q)) = :q THEN 80 "
                  "WHEN length(:qp) >= 2 AND substr(pinyin, 1, length(:qp)) = :qp THEN 75 "
                  "WHEN length(:q) >= 2 AND instr(folded, :q) > 0 THEN 60 "
                  "WHEN length(:qp) >= 4 AND instr(pinyin, :qp) > 0 THEN 55 END AS score "
                  f"FROM entries WHERE {found}")
        params.update(q=q, qp=q_pinyin)
        # Every tier scores above 40 and every fuzzy score at most 40: when `limit` entities
        # have a tier, they are the answer. In the order (score, shorter text, IRI, index
        # order), an entity's first label is its best (as _ranked picks it) and the entities'
        # first labels come in _ranked's order: read until `limit` entities were seen.
        best: dict[str, tuple[str, str, float, str]] = {}
        wanted = 8 * limit
        while True:
            rows = self._db.execute(f"SELECT iri, text, score, kind FROM ({scored}) WHERE score IS NOT NULL "
                                    "ORDER BY score DESC, length(text), iri, i LIMIT :wanted",
                                    {**params, "wanted": wanted}).fetchall()
            best.clear()
            for iri, text, score, kind in rows:
                if iri not in best:
                    best[iri] = (iri, text, score, kind)
                    if len(best) == limit:
                        return list(best.values())
            if len(rows) < wanted:
                break
            wanted *= 4
        # too few: every candidate in Python (fuzzy scores), then labels of a length a fuzzy match allows
        cols = "i, iri, text, folded, pinyin, kind"
        rows = self._db.execute(f"SELECT {cols} FROM entries WHERE {found}", params).fetchall()
        scored = []
        for i, *entry in rows:
            e = _Entry(*entry)
            scored.append((i, SearchIndex._score(e, q, q_pinyin), e))
        if len({e.iri for _, score, e in scored if score > 40}) < limit:
            # fuzzy matches need 2 * min(len) / (sum of lens) >= 0.75 (difflib's real_quick_ratio)
            seen = {i for i, *_ in rows}
            for i, *entry in self._db.execute(f"SELECT {cols} FROM entries WHERE 5 * flen >= 3 * ?1 AND 3 * flen <= 5 * ?1",
                                              (len(q),)):
                if i not in seen:
                    e = _Entry(*entry)
                    scored.append((i, _fuzzy(q, e.folded), e))
        return _ranked(scored, limit)

    def _containing(self, q: str, q_pinyin: str) -> tuple[str, dict[str, str]]:
        """The SQL condition for the labels containing ``q`` (or ``q_pinyin`` in their pinyin),
        narrowed by the trigram index when each text sought has three characters or more."""
        exact = "(instr(folded, :q) > 0 OR (:qp != '' AND instr(pinyin, :qp) > 0))"
        sought = list(dict.fromkeys(t for t in (q, q_pinyin) if t))  # an ASCII query is its own pinyin: one lookup
        if not self._grams or any(len(t) < 3 for t in sought):
            return exact, {}
        params, parts = {}, []
        for n, text in enumerate(sought):
            # every trigram of the text: a superset of the labels holding it, which `exact` narrows
            params[f"m{n}"] = " AND ".join(sorted({'"' + text[k:k + 3].replace('"', '""') + '"'
                                                   for k in range(len(text) - 2)}))
            parts.append(f"SELECT rowid FROM grams WHERE grams MATCH :m{n}")
        return f"i IN ({' UNION '.join(parts)}) AND {exact}", params

    def close(self) -> None:
        self._db.close()


_OPEN: list[DiskSearchIndex] = []


def known_pinyin(text: str) -> str | None:
    """The pinyin of a Chinese label as the last opened :class:`DiskSearchIndex` stored it
    (what :func:`to_pinyin` gives), or None: a page drawn after a search needs no pypinyin."""
    if not _OPEN or not has_han(text):
        return None
    try:
        return _OPEN[0].pinyin_of(text) or None
    except Exception:  # closed or unreadable: compute it
        return None


def _fuzzy(q: str, folded: str) -> float:
    """40 x difflib's ratio when it is at least 0.75 (cheap upper bounds checked first)."""
    import difflib

    matcher = difflib.SequenceMatcher(None, q, folded)
    if matcher.real_quick_ratio() < 0.75 or matcher.quick_ratio() < 0.75:
        return 0.0
    ratio = matcher.ratio()
    return 40 * ratio if ratio >= 0.75 else 0.0


class _Blob:
    """Strings joined by NUL, to find every one that contains a query with ``str.find``."""

    def __init__(self, texts: list[str]):
        self.text = "\0".join(texts)
        self.starts, pos = [], 0
        for t in texts:
            self.starts.append(pos)
            pos += len(t) + 1

    def containing(self, q: str) -> set[int]:
        from bisect import bisect_right

        found: set[int] = set()
        i = self.text.find(q)
        while i >= 0:
            n = bisect_right(self.starts, i) - 1
            found.add(n)
            end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.text)
            i = self.text.find(q, end)
        return found


def _forms(labels: list[tuple[str, str, str]], *, cache: bool) -> list[tuple[str, str]]:
    """(folded, pinyin) of every label text, from the cache when these labels were seen before."""
    import hashlib
    import json

    from .. import cache as _cache

    texts = [text for _, text, _ in labels]
    key = hashlib.sha256(json.dumps(["search-v1", texts], ensure_ascii=False).encode("utf-8")).hexdigest()[:40]
    if cache:
        data = _cache.read_entry("search", key, ".json")
        if data is not None:
            try:
                forms = [tuple(f) for f in json.loads(data.decode("utf-8"))]
                if len(forms) == len(texts):
                    return forms
            except (ValueError, TypeError):
                pass
    forms = [(normalize_query(t), to_pinyin(t) if has_han(t) else "") for t in texts]
    if cache:
        _cache.write_entry("search", key, ".json", json.dumps(forms, ensure_ascii=False).encode("utf-8"))
    return forms
