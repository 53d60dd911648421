"""Stage 3: load the ontology, the curated graph data and the derived graphs into
one RDF dataset.

The dataset's default graph is the union of its named graphs, so a plain SPARQL
query sees every fact, and ``GRAPH ?g`` reaches each assertion and, through
``<graph/provenance>``, the quotes behind it.

>>> kg = load()
>>> from hetao_kg.namespaces import HTO, KG
>>> (KG["org/hku"], None, None) in kg
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from . import cache as _cache
from .namespaces import HTO, KG, bind_prefixes
from .normalize import SourceError, opencc_converter
from .paths import data_root
from .sources import source_documents, source_text_graph

__all__ = [
    "DataError",
    "GRAPH_ONTOLOGY",
    "GRAPH_PROVENANCE",
    "GRAPH_ZH_HANT",
    "DataFiles",
    "data_files",
    "flatten",
    "cache_dir",
    "content_key",
    "load",
    "load_keyed",
    "parse_file",
    "to_traditional",
]

GRAPH_ONTOLOGY = KG["graph/ontology"]
GRAPH_PROVENANCE = KG["graph/provenance"]
GRAPH_ZH_HANT = KG["graph/zh-hant-labels"]
_LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


class DataError(ValueError):
    """A data file is missing or malformed; ``str()`` reads ``file:line:column: message``."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.message = Path(path), line, column, message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class DataFiles:
    """The files that make up the graph: ontology, shapes, curated data and sources."""

    root: Path
    ontology: tuple[Path, ...]
    shapes: Path
    data: tuple[Path, ...]
    sources: Path

    def all(self) -> tuple[Path, ...]:
        """Every file the graph is built from (for cache keys)."""
        return (*self.ontology, self.shapes, *self.data, *sorted(self.sources.iterdir()))


def data_files(root: str | Path | None = None) -> DataFiles:
    """Find the graph's files below ``root`` (default: the installed data)."""
    root = Path(root) if root else data_root()
    ontology_dir, data_dir = root / "ontology", root / "graph_data"
    for folder in (ontology_dir, data_dir, data_dir / "sources"):
        if not folder.is_dir():
            raise DataError(folder, "folder not found")
    return DataFiles(
        root=root,
        ontology=tuple(sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")),
        shapes=ontology_dir / "shapes.ttl",
        data=tuple(sorted([*data_dir.glob("*.trig"), *data_dir.glob("*.ttl"), *data_dir.glob("*.nq")])),
        sources=data_dir / "sources",
    )


_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}


def parse_file(
    path: Path, *, into: Graph | None = None, graph: URIRef | None = None, data: bytes | None = None
) -> Dataset:
    """Parse one RDF file on its own, turning any syntax error into :class:`DataError`.

    Parsing happens into a fresh dataset that is returned, so a broken file leaves
    nothing half-loaded behind. ``data``: the file's bytes, already read.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise DataError(path, f"unknown RDF file type {path.suffix!r}")
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 (byte offset {exc.start})") from None
    ds = Dataset()
    target = ds.graph(graph) if graph is not None else ds
    try:
        target.parse(data=text, format=fmt, publicID=KG)
    except Exception as exc:  # rdflib raises many types; report them uniformly
        line, column, message = _error_position(exc, text)
        raise DataError(path, f"{fmt} syntax error: {message}", line, column) from None
    return ds


def _error_position(exc: Exception, text: str) -> tuple[int | None, int | None, str]:
    argstr, pos = getattr(exc, "_str", None), getattr(exc, "_i", None)
    if isinstance(argstr, (str, bytes)) and isinstance(pos, int):
        if isinstance(argstr, bytes):
            argstr = argstr.decode("utf-8", "replace")
        line = argstr.count("\n", 0, pos) + 1
        column = pos - (argstr.rfind("\n", 0, pos) + 1) + 1
        return line, column, str(getattr(exc, "_why", exc))
    line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
    return (line if isinstance(line, int) else None), getattr(exc, "colno", None), str(exc)


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese with OpenCC ``s2t``.

    >>> to_traditional("香港大学")
    '香港大學'
    """
    return opencc_converter("s2t").convert(text)


def _add_derived(ds: Dataset, files: DataFiles) -> None:
    prov = ds.graph(GRAPH_PROVENANCE)
    for doc in source_documents(files.sources).values():
        g = KG[f"graph/source-text/{doc.id}"]
        source_text_graph(doc, ds.graph(g))
        prov.add((g, RDF.type, HTO.Assertion))
        prov.add((g, HTO.evidence, HTO.MachineConversion))
        prov.add((g, PROV.wasDerivedFrom, doc.iri))
    hant = ds.graph(GRAPH_ZH_HANT)
    simplified = [
        (s, p, o)
        for p in _LABELS
        for s, _, o in ds.triples((None, p, None))
        if isinstance(o, Literal) and (o.language or "").lower() == "zh-hans"
    ]
    for s, p, o in simplified:
        hant.add((s, p, Literal(to_traditional(str(o)), lang="zh-Hant")))
    prov.add((GRAPH_ZH_HANT, RDF.type, HTO.Assertion))
    prov.add((GRAPH_ZH_HANT, HTO.evidence, HTO.MachineConversion))
    prov.add((GRAPH_ZH_HANT, PROV.wasAttributedTo, KG["agent/opencc-s2t"]))
    prov.add((GRAPH_ZH_HANT, RDFS.comment, Literal("zh-Hant labels converted from the zh-Hans labels by OpenCC s2t.", lang="en")))


def flatten(ds: Dataset) -> Graph:
    """Every triple of every graph of ``ds`` in one plain graph (prefixes bound)."""
    flat = Graph()
    bind_prefixes(flat)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat


def build(
    files: DataFiles, *, origins: dict[str, list[Path]] | None = None, blobs: dict[Path, bytes] | None = None
) -> Dataset:
    """Parse every file (each on its own first), then merge and derive.

    ``origins``, when given, is filled with subject IRI -> the files that describe it;
    ``blobs`` gives the files' bytes when they have been read already.
    """
    blobs = blobs or {}
    parsed: list[tuple[Path, Dataset]] = [
        (p, parse_file(p, graph=GRAPH_ONTOLOGY, data=blobs.get(p))) for p in files.ontology
    ]
    parsed += [(p, parse_file(p, data=blobs.get(p))) for p in files.data]
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    for path, part in parsed:
        subjects = set()
        for s, p, o, g in part.quads((None, None, None, None)):
            ctx = g.identifier if isinstance(g, Graph) else g
            ds.add((s, p, o, ds.graph(ctx) if ctx is not None else ds.default_graph))
            subjects.add(str(s))
        if origins is not None:
            for subject in subjects:
                origins.setdefault(subject, []).append(path)
    try:
        _add_derived(ds, files)
    except SourceError as exc:
        raise DataError(files.sources, str(exc)) from None
    return ds


_CODE = ("graph.py", "sources.py", "normalize.py", "store.py", "cache.py")


def _read_inputs(files: DataFiles) -> dict[Path, bytes]:
    """Every input file's bytes, read once: they are hashed and parsed from the same bytes."""
    out = {}
    for path in files.all():
        try:
            out[path] = path.read_bytes()
        except IsADirectoryError:
            raise DataError(path, "is a folder, not a file") from None
        except OSError as exc:
            raise DataError(path, f"cannot read: {exc.strerror or exc}") from None
    return out


def _digest(blobs: dict[Path, bytes]) -> str:
    import rdflib

    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    parts = [*((p.name, b) for p, b in blobs.items()), *((m, (code / m).read_bytes()) for m in _CODE)]
    for name, data in parts:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    digest.update(rdflib.__version__.encode())
    return digest.hexdigest()[:32]


def content_key(root: str | Path | None = None) -> str:
    """A key that changes whenever any input file (or the code that builds the graph) changes."""
    return _digest(_read_inputs(data_files(root)))


def _from_cache(key: str) -> Dataset | None:
    payload = _cache.read_entry("graph", key, ".nq")
    if payload is None:
        return None
    ds = Dataset(default_union=True)
    try:
        ds.parse(data=payload.decode("utf-8"), format="nquads")
    except Exception:  # a valid checksum over bad N-Quads: drop it like any damage
        _cache._drop(_cache.entry_path("graph", key, ".nq"), "is not valid N-Quads")
        return None
    bind_prefixes(ds)
    return ds


def load_keyed(root: str | Path | None = None, *, cache: bool = True) -> tuple[Dataset, str]:
    """:func:`load`, also returning the content key of the bytes the dataset was built from."""
    from .rdflib_eval import install

    install()  # GRAPH ?g in linear time on the datasets we load (same answers)
    files = data_files(root)
    blobs = _read_inputs(files)
    key = _digest(blobs)
    if cache:
        ds = _from_cache(key)
        if ds is not None:
            return ds, key
    ds = build(files, blobs=blobs)
    # Sources are read again while normalizing: cache the build only if they are
    # still the bytes that were hashed, so a file swapped meanwhile is never cached.
    sources = [p for p in blobs if p.parent == files.sources]
    if cache and all(_same_bytes(p, blobs[p]) for p in sources):
        _cache.write_entry("graph", key, ".nq", ds.serialize(format="nquads").encode("utf-8"))
    return ds, key


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def cache_dir() -> Path:
    """Where built graphs and answers are cached (see :mod:`hetao_kg.cache`)."""
    return _cache.cache_dir()


def load(root: str | Path | None = None, *, cache: bool = True) -> Dataset:
    """Load the knowledge graph (ontology + data + derived graphs) as an rdflib Dataset.

    Building (parsing, normalizing, deriving) is cached on disk as N-Quads, keyed by
    the bytes of every input file (the very bytes that are parsed) and of the code
    that builds it, so a changed file is always picked up. ``cache=False`` builds afresh.

    >>> len(load()) > 1000
    True
    """
    return load_keyed(root, cache=cache)[0]
