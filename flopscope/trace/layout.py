"""A layered (Sugiyama-style) layout of a cost graph, for drawing without Graphviz.

Pure geometry: given a :class:`networkx.DiGraph` and each node's box size, it
returns where every box goes and the points every edge passes through. The
steps are the classic ones, kept small:

1. **Break cycles.** A graph grouped by call site can have cycles (a loop
   feeds a line's result back into it). A depth-first search from the
   sources in call order marks the edges that close a cycle as *back edges*;
   they are drawn separately, curving up the right-hand side. Self-loops
   are drawn as small arcs.
2. **Layers.** ``networkx.topological_generations`` of the remaining DAG
   puts each node one layer below its deepest predecessor. A source (an
   input) is then moved down to sit just above its first consumer, so a
   weight used in layer 40 does not hang at the top with a long edge.
3. **Dummy nodes.** An edge spanning several layers gets one invisible point
   per layer crossed, so it bends around the boxes in between instead of
   cutting through them. An edge spanning more than :data:`LONG_SPAN`
   layers runs instead down a lane left of the drawing that all long edges
   of its source share (a weight fed to every iteration of a loop draws as
   one bus, not hundreds of parallel curves).
4. **Crossing reduction.** Alternating downward and upward sweeps order each
   layer by the barycentre (mean position) of each node's neighbours in the
   adjacent layer; the ordering with the fewest crossings seen is kept.
5. **Coordinates.** Boxes are packed in order, then pulled a few times
   towards the mean x of their neighbours, keeping their order and a
   minimum gap; a layer is as tall as its tallest box.

The cost is O(sweeps × (nodes + dummies + edges)) plus crossing counts on
small graphs; large programs are drawn grouped (see
:func:`flopscope.trace.dot.prepare`), which keeps the graph small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable

__all__ = ["NodeBox", "EdgeRoute", "Layout", "layered_layout"]

#: An edge spanning more layers than this is not routed through dummy points (which would
#: cost one per layer crossed: quadratic for an input feeding every layer of a long loop) but
#: along a vertical lane left of the drawing, one lane per source node.
LONG_SPAN = 8
_LANE_GAP = 10.0

#: Above this many edges between two adjacent layers, crossings are not counted (the sweeps
#: still run; only the keep-the-best bookkeeping, quadratic in edges, is skipped).
_COUNT_LIMIT = 400


@dataclass(frozen=True, slots=True)
class NodeBox:
    """Where a node is drawn: centre ``(x, y)``, size, and its layer (0 at the top)."""

    x: float
    y: float
    width: float
    height: float
    layer: int


@dataclass(frozen=True, slots=True)
class EdgeRoute:
    """An edge's path: ``points`` from the source's border to the target's.

    ``kind`` is ``"forward"`` (downwards, through one point per layer
    crossed), ``"long"`` (downwards across more than :data:`LONG_SPAN` layers,
    along a lane left of the drawing), ``"back"`` (closes a cycle; drawn up
    the right side) or ``"self"`` (a self-loop).
    """

    source: Hashable
    target: Hashable
    points: tuple[tuple[float, float], ...]
    kind: str


@dataclass(slots=True)
class Layout:
    """Boxes by node key, edge routes in the graph's edge order, and the drawing's extent."""

    nodes: dict[Any, NodeBox] = field(default_factory=dict)
    edges: list[EdgeRoute] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _split_edges(graph: Any) -> tuple[list, list, list]:
    """(forward, back, self) edges: a DFS in call order marks the edges that close cycles."""
    order = list(graph.nodes)
    starts = [n for n in order if graph.in_degree(n) == 0] + order
    state: dict[Any, int] = {}  # 1: on the stack, 2: done
    back: set[tuple] = set()
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(graph.successors(start)))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child == node:
                    continue
                mark = state.get(child)
                if mark == 1:
                    back.add((node, child))
                elif mark is None:
                    state[child] = 1
                    stack.append((child, iter(graph.successors(child))))
                    break
            else:
                state[node] = 2
                stack.pop()
    forward, backward, loops = [], [], []
    for u, v in graph.edges():
        if u == v:
            loops.append((u, v))
        elif (u, v) in back:
            backward.append((u, v))
        else:
            forward.append((u, v))
    return forward, backward, loops


def _layers(graph: Any, forward: list) -> dict[Any, int]:
    import networkx as nx

    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(forward)
    layer = {}
    for depth, generation in enumerate(nx.topological_generations(dag)):
        for node in generation:
            layer[node] = depth
    for node in dag.nodes:  # sources sit just above their first consumer
        if dag.in_degree(node) == 0 and dag.out_degree(node) > 0:
            layer[node] = min(layer[s] for s in dag.successors(node)) - 1
    return layer


def _crossings(upper: list, lower: list, links: list[tuple]) -> int:
    pos_u = {n: i for i, n in enumerate(upper)}
    pos_l = {n: i for i, n in enumerate(lower)}
    pairs = sorted((pos_u[a], pos_l[b]) for a, b in links if a in pos_u and b in pos_l)
    count = 0
    for i, (a1, b1) in enumerate(pairs):
        for a2, b2 in pairs[i + 1:]:
            if a2 > a1 and b2 < b1:
                count += 1
    return count


def layered_layout(
    graph: Any,
    sizes: dict[Any, tuple[float, float]],
    *,
    node_gap: float = 28.0,
    layer_gap: float = 46.0,
    margin: float = 20.0,
    sweeps: int = 6,
) -> Layout:
    """Place ``graph``'s nodes (each ``sizes[node] = (width, height)``) in layers, top to bottom.

    Returns a :class:`Layout` with coordinates starting at ``margin``.
    """
    forward, back, loops = _split_edges(graph)
    layer = _layers(graph, forward)
    # chains of dummy points for edges spanning several layers
    chains: dict[tuple, list] = {}
    links: list[tuple] = []  # adjacent-layer links, dummies included
    size = dict(sizes)
    long_edges = [(u, v) for u, v in forward if layer[v] - layer[u] > LONG_SPAN]
    long_set = set(long_edges)
    for u, v in forward:
        if (u, v) in long_set:
            continue
        chain = [u]
        for depth in range(layer[u] + 1, layer[v]):
            dummy = ("__dummy__", u, v, depth)
            layer[dummy] = depth
            size[dummy] = (6.0, 0.0)
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        links.extend(zip(chain, chain[1:]))
    depth_count = max(layer.values(), default=-1) + 1
    rows: list[list] = [[] for _ in range(depth_count)]
    for node in list(graph.nodes) + [n for n in layer if n not in graph]:
        rows[layer[node]].append(node)
    up: dict[Any, list] = {n: [] for n in layer}
    down: dict[Any, list] = {n: [] for n in layer}
    for a, b in links:
        down[a].append(b)
        up[b].append(a)
    by_pair: dict[int, list] = {}
    for a, b in links:
        by_pair.setdefault(layer[a], []).append((a, b))

    def total_crossings() -> int | None:
        if any(len(v) > _COUNT_LIMIT for v in by_pair.values()):
            return None
        return sum(_crossings(rows[d], rows[d + 1], by_pair.get(d, []))
                   for d in range(depth_count - 1))

    def reorder(row: list, neighbours: dict, positions: dict) -> list:
        keyed = []
        for index, node in enumerate(row):
            near = [positions[n] for n in neighbours[node] if n in positions]
            keyed.append((sum(near) / len(near) if near else index, index, node))
        keyed.sort(key=lambda t: (t[0], t[1]))
        return [node for _, _, node in keyed]

    best = [list(r) for r in rows]
    best_count = total_crossings()
    for sweep in range(sweeps):
        span = range(1, depth_count) if sweep % 2 == 0 else range(depth_count - 2, -1, -1)
        for d in span:
            ref = rows[d - 1] if sweep % 2 == 0 else rows[d + 1]
            positions = {n: i for i, n in enumerate(ref)}
            rows[d] = reorder(rows[d], up if sweep % 2 == 0 else down, positions)
        count = total_crossings()
        if count is None:
            best = [list(r) for r in rows]
        elif best_count is None or count < best_count:
            best, best_count = [list(r) for r in rows], count
    rows = best

    # x: pack, then pull towards neighbours keeping order and gaps
    x: dict[Any, float] = {}
    for row in rows:
        cursor = 0.0
        for node in row:
            w = size[node][0]
            x[node] = cursor + w / 2
            cursor += w + node_gap

    def place(row: list, desired: list[float]) -> None:
        n = len(row)
        left = list(desired)
        for i in range(1, n):
            need = left[i - 1] + (size[row[i - 1]][0] + size[row[i]][0]) / 2 + node_gap
            left[i] = max(left[i], need)
        right = list(desired)
        for i in range(n - 2, -1, -1):
            need = right[i + 1] - (size[row[i + 1]][0] + size[row[i]][0]) / 2 - node_gap
            right[i] = min(right[i], need)
        final = [(a + b) / 2 for a, b in zip(left, right)]
        for i in range(1, n):
            need = final[i - 1] + (size[row[i - 1]][0] + size[row[i]][0]) / 2 + node_gap
            final[i] = max(final[i], need)
        for node, value in zip(row, final):
            x[node] = value

    for sweep in range(6):
        span = range(1, depth_count) if sweep % 2 == 0 else range(depth_count - 2, -1, -1)
        for d in span:
            row = rows[d]
            desired = []
            for node in row:
                # early sweeps follow one side; the last two balance both neighbours
                side = up[node] if sweep % 2 == 0 else down[node]
                near = [x[n] for n in (side if sweep < 4 else up[node] + down[node])]
                desired.append(sum(near) / len(near) if near else x[node])
            place(row, desired)
    lefts = [x[n] - size[n][0] / 2 for n in x]
    leftmost = min(lefts, default=0.0)
    # long edges: one vertical lane per source, left of everything, shared by its long edges
    lanes: dict[Any, float] = {}
    for u, _ in long_edges:
        if u not in lanes:
            lanes[u] = leftmost - _LANE_GAP * (len(lanes) + 1)
    shift = margin - min([leftmost, *lanes.values()])
    # y: a layer is as tall as its tallest box
    y: dict[Any, float] = {}
    top = margin
    for row in rows:
        height = max((size[n][1] for n in row), default=0.0)
        for node in row:
            y[node] = top + height / 2
        top += height + layer_gap
    layout = Layout()
    for node in graph.nodes:
        w, h = size[node]
        layout.nodes[node] = NodeBox(x[node] + shift, y[node], w, h, layer[node])
    right_edge = max((b.x + b.width / 2 for b in layout.nodes.values()), default=margin)
    bottom = max((b.y + b.height / 2 for b in layout.nodes.values()), default=margin)
    kinds = {e: "forward" for e in forward}
    kinds.update({e: "back" for e in back})
    kinds.update({e: "self" for e in loops})
    layer_bottom: dict[int, float] = {}
    for box in layout.nodes.values():
        layer_bottom[box.layer] = max(layer_bottom.get(box.layer, 0.0), box.y + box.height / 2)
    lane = right_edge + 18.0
    for u, v in graph.edges():
        bu, bv = layout.nodes[u], layout.nodes[v]
        kind = kinds[(u, v)]
        if (u, v) in long_set:
            lx = lanes[u] + shift
            gap_y = layer_bottom[bu.layer] + layer_gap / 3  # in the gap below the source's layer
            points = [(bu.x, bu.y + bu.height / 2), (bu.x, gap_y), (lx, gap_y), (lx, bv.y),
                      (bv.x - bv.width / 2, bv.y)]
            kind = "long"
        elif kind == "forward":
            inner = [(x[d] + shift, y[d]) for d in chains[(u, v)][1:-1]]
            points = [(bu.x, bu.y + bu.height / 2), *inner, (bv.x, bv.y - bv.height / 2)]
        elif kind == "self":
            ex = bu.x + bu.width / 2
            points = [(ex, bu.y - bu.height / 4), (ex + 26.0, bu.y), (ex, bu.y + bu.height / 4)]
        else:  # up the right-hand side, in a lane of its own
            lane += 12.0
            points = [(bu.x + bu.width / 2, bu.y), (lane, bu.y), (lane, bv.y),
                      (bv.x + bv.width / 2, bv.y)]
        layout.edges.append(EdgeRoute(u, v, tuple(points), kind))
    layout.width = max(right_edge + 40.0 if loops else right_edge, lane if back else 0.0) + margin
    layout.height = bottom + margin
    return layout
