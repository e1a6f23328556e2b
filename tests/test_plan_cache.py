"""The dry executor's per-signature cache (flopscope/exec/dry.py).

A planned call whose signature (operation, argument classes, shapes, dtypes,
bound flags, scalar values) was seen before takes its analytical cost, result
spec, recorded shapes / dtypes / parameters and weight name from the cache.
These tests check that a cached call is recorded exactly as an uncached one,
that signatures differing in any of those parts do not collide, and that
weights and multipliers, applied after the cache, are honoured.
Expected figures are computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
import flopscope.symmetry  # noqa: F401  (installs the symmetry pass)
from flopscope import _weights
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.exec import dry
from flopscope.exec.abstract import AbstractArray, AbstractPlain


class _NeverStores(dict):
    """A cache that forgets everything: every call is evaluated afresh."""

    def __setitem__(self, key, value):
        pass


def mlp(x, weights, biases):
    h = x
    for w, b in zip(weights, biases):
        h = fnp.maximum(h @ w + b, 0)
    return h


def mlp_inputs(depth=2, batch=4, width=8):
    # Inside a list a bare tuple stays a tuple: list items are specs.
    return ((batch, width), [flops.spec((width, width))] * depth, [flops.spec((width,))] * depth)


def _rows(plan: flops.Plan) -> list[tuple]:
    """Every recorded field of every call, with node ids replaced by their positions."""
    position = {src.node_id: f"in{i}" for i, src in enumerate(plan.trace.sources.values())}
    position.update({r.node_id: i for i, r in enumerate(plan.op_log)})
    return [(r.op_name, r.namespace, r.subscripts, tuple(r.shapes), tuple(r.dtypes), r.params,
             r.flop_cost, r.cumulative, r.analytical_cost, tuple(position[i] for i in r.inputs),
             r.output_shape, r.output_dtype, r.tags, str(r.call_site))
            for r in plan.op_log]


def _plan_three_ways(monkeypatch, fn, *inputs, **kwargs):
    """(uncached, cold, warm) plans of ``fn``."""
    with monkeypatch.context() as m:
        m.setattr(dry, "_CACHE", _NeverStores())
        uncached = flops.plan(fn, *inputs, **kwargs)
    dry.clear_cache()
    cold = flops.plan(fn, *inputs, **kwargs)
    warm = flops.plan(fn, *inputs, **kwargs)
    return uncached, cold, warm


def test_cached_calls_are_recorded_as_uncached_ones(monkeypatch):
    def f(x, w, b):
        h = mlp(x, [w, w], [b, b])
        with fnp.namespace("head"):
            s = h.sum(axis=0)
            e = fnp.einsum("ij,jk->ik", h, w)
        return s, fnp.exp(e), h.T.reshape(-1), fnp.sqrt(2.0)

    uncached, cold, warm = _plan_three_ways(monkeypatch, f, (4, 8), (8, 8), (8,))
    assert _rows(uncached) == _rows(cold) == _rows(warm)
    assert uncached.outputs == cold.outputs == warm.outputs
    # matmul 4·8·8 = 256, add 32, maximum 32: 320 a layer; sum 32, einsum 256, exp 32, sqrt 1.
    assert warm.flops == 2 * 320 + 32 + 256 + 32 + 1
    assert sorted(warm.graph.edges) == sorted(warm.graph.edges)
    assert len(uncached.graph.edges) == len(cold.graph.edges) == len(warm.graph.edges)


def test_plan_equals_eager_with_packaged_weights_when_cached():
    _weights.load_weights()
    x = np.ones((4, 8)).view(fnp.ndarray)
    w = np.full((8, 8), 0.5).view(fnp.ndarray)
    b = np.zeros(8).view(fnp.ndarray)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        mlp(x, [w, w, w], [b, b, b])
    dry.clear_cache()
    cold = flops.plan(mlp, *mlp_inputs(depth=3))
    warm = flops.plan(mlp, *mlp_inputs(depth=3))
    assert cold.flops == warm.flops == ctx.flops_used
    assert [r.flop_cost for r in warm.op_log] == [r.flop_cost for r in ctx.op_log]


def test_weight_changes_are_honoured_by_cached_calls():
    # Unit weights: 2 layers of 256 + 32 + 32 = 640.
    assert flops.plan(mlp, *mlp_inputs()).flops == 640
    ACTIVE_WEIGHTS["matmul"] = 2.0  # the cache holds this signature now
    assert flops.plan(mlp, *mlp_inputs()).flops == 2 * (2 * 256 + 32 + 32)
    ACTIVE_WEIGHTS["maximum"] = 0.25  # 2 * (512 + 32 + 8) = 1104
    plan = flops.plan(mlp, *mlp_inputs())
    assert plan.flops == 1104
    assert [r.flop_cost for r in plan.op_log] == [512, 32, 8, 512, 32, 8]
    assert plan.analytical_flops == 640


def test_multiplier_is_applied_to_cached_calls():
    flops.plan(mlp, *mlp_inputs())
    assert flops.plan(mlp, *mlp_inputs(), flop_multiplier=3.0).flops == 3 * 640
    assert flops.plan(mlp, *mlp_inputs(), flop_multiplier=0.5).flops == 320


def test_signatures_differing_in_params_shapes_dtypes_and_scalars_do_not_collide():
    def f(x, i):
        return (
            x.sum(axis=0), x.sum(axis=1), x.sum(),            # (4,) (3,) scalar; params differ
            fnp.exp(x), fnp.exp(x.astype(np.float32)),        # float64, float32
            i + 1, i + 1.0, i + True,                          # int8, float64, int8
            fnp.maximum(i, 0), fnp.maximum(i, 0.0),           # int8, float64
            x + x[0], x + x[:, :1],                            # (3,4)+(4,), (3,4)+(3,1)
        )

    dry.clear_cache()
    for _ in range(2):  # cold, then warm: the same answers
        plan = flops.plan(f, (3, 4), flops.spec((3, 4), np.int8))
        out = plan.outputs
        assert [o.shape for o in out] == [(4,), (3,), (), (3, 4), (3, 4), (3, 4), (3, 4), (3, 4),
                                          (3, 4), (3, 4), (3, 4), (3, 4)]
        assert [str(o.dtype) for o in out] == [
            "float64", "float64", "float64", "float64", "float32", "int8", "float64", "int8",
            "int8", "float64", "float64", "float64"]
        sums = [r for r in plan.op_log if r.op_name == "sum"]
        assert [r.params for r in sums] == [{"axis": 0}, {"axis": 1}, {}]
        # every call costs numel of its input or output: 12
        assert [r.analytical_cost for r in plan.op_log] == [12] * len(plan.op_log)


def test_scalar_and_array_operands_do_not_collide():
    def f(x):
        s = x.sum()                    # a NumPy scalar eagerly (abstract: AbstractPlain)
        z = fnp.zeros(())              # a 0-d flopscope array
        return fnp.add(s, 1), fnp.add(z, 1)

    dry.clear_cache()
    for _ in range(2):
        captured = []
        flops.plan(lambda x: captured.append(f(x)), (3,))
        from_scalar, from_array = captured[0]
        assert type(from_scalar) is AbstractPlain
        assert type(from_array) is AbstractPlain  # NumPy returns 0-d results as scalars
        assert from_scalar.shape == from_array.shape == ()


def test_keys_tell_equal_numbers_of_different_kinds_apart():
    key = dry._freeze
    values = [1, True, 1.0, 0.0, -0.0, 0, False, 1 + 0j, np.float64(0.0), np.float64(-0.0),
              np.int64(1), np.float32(1.0), "1", None, np.dtype("<f8"), np.dtype(">f8"),
              np.float64, (1, 2), [1, 2], (1.0, 2)]
    keys = [key(v, []) for v in values]
    assert all(k is not dry._NO for k in keys)
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            assert (a == b) == (i == j), (values[i], values[j])
    assert key(math.nan, []) == key(float("nan"), [])  # NaN keys by its repr: it can hit
    assert key(object(), []) is dry._NO
    assert key(np.ones(3), []) is dry._NO  # concrete arrays are never keyed
    assert key([1, object()], []) is dry._NO


def test_abstract_arrays_key_by_class_shape_dtype_and_bound():
    srcs: list = []
    a = AbstractArray((3, 4), np.float64, src=(7,))
    keys = [
        dry._freeze(a, srcs),
        dry._freeze(AbstractArray((4, 3), np.float64), []),
        dry._freeze(AbstractArray((3, 4), np.float32), []),
        dry._freeze(AbstractArray((3, 4), np.float64, bound=True), []),
        dry._freeze(AbstractPlain((3, 4), np.float64), []),
    ]
    assert len(set(keys)) == 5
    assert srcs == [7]  # producers are collected, not keyed
    assert dry._freeze(AbstractArray((3, 4), np.float64, src=(8,)), []) == keys[0]
    tagged = AbstractArray((3, 4), np.float64, tags={"symmetry": "claimed"})
    assert dry._freeze(tagged, []) is dry._NO


def test_bound_inputs_do_not_share_entries_with_exact_ones():
    def f(x, y):
        idx = fnp.nonzero(x)[0]          # a data-dependent size: planned at its bound, 12
        return fnp.exp(idx), fnp.exp(y)  # same shape and dtype, one bound and one exact

    dry.clear_cache()
    for _ in range(2):
        plan = flops.plan(f, (3, 4), flops.spec((12,), np.int64))
        exps = [r for r in plan.op_log if r.op_name == "exp"]
        assert [r.tags.get("bound", False) for r in exps] == [True, False]
        assert [o.bound for o in plan.outputs] == [True, False]
        assert plan.bound


def test_bad_shapes_raise_every_time_after_a_cached_call():
    flops.plan(lambda a, b: a @ b, (2, 3), (3, 4))
    for _ in range(2):
        with pytest.raises(ValueError) as info:
            flops.plan(lambda a, b: a @ b, (2, 3), (4, 4))
        assert any("flops.plan: raised planning matmul" in note for note in info.value.__notes__)


def test_symmetric_and_repeated_operands_are_priced_every_time():
    from flopscope.symmetry import as_symmetric

    data = np.random.default_rng(0).uniform(size=(6, 6))
    sym = as_symmetric((data + data.T).view(fnp.ndarray))

    def f(s, v):
        return fnp.einsum("ij,j->i", s, v), fnp.exp(s), fnp.einsum("ij,ik->jk", v2 := s @ s, v2)

    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        f(sym, fnp.ones(6))
    dry.clear_cache()
    for _ in range(2):
        assert flops.plan(f, sym, (6,)).flops == ctx.flops_used


def test_user_declared_rules_run_on_every_call():
    calls = []

    def cost(x):
        calls.append(x.shape)
        return x.size

    twice = flops.counted(lambda x: x + x, cost=cost, shape=lambda x: x.shape, name="cachetest.twice")
    try:
        assert flops.plan(lambda x: twice(x), (5,)).flops == 5
        per_call = len(calls)
        assert per_call >= 1
        assert flops.plan(lambda x: twice(twice(x)), (5,)).flops == 10
        assert len(calls) == 3 * per_call  # evaluated for each of the three planned calls
    finally:
        flops.unregister("cachetest.twice")


def test_out_arguments_are_never_cached():
    def f(x, y):
        fnp.exp(x, out=y)
        return fnp.add(y, 1)

    dry.clear_cache()
    for _ in range(2):
        plan = flops.plan(f, (3,), (3,))
        add = plan.op_log[-1]
        assert add.inputs == (plan.op_log[0].node_id,)  # y is now produced by exp
    assert not any(dry._NO in key and "out" in key for key in dry._CACHE)


def test_cached_results_and_records_are_fresh_objects():
    captured = []
    plan = flops.plan(lambda x: captured.extend([fnp.sum(x, axis=0), fnp.sum(x, axis=0)]), (3, 4))
    a, b = captured
    assert a is not b and a.tags is not b.tags
    a.tags["symmetry"] = "x"
    assert b.tags == {}
    first, second = plan.op_log
    assert first.params == second.params == {"axis": 0}
    assert first.params is not second.params


def test_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(dry, "_CACHE_LIMIT", 3)
    dry.clear_cache()
    for n in range(1, 10):
        flops.plan(lambda x: fnp.exp(x), (n,))
        assert len(dry._CACHE) <= 3


def test_a_weight_changed_in_the_middle_of_a_plan_applies_from_the_next_call():
    def f(x):
        a = fnp.exp(x)               # weight 1: 12
        ACTIVE_WEIGHTS["exp"] = 4.0
        return fnp.exp(a)            # same signature, weight 4: 48

    try:
        assert [r.flop_cost for r in flops.plan(f, (3, 4)).op_log] == [12, 48]
    finally:
        ACTIVE_WEIGHTS.pop("exp", None)


def test_input_dtype_names_are_numpy_names():
    dtypes = [np.float64, np.float32, np.dtype(">f8"), np.int8, np.complex128, np.bool_]
    plan = flops.plan(lambda *xs: None, *[flops.spec((2,), d) for d in dtypes])
    names = [src.dtype for src in plan.trace.sources.values()]
    assert names == ["float64", "float32", ">f8", "int8", "complex128", "bool"]
    graph = plan.graph
    assert [graph.nodes[src.node_id]["output_dtype"] for src in plan.trace.sources.values()] == names
