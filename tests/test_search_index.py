"""The search index answers exactly as a plain scan over every label, and is kept in the cache."""

from __future__ import annotations

import difflib

import pytest

from hetao_kg import cache
from hetao_kg.query.api import _SEARCHABLE
from hetao_kg.namespaces import compact as _compact
from hetao_kg.query.search import _PUNCT, SearchIndex, has_han, normalize_query, strip_tones, to_pinyin
from hetao_kg.store import RdflibStore

from .test_corpus import corpus


def _reference(labels, query: str, limit: int = 10):
    """The scan the index replaced: every label scored, one result per entity."""
    entries = [(iri, text, normalize_query(text), to_pinyin(text) if has_han(text) else "", kind)
               for iri, text, kind in sorted(labels)]
    q = normalize_query(query)
    q_pinyin = _PUNCT.sub("", strip_tones(query)) if not has_han(query) else ""
    if not q:
        return []
    best = {}
    for iri, text, folded, pinyin, kind in entries:
        score = 0.0
        if folded == q:
            score = 100
        elif q_pinyin and pinyin == q_pinyin:
            score = 95
        elif folded.startswith(q):
            score = 80
        elif q_pinyin and len(q_pinyin) >= 2 and pinyin.startswith(q_pinyin):
            score = 75
        elif len(q) >= 2 and q in folded:
            score = 60
        elif q_pinyin and len(q_pinyin) >= 4 and q_pinyin in pinyin:
            score = 55
        else:
            ratio = difflib.SequenceMatcher(None, q, folded).ratio()
            if ratio >= 0.75:
                score = 40 * ratio
        if score and (iri not in best or (score, -len(text)) > (best[iri][0], best[iri][1])):
            best[iri] = (score, -len(text), text, kind)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return [(iri, text, score, kind) for iri, (score, _, text, kind) in ranked[:limit]]


QUERIES = ["HKU", "hku", "liangzi", "Liàngzǐ", "量子", "量", "研究院", "香港大學", "xianggang", "Xiānggǎng",
           "Quantum", "quantum computing", "Shenzhen Park", "shenzen park", "深圳园区", "e站通", "IDEA", "x",
           "Qianhai Brain Science Research Institute", "前海脑科学研究院", "qianhainaokexue", "zzzz", "  ", "No. 2"]


@pytest.fixture(scope="module")
def labels(tmp_path_factory):
    root = corpus.generate(tmp_path_factory.mktemp("corpus") / "root", reports=2)
    rows = RdflibStore.from_root(root, cache=False).select(_SEARCHABLE).rows
    return [(str(r["s"]), str(r["text"]), _compact(str(r["kind"]))) for r in rows]


@pytest.mark.parametrize("limit", [1, 3, 10, 50])
def test_index_answers_exactly_as_the_plain_scan(labels, limit):
    index = SearchIndex(labels, cache=False)
    for query in QUERIES:
        assert index.search(query, limit=limit) == _reference(labels, query, limit), query


def test_forms_are_cached_by_content(labels, tmp_path, monkeypatch):
    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    first = SearchIndex(labels)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1
    import hetao_kg.query.search as search

    monkeypatch.setattr(search, "to_pinyin", lambda text: pytest.fail("pinyin recomputed despite the cache"))
    again = SearchIndex(labels)
    assert again.entries == first.entries
    changed = [*labels[:-1], (labels[-1][0], labels[-1][1] + "新", labels[-1][2])]
    monkeypatch.undo()
    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    SearchIndex(changed)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 2
    assert cache.cache_info().entries >= 2


@pytest.mark.parametrize("limit", [0, 1, 3, 10, 50])
def test_disk_index_answers_exactly_as_the_plain_scan(labels, tmp_path, limit):
    from hetao_kg.query.search import DiskSearchIndex

    index = DiskSearchIndex.build(tmp_path / "index.sqlite", labels, cache=False)
    for query in QUERIES:
        assert index.search(query, limit=limit) == _reference(labels, query, limit), query
    again = DiskSearchIndex(tmp_path / "index.sqlite")  # opened read-only by a later process
    assert again.search("liangzi", limit=limit) == _reference(labels, "liangzi", limit)
    assert [p.name for p in tmp_path.iterdir()] == ["index.sqlite"]  # no temporary file left
    assert index._grams, "this SQLite has FTS5's trigram tokenizer: the index must use it"
    index._grams = False  # an SQLite without it scans every label, and answers alike
    for query in QUERIES:
        assert index.search(query, limit=limit) == _reference(labels, query, limit), query


def test_disk_index_finds_by_trigrams_only_what_contains_the_query(labels, tmp_path):
    """The trigram index narrows the candidates; SQLite ranks them (no Python per candidate)."""
    from hetao_kg.query.search import DiskSearchIndex

    index = DiskSearchIndex.build(tmp_path / "index.sqlite", labels, cache=False)
    condition, params = index._containing("liangzi", "liangzi")
    assert "MATCH" in condition and params["m0"] == '"ang" AND "gzi" AND "ian" AND "lia" AND "ngz"'
    rows = index._db.execute(f"SELECT folded, pinyin FROM entries WHERE {condition}",
                             {**params, "q": "liangzi", "qp": "liangzi"}).fetchall()
    assert rows and all("liangzi" in folded or "liangzi" in pinyin for folded, pinyin in rows)
    assert index._containing("量子", "")[0].startswith("(instr(")  # two characters: no trigram to look up


def test_search_builds_the_disk_index_once_per_data(tmp_path, monkeypatch):
    from hetao_kg.facade import open_graph
    from hetao_kg.query.search import DiskSearchIndex

    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    kg = open_graph(store="memory")
    first = [(h.iri, h.matched, h.score) for h in kg.search("liangzi")]
    assert isinstance(kg._index, DiskSearchIndex)
    built = list((tmp_path / "cache").rglob("search/*.sqlite"))
    assert len(built) == 1
    again = open_graph(store="memory")
    monkeypatch.setattr(again.store, "select", lambda *a, **k: pytest.fail("labels asked again despite the index"),
                        raising=False)
    again._prefetch_labels = lambda iris: None  # the hit's label is not what this test is about
    again._labels = kg.labels()
    assert [(h.iri, h.matched, h.score) for h in again.search("liangzi")] == first


def test_a_disk_index_another_user_could_have_written_is_not_read(labels, tmp_path, monkeypatch):
    """As for cached answers (tests/hostile/cache-answer-writable-by-others.json): an index
    file writable by others is not read (its made-up names would resolve to its IRIs)."""
    from hetao_kg.facade import open_graph
    from hetao_kg.query.search import DiskSearchIndex

    monkeypatch.setenv("HETAO_KG_CACHE", str(tmp_path / "cache"))
    kg = open_graph(store="memory")
    kg.search("liangzi")
    (path,) = (tmp_path / "cache").rglob("search/*.sqlite")
    planted = "https://w3id.org/hetao-kg/id/org/planted"
    DiskSearchIndex.build(path, [(planted, "zzplanted", "Organization")], cache=False)
    path.chmod(0o666)
    again = open_graph(store="memory")
    with pytest.warns(cache.CacheWarning):
        hits = again.search("zzplanted")
    assert planted not in {h.iri for h in hits}
