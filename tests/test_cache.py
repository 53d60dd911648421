"""The cache cannot be turned against its user: nothing in it is executed, a damaged
entry is dropped and rebuilt, changed data is never served stale, and it stays
under its size bound. Through the real CLI and API, each test with its own cache."""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset

from hetao_kg import cache
from hetao_kg.data.graph import content_key, load_keyed

from .conftest import ROOT

QUERY = ("query", "SELECT ?u ?l WHERE { ?u a hto:University ; rdfs:label ?l FILTER(LANG(?l) = 'en') } ORDER BY ?u",
         "--format", "csv")
NAMED = ("query", "--named", "hk-university-projects", "--format", "csv", "--lang", "en")


class Planted:
    """Unpickling this writes a marker file: proof that a pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HETAO_KG_CACHE", str(folder))
    return folder


def cli(*args: str, root: Path | None = None) -> subprocess.CompletedProcess:
    extra = ("--data-root", str(root)) if root else ()
    return subprocess.run(
        [sys.executable, "-m", "hetao_kg.cli", *extra, *args],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300,
        env=dict(os.environ, HETAO_KG_STORE="memory"),  # the rdflib store is the one that caches its graph
    )


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "v1").rglob("*") if p.is_file())


def test_entries_are_data_formats_with_a_checksum(cache_dir):
    first = cli(*NAMED)
    assert first.returncode == 0, first.stderr
    (graph,) = (cache_dir / "v1" / "graph").iterdir()
    header, _, payload = graph.read_bytes().partition(b"\n")
    assert header.startswith(b"# hetao-kg-cache 2 code=" + cache.code_fingerprint().encode() + b" sha256=")
    ds = Dataset()
    ds.parse(data=payload.decode("utf-8"), format="nquads")  # plain N-Quads
    assert len(ds) > 1000
    answers = list((cache_dir / "v1" / "answers").iterdir())
    assert answers
    for path in answers:
        doc = json.loads(path.read_bytes().partition(b"\n")[2])  # SPARQL 1.1 JSON results
        assert "boolean" in doc or set(doc["head"]) == {"vars"}
    assert cli(*NAMED).stdout == first.stdout  # served from the cache, same answer


def test_planted_pickles_and_random_files_run_nothing(cache_dir, tmp_path):
    reference = cli(*NAMED)
    key = content_key()
    marker = tmp_path / "marker"
    evil = pickle.dumps(Planted(marker))
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / f"graph-{key}.pickle").write_bytes(evil)  # where the old versions looked
    (cache_dir / "answers").mkdir(exist_ok=True)
    (cache_dir / "answers" / ("0" * 40 + ".pickle")).write_bytes(evil)
    for path in entries(cache_dir):  # and in place of every real entry
        path.write_bytes(evil)
    (cache_dir / "v1" / "graph" / "random.nq").write_bytes(os.urandom(4096))
    (cache_dir / "v1" / "answers" / "folder.srj").mkdir()
    for path in (cache_dir / "v1" / "answers").glob("*.srj"):  # a folder in place of a real answer
        if path.is_file():
            path.unlink()
            path.mkdir()
            break
    result = cli(*NAMED)
    assert result.returncode == 0, result.stderr
    assert result.stdout == reference.stdout
    assert not marker.exists()
    assert "Traceback" not in result.stderr
    assert "is not a hetao-kg cache file; dropped it" in result.stderr
    # the planted entries were replaced by good ones
    again = cli(*NAMED)
    assert again.stdout == reference.stdout and "warning" not in again.stderr
    assert not marker.exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_three_changed_bytes_are_dropped_and_rebuilt(cache_dir, seed):
    reference = {args: cli(*args) for args in (QUERY, NAMED)}
    rng = random.Random(seed)
    damaged = entries(cache_dir)
    assert len(damaged) >= 3
    for path in damaged:
        data = bytearray(path.read_bytes())
        for i in rng.sample(range(len(data)), 3):
            data[i] = (data[i] + rng.randrange(1, 256)) % 256
        path.write_bytes(bytes(data))
    warnings = ""
    for args, expected in reference.items():
        result = cli(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected.stdout
        assert "Traceback" not in result.stderr
        warnings += result.stderr
    assert warnings.count("dropped it and rebuilding") >= len(damaged) - 1  # each damaged entry that was read
    for path in entries(cache_dir):  # what is there now is whole again
        header, _, payload = path.read_bytes().partition(b"\n")
        assert header.endswith(cache._checksum(path.name, cache.code_fingerprint(), payload).encode())


HKUST_EN = re.compile(r'"((?:The )?Hong Kong University of Science and Technology)"@en')


def test_changed_data_file_is_picked_up(cache_dir, data_copy):
    names = data_copy / "graph_data" / "english-names.trig"
    before = cli(*QUERY, root=data_copy)
    assert "Hong Kong University of Science and Technology" in before.stdout
    names.write_text(HKUST_EN.sub('"HKUST (renamed)"@en', names.read_text(encoding="utf-8")), encoding="utf-8")
    after = cli(*QUERY, root=data_copy)
    assert after.returncode == 0, after.stderr
    assert "HKUST (renamed)" in after.stdout and "Science and Technology" not in after.stdout


def test_a_file_swapped_between_hashing_and_parsing_is_never_served_stale(cache_dir, data_copy, monkeypatch):
    """The key is the hash of the bytes parsed: a swap after reading changes nothing."""
    import hetao_kg.data.graph as graph

    names = data_copy / "graph_data" / "english-names.trig"
    original = names.read_text(encoding="utf-8")
    label = HKUST_EN.search(original).group(1)
    swapped = HKUST_EN.sub('"Swapped"@en', original)
    real_digest = graph._digest

    def digest_then_swap(blobs):
        key = real_digest(blobs)
        names.write_text(swapped, encoding="utf-8")  # an attacker's (or editor's) swap right now
        return key

    monkeypatch.setattr(graph, "_digest", digest_then_swap)
    ds, key = load_keyed(data_copy)
    monkeypatch.setattr(graph, "_digest", real_digest)
    labels = {str(o) for o in ds.objects(None, None) if str(o) in ("Swapped", label)}
    assert labels == {label}  # what was hashed is what was parsed
    assert key != content_key(data_copy)  # the swapped file has another key ...
    fresh, fresh_key = load_keyed(data_copy)  # ... so it is built afresh, not served from the old entry
    assert fresh_key == content_key(data_copy)
    assert "Swapped" in {str(o) for o in fresh.objects(None, None)}
    result = cli(*QUERY, root=data_copy)
    assert "Swapped" in result.stdout


def test_eviction_keeps_the_cache_under_its_bound(cache_dir, monkeypatch):
    monkeypatch.setenv("HETAO_KG_CACHE_SIZE", "0.01")  # 10 KB
    bound = cache.max_cache_bytes()
    payload = b"{" + b" " * 3000 + b"}"
    left = lambda: {p.stem for p in (cache_dir / "v1" / "answers").iterdir()}  # noqa: E731
    for i in range(3):  # three entries fit
        assert cache.write_entry("answers", f"k{i}", ".srj", payload) is not None
    assert cache.read_entry("answers", "k0", ".srj") == payload  # k0 used: now k1 is the oldest
    cache.write_entry("answers", "k3", ".srj", payload)
    assert left() == {"k0", "k2", "k3"}
    for i in range(4, 10):
        assert cache.write_entry("answers", f"k{i}", ".srj", payload) is not None
        assert cache.cache_info().size <= bound
    assert left() == {"k7", "k8", "k9"}
    assert cache.write_entry("answers", "big", ".srj", b"x" * 20_000) is None  # larger than the bound: not cached


def _full_16_mb_cache(monkeypatch) -> tuple[int, bytes, list]:
    """A 16 MB cache filled to its bound with 40 KB answers; (bound, such an answer, the
    list that gets an item per listing of the cache from now on)."""
    monkeypatch.setenv("HETAO_KG_CACHE_SIZE", "16")
    payload = b"{" + b" " * 40_000 + b"}"  # an answer of a few hundred rows
    listings: list = []
    real = cache._entries
    monkeypatch.setattr(cache, "_entries", lambda **kw: listings.append(1) or real(**kw))
    for i in range(420):  # 420 x 40 KB > 16 MB: the bound is reached
        cache.write_entry("answers", f"fill{i}", ".srj", payload)
    listings.clear()
    return cache.max_cache_bytes(), payload, listings


def test_a_full_cache_is_not_listed_again_for_every_write(cache_dir, monkeypatch):
    """A server at the bound writes one answer per new query text: eviction leaves room
    (5% of a cache of 16 MB or more), so most writes neither list the cache nor evict,
    and the cache still never passes its bound."""
    bound, payload, listings = _full_16_mb_cache(monkeypatch)
    for i in range(40):
        assert cache.write_entry("answers", f"new{i}", ".srj", payload) is not None
    assert len(listings) <= 8, f"{len(listings)} listings for 40 writes at the bound"
    assert cache.cache_info().size <= bound
    left = {p.stem for p in (cache_dir / "v1" / "answers").iterdir()}
    assert {f"new{i}" for i in range(40)} <= left  # the newest stay, the oldest went
    assert "fill0" not in left


def test_a_writer_near_the_bound_makes_room_once(cache_dir, monkeypatch):
    """A listing that finds the cache past 95% of its bound (but under it) takes it down to
    95%: before, such a listing removed nothing and left room for a few writes, so a server
    writing new answers listed the whole cache every few writes (90 listings for these 400
    writes of 40 KB into 16 MB; the writes' 2x allowance needs 40)."""
    bound, payload, listings = _full_16_mb_cache(monkeypatch)
    for i in range(400):
        assert cache.write_entry("answers", f"new{i}", ".srj", payload) is not None
    assert len(listings) <= 50, f"{len(listings)} listings for 400 writes at the bound"
    assert cache.cache_info().size <= bound


def test_eviction_through_the_cli(cache_dir, monkeypatch):
    monkeypatch.setenv("HETAO_KG_CACHE_SIZE", "1")  # 1 MB: the graph (0.7 MB) and a few answers
    for name in ("hk-university-projects", "policies", "services", "figures", "construction-projects"):
        result = cli("query", "--named", name, "--format", "csv")
        assert result.returncode == 0, result.stderr
        assert cache.cache_info().size <= 2**20


def test_cache_info_and_clear(cache_dir):
    cli(*NAMED)
    (cache_dir / "graph-0123.pickle").write_bytes(b"old")
    info = cli("cache", "info")
    assert info.returncode == 0
    assert str(cache_dir) in info.stdout and "graph" in info.stdout and "of 200 MB" in info.stdout
    assert "1 pickle file(s)" in info.stdout
    (cache_dir / "keep-me.txt").write_text("not ours", encoding="utf-8")
    cleared = cli("cache", "clear")
    assert cleared.returncode == 0 and "removed" in cleared.stderr
    assert entries(cache_dir) == [] and not (cache_dir / "graph-0123.pickle").exists()
    assert (cache_dir / "keep-me.txt").exists()  # only hetao-kg's own entries go
    assert "0 entries" in cli("cache", "info").stdout


def test_directory_entries_count_and_are_evicted_whole(cache_dir, monkeypatch):
    """Room for an embedded store: a folder entry is sized, listed and evicted as one."""
    monkeypatch.setenv("HETAO_KG_CACHE_SIZE", "0.05")  # 50 KB
    store = cache.entry_dir("oxigraph", "store1")
    store.mkdir(parents=True)
    for i in range(4):
        (store / f"part{i}.sst").write_bytes(b"\0" * 10_000)
    cache.touch(store)
    assert cache.cache_info().kinds["oxigraph"] == (1, 40_000)
    cache.write_entry("answers", "a", ".srj", b"{" + b" " * 20_000 + b"}")  # 60 KB in all: the folder goes
    assert not store.exists()
    assert cache.cache_info().size <= cache.max_cache_bytes()


def test_embedded_store_holds_what_was_hashed_when_a_file_is_swapped_after_hashing(cache_dir, data_copy, monkeypatch):
    """The default store is named by the hash of the bytes it parsed: a file swapped right
    after hashing is neither in that database nor served later under the old name."""
    from hetao_kg.store import database, oxigraph

    names = data_copy / "graph_data" / "english-names.trig"
    original = names.read_text(encoding="utf-8")
    label = HKUST_EN.search(original).group(1)
    real_digest = database._digest

    def digest_then_swap(blobs):
        key = real_digest(blobs)
        names.write_text(HKUST_EN.sub('"Swapped"@en', original), encoding="utf-8")
        return key

    monkeypatch.setattr(database, "_digest", digest_then_swap)
    first = oxigraph.OxigraphStore(cache_dir / "ox", root=data_copy)
    labels = {str(r["l"]) for r in first.select(
        "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = 'en') }").rows}
    monkeypatch.setattr(database, "_digest", real_digest)
    assert label in labels and "Swapped" not in labels  # what was hashed is what was parsed
    assert first.data_key == oxigraph._answers_of(first.path.name[3:])  # the key of the bytes parsed
    again = oxigraph.OxigraphStore(cache_dir / "ox", root=data_copy)  # the file now on disk: another database
    labels = {str(r["l"]) for r in again.select(
        "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = 'en') }").rows}
    assert "Swapped" in labels and again.path != first.path


@pytest.mark.parametrize("how", ["writable by others", "owned by another user", "copied under another name"])
def test_a_forged_answer_with_a_valid_checksum_is_not_served(cache_dir, how):
    """Another user plants an answer (a valid checksum) in a shared cache: never read."""
    forged = b'{"head": {}, "boolean": false}'
    path = cache.write_entry("answers", "k1", ".srj", forged)
    assert cache.read_entry("answers", "k1", ".srj") == forged  # the owner's own entry is read
    if how == "writable by others":
        os.chmod(path, 0o666)
    elif how == "owned by another user":
        os.chown(path, 65534, 65534)  # the tests run as root (as in CI)
    else:
        path.rename(path.with_name("k2.srj"))  # an entry under another key: its checksum binds its name
        path = path.with_name("k2.srj")
    with pytest.warns(cache.CacheWarning):
        assert cache.read_entry("answers", path.stem, ".srj") is None


def test_entries_written_by_other_code_are_stale_not_read(cache_dir, monkeypatch):
    cache.write_entry("answers", "k1", ".srj", b'{"head": {}, "boolean": true}')
    monkeypatch.setattr(cache, "_FINGERPRINT", ["0123456789abcdef"])  # another version of hetao-kg
    assert cache.read_entry("answers", "k1", ".srj") is None


def test_a_symlinked_cache_folder_is_never_followed(cache_dir, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.srj").write_text("not yours", encoding="utf-8")
    (cache_dir / "v1").mkdir(parents=True)
    (cache_dir / "v1" / "answers").symlink_to(victim)
    with pytest.warns(cache.CacheWarning, match="symbolic link"):
        assert cache.write_entry("answers", "k1", ".srj", b"{}") is None
    cache.evict(0)  # evicting everything (a 0-byte bound) skips the linked folder (warned once already)
    with pytest.raises(cache.CacheError, match="symbolic link"):
        cache.clear_cache()
    assert (victim / "precious.srj").read_text(encoding="utf-8") == "not yours"


def test_cache_clear_that_cannot_remove_says_so_in_one_line(cache_dir, monkeypatch):
    """A read-only cache folder (made so here by failing every removal: the tests run as root)."""
    from click.testing import CliRunner

    from hetao_kg.cli import main

    cache.write_entry("answers", "k1", ".srj", b"{}")

    def read_only(self, missing_ok=False):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    result = CliRunner().invoke(main, ["cache", "clear"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert len(errors) == 1 and "k1.srj: Permission denied" in errors[0] and "Traceback" not in result.output
