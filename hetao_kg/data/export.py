"""Export the knowledge graph in a standard RDF format, and write files safely.

Formats that carry named graphs (TriG, N-Quads, JSON-LD) keep every assertion
graph and its provenance; Turtle and N-Triples get the union of all graphs.

Exports are byte-identical from run to run: blank nodes get canonical labels
(:func:`rdflib.compare.to_canonical_graph`), N-Quads and N-Triples lines are sorted,
and Turtle/TriG come out of rdflib's sorted serializers over that canonical graph,
so a change in the data shows as a small diff.

>>> text = serialize(format="nquads")
>>> "<https://w3id.org/hetao-kg/id/org/hku>" in text
True
>>> text == serialize(format="nquads")
True
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from rdflib import BNode, Dataset, Graph

from ..errors import OutputError
from .graph import flatten, load
from ..namespaces import bind_prefixes

__all__ = ["FORMATS", "OutputError", "canonical", "serialize", "write", "write_bytes", "xml_safe"]

# CLI name -> (rdflib format, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "ntriples": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}


def _canonical_graph(graph: Graph) -> Graph:
    """A plain graph of the same triples, blank nodes labelled canonically, prefixes bound."""
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        from rdflib.compare import to_canonical_graph

        triples = to_canonical_graph(graph)
    else:
        triples = graph
    out = Graph()
    bind_prefixes(out)
    for triple in triples:
        out.add(triple)
    return out


def canonical(ds: Dataset) -> Dataset:
    """A copy of ``ds`` whose blank nodes carry canonical labels (same data, same labels)."""
    out = Dataset()
    bind_prefixes(out)
    for ctx in sorted(ds.contexts(), key=lambda g: str(g.identifier)):
        target = out.graph(ctx.identifier) if ctx.identifier != ds.default_graph.identifier else out.default_graph
        for triple in _canonical_graph(ctx):
            target.add(triple)
    return out


def serialize(ds: Dataset | None = None, *, format: str = "trig") -> str:
    """The graph as text in ``format`` (one of :data:`FORMATS`), byte-identical for the same data."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    ds = ds if ds is not None else load()
    rdflib_format, keeps_graphs = FORMATS[format]
    if format == "trig":
        return _trig(canonical(ds))
    source = canonical(ds) if keeps_graphs else _canonical_graph(flatten(ds))
    text = source.serialize(format=rdflib_format, encoding="utf-8").decode("utf-8")
    if format in ("nquads", "ntriples"):
        lines = sorted(set(line for line in text.splitlines() if line.strip()))
        text = "\n".join(lines) + "\n"
    return text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (controls, lone surrogates)
    replaced by U+FFFD, so GraphML and GEXF files stay well-formed.

    >>> xml_safe("a\x07b")
    'a\ufffdb'
    """
    return _NOT_XML.sub("\ufffd", text)


def _trig(ds: Dataset) -> str:
    """TriG with the graphs in IRI order (rdflib writes them in the order of a set)."""
    prefixes: set[str] = set()
    bodies = []
    for ctx in sorted(ds.contexts(), key=lambda g: str(g.identifier)):
        if len(ctx) == 0:
            continue
        one = Dataset()
        bind_prefixes(one)
        target = one.graph(ctx.identifier) if ctx.identifier != ds.default_graph.identifier else one.default_graph
        for triple in ctx:
            target.add(triple)
        text = one.serialize(format="trig", encoding="utf-8").decode("utf-8")
        lines = text.splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        bodies.append("\n".join(line for line in lines if not line.startswith("@prefix")).strip("\n"))
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n\n".join(bodies) + "\n"


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes atomically: a temporary file in the target's folder, renamed into
    place, so a reader never sees a half-written file.

    A symlink is written through (its target is replaced, the link stays); a target
    that exists but is not a regular file (a folder, a device) is refused; a new file
    gets the usual permissions (0666 less the umask), an existing one keeps its mode.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_bytes(folder / "a.txt", b"hi"); (folder / "a.txt").read_bytes()
    b'hi'
    >>> write_bytes(folder, b"x")
    Traceback (most recent call last):
    ...
    hetao_kg.errors.OutputError: ... is not a regular file (a folder); refusing to replace it
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a device, pipe or socket"
        raise OutputError(f"{path} is not a regular file ({kind}); refusing to replace it")
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def write(path: str | Path, text: str) -> None:
    """Write text as UTF-8, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))
