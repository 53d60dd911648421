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
import stat
import tempfile
from pathlib import Path

from rdflib import BNode, Dataset, Graph

from .graph import flatten, load
from .namespaces import bind_prefixes

__all__ = ["FORMATS", "OutputError", "canonical", "serialize", "write", "write_bytes"]

# CLI name -> (rdflib format, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "ntriples": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}


class OutputError(OSError):
    """An output file cannot be written (not a regular file, no permission, …)."""

    def __str__(self) -> str:
        return self.args[0]


def _canonical_graph(graph: Graph) -> Graph:
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    from rdflib.compare import to_canonical_graph

    return to_canonical_graph(graph)


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
    source = canonical(ds) if keeps_graphs else _canonical_graph(flatten(ds))
    if not keeps_graphs:
        bind_prefixes(source)
    text = source.serialize(format=rdflib_format, encoding="utf-8").decode("utf-8")
    if format in ("nquads", "ntriples"):
        lines = sorted(set(line for line in text.splitlines() if line.strip()))
        text = "\n".join(lines) + "\n"
    return text


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
    hetao_kg.export.OutputError: ... is not a regular file (a folder); refusing to replace it
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
