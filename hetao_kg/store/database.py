"""The embedded store's databases: built from the inputs, named by their key, listed and removed.

A database is a pyoxigraph (RocksDB) folder ``db-<key>`` below the store directory. It is
bulk-loaded from ``ontology/`` and ``graph_data/`` (parsed by Oxigraph itself) plus the
derived graphs and entailments that :func:`hetao_kg.graph.load` adds, with the union of
all graphs, deduplicated, as its default graph. Its key is the hash of its inputs, its
flags, pyoxigraph's version and the code that builds it (this module and the data
derivations); the code that answers queries (:mod:`hetao_kg.store.oxigraph`) is not part
of it, so a change there never builds a database again.

A build happens in a temporary folder renamed into place only when complete, so a build
killed at any moment leaves nothing that is ever served.

>>> path = build()
>>> path.name.startswith("db-") and (path / MARKER).is_file()
True
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..data.graph import (GRAPH_ONTOLOGY, DataError, DataFiles, _digest, _read_inputs, _same_bytes, cache_dir,
                          content_key, data_files, parse_file)
from ..namespaces import KG, PREFIXES

__all__ = ["MARKER", "build", "fill", "database_info", "default_location", "remove_databases"]

MARKER = "hetao-kg-build.json"


def default_location() -> Path:
    """The default store directory: ``oxigraph/`` in the per-user cache (:func:`hetao_kg.graph.cache_dir`)."""
    return cache_dir() / "oxigraph"


#: glibc malloc arenas for a process that runs pyoxigraph (see :func:`_few_malloc_arenas`).
MALLOC_ARENAS = 2


def _few_malloc_arenas() -> None:
    """Cap glibc's malloc arenas before pyoxigraph starts its threads.

    Every thread that allocates gets an arena of its own, each reserving 64 MB of
    address space, up to eight per core: RocksDB's and the bulk loader's threads made
    opening a store reserve ~600 MB and a build peak at 700-900 MB of address space.
    Under an address-space limit (``ulimit -v``; the hostile-input tests run the CLI
    under 1 GiB) the bulk loader's 200 MB batch buffer then failed to allocate, and
    Rust aborts the process with a backtrace on such a failure. Two arenas bring the
    build's peak to ~450 MB at no measured cost (the evaluation is single-threaded).
    ``MALLOC_ARENA_MAX`` in the environment wins; elsewhere than glibc nothing happens.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, MALLOC_ARENAS)  # -8: M_ARENA_MAX (malloc.h)
    except (OSError, AttributeError):
        pass


def _pyoxigraph_version() -> str:
    """pyoxigraph's version, from its installed metadata (0.4 ms) rather than by importing
    it (3 ms: a warm command answered from the cache never opens the store)."""
    from importlib import metadata

    try:
        return metadata.version("pyoxigraph")
    except metadata.PackageNotFoundError:
        import pyoxigraph

        return pyoxigraph.__version__


#: the modules whose code decides a database's quads: this one and every module it imports
#: but :data:`_NOT_BUILDING_CODE` (tests/test_snapshot.py checks the import graph)
_BUILDING_CODE = ("store/database.py", "data/derived.py", "data/inference.py", "data/closure.py", "data/graph.py",
                  "data/dataset.py", "data/rdflib_eval.py", "source/sources.py", "source/normalize.py",
                  "namespaces.py")
#: modules the build imports whose code does not decide the quads: where files live, the
#: cache's bookkeeping, error classes, and the shipped snapshot (keyed by this key itself)
_NOT_BUILDING_CODE = ("cache.py", "paths.py", "errors.py", "store/snapshot.py")


def _inputs_key(root: str | Path | None, inference: bool = True, stated_only: bool = False, *,
                blobs: dict[Path, bytes] | None = None) -> str:
    """The key of a database: its inputs' bytes (``blobs`` when read already), flags and code."""
    digest = hashlib.sha256((content_key(root) if blobs is None else _digest(blobs)).encode())
    digest.update(f"inference={inference} stated_only={stated_only}".encode())
    digest.update(_pyoxigraph_version().encode())
    package = Path(__file__).resolve().parent.parent
    for name in _BUILDING_CODE:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:24]


_RDF_FORMATS = {".ttl": "TURTLE", ".trig": "TRIG", ".nq": "N_QUADS", ".nt": "N_TRIPLES"}


def _format(path: Path):
    import pyoxigraph as ox

    name = _RDF_FORMATS.get(path.suffix)
    if name is None:
        raise DataError(path, f"unknown RDF file type {path.suffix!r}")
    return getattr(ox.RdfFormat, name)


class _BadFile(Exception):
    def __init__(self, path: Path, error: Exception):
        self.path, self.error = path, error


def _data_error(path: Path, error: Exception) -> DataError:
    try:
        parse_file(path)  # rdflib names file, line and column when it agrees the file is bad
    except DataError as exc:
        return exc
    return DataError(path, f"Oxigraph cannot load it: {error}")


def _parsed(paths, blobs: dict[Path, bytes] | None = None):
    """The quads of every file, parsed by Oxigraph (blank nodes stay apart per file), from
    ``blobs`` (the bytes that were hashed) when given."""
    import pyoxigraph as ox

    for path in paths:
        try:
            if blobs is not None and path in blobs:
                yield from ox.parse(input=blobs[path], format=_format(path), base_iri=str(KG))
            else:
                yield from ox.parse(path=str(path), format=_format(path), base_iri=str(KG))
        except (SyntaxError, ValueError, OSError) as exc:
            raise _BadFile(path, exc) from None


def _load_files(store, files, blobs: dict[Path, bytes] | None = None) -> None:
    """Ontology files into ``<graph/ontology>``, data files as they are: all in one bulk load."""
    import pyoxigraph as ox

    for path in files.ontology:
        source = {"input": blobs[path]} if blobs is not None and path in blobs else {"path": str(path)}
        try:
            store.bulk_load(**source, format=_format(path), base_iri=str(KG),
                            to_graph=ox.NamedNode(str(KG["graph/ontology"])))
        except (SyntaxError, ValueError, OSError) as exc:
            raise _data_error(path, exc) from None
    try:
        store.bulk_extend(_parsed(files.data, blobs))  # one bulk load; one per file costs 4x more
    except _BadFile as bad:
        raise _data_error(bad.path, bad.error) from None


_CURATOR_GRAPHS = """
SELECT DISTINCT ?g WHERE {
  ?kind <http://www.w3.org/2004/02/skos/core#broader>* hto:CuratorInference .
  GRAPH <https://w3id.org/hetao-kg/id/graph/provenance> { ?g hto:evidence ?kind }
  FILTER (isIRI(?g))
}"""


def _drop_curator_inferences(store) -> None:
    """What :func:`hetao_kg.graph.stated_only` leaves out: every graph whose evidence is a curator's inference."""
    # the union is not materialized yet: ask the union view (DISTINCT copes with its repeats)
    graphs = [r["g"].value for r in store.query(_CURATOR_GRAPHS, prefixes={"hto": str(PREFIXES["hto"])},
                                                  use_default_graph_as_union=True)]
    if graphs:
        store.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))


_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _with_union(quads):
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    for quad in quads:
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def _ontology(paths, blobs=None):
    """The ontology files' triples in ``<graph/ontology>``, parsed by Oxigraph."""
    import pyoxigraph as ox

    graph = ox.NamedNode(str(GRAPH_ONTOLOGY))
    for path in paths:
        try:
            source = {"input": blobs[path]} if blobs is not None and path in blobs else {"path": str(path)}
            for q in ox.parse(**source, format=_format(path), base_iri=str(KG)):
                yield ox.Quad(q.subject, q.predicate, q.object, graph)
        except (SyntaxError, ValueError, OSError) as exc:
            raise _BadFile(path, exc) from None


def fill(store, files: DataFiles, workdir: Path, *, inference: bool = True, stated_only: bool = False,
         blobs: dict[Path, bytes] | None = None) -> None:
    """Load into an empty pyoxigraph ``store`` everything the memory store's dataset
    holds: the files, the derived graphs, the entailments (with ``inference``), without
    the curators' inferences (with ``stated_only``), and the union of all graphs,
    deduplicated, as the default graph.

    The union is written along with each quad (one pass over the data), except with
    ``stated_only``: graphs are dropped after the load, so the union is taken at the end.
    """
    import pyoxigraph as ox

    from ..data import derived  # only a build needs it (a warm command opens the built store)

    if stated_only:
        _load_files(store, files, blobs)  # blobs: the files' bytes as hashed (parsed from them, not read again)
        derived.add_derived(store, files, workdir)
        _drop_curator_inferences(store)
        derived.add_inferred(store, workdir, inference=inference, stated_only=True)
        union = workdir / "union.nt"  # a set: loading deduplicates
        store.query(_UNION).serialize(output=str(union), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES)  # one document: blank nodes kept together
        union.unlink()
        return
    try:
        derived._bulk_extend(store, _with_union(_ontology(files.ontology, blobs)))
        derived._bulk_extend(store, _with_union(_parsed(files.data, blobs)))  # batches, not one per file (4x slower)
    except _BadFile as bad:
        raise _data_error(bad.path, bad.error) from None
    derived.add_derived(store, files, workdir, union=True)
    derived.add_inferred(store, workdir, inference=inference, union=True)


def build(location: str | Path | None = None, *, root: str | Path | None = None, inference: bool = True,
          stated_only: bool = False, use_snapshot: bool = True) -> Path:
    """Build (if needed) the database for the current inputs below ``location``; return its path.

    Safe against concurrent builders (a lock) and against being killed (temporary
    directory, atomic rename, completion marker). ``inference`` adds the RDFS/OWL RL
    entailments as ``<graph/inferred>`` and ``stated_only`` leaves out the curators'
    inferences, exactly as :func:`hetao_kg.graph.load` and :func:`hetao_kg.graph.stated_only`
    do (the same code computes them); each combination is its own database. When the
    shipped snapshot (:mod:`hetao_kg.store.snapshot`) was written for exactly these
    inputs, its quads are loaded instead of derived (unless ``use_snapshot`` is false).
    """
    import pyoxigraph as ox

    _few_malloc_arenas()
    location = Path(location) if location else default_location()
    location.mkdir(parents=True, exist_ok=True)
    files = data_files(root)
    blobs = _read_inputs(files)  # hashed, then parsed: the database holds exactly what its name says
    key = _inputs_key(root, inference, stated_only, blobs=blobs)
    final = location / f"db-{key}"
    if _finished(final, key):
        return final
    with open(location / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _finished(final, key):
            return final
        _clean(location, keep=final)
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=location))
        try:
            store = ox.Store(str(tmp / "db"))
            if not (use_snapshot and inference and not stated_only and _from_snapshot(store, key)):
                fill(store, files, tmp, inference=inference, stated_only=stated_only, blobs=blobs)
                parsed = {*files.ontology, *files.data}
                changed = [p for p, data in blobs.items() if p not in parsed and not _same_bytes(p, data)]
                if changed:  # the sources are read again to derive sentences: they must be what was hashed
                    raise DataError(changed[0], "changed while the embedded store was being built from it; "
                                                "run the command again")
            store.optimize()
            store.flush()
            quads = len(store)
            del store
            info = {"key": key, "root": str(files.root), "quads": quads, "inference": inference,
                    "stated_only": stated_only,
                    "seconds": round(time.monotonic() - started, 3), "pyoxigraph": ox.__version__}
            with open(tmp / "db" / MARKER, "w", encoding="utf-8") as fh:
                json.dump(info, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            if final.exists():  # an unfinished leftover with our name: never served, replace it
                shutil.rmtree(final)
            os.rename(tmp / "db", final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return final


def _from_snapshot(store, key: str) -> bool:
    """Load the shipped snapshot of the store with the database key ``key`` into the
    empty ``store``, if there is one; whether it was loaded (a damaged one is not: the
    store it half-filled is emptied, and built as if there were none)."""
    from . import snapshot

    nquads = snapshot.find(snapshot.snapshot_key(key))
    if nquads is None:
        return False
    try:
        snapshot.load(store, nquads)
    except (SyntaxError, ValueError):
        store.clear()
        return False
    return True


def _finished(path: Path, key: str) -> bool:
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))["key"] == key
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _clean(location: Path, *, keep: Path) -> None:
    """Remove killed builds (we hold the lock, so no build is running) and old databases
    that no process has open (a server started days ago keeps its database)."""
    day = 86400
    for path in location.iterdir():
        if path == keep:
            continue
        if path.name.startswith(".build-") and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith("db-") and path.is_dir() and path.stat().st_mtime < time.time() - day:
            _remove_unused(path)  # keep a day of other versions for other checkouts
        elif path.name.startswith(".worker-") and path.stat().st_mtime < time.time() - day:
            path.unlink(missing_ok=True)  # a worker's log whose reader died too


def _hold(db: Path):
    """A shared lock on ``db``'s marker, held while the database is open (see
    :func:`_remove_unused`); ``None`` when the database is gone (removed meanwhile)."""
    try:
        fh = open(db / MARKER, "rb")
    except OSError:
        return None
    fcntl.flock(fh, fcntl.LOCK_SH)
    if not (db / MARKER).exists():  # removed while we waited for the lock
        fh.close()
        return None
    return fh


def _remove_unused(db: Path) -> bool:
    """Remove the database ``db`` unless a process has it open; whether it was removed."""
    try:
        fh = open(db / MARKER, "rb")
    except OSError:  # no marker: never finished, so never opened
        shutil.rmtree(db, ignore_errors=True)
        return True
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # open in a running process (a server, a notebook): kept
        (db / MARKER).unlink(missing_ok=True)  # first, so that a reader waiting for the lock sees it gone
        shutil.rmtree(db, ignore_errors=True)
    return True


def database_info(location: str | Path | None = None) -> list[dict]:
    """Each database and build folder below ``location`` (default :func:`default_location`):
    ``path``, ``bytes``, ``quads`` (from its marker), ``finished``, ``in_use``."""
    location = Path(location) if location else default_location()
    out = []
    for path in sorted(location.iterdir()) if location.is_dir() else ():
        if not (path.is_dir() and path.name.startswith(("db-", ".build-"))):
            continue
        try:
            marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = {}
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        out.append({"path": path, "bytes": size, "quads": marker.get("quads", 0), "finished": bool(marker),
                    "in_use": bool(marker) and _in_use(path)})
    return out


def _in_use(db: Path) -> bool:
    try:
        with open(db / MARKER, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False
    except OSError:
        return False


def remove_databases(location: str | Path | None = None) -> tuple[int, list[Path]]:
    """Remove the databases below ``location`` (default :func:`default_location`) that no
    process has open, and builds that are not running; returns how many were removed and
    the databases kept because they are in use (what ``hetao-kg cache clear`` does)."""
    location = Path(location) if location else default_location()
    if not location.is_dir():
        return 0, []
    removed, kept = 0, []
    with open(location / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            building = False
        except BlockingIOError:
            building = True  # a build is running: its temporary folder stays
        for path in sorted(location.iterdir()):
            if path.name.startswith("db-") and path.is_dir():
                if _remove_unused(path):
                    removed += 1
                else:
                    kept.append(path)
            elif path.name.startswith(".build-") and path.is_dir() and not building:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
            elif path.name.startswith(".worker-") and path.is_file():
                path.unlink(missing_ok=True)
    return removed, kept
