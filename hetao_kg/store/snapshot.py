"""The embedded store's content for the shipped data, shipped with the data.

A first command on a fresh install (empty cache) builds the embedded Oxigraph store:
it loads the files, derives the sentence nodes and zh-Hant labels, and computes the
entailments (about 0.7 s of CPU even with the OWL 2 RL closures shipped, against 0.1 s
for ``python -c "import rdflib"``). What that build writes depends only on its inputs,
so ``make closures`` (:mod:`hetao_kg.store.closures`) also writes the quads of a fresh
build into ``graph_data/store/<key>.nq.gz``; a build whose inputs have that key loads
them (0.07-0.09 s) instead of deriving them. Any other input (data that ``ingest`` or a
curator changed, other code, other versions of the libraries the build uses) has
another key, and the store is built as before.

The key (:func:`snapshot_key`) is the database's own key (every input file's bytes, the
build's flags, the code of the modules that build it, the versions of pyoxigraph and
rdflib) with the versions of owlrl and OpenCC, which compute the entailments and the
zh-Hant labels. The file holds the quads of the named graphs as sorted N-Quads lines,
blank nodes labelled by the W3C RDF canonicalization (RDFC-1.0, as pyoxigraph
implements it), so the same build always writes the same bytes; the default graph (the
union of the named graphs) is added as they are loaded, as a build adds it.
``tests/test_snapshot.py`` fails when the shipped file is not byte for byte what a fresh
build of the current inputs writes (then run ``make closures``). Nothing in the file is
executed: it is parsed as N-Quads by Oxigraph.

>>> len(snapshot_key("0123456789abcdef01234567"))
40
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from ..paths import data_path

__all__ = ["SHIPPED", "dump", "find", "load", "ship", "snapshot_key"]

#: the shipped snapshot(s): ``make closures`` writes the one for the shipped data
SHIPPED = data_path("graph_data", "store")
_SUFFIX = ".nq.gz"
#: the libraries whose answers the build writes besides pyoxigraph and rdflib (in the database key)
_LIBRARIES = ("owlrl", "OpenCC")


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def snapshot_key(db_key: str) -> str:
    """The key of the store built for the inputs the database key ``db_key`` names
    (:func:`hetao_kg.store.database._inputs_key`, with inference, all graphs)."""
    digest = hashlib.sha256(f"hetao-kg store snapshot 1\n{db_key}\n".encode("ascii"))
    for name in _LIBRARIES:
        digest.update(f"{name}={_version(name)}\n".encode("utf-8"))
    return digest.hexdigest()[:40]


def find(key: str, folder: Path | None = None) -> bytes | None:
    """The N-Quads of the shipped snapshot with ``key`` (decompressed), or ``None``."""
    path = (folder or SHIPPED) / f"{key}{_SUFFIX}"
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error):  # none, unreadable or damaged: the store is built instead
        return None


def load(store, nquads: bytes) -> None:
    """Load a snapshot's quads into the empty pyoxigraph ``store``, each also into the
    default graph (the union, deduplicated by the store), in one bulk load (blank nodes
    are one document's). Raises ``SyntaxError`` for text that is not N-Quads."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()

    def with_union():
        for quad in ox.parse(input=nquads, format=ox.RdfFormat.N_QUADS):
            yield quad
            yield ox.Quad(quad.subject, quad.predicate, quad.object, default)

    store.bulk_extend(with_union())


def dump(store) -> bytes:
    """The quads of ``store``'s named graphs as sorted N-Quads lines, blank nodes labelled
    canonically (RDFC-1.0): the same content always gives the same bytes. Only a store
    whose default graph is the union of its named graphs can be dumped (it is what
    :func:`load` restores)."""
    import pyoxigraph as ox

    named = ox.Dataset(q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    union = {(q.subject, q.predicate, q.object) for q in named}
    default = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    if union != default:
        raise ValueError("the store's default graph is not the union of its named graphs")
    named.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = ox.serialize(named, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return b"".join(sorted(lines))


def ship(store, key: str, folder: Path | None = None) -> Path:
    """Write ``store``'s content (:func:`dump`) as the snapshot ``key`` and remove every
    other snapshot in ``folder`` (default :data:`SHIPPED`)."""
    folder = folder or SHIPPED
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}{_SUFFIX}"
    data = gzip.compress(dump(store), mtime=0)
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)
    for stale in folder.glob(f"*{_SUFFIX}"):
        if stale != target:
            stale.unlink()
    return target
