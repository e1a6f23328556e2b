"""Window functions: hand-computed costs, NumPy parity and shape rules.

Costs (flopscope.cost.window): per-sample count of the closed form times the
number of samples, plus one divide for the per-window constant; Kaiser adds
a Bessel I0 evaluation (64 FLOPs) per sample and one for I0(β).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.accounting import (
    bartlett_cost,
    blackman_cost,
    hamming_cost,
    hanning_cost,
    kaiser_cost,
)
from flopscope.cost.window import I0_COST
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import REGISTRY, Category, lookup


def charged(fn, *args, **kwargs):
    """(result, FLOPs charged, op names logged) of ``fn(*args, **kwargs)`` in a fresh budget."""
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


#: (name, args, cost)
CALLS = [
    ("bartlett", (10,), 2 * 10 + 1),          # abs + FMA per sample, 1/(M − 1) once
    ("hanning", (10,), 3 * 10 + 1),           # multiply, cos, FMA
    ("hamming", (10,), 3 * 10 + 1),
    ("blackman", (10,), 6 * 10 + 1),          # 2 multiplies, 2 cos, 2 FMAs
    ("kaiser", (10, 5.0), (5 + 64) * 10 + 64 + 2),
    ("kaiser", (10, 14.0), 69 * 10 + 66),     # β does not change the count
    ("bartlett", (1,), 0),                    # NumPy returns [1.] without arithmetic
    ("hanning", (0,), 0),                     # [] for M < 1
    ("hamming", (-3,), 0),
    ("kaiser", (1, 2.0), 0),
    ("kaiser", (0, 2.0), 0),
    ("bartlett", (5.5,), 2 * 5 + 1),          # float M: arange(1 − M, M, 2) has 5 points
    ("blackman", (2,), 6 * 2 + 1),
    pytest.param("kaiser", (5.5, 2.0), 69 * 6 + 66,   # arange(0, 5.5) has 6 points; the
                 marks=pytest.mark.filterwarnings(     # last lies outside the window (NaN)
                     "ignore:invalid value encountered in sqrt:RuntimeWarning")),
    ("kaiser", (0.5, 2.0), 69 + 66),          # one computed sample
    ("hanning", (np.int64(7),), 3 * 7 + 1),
]


@pytest.mark.parametrize("name, args, cost", CALLS)
def test_cost_and_numpy_parity(name, args, cost):
    result, used, logged = charged(getattr(fnp, name), *args)
    expected = getattr(np, name)(*args)
    assert used == cost and logged == [name]
    assert type(result) is fnp.ndarray
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(result), expected)


@pytest.mark.parametrize("name, args, cost", CALLS)
def test_shape_rule_matches_numpy(name, args, cost):
    expected = getattr(np, name)(*args)
    op = lookup(name)
    assert op.shape(*args) == ArraySpec(expected.shape, expected.dtype)
    assert op.cost(*args) == cost


def test_cost_queries_and_registry():
    assert I0_COST == 64
    assert bartlett_cost(100) == 201 and hanning_cost(100) == hamming_cost(100) == 301
    assert blackman_cost(100) == 601 and kaiser_cost(100, 14.0) == 69 * 100 + 66
    for name in ("bartlett", "blackman", "hamming", "hanning", "kaiser"):
        op = REGISTRY[name]
        assert op.module == "numpy" and op.category is Category.CUSTOM
        assert op.numpy_func is getattr(np, name)
        assert f"{name}_cost" in flops.accounting.__all__


def test_budget_refuses_before_running():
    with flops.BudgetContext(flop_budget=69 * 100 + 65, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.kaiser(100, 8.6)
    assert ctx.flops_used == 0


@settings(max_examples=40, deadline=None)
@given(M=st.integers(0, 400))
def test_costs_monotone_and_shapes_exact(M):
    for query in (bartlett_cost, blackman_cost, hamming_cost, hanning_cost):
        assert query(M + 1) >= query(M)
    assert kaiser_cost(M + 1, 3.0) >= kaiser_cost(M, 3.0)
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        assert lookup(name).shape(M).shape == getattr(np, name)(M).shape
    assert lookup("kaiser").shape(M, 3.0).shape == np.kaiser(M, 3.0).shape


@pytest.mark.parametrize("M", [-1, -3])
def test_negative_lengths_are_refused_by_the_queries_but_planned_like_numpy(M):
    # np.hanning(-1) is an empty window; a cost query's M is a dimension and must be >= 0
    for query in (bartlett_cost, blackman_cost, hamming_cost, hanning_cost):
        with pytest.raises(ValueError):
            query(M)
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        assert lookup(name).shape(M).shape == getattr(np, name)(M).shape


@pytest.mark.skipif(not hasattr(flops, "plan"), reason="flops.plan is not available yet")
def test_plan_agrees_with_eager_run():
    def windowed(x):
        return x * fnp.hanning(x.shape[-1])

    planned = flops.plan(windowed, (4, 32))
    result, used, _ = charged(windowed, fnp.ones((4, 32)))
    assert planned.analytical_flops == used == (3 * 32 + 1) + 4 * 32
    assert planned.outputs == ArraySpec(result.shape, result.dtype)
