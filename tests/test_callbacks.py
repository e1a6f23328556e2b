"""Functions that call user code: ``apply_along_axis``, ``apply_over_axes``, ``fromfunction``,
``piecewise``.

They are free; the user's function receives flopscope arrays, so every
operation it performs is counted (and logged) as itself, and plans run it on
abstract arrays the same number of times.
"""

from __future__ import annotations

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.registry import Category, lookup


def run(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx


def ops(ctx):
    return [(r.op_name, r.flop_cost) for r in ctx.op_log]


X = np.random.default_rng(2).standard_normal((3, 4))
FX = fnp.asarray(X)


def test_the_wrappers_are_free_entries():
    for name in ("apply_along_axis", "apply_over_axes", "fromfunction", "piecewise"):
        op = lookup(name)
        assert op.category is Category.FREE and op.extras["calls_user_code"]


def test_apply_along_axis_counts_each_call_of_the_user_function():
    seen = []

    def spread(row):
        seen.append(type(row))
        return row.max() - row.min()

    result, ctx = run(fnp.apply_along_axis, spread, 1, FX)
    np.testing.assert_array_equal(np.asarray(result), np.apply_along_axis(np.ptp, 1, X))
    assert type(result) is fnp.ndarray
    assert set(seen) == {fnp.ndarray}
    # max and min of a row are NumPy scalars; their difference is scalar arithmetic (free)
    assert ops(ctx) == [("max", 4), ("min", 4)] * 3
    assert ctx.flops_used == 3 * 8


def test_apply_along_axis_hands_extra_arrays_over_as_flopscope_arrays():
    weights = fnp.asarray(np.arange(4.0))
    result, ctx = run(fnp.apply_along_axis, lambda r, w: fnp.dot(r, w), 1, FX, weights)
    np.testing.assert_allclose(np.asarray(result), X @ np.arange(4.0))
    assert ops(ctx) == [("dot", 4)] * 3


def test_apply_along_axis_matches_numpy_for_vector_results_and_numpy_functions():
    result, ctx = run(np.apply_along_axis, np.sort, 0, FX)  # NumPy's function: routed
    np.testing.assert_array_equal(np.asarray(result), np.apply_along_axis(np.sort, 0, X))
    assert ops(ctx) == [("sort", 3 * 2)] * 4
    outer, _ = run(fnp.apply_along_axis, lambda r: fnp.outer(r, r), 0, FX)
    assert outer.shape == np.apply_along_axis(lambda r: np.outer(r, r), 0, X).shape


def test_apply_along_axis_errors_are_numpys():
    with pytest.raises(ValueError):
        fnp.apply_along_axis(fnp.sum, 1, fnp.zeros((0, 3)))
    with pytest.raises(np.exceptions.AxisError):
        fnp.apply_along_axis(fnp.sum, 2, FX)


def test_apply_over_axes_counts_the_reductions():
    t = np.arange(24.0).reshape(2, 3, 4)
    result, ctx = run(fnp.apply_over_axes, fnp.sum, fnp.asarray(t), [0, -1])
    np.testing.assert_array_equal(np.asarray(result), np.apply_over_axes(np.sum, t, [0, -1]))
    assert ops(ctx) == [("sum", 24), ("sum", 12)]
    with pytest.raises(ValueError):
        fnp.apply_over_axes(lambda a, axis: fnp.sum(a), fnp.asarray(t), 0)


def test_fromfunction_grids_are_counted_arrays():
    result, ctx = run(fnp.fromfunction, lambda i, j, k=2: i * k + j, (3, 4), dtype=int, k=3)
    np.testing.assert_array_equal(np.asarray(result),
                                  np.fromfunction(lambda i, j: i * 3 + j, (3, 4), dtype=int))
    assert ops(ctx) == [("multiply", 12), ("add", 12)]


def test_piecewise_counts_the_otherwise_condition_and_each_function():
    v = np.linspace(-2, 2, 9)
    conds = [v < -1, v > 1]
    result, ctx = run(fnp.piecewise, fnp.asarray(v), [fnp.asarray(c) for c in conds],
                      [lambda x: -x, lambda x: x * x, 0.5])
    np.testing.assert_array_equal(np.asarray(result),
                                  np.piecewise(v, conds, [lambda x: -x, lambda x: x * x, 0.5]))
    assert ops(ctx) == [("any", 18), ("logical_not", 9), ("negative", 2), ("multiply", 2)]


def test_piecewise_with_a_single_condition_and_a_zero_d_input():
    v = np.linspace(-1, 1, 5)
    result, _ = run(fnp.piecewise, fnp.asarray(v), fnp.asarray(v > 0), [fnp.sqrt, 0.0])
    np.testing.assert_array_equal(np.asarray(result), np.piecewise(v, v > 0, [np.sqrt, 0.0]))
    result, _ = run(fnp.piecewise, fnp.asarray(3.0), [True], [lambda x: x + 1])
    np.testing.assert_array_equal(np.asarray(result), np.piecewise(np.array(3.0), [True],
                                                                   [lambda x: x + 1]))
    with pytest.raises(ValueError):
        fnp.piecewise(fnp.asarray(v), [fnp.asarray(v > 0)], [0.0, 1.0, 2.0])


def test_plans_run_the_user_functions_at_the_eager_shapes():
    p = flops.plan(lambda a: fnp.apply_along_axis(lambda r: r.max() - r.min(), 1, a), X)
    assert p.flops == 3 * 8 and p.outputs.shape == (3,)
    p = flops.plan(lambda a: fnp.apply_over_axes(fnp.sum, a, [0, 1]), X)
    assert p.flops == 12 + 4 and p.outputs.shape == (1, 1)
    p = flops.plan(lambda: fnp.fromfunction(lambda i, j: i + j, (5, 6)))
    assert p.flops == 30 and p.outputs.shape == (5, 6)


def test_piecewise_plans_charge_every_element_to_every_function():
    v = np.linspace(-2, 2, 9)
    p = flops.plan(lambda a: fnp.piecewise(a, [a < -1, a > 1], [lambda x: -x, lambda x: x * x, 0]),
                   v)
    # the two comparisons 9 + 9, otherwise 18 + 9, each function on all 9 elements (bound)
    assert p.flops == 18 + 27 + 9 + 9
    assert p.outputs.shape == (9,)
