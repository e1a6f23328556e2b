"""Cost diagrams: DOT text, cost-share styling, grouping by call site, overruns, rendering."""

from __future__ import annotations

import shutil

import pydot
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.trace import dot as dotmod
from flopscope.trace.dot import GraphvizNotFoundError, collapse_by_site, graph_to_dot

HAVE_DOT = shutil.which("dot") is not None

# pydot's DOT parser (used here to read the output back) uses deprecated pyparsing names.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def model(x, w, depth=3):
    for _ in range(depth):
        x = fnp.tanh(x @ w)
    return x.sum()


def _nodes(text: str) -> dict[str, dict[str, str]]:
    (graph,) = pydot.graph_from_dot_data(text)
    return {n.get_name(): {k: str(v).strip('"') for k, v in n.get_attributes().items()}
            for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")}


def _luminance(color: str) -> float:
    r, g, b = (int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dot_text_parses_and_holds_every_node_and_edge():
    p = flops.plan(model, (8, 32), (32, 32))
    text = p.to_dot()
    (graph,) = pydot.graph_from_dot_data(text)
    nodes = _nodes(text)
    assert len(nodes) == p.graph.number_of_nodes() == 2 + 7 + 1  # inputs, calls, output
    assert len(graph.get_edges()) == p.graph.number_of_edges()
    labels = " ".join(n.get("label", "") for n in nodes.values())
    assert "matmul" in labels and "tanh" in labels and "8×32, 32×32 → 8×32" in labels
    assert "test_dot.py:" in labels
    assert f"{p.flops:,} FLOPs in 7 counted calls" in graph.get_label()


def test_fill_and_size_grow_with_cost_share():
    p = flops.plan(model, (8, 32), (32, 32))
    nodes = [n for n in _nodes(p.to_dot()).values() if "fillcolor" in n and "FLOPs" in n["label"]]
    by_share = sorted(nodes, key=lambda n: float(n["label"].split(" · ")[1].split("%")[0]))
    cheap, costly = by_share[0], by_share[-1]
    assert cheap["label"].startswith(("sum", "tanh")) and costly["label"].startswith("matmul")
    assert _luminance(costly["fillcolor"]) < _luminance(cheap["fillcolor"])
    assert float(costly["fontsize"]) > float(cheap["fontsize"])
    assert float(costly["penwidth"]) > float(cheap["penwidth"])
    shades = [_luminance(n["fillcolor"]) for n in by_share]
    assert shades == sorted(shades, reverse=True)  # darker as the share grows


def test_group_by_site_collapses_a_long_loop():
    def loop(x):
        for _ in range(1000):
            x = fnp.exp(x) * 0.5
        return x

    p = flops.plan(loop, (16,))
    assert p.graph.number_of_nodes() == 2002
    grouped = collapse_by_site(p.graph)
    ops = {d["op"]: d for _, d in grouped.nodes(data=True) if d["kind"] == "group"}
    assert set(ops) == {"exp", "multiply"}
    assert ops["exp"]["calls"] == 1000 and ops["exp"]["flops"] == 16_000
    assert grouped.number_of_nodes() == 4
    nodes = _nodes(p.to_dot(group="site"))
    assert len(nodes) == 4
    assert any("exp  ×1,000" in n.get("label", "") for n in nodes.values())
    (graph,) = pydot.graph_from_dot_data(p.to_dot(group="site"))
    assert {e.get("label") for e in graph.get_edges()} >= {'"×1,000"', '"×999"'}


def test_grouping_includes_calls_folded_past_the_detail_cap():
    def loop(x):
        for _ in range(30):
            x = fnp.exp(x)
        return x

    old = flops.configure(max_log_records=5)
    try:
        p = flops.plan(loop, (4,))
    finally:
        flops.configure(**old)
    assert "25 later calls are past the detail cap" in p.to_dot()
    nodes = _nodes(p.to_dot(group="site"))
    (label,) = [n["label"] for n in nodes.values() if n.get("label", "").startswith("exp")]
    assert "×30" in label and "120 FLOPs" in label


def test_overrun_graph_highlights_the_refused_call():
    with flops.BudgetContext(flop_budget=5000, quiet=True) as ctx:
        x = fnp.ones((8, 32))
        w = fnp.ones((32, 32))
        with pytest.raises(flops.BudgetExhaustedError) as info:
            model(x, w)
    err = info.value
    graph = err.graph
    refused = [n for n, d in graph.nodes(data=True) if d.get("refused")]
    assert len(refused) == 1 and graph.nodes[refused[0]]["op"] == "matmul"
    assert graph.number_of_nodes() == len(ctx.op_log) + 1
    text = err.to_dot()
    nodes = _nodes(text)
    (alert,) = [n for n in nodes.values() if n.get("label", "").startswith("REFUSED")]
    assert alert["color"] == "#C40000" and float(alert["penwidth"]) >= 4
    assert "overrun at matmul" in text


def test_budget_context_graph_and_dot():
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        model(fnp.ones((4, 8)), fnp.ones((8, 8)))
    assert ctx.graph.number_of_nodes() == 7
    text = ctx.to_dot(group="site", title="eager run")
    assert "eager run" in text and len(_nodes(text)) == 3  # matmul, tanh, sum sites
    listing = dotmod.format_graph(ctx.graph).splitlines()
    assert listing[0].startswith("%1 = matmul()") and "# 256 FLOPs" in listing[0]


def test_plan_marks_where_a_budget_would_stop():
    p = flops.plan(model, (8, 32), (32, 32))
    text = p.to_dot(budget=9000)
    nodes = _nodes(text)
    (marked,) = [n for n in nodes.values() if "a run would be refused here" in n.get("label", "")]
    assert "matmul" in marked["label"] and marked["color"] == "#C40000"  # the second matmul
    assert "8,192 FLOPs" in marked["label"]
    assert "budget 9,000: over budget" in text


def test_bound_nodes_are_dashed():
    p = flops.plan(lambda x: fnp.exp(x[x > 0]), (10,))
    nodes = _nodes(p.to_dot())
    (exp,) = [n for n in nodes.values() if n.get("label", "").startswith("exp")]
    assert "dashed" in exp["style"] and "upper bound" in exp["label"]


def test_labels_escape_backslashes():
    p = flops.plan(lambda x: fnp.exp(x), (3,))
    text = p.to_dot(title="C:\\plans\\run")
    assert "C:\\\\plans\\\\run" in text
    pydot.graph_from_dot_data(text)


def test_save_dot_text(tmp_path):
    p = flops.plan(model, (4, 8), (8, 8))
    path = p.save(tmp_path / "plan.dot", group="site")
    assert path.read_text(encoding="utf-8") == p.to_dot(group="site")


def test_save_rejects_unknown_formats(tmp_path):
    p = flops.plan(model, (4, 8), (8, 8))
    with pytest.raises(ValueError, match=r"\.svg"):
        p.save(tmp_path / "plan.jpeg")


def test_missing_graphviz_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    p = flops.plan(model, (4, 8), (8, 8))
    with pytest.raises(GraphvizNotFoundError) as info:
        p.save(tmp_path / "plan.png")
    message = str(info.value)
    assert "'dot'" in message and "apt-get install graphviz" in message
    assert "PNG and PDF are drawn by Graphviz only" in message
    assert isinstance(info.value, flops.FlopscopeError) and isinstance(info.value, FileNotFoundError)
    assert not (tmp_path / "plan.png").exists()
    with pytest.raises(GraphvizNotFoundError):
        p.save(tmp_path / "plan.svg", engine="graphviz")
    assert not (tmp_path / "plan.svg").exists()
    # without an engine named, SVG falls back to the built-in renderer (tests/test_svg.py)
    assert "matmul" in p.save(tmp_path / "plan.svg").read_text(encoding="utf-8")


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz 'dot' is not installed")
def test_svg_and_png_rendering(tmp_path):
    p = flops.plan(model, (4, 8), (8, 8))
    svg = p.save(tmp_path / "plan.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "matmul" in svg
    png = p.save(tmp_path / "plan.png", group="site").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_to_dot_refuses_unknown_grouping():
    with pytest.raises(ValueError, match="group"):
        graph_to_dot(flops.plan(model, (2, 2), (2, 2)).graph, group="line")


def test_empty_graph_draws():
    p = flops.plan(lambda x: x.T, (2, 3))
    assert p.flops == 0
    nodes = _nodes(p.to_dot())
    assert len(nodes) == 2  # the input and the output, joined by an edge through the free op
    assert p.graph.number_of_edges() == 1


def test_symmetric_calls_show_their_symmetry_and_saving():
    from flopscope.symmetry import as_symmetric

    p = flops.plan(lambda x: fnp.exp(as_symmetric((x + x.T) / 2)), (4, 4))
    (exp,) = [n for n in _nodes(p.to_dot()).values() if n.get("label", "").startswith("exp")]
    assert "symmetric S2{0,1}, saves 6" in exp["label"]  # 10 unique of 16 elements
