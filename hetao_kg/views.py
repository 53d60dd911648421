"""Stage 8: named network views rendered as self-contained, offline HTML (pyvis).

pyvis assembles nodes, edges and options; the page itself comes from this
module's template, because pyvis 0.3.2 still loads Bootstrap (and sometimes
vis-network) from CDNs. The page inlines vis-network from the pyvis package,
carries a Content-Security-Policy that forbids every fetch, and treats every
label and quote as data: it goes into a JSON island and reaches the page only
through ``textContent`` and the canvas.

>>> from hetao_kg.api import open_graph
>>> view = render("hk-universities", kg=open_graph())
>>> import re
>>> re.search(r'(?:src|href)="https?://|@import', view.html) is None
True
>>> view
<View 'hk-universities' (en): 8 nodes, 3 links>
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import networkx as nx

from .queries import UnknownName, suggest

if TYPE_CHECKING:  # pragma: no cover
    from .api import KnowledgeGraph

__all__ = [
    "MAX_PHYSICS_NODES",
    "VIEWS",
    "View",
    "build_view",
    "construction",
    "ego",
    "full",
    "hk_universities",
    "path",
    "policies",
    "render",
    "sectors",
    "services",
]

#: Above this many nodes a view gets a precomputed layout with physics off.
MAX_PHYSICS_NODES = 1500

_FONTS = {
    "en": '"Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    "zh-Hans": '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Sans", sans-serif',
    "zh-Hant": '"Noto Sans CJK TC", "Source Han Sans TC", "PingFang TC", "Microsoft JhengHei", "Noto Sans CJK SC", sans-serif',
}
_TEXT = {
    "en": {"legend": "Legend", "status": "Status", "sector": "Sector", "quote": "Source", "kind": "Kind",
           "more": "+{n} more {what} (unnamed in the source)", "projects": "projects", "universities": "universities",
           "bases": "bases", "institutions": "institutions", "unnamed": "counted but unnamed in the source",
           "hint": "Hover or click a node or link to see its source."},
    "zh-Hans": {"legend": "图例", "status": "进展", "sector": "产业方向", "quote": "原文", "kind": "类别",
                "more": "另有{n}个{what}（原文未具名）", "projects": "项目", "universities": "高校",
                "bases": "基地", "institutions": "机构", "unnamed": "原文计数但未具名",
                "hint": "悬停或点击节点、连线可查看原文出处。"},
    "zh-Hant": {"legend": "圖例", "status": "進展", "sector": "產業方向", "quote": "原文", "kind": "類別",
                "more": "另有{n}個{what}（原文未具名）", "projects": "項目", "universities": "高校",
                "bases": "基地", "institutions": "機構", "unnamed": "原文計數但未具名",
                "hint": "懸停或點擊節點、連線可查看原文出處。"},
}
_TITLES = {
    "hk-universities": {"en": "Hong Kong universities and what each brought in", "zh-Hans": "香港高校及其引进的项目", "zh-Hant": "香港高校及其引進的項目"},
    "sectors": {"en": "Key sectors and their institutions, by development status", "zh-Hans": "重点产业方向与机构（按进展着色）", "zh-Hant": "重點產業方向與機構（按進展著色）"},
    "policies": {"en": "Policies, their kinds and parties", "zh-Hans": "政策文件、类型与签署方", "zh-Hant": "政策文件、類型與簽署方"},
    "construction": {"en": "Construction and infrastructure projects by stage", "zh-Hans": "按进展阶段的建设项目", "zh-Hant": "按進展階段的建設項目"},
    "services": {"en": "Services, platforms and their figures", "zh-Hans": "服务、平台及相关数据", "zh-Hant": "服務、平台及相關數據"},
    "ego": {"en": "Neighbourhood of {name}", "zh-Hans": "{name}的关联网络", "zh-Hant": "{name}的關聯網絡"},
    "path": {"en": "From {a} to {b}", "zh-Hans": "从{a}到{b}", "zh-Hant": "從{a}到{b}"},
    "full": {"en": "The whole knowledge graph", "zh-Hans": "完整知识图谱", "zh-Hant": "完整知識圖譜"},
}
_PALETTE = [  # distinct colours for kinds without a fixed one, handed out in order
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
    "#bab0ac", "#86bcb6", "#d37295", "#499894", "#a0cbe8", "#ffbe7d", "#8cd17d", "#f1ce63", "#fabfd2",
    "#d4a6c8", "#79706e", "#b6992d", "#e49444", "#5778a4", "#6a9f58", "#967662", "#a87c9f", "#85b6b2",
]
_KIND_COLORS = {
    "University": "#d62728", "ResearchProject": "#1f77b4", "RnDCentre": "#17becf", "IncubationBase": "#2ca02c",
    "Cohort": "#7f7f7f", "Unnamed": "#c7c7c7", "ResearchInstitute": "#ff7f0e",
    "CompanyUnit": "#8c564b", "Company": "#bc8f5f", "Sector": "#3f3f8f", "ServicePlatform": "#e377c2", "ServiceCentre": "#f7b6d2",
    "ArbitrationPlatform": "#ad494a", "ConstructionProject": "#393b79", "DevelopmentStatus": "#bcbd22",
    "Jurisdiction": "#637939", "Park": "#31a354", "CooperationZone": "#006d2c", "Figure": "#fdae6b",
    "Service": "#9edae5", "LegalInstitution": "#843c39",
}
_STAGE_COLORS = {  # development stages, earliest first; distinct at a glance
    "planning-scheme-under-study": "#9e9e9e", "preliminary-work": "#c49c94", "entity-registration-under-way": "#f781bf",
    "site-construction": "#ff7f00", "accelerating-construction": "#e6ab02", "completed": "#377eb8",
    "established": "#17becf", "introduced": "#c5b0d5", "landed": "#4daf4a", "in-use": "#a65628",
    "in-operation": "#1b7837", "issued": "#7f7f7f", "issued-and-implemented": "#bcbd22", "signed-and-implemented": "#e41a1c",
}
_STAGES = list(_STAGE_COLORS)


@dataclass(repr=False)
class View:
    """A rendered view: its name, title, the drawn network and the HTML page."""

    name: str
    title: str
    lang: str
    nodes: list[dict]
    edges: list[dict]
    legend: list[tuple[str, str]]
    options: dict = field(default_factory=dict)
    html: str = ""

    def __repr__(self) -> str:
        return f"<View {self.name!r} ({self.lang}): {len(self.nodes)} nodes, {len(self.edges)} links>"

    def save(self, path: str | Path) -> Path:
        """Write the page as UTF-8 (atomically) and return its path."""
        from .export import write

        write(path, self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        """Inline display in Jupyter/VS Code: an isolated iframe with the page as srcdoc."""
        return (
            f'<iframe title="{html.escape(self.title)}" sandbox="allow-scripts" '
            f'style="width:100%;height:640px;border:1px solid #ddd" srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )


def _colors(kinds: list[str]) -> dict[str, str]:
    """One colour per kind: fixed ones first, then the palette in order, never reused
    while it lasts."""
    taken = set(_KIND_COLORS.values())
    free = [c for c in _PALETTE if c not in taken]
    out: dict[str, str] = {}
    for i, kind in enumerate(k for k in sorted(set(kinds)) if k not in _KIND_COLORS):
        out[kind] = free[i % len(free)]
    return {**out, **{k: v for k, v in _KIND_COLORS.items() if k in kinds}}


def build_view(
    g: nx.MultiDiGraph,
    *,
    name: str,
    title: str,
    lang: str,
    hierarchical: bool = False,
    color_by: str = "kind",
    levels: dict[str, int] | None = None,
) -> View:
    """Turn a projected (sub)network into a :class:`View` through pyvis."""
    from pyvis.network import Network

    text = _TEXT[lang]
    net = Network(directed=True, cdn_resources="local")
    degree = dict(nx.Graph(g).degree())
    big = g.number_of_nodes() > MAX_PHYSICS_NODES
    positions = nx.spring_layout(nx.Graph(g), seed=7, scale=3000) if big else {}
    legend: dict[str, tuple[str, str]] = {}
    palette = _colors([d["kind"] for _, d in g.nodes(data=True)])
    for n, d in g.nodes(data=True):
        stage = d.get("status_iri", "").rsplit("/", 1)[-1]
        if color_by == "status" and stage in _STAGE_COLORS:
            color = _STAGE_COLORS[stage]
            legend.setdefault(stage, (d["status"], color))
        else:
            color = palette[d["kind"]]
            legend.setdefault(d["kind"], (d.get("kind_label", d["kind"]), color))
        extra = {"x": positions[n][0], "y": positions[n][1], "physics": False} if big else {}
        if levels and n in levels:
            extra["level"] = levels[n]
        net.add_node(
            n,
            label=d["label"],
            shape="dot",
            color=color,
            size=10 + 4 * math.sqrt(degree.get(n, 0)),
            widthConstraint={"maximum": 260},
            info={
                "labels": d.get("labels", {}),
                "kind": d.get("kind_label", d["kind"]),
                "status": d.get("status", ""),
                "sector": d.get("sector", ""),
                "quote": d.get("quote", ""),
                "iri": n if n.startswith("http") else "",
            },
            **extra,
        )
    for u, v, d in g.edges(data=True):
        net.add_edge(u, v, label=d.get("label", ""), arrows="to", info={"quote": d.get("quote", ""), "label": d.get("label", "")})
    options = {
        "nodes": {"font": {"face": _FONTS[lang], "size": 16, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"font": {"face": _FONTS[lang], "size": 11, "align": "middle", "color": "#555555"},
                  "color": {"color": "#b0b0b0", "highlight": "#333333"}, "smooth": {"type": "continuous"}},
        "interaction": {"hover": True, "tooltipDelay": 100},
    }
    if big:
        options["physics"] = {"enabled": False}
    elif hierarchical:
        options["layout"] = {"hierarchical": {"enabled": True, "direction": "LR", "sortMethod": "directed",
                                              "levelSeparation": 420, "nodeSpacing": 120, "treeSpacing": 160}}
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              "forceAtlas2Based": {"gravitationalConstant": -140, "springLength": 150, "avoidOverlap": 0.6},
                              "stabilization": {"enabled": True, "iterations": 400, "fit": True}}
    nodes, edges, *_ = net.get_network_data()
    order = sorted(legend, key=lambda k: (_STAGES.index(k) if k in _STAGES else -1, legend[k][0]))
    view = View(name, title, lang, nodes, edges, [legend[k] for k in order], options)
    view.html = _page(view, text)
    return view


# --- the page ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _json_island(value) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' survive literally."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hetao-data").textContent);
  var text = data.text;
  var container = document.getElementById("network");
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.hetaoNetwork = network;
  window.hetaoReady = false;
  function ready() { window.hetaoReady = true; document.body.setAttribute("data-ready", "true"); }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); ready(); });
  } else {
    network.once("afterDrawing", ready);
  }
  var legend = document.getElementById("legend-items");
  data.legend.forEach(function (entry) {
    var li = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = entry[1];
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(entry[0]));
    legend.appendChild(li);
  });
  var tip = document.getElementById("tooltip");
  function line(cls, value) {
    if (!value) { return; }
    var div = document.createElement("div");
    div.className = cls;
    div.textContent = value;
    tip.appendChild(div);
  }
  function show(info, title, x, y) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    line("title", title);
    if (info.labels) {
      ["zh-Hans", "zh-Hant", "en"].forEach(function (tag) { if (info.labels[tag]) { line("label", tag + ": " + info.labels[tag]); } });
    }
    if (info.kind) { line("meta", text.kind + ": " + info.kind); }
    if (info.status) { line("meta", text.status + ": " + info.status); }
    if (info.sector) { line("meta", text.sector + ": " + info.sector); }
    if (info.quote) { line("quote", text.quote + ": \u201c" + info.quote + "\u201d"); }
    if (info.iri) { line("iri", info.iri); }
    tip.style.left = Math.min(x + 12, window.innerWidth - 380) + "px";
    tip.style.top = Math.min(y + 12, window.innerHeight - 220) + "px";
    tip.hidden = false;
  }
  function nodeTip(params) {
    var id = params.node !== undefined ? params.node : params.nodes[0];
    if (id === undefined) { tip.hidden = true; return; }
    var n = nodes.get(id);
    show(n.info || {}, n.label, params.pointer.DOM.x, params.pointer.DOM.y);
  }
  function edgeTip(params) {
    var id = params.edge !== undefined ? params.edge : params.edges[0];
    if (id === undefined) { return; }
    var e = edges.get(id);
    show(e.info || {}, e.label, params.pointer.DOM.x, params.pointer.DOM.y);
  }
  network.on("hoverNode", nodeTip);
  network.on("hoverEdge", edgeTip);
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("click", function (params) {
    if (params.nodes.length) { nodeTip(params); } else if (params.edges.length) { edgeTip(params); } else { tip.hidden = true; }
  });
})();
"""


def _page(view: View, text: dict[str, str]) -> str:
    js, css = _vis_assets()
    payload = {"nodes": view.nodes, "edges": view.edges, "options": view.options, "legend": view.legend, "text": text}
    font = _FONTS[view.lang]
    return f"""<!DOCTYPE html>
<html lang="{html.escape(view.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(view.title)}</title>
<style>{css}</style>
<style>
  html, body {{ margin: 0; height: 100%; font-family: {font}; color: #222; }}
  header {{ padding: 8px 16px; border-bottom: 1px solid #e5e5e5; }}
  header h1 {{ font-size: 18px; margin: 0 0 2px 0; }}
  header p {{ font-size: 12px; margin: 0; color: #666; }}
  #network {{ position: absolute; top: 58px; left: 0; right: 240px; bottom: 0; }}
  #legend {{ position: absolute; top: 58px; right: 0; width: 232px; bottom: 0; overflow: auto; padding: 8px; border-left: 1px solid #e5e5e5; font-size: 13px; }}
  #legend h2 {{ font-size: 14px; margin: 4px 0 8px; }}
  #legend ul {{ list-style: none; padding: 0; margin: 0; }}
  #legend li {{ margin: 3px 0; display: flex; align-items: center; }}
  .swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 8px; flex: none; }}
  #tooltip {{ position: fixed; max-width: 360px; background: #fff; border: 1px solid #bbb; border-radius: 4px;
              box-shadow: 0 2px 8px rgba(0,0,0,.15); padding: 8px 10px; font-size: 13px; z-index: 10; white-space: pre-wrap; }}
  #tooltip .title {{ font-weight: bold; margin-bottom: 4px; }}
  #tooltip .quote {{ margin-top: 6px; color: #333; }}
  #tooltip .iri, #tooltip .meta {{ color: #666; font-size: 12px; }}
</style>
</head>
<body>
<header><h1>{html.escape(view.title)}</h1><p>{html.escape(text["hint"])}</p></header>
<div id="network"></div>
<aside id="legend"><h2>{html.escape(text["legend"])}</h2><ul id="legend-items"></ul></aside>
<div id="tooltip" role="tooltip" hidden></div>
<script>{js}</script>
<script type="application/json" id="hetao-data">{_json_island(payload)}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


# --- the named views -------------------------------------------------------------


def _reversed(sub: nx.MultiDiGraph, label: str = "") -> nx.MultiDiGraph:
    """Draw links the other way round (e.g. sector -> institution); the property's
    label no longer reads right, so it is replaced (by an inverse's label, or none)."""
    out = nx.MultiDiGraph(sub.reverse(copy=True))
    for _, _, d in out.edges(data=True):
        d["label"] = label
    return out


def _sub(g: nx.MultiDiGraph, nodes, edge_keys: set[str] | None = None) -> nx.MultiDiGraph:
    sub = nx.MultiDiGraph(g.subgraph(nodes))
    if edge_keys is not None:
        sub.remove_edges_from([(u, v, k) for u, v, k in sub.edges(keys=True) if k not in edge_keys])
    return sub


def _remainders(kg: "KnowledgeGraph", g: nx.MultiDiGraph, sub: nx.MultiDiGraph, lang: str, cohort_nouns: dict[str, str]) -> None:
    """Add a node "+N more … (unnamed in the source)" for every counted group shown."""
    text = _TEXT[lang]
    for row in kg.named("cohorts").raw:
        cohort = str(row["cohort"])
        if cohort not in cohort_nouns or row["unnamed"] is None or int(row["unnamed"]) <= 0:
            continue
        n = int(row["unnamed"])
        node = cohort + "#unnamed"
        label = text["more"].format(n=n, what=text[cohort_nouns[cohort]])
        sub.add_node(node, kind="Unnamed", kind_label=text["unnamed"], label=label, labels={},
                     quote=str(row["quote"] or ""), sentence="")
        anchor = str(row["from_group"]) + "#unnamed" if row["from_group"] is not None else None
        if anchor and anchor in sub:
            sub.add_edge(anchor, node, key="broughtIn", label=kg.label("https://w3id.org/hetao-kg/ontology#broughtIn", lang),
                         quote=str(row["quote"] or ""))


def _hk_universities(kg, g, lang, entities, depth):
    universities = [n for n, d in g.nodes(data=True) if d["kind"] == "University"]
    items = [u for u, v, k in g.edges(keys=True) if k == "broughtInBy" and v in universities]
    # university -> what it brought in
    sub = _reversed(_sub(g, universities + items, {"broughtInBy"}), kg.label("https://w3id.org/hetao-kg/ontology#broughtIn", lang))
    base = "https://w3id.org/hetao-kg/id/cohort/"
    _remainders(kg, g, sub, lang, {base + "global-top-100-hong-kong-universities": "universities",
                                   base + "hong-kong-university-projects": "projects"})
    return sub, {"hierarchical": True}


def _sectors(kg, g, lang, entities, depth):
    sectors = [n for n, d in g.nodes(data=True) if d["kind"] == "Sector"]
    members = [u for u, v, k in g.edges(keys=True) if k == "inSector" and v in sectors]
    sub = _reversed(_sub(g, sectors + members, {"inSector"}))
    levels = {n: 0 for n in sectors} | {n: 1 for n in members}
    return sub, {"hierarchical": True, "color_by": "status", "levels": levels}


def _policies(kg, g, lang, entities, depth):
    kinds = {str(r["kind"]).rsplit("#", 1)[-1] for r in kg.query(
        "SELECT ?kind WHERE { ?kind rdfs:subClassOf* hto:Policy }").raw}
    policies = [n for n, d in g.nodes(data=True) if d["kind"] in kinds]
    keys = {"party", "concerns", "developmentStatus", "designatesPlatform"}
    linked = {v for u, v, k in g.edges(keys=True) if u in policies and k in keys}
    return _sub(g, set(policies) | linked, keys), {}


def _construction(kg, g, lang, entities, depth):
    projects = [n for n, d in g.nodes(data=True) if d["kind"] == "ConstructionProject"]
    stages = {v for u, v, k in g.edges(keys=True) if u in projects and k == "developmentStatus"}
    sub = _reversed(_sub(g, set(projects) | stages, {"developmentStatus"}))
    return sub, {"hierarchical": True}


def _services(kg, g, lang, entities, depth):
    providers = [n for n, d in g.nodes(data=True) if d["kind"] in {"ServicePlatform", "ServiceCentre", "ArbitrationPlatform"}]
    keys = {"offersService", "hasFigure", "platformOf", "gatheredAt", "statedCount", "developmentStatus"}
    linked = {v for u, v, k in g.edges(keys=True) if u in providers and k in keys}
    cohorts = {u for u, v, k in g.edges(keys=True) if v in providers and k == "gatheredAt"}
    figures = {v for u, v, k in g.edges(keys=True) if u in cohorts and k == "statedCount"}
    return _sub(g, set(providers) | linked | cohorts | figures, keys), {}


def _ego(kg, g, lang, entities, depth):
    from .network import ego

    if len(entities) != 1:
        raise ValueError("the ego view takes exactly one ENTITY")
    return ego(g, kg.resolve(entities[0]), depth=depth), {}


def _path(kg, g, lang, entities, depth):
    from .network import shortest_paths

    if len(entities) != 2:
        raise ValueError("the path view takes two ENTITIES: A B")
    a, b = (kg.resolve(e) for e in entities)
    paths = shortest_paths(g, a, b)
    if not paths:
        raise ValueError(f"no path between {entities[0]!r} and {entities[1]!r}")
    nodes = {n for p in paths for n in p}
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, g.nodes[n]) for n in nodes)
    for p in paths:
        for u, v in zip(p, p[1:]):
            for s, t in ((u, v), (v, u)):
                for k, d in (g.get_edge_data(s, t) or {}).items():
                    sub.add_edge(s, t, key=k, **d)
    return sub, {"hierarchical": True}


def _full(kg, g, lang, entities, depth):
    return g, {}


VIEWS: dict[str, Callable] = {
    "hk-universities": _hk_universities,
    "sectors": _sectors,
    "policies": _policies,
    "construction": _construction,
    "services": _services,
    "ego": _ego,
    "path": _path,
    "full": _full,
}


def render(
    name: str,
    *entities: str,
    kg: "KnowledgeGraph | None" = None,
    lang: str = "en",
    depth: int = 1,
    network: nx.MultiDiGraph | None = None,
) -> View:
    """Render a named view (see :data:`VIEWS`) in ``lang``; ``entities`` for ego and path.

    ``network`` reuses a projection made by :func:`hetao_kg.network.project` in the
    same language.
    """
    from .api import _check_lang, open_graph

    if name not in VIEWS:
        raise UnknownName("view", name, suggest(name, list(VIEWS)))
    _check_lang(lang)
    kg = kg or open_graph()
    g = network if network is not None else kg.network(lang=lang)
    sub, style = VIEWS[name](kg, g, lang, list(entities), depth)
    title_parts = {"name": kg.label(kg.resolve(entities[0]), lang)} if name == "ego" else {}
    if name == "path":
        title_parts = {"a": kg.label(kg.resolve(entities[0]), lang), "b": kg.label(kg.resolve(entities[1]), lang)}
    title = _TITLES[name][lang].format(**title_parts)
    return build_view(sub, name=name, title=title, lang=lang, **style)


# --- one public function per view (the same as render(NAME, ...)) ------------------


def hk_universities(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Hong Kong universities -> what each brought in, with the unnamed remainder."""
    return render("hk-universities", kg=kg, lang=lang)


def sectors(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The key sectors -> their institutions, coloured by development status."""
    return render("sectors", kg=kg, lang=lang)


def policies(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Policies, their kinds, parties and what they concern."""
    return render("policies", kg=kg, lang=lang)


def construction(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Construction and infrastructure projects grouped by stage."""
    return render("construction", kg=kg, lang=lang)


def services(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Service centres and platforms with their services and figures."""
    return render("services", kg=kg, lang=lang)


def ego(entity: str, *, depth: int = 1, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """Everything within ``depth`` links of ``entity`` (any name, IRI or ``kg:`` name).

    >>> ego("HKU").title
    'Neighbourhood of The University of Hong Kong'
    """
    return render("ego", entity, kg=kg, lang=lang, depth=depth)


def path(a: str, b: str, *, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The shortest chains of links between two entities."""
    return render("path", a, b, kg=kg, lang=lang)


def full(*, kg: "KnowledgeGraph | None" = None, lang: str = "en") -> View:
    """The whole entity network."""
    return render("full", kg=kg, lang=lang)
