"""The built-in SVG renderer: read back as XML, every label and edge checked, geometry sane.

These run everywhere (no Graphviz): ``engine="builtin"`` is forced, or ``dot``
is hidden with monkeypatch to exercise ``engine="auto"``'s fallback.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.errors import GraphvizNotFoundError
from flopscope.trace import dot as dotmod
from flopscope.trace.layout import layered_layout
from flopscope.trace.svg import graph_to_svg

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SVG = "{http://www.w3.org/2000/svg}"
HAVE_DOT = shutil.which("dot") is not None


def golden(x, w):
    return fnp.tanh(x @ w).sum()


GOLDEN_LINE = golden.__code__.co_firstlineno + 1


def _benchmark(name: str):
    """A model function of benchmarks/plan.py (not a package: loaded from its path)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "plan.py"
    spec = importlib.util.spec_from_file_location("_fs_bench_plan", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def parse(text: str) -> dict:
    """Nodes (id -> kind, classes, label lines, shape element) and edges of a drawn SVG."""
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    nodes, edges = {}, []
    for g in root.iter(f"{SVG}g"):
        classes = g.get("class", "").split()
        if "node" in classes:
            shape = g.find(f"{SVG}rect")
            if shape is None:
                shape = g.find(f"{SVG}ellipse")
            nodes[g.get("id")] = {
                "kind": g.get("data-kind"), "classes": classes,
                "lines": [t.text for t in g.iter(f"{SVG}tspan")],
                "title": g.find(f"{SVG}title").text, "shape": shape,
                "ellipses": len(g.findall(f"{SVG}ellipse")),
                "font": float(g.find(f"{SVG}text").get("font-size")),
            }
        elif "edge" in classes:
            count = g.find(f"{SVG}text")
            edges.append((g.get("data-source"), g.get("data-target"), g.get("data-kind"),
                          None if count is None else count.text))
    heading = [t.text for t in root.find(f"{SVG}g[@class='heading']").iter(f"{SVG}text")]
    return {"nodes": nodes, "edges": edges, "heading": heading, "root": root}


def test_golden_plan_structure_and_labels():
    p = flops.plan(golden, (4, 8), (8, 8))
    drawn = parse(graph_to_svg(p.graph, "golden"))
    site = f"test_svg.py:{GOLDEN_LINE} in golden"
    # hand-computed: matmul 4·8·8 = 256, tanh 32, sum 32, total 320
    assert drawn["heading"] == ["golden", "320 FLOPs in 3 counted calls · fill and size: "
                                "share of the total"]
    assert {k: v["lines"] for k, v in drawn["nodes"].items()} == {
        "n0": ["x", "4×8 float64"],
        "n1": ["w", "8×8 float64"],
        "n2": ["matmul", "4×8, 8×8 → 4×8", "256 FLOPs · 80.0%", site],
        "n3": ["tanh", "4×8 → 4×8", "32 FLOPs · 10.0%", site],
        "n4": ["sum", "4×8 → scalar", "32 FLOPs · 10.0%", site],
        "n5": ["return", "scalar float64"],
    }
    kinds = {k: v["kind"] for k, v in drawn["nodes"].items()}
    assert kinds == {"n0": "input", "n1": "input", "n2": "op", "n3": "op", "n4": "op",
                     "n5": "output"}
    assert sorted(e[:2] for e in drawn["edges"]) == [
        ("n0", "n2"), ("n1", "n2"), ("n2", "n3"), ("n3", "n4"), ("n4", "n5")]
    assert all(e[2] == "forward" and e[3] is None for e in drawn["edges"])
    # inputs are ellipses, the output a double ellipse, calls rounded boxes
    assert drawn["nodes"]["n0"]["ellipses"] == 1 and drawn["nodes"]["n5"]["ellipses"] == 2
    assert drawn["nodes"]["n2"]["shape"].tag == f"{SVG}rect"
    assert "test_svg.py" in drawn["nodes"]["n2"]["title"]


def _luminance(color: str) -> float:
    r, g, b = (int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_fill_font_and_border_grow_with_share():
    p = flops.plan(golden, (4, 8), (8, 8))
    nodes = parse(graph_to_svg(p.graph))["nodes"]
    matmul, tanh = nodes["n2"], nodes["n3"]
    assert _luminance(matmul["shape"].get("fill")) < _luminance(tanh["shape"].get("fill"))
    assert matmul["font"] > tanh["font"]
    assert float(matmul["shape"].get("stroke-width")) > float(tanh["shape"].get("stroke-width"))


def test_same_content_as_the_dot_export():
    import pydot

    def model(x, w):
        for _ in range(3):
            x = fnp.tanh(x @ w)
        return x.sum()

    p = flops.plan(model, (8, 32), (32, 32))
    (dot_graph,) = pydot.graph_from_dot_data(p.to_dot(budget=9000))
    dot_labels = sorted(
        str(n.get("label")).strip('"').replace("\\\\", "\\").split("\\n")
        for n in dot_graph.get_nodes() if n.get_name() not in ("node", "edge", "graph"))
    drawn = parse(graph_to_svg(p.graph_for(9000), p._title(9000)))
    assert sorted(v["lines"] for v in drawn["nodes"].values()) == dot_labels
    assert len(drawn["edges"]) == len(dot_graph.get_edges()) == p.graph_for(9000).number_of_edges()


def test_overrun_and_refused_nodes_are_marked():
    p = flops.plan(golden, (4, 8), (8, 8))
    nodes = parse(graph_to_svg(p.graph_for(budget=100)))["nodes"]
    (alert,) = [n for n in nodes.values() if "alert" in n["classes"]]
    assert alert["lines"][:2] == ["a run would be refused here", "matmul"]
    assert alert["shape"].get("stroke") == "#C40000"
    assert float(alert["shape"].get("stroke-width")) == 4

    with flops.BudgetContext(flop_budget=300, quiet=True):
        x, w = fnp.ones((4, 8)), fnp.ones((8, 8))
        with pytest.raises(flops.BudgetExhaustedError) as info:
            golden(x, w)
    drawn = parse(graph_to_svg(info.value.graph))
    assert drawn["heading"] == [  # what ran (matmul 256 + tanh 32), then the refused call
        "288 FLOPs in 2 counted calls · fill and size: share of the total",
        "then refused: sum, 32 FLOPs (shares include it)"]
    nodes = drawn["nodes"]
    (refused,) = [n for n in nodes.values() if "alert" in n["classes"]]
    assert refused["lines"][:2] == ["REFUSED: over budget", "sum"]


def test_bound_nodes_are_dashed():
    p = flops.plan(lambda x: fnp.exp(x[x > 0]), (10,))
    nodes = parse(graph_to_svg(p.graph))["nodes"]
    (exp,) = [n for n in nodes.values() if n["lines"][0] == "exp"]
    assert exp["shape"].get("stroke-dasharray") and "upper bound (data-dependent size)" in exp["lines"]


def test_text_is_escaped():
    p = flops.plan(lambda x: fnp.exp(x), (3,))
    drawn = parse(graph_to_svg(p.graph, title='<a & "b">'))
    assert drawn["heading"][0] == '<a & "b">'


def _boxes(root):
    out = {}
    for g in root.iter(f"{SVG}g"):
        if "node" not in g.get("class", "").split():
            continue
        rect = g.find(f"{SVG}rect")
        if rect is not None:
            x, y = float(rect.get("x")), float(rect.get("y"))
            out[g.get("id")] = (x, y, x + float(rect.get("width")), y + float(rect.get("height")))
        else:
            e = g.find(f"{SVG}ellipse")
            cx, cy, rx, ry = (float(e.get(k)) for k in ("cx", "cy", "rx", "ry"))
            out[g.get("id")] = (cx - rx, cy - ry, cx + rx, cy + ry)
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_layout_has_no_overlaps_and_edges_point_down():
    p = flops.plan(_benchmark("attention"), (512, 64), (64, 64), (64, 64), (64, 64), (64, 64))
    drawn = parse(graph_to_svg(p.graph))
    boxes = _boxes(drawn["root"])
    assert len(boxes) == p.graph.number_of_nodes()
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not _overlap(boxes[a], boxes[b]), (a, b)
    for source, target, kind, _ in drawn["edges"]:
        assert kind in ("forward", "long") and boxes[source][3] < boxes[target][1]
    width = float(drawn["root"].get("width"))
    assert all(b[0] >= 0 and b[2] <= width for b in boxes.values())


def test_grouped_loop_draws_counts_back_edges_and_self_loops():
    def loop(x, w):
        for _ in range(50):
            x = fnp.tanh(x @ w)
        return x

    p = flops.plan(loop, (4, 8), (8, 8))
    drawn = parse(graph_to_svg(p.graph, group="site"))
    ops = sorted(v["lines"][0] for v in drawn["nodes"].values() if v["kind"] == "group")
    assert ops == ["matmul  ×50", "tanh  ×50"]
    name = {k: v["lines"][0].split()[0] for k, v in drawn["nodes"].items()}
    edges = sorted((name[s], name[t], count or "") for s, t, _, count in drawn["edges"])
    assert edges == [("matmul", "tanh", "×50"), ("tanh", "matmul", "×49"),
                     ("tanh", "return", ""), ("w", "matmul", "×50"), ("x", "matmul", "")]
    assert sum(1 for e in drawn["edges"] if e[2] == "back") == 1  # the loop closes once


def test_long_edges_share_a_lane():
    def loop(x, w):
        for _ in range(30):
            x = fnp.tanh(x @ w)
        return x

    p = flops.plan(loop, (4, 8), (8, 8))
    drawn = parse(graph_to_svg(p.graph, group=None))
    kinds = {}
    for source, target, kind, _ in drawn["edges"]:
        kinds.setdefault(kind, []).append((source, target))
    assert len(drawn["edges"]) == p.graph.number_of_edges()
    w = next(k for k, v in drawn["nodes"].items() if v["lines"][0] == "w")
    assert kinds["long"] and all(source == w for source, _ in kinds["long"])
    lanes = {g.find(f"{SVG}path").get("d").split()[2].split(",")[0] for g in drawn["root"].iter(f"{SVG}g")
             if g.get("data-kind") == "long"}
    assert len(lanes) == 1  # every long edge of w turns into the same lane


def test_self_loops_draw():
    def loop(x):
        for _ in range(10):
            x = fnp.exp(x)
        return x

    drawn = parse(graph_to_svg(flops.plan(loop, (3,)).graph, group="site"))
    assert [(e[2], e[3]) for e in drawn["edges"] if e[0] == e[1]] == [("self", "×9")]


def test_auto_grouping_above_the_limit():
    def loop(x):
        for _ in range(dotmod.AUTO_GROUP_LIMIT):  # two calls per iteration: over the limit
            x = fnp.exp(x) * 0.5
        return x

    p = flops.plan(loop, (4,))
    drawn = parse(graph_to_svg(p.graph))
    assert len(drawn["nodes"]) == 4  # input, exp, multiply, output
    assert any("grouped by call site" in line for line in drawn["heading"])
    full = parse(graph_to_svg(p.graph, group=None))
    assert len(full["nodes"]) == 2 * dotmod.AUTO_GROUP_LIMIT + 2
    small = flops.plan(golden, (4, 8), (8, 8))
    assert len(parse(graph_to_svg(small.graph))["nodes"]) == 6  # small graphs: every call


def test_group_by_namespace_merges_lines():
    def f(x):
        with flops.namespace("a"):
            x = fnp.exp(x)
            x = fnp.exp(x)
        with flops.namespace("b"):
            x = fnp.exp(x)
        return x

    p = flops.plan(f, (5,))
    drawn = parse(graph_to_svg(p.graph, group="namespace"))
    groups = sorted(v["lines"] for v in drawn["nodes"].values() if v["kind"] == "group")
    assert groups == [["exp", "5 → 5", "5 FLOPs · 33.3%", "[b]"],
                      ["exp  ×2", "5 → 5", "10 FLOPs · 66.7%", "[a]"]]
    with pytest.raises(ValueError, match="group"):
        graph_to_svg(p.graph, group="line")


def test_ten_thousand_calls_draw_grouped_and_small():
    def many(x, w):
        for _ in range(2500):
            x = fnp.tanh(x @ w) + 1.0
            x = x * 0.5
        return x

    p = flops.plan(many, (4, 8), (8, 8))
    assert p.calls == 10_000
    text = graph_to_svg(p.graph_for(None), sites=p.trace.site_aggregates())
    drawn = parse(text)
    assert len(text.encode()) < 5_000_000
    assert len(drawn["nodes"]) == 4 + 2 + 1  # 4 sites, 2 inputs, 1 output
    assert "10,000 counted calls" in drawn["heading"][0]


def test_weighted_labels_with_the_packaged_table():
    from flopscope import _weights

    _weights.load_weights()
    p = flops.plan(golden, (4, 8), (8, 8))
    nodes = parse(graph_to_svg(p.graph))["nodes"]
    ops = {v["lines"][0]: v["lines"] for v in nodes.values() if v["kind"] == "op"}
    # Each call shows its exact weighted cost; the plan's total is the exact sum rounded up.
    total = sum(d["flops"] for _, d in p.graph.nodes(data=True))
    assert p.flops - 1 < total <= p.flops
    for node, data in p.graph.nodes(data=True):
        if data["kind"] != "op":
            continue
        share = 100 * data["flops"] / total
        cost = f"{data['flops']:,} FLOPs · {share:.1f}%"
        if data["flops"] != data["analytical_flops"]:
            cost += f" (analytical {data['analytical_flops']:,})"
        assert ops[data["op"]][2] == cost


# -- saving without Graphviz -------------------------------------------------------------------


def test_save_svg_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    p = flops.plan(golden, (4, 8), (8, 8))
    path = p.save(tmp_path / "plan.svg", budget=100)
    drawn = parse(path.read_text(encoding="utf-8"))
    assert len(drawn["nodes"]) == 6
    assert drawn["heading"][0] == "plan of golden · budget 100: over budget"
    with pytest.raises(GraphvizNotFoundError, match="PNG and PDF are drawn by Graphviz only"):
        p.save(tmp_path / "plan.png")
    with pytest.raises(GraphvizNotFoundError):
        p.save(tmp_path / "forced.svg", engine="graphviz")
    with pytest.raises(ValueError, match="Graphviz only"):
        p.save(tmp_path / "plan.pdf", engine="builtin")
    with pytest.raises(ValueError, match="engine"):
        p.save(tmp_path / "plan2.svg", engine="cairo")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["plan.svg"]


def test_save_graph_of_an_overrun(tmp_path, monkeypatch):
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    with flops.BudgetContext(flop_budget=300, quiet=True):
        with pytest.raises(flops.BudgetExhaustedError) as info:
            golden(fnp.ones((4, 8)), fnp.ones((8, 8)))
    path = flops.save_graph(info.value.graph, tmp_path / "overrun.svg", title="why?")
    drawn = parse(path.read_text(encoding="utf-8"))
    assert drawn["heading"][0] == "why?"
    assert [v["lines"][1] for v in drawn["nodes"].values() if "alert" in v["classes"]] == ["sum"]


def test_builtin_refuses_other_directions():
    with pytest.raises(ValueError, match="top to bottom"):
        graph_to_svg(flops.plan(golden, (2, 2), (2, 2)).graph, rankdir="LR")


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz 'dot' is not installed")
def test_graphviz_engine_when_installed(tmp_path):
    p = flops.plan(golden, (4, 8), (8, 8))
    text = p.save(tmp_path / "gv.svg", engine="graphviz").read_text()
    assert "Generated by graphviz" in text
    builtin = p.save(tmp_path / "b.svg", engine="builtin").read_text()
    assert 'class="flopscope-diagram"' in builtin
    auto = p.save(tmp_path / "a.svg").read_text()
    assert "Generated by graphviz" in auto


# -- the layout itself -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.lists(st.tuples(st.integers(20, 200), st.integers(10, 60)), min_size=n, max_size=n))))
def test_layout_property(case):
    n, pairs, dims = case
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(pairs)  # any digraph: cycles and self-loops included
    sizes = {i: (float(w), float(h)) for i, (w, h) in enumerate(dims)}
    layout = layered_layout(graph, sizes)
    assert set(layout.nodes) == set(graph.nodes)
    boxes = {k: (b.x - b.width / 2, b.y - b.height / 2, b.x + b.width / 2, b.y + b.height / 2)
             for k, b in layout.nodes.items()}
    for i in range(n):
        assert layout.nodes[i].width == sizes[i][0] and layout.nodes[i].height == sizes[i][1]
        assert boxes[i][0] >= 0 and boxes[i][2] <= layout.width
        assert boxes[i][1] >= 0 and boxes[i][3] <= layout.height
        for j in range(i + 1, n):
            assert not _overlap(boxes[i], boxes[j])
    assert sorted((e.source, e.target) for e in layout.edges) == sorted(graph.edges)
    for e in layout.edges:
        if e.kind in ("forward", "long"):
            assert layout.nodes[e.source].layer < layout.nodes[e.target].layer
            assert e.points[0][1] < e.points[-1][1]
        if e.kind == "long":  # down a lane left of every box
            assert 0 <= e.points[2][0] < min(b[0] for b in boxes.values())
        assert (e.kind == "self") == (e.source == e.target)
    forward = nx.DiGraph([(e.source, e.target) for e in layout.edges
                          if e.kind in ("forward", "long")])
    assert nx.is_directed_acyclic_graph(forward)
