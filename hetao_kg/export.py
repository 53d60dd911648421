"""Export the knowledge graph in a standard RDF format.

Formats that carry named graphs (TriG, N-Quads, JSON-LD) keep every assertion
graph and its provenance; Turtle and N-Triples get the union of all graphs.

>>> text = serialize(format="nquads")
>>> "<https://w3id.org/hetao-kg/id/org/hku>" in text
True
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset

from .graph import flatten, load

__all__ = ["FORMATS", "serialize", "write", "write_bytes"]

# CLI name -> (rdflib format, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "ntriples": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}


def serialize(ds: Dataset | None = None, *, format: str = "trig") -> str:
    """The graph as text in ``format`` (one of :data:`FORMATS`)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    ds = ds if ds is not None else load()
    rdflib_format, keeps_graphs = FORMATS[format]
    if keeps_graphs:
        return ds.serialize(format=rdflib_format, encoding="utf-8").decode("utf-8")
    return flatten(ds).serialize(format=rdflib_format, encoding="utf-8").decode("utf-8")


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes atomically: a temporary file renamed into place, so a reader never
    sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; the file gets what open() would give
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(path: str | Path, text: str) -> None:
    """Write text as UTF-8, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))
