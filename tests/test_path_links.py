"""``path`` reads each link of its chain without networkx (importing it cost the command
0.11 s): the steps must be exactly those the networkx projection of the same links gave
(:func:`project_links`, then the link with the smallest property per pair of nodes), for
many pairs of entities of the shipped data, both languages' labels, stated-only too."""

from __future__ import annotations

import random

import pytest

from hetao_kg import open_graph
from hetao_kg.network import projection
from hetao_kg.network.projection import PathStep, _link_edges, path_between, project_links


def _steps_by_networkx(kg, a: str, b: str, lang: str) -> list[PathStep]:
    """What ``path_steps`` answered when it projected the links with networkx (its code before)."""
    nodes = path_between(kg, kg.resolve(a), kg.resolve(b))
    steps: list[PathStep] = []
    if len(nodes) < 2:
        return steps
    joined = {frozenset(pair) for pair in zip(nodes, nodes[1:])}  # every link of the network between them
    graph = project_links(kg, [r for r in kg.named("network-links").raw
                               if frozenset((str(r["source"]), str(r["target"]))) in joined], lang=lang)
    reasons = {str(r["g"]): str(r["reason"] or "inferred") for r in kg.store.select(projection._INFERRED).rows}
    for u, v in zip(nodes, nodes[1:]):
        forward = graph.has_edge(u, v)
        edges = graph.get_edge_data(u, v) if forward else graph.get_edge_data(v, u)
        data = edges[min(edges, key=lambda k: (edges[k]["property"], str(k)))]
        steps.append(PathStep(u, data["property"], v, kg.label(u, lang), data["label"],
                              kg.label(v, lang), data.get("quote", ""), forward,
                              reasons.get(str(data.get("graph", "")), "")))
    return steps


@pytest.fixture(scope="module")
def kg():
    return open_graph()


def _pairs(kg, n: int) -> list[tuple[str, str]]:
    entities = sorted({str(r["source"]) for r in kg.named("network-links").raw if str(r["source"]).startswith(("http://", "https://"))})
    assert len(entities) > 50
    rng = random.Random(22)
    return [tuple(rng.sample(entities, 2)) for _ in range(n)]


def test_path_steps_are_the_networkx_projections(kg):
    found = multi = backward = 0
    for i, (a, b) in enumerate(_pairs(kg, 60)):
        lang = ("en", "zh-Hant", "zh-Hans")[i % 3]
        want = _steps_by_networkx(kg, a, b, lang)
        assert projection.path_steps(kg, a, b, lang=lang) == want, (a, b, lang)
        found += bool(want)
        multi += len(want) > 1
        backward += any(not s.forward for s in want)
    assert found >= 40 and multi >= 20 and backward >= 5  # the pairs reach far, both ways


def test_stated_only_paths_are_the_networkx_projections(kg):
    stated = type(kg)(kg._store(True))
    for a, b in _pairs(kg, 12):
        assert projection.path_steps(stated, a, b) == _steps_by_networkx(stated, a, b, "en"), (a, b)


def test_several_links_between_two_nodes_give_the_projections_edges(kg):
    """No two entities of the shipped data are joined by more than one link, so the
    choice among several is checked on links made from real ones: one link stated in two
    graphs, a second property between the same pair, a link back the other way. Every
    edge's data is the networkx projection's, dict for dict."""
    rows = [{k: str(r[k]) for k in ("source", "property", "target", "graph")} for r in kg.named("network-links").raw]
    assert len({frozenset((r["source"], r["target"])) for r in rows}) == len(rows)  # else: use real ones here
    links = list(rows[:45])
    for i, r in enumerate(rows[:15]):
        links.append({**r, "graph": rows[-1 - i]["graph"]})  # the same link in another graph
    for i, r in enumerate(rows[15:30]):  # a second property, same direction (another than its own)
        other = next(x["property"] for x in rows[len(rows) - 1 - i::-1] + rows if x["property"] != r["property"])
        links.append({**r, "property": other})
    for i, r in enumerate(rows[30:45]):
        links.append({**r, "source": r["target"], "target": r["source"], "property": rows[i]["property"]})  # back
    for lang in ("en", "zh-Hant"):
        graph, edges = project_links(kg, links, lang=lang), _link_edges(kg, links, lang=lang)
        assert sorted(edges) == sorted({(u, v) for u, v, _ in graph.edges(keys=True)})
        assert sum(len(keyed) for keyed in edges.values()) == graph.number_of_edges() >= 75
        for (u, v), keyed in edges.items():
            assert keyed == dict(graph.get_edge_data(u, v)), (u, v)
