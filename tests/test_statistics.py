"""Descriptive statistics: ``average``, ``ptp``, ``cov``, ``corrcoef``, ``bincount``, histograms.

Beyond the table of ``test_counted_functions.py``: parameters, ``out=``,
``keepdims``, 0-d inputs, NumPy's exceptions, the data-dependent result sizes
of ``bincount`` and estimated histogram bins in plans, and properties
(hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import statistics
from flopscope.cost.sorting import sort_cost
from flopscope.errors import ConcretizationError


def charged(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used


def same(actual, expected):
    if isinstance(expected, (tuple, list)):
        assert type(actual) is type(expected) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            same(a, e)
        return
    assert type(actual) is (fnp.ndarray if type(expected) is np.ndarray else type(expected))
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-12, atol=0)


rng = np.random.default_rng(5)
X = rng.standard_normal((3, 7))
FX = fnp.asarray(X)


# -- averages and spreads ------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": (0, 1)},
                                    {"axis": 1, "keepdims": True},
                                    {"axis": 1, "returned": True}])
def test_average_unweighted_is_a_mean(kwargs):
    result, used = charged(fnp.average, FX, **kwargs)
    same(result, np.average(X, **kwargs))
    assert used == 21


def test_average_with_full_shape_weights():
    w = rng.random((3, 7))
    result, used = charged(fnp.average, FX, axis=0, weights=fnp.asarray(w), returned=True)
    same(result, np.average(X, axis=0, weights=w, returned=True))
    assert used == 21 + 21 + 2 * 7 + 7  # Σ a·w, Σ w, zero test and any per sum, division


@pytest.mark.parametrize("call, error", [
    (lambda: fnp.average(FX, weights=fnp.ones(7)), TypeError),
    (lambda: fnp.average(FX, axis=0, weights=fnp.ones(7)), ValueError),
    (lambda: fnp.average(FX, axis=1, weights=fnp.zeros(7)), ZeroDivisionError),
])
def test_average_errors_are_numpys(call, error):
    with pytest.raises(error):
        call()


def test_ptp_with_out_and_keepdims():
    out = fnp.zeros((3, 1))
    result, used = charged(fnp.ptp, FX, axis=1, out=out, keepdims=True)
    assert result is out
    np.testing.assert_array_equal(np.asarray(out), np.ptp(X, axis=1, keepdims=True))
    assert used == 2 * 21 + 3
    same(fnp.ptp(fnp.asarray(4.0)), np.ptp(np.array(4.0)))


# -- covariance ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, p, n", [({}, 3, 7), ({"rowvar": False}, 7, 3),
                                          ({"bias": True}, 3, 7), ({"ddof": 2}, 3, 7)])
def test_cov_variants(kwargs, p, n):
    result, used = charged(fnp.cov, FX, **kwargs)
    same(result, np.cov(X, **kwargs))
    assert used == p * p * n + 2 * p * n + p * p


def test_cov_with_second_variable_set_and_vectors():
    y = rng.standard_normal(7)
    result, used = charged(fnp.cov, FX, fnp.asarray(y))
    same(result, np.cov(X, y))
    assert used == 16 * 7 + 2 * 4 * 7 + 16  # p = 3 + 1
    result, used = charged(fnp.cov, fnp.asarray(y))
    same(result, np.cov(y))  # one variable: 0-d
    assert used == 7 + 2 * 7 + 1


def test_cov_with_frequency_and_analytic_weights():
    f, a = np.array([1, 2, 1, 3, 1, 1, 2]), rng.random(7)
    result, used = charged(fnp.cov, FX, fweights=fnp.asarray(f), aweights=fnp.asarray(a))
    same(result, np.cov(X, fweights=f, aweights=a))
    base = 9 * 7 + 2 * 3 * 7 + 9
    # checks 5·7 + 2·7, product 7, weighted mean 7 + 2 + 3, X·w 21, ddof correction 2·7
    assert used == base + 35 + 14 + 7 + 12 + 21 + 14


@pytest.mark.parametrize("call, error", [
    (lambda: fnp.cov(fnp.ones((2, 2, 2))), ValueError),
    (lambda: fnp.cov(FX, fweights=fnp.asarray([1.5] * 7)), TypeError),
    (lambda: fnp.cov(FX, aweights=fnp.ones(6)), RuntimeError),
    (lambda: fnp.cov(FX, ddof=1.5), ValueError),
    (lambda: fnp.cov(FX, fnp.ones((2, 6))), ValueError),
])
def test_cov_errors_are_numpys(call, error):
    with pytest.raises(error):
        call()


def test_cov_of_no_variables_is_free():
    result, used = charged(fnp.cov, fnp.asarray(np.ones((0, 4))))
    same(result, np.cov(np.ones((0, 4))))
    assert used == 0


def test_corrcoef_variants():
    y = rng.standard_normal((2, 7))
    result, used = charged(fnp.corrcoef, FX, fnp.asarray(y))
    same(result, np.corrcoef(X, y))
    assert used == (25 * 7 + 2 * 5 * 7 + 25) + 5 + 3 * 25
    with pytest.warns(RuntimeWarning):
        result, used = charged(fnp.corrcoef, fnp.asarray(np.ones(4)))
    assert np.isnan(result) and used == (4 + 8 + 1) + 1


# -- bincount --------------------------------------------------------------------------------------


def test_bincount_weights_and_minlength():
    x = np.array([0, 3, 3, 1])
    w = np.array([0.5, 1.0, 2.0, 4.0])
    result, used = charged(fnp.bincount, fnp.asarray(x), fnp.asarray(w), minlength=7)
    same(result, np.bincount(x, w, minlength=7))
    assert used == 8


@pytest.mark.parametrize("x, error", [(np.array([1, -1]), ValueError),
                                      (np.array(3), ValueError), (np.array([1.5]), TypeError),
                                      (np.ones((2, 2), int), ValueError)])
def test_bincount_errors_are_numpys(x, error):
    with pytest.raises(error):
        fnp.bincount(fnp.asarray(x))


def test_bincount_plans_bound_small_integers_and_refuse_wide_ones():
    p = flops.plan(fnp.bincount, flops.spec(10, np.uint8))
    assert p.outputs.bound and p.outputs.shape == (256,)
    assert p.flops == 20
    assert flops.plan(fnp.bincount, flops.spec(10, np.bool_)).outputs.shape == (2,)
    with pytest.raises(ConcretizationError, match="bincount"):
        flops.plan(fnp.bincount, flops.spec(10, np.int64))


# -- histograms ------------------------------------------------------------------------------------


V = rng.standard_normal(50)


@pytest.mark.parametrize("estimator", sorted(statistics.BIN_ESTIMATORS))
def test_histogram_estimators_match_numpy(estimator):
    result, used = charged(fnp.histogram, fnp.asarray(V), bins=estimator)
    same(result, np.histogram(V, bins=estimator))
    assert used == statistics.histogram_cost(50, estimator=estimator)
    same(fnp.histogram_bin_edges(fnp.asarray(V), bins=estimator, range=(-1, 1)),
         np.histogram_bin_edges(V, bins=estimator, range=(-1, 1)))


def test_histogram_with_estimated_bins_cannot_be_planned():
    with pytest.raises(ConcretizationError, match="number of bins"):
        flops.plan(lambda a: fnp.histogram(a, bins="auto"), V)


def test_histogram_weights_density_and_range():
    w = rng.random(50)
    for kwargs in ({"weights": w}, {"weights": w, "density": True},
                   {"bins": np.array([-3.0, -1.0, 0.0, 0.5, 3.0]), "weights": w},
                   {"bins": 4, "range": (-1, 1)}):
        f_kwargs = {k: fnp.asarray(v) if isinstance(v, np.ndarray) else v
                    for k, v in kwargs.items()}
        same(fnp.histogram(fnp.asarray(V), **f_kwargs), np.histogram(V, **kwargs))
    # explicit edges, weighted: check 2·4; counting: differences 4, argsort 50·6,
    # five searches of ⌈log2 51⌉ = 6, accumulation 5, cumulative weights 50
    _, used = charged(fnp.histogram, fnp.asarray(V), bins=[-3.0, -1.0, 0.0, 0.5, 3.0],
                      weights=fnp.asarray(w))
    assert used == 8 + 4 + 300 + 30 + 5 + 50


def test_histogram_counts_blocks_of_65536_values():
    n = 65536 + 100
    expected = 8 + 4 + (sort_cost(65536) + 5 * 17 + 5) + (sort_cost(100) + 5 * 7 + 5)
    assert statistics.histogram_cost(n, 4, explicit_edges=True) == expected
    assert statistics.histogram_cost(n, 10) == (2 * n + 25 + 20) + 18 * n + 10 * 2


@pytest.mark.parametrize("call, error", [
    (lambda: fnp.histogram(fnp.asarray(V), bins=0), ValueError),
    (lambda: fnp.histogram(fnp.asarray(V), bins="nope"), ValueError),
    (lambda: fnp.histogram(fnp.asarray(V), bins=[1.0, 0.0]), ValueError),
    (lambda: fnp.histogram(fnp.asarray(V), weights=fnp.ones(3)), ValueError),
    (lambda: fnp.histogram(fnp.asarray(V), bins="auto", weights=fnp.ones(50)), TypeError),
    (lambda: fnp.histogram(fnp.asarray(V), bins=2.5), TypeError),
])
def test_histogram_errors_are_numpys(call, error):
    with pytest.raises(error):
        call()


def test_histogram2d_bin_forms():
    x, y = rng.standard_normal(30), rng.standard_normal(30)
    for bins in (4, [3, 5], np.array([-2.0, 0.0, 2.0]), [np.array([-1.0, 1.0]), 3]):
        f_bins = fnp.asarray(bins) if isinstance(bins, np.ndarray) else bins
        result = fnp.histogram2d(fnp.asarray(x), fnp.asarray(y), bins=f_bins)
        same(result, np.histogram2d(x, y, bins=bins))
        p = flops.plan(lambda a, b: fnp.histogram2d(a, b, bins=bins), x, y)
        assert [o.shape for o in p.outputs] == [r.shape for r in np.histogram2d(x, y, bins=bins)]
    with pytest.raises(ValueError):
        fnp.histogram2d(fnp.asarray(x), fnp.asarray(y[:5]))


def test_histogramdd_sample_forms_density_and_ranges():
    s = rng.standard_normal((40, 2))
    result, used = charged(fnp.histogramdd, fnp.asarray(s), bins=(3, 4), density=True,
                           range=[(-2, 2), None])
    same(result, np.histogramdd(s, bins=(3, 4), density=True, range=[(-2, 2), None]))
    # flat index 2·40 + bincount 80; dim 1: linspace(4) 11 + 3 + 40·3 + 80;
    # dim 2: range 80 + linspace(5) 13 + 4 + 40·3 + 80; density (2 + 2)·12
    assert used == 80 + 80 + (11 + 3 + 120 + 80) + (80 + 13 + 4 + 120 + 80) + 4 * 12
    same(fnp.histogramdd([fnp.asarray(s[:, 0]), fnp.asarray(s[:, 1])], bins=3),
         np.histogramdd([s[:, 0], s[:, 1]], bins=3))
    with pytest.raises(ValueError):
        fnp.histogramdd(fnp.asarray(s), bins=(3, 4, 5))


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 60), elements=st.floats(-100, 100)),
       st.integers(1, 12))
def test_histograms_equal_numpys_on_generated_arrays(data, bins):
    try:
        expected = np.histogram(data, bins=bins)
    except Exception as exc:  # e.g. [5e-324, 0]: NumPy cannot split that range; nor may we
        with pytest.raises(type(exc)):
            fnp.histogram(fnp.asarray(data), bins=bins)
    else:
        same(fnp.histogram(fnp.asarray(data), bins=bins), expected)
    same(fnp.average(fnp.asarray(data), weights=fnp.asarray(data * 0 + 1.0)),
         np.average(data, weights=data * 0 + 1.0))


@given(st.integers(0, 3000), st.integers(1, 200))
def test_statistics_costs_are_monotone(n, bins):
    assert statistics.histogram_cost(n + 1, bins) > statistics.histogram_cost(n, bins)
    assert statistics.histogram_cost(n, bins + 1) > statistics.histogram_cost(n, bins)
    assert statistics.cov_cost(3, n + 1) > statistics.cov_cost(3, n)
    assert statistics.bincount_cost(n + 1) > statistics.bincount_cost(n)
