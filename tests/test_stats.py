"""flops.stats: SciPy's values, the derived per-element costs, shape rules, errors.

The cost table of flopscope.cost.stats is checked two ways: each formula in
its docstring is re-implemented below with fnp primitives and must (1) equal
SciPy's values and (2) cost, when flopscope counts it, exactly the declared
number of operations per element (a fused multiply-add, which fnp spells as
a multiply and an add, is 1; see ``Hand``).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost.stats import OPS_PER_ELEMENT, SHAPE_PARAMETERS
from flopscope.registry import Category, lookup

DISTRIBUTIONS = ["norm", "expon", "uniform", "laplace", "logistic", "cauchy", "lognorm",
                 "truncnorm"]
METHODS = ["pdf", "cdf", "ppf"]
CASES = [(d, m) for d in DISTRIBUTIONS for m in METHODS]
IDS = [f"{d}.{m}" for d, m in CASES]

SHAPE = (4, 5)
N = 20
RNG = np.random.default_rng(11)
X = RNG.uniform(-3.0, 4.0, SHAPE)
Q = RNG.uniform(0.01, 0.99, SHAPE)
LOC = RNG.uniform(-0.5, 0.5, SHAPE)
SCALE = RNG.uniform(0.5, 2.0, SHAPE)
SHAPE_VALUES = {"s": RNG.uniform(0.3, 1.5, SHAPE), "a": RNG.uniform(-2.0, -0.5, SHAPE),
                "b": RNG.uniform(0.5, 2.5, SHAPE)}


def charged(fn):
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn()
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


def scipy_args(dist, method):
    """Full-shape arguments: x (or q), the shape parameters, loc, scale."""
    first = Q if method == "ppf" else X
    return (first, *(SHAPE_VALUES[p] for p in SHAPE_PARAMETERS[dist]), LOC, SCALE)


# -- values, dtypes, shapes, costs -----------------------------------------------------------


@pytest.mark.parametrize("dist, method", CASES, ids=IDS)
def test_values_and_costs(dist, method):
    args = scipy_args(dist, method)
    expected = getattr(getattr(scipy.stats, dist), method)(*args)
    fn = getattr(getattr(flops.stats, dist), method)
    result, used, ops = charged(lambda: fn(*(fnp.asarray(a) for a in args)))
    assert type(result) is fnp.ndarray
    assert result.shape == expected.shape == SHAPE and result.dtype == expected.dtype
    np.testing.assert_array_equal(np.asarray(result), expected)  # SciPy's own values
    assert used == OPS_PER_ELEMENT[(dist, method)] * N
    assert ops == [f"stats.{dist}.{method}"]


@pytest.mark.parametrize("dist, method", CASES, ids=IDS)
def test_broadcasting_keywords_and_scalars(dist, method):
    first = Q[0] if method == "ppf" else X[0]            # shape (5,)
    shape_params = {p: float(SHAPE_VALUES[p][0, 0]) for p in SHAPE_PARAMETERS[dist]}
    loc = LOC[:, :1]                                     # shape (4, 1)
    module = getattr(scipy.stats, dist)
    counted = getattr(flops.stats, dist)
    expected = getattr(module, method)(first, **shape_params, loc=loc, scale=2.0)
    result, used, _ = charged(lambda: getattr(counted, method)(first, **shape_params, loc=loc,
                                                               scale=2.0))
    np.testing.assert_array_equal(np.asarray(result), expected)
    assert used == OPS_PER_ELEMENT[(dist, method)] * 20  # broadcast (4, 1) with (5,)
    # A 0-d input gives what SciPy gives: a NumPy float scalar, costing one element.
    value = 0.3 if method == "ppf" else 0.7
    expected = getattr(module, method)(value, **shape_params)
    result, used, _ = charged(lambda: getattr(counted, method)(np.float64(value), **shape_params))
    assert type(result) is type(expected) and result == expected
    assert used == OPS_PER_ELEMENT[(dist, method)]


def test_dtypes_follow_scipy():
    for x in (np.float32([0.5, 1.5]), np.arange(3), np.float64(0.5)):
        expected = scipy.stats.norm.cdf(x)
        result = flops.stats.norm.cdf(fnp.asarray(x))
        assert result.dtype == expected.dtype
        spec = lookup("stats.norm.cdf").shape(x)
        assert (spec.shape, spec.dtype) == (expected.shape, expected.dtype)


def test_hand_computed_costs():
    x = fnp.asarray(np.linspace(-2, 2, 100))
    cases = [
        (lambda: flops.stats.norm.pdf(x), 700),
        (lambda: flops.stats.norm.ppf(fnp.asarray(np.full((10, 10), 0.3))), 400),
        (lambda: flops.stats.uniform.ppf(0.5, loc=np.zeros(7)), 7),
        (lambda: flops.stats.truncnorm.pdf(x, -1.0, 1.0), 1700),
        (lambda: flops.stats.lognorm.cdf(x, np.full((3, 1), 0.5)), 3 * 100 * 8),
        (lambda: flops.stats.cauchy.cdf(x, 1.0, 2.0), 400),
    ]
    for run, cost in cases:
        assert charged(run)[1] == cost
    assert flops.accounting.stats_cost("laplace", "cdf", (10, 10)) == 900
    assert flops.accounting.stats_cost("truncnorm", "ppf", ()) == 9
    with pytest.raises(ValueError, match="norm.pdf"):
        flops.accounting.stats_cost("gamma", "pdf", (3,))


# -- the derivations: formula programs, their values and their counts ------------------------


SQ2 = math.sqrt(2.0)
SQ2PI = math.sqrt(2.0 * math.pi)
SQPI2 = math.sqrt(math.pi / 2.0)


class Hand:
    """The primitives fnp does not count as the derivations do, tallied by hand.

    A fused multiply-add is spelt as an fnp multiply and add (counted 2, derived
    as 1); a ``where`` is evaluated by NumPy on plain arrays (derived as 1). The
    test corrects the fnp count by these tallies.
    """

    def __init__(self):
        self.fused = 0
        self.selects = 0

    def fma(self, a, b, c):               # a·b + c
        self.fused += 1
        return a * b + c

    def fnma(self, a, b, c):              # c − a·b
        self.fused += 1
        return c - a * b

    def where(self, mask, a, b):
        self.selects += 1
        return fnp.asarray(np.where(np.asarray(mask), np.asarray(a), np.asarray(b)))

    def correction(self, n):
        """What to add to fnp's count to get the derivation's."""
        return (self.selects - self.fused) * n


def _z(x, loc, scale):
    return (x - loc) / scale


def _erfc_scaled(t):                      # erfc(−t/√2): a scaling and an erfc
    return sc.erfc(t * (-1.0 / SQ2))


FORMULAS = {
    ("norm", "pdf"): lambda h, x, loc, scale: _norm_pdf(_z(x, loc, scale), scale),
    ("norm", "cdf"): lambda h, x, loc, scale: 0.5 * _erfc_scaled(_z(x, loc, scale)),
    ("norm", "ppf"): lambda h, q, loc, scale: h.fma(scale, sc.erfcinv(2.0 * q) * -SQ2, loc),
    ("expon", "pdf"): lambda h, x, loc, scale: h.where(
        x >= loc, fnp.exp((loc - x) / scale) / scale, 0.0),
    ("expon", "cdf"): lambda h, x, loc, scale: 1.0 - fnp.exp(fnp.minimum((loc - x) / scale, 0.0)),
    ("expon", "ppf"): lambda h, q, loc, scale: h.fnma(scale, fnp.log(1.0 - q), loc),
    ("uniform", "pdf"): lambda h, x, loc, scale: _uniform_pdf(h, x - loc, scale),
    ("uniform", "cdf"): lambda h, x, loc, scale: fnp.minimum(
        fnp.maximum(_z(x, loc, scale), 0.0), 1.0),
    ("uniform", "ppf"): lambda h, q, loc, scale: h.fma(scale, q, loc),
    ("laplace", "pdf"): lambda h, x, loc, scale: fnp.exp(-fnp.abs(_z(x, loc, scale))) / (
        2.0 * scale),
    ("laplace", "cdf"): lambda h, x, loc, scale: _laplace_cdf(h, _z(x, loc, scale)),
    ("laplace", "ppf"): lambda h, q, loc, scale: _laplace_ppf(h, q - 0.5, loc, scale),
    ("logistic", "pdf"): lambda h, x, loc, scale: _logistic_pdf(fnp.exp((loc - x) / scale),
                                                                scale),
    ("logistic", "cdf"): lambda h, x, loc, scale: 1.0 / (1.0 + fnp.exp((loc - x) / scale)),
    ("logistic", "ppf"): lambda h, q, loc, scale: h.fma(scale, fnp.log(q / (1.0 - q)), loc),
    ("cauchy", "pdf"): lambda h, x, loc, scale: _cauchy_pdf(h, x - loc, scale),
    ("cauchy", "cdf"): lambda h, x, loc, scale: h.fma(fnp.arctan(_z(x, loc, scale)),
                                                      1.0 / math.pi, 0.5),
    ("cauchy", "ppf"): lambda h, q, loc, scale: h.fma(
        scale, fnp.tan(h.fma(math.pi, q, -math.pi / 2)), loc),
    ("lognorm", "pdf"): lambda h, x, s, loc, scale: _lognorm_pdf(h, x - loc, s, scale),
    ("lognorm", "cdf"): lambda h, x, s, loc, scale: 0.5 * _erfc_scaled(
        fnp.log(fnp.maximum(_z(x, loc, scale), 0.0)) / s),
    ("lognorm", "ppf"): lambda h, q, s, loc, scale: h.fma(
        scale, fnp.exp(sc.erfcinv(2.0 * q) * -SQ2 * s), loc),
    ("truncnorm", "pdf"): lambda h, x, a, b, loc, scale: _truncnorm_pdf(
        h, _z(x, loc, scale), a, b, scale),
    ("truncnorm", "cdf"): lambda h, x, a, b, loc, scale: _truncnorm_cdf(_z(x, loc, scale), a, b),
    ("truncnorm", "ppf"): lambda h, q, a, b, loc, scale: _truncnorm_ppf(h, q, a, b, loc, scale),
}


def _norm_pdf(z, scale):
    return fnp.exp(z * z * -0.5) / (scale * SQ2PI)


def _uniform_pdf(h, d, scale):
    return h.where((d >= 0.0) & (d <= scale), 1.0 / scale, 0.0)


def _laplace_cdf(h, z):
    t = fnp.exp(-fnp.abs(z)) * 0.5
    return h.where(z < 0.0, t, 1.0 - t)


def _laplace_ppf(h, u, loc, scale):
    return h.fnma(scale, fnp.sign(u) * fnp.log(h.fma(-2.0, fnp.abs(u), 1.0)), loc)


def _logistic_pdf(e, scale):
    p = 1.0 + e
    return e / (scale * (p * p))


def _cauchy_pdf(h, d, scale):
    return scale / (h.fma(d, d, scale * scale) * math.pi)


def _lognorm_pdf(h, d, s, scale):
    w = fnp.log(d / scale) / s
    return h.where(d > 0.0, fnp.exp(w * w * -0.5) / (s * d * SQ2PI), 0.0)


def _z_prime(a, b):                       # erfc(−b/√2) − erfc(−a/√2) = 2(Φ(b) − Φ(a))
    return _erfc_scaled(b) - _erfc_scaled(a)


def _truncnorm_pdf(h, z, a, b, scale):
    inside = (z >= a) & (z <= b)
    return h.where(inside, fnp.exp(z * z * -0.5) / (scale * _z_prime(a, b) * SQPI2), 0.0)


def _truncnorm_cdf(z, a, b):
    ea = _erfc_scaled(a)
    clipped = fnp.minimum(fnp.maximum(z, a), b)
    return (_erfc_scaled(clipped) - ea) / (_erfc_scaled(b) - ea)


def _truncnorm_ppf(h, q, a, b, loc, scale):
    ea = _erfc_scaled(a)
    return h.fma(scale, sc.erfcinv(h.fma(q, _erfc_scaled(b) - ea, ea)) * -SQ2, loc)


@pytest.mark.parametrize("dist, method", CASES, ids=IDS)
def test_documented_formula_has_scipys_values_and_the_declared_count(dist, method):
    args = scipy_args(dist, method)
    hand = Hand()
    with np.errstate(all="ignore"):
        value, used, _ = charged(lambda: FORMULAS[(dist, method)](
            hand, *(fnp.asarray(a) for a in args)))
        expected = getattr(getattr(scipy.stats, dist), method)(*args)
    np.testing.assert_allclose(np.asarray(value), expected, rtol=1e-10, atol=1e-12)
    assert used + hand.correction(N) == OPS_PER_ELEMENT[(dist, method)] * N


def test_the_formulas_are_exercised_outside_the_support_too():
    x = np.array([-5.0, -0.1, 0.0, 0.3, 1.0, 1.2, 7.0])
    params = {"loc": np.zeros(7), "scale": np.ones(7)}
    checks = [("expon", "pdf", ()), ("expon", "cdf", ()), ("uniform", "pdf", ()),
              ("uniform", "cdf", ()), ("lognorm", "pdf", (np.full(7, 0.8),)),
              ("lognorm", "cdf", (np.full(7, 0.8),)),
              ("truncnorm", "pdf", (np.full(7, -0.05), np.full(7, 1.1))),
              ("truncnorm", "cdf", (np.full(7, -0.05), np.full(7, 1.1)))]
    for dist, method, shape_params in checks:
        with np.errstate(all="ignore"):
            value = FORMULAS[(dist, method)](Hand(), fnp.asarray(x), *shape_params,
                                             params["loc"], params["scale"])
        expected = getattr(getattr(scipy.stats, dist), method)(x, *shape_params, **params)
        np.testing.assert_allclose(np.asarray(value), expected, atol=1e-12,
                                   err_msg=f"{dist}.{method}")


# -- errors, budgets, plans, classification --------------------------------------------------


ERRORS = [
    ("lognorm", "pdf", (1.0,), {}),                        # missing s
    ("truncnorm", "cdf", (0.5, -1.0), {}),                 # missing b
    ("norm", "pdf", (1.0,), {"bogus": 2}),
    ("norm", "pdf", (1.0, 0.0), {"loc": 0.0}),             # loc twice
    ("norm", "pdf", ([1.0, 2.0], [1.0, 2.0, 3.0]), {}),    # shapes do not broadcast
    ("norm", "cdf", (1.0, 0.0, 1.0, 5.0), {}),             # too many arguments
]


@pytest.mark.parametrize("dist, method, args, kwargs", ERRORS)
def test_errors_match_scipy_and_charge_nothing(dist, method, args, kwargs):
    with pytest.raises(Exception) as scipy_error:
        getattr(getattr(scipy.stats, dist), method)(*args, **kwargs)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with pytest.raises(type(scipy_error.value)):
            getattr(getattr(flops.stats, dist), method)(*args, **kwargs)
    assert ctx.flops_used == 0


def test_invalid_parameters_give_scipys_nan():
    expected = scipy.stats.norm.pdf([0.0, 1.0], scale=-1.0)
    result, used, _ = charged(lambda: flops.stats.norm.pdf(fnp.asarray([0.0, 1.0]), scale=-1.0))
    np.testing.assert_array_equal(np.asarray(result), expected)
    assert used == 14


def test_budget_is_checked_before_scipy_runs():
    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            flops.stats.truncnorm.pdf(np.zeros(10), -1.0, 1.0)   # 170 > 100
    assert ctx.flops_used == 0


@pytest.mark.parametrize("dist, method", CASES, ids=IDS)
def test_plan_matches_eager(dist, method):
    args = scipy_args(dist, method)
    fn = getattr(getattr(flops.stats, dist), method)
    eager, used, _ = charged(lambda: fn(*args))
    spec = lookup(f"stats.{dist}.{method}").shape(*args)
    assert (spec.shape, spec.dtype) == (eager.shape, eager.dtype)
    plan = flops.plan(fn, SHAPE, *args[1:])          # x abstract, parameters real arrays
    assert plan.analytical_flops == used
    assert (plan.outputs.shape, plan.outputs.dtype) == (eager.shape, eager.dtype)


def test_classification_and_helpful_errors():
    assert sorted(flops.stats.__all__) == sorted(DISTRIBUTIONS)
    assert len(OPS_PER_ELEMENT) == 24
    for dist, method in CASES:
        op = lookup(f"stats.{dist}.{method}")
        assert op.category is Category.CUSTOM and op.module == "flopscope.stats"
        # The implementation is SciPy's own, looked up on first call (scipy.stats loads slowly).
        args = scipy_args(dist, method)
        np.testing.assert_array_equal(
            op.impl(*args), getattr(getattr(scipy.stats, dist), method)(*args)
        )
    with pytest.raises(AttributeError, match="logpdf"):
        flops.stats.norm.logpdf  # noqa: B018
    with pytest.raises(AttributeError, match="gamma"):
        flops.stats.gamma  # noqa: B018
    assert "lognorm(s, loc, scale)" in repr(flops.stats.lognorm)
    assert not hasattr(flops.accounting, "stats_call_cost")


def test_importing_flopscope_does_not_load_scipy_stats():
    code = "import sys, flopscope, flopscope.numpy; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
