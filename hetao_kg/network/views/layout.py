"""Deterministic positions, computed in Python: same data, same drawing.

``layers`` puts each node in its column (left to right) and orders a column by the
mean row of its neighbours (a few barycentre sweeps, ties broken by label);
``force`` runs networkx's spring layout with a fixed seed, turns each part so its
long side runs left to right, then pushes apart nodes closer than a label's room; ``path`` lays the chosen path out left to right with the
alternatives above and below it.
"""

from __future__ import annotations

import math

import networkx as nx

__all__ = ["COLUMN_GAP", "LARGE", "ROW_GAP", "layers", "force", "along_paths", "node_radius"]

#: Above this many nodes the layout does fewer spring iterations and no overlap removal
#: (pairwise, so quadratic in memory): big synthetic corpora still render in seconds.
LARGE = 1500
COLUMN_GAP = 360.0
ROW_GAP = 64.0
SEED = 7


def node_radius(degree: int) -> float:
    """Radius in layout units: grows with the number of links drawn."""
    return round(9 + 3.2 * math.sqrt(degree), 1)


def _round(pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    return {n: (round(float(x), 1), round(float(y), 1)) for n, (x, y) in pos.items()}


def layers(g: nx.MultiDiGraph, levels: dict[str, int], order: dict[str, float] | None = None,
           *, column_gap: float = COLUMN_GAP, row_gap: float = ROW_GAP) -> dict[str, tuple[float, float]]:
    """Columns by ``levels`` (missing nodes go one column right of their neighbours);
    inside a column, by ``order`` first, then barycentre of neighbours, then label."""
    order = order or {}
    levels = dict(levels)
    simple = nx.Graph(g)
    for n in sorted(g):
        if n not in levels:
            known = [levels[m] for m in simple.neighbors(n) if m in levels]
            levels[n] = (max(known) + 1) if known else 0
    columns: dict[int, list[str]] = {}
    for n in sorted(g, key=lambda n: (order.get(n, 0), g.nodes[n].get("label", ""), n)):
        columns.setdefault(levels[n], []).append(n)
    row = {n: float(i) for col in columns.values() for i, n in enumerate(col)}
    for _ in range(4):
        for c in sorted(columns):
            def key(n):
                near = [row[m] for m in simple.neighbors(n) if levels[m] != c]
                bary = sum(near) / len(near) if near else row[n]
                return (order.get(n, 0), bary, g.nodes[n].get("label", ""), n)
            columns[c].sort(key=key)
            for i, n in enumerate(columns[c]):
                row[n] = float(i)
    pos = {}
    # a new block (a change of order value) starts after a gap, so group boxes never touch
    tops = {c: [0.0] for c in columns}
    for c, col in columns.items():
        y = 0.0
        for i, n in enumerate(col):
            if i and order.get(n, 0) != order.get(col[i - 1], 0):
                y += row_gap * 1.6
            pos[n] = (c * column_gap, y)
            y += row_gap
        tops[c] = [y]
    tallest = max(t[0] for t in tops.values()) if tops else 0.0
    for c, col in columns.items():
        shift = (tallest - tops[c][0]) / 2 if not order else 0.0
        for n in col:
            pos[n] = (pos[n][0], pos[n][1] + shift)
    return _round(pos)


def force(g: nx.MultiDiGraph, *, extra_edges=(), radius: dict[str, float] | None = None) -> dict[str, tuple[float, float]]:
    """Seeded spring layout; ``extra_edges`` pull nodes together without being drawn
    (hub members cluster round their hub). Each part is turned wider than tall (screens
    are), then nodes are pushed apart until each has about a short label's room (140 units
    between discs): a spread that lets most nodes carry a label at fit."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(g))
    simple.add_edges_from(sorted((u, v) for u, v in g.edges()), weight=1.0)
    for u, v in sorted(extra_edges):
        if not simple.has_edge(u, v):
            simple.add_edge(u, v, weight=0.6)
    if simple.number_of_nodes() == 0:
        return {}
    # Lay each connected part out on its own, then pack the parts in rows, largest first.
    parts = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    placed: list[tuple[list[str], dict]] = []
    for part in parts:
        # a part built node by node in sorted order: a subgraph view of a small part iterates
        # its nodes in set order, which changes with the hash seed (and the spring layout with it)
        sub = nx.Graph()
        sub.add_nodes_from(part)
        sub.add_edges_from((u, v, d) for u, v, d in simple.edges(part, data=True))
        n = len(part)
        if n == 1:
            local = {part[0]: (0.0, 0.0)}
        elif simple.number_of_nodes() > LARGE:
            local = _radial(sub)
        else:
            local = nx.spring_layout(sub, seed=SEED, k=2.2 / math.sqrt(n), iterations=150, weight="weight")
            scale = 95.0 * math.sqrt(n)
            local = _landscape({k: (x * scale, y * scale) for k, (x, y) in local.items()})
        placed.append((part, local))
    pos: dict[str, tuple[float, float]] = {}
    x_cursor, y_cursor, row_height = 0.0, 0.0, 0.0
    max_width = max(1600.0, 1.3 * max((max(x for x, _ in l.values()) - min(x for x, _ in l.values())) for _, l in placed))
    for part, local in placed:
        xs = [x for x, _ in local.values()]
        ys = [y for _, y in local.values()]
        w, h = max(xs) - min(xs) + 220, max(ys) - min(ys) + 120
        if x_cursor and x_cursor + w > max_width:
            x_cursor, y_cursor, row_height = 0.0, y_cursor + row_height, 0.0
        for k, (x, y) in local.items():
            pos[k] = (x - min(xs) + x_cursor, y - min(ys) + y_cursor)
        x_cursor += w
        row_height = max(row_height, h)
    if len(pos) > LARGE:
        return _round(pos)
    return _round(_separate(pos, radius or {}))


def _landscape(local: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Turned so its longest axis (the principal axis of its positions) runs left to right:
    screens are wider than tall, so a part fits them at a larger scale, with more room for
    labels. The angle comes from the positions alone (no eigenvector sign to pick)."""
    n = len(local)
    if n < 3:
        return local
    mx = sum(x for x, _ in local.values()) / n
    my = sum(y for _, y in local.values()) / n
    sxx = sum((x - mx) ** 2 for x, _ in local.values())
    syy = sum((y - my) ** 2 for _, y in local.values())
    sxy = sum((x - mx) * (y - my) for x, y in local.values())
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    c, s = math.cos(-angle), math.sin(-angle)
    return {k: ((x - mx) * c - (y - my) * s, (x - mx) * s + (y - my) * c) for k, (x, y) in local.items()}


def _radial(g: nx.Graph, *, ring: float = 140.0) -> dict[str, tuple[float, float]]:
    """Rings by distance from the best connected node, in breadth-first order: linear
    time, for networks too big for a spring layout."""
    root = min(g, key=lambda n: (-g.degree(n), n))
    rings: dict[int, list[str]] = {}
    for node, depth in nx.single_source_shortest_path_length(g, root).items():
        rings.setdefault(depth, []).append(node)
    pos = {}
    for depth, members in rings.items():
        for i, node in enumerate(members):
            angle = 2 * math.pi * i / len(members)
            pos[node] = (depth * ring * math.cos(angle), depth * ring * math.sin(angle))
    return pos


def _separate(pos: dict[str, tuple[float, float]], radius: dict[str, float], *, room: float = 140.0,
              rounds: int = 80) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than their radii plus ``room`` (for a label), all pairs
    at once per round (numpy), until none touch."""
    import numpy as np

    nodes = sorted(pos)
    if len(nodes) < 2:
        return pos
    xy = np.array([pos[n] for n in nodes], dtype=float)
    r = np.array([radius.get(n, 10.0) for n in nodes], dtype=float)
    need = r[:, None] + r[None, :] + room
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        delta = xy[None, :, :] - xy[:, None, :]  # [i, j] = j - i
        dist = np.hypot(delta[..., 0], delta[..., 1])
        overlap = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if not overlap.any():
            break
        safe = np.where(dist > 1e-6, dist, 1.0)
        unit = delta / safe[..., None]
        unit[dist <= 1e-6] = (1.0, 0.0)
        push = (unit * (overlap / 2)[..., None]).sum(axis=1)  # away from every j that is too close
        xy -= push * 0.5
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy)}


def along_paths(paths: list[list[str]], *, column_gap: float = COLUMN_GAP * 0.8, row_gap: float = ROW_GAP * 2.2) -> dict[str, tuple[float, float]]:
    """The first path on one row, left (start) to right (end); each alternative's new
    nodes on rows above and below, spread evenly between the ends."""
    pos: dict[str, tuple[float, float]] = {}
    main = paths[0]
    width = (len(main) - 1) * column_gap
    for i, n in enumerate(main):
        pos[n] = (i * column_gap, 0.0)
    for j, p in enumerate(paths[1:], start=1):
        y = (1 if j % 2 else -1) * ((j + 1) // 2) * row_gap
        steps = len(p) - 1
        for i, n in enumerate(p):
            if n not in pos:
                pos[n] = (width * i / steps, y)
    return _round(pos)
