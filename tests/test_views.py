"""Views and the network projection, without a browser: offline HTML, escaping,
analytics and exports."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from hetao_kg.api import open_graph
from hetao_kg.network import centrality, communities, ego, export, project, shortest_paths
from hetao_kg.queries import UnknownName
from hetao_kg.views import MAX_PHYSICS_NODES, VIEWS, build_view, render

from .conftest import run_cli

KG = "https://w3id.org/hetao-kg/id/"
XSS = '<img src=x onerror="window.__xss=1;alert(1)">'
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?https?://|@import|url\(\s*["']?https?://""", re.I)


@pytest.fixture(scope="module")
def kgapi():
    return open_graph()


@pytest.fixture(scope="module")
def network(kgapi):
    return project(kgapi)


def view_args(name):
    return {"ego": ["HKU"], "path": ["HKU", "HKUST"]}.get(name, [])


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_is_self_contained(kgapi, network, name):
    view = render(name, *view_args(name), kg=kgapi, network=network)
    assert not EXTERNAL.search(view.html)
    assert "default-src 'none'" in view.html  # the page may fetch nothing
    assert view.nodes and view.legend
    data = json.loads(re.search(r'<script type="application/json" id="hetao-data">(.*?)</script>', view.html, re.S).group(1))
    assert len(data["nodes"]) == len(view.nodes) and len(data["edges"]) == len(view.edges)


def test_hk_universities_shows_the_unnamed_remainder(kgapi, network):
    view = render("hk-universities", kg=kgapi, network=network)
    labels = {n["label"] for n in view.nodes}
    assert {"The University of Hong Kong", "+8 more projects (unnamed in the source)", "+3 more universities (unnamed in the source)"} <= labels
    zh = render("hk-universities", kg=kgapi, lang="zh-Hans")
    assert "另有8个项目（原文未具名）" in {n["label"] for n in zh.nodes}
    assert view.options["layout"]["hierarchical"]["direction"] == "LR"


def test_sectors_are_coloured_by_status(kgapi, network):
    view = render("sectors", kg=kgapi, network=network)
    siqa = next(n for n in view.nodes if n["id"] == KG + "org/siqa")
    chip = next(n for n in view.nodes if n["id"] == KG + "org/shenzhen-hong-kong-macao-chip-institute")
    assert siqa["color"] != chip["color"]
    assert ("landed", siqa["color"]) in view.legend
    assert siqa["info"]["quote"] == "量子信息方面,深圳国际量子研究院等已落地"
    assert siqa["info"]["labels"] == {"zh-Hans": "深圳国际量子研究院", "zh-Hant": "深圳國際量子研究院", "en": "Shenzhen International Quantum Academy"}


def test_labels_are_data_never_markup(data_copy):
    names = data_copy / "graph_data" / "english-names.trig"
    text = names.read_text(encoding="utf-8").replace('"Shenzhen International Quantum Academy"@en', '"' + XSS.replace('"', '\\"') + '"@en')
    names.write_text(text, encoding="utf-8")
    view = render("ego", "inst:siqa", kg=open_graph(data_copy))
    assert "<img" not in view.html.split("<script>", 1)[0] or "&lt;img" in view.html  # title is escaped
    assert XSS not in view.html  # nowhere literally: the JSON island escapes '<'
    assert "\\u003cimg src=x onerror=" in view.html
    assert "&lt;img src=x onerror=" in view.html  # in <title> and <h1>
    assert "innerHTML" not in view.html.split("<script type=\"application/json\"")[1]


def test_views_are_written_as_utf8(kgapi, tmp_path):
    out = render("sectors", kg=kgapi, lang="zh-Hant").save(tmp_path / "s.html")
    text = out.read_bytes().decode("utf-8")
    assert "重點產業方向" in text and '<meta charset="utf-8">' in text


def test_big_views_get_a_precomputed_layout_without_physics():
    g = nx.MultiDiGraph()
    for i in range(MAX_PHYSICS_NODES + 10):
        g.add_node(f"n{i}", kind="Thing", label=f"n{i}", labels={})
        if i:
            g.add_edge(f"n{i}", f"n{i // 2}", key="link", label="link")
    view = build_view(g, name="full", title="big", lang="en")
    assert view.options["physics"] == {"enabled": False}
    assert all("x" in n and "y" in n for n in view.nodes)


def test_unknown_view_and_bad_entities(kgapi):
    with pytest.raises(UnknownName, match="did you mean: hk-universities"):
        render("hk-universitys", kg=kgapi)
    with pytest.raises(ValueError, match="exactly one ENTITY"):
        render("ego", kg=kgapi)
    result = run_cli("render", "sector", "-o", "x.html")
    assert result.returncode == 2 and "did you mean: sectors" in result.stderr


def test_render_cli_writes_a_page(tmp_path):
    out = tmp_path / "hk.html"
    result = run_cli("render", "hk-universities", "--lang", "zh-Hans", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "香港高校及其引进的项目" in out.read_text(encoding="utf-8")


def test_analytics(network):
    top = centrality(network, top=3)
    assert top[0]["node"] == KG + "park/shenzhen-park"
    assert all(r["kind"] not in {"Sector", "DevelopmentStatus"} for r in centrality(network))
    groups = communities(network)
    assert sum(len(c) for c in groups) == sum(1 for _, d in network.nodes(data=True) if d["kind"] not in {"Sector", "DevelopmentStatus"})
    assert groups == communities(network)  # seeded: stable across runs
    hood = ego(network, KG + "org/hku", depth=1)
    assert KG + "project/hku-ai-pathogen-diagnosis" in hood and KG + "park/shenzhen-park" not in hood
    paths = shortest_paths(network, KG + "org/hku", KG + "org/hkust")
    assert paths and all(p[0] == KG + "org/hku" and p[-1] == KG + "org/hkust" for p in paths)


def test_edges_carry_their_quote(network):
    data = network.get_edge_data(KG + "project/hku-ai-pathogen-diagnosis", KG + "org/hku")["broughtInBy"]
    assert data["quote"].startswith("香港大学基于人工智能的病原诊断与防治项目")
    assert data["label"] == "brought in by"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_exports_round_trip(network, tmp_path, fmt):
    (path,) = export(network, tmp_path / f"kg.{fmt}")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    node = back.nodes[KG + "org/hku"]
    assert node["label_zh_Hans"] == "香港大学" and node["kind"] == "University"


def test_network_csv_export(network, tmp_path):
    nodes, edges = export(network, tmp_path / "kg.csv")
    import csv  # quotes of context-facts.md span lines, so count CSV records, not lines

    with nodes.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == network.number_of_nodes() + 1
    assert "香港大学基于人工智能的病原诊断与防治项目" in edges.read_text(encoding="utf-8")
