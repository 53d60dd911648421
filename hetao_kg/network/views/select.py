"""Which nodes and links each named view draws.

Every selector takes the projected network and returns a :class:`Drawing`: a
subgraph plus how to lay it out. Attributes (stages, figures, claims) are folded
into the node they describe; links into a hub ("located in Shenzhen Park" from
dozens of nodes) become a property of each node instead of dozens of spokes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:  # pragma: no cover
    from ...query.api import KnowledgeGraph

__all__ = ["DEGREE_TABLE_MIN", "Drawing", "HUB_MIN_LINKS", "MAX_DEPTH1", "MAX_DEPTH2_PER_NODE", "SELECTORS", "fold", "hk_university_links", "hub_links"]

KG = "https://w3id.org/hetao-kg/id/"
HTO = "https://w3id.org/hetao-kg/ontology#"
#: A property whose links into one node number at least this many is a hub link.
HUB_MIN_LINKS = 8
#: Neighbourhoods show at most this many direct neighbours, then "+N more".
MAX_DEPTH1 = 14
#: ... and at most this many second-degree neighbours per direct neighbour.
MAX_DEPTH2_PER_NODE = 3
#: An ego view asked from the store ranks at least this many candidates of one level by
#: the degree table (:mod:`hetao_kg.network.degrees`, counted once per data) rather than
#: by asking for each candidate's links: a hub of the 3.5M corpus has 6,000 neighbours.
DEGREE_TABLE_MIN = 1000


@dataclass
class Drawing:
    """What a view draws: the subgraph and how to lay it out."""

    graph: nx.MultiDiGraph
    layout: str = "force"  # "force" | "layers" | "path"
    levels: dict[str, int] = field(default_factory=dict)  # layers: column of each node
    order: dict[str, float] = field(default_factory=dict)  # layers: preferred order inside a column
    marks: dict[str, str] = field(default_factory=dict)  # node -> "centre" | "start" | "end"
    groups: list[dict] = field(default_factory=list)  # counted groups drawn as boxes
    lanes: list[tuple[int, str]] = field(default_factory=list)  # layers: (column, heading)
    paths: list[list[str]] = field(default_factory=list)
    layout_edges: list[tuple[str, str]] = field(default_factory=list)  # pull in the layout, not drawn
    counts: dict[str, int] = field(default_factory=dict)
    column_gap: float = 360.0  # layers: distance between columns
    group_links: list[dict] = field(default_factory=list)  # links between counted groups, box to box


def hub_links(g: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    """Links (u, v, key) into a node that receives at least :data:`HUB_MIN_LINKS` of that property."""
    incoming: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for u, v, k in g.edges(keys=True):
        incoming.setdefault((v, k), []).append((u, v, k))
    return {e for links in incoming.values() if len(links) >= HUB_MIN_LINKS for e in links}


def _hubs(g: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    """The hub links of ``g``: counted by the store when ``g`` is only the part of the
    network a view draws (see :func:`_project_around`), else counted in ``g``."""
    return g.graph["hubs"] if "hubs" in g.graph else hub_links(g)


def _attribute(g: nx.MultiDiGraph, u: str, v: str, d: dict, *, value_node: str, inverse: bool = False) -> dict:
    return {
        "property": d.get("label", ""),
        "value": g.nodes[value_node]["label"],
        "kind": g.nodes[value_node].get("kind_label", ""),
        "inverse": inverse,
        **{k: d.get(k) for k in ("evidence_label", "inferred", "quote", "sentence_text", "span", "paragraph",
                                 "sentence_number", "document_label")},
    }


def fold(g: nx.MultiDiGraph, keep, *, hubs: set[tuple[str, str, str]] = frozenset(), hub_keep: str | None = None) -> tuple[nx.MultiDiGraph, list[tuple[str, str]]]:
    """The subgraph on ``keep`` with attribute nodes folded into the nodes they describe
    (their ``attributes`` list) and hub links turned into attributes too. Returns the
    subgraph and the folded hub links (for the layout to pull clusters together)."""
    keep = [n for n in keep if g.nodes[n].get("family") != "attribute"]
    sub = nx.MultiDiGraph()
    for n in sorted(keep):
        sub.add_node(n, **{**g.nodes[n], "attributes": []})
    folded_hubs: list[tuple[str, str]] = []
    hub_counts: dict[str, dict[str, int]] = {}
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if u in sub and g.nodes[v].get("family") == "attribute":
            sub.nodes[u]["attributes"].append(_attribute(g, u, v, d, value_node=v))
        elif v in sub and g.nodes[u].get("family") == "attribute":
            sub.nodes[v]["attributes"].append(_attribute(g, u, v, d, value_node=u, inverse=True))
        elif u in sub and v in sub:
            if (u, v, k) in hubs and v != hub_keep:
                sub.nodes[u]["attributes"].append(_attribute(g, u, v, d, value_node=v))
                folded_hubs.append((u, v))
                hub_counts.setdefault(v, {}).setdefault(d.get("label", k), 0)
                hub_counts[v][d.get("label", k)] += 1
            else:
                sub.add_edge(u, v, key=k, **d)
    for hub, per_property in hub_counts.items():
        sub.nodes[hub]["hub_counts"] = per_property
    return sub, folded_hubs


def _reversed(sub: nx.MultiDiGraph, label: str = "") -> nx.MultiDiGraph:
    """Draw links the other way round (e.g. sector -> institution); the property's label
    no longer reads right, so it is replaced (by an inverse's label, or none)."""
    out = nx.MultiDiGraph()
    out.add_nodes_from(sub.nodes(data=True))
    for u, v, k, d in sub.edges(keys=True, data=True):
        out.add_edge(v, u, key=k, **{**d, "label": label or d.get("label", ""), "reversed": True})
    return out


def _only(sub: nx.MultiDiGraph, keys: set[str]) -> nx.MultiDiGraph:
    sub.remove_edges_from([(u, v, k) for u, v, k in list(sub.edges(keys=True)) if k not in keys])
    return sub


def _family(g, *families):
    return sorted(n for n, d in g.nodes(data=True) if d.get("family") in families)


def _kind(g, *kinds):
    return sorted(n for n, d in g.nodes(data=True) if d.get("kind") in kinds)


def _more(sub: nx.MultiDiGraph, anchor: str, n: int, text: str, *, group: str | None = None) -> str:
    node = f"{anchor}#more"
    sub.add_node(node, kind="More", kind_label="", family="more", label=text.format(n=n), labels={},
                 attributes=[], quote="", more=n, group=group or "")
    return node


# --- the views ------------------------------------------------------------------------


def hk_university_links(kg: "KnowledgeGraph") -> set[tuple[str, str, str]]:
    """The links the headline view draws, read from the rows of the named query
    ``hk-university-projects`` (so view and table tell one story): (source, property,
    target) for every item brought in by a university itself, by an institution
    affiliated with it (item -> via -> university), or tied to it by affiliation."""
    links = set()
    for r in kg.named("hk-university-projects").raw:
        if r.get("stated") is not None:  # the counted group's row: drawn as boxes
            continue
        uni, item, via, rel = (str(r[k]) if r.get(k) is not None else None
                               for k in ("university", "brought_in", "via", "relation"))
        if rel == HTO + "affiliatedWith":
            links.add((item, "affiliatedWith", uni))
        else:
            links.add((item, "broughtInBy", via or uni))
            if via and via != uni:
                links.add((via, "affiliatedWith", uni))
    return links


def _hk_universities(kg: "KnowledgeGraph", g, lang, entities, depth, text) -> Drawing:
    # exactly the rows of hk-university-projects: Hong Kong universities (left), what each
    # one's institution brought in or what is tied to it (right), an affiliated institution
    # between them (CUHK-Shenzhen for CUHK)
    links = hk_university_links(kg)
    targets = {v for _, _, v in links}
    universities = sorted(v for v in targets if not any(u == v for u, _, _ in links))
    vias = sorted({u for u, _, v in links if v in universities and u in targets})
    items = sorted({u for u, _, _ in links} - set(vias))
    sub, _ = fold(g, [n for n in universities + vias + items if n in g])
    sub.remove_edges_from([(u, v, k) for u, v, k in list(sub.edges(keys=True)) if (u, k, v) not in links])
    brought_in = kg.label(HTO + "broughtIn", lang)
    out = nx.MultiDiGraph()
    out.add_nodes_from(sub.nodes(data=True))
    for u, v, k, d in sub.edges(keys=True, data=True):  # "brought in" reads university -> item
        if k == "broughtInBy":
            out.add_edge(v, u, key=k, **{**d, "label": brought_in, "reversed": True})
        else:
            out.add_edge(u, v, key=k, **d)
    sub = out
    levels = {n: 0 for n in universities} | {n: 1 for n in vias} | {n: 2 for n in items}
    drawing = Drawing(sub, layout="layers", levels=levels, column_gap=420.0)
    # The report's counted groups: the members it names inside a box, the rest as one
    # "+N not named" placeholder in the same box; the groups' own link is drawn box to box.
    members: dict[str, list[str]] = {}
    for u, v, k in g.edges(keys=True):
        if k == "hasMember" and v in sub:
            members.setdefault(u, []).append(v)
    cohorts = {str(r["cohort"]): r for r in kg.named("cohorts").raw}
    linked = {c for c, r in cohorts.items() if r["from_group"] is not None} | {
        str(r["from_group"]) for r in cohorts.values() if r["from_group"] is not None}
    members = {c: m for c, m in members.items() if c in linked}  # the report's "5 universities, 10 projects"
    for cohort in sorted(members):
        row = cohorts.get(cohort)
        # named: members the source names; known: members drawn from an inference or another
        # source (HKU, CUHK for the 5 universities). The placeholder stands for the rest.
        named = int(row["named"]) if row is not None and row["named"] is not None else len(members[cohort])
        known = int(row["known_otherwise"]) if row is not None and row.get("known_otherwise") is not None else 0
        stated = int(row["stated"]) if row is not None and row["stated"] is not None else named + known
        unnamed = stated - len(members[cohort])
        column = min(levels[m] for m in members[cohort])
        group = {"id": cohort, "label": g.nodes[cohort]["label"], "stated": stated, "named": named, "known": known,
                 "members": sorted(members[cohort]), "column": column,
                 "evidence": {k: g.nodes[cohort].get(k) for k in ("evidence_label", "quote", "sentence_text", "span",
                                                                   "paragraph", "sentence_number", "document_label")}}
        if unnamed > 0:
            more = _more(sub, cohort, unnamed, text["not_named"], group=cohort)
            levels[more] = column
            group["members"].append(more)
        drawing.groups.append(group)
        drawing.counts[cohort] = stated
    for i, group in enumerate(drawing.groups):
        for m in group["members"]:
            drawing.order[m] = i
    for n in sub:  # things outside the report's groups go below them
        drawing.order.setdefault(n, len(drawing.groups))
    drawing.group_links = [
        {"source": str(r["from_group"]), "target": c, "label": kg.label(HTO + "broughtIn", lang)}
        for c, r in sorted(cohorts.items()) if r["from_group"] is not None and c in members and str(r["from_group"]) in members
    ]
    return drawing


def _sectors(kg, g, lang, entities, depth, text) -> Drawing:
    sectors = _family(g, "sector")
    members = sorted({u for u, v, k in g.edges(keys=True) if k == "inSector" and v in sectors})
    sub, _ = fold(g, sectors + members)
    sub = _reversed(_only(sub, {"inSector"}))
    return Drawing(sub, layout="layers", levels={n: 0 for n in sectors} | {n: 1 for n in members})


def _policies(kg, g, lang, entities, depth, text) -> Drawing:
    policies = _family(g, "policy")
    policies = [p for p in policies if g.nodes[p]["kind"] not in {"ProgressReport", "ReportSeries"}]
    keys = {"party", "issuedBy", "concerns", "designatesPlatform", "appliesTo", "pursuedBy", "championedBy"}
    linked = {v for u, v, k in g.edges(keys=True) if u in policies and k in keys}
    sub, hubs = fold(g, set(policies) | linked, hubs=_hubs(g))
    return Drawing(_only(sub, keys), layout="force", layout_edges=hubs)


def _construction(kg, g, lang, entities, depth, text) -> Drawing:
    projects = _kind(g, "ConstructionProject")
    sub, _ = fold(g, projects)
    _only(sub, set())
    stages: dict[str, int] = {}
    for p in projects:
        for _, v, k in g.out_edges(p, keys=True):
            if k == "developmentStatus":
                stages.setdefault(v, g.nodes[v].get("stage_order", 99))
    columns = sorted(stages, key=lambda s: (stages[s], s))  # lifecycle order, earliest first
    levels = {}
    for p in projects:
        status = sub.nodes[p].get("status_iri")
        levels[p] = columns.index(status) if status in columns else len(columns)
    lanes = [(i, g.nodes[s]["label"]) for i, s in enumerate(columns)]
    return Drawing(sub, layout="layers", levels=levels, lanes=lanes, order={p: 0 for p in projects})


def _services(kg, g, lang, entities, depth, text) -> Drawing:
    providers = _family(g, "service")
    keys = {"offersService", "platformOf", "gatheredAt", "hasMember"}
    linked = {v for u, v, k in g.edges(keys=True) if u in providers and k in keys}
    cohorts = {u for u, v, k in g.edges(keys=True) if v in providers and k == "gatheredAt"}
    sub, _ = fold(g, set(providers) | linked | cohorts, hubs=_hubs(g))
    return Drawing(_only(sub, keys), layout="force")


def _entity_graph(g: nx.MultiDiGraph, hubs, centre: str | None = None) -> nx.Graph:
    """Undirected simple graph of things (no attributes), hub links left out unless they
    touch ``centre``; used for neighbourhoods and paths."""
    simple = nx.Graph()
    for n, d in g.nodes(data=True):
        if d.get("family") != "attribute":
            simple.add_node(n)
    for u, v, k in g.edges(keys=True):
        if u in simple and v in simple and ((u, v, k) not in hubs or centre in (u, v)):
            simple.add_edge(u, v)
    return simple


def _ego(kg, g, lang, entities, depth, text) -> Drawing:
    if len(entities) != 1:
        raise ValueError("the ego view takes exactly one ENTITY")
    centre = kg.resolve(entities[0])
    if g is None:
        return _ego_around(kg, centre, entities[0], lang, depth, text)
    if centre not in g:
        raise ValueError(f"{entities[0]!r} has no links to draw")
    hubs = hub_links(g)
    simple = _entity_graph(g, hubs, centre)
    keep, extra = _ego_keep(centre, depth, lambda n: set(simple.neighbors(n)) if n in simple else set(),
                            lambda n: simple.degree(n), lambda n: g.nodes[n]["label"], centre in simple)
    return _ego_drawing(g, centre, keep, extra, hubs, text)


def _ego_keep(centre, depth, neighbours, degree, label, centre_drawn, prepare=lambda nodes: None,
              expand=lambda nodes: None):
    """Which nodes a neighbourhood keeps (best connected first, bounded) and the "+N more" counts.

    ``prepare(nodes)`` is told each level's candidates before they are ranked, and
    ``expand(nodes)`` each frontier before its neighbours are asked (to ask the store
    about all of them at once)."""

    def ranked(nodes):  # most relevant first: best connected, then by label
        nodes = list(nodes)
        prepare(nodes)
        return sorted(nodes, key=lambda n: (-degree(n), label(n), n))

    keep = {centre}
    extra: list[tuple[str, int]] = []
    first = ranked(neighbours(centre)) if centre_drawn else []
    keep.update(first[:MAX_DEPTH1])
    if len(first) > MAX_DEPTH1:
        extra.append((centre, len(first) - MAX_DEPTH1))
    frontier = first[:MAX_DEPTH1]
    for level in range(2, depth + 1):
        nxt = []
        expand(frontier)
        prepare([m for n in frontier for m in neighbours(n)])
        for n in frontier:
            new = ranked(m for m in neighbours(n) if m not in keep and m not in nxt)
            nxt.extend(new[:MAX_DEPTH2_PER_NODE])
            if len(new) > MAX_DEPTH2_PER_NODE:
                extra.append((n, len(new) - MAX_DEPTH2_PER_NODE))
        keep.update(nxt)
        frontier = nxt
    return keep, extra


def _ego_drawing(g, centre, keep, extra, hubs, text) -> Drawing:
    sub, folded = fold(g, keep, hubs=hubs, hub_keep=centre)
    for anchor, n in extra:
        more = _more(sub, anchor, n, text["more"])
        sub.add_edge(anchor, more, key="more", label="", inferred=False, more=True)
    return Drawing(sub, layout="force", marks={centre: "centre"}, layout_edges=folded)


def _ego_around(kg, centre, name, lang, depth, text) -> Drawing:
    """The ego view asked from the store: the links around the centre, level by level
    (each level a few queries bound through VALUES), never the whole network."""
    from ..projection import Neighbourhood, _local, project_links

    from ..degrees import degree_around, degree_table

    around = Neighbourhood(kg, hub_min=HUB_MIN_LINKS, centre=centre)
    around.table = degree_table(kg, hub_min=HUB_MIN_LINKS, count=False)  # the fan-in and kinds, when counted
    around.fetch([centre])
    if not around.out[centre] and not around.into[centre]:
        raise ValueError(f"{name!r} has no links to draw")
    drawn = around.family(centre) != "attribute"
    seen: dict[str, set[str]] = {}

    def neighbours(n):
        if n not in seen:
            seen[n] = around.neighbours(n)
        return seen[n]

    counted: dict[str, int] = {}  # degrees read from the degree table

    def prefetch(nodes):  # the links (or the degrees) and labels of a whole level at once
        nodes = set(nodes) - counted.keys()
        if len(nodes) >= DEGREE_TABLE_MIN:
            around.table = degree_table(kg, hub_min=HUB_MIN_LINKS)
            counted.update(degree_around(around.table, around.links(centre), centre, nodes, around.is_hub))
        else:
            around.fetch(nodes)
        kg._prefetch_labels(nodes)

    def degree(n):
        if n in counted:
            return counted[n]
        nbrs = neighbours(n)
        return len(nbrs) + (1 if n in nbrs else 0)  # a self-loop counts twice, as in networkx

    keep, extra = _ego_keep(centre, depth, neighbours, degree, lambda n: kg.label(n, lang), drawn, prefetch,
                            around.fetch)
    around.fetch(keep)
    links: dict[tuple, dict] = {}
    attribute_in = around.hub_attribute_links(keep)
    for n in sorted(keep):
        for r in around.out[n] + around.into[n] + [r for r in attribute_in if r["target"] == n]:
            other = r["target"] if r["source"] == n else r["source"]
            if r["source"] == n or other in keep or around.family(other) == "attribute":
                links[(r["source"], r["property"], r["target"], r["graph"])] = r
    g = project_links(kg, list(links.values()), lang=lang)
    hubs = {(r["source"], r["target"], _local(r["property"])) for r in links.values() if around.is_hub(r)}
    return _ego_drawing(g, centre, keep, extra, hubs, text)


def _path(kg, g, lang, entities, depth, text) -> Drawing:
    if len(entities) != 2:
        raise ValueError("the path view takes two ENTITIES: A B")
    a, b = (kg.resolve(e) for e in entities)
    hubs = hub_links(g)
    hub_nodes = {v for _, v, _ in hubs}
    simple = _entity_graph(g, set())
    # Links through a hub cost more, so a path that avoids the park hub is preferred.
    for u, v, d in simple.edges(data=True):
        d["weight"] = 1 + (10 if u in hub_nodes or v in hub_nodes else 0)
    try:
        found = []
        for p in nx.shortest_simple_paths(simple, a, b, weight="weight"):
            found.append(p)
            if len(found) >= 3 or len(p) > len(found[0]) + 1:
                break
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        found = []
    if not found:
        raise ValueError(f"no path between {entities[0]!r} and {entities[1]!r}")
    found = [found[0]] + [p for p in found[1:] if len(p) <= len(found[0]) + 1]
    nodes = {n for p in found for n in p}
    sub, _ = fold(g, nodes)
    on_path = {frozenset(pair) for p in found for pair in zip(p, p[1:])}
    sub.remove_edges_from([(u, v, k) for u, v, k in list(sub.edges(keys=True)) if frozenset((u, v)) not in on_path])
    return Drawing(sub, layout="path", marks={a: "start", b: "end"}, paths=found)


def full_bounded(kg, lang, max_nodes: int) -> tuple[Drawing, int] | None:
    """The full view of a network too big to draw whole: the ``max_nodes``
    (:data:`hetao_kg.network.views.FULL_MAX_NODES`) best
    connected entities (ranked by SPARQL GROUP BY in the store, never the whole network in
    Python) with their attributes and the links among them, and how many entities the
    network has; None when the whole network fits (then the full view is unchanged)."""
    from ..projection import Neighbourhood, _local, project_links
    from ...query.queries import named_query

    total = int(kg.store.select(named_query("network-size").text).rows[0]["entities"])
    if total <= max_nodes:
        return None
    ranked = kg.store.select(named_query("network-degree").text + f"\nLIMIT {max_nodes}").rows
    keep = {str(r["node"]) for r in ranked}
    around = Neighbourhood(kg, hub_min=HUB_MIN_LINKS)
    around.fetch(keep)
    links = {}
    for r in [r for n in sorted(keep) for r in around.out[n] + around.into[n]] + around.hub_attribute_links(keep):
        links[(r["source"], r["property"], r["target"], r["graph"])] = r
    g = project_links(kg, list(links.values()), lang=lang)
    hubs = {(r["source"], r["target"], _local(r["property"])) for r in links.values() if around.is_hub(r)}
    sub, folded = fold(g, [n for n in g if n in keep], hubs=hubs)
    return Drawing(sub, layout="force", layout_edges=folded), total


def _full(kg, g, lang, entities, depth, text) -> Drawing:
    hubs = hub_links(g)
    sub, folded = fold(g, list(g.nodes), hubs=hubs)
    return Drawing(sub, layout="force", layout_edges=folded)


# --- the named views asked from the store: their part of the network, never all of it ----


def _project_around(kg, lang, around, nodes, into=()) -> nx.MultiDiGraph:
    """The part of the network a named view draws, asked from the store through VALUES:
    ``nodes`` with all their outgoing links and the links into them (those of a hub
    property only from attributes, which fold into the node), plus every link into the
    ``into`` pairs (target, property IRI). The store's hub links are in ``graph["hubs"]``.
    ``around`` is the :class:`~hetao_kg.network.Neighbourhood` that asks (kinds reused)."""
    from ..projection import _local, project_links

    nodes = sorted(set(nodes))
    around.fetch(nodes)
    rows = [r for n in nodes for r in around.out[n] + around.into[n]] + around.hub_attribute_links(nodes)
    rows += _links_into(kg, into)
    links = {(r["source"], r["property"], r["target"], r["graph"]): r for r in rows}
    around._fetch_fan_in({r["target"] for r in links.values()})
    g = project_links(kg, list(links.values()), lang=lang)
    g.graph["hubs"] = {(r["source"], r["target"], _local(r["property"])) for r in links.values() if around.is_hub(r)}
    return g


def _links_into(kg, pairs) -> list[dict]:
    from ..projection import select_values

    return [{k: str(r[k]) for k in ("source", "property", "target", "graph")}
            for r in select_values(kg, "network-links", "target property", pairs)]


def _seeds(kg, around, *, family: str | None = None, kind: str | None = None) -> list[str]:
    """The entities of a family (or of a primary kind), found by their classes in the store."""
    from ..projection import FAMILIES, _local, _primary, family_of, select_values

    roots = set(dict(FAMILIES).get(family, ()))
    kinds = set(roots) | ({HTO + kind} if kind else set())
    for local, ancestors in around._ancestors.items():
        if (family and family_of(ancestors) == family) or local == kind:
            kinds |= {a for a in ancestors if _local(a) == local}
    found = sorted({str(r["entity"]) for r in select_values(kg, "network-of-kinds", "kind", kinds)})
    around._fetch_kinds(found)
    if kind:
        return [n for n in found if _primary(around.kinds[n]) == kind]
    return [n for n in found if around.family(n) == family]


def _new_around(kg):
    from ..projection import Neighbourhood

    return Neighbourhood(kg, hub_min=HUB_MIN_LINKS)


def _hk_universities_around(kg, lang):
    around = _new_around(kg)
    keep = {n for link in hk_university_links(kg) for n in (link[0], link[2])}
    return _project_around(kg, lang, around, keep, [(n, HTO + "hasMember") for n in sorted(keep)])


def _sectors_around(kg, lang):
    around = _new_around(kg)
    sectors = _seeds(kg, around, family="sector")
    into = [(s, HTO + "inSector") for s in sectors]
    return _project_around(kg, lang, around, set(sectors) | {r["source"] for r in _links_into(kg, into)}, into)


def _policies_around(kg, lang):
    from ..projection import _local, _primary

    around = _new_around(kg)
    policies = [p for p in _seeds(kg, around, family="policy")
                if _primary(around.kinds[p]) not in {"ProgressReport", "ReportSeries"}]
    around.fetch(policies)
    keys = {"party", "issuedBy", "concerns", "designatesPlatform", "appliesTo", "pursuedBy", "championedBy"}
    linked = {r["target"] for p in policies for r in around.out[p] if _local(r["property"]) in keys}
    return _project_around(kg, lang, around, set(policies) | linked)


def _construction_around(kg, lang):
    around = _new_around(kg)
    return _project_around(kg, lang, around, _seeds(kg, around, kind="ConstructionProject"))


def _services_around(kg, lang):
    from ..projection import _local

    around = _new_around(kg)
    providers = _seeds(kg, around, family="service")
    around.fetch(providers)
    keys = {"offersService", "platformOf", "gatheredAt", "hasMember"}
    linked = {r["target"] for p in providers for r in around.out[p] if _local(r["property"]) in keys}
    gathered = [(p, HTO + "gatheredAt") for p in providers]
    cohorts = {r["source"] for r in _links_into(kg, gathered)}
    return _project_around(kg, lang, around, set(providers) | linked | cohorts, gathered)


def _asked(select, around):
    """A named view that, given no projected network, asks the store for its part of it."""

    def view(kg, g, lang, entities, depth, text) -> Drawing:
        return select(kg, around(kg, lang) if g is None else g, lang, entities, depth, text)

    view.__doc__, view.__name__ = select.__doc__, select.__name__
    return view


SELECTORS = {
    "hk-universities": _asked(_hk_universities, _hk_universities_around),
    "sectors": _asked(_sectors, _sectors_around),
    "policies": _asked(_policies, _policies_around),
    "construction": _asked(_construction, _construction_around),
    "services": _asked(_services, _services_around),
    "ego": _ego,
    "path": _path,
    "full": _full,
}
