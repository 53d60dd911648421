"""The embedded store: a persistent pyoxigraph (RocksDB) database in a directory.

The database is bulk-loaded from ``ontology/`` and ``graph_data/`` (parsed by
Oxigraph itself) plus the derived graphs that :func:`hetao_kg.graph.load` adds
(sentence nodes, zh-Hant labels), and the hash of all its inputs names it. A build
happens in a temporary directory that is renamed into place only when complete,
so a build killed at any moment leaves nothing that is ever served; the next
open sees no finished database for the current inputs and builds again.

Answers match the in-memory rdflib store:

* the default graph holds the union of all graphs, deduplicated (pyoxigraph 0.5's
  union default graph yields a triple once per named graph holding it);
* bound variables go in through ``VALUES`` (Oxigraph refuses to bind a variable
  the query does not project);
* terms come back as rdflib terms, ``xsd:string`` as plain literals and language
  tags in their usual case (Oxigraph lowercases them).

Layout of the store directory: ``db-<inputs hash>/`` (finished databases, each with
``hetao-kg-build.json``), ``.build-*`` (builds in progress or killed), ``.lock``.

>>> store = OxigraphStore()
>>> store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a hto:University }").rows[0]["n"].toPython()
3
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any, Mapping

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from ..graph import DataError, cache_dir, content_key, data_files, parse_file
from ..namespaces import KG, PREFIXES
from ..store import QueryError, QueryRefused, Rows
from ._common import bind_values, check, literal

__all__ = ["OxigraphStore", "build", "default_location"]

MARKER = "hetao-kg-build.json"
_FORMS = {"SelectQuery", "ConstructQuery", "DescribeQuery", "AskQuery"}


def default_location() -> Path:
    """The default store directory: ``oxigraph/`` in the per-user cache (:func:`hetao_kg.graph.cache_dir`)."""
    return cache_dir() / "oxigraph"


def _inputs_key(root: str | Path | None) -> str:
    import pyoxigraph

    digest = hashlib.sha256(content_key(root).encode())
    digest.update(pyoxigraph.__version__.encode())
    here = Path(__file__).resolve().parent
    for name in ("oxigraph.py", "_common.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:24]


def _to_rdflib(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        return literal(term.value, lang=term.language, datatype=term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise QueryError(f"unsupported RDF term in an answer: {term!r}")


def _bulk_load_file(store, path: Path, graph: URIRef | None) -> None:
    import pyoxigraph as ox

    fmt = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
           ".nt": ox.RdfFormat.N_TRIPLES}.get(path.suffix)
    if fmt is None:
        raise DataError(path, f"unknown RDF file type {path.suffix!r}")
    options: dict[str, Any] = {"format": fmt, "base_iri": str(KG)}
    if graph is not None:
        options["to_graph"] = ox.NamedNode(str(graph))
    try:
        store.bulk_load(path=str(path), **options)
    except (SyntaxError, ValueError, OSError) as exc:
        parse_file(path)  # raises a DataError with file, line and column when rdflib agrees
        raise DataError(path, f"Oxigraph cannot load it: {exc}") from None


_ZH_HANS_LABELS = """
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#prefLabel>
              <http://www.w3.org/2004/02/skos/core#altLabel> }
  GRAPH ?g { ?s ?p ?o } FILTER (langMatches(LANG(?o), "zh-Hans"))
}"""
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _nt_term(term: Node) -> str:
    if isinstance(term, Literal):
        text = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


class _QuadWriter:
    """Just enough of an rdflib ``Dataset`` for :func:`hetao_kg.graph._add_derived`:
    ``graph(iri).add(triple)`` writes an N-Quads line, ``triples(pattern)`` reads the
    given label triples. Building the derived graphs in an rdflib store costs most of
    the build at scale; this runs the same code and writes straight to the file."""

    def __init__(self, fh, labels: list[tuple[Node, Node, Node]]):
        self._fh, self._labels = fh, labels

    def graph(self, identifier: URIRef) -> "_QuadWriter":
        writer = _QuadWriter(self._fh, self._labels)
        writer._suffix = f" <{identifier}> .\n"
        writer.identifier = identifier
        return writer

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = triple
        self._fh.write(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)}{self._suffix}")
        if isinstance(o, Literal) and o.language:  # a label added here is seen by later reads, as in a Dataset
            self._labels.append(triple)

    def triples(self, pattern):
        s, p, o = pattern
        for t in self._labels:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t


def _derived_nquads(store, files, out: Path) -> None:
    """The derived graphs of :func:`hetao_kg.graph.load` (same code), as N-Quads in ``out``."""
    from ..graph import _add_derived

    labels = [(_to_rdflib(r["s"]), _to_rdflib(r["p"]), _to_rdflib(r["o"])) for r in store.query(_ZH_HANS_LABELS)]
    try:
        with open(out, "w", encoding="utf-8") as fh:
            _add_derived(_QuadWriter(fh, labels), files)  # type: ignore[arg-type]
        return
    except (AttributeError, TypeError):  # _add_derived wants more of a Dataset: build one
        pass
    scratch = URIRef("urn:hetao-kg:scratch-labels")
    ds = Dataset(default_union=True)
    graph = ds.graph(scratch)
    for triple in labels:
        graph.add(triple)
    _add_derived(ds, files)
    ds.remove_graph(graph)
    with open(out, "wb") as fh:
        ds.serialize(fh, format="nquads", encoding="utf-8")


def build(location: str | Path | None = None, *, root: str | Path | None = None) -> Path:
    """Build (if needed) the database for the current inputs below ``location``; return its path.

    Safe against concurrent builders (a lock) and against being killed (temporary
    directory, atomic rename, completion marker).
    """
    import pyoxigraph as ox

    location = Path(location) if location else default_location()
    location.mkdir(parents=True, exist_ok=True)
    key = _inputs_key(root)
    final = location / f"db-{key}"
    if _finished(final, key):
        return final
    with open(location / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _finished(final, key):
            return final
        _clean(location, keep=final)
        files = data_files(root)
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=location))
        try:
            store = ox.Store(str(tmp / "db"))
            for path in files.ontology:
                _bulk_load_file(store, path, KG["graph/ontology"])
            for path in files.data:
                _bulk_load_file(store, path, None)
            derived = tmp / "derived.nq"
            _derived_nquads(store, files, derived)
            store.bulk_load(path=str(derived), format=ox.RdfFormat.N_QUADS)
            derived.unlink()
            union = tmp / "union.nt"  # the union, as the default graph (a set: loading deduplicates)
            store.query(_UNION).serialize(output=str(union), format=ox.RdfFormat.N_TRIPLES)
            store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES)
            union.unlink()
            store.optimize()
            store.flush()
            quads = len(store)
            del store
            info = {"key": key, "root": str(files.root), "quads": quads,
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


def _finished(path: Path, key: str) -> bool:
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))["key"] == key
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _clean(location: Path, *, keep: Path) -> None:
    """Remove killed builds (we hold the lock, so no build is running) and old databases."""
    day = 86400
    for path in location.iterdir():
        if path == keep or not path.is_dir():
            continue
        if path.name.startswith(".build-"):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith("db-") and path.stat().st_mtime < time.time() - day:
            shutil.rmtree(path, ignore_errors=True)  # keep a day of other versions for other checkouts


class OxigraphStore:
    """The embedded pyoxigraph store as a :class:`~hetao_kg.store.Store`.

    ``location`` is the store directory (default :func:`default_location`); ``root``
    the data (default: the installed data). The database is built on first use and
    opened read-only, lazily: an ``OxigraphStore`` can be pickled and sent to a
    worker process before it opens anything (RocksDB must not be opened before a fork).
    """

    def __init__(self, location: str | Path | None = None, *, root: str | Path | None = None):
        self.location = Path(location) if location else default_location()
        self.root = root
        self._db: Any = None
        self.path: Path | None = None
        self.data_key: str | None = None

    @classmethod
    def opened(cls, location: str | Path | None = None, root: str | Path | None = None, *,
               quiet: bool = False) -> "OxigraphStore":
        """A store built and opened now (what :class:`~hetao_kg.limits.LimitedStore` builds in its worker).

        ``quiet`` silences the process's stderr (file descriptor 2) once the store is
        open: a query that exhausts the worker's memory ceiling makes Rust abort with a
        message (and, under ``RUST_BACKTRACE``, a backtrace) there; the worker's death
        is reported to the caller as one clear error instead.
        """
        store = cls(location, root=root)
        store.open()
        if quiet:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        return store

    def __getstate__(self) -> dict:
        return {"location": self.location, "root": self.root, "_db": None, "path": None, "data_key": None}

    def open(self):
        """The opened (read-only) pyoxigraph store, built first if needed."""
        if self._db is None:
            import pyoxigraph as ox

            self.path = build(self.location, root=self.root)
            self._db = ox.Store.read_only(str(self.path))
            self.data_key = f"{content_key(self.root)}-oxigraph"
        return self._db

    def info(self) -> dict:
        """What the build recorded: inputs hash, data root, number of quads, build seconds."""
        self.open()
        return json.loads((self.path / MARKER).read_text(encoding="utf-8"))

    def execute(self, sparql: str, bindings: Mapping[str, Node] | None = None, *,
                max_rows: int | None = None) -> Rows | bool:
        """Run any read-only query: :class:`Rows` for SELECT/CONSTRUCT/DESCRIBE, bool for ASK.

        With ``max_rows``, evaluation stops after that many rows (``Rows.truncated`` set).
        """
        form = check(sparql)  # the guard: nothing reaches Oxigraph before it passed
        if form not in _FORMS:
            raise QueryRefused(f"unsupported query form {form}")
        text = bind_values(sparql, bindings, form)
        db = self.open()
        try:
            result = db.query(text, prefixes={k: str(v) for k, v in PREFIXES.items()})
            if form == "AskQuery":
                return bool(result)
            rows = result if max_rows is None else islice(result, max_rows + 1)
            seen: dict = {}  # answers repeat terms (properties, graphs, kinds): convert each once

            def conv(term):
                found = seen.get(term)
                if found is None and term is not None:
                    found = seen[term] = _to_rdflib(term)
                return found

            if form == "SelectQuery":
                names = tuple(v.value for v in result.variables)
                out = [dict(zip(names, map(conv, row))) for row in rows]
            else:
                names = ("subject", "predicate", "object")
                out = [dict(zip(names, (conv(t.subject), conv(t.predicate), conv(t.object)))) for t in rows]
            if max_rows is not None and len(out) > max_rows:
                return Rows(names, out[:max_rows], truncated=True)
            return Rows(names, out)
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            raise QueryError(f"query evaluation failed: {exc}") from None

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Rows:
        """Run a SELECT query (CONSTRUCT/DESCRIBE give rows of subject, predicate, object)."""
        answer = self.execute(sparql, bindings)
        if isinstance(answer, bool):
            raise QueryError("expected a SELECT query, got ASK (use ask())")
        return answer

    def ask(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        answer = self.execute(sparql, bindings)
        if not isinstance(answer, bool):
            raise QueryError("expected an ASK query, got a SELECT")
        return answer
