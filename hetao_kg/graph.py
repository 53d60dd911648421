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
import os
import pickle
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

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
        """Every file the graph is built from (for cache keys); subfolders of
        ``sources/`` are not part of it."""
        return (*self.ontology, self.shapes, *self.data, *sorted(p for p in self.sources.iterdir() if p.is_file()))


def data_files(root: str | Path | None = None) -> DataFiles:
    """Find the graph's files below ``root`` (default: the installed data)."""
    root = Path(root) if root else data_root()
    ontology_dir, data_dir = root / "ontology", root / "graph_data"
    for folder in (ontology_dir, data_dir, data_dir / "sources"):
        if not folder.is_dir():
            raise DataError(folder, "folder not found")
    files = DataFiles(
        root=root,
        ontology=tuple(sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")),
        shapes=ontology_dir / "shapes.ttl",
        data=tuple(sorted([*data_dir.glob("*.trig"), *data_dir.glob("*.ttl"), *data_dir.glob("*.nq")])),
        sources=data_dir / "sources",
    )
    for path in (*files.ontology, *files.data):
        _readable_file(path)
    return files


def _readable_file(path: Path) -> None:
    """A clear :class:`DataError` for a data path that is a folder, a loop of symlinks, …"""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise DataError(path, "broken symbolic link") from None
        raise DataError(path, "file not found") from None
    except OSError as exc:
        raise DataError(path, f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(path, "is a folder, not a data file" if stat.S_ISDIR(st.st_mode) else "not a regular file")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}


def parse_file(path: Path, *, into: Graph | None = None, graph: URIRef | None = None) -> Dataset:
    """Parse one RDF file on its own, turning any syntax error into :class:`DataError`.

    Parsing happens into a fresh dataset that is returned, so a broken file leaves
    nothing half-loaded behind.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise DataError(path, f"unknown RDF file type {path.suffix!r}")
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 (byte offset {exc.start})") from None
    except OSError as exc:
        raise DataError(path, f"cannot read: {exc.strerror}") from None
    surrogate = _SURROGATE_ESCAPE.search(text)
    if surrogate:
        line, column = text.count("\n", 0, surrogate.start()) + 1, surrogate.start() - text.rfind("\n", 0, surrogate.start())
        raise DataError(path, f"{surrogate.group(0)} is a lone surrogate, not a character (write the character itself, or \\U for one outside the BMP)", line, column)
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


def build(files: DataFiles, *, origins: dict[str, list[Path]] | None = None) -> Dataset:
    """Parse every file (each on its own first), then merge and derive.

    ``origins``, when given, is filled with subject IRI -> the files that describe it.
    """
    parsed: list[tuple[Path, Dataset]] = [(p, parse_file(p, graph=GRAPH_ONTOLOGY)) for p in files.ontology]
    parsed += [(p, parse_file(p)) for p in files.data]
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


def _cache_key(files: DataFiles) -> str:
    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    for path in (*files.all(), *(code / m for m in ("graph.py", "sources.py", "normalize.py", "store.py", "inference.py"))):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    import rdflib

    digest.update(rdflib.__version__.encode())
    return digest.hexdigest()[:32]


def content_key(root: str | Path | None = None) -> str:
    """A key that changes whenever any input file (or the code that builds the graph) changes."""
    return _cache_key(data_files(root))


def cache_dir() -> Path:
    """Where built graphs are cached: ``$HETAO_KG_CACHE`` or ``~/.cache/hetao-kg``."""
    env = os.environ.get("HETAO_KG_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hetao-kg"


def load(root: str | Path | None = None, *, cache: bool = True, inference: bool = True) -> Dataset:
    """Load the knowledge graph (ontology + data + derived graphs) as an rdflib Dataset.

    Building (parsing, normalizing, deriving) is cached on disk, keyed by the content
    of every input file and of the code that builds it, so a changed file is always
    picked up. ``cache=False`` builds afresh. With ``inference`` the RDFS/OWL RL
    entailments are included as the graph ``<graph/inferred>``
    (:mod:`hetao_kg.inference`).

    >>> len(load()) > 1000
    True
    """
    ds = _load(root, cache=cache)
    if not inference:
        from .inference import GRAPH_INFERRED

        ds.remove_graph(GRAPH_INFERRED)
    return ds


def _built(files: DataFiles) -> Dataset:
    from .inference import add_inferred

    ds = build(files)
    add_inferred(ds)
    return ds


def _load(root: str | Path | None, *, cache: bool) -> Dataset:
    files = data_files(root)
    if not cache:
        return _built(files)
    try:
        key = _cache_key(files)
    except FileNotFoundError:
        return _built(files)  # build() reports the missing file clearly
    path = cache_dir() / f"graph-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    ds = _built(files)
    try:
        from .export import write_bytes

        write_bytes(path, pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob("graph-*.pickle"):
            if old != path and old.stat().st_mtime < path.stat().st_mtime - 86400:
                old.unlink(missing_ok=True)  # keep a day of other versions for other checkouts
    except OSError:
        pass  # a read-only home is fine: we just do not cache
    return ds
