"""Every entity's degree in the entity graph of the ego and path views, computed once per
data and kept in the cache.

The ego view ranks a centre's neighbours by their degree (best connected first) and keeps
the first :data:`~hetao_kg.network.views.select.MAX_DEPTH1`. Asked neighbour by neighbour,
that needs every neighbour's links, the fan-in of every node they link to and all their
kinds: for a hub of the 3.5M corpus (6,000 neighbours) 4.7 s of its 6.0 s. A neighbour's
degree does not depend on the centre but for one link: so the degree of every entity,
counted once over the whole network, answers the ranking, and the centre's own links
(which the view asks anyway) add the rest (:func:`degree_around`).

The degree here is the one :class:`~hetao_kg.network.projection.Neighbourhood` counts
without a centre: the distinct entities (not attributes) a node shares a link with that
is not a hub link (one of at least ``hub_min`` links of its property into its target), a
self-loop counted twice as networkx counts it.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from ..query.api import KnowledgeGraph

__all__ = ["Counted", "DegreeTable", "count_degrees", "degree_around", "degree_table"]

#: the cache entry's version: a change in what is counted gives it a new name
VERSION = "degrees-v3"
_CHUNK = 500  # nodes per SQLite lookup (under every SQLite's limit of bound values)


class Counted(NamedTuple):
    """What one pass over the whole network counts: each entity's degree, each node's
    primary kind (local name), and how many sources link into each (target, property)."""

    degrees: dict[str, int]
    kinds: dict[str, str]
    fan_in: dict[tuple[str, str], int]
    #: the hub links (source, property, target, graph) whose source is an attribute:
    #: what the views fold into a hub's target (a few among its thousands of links)
    attribute_hub_links: list[tuple[str, str, str, str]]


def count_degrees(kg: "KnowledgeGraph", *, hub_min: int) -> Counted:
    """Each entity's degree (see the module), from three whole-graph queries, with the
    kinds and fan-in they read.

    >>> from hetao_kg import open_graph
    >>> count_degrees(open_graph(), hub_min=8).degrees["https://w3id.org/hetao-kg/id/org/hku"] > 3
    True
    """
    from .projection import _ancestors, _any_order, _kind_family, _local, _primary

    fan_in = {(str(r["target"]), str(r["property"])): int(r["sources"]) for r in _any_order(kg, "network-fan-in")}
    all_kinds: dict[str, list[str]] = defaultdict(list)
    for r in _any_order(kg, "network-kinds"):
        all_kinds[str(r["entity"])].append(_local(str(r["kind"])))
    kinds = {node: _primary(found) for node, found in all_kinds.items()}
    ancestors = _ancestors(kg)
    families: dict[str, bool] = {}

    def entity(node: str) -> bool:  # not an attribute: as Neighbourhood.family tells it
        found = families.get(node)
        if found is None:
            kind = kinds.get(node) or _primary([])
            found = families[node] = _kind_family(ancestors, kind) != "attribute"
        return found

    shared: dict[str, set[str]] = defaultdict(set)
    attribute_hub_links = []
    for r in _any_order(kg, "network-links"):
        source, target = str(r["source"]), str(r["target"])
        if fan_in.get((target, str(r["property"])), 0) >= hub_min:
            if not entity(source):
                attribute_hub_links.append((source, str(r["property"]), target, str(r["graph"])))
            continue
        if entity(target):
            shared[source].add(target)
        if entity(source):
            shared[target].add(source)
    degrees = {node: len(others) + (node in others) for node, others in shared.items()}
    return Counted(degrees, kinds, fan_in, sorted(set(attribute_hub_links)))


class DegreeTable:
    """A :class:`Counted`, read from an SQLite file of the cache or from memory."""

    def __init__(self, counted: Counted | None = None, *, path: str | Path | None = None):
        self._memory = counted
        self._db = None
        if path is not None:
            import sqlite3

            self._db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)

    def _rows(self, table: str, column: str, nodes: list[str]) -> list[tuple]:
        out: list[tuple] = []
        for i in range(0, len(nodes), _CHUNK):
            part = nodes[i:i + _CHUNK]
            out += self._db.execute(f"SELECT * FROM {table} WHERE {column} IN ({','.join('?' * len(part))})", part)
        return out

    def degrees(self, nodes: Iterable[str]) -> dict[str, int]:
        """The degree of each of ``nodes`` (0 for a node without links that count)."""
        nodes = sorted(set(nodes))
        if self._memory is not None:
            return {n: self._memory.degrees.get(n, 0) for n in nodes}
        found = dict.fromkeys(nodes, 0)
        found.update(self._rows("degree", "node", nodes))
        return found

    def kinds(self, nodes: Iterable[str]) -> dict[str, str]:
        """The primary kind (local name) of each of ``nodes`` that has one."""
        nodes = sorted(set(nodes))
        if self._memory is not None:
            return {n: self._memory.kinds[n] for n in nodes if n in self._memory.kinds}
        return dict(self._rows("kind", "node", nodes))

    def fan_in(self, targets: Iterable[str]) -> dict[tuple[str, str], int]:
        """How many sources link into each of ``targets`` by each property."""
        targets = sorted(set(targets))
        if self._memory is not None:
            wanted = set(targets)
            return {k: n for k, n in self._memory.fan_in.items() if k[0] in wanted}
        return {(t, p): n for t, p, n in self._rows("fan_in", "target", targets)}

    def attribute_hub_links(self, targets: Iterable[str]) -> list[tuple[str, str, str, str]]:
        """The hub links into ``targets`` whose source is an attribute, sorted."""
        targets = sorted(set(targets))
        if self._memory is not None:
            wanted = set(targets)
            return [r for r in self._memory.attribute_hub_links if r[2] in wanted]
        return sorted(self._rows("attribute_hub_link", "target", targets))

    @classmethod
    def write(cls, path: Path, counted: Counted, *, kind: str | None = None) -> "DegreeTable":
        """The table written to ``path`` (a temporary file renamed into place); ``kind``:
        the cache entry's kind, whose folders are checked first."""
        from ..cache import write_sqlite

        def fill(db) -> None:
            db.execute("CREATE TABLE degree (node TEXT PRIMARY KEY, degree INTEGER) WITHOUT ROWID")
            db.execute("CREATE TABLE kind (node TEXT PRIMARY KEY, kind TEXT) WITHOUT ROWID")
            db.execute("CREATE TABLE fan_in (target TEXT, property TEXT, sources INTEGER, "
                       "PRIMARY KEY (target, property)) WITHOUT ROWID")
            db.executemany("INSERT INTO degree VALUES (?, ?)", sorted(counted.degrees.items()))
            db.executemany("INSERT INTO kind VALUES (?, ?)", sorted(counted.kinds.items()))
            db.executemany("INSERT INTO fan_in VALUES (?, ?, ?)", sorted((t, p, n) for (t, p), n in counted.fan_in.items()))
            db.execute("CREATE TABLE attribute_hub_link (source TEXT, property TEXT, target TEXT, graph TEXT)")
            db.execute("CREATE INDEX by_target ON attribute_hub_link (target)")
            db.executemany("INSERT INTO attribute_hub_link VALUES (?, ?, ?, ?)", counted.attribute_hub_links)

        write_sqlite(path, fill, kind=kind)
        return cls(path=path)


#: each table of the file and the column it is looked up by
_TABLES_READ = (("degree", "node"), ("kind", "node"), ("fan_in", "target"), ("attribute_hub_link", "target"))


def _counting_key() -> str:
    """What the counting reads besides the data: the package's code (the kinds' order,
    the families) and the named queries it asks, which :func:`~hetao_kg.cache.code_fingerprint`
    does not hash (``.rq`` files). A change to either counts the table again."""
    import hashlib

    from ..cache import code_fingerprint
    from ..query.queries import named_query

    digest = hashlib.sha256(code_fingerprint().encode("ascii"))
    for name in _QUERIES:
        digest.update(b"\0" + named_query(name).text.encode("utf-8"))
    return digest.hexdigest()[:16]


#: the named queries :func:`count_degrees` asks
_QUERIES = ("network-fan-in", "network-kinds", "network-links")

_TABLES: "weakref.WeakKeyDictionary[KnowledgeGraph, dict[int, DegreeTable]]" = weakref.WeakKeyDictionary()


def degree_table(kg: "KnowledgeGraph", *, hub_min: int, count: bool = True) -> DegreeTable | None:
    """The degree table of ``kg``'s data: read from the cache, else counted
    (:func:`count_degrees`) and written there; kept in memory for a store without a
    content key (a remote endpoint) or a cache that cannot be written. With ``count``
    False, ``None`` rather than counting."""
    held = _TABLES.setdefault(kg, {})
    if hub_min in held:
        return held[hub_min]
    from .. import cache
    from ..query.api import _data_key

    key = _data_key(kg.store)
    path = cache.entry_path("degrees", f"{VERSION}-{hub_min}-{key[:40]}-{_counting_key()}", ".sqlite") if key else None
    table = None
    if path is not None and cache.trusted_file("degrees", path):  # not a link, nor another user's
        try:
            table = DegreeTable(path=path)
            for name, column in _TABLES_READ:  # every table readable, not the first alone
                table._rows(name, column, ["x"])
            cache.touch(path)
        except Exception:  # noqa: BLE001 - damaged: count again
            table = None
    if table is None:
        if not count:
            return None
        import sqlite3

        counted = count_degrees(kg, hub_min=hub_min)
        table = DegreeTable(counted)
        if path is not None:
            try:
                table = DegreeTable.write(path, counted, kind="degrees")
            except (OSError, sqlite3.Error):  # a read-only, full or untrusted cache: the table stays in memory
                pass
            else:
                cache.evict(keep=path)
    held[hub_min] = table
    return table


def degree_around(table: DegreeTable, centre_links: Iterable[dict], centre: str, nodes: Iterable[str],
                  is_hub) -> dict[str, int]:
    """The degree of each of ``nodes`` in the entity graph around ``centre`` (whose hub
    links count): its degree in ``table``, plus one when only a hub link joins it to the
    centre. ``centre_links`` are every link of the centre, out and in (rows of
    ``network-links``); ``is_hub(row)`` tells a hub link."""
    hub_only: dict[str, bool] = {}
    for r in centre_links:
        other = r["target"] if r["source"] == centre else r["source"]
        hub_only[other] = hub_only.get(other, True) and is_hub(r)
    return {n: d + (1 if hub_only.get(n, False) else 0) for n, d in table.degrees(nodes).items()}
