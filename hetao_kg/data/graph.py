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

import contextlib
import hashlib
import json
import logging
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from .. import cache as _cache
from ..errors import DataError, SourceError
from .dataset import GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_ZH_HANT, flatten, record_machine_conversion
from ..namespaces import HTO, KG, bind_prefixes
from ..paths import data_root

__all__ = [
    "DataError",
    "GRAPH_ONTOLOGY",
    "GRAPH_PROVENANCE",
    "GRAPH_ZH_HANT",
    "DataFiles",
    "data_files",
    "flatten",
    "inferred_graphs",
    "stated_only",
    "cache_dir",
    "content_key",
    "load",
    "load_keyed",
    "parse_file",
    "to_traditional",
    "zh_hant_overrides",
]

_LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


@dataclass(frozen=True)
class DataFiles:
    """The files that make up the graph: ontology, shapes, curated data and sources."""

    root: Path
    ontology: tuple[Path, ...]
    shapes: Path
    data: tuple[Path, ...]
    sources: Path
    zh_hant_overrides: Path | None = None

    def all(self) -> tuple[Path, ...]:
        """Every file the graph is built from (for cache keys); subfolders of
        ``sources/`` are not part of it."""
        extra = (self.zh_hant_overrides,) if self.zh_hant_overrides and self.zh_hant_overrides.is_file() else ()
        return (*self.ontology, self.shapes, *self.data, *extra, *sorted(p for p in self.sources.iterdir() if p.is_file()))


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
        zh_hant_overrides=data_dir / "zh-hant-overrides.json",
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
    except OSError as exc:
        raise DataError(path, f"cannot read: {exc.strerror}") from None
    surrogate = _SURROGATE_ESCAPE.search(text)
    if surrogate:
        line, column = text.count("\n", 0, surrogate.start()) + 1, surrogate.start() - text.rfind("\n", 0, surrogate.start())
        raise DataError(path, f"{surrogate.group(0)} is a lone surrogate, not a character (write the character itself, or \\U for one outside the BMP)", line, column)
    ds = Dataset()
    target = ds.graph(graph) if graph is not None else ds
    with _invalid_iris() as invalid:
        try:
            target.parse(data=text, format=fmt, publicID=KG)
        except Exception as exc:  # rdflib raises many types; report them uniformly
            line, column, message = _error_position(exc, text)
            raise DataError(path, f"{fmt} syntax error: {message}", line, column) from None
    if invalid:
        _check_iris(ds, path, text)
    return ds


class _InvalidIris(logging.Filter):
    """Counts (and keeps from the user) rdflib's warnings about IRIs it accepted but cannot write."""

    def __init__(self):
        super().__init__()
        self.seen = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "does not look like a valid URI" in record.getMessage():
            self.seen += 1
            return False
        return True

    def __bool__(self) -> bool:
        return self.seen > 0


@contextlib.contextmanager
def _invalid_iris():
    log = logging.getLogger("rdflib.term")
    seen = _InvalidIris()
    log.addFilter(seen)
    try:
        yield seen
    finally:
        log.removeFilter(seen)


#: characters no IRI may hold (RFC 3987): rdflib only warns about them, Oxigraph refuses them
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def _check_iris(ds: Dataset, path: Path, text: str) -> None:
    """Refuse an IRI that rdflib accepted with a warning but no store can hold (a space
    in ``<org/z z>``): :class:`DataError` naming the file and the line where it is written."""
    for quad in ds.quads((None, None, None, None)):
        for term in quad[:3]:
            if isinstance(term, URIRef) and _BAD_IRI.search(term):
                bad = _BAD_IRI.search(term)
                start = max(term.rfind("/", 0, bad.start()), term.rfind("#", 0, bad.start()), term.rfind(":", 0, bad.start())) + 1
                written = term[start:bad.end() + 1]
                at = text.find(written) if written else -1
                line = text.count("\n", 0, at) + 1 if at >= 0 else None
                column = at - text.rfind("\n", 0, at) if at >= 0 else None
                raise DataError(path, f"invalid IRI <{term}>: {bad.group(0)!r} is not allowed in an IRI "
                                      "(percent-encode it, e.g. %20 for a space)", line, column)


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


def zh_hant_overrides(path: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The override table for zh-Hant labels: (phrases, characters).

    ``path`` defaults to ``graph_data/zh-hant-overrides.json`` of the installed data;
    a missing file means no overrides, a malformed one is a :class:`DataError`.
    """
    path = path or data_root() / "graph_data" / "zh-hant-overrides.json"
    if not path.is_file():
        return {}, {}
    try:
        table = json.loads(path.read_bytes().decode("utf-8"))
        phrases, chars = dict(table.get("phrases", {})), dict(table.get("characters", {}))
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
        raise DataError(path, f"not a valid override table: {exc}") from None
    if not all(isinstance(v, str) for v in (*phrases, *phrases.values(), *chars, *chars.values())):
        raise DataError(path, "override table entries must map strings to strings")
    return phrases, chars


def to_traditional(text: str, overrides: tuple[dict[str, str], dict[str, str]] | None = None) -> str:
    """Simplified -> Traditional Chinese in Hong Kong standard forms: OpenCC ``s2hk``,
    then the override table (official names, variant characters OpenCC still writes).

    >>> to_traditional("香港大学")
    '香港大學'
    >>> to_traditional("计数群体"), to_traditional("香港中文大学(深圳)")
    ('計數群體', '香港中文大學（深圳）')
    """
    from ..source.normalize import opencc_converter  # (a warm command that opens the built store needs none)

    phrases, chars = overrides if overrides is not None else zh_hant_overrides()
    out = opencc_converter("s2hk").convert(text)
    for old, new in phrases.items():
        out = out.replace(old, new)
    return "".join(chars.get(c, c) for c in out)


def _add_derived(ds: Dataset, files: DataFiles) -> None:
    from ..source.sources import source_documents, source_text_graph

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
    overrides = zh_hant_overrides(files.zh_hant_overrides)
    for s, p, o in simplified:
        hant.add((s, p, Literal(to_traditional(str(o), overrides), lang="zh-Hant")))
    record_machine_conversion(prov, GRAPH_ZH_HANT, "opencc-s2hk",
        "zh-Hant labels converted from the zh-Hans labels by OpenCC s2hk (Hong Kong standard forms), "
        "then graph_data/zh-hant-overrides.json (official names, variant characters).")


def inferred_graphs(ds: Dataset) -> set[URIRef]:
    """The assertion graphs whose evidence is a curator's inference (a kind with
    ``skos:broader hto:CuratorInference``, directly or further up).

    >>> KG["assertion/inferred/hkust-incubator-affiliation"] in inferred_graphs(load())
    True
    """
    from .inference import curator_graphs

    return curator_graphs(ds)


def stated_only(ds: Dataset) -> Dataset:
    """A copy of ``ds`` without the curators' inferences: only facts a source states
    (the report, or a cited external source) and the labels and provenance around them.

    >>> kg = load()
    >>> hkust = (KG["org/hkust-incubator"], HTO.affiliatedWith, KG["org/hkust"])
    >>> hkust in kg, hkust in stated_only(kg)
    (True, False)
    """
    from .inference import GRAPH_FROM_INFERENCES, GRAPH_INFERRED, add_inferred

    drop = inferred_graphs(ds) | {GRAPH_INFERRED}
    out = Dataset(default_union=True)
    bind_prefixes(out)
    for s, p, o, g in ds.quads((None, None, None, None)):
        ctx = g.identifier if isinstance(g, Graph) else g
        if ctx in drop or (s == GRAPH_FROM_INFERENCES and ctx == GRAPH_PROVENANCE):
            continue  # (the record of the entailments of inferences: add_inferred writes it anew if any)
        out.add((s, p, o, out.graph(ctx) if ctx is not None else out.default_graph))
    if len(ds.graph(GRAPH_INFERRED)):
        add_inferred(out)  # entailments of the stated facts only: none follow from an inference
    return out


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


# paths below the hetao_kg package
_CODE = ("data/graph.py", "data/dataset.py", "source/sources.py", "source/normalize.py", "store/base.py", "cache.py",
         "data/inference.py")


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
    code = Path(__file__).resolve().parent.parent
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
    """:func:`load` (with inference), also returning the content key of the bytes it was built from."""
    from .rdflib_eval import install

    install()  # GRAPH ?g in linear time on the datasets we load (same answers)
    files = data_files(root)
    blobs = _read_inputs(files)
    key = _digest(blobs)
    if cache:
        ds = _from_cache(key)
        if ds is not None:
            return ds, key
    from .inference import add_inferred

    ds = build(files, blobs=blobs)
    add_inferred(ds)
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


def load(root: str | Path | None = None, *, cache: bool = True, inference: bool = True) -> Dataset:
    """Load the knowledge graph (ontology + data + derived graphs) as an rdflib Dataset.

    Building (parsing, normalizing, deriving, inferring) is cached on disk as N-Quads,
    keyed by the bytes of every input file (the very bytes that are parsed) and of
    the code that builds it, so a changed file is always picked up. ``cache=False``
    builds afresh. With ``inference`` the RDFS/OWL RL entailments are included as the
    graph ``<graph/inferred>`` (:mod:`hetao_kg.data.inference`).

    >>> len(load()) > 1000
    True
    """
    ds, _ = load_keyed(root, cache=cache)
    if not inference:
        from .inference import GRAPH_FROM_INFERENCES, GRAPH_INFERRED

        ds.remove_graph(GRAPH_INFERRED)
        ds.remove_graph(GRAPH_FROM_INFERENCES)
        ds.graph(GRAPH_PROVENANCE).remove((GRAPH_FROM_INFERENCES, None, None))
    return ds
