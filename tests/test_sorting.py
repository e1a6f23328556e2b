"""Sorting and selection: ``sort``, ``argsort``, ``lexsort``, ``sort_complex``, ``partition``,
``argpartition``, the in-place methods, ``median``, ``percentile``, ``quantile`` and ``nan*``.

Behaviour beyond the one-call-per-name table of ``test_counted_functions.py``:
axes, ``keepdims``, ``out=``, 0-d inputs, NumPy's exceptions, method forms,
plans, and properties of the formulas (hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import selection, sorting
from flopscope.cost._shapes import ceil_log2


def charged(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used


def same(actual, expected):
    assert type(actual) is (fnp.ndarray if type(expected) is np.ndarray else type(expected))
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(actual), expected)


X = np.random.default_rng(7).standard_normal((5, 8))
FX = fnp.asarray(X)


# -- sort family ------------------------------------------------------------------------------


@pytest.mark.parametrize("axis, cost", [(0, 8 * 5 * 3), (1, 5 * 8 * 3), (-1, 5 * 8 * 3),
                                        (None, 40 * 6)])
def test_sort_and_argsort_cost_per_slice(axis, cost):
    for name in ("sort", "argsort"):
        result, used = charged(getattr(fnp, name), FX, axis=axis)
        assert used == cost
        same(result, getattr(np, name)(X, axis=axis))


def test_zero_d_sort_raises_like_numpy_and_argsort_gives_one_index():
    with pytest.raises(np.exceptions.AxisError):
        fnp.sort(fnp.asarray(3.0))
    result, used = charged(fnp.argsort, fnp.asarray(3.0))
    same(result, np.argsort(np.array(3.0)))
    assert used == 0
    assert flops.plan(fnp.argsort, ()).outputs.shape == (1,)


def test_sort_method_sorts_in_place_and_costs_the_same():
    y = fnp.asarray(X.copy())
    result, used = charged(y.sort, axis=0)
    assert result is None and used == 8 * 5 * 3
    np.testing.assert_array_equal(np.asarray(y), np.sort(X, axis=0))


def test_lexsort_keys_as_a_2d_array_and_its_errors():
    keys = np.array([[1, 0, 1, 0], [3, 3, 1, 1]])
    result, used = charged(fnp.lexsort, fnp.asarray(keys))
    same(result, np.lexsort(keys))
    assert used == 2 * 4 * 2  # two keys of 4: ⌈log2 4⌉ = 2
    with pytest.raises(ValueError):
        fnp.lexsort((fnp.asarray([1, 2]), fnp.asarray([1, 2, 3])))
    with pytest.raises(TypeError):
        fnp.lexsort([])


def test_sort_complex_promotes_like_numpy():
    for dtype in (np.int16, np.float32, np.float64):
        a = np.array([3, 1, 2], dtype=dtype)
        same(fnp.sort_complex(fnp.asarray(a)), np.sort_complex(a))


# -- partition ------------------------------------------------------------------------------------


def test_partition_places_kth_like_numpy_along_each_axis():
    for axis in (0, 1, None):
        result, used = charged(fnp.partition, FX, 2, axis=axis)
        n, slices = (40, 1) if axis is None else (X.shape[axis], X.size // X.shape[axis])
        assert used == slices * min(3 * n, n * ceil_log2(n))
        expected = np.partition(X, 2, axis=axis)
        same(result, expected)


def test_partition_errors_are_numpys():
    with pytest.raises(ValueError):
        fnp.partition(FX, 8)  # kth out of bounds
    with pytest.raises(np.exceptions.AxisError):
        fnp.partition(FX, 1, axis=2)
    with pytest.raises(ValueError):
        flops.plan(lambda a: fnp.partition(a, 9), (5, 8))


def test_partition_and_argpartition_methods():
    y = fnp.asarray(X.copy())
    result, used = charged(y.partition, [1, 3])
    assert result is None and used == 5 * min(4 * 8, 8 * 3)
    np.testing.assert_array_equal(np.asarray(y)[:, [1, 3]], np.partition(X, [1, 3])[:, [1, 3]])
    result, used = charged(FX.argpartition, 4, axis=0)
    same(result, np.argpartition(X, 4, axis=0))
    assert used == 8 * min(3 * 5, 5 * 3)


def test_zero_d_argpartition_gives_one_index():
    same(fnp.argpartition(fnp.asarray(2.0), 0), np.argpartition(np.array(2.0), 0))


# -- median / quantile ----------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": (0, 1)},
                                    {"axis": 1, "keepdims": True},
                                    {"axis": -1, "overwrite_input": True}])
def test_median_matches_numpy_across_axes(kwargs):
    same(fnp.median(fnp.asarray(X.copy()), **kwargs), np.median(X.copy(), **kwargs))


def test_median_over_an_axis_tuple_is_one_slice_per_kept_position():
    _, used = charged(fnp.median, FX, axis=(0, 1))  # one slice of 40
    assert used == min(5 * 40, 40 * 6) + 2 + 2


def test_median_writes_into_out():
    out = fnp.zeros(8)
    result, used = charged(fnp.median, FX, axis=0, out=out)
    assert result is out
    np.testing.assert_allclose(np.asarray(out), np.median(X, axis=0))
    assert used == 8 * (min(4 * 5, 5 * 3) + 1 + 2)  # n = 5 odd: one middle rank + sentinel


def test_median_of_an_empty_array_is_nan_and_free():
    with pytest.warns(RuntimeWarning):
        result, used = charged(fnp.median, fnp.asarray(np.array([])))
    assert np.isnan(result) and used == 0


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint",
                                    "median_unbiased", "inverted_cdf"])
def test_quantile_methods_match_numpy(method):
    q = [0.1, 0.5, 0.95]
    same(fnp.quantile(FX, q, axis=1, method=method), np.quantile(X, q, axis=1, method=method))


def test_weighted_quantile_cost_and_value():
    w = np.arange(1.0, 9.0)
    result, used = charged(fnp.quantile, fnp.asarray(X[0]), 0.5, weights=fnp.asarray(w),
                           method="inverted_cdf")
    same(result, np.quantile(X[0], 0.5, weights=w, method="inverted_cdf"))
    # argsort 8·3, three passes 3·8, one search ⌈log2 9⌉ + clip 1, 4 tests; NaN check 2;
    # the q range check 2; negative-weight test and its any 2·8
    assert used == (24 + 24 + (4 + 1) + 4) + 2 + 2 + 16


@pytest.mark.parametrize("call, error", [
    (lambda: fnp.quantile(FX, 1.5), ValueError),
    (lambda: fnp.percentile(FX, -1), ValueError),
    (lambda: fnp.quantile(FX, 0.5, method="bogus"), ValueError),
    (lambda: fnp.quantile(FX, 0.5, weights=FX, method="linear"), ValueError),
    (lambda: fnp.quantile(fnp.asarray([1j, 2j]), 0.5), TypeError),
    (lambda: fnp.median(FX, axis=3), np.exceptions.AxisError),
    (lambda: fnp.quantile(FX, [[[0.5]]]), ValueError),
])
def test_selection_errors_are_numpys(call, error):
    with pytest.raises(error):
        call()


def test_nan_functions_ignore_nans_like_numpy():
    data = X.copy()
    data[1, 2] = data[3, 5] = np.nan
    f = fnp.asarray(data)
    for axis in (None, 0, 1):
        same(fnp.nanmedian(f, axis=axis), np.nanmedian(data, axis=axis))
        same(fnp.nanquantile(f, [0.2, 0.7], axis=axis), np.nanquantile(data, [0.2, 0.7], axis=axis))
        same(fnp.nanpercentile(f, 30, axis=axis), np.nanpercentile(data, 30, axis=axis))
    same(fnp.nanmedian(f, axis=0, keepdims=True), np.nanmedian(data, axis=0, keepdims=True))


def test_nanmedian_long_slices_take_numpys_removal_branch():
    data = np.random.default_rng(1).standard_normal((2, 700))
    result, used = charged(fnp.nanmedian, fnp.asarray(data), axis=1)
    same(result, np.nanmedian(data, axis=1))
    assert used == 2 * (3 * 700 + min(5 * 700, 700 * 10) + 2 + 2)


def test_nan_functions_of_empty_arrays_are_free():
    with pytest.warns(RuntimeWarning):
        _, used = charged(fnp.nanmedian, fnp.asarray(np.empty((0, 3))), axis=0)
    assert used == 0


def test_plans_of_selection_match_eager_costs():
    for fn in (lambda a: fnp.median(a, axis=0), lambda a: fnp.nanpercentile(a, [5, 50]),
               lambda a: fnp.quantile(a, 0.25, axis=1, keepdims=True),
               lambda a: fnp.partition(a, (1, 2), axis=None)):
        _, eager = charged(fn, FX)
        p = flops.plan(fn, X)
        assert p.flops == eager
        assert p.outputs.shape == np.shape(fn(X))


# -- formula properties ----------------------------------------------------------------------------


@given(st.integers(0, 5000), st.integers(1, 64))
def test_selection_never_costs_more_than_sorting_and_grows_with_n(n, ranks):
    cost = selection.selection_cost(n, ranks)
    assert cost <= sorting.sort_cost(n)
    assert selection.selection_cost(n + 1, ranks) >= cost
    assert selection.selection_cost(n, ranks + 1) >= cost


@given(st.integers(1, 3000), st.integers(1, 6))
def test_median_and_quantile_costs_are_monotone_in_the_slice_count(n, slices):
    assert selection.median_cost(n, slices + 1) > selection.median_cost(n, slices)
    assert selection.quantile_cost(n, 3, slices + 1) > selection.quantile_cost(n, 3, slices)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                  elements=st.floats(-1e6, 1e6)),
       st.floats(0, 1))
def test_quantiles_equal_numpys_on_generated_arrays(data, q):
    for axis in (None, -1):
        same(fnp.quantile(fnp.asarray(data), q, axis=axis), np.quantile(data, q, axis=axis))
    same(fnp.median(fnp.asarray(data)), np.median(data))
    same(fnp.sort(fnp.asarray(data), axis=None), np.sort(data, axis=None))


def test_cost_queries_are_exported():
    assert flops.accounting.median_cost(1001) == 4 * 1001 + 1 + 2
    assert flops.accounting.partition_cost(1000, kth=2, slices=3) == 3 * 4000
    assert flops.accounting.lexsort_cost(8, keys=3) == 3 * 8 * 3


def test_knuths_quickselect_average_solves_the_recurrence_and_averages_3n():
    """The constant behind selection_cost: FIND's exact average, by its recurrence."""
    n_max = 80
    average = [[0.0] * (n_max + 1) for _ in range(n_max + 1)]
    for n in range(2, n_max + 1):
        for k in range(1, n + 1):
            below = sum(average[p - 1][k] for p in range(k + 1, n + 1))
            above = sum(average[n - p][k - p] for p in range(1, k))
            average[n][k] = n - 1 + (below + above) / n

    def harmonic(m):
        return sum(1 / i for i in range(1, m + 1))

    n = n_max
    for k in range(1, n + 1):
        closed = (2 * n + 2 * (n + 1) * harmonic(n) - 2 * (k + 2) * harmonic(k)
                  - 2 * (n - k + 3) * harmonic(n - k + 1) + 6)
        assert average[n][k] == pytest.approx(closed)
    rank_average = sum(average[n][1:]) / n
    assert 2.5 * n < rank_average < 3 * n  # approaches 3n from below (3n − O(log n))


def test_array_methods_cost_the_same_eagerly_and_in_plans():
    def methods(a):
        a.partition(1)
        a.sort(axis=0)
        return (a.argpartition(2), a.clip(0, 1), a.round(2), a.trace(), a.nonzero(),
                a[0].searchsorted(a[1]), (a > 0.5).astype(int).choose([a[0], a[1]]))

    _, eager = charged(methods, fnp.asarray(np.random.default_rng(0).random((3, 4))))
    # partition 3·min(12, 8), sort 4·3·2, argpartition 3·8, clip 12, round 3·12, trace 3,
    # nonzero 12, searchsorted 4·⌈log2 5⌉, comparison 12, choose 12
    assert eager == 24 + 24 + 24 + 12 + 36 + 3 + 12 + 12 + 12 + 12
    assert flops.plan(methods, (3, 4)).flops == eager
