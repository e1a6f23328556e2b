"""``pad``: parity with NumPy and the per-mode costs derived in flopscope.cost.padding."""

from __future__ import annotations

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp

A = np.arange(20.0).reshape(4, 5)


@pytest.mark.parametrize("mode, kwargs, cost", [
    ("constant", {"constant_values": 3}, 0),
    ("edge", {}, 0), ("reflect", {}, 0), ("symmetric", {}, 0), ("wrap", {}, 0),
    # axis 0: 2 sides x 4 values x 5 lines = 40; axis 1 (now 7 lines): 2 x 5 x 7 = 70
    ("mean", {}, 110), ("maximum", {}, 110), ("minimum", {}, 110),
    # stat_length 2, median x3: 3 x 2 x 5 x 2 = 60, then 3 x 2 x 7 x 2 = 84
    ("median", {"stat_length": 2}, 144),
    # one multiply-add per padded element: 7 x 8 - 4 x 5
    ("linear_ramp", {"end_values": 1.0}, 36),
])
def test_pad_matches_numpy_and_costs(mode, kwargs, cost):
    expected = np.pad(A, (1, 2), mode=mode, **kwargs)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = fnp.pad(fnp.asarray(A), (1, 2), mode=mode, **kwargs)
        via_numpy = np.pad(fnp.asarray(A), (1, 2), mode=mode, **kwargs)
    assert type(result) is fnp.ndarray
    np.testing.assert_array_equal(np.asarray(result), expected)
    np.testing.assert_array_equal(np.asarray(via_numpy), expected)
    assert ctx.flops_used == 2 * cost
    assert flops.accounting.pad_cost(A.shape, (1, 2), mode, kwargs.get("stat_length")) == cost


def test_pad_refuses_callable_modes_and_bad_widths():
    with pytest.raises(TypeError, match="callable mode"):
        fnp.pad(fnp.asarray(A), 1, mode=lambda vector, width, axis, kwargs: None)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        with pytest.raises(ValueError):
            fnp.pad(fnp.asarray(A), -1)
    assert ctx.flops_used == 0


def test_pad_plans_its_shape():
    plan = flops.plan(lambda x: fnp.pad(x, ((1, 0), (2, 3)), mode="mean"), (4, 5))
    assert plan.outputs.shape == (5, 10)
    assert plan.analytical_flops == flops.accounting.pad_cost((4, 5), ((1, 0), (2, 3)), "mean")
