"""Polynomial functions: hand-computed costs, NumPy parity, data-dependent bounds, plans.

Costs (flopscope.cost.polynomial) are exact counts of NumPy's loops; the
linear algebra inside polyfit / roots / poly is charged by flopscope.cost.linalg.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.accounting import (
    eigvals_cost,
    inv_cost,
    lstsq_cost,
    poly_cost,
    polyadd_cost,
    polyder_cost,
    polydiv_cost,
    polyfit_cost,
    polyint_cost,
    polymul_cost,
    polysub_cost,
    polyval_cost,
    roots_cost,
)
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import REGISTRY, Category, lookup

RNG = np.random.default_rng(5)
X10 = np.linspace(-1.0, 2.0, 10)
Y10 = 3.0 * X10**2 - X10 + 0.5 + 0.01 * RNG.standard_normal(10)
Y10x2 = np.stack([Y10, 2 * Y10], axis=1)
M3 = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])


def charged(fn, *args, **kwargs):
    """(result, FLOPs charged, op names logged) of ``fn(*args, **kwargs)`` in a fresh budget."""
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


def assert_same(result, expected):
    """Same container, values, dtypes and shapes as NumPy's result."""
    if isinstance(expected, tuple):
        assert type(result) is tuple and len(result) == len(expected)
        for r, e in zip(result, expected, strict=True):
            assert_same(r, e)
    elif isinstance(expected, np.ndarray):
        assert type(result) is fnp.ndarray
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_array_equal(np.asarray(result), expected)
    else:
        assert type(result) is type(expected) and result == expected


def specs_of(result):
    if isinstance(result, tuple):
        return tuple(specs_of(r) for r in result)
    arr = np.asarray(result)
    return ArraySpec(arr.shape, arr.dtype)


#: (name, args, kwargs, cost)
CALLS = [
    # Horner: one FMA per coefficient per point
    ("polyval", ([1.0, 2.0, 3.0], X10[:5]), {}, 3 * 5),
    ("polyval", ([1, 2, 3, 4], RNG.standard_normal((2, 3))), {}, 4 * 6),
    ("polyval", ([1.0, -2.0, 3.0], 2.0), {}, 3),                        # scalar x
    ("polyval", (RNG.standard_normal((3, 2)), RNG.standard_normal((4, 1))), {}, 3 * 8),
    ("polyval", (np.array([2, 1], dtype=np.int32), np.arange(4)), {}, 2 * 4),
    ("polyadd", ([1.0, 2.0], [1.0, 2.0, 3.0]), {}, 3),
    ("polysub", ([1.0, 2.0, 3.0, 4.0], [1.0]), {}, 4),
    ("polysub", (5.0, [1.0, 2.0]), {}, 2),                              # 0-d coefficient
    ("polymul", ([1.0, 2.0, 3.0], [1.0, 1.0]), {}, 3 * 2),
    ("polymul", ([1, 2], [3, 4, 5, 6]), {}, 2 * 4),
    # long division: 1 reciprocal + (nu − nv + 1)·(nv + 1)
    ("polydiv", ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0]), {}, 1 + 3 * 3),
    ("polydiv", ([1.0, 2.0], [1.0, 2.0, 3.0]), {}, 1),                  # quotient 0
    ("polyder", ([1.0, 2.0, 3.0, 4.0],), {}, 3),
    ("polyder", ([1.0, 2.0, 3.0, 4.0], 2), {}, 3 + 2),
    ("polyder", ([1.0, 2.0, 3.0, 4.0], 6), {}, 3 + 2 + 1),
    ("polyder", ([1.0, 2.0, 3.0],), {"m": 0}, 0),
    ("polyint", ([1.0, 2.0, 3.0],), {}, 3),
    ("polyint", ([1.0, 2.0, 3.0], 2), {"k": [1.0, 2.0]}, 3 + 4),
    ("polyint", ([3, 2],), {"m": 3, "k": 5.0}, 2 + 3 + 4),
    # (x − z1)…(x − zr): Σ 2j = r(r + 1)
    ("poly", ([1.0, 2.0, 3.0],), {}, 3 * 4),
    ("poly", (M3,), {}, 3 * 4 + 5 * 27),                                 # + eigvals(3)
    ("poly", ([1 + 1j, 1 - 1j],), {}, 2 * 3),
    ("poly", ([],), {}, 0),                                              # NumPy returns 1.0
    # roots: n − 1 divides + eigvals of the (n−1)×(n−1) companion matrix
    ("roots", ([1.0, -3.0, 2.0],), {}, 2 + 5 * 8),
    ("roots", ([0.0, 1.0, -3.0, 2.0],), {}, 3 + 5 * 27),                # charged at full size
    ("roots", ([1.0, 0.0, 0.0],), {}, 2 + 5 * 8),
    ("roots", ([5.0],), {}, 0),
    # polyfit, m = 10 points, c = 3 unknowns:
    # Vandermonde 10·2 + scaling 2·10·3 + 3 roots + lstsq(10, 3, k) + unscale 3·k
    ("polyfit", (X10, Y10, 2), {}, 20 + 60 + 3 + (180 + 108 + 39) + 3),
    ("polyfit", (X10, Y10, 2), {"w": np.ones(10)}, 413 + 30 + 10),
    ("polyfit", (X10, Y10x2, 2), {}, 20 + 60 + 3 + (180 + 108 + 2 * 39) + 6),
    ("polyfit", (X10, Y10, 2), {"full": True}, 413),
    # cov: AᵀA 3·3·10 + inv(3) 36 + outer and divide 2·9 + scaling 9·1
    ("polyfit", (X10, Y10, 2), {"cov": True}, 413 + 90 + 36 + 18 + 9),
    ("polyfit", (X10, Y10x2, 1), {"cov": "unscaled"},
     10 + 40 + 2 + (2 * 10 * 4 + 32 + 2 * 24) + 4 + (4 * 10 + (3 + 8) + 8 + 4)),
    ("polyfit", (X10, Y10x2, 1), {"cov": True},
     10 + 40 + 2 + (2 * 10 * 4 + 32 + 2 * 24) + 4 + (4 * 10 + (3 + 8) + 8 + 4 * 2)),
]


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_cost_and_numpy_parity(name, args, kwargs, cost):
    result, used, logged = charged(getattr(fnp, name), *args, **kwargs)
    expected = getattr(np, name)(*args, **kwargs)
    assert used == cost
    assert logged == [name]
    assert_same(result, expected)


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_shape_rule_matches_numpy(name, args, kwargs, cost):
    op = lookup(name)
    spec = op.shape(*args, **kwargs)
    expected = specs_of(getattr(np, name)(*args, **kwargs))
    assert op.cost(*args, **kwargs) == cost
    if name == "polydiv":                     # the remainder is an upper bound
        assert spec[0] == expected[0]
        assert spec[1].bound and spec[1].shape[0] >= expected[1].shape[0]
    elif name == "roots" and spec.bound:      # at most n − 1 roots, planned complex
        assert spec.shape[0] >= expected.shape[0]
        assert spec.dtype == np.result_type(expected.dtype, np.complex64)
    elif name == "polymul":
        assert spec.bound and spec.shape[0] >= expected.shape[0] and spec.dtype == expected.dtype
    elif name == "polyfit" and kwargs.get("full"):
        c, resids, rank, s, rcond = spec
        assert (c, rank, s, rcond) == tuple(expected[i] for i in (0, 2, 3, 4))
        assert resids.bound and resids.shape[0] >= expected[1].shape[0]
    elif name == "poly" and np.iscomplexobj(args[0]):
        # conjugate pairs make NumPy's result real (data-dependent); planned complex
        assert spec.shape == expected.shape and spec.dtype == np.complex128
    else:
        assert spec == expected


def test_data_dependent_sizes_are_bounds():
    # leading zeros are stripped at run time: fewer coefficients than planned
    assert fnp.polymul([0.0, 1.0, 2.0], [0.0, 3.0]).shape == (2,)
    assert lookup("polymul").shape([0.0, 1.0, 2.0], [0.0, 3.0]) == ArraySpec(
        (4,), np.dtype(np.float64), bound=True)
    assert fnp.roots([0.0, 1.0, -3.0, 2.0]).shape == (2,)
    assert lookup("roots").shape([0.0, 1.0, -3.0, 2.0]).shape == (3,)


def test_numpy_functions_on_flopscope_arrays_are_counted():
    fx, fy = fnp.asarray(X10), fnp.asarray(Y10)
    # (np.roots and np.poly are left out: NumPy's dispatchers for them return the
    # argument itself, so a 1-D array's elements, not the array, are checked for
    # overrides, and NumPy never hands the call to flopscope. fnp.roots is counted.)
    for name, args in [("polyval", ([1.0, 2.0], fx)), ("polyfit", (fx, fy, 2)),
                       ("polymul", (fx[:3], fy[:2])), ("polyder", (fx, 2)),
                       ("poly", (fnp.asarray(M3),))]:
        via_numpy, used_numpy, log = charged(getattr(np, name), *args)
        _, used_fnp, _ = charged(getattr(fnp, name), *args)
        assert used_numpy == used_fnp > 0 and log == [name]
        plain = tuple(np.asarray(a) if isinstance(a, fnp.ndarray) else a for a in args)
        assert_same(via_numpy, getattr(np, name)(*plain))


def test_registry_entries():
    for name in ("poly", "polyadd", "polysub", "polymul", "polydiv", "polyder", "polyint",
                 "polyval", "polyfit", "roots"):
        op = REGISTRY[name]
        assert op.module == "numpy" and op.category is Category.CUSTOM
        assert op.numpy_func is getattr(np, name)
        assert f"{name}_cost" in flops.accounting.__all__


ERRORS = [
    ("polyder", ([1.0, 2.0], -1), {}, ValueError),
    ("polyint", ([1.0, 2.0], -1), {}, ValueError),
    ("roots", (M3,), {}, ValueError),
    ("poly", (np.ones((2, 2, 2)),), {}, ValueError),
    ("polyfit", (X10, Y10, -1), {}, ValueError),
    ("polyfit", (M3, M3, 1), {}, TypeError),
    ("polyfit", (X10, Y10[:5], 1), {}, TypeError),
    ("polymul", (M3, [1.0]), {}, ValueError),
    ("polyval", (np.float64(2.0), X10), {}, TypeError),
]


@pytest.mark.parametrize("name, args, kwargs, error", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_are_numpys_and_nothing_is_charged(name, args, kwargs, error):
    with pytest.raises(error):
        getattr(np, name)(*args, **kwargs)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        with pytest.raises(error):
            getattr(fnp, name)(*args, **kwargs)
    assert ctx.flops_used == 0 and ctx.op_log == []


def test_cost_queries_by_hand():
    assert polyval_cost(3, 100) == 4 * 100
    assert polyval_cost(-1, 100) == 0
    assert polyadd_cost(3, 5) == polysub_cost(5, 3) == 5
    assert polymul_cost(3, 4) == 12
    assert polydiv_cost(5, 2) == 1 + 4 * 3
    assert polyder_cost(5, 2) == 4 + 3
    assert polyint_cost(5, 2) == 5 + 6
    assert poly_cost(4) == 20 and poly_cost(4, matrix=True) == 20 + eigvals_cost(4)
    assert roots_cost(4) == 3 + eigvals_cost(3) == 138
    assert polyfit_cost(100, 3) == 300 + 800 + 4 + lstsq_cost(100, 4) + 4 == 4980
    assert polyfit_cost(10, 2, cov=True) == 413 + 90 + inv_cost(3) + 18 + 9
    with pytest.raises(ValueError):
        polydiv_cost(3, 0)
    with pytest.raises(ValueError):
        polyfit_cost(10, -1)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), points=st.integers(0, 50), m=st.integers(0, 5))
def test_costs_are_monotone(n, points, m):
    assert polyval_cost(n, points) <= polyval_cost(n + 1, points) <= polyval_cost(n + 1, points + 1)
    assert roots_cost(n) <= roots_cost(n + 1)
    assert polyder_cost(n, m) <= polyder_cost(n + 1, m)
    assert polyint_cost(n, m) <= polyint_cost(n + 1, m)
    assert polyfit_cost(points + 1, n) <= polyfit_cost(points + 2, n)


@pytest.mark.skipif(not hasattr(flops, "plan"), reason="flops.plan is not available yet")
def test_plan_agrees_with_eager_run():
    def fit_and_evaluate(x, y):
        coeffs = fnp.polyfit(x, y, 3)
        return fnp.polyval(fnp.polyder(coeffs), x)

    planned = flops.plan(fit_and_evaluate, (50,), (50,))
    x = np.linspace(0.0, 1.0, 50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result, used, logged = charged(fit_and_evaluate, fnp.asarray(x), fnp.asarray(x**3))
    assert logged == ["polyfit", "polyder", "polyval"]
    assert planned.analytical_flops == used == polyfit_cost(50, 3) + 3 + 3 * 50
    assert planned.outputs == ArraySpec(result.shape, result.dtype)
