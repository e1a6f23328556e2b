"""``flops.plan``: inputs, outputs, totals, budgets, summaries and graphs of a dry run."""

from __future__ import annotations

import gc
import tracemalloc
from collections import namedtuple

import networkx as nx
import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.shapes import ArraySpec
from flopscope.exec.state import PLANNING


def mlp(x, depth=5):
    """The README's MLP, weights drawn inside (so planning must not allocate them)."""
    width = x.shape[-1]
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    h = x
    for i, w in enumerate(weights):
        h = fnp.einsum("ij,j->i", w, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


def layer(x, w):
    return fnp.maximum(x @ w, 0)


# -- inputs ---------------------------------------------------------------------------------


def test_tuple_is_a_float64_shape_and_costs_follow():
    p = flops.plan(layer, (64, 256), (256, 128))
    assert p.flops == p.analytical_flops == 64 * 256 * 128 + 64 * 128
    assert p.outputs == ArraySpec((64, 128), np.dtype(np.float64))
    assert p.calls == 2


def test_spec_gives_another_dtype_and_validates_shape():
    p = flops.plan(lambda a, b: a + b, flops.spec((3, 4), "float32"), flops.spec(4, np.float32))
    assert p.outputs.dtype == np.float32 and p.outputs.shape == (3, 4)
    assert flops.spec(()) == ArraySpec((), np.dtype(np.float64))
    with pytest.raises(ValueError, match="negative"):
        flops.spec((3, -1))


def test_array_argument_stands_for_its_shape_and_dtype():
    seen = []

    def f(x):
        seen.append(x)
        return x * 2

    p = flops.plan(f, np.ones((5, 6), dtype=np.int32))
    assert isinstance(seen[0], AbstractArray)
    assert seen[0].shape == (5, 6) and seen[0].dtype == np.int32
    assert p.outputs.dtype == np.int32 and p.flops == 30


def test_other_objects_pass_through_and_their_arrays_are_planned():
    class Model:
        def __init__(self):
            self.w = fnp.ones((32, 16))  # a real weight array
            self.name = "m"

        def __call__(self, x):
            return fnp.tanh(x @ self.w)

    model = Model()
    seen = {}

    def run(m, x, scale=1.0):
        seen.update(m=m, scale=scale)
        return m(x) * scale

    p = flops.plan(run, model, (8, 32), scale=2.0)
    assert seen["m"] is model and seen["scale"] == 2.0
    assert p.flops == 8 * 32 * 16 + 8 * 16 + 8 * 16
    assert p.outputs.shape == (8, 16)


def test_containers_are_searched_for_arrays_and_specs():
    def f(layers, x, cfg):
        for w in layers:
            x = x @ w
        return {"out": x, "n": cfg["n"], "shape": cfg["shape"]}

    layers = [np.ones((4, 4)), flops.spec((4, 2))]
    p = flops.plan(f, layers, (3, 4), {"n": 2, "shape": (1, 2)})
    assert p.flops == 3 * 4 * 4 + 3 * 4 * 2
    assert p.outputs["out"].shape == (3, 2)
    assert p.outputs["n"] == 2 and p.outputs["shape"] == (1, 2)  # a tuple inside a container stays
    labels = sorted(s.label for s in p.trace.sources.values())
    assert labels == ["layers[0]", "layers[1]", "x"]


def test_args_and_kwargs_labels_follow_the_signature():
    def f(a, *rest, key):
        return a + sum(rest) + key

    p = flops.plan(f, (2,), (2,), (2,), key=(2,))
    assert sorted(s.label for s in p.trace.sources.values()) == ["a", "key", "rest[0]", "rest[1]"]


def test_outputs_keep_their_structure_and_can_feed_another_plan():
    Pair = namedtuple("Pair", "left right")

    def split(x):
        return Pair(x[:, :3].sum(axis=1), [x.T, 7])

    p = flops.plan(split, (4, 5))
    assert isinstance(p.outputs, Pair)
    assert p.outputs.left.shape == (4,) and p.outputs.right[0].shape == (5, 4)
    assert p.outputs.right[1] == 7
    assert [o.label for o in p.output_nodes] == ["return[0]", "return[1][0]"]
    q = flops.plan(lambda a, b: a @ b, p.outputs.right[0], p.outputs.left)
    assert q.flops == 5 * 4 and q.outputs.shape == (5,)


def test_plan_leaves_no_planner_active_and_charges_no_budget():
    with flops.BudgetContext(flop_budget=100) as ctx:
        p = flops.plan(mlp, (256,))  # far over 100 FLOPs: nothing is charged
        assert ctx.flops_used == 0 and ctx.op_log == []
    assert PLANNING.get() is None
    assert p.flops > 100


def test_errors_in_the_planned_function_propagate_and_reset_the_planner():
    def bad(x, y):
        return x @ y

    with pytest.raises(ValueError) as info:
        flops.plan(bad, (3, 4), (5, 6))
    assert any("flops.plan" in note and "matmul" in note for note in info.value.__notes__)
    assert PLANNING.get() is None


def test_plans_nest():
    def outer(x):
        inner = flops.plan(lambda y: fnp.exp(y), (10,))
        return fnp.exp(x) * inner.flops

    p = flops.plan(outer, (3,))
    assert p.flops == 3 + 3


def test_rejects_non_callables():
    with pytest.raises(TypeError, match="callable"):
        flops.plan((3, 3))


# -- totals, weights, multiplier -------------------------------------------------------------


def test_weights_and_multiplier_match_an_eager_run():
    ACTIVE_WEIGHTS.update({"einsum": 1.5, "multiply": 0.3, "random.randn": 2.0})
    p = flops.plan(mlp, (256,), flop_multiplier=1.7)
    with flops.BudgetContext(flop_budget=10**12, flop_multiplier=1.7) as ctx:
        mlp(fnp.ones(256))
    assert p.flops == ctx.flops_used
    assert p.analytical_flops == ctx.analytical_flops_used
    assert p.flops != p.analytical_flops


def test_invalid_multiplier_is_refused():
    with pytest.raises(ValueError):
        flops.plan(mlp, (4,), flop_multiplier=-1)


# -- budgets: fits and first overrun --------------------------------------------------------


def test_fits_is_inclusive_and_first_overrun_names_the_refused_call():
    p = flops.plan(mlp, (256,))
    assert p.fits(p.flops) and not p.fits(p.flops - 1)
    assert p.first_overrun(p.flops) is None
    budget = 200_000
    over = p.first_overrun(budget)
    with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError) as info:
            mlp(fnp.ones(256))
    refused = info.value.record
    assert (over.op_name, over.flop_cost, over.cumulative) == (
        refused.op_name, refused.flop_cost, refused.cumulative)
    assert over.call_site == refused.call_site
    assert over.cumulative > budget >= over.cumulative - over.flop_cost
    assert ctx.flops_used == over.cumulative - over.flop_cost


def test_first_overrun_is_exact_past_the_detail_cap():
    def loop(x):
        for _ in range(50):
            x = fnp.exp(x)
        return fnp.sum(x)

    old = flops.configure(max_log_records=10)
    try:
        p = flops.plan(loop, (7,))
    finally:
        flops.configure(**old)
    assert len(p.trace.rows) == 10 and p.trace.folded_calls == 41
    over = p.first_overrun(7 * 30 + 3)  # the 31st exp
    assert over.op_name == "exp" and over.cumulative == 7 * 31
    assert over.flop_cost == 7 and over.tags.get("folded")
    assert over.call_site.lineno == loop.__code__.co_firstlineno + 2
    assert p.first_overrun(7 * 50).op_name == "sum"
    assert p.summary_dict()["operations"]["exp"]["calls"] == 50


# -- summaries ----------------------------------------------------------------------------------


def test_summary_dict_by_op_namespace_and_call_site():
    def f(x):
        with fnp.namespace("encode"):
            h = fnp.exp(x)
        with fnp.namespace("decode"):
            return h @ h.T

    p = flops.plan(f, (10, 20))
    data = p.summary_dict()
    assert data["flops_used"] == 200 + 10 * 20 * 10
    assert data["operations"]["matmul"] == {"flop_cost": 2000, "analytical_cost": 2000, "calls": 1}
    assert data["by_namespace"]["encode"]["flops_used"] == 200
    assert data["by_namespace"]["decode"]["operations"]["matmul"]["calls"] == 1
    sites = data["by_call_site"]
    first = f.__code__.co_firstlineno
    assert [int(k.rsplit(":", 1)[1]) for k in sites] == [first + 4, first + 2]
    assert all(e["function"] == "f" for e in sites.values())
    assert data["outputs"] == [{"name": "return", "shape": (10, 10), "dtype": "float64", "bound": False}]
    assert data["flop_budget"] is None and data["bound"] is False


def test_summary_text_reports_verdict_sites_and_outputs():
    p = flops.plan(mlp, (256,))
    text = p.summary(budget=200_000)
    assert text.startswith("flopscope Plan Summary: mlp")
    assert "Fits:         no; a run would be refused at multiply" in text
    assert "By operation:" in text and "By call site:" in text and "Outputs:" in text
    assert "test_plan.py" in text and "return  (256,) float64" in text
    assert "By namespace" not in text  # only the root namespace: no section
    assert "Fits:         yes" in p.summary(budget=10**7)
    assert p.summary_dict(budget=200_000)["first_overrun"]["op_name"] == "multiply"


def test_repr_and_op_log():
    p = flops.plan(layer, (2, 3), (3, 4))
    assert repr(p) == "<Plan of layer: 32 FLOPs in 2 calls; outputs [(2, 4) float64]>"
    assert [r.op_name for r in p.op_log] == ["matmul", "maximum"]


# -- data-dependent sizes ---------------------------------------------------------------------


def test_boolean_mask_sizes_are_upper_bounds_and_marked():
    def f(x):
        picked = x[x > 0]  # data-dependent: planned as every element
        return fnp.exp(picked).sum()

    p = flops.plan(f, (10, 10))
    assert p.bound
    assert p.flops == 100 + 100 + 100  # greater, exp on <=100, sum of <=100
    tags = [r.tags.get("bound", False) for r in p.op_log]
    assert tags == [False, True, True]
    assert "Upper bound" in p.summary()
    assert p.outputs.shape == () and not p.outputs.bound
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        f(fnp.ones((10, 10)))  # every element positive: the bound is reached
    assert ctx.flops_used == p.flops


def test_concrete_mask_gives_an_exact_size():
    mask = np.zeros(10, dtype=bool)
    mask[:3] = True
    p = flops.plan(lambda x: fnp.exp(x[mask]), (10,))
    assert p.outputs.shape == (3,) and not p.bound


# -- graph ------------------------------------------------------------------------------------


def test_graph_nodes_edges_sources_and_outputs():
    p = flops.plan(mlp, (256,), depth=3)
    g = p.graph
    assert isinstance(g, nx.DiGraph) and nx.is_directed_acyclic_graph(g)
    kinds = [d["kind"] for _, d in g.nodes(data=True)]
    assert kinds.count("input") == 1 and kinds.count("output") == 1
    (x,) = [n for n, d in g.nodes(data=True) if d["kind"] == "input"]
    (out,) = [n for n, d in g.nodes(data=True) if d["kind"] == "output"]
    assert g.nodes[x]["label"] == "x" and g.nodes[x]["output_shape"] == (256,)
    first_einsum = next(n for n in g.successors(x))
    node = g.nodes[first_einsum]
    assert node["op"] == "einsum" and node["params"]["subscripts"] == "ij,j->i"
    assert node["shapes"] == ((256, 256), (256,)) and node["output_shape"] == (256,)
    assert node["flops"] == node["analytical_flops"] == 65536
    assert node["call_site"].split(":")[0].endswith("test_plan.py")
    path = nx.shortest_path(g, x, out)
    assert [g.nodes[n]["op"] for n in path[1:-1]] == ["einsum", "maximum", "einsum", "maximum", "einsum"]
    assert sum(d["flops"] for _, d in g.nodes(data=True)) == p.flops


def test_graph_for_budget_marks_the_overrun_node():
    p = flops.plan(mlp, (64,))
    over = p.first_overrun(10_000)
    g = p.graph_for(10_000)
    marked = [n for n, d in g.nodes(data=True) if d.get("overrun")]
    assert marked == [over.node_id]
    assert "a run would be refused here" in p.to_dot(budget=10_000)


def test_format_graph_lists_calls_in_order():
    text = flops.plan(layer, (2, 3), (3, 4)).format_graph().splitlines()
    assert text[0] == "%x : input 2×3 float64" and text[1] == "%w : input 3×4 float64"
    assert text[2].startswith("%1 = matmul(%x, %w) : 2×4 float64  # 24 FLOPs")
    assert text[3].startswith("%2 = maximum(%1) : 2×4 float64  # 8 FLOPs")
    assert text[4] == "return = %2"


# -- memory -------------------------------------------------------------------------------------


def test_planning_a_4096_wide_64_layer_mlp_allocates_less_than_one_weight_matrix():
    flops.plan(mlp, (16,), depth=2)  # warm caches (dtype probes, call-site verdicts)
    gc.collect()
    tracemalloc.start()
    try:
        p = flops.plan(mlp, (4096,), depth=64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_matrix = 4096 * 4096 * 8
    assert p.flops == 64 * (4096 * 4096 * 3) + 63 * 4096 + 1
    assert peak < one_matrix / 100, f"planning peaked at {peak:,} bytes"


# -- shape rules at the edges: the plan must fail or succeed exactly where NumPy does ---------


def _plan_or_error(fn, *shapes):
    try:
        plan = flops.plan(fn, *shapes)
    except Exception as exc:  # noqa: BLE001  (the test compares whatever was raised)
        return type(exc)
    out = plan.outputs
    return ArraySpec(tuple(out.shape), np.dtype(out.dtype))


def _eager_or_error(fn, *shapes):
    try:
        result = fn(*(fnp.zeros(s) for s in shapes))
    except Exception as exc:  # noqa: BLE001
        return type(exc)
    return ArraySpec(np.shape(result), np.asarray(result).dtype)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda a: fnp.add.reduce(a), [()]),  # axis=0 is allowed on a 0-d array
        (lambda a: fnp.multiply.reduce(a, axis=-1), [()]),
        (lambda a: fnp.add.reduce(a, axis=1), [()]),
        (lambda a: fnp.max(a, axis=0), [(0, 3)]),  # zero-length axis, no identity
        (lambda a: fnp.argmin(a, axis=0), [(0, 3)]),
        (lambda a: fnp.max(a, axis=1), [(0, 3)]),  # reduces length-3 axes: fine
        (lambda a: fnp.max(a, axis=0, initial=0.0), [(0, 3)]),
        (lambda a: fnp.sum(a, axis=0), [(0, 3)]),
        (lambda a, b: fnp.matmul(a, b), [(), (3,)]),
        (lambda a, b: fnp.array([a, b]), [(3,), (3,)]),
        (lambda a, b: fnp.array([[a], [b]], dtype=np.float32), [(2, 3), (2, 3)]),
        (lambda a, b: fnp.asarray((a, b)), [(3,), (4,)]),  # inhomogeneous
        (lambda a: fnp.add.outer(a, a), [(2, 3)]),
        (lambda a: fnp.maximum.accumulate(a, axis=1), [(2, 3)]),
    ],
)
def test_plan_fails_and_succeeds_where_numpy_does(fn, shapes):
    expected = _eager_or_error(fn, *shapes)
    with np.errstate(all="ignore"):
        planned = _plan_or_error(fn, *shapes)
    assert planned == expected


def test_ufunc_wrappers_carry_the_ufunc_interface():
    assert (fnp.add.nin, fnp.add.nout, fnp.add.identity) == (2, 1, 0)
    assert fnp.exp.types == np.exp.types
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as budget:
        x = fnp.arange(4.0)
        table = fnp.multiply.outer(x, x)
        fnp.add.at(x, [0, 0, 1], 1.0)
    assert isinstance(table, fnp.ndarray) and table.shape == (4, 4)
    assert x.tolist() == [2.0, 2.0, 2.0, 3.0]
    assert [(r.op_name, r.flop_cost) for r in budget.op_log if r.flop_cost] == [
        ("multiply.outer", 16), ("add.at", 3),
    ]
