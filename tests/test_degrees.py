"""The degree table a hub's ego view is ranked by (hetao_kg.network.degrees, issue 22)."""

from __future__ import annotations

import pytest

import hetao_kg.network.degrees as degrees
from hetao_kg import open_graph
from hetao_kg.network.projection import Neighbourhood, _primary
from hetao_kg.network.views.select import HUB_MIN_LINKS


@pytest.fixture(scope="module")
def counted():
    return degrees.count_degrees(open_graph(), hub_min=HUB_MIN_LINKS)


def test_each_degree_is_the_one_the_neighbourhood_counts_link_by_link(counted):
    kg = open_graph()
    around = Neighbourhood(kg, hub_min=HUB_MIN_LINKS)  # no centre: hub links never count
    nodes = sorted({str(r["entity"]) for r in kg.named("entity-kinds").raw})
    assert len(nodes) > 100
    around.fetch(nodes)
    checked = 0
    for node in nodes:
        if around.family(node) == "attribute":
            continue
        found = around.neighbours(node)
        assert counted.degrees.get(node, 0) == len(found) + (node in found), node
        assert counted.kinds.get(node) == (_primary(around.kinds[node]) if around.kinds[node] else None), node
        checked += 1
    assert checked > 50
    assert max(counted.degrees.values()) > 10
    # the attribute links into hubs: what the neighbourhood asks for link by link
    live = sorted(tuple(r[k] for k in ("source", "property", "target", "graph")) for r in around.hub_attribute_links(nodes))
    assert live and counted.attribute_hub_links == live


def test_the_table_is_written_once_and_read_back(counted, monkeypatch):
    first = degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)
    nodes = sorted(counted.degrees)[:40] + ["https://w3id.org/hetao-kg/id/no-such-node"]
    monkeypatch.setattr(degrees, "count_degrees", lambda *a, **k: pytest.fail("counted again"))
    again = degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)  # a new facade: from the file
    assert again is not first
    assert again.degrees(nodes) == first.degrees(nodes) == {n: counted.degrees.get(n, 0) for n in nodes}
    targets = sorted({t for t, _ in counted.fan_in})[:30]
    assert again.fan_in(targets) == {k: n for k, n in counted.fan_in.items() if k[0] in targets}
    assert again.kinds(nodes) == {n: counted.kinds[n] for n in nodes if n in counted.kinds}
    hubs = sorted({r[2] for r in counted.attribute_hub_links})
    assert again.attribute_hub_links(hubs) == first.attribute_hub_links(hubs) == counted.attribute_hub_links


def test_a_damaged_table_is_counted_again(counted, monkeypatch):
    from hetao_kg import cache
    from hetao_kg.query.api import _data_key

    kg = open_graph()
    degrees.degree_table(kg, hub_min=HUB_MIN_LINKS)
    path = _table_path(kg)
    assert path.is_file()
    path.write_bytes(b"not an SQLite file")
    assert degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS, count=False) is None
    table = degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)
    some = sorted(counted.degrees)[:20]
    assert table.degrees(some) == {n: counted.degrees[n] for n in some}
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def _table_path(kg):
    from hetao_kg import cache
    from hetao_kg.query.api import _data_key

    return cache.entry_path("degrees", f"{degrees.VERSION}-{HUB_MIN_LINKS}-{_data_key(kg.store)[:40]}-"
                            f"{degrees._counting_key()}", ".sqlite")


def _planted(path, rows):
    """An SQLite file at ``path`` with one made-up degree table (nothing else)."""
    import sqlite3

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE degree (node TEXT PRIMARY KEY, degree INTEGER)")
    db.executemany("INSERT INTO degree VALUES (?, ?)", rows)
    db.commit()
    db.close()


def test_a_table_missing_its_other_tables_is_counted_again(counted):
    """A file whose degree table reads but whose kinds, fan-in or attribute links do not
    must not be taken: the view would fail on its first kind."""
    kg = open_graph()
    degrees.degree_table(kg, hub_min=HUB_MIN_LINKS)
    path = _table_path(kg)
    _planted(path, [("x", 1)])
    table = degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)
    some = sorted(counted.kinds)[:20]
    assert table.kinds(some) == {n: counted.kinds[n] for n in some}
    assert table.fan_in(["x"]) == {}


@pytest.mark.parametrize("how", ["writable-by-others", "symlink"])
def test_a_table_not_safely_the_users_is_not_read(counted, tmp_path, how):
    """As for cached answers (tests/hostile/cache-answer-writable-by-others.json): a
    table file another user could have written, or a link planted under its name, is
    not read: its made-up degrees would rank the view and its links be drawn."""
    kg = open_graph()
    degrees.degree_table(kg, hub_min=HUB_MIN_LINKS)
    path = _table_path(kg)
    node = sorted(counted.degrees)[0]
    if how == "symlink":
        elsewhere = tmp_path / "planted.sqlite"
        degrees.DegreeTable.write(elsewhere, counted._replace(degrees={node: 999}))
        path.unlink()
        path.symlink_to(elsewhere)
    else:
        degrees.DegreeTable.write(path, counted._replace(degrees={node: 999}))
        path.chmod(0o666)
    with pytest.warns(Warning):
        table = degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)
    assert table.degrees([node]) == {node: counted.degrees[node]}


def test_a_change_to_the_queries_counted_or_the_code_counts_again(monkeypatch):
    """The table is what three named queries and the projection's code make of the data:
    a table counted before a change to either is stale (the view would rank by it)."""
    import dataclasses

    import hetao_kg.cache
    import hetao_kg.query.queries as queries

    degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS)
    assert degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS, count=False) is not None
    original = queries.named_query

    def edited(name):
        found = original(name)
        return dataclasses.replace(found, text=found.text + "\n# edited") if name == "network-links" else found

    with monkeypatch.context() as m:
        m.setattr(queries, "named_query", edited)
        assert degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS, count=False) is None
    with monkeypatch.context() as m:
        m.setattr(hetao_kg.cache, "code_fingerprint", lambda: "0" * 16)
        assert degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS, count=False) is None
    assert degrees.degree_table(open_graph(), hub_min=HUB_MIN_LINKS, count=False) is not None
