"""The shipped snapshot of the embedded store (``hetao_kg/store/snapshot.py``): the file in
``graph_data/store/`` is byte for byte what a fresh build of the current inputs writes
(else: ``make closures``); a first build loads it instead of deriving the store, and the
store it gives holds the same quads and answers every named query alike; a damaged or
foreign snapshot is never trusted (the store is built as before)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode

from hetao_kg.query.queries import named_queries
from hetao_kg.store import database, snapshot
from hetao_kg.store.oxigraph import OxigraphStore, build


def _dump(db) -> bytes:
    store = ox.Store.read_only(str(db))
    try:
        return snapshot.dump(store)
    finally:
        del store


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A store built from the data files without the snapshot: (its folder, its content)."""
    location = tmp_path_factory.mktemp("fresh")
    db = build(location, use_snapshot=False)
    return db, _dump(db)


def _no_fill(*_args, **_kwargs):
    raise AssertionError("the store was derived, not loaded from the snapshot")


def test_the_shipped_snapshot_is_what_a_fresh_build_writes(fresh):
    db, content = fresh
    shipped = sorted(snapshot.SHIPPED.glob("*.nq.gz"))
    key = snapshot.snapshot_key(db.name[3:])
    assert [p.name for p in shipped] == [f"{key}.nq.gz"], \
        "graph_data/store/ does not hold the snapshot of the current inputs: run `make closures`"
    assert gzip.decompress(shipped[0].read_bytes()) == content, \
        "graph_data/store/ is not what a fresh build writes: run `make closures`"
    assert content.count(b"\n") > 6000 and b"_:c14n0 " in content  # the named graphs, blank nodes canonical


def test_a_first_build_loads_the_snapshot_and_holds_the_same_store(fresh, tmp_path, monkeypatch):
    db, content = fresh
    monkeypatch.setattr(database, "fill", _no_fill)
    loaded = build(tmp_path / "store")
    assert loaded.name == db.name  # the same database key: answers cached for one serve the other
    assert _dump(loaded) == content
    assert OxigraphStore(tmp_path / "store").info()["quads"] == OxigraphStore(db.parent).info()["quads"]


def _plain(rows) -> list:
    """Rows with blank nodes as one placeholder (their labels differ between any two builds)."""
    return [{k: "_:b" if isinstance(v, BNode) else v for k, v in row.items()} for row in rows]


def test_every_named_query_answers_alike_on_both_stores(fresh, tmp_path):
    db, _ = fresh
    build(tmp_path / "store")
    from_files, from_snapshot = OxigraphStore(db.parent), OxigraphStore(tmp_path / "store")
    from_snapshot.open()
    assert from_snapshot.path.name == db.name
    answered = 0
    for name, query in named_queries().items():  # those with parameters unbound: most answer nothing
        a, b = from_files.execute(query.text), from_snapshot.execute(query.text)
        if isinstance(a, bool):
            assert a == b, name
        else:
            assert a.vars == b.vars and _plain(a.rows) == _plain(b.rows), name
            answered += bool(a.rows)
    assert answered >= 10


# mtime=0: the same bytes in every process (pytest-xdist's workers must collect the same tests)
_QUADS = gzip.compress(b"<https://ex.org/s> <https://ex.org/p> <https://ex.org/o> <https://ex.org/g> .\n" * 50, mtime=0)
DAMAGED = [b"not gzip", gzip.compress(b"<a> <b> not n-quads .\n", mtime=0), _QUADS[:-9],  # truncated
           _QUADS[:10] + bytes([_QUADS[10] ^ 0x55]) + _QUADS[11:]]  # a flipped byte: zlib's own error


@pytest.mark.parametrize("damage", DAMAGED, ids=["not-gzip", "not-n-quads", "truncated", "flipped-byte"])
def test_a_damaged_snapshot_is_never_trusted(fresh, damage, tmp_path, monkeypatch):
    db, content = fresh
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / f"{snapshot.snapshot_key(db.name[3:])}.nq.gz").write_bytes(damage)
    monkeypatch.setattr(snapshot, "SHIPPED", shipped)
    assert _dump(build(tmp_path / "store")) == content


def test_another_library_version_is_another_key(fresh, monkeypatch, tmp_path):
    """OpenCC writes the zh-Hant labels and owlrl the entailments: another version of
    either may write other quads, so it does not find this snapshot."""
    db, content = fresh
    key = snapshot.snapshot_key(db.name[3:])
    real = snapshot._version
    monkeypatch.setattr(snapshot, "_version", lambda name: "0.0-other" if name == "OpenCC" else real(name))
    assert snapshot.snapshot_key(db.name[3:]) != key
    monkeypatch.setattr(database, "fill", _no_fill)
    with pytest.raises(AssertionError, match="derived"):
        build(tmp_path / "store")


def test_a_store_whose_default_graph_is_not_the_union_is_not_dumped():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://ex.org/s"), ox.NamedNode("https://ex.org/p"), ox.Literal("o"),
                      ox.NamedNode("https://ex.org/g")))
    with pytest.raises(ValueError, match="union"):
        snapshot.dump(store)
    store.add(ox.Quad(ox.NamedNode("https://ex.org/s"), ox.NamedNode("https://ex.org/p"), ox.Literal("o")))
    assert snapshot.dump(store) == b'<https://ex.org/s> <https://ex.org/p> "o" <https://ex.org/g> .\n'


def _module_file(module: str) -> str:
    """``hetao_kg.data.graph`` -> ``data/graph.py`` (a package's ``__init__.py`` as such)."""
    import importlib.util

    origin = importlib.util.find_spec(module).origin
    return str(Path(origin).resolve().relative_to(Path(database.__file__).resolve().parent.parent))


def test_the_database_key_holds_the_code_of_every_module_the_build_imports():
    """A database is named by its inputs and the code that builds it: every hetao_kg module the
    build imports, directly or not, is in the key or named as one that cannot change the quads
    (namespaces.py, data/graph.py and source/ were outside it, so a change to the IRIs or
    sentences kept serving a database built before it)."""
    import grimp

    graph = grimp.build_graph("hetao_kg")
    imported = {_module_file(m) for m in graph.find_upstream_modules("hetao_kg.store.database")}
    covered = set(database._BUILDING_CODE) | set(database._NOT_BUILDING_CODE)
    assert imported - covered == set(), "add these to _BUILDING_CODE (or _NOT_BUILDING_CODE) in store/database.py"
    assert "store/database.py" in database._BUILDING_CODE and not covered - imported - {"store/database.py"}


def test_the_answer_key_holds_the_code_that_answers():
    """The answer cache's key is the database key and the code that answers: a change to how
    rows are sorted or written never serves an answer cached before it."""
    from hetao_kg.store import oxigraph

    assert oxigraph._answers_of("k") != oxigraph._answers_of("k2")
    assert {"oxigraph.py", "ordering.py", "formats.py"} <= set(oxigraph._ANSWERING_CODE)
    assert oxigraph._answers_of("k", True) == oxigraph._answers_of("k") + "-memory"
