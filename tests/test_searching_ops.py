"""Searching and selecting: ``searchsorted``, ``digitize``, ``nonzero`` and its relatives,
``count_nonzero``, ``where``, ``choose``, ``select``, ``trim_zeros``.

Beyond the table of ``test_counted_functions.py``: parameters, broadcasting,
``out=``, 0-d inputs, NumPy's exceptions, methods, plans with data-dependent
sizes, and properties (hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import searching


def charged(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used


def same(actual, expected):
    if isinstance(expected, tuple):
        assert type(actual) is tuple and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            same(a, e)
        return
    assert type(actual) is (fnp.ndarray if type(expected) is np.ndarray else type(expected))
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(actual), expected)


rng = np.random.default_rng(3)
TABLE = np.sort(rng.standard_normal(31))
Q = rng.standard_normal((3, 4))
M = (rng.random((4, 5)) > 0.6) * rng.integers(1, 9, (4, 5))


# -- binary search ------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_sides_and_sorter(side):
    perm = rng.permutation(31)
    shuffled = TABLE[perm]
    sorter = np.argsort(shuffled)
    result, used = charged(fnp.searchsorted, fnp.asarray(shuffled), fnp.asarray(Q), side=side,
                           sorter=fnp.asarray(sorter))
    same(result, np.searchsorted(shuffled, Q, side=side, sorter=sorter))
    assert used == 12 * 5  # ⌈log2 32⌉ = 5 per query


def test_searchsorted_method_and_scalar_query():
    result, used = charged(fnp.asarray(TABLE).searchsorted, 0.1)
    same(result, np.searchsorted(TABLE, 0.1))
    assert used == 5


def test_a_one_element_table_still_costs_a_comparison():
    assert searching.searchsorted_cost(1, 10) == 10
    assert searching.searchsorted_cost(0, 10) == 0


def test_searchsorted_rejects_what_numpy_rejects():
    with pytest.raises(ValueError):
        fnp.searchsorted(fnp.asarray(Q), 0.0)
    with pytest.raises(ValueError):
        fnp.searchsorted(fnp.asarray(TABLE), 0.0, side="middle")


@pytest.mark.parametrize("bins", [np.array([-1.0, 0.0, 2.0]), np.array([2.0, 0.0, -1.0])])
@pytest.mark.parametrize("right", [False, True])
def test_digitize_increasing_and_decreasing_bins(bins, right):
    result, used = charged(fnp.digitize, fnp.asarray(Q), fnp.asarray(bins), right=right)
    same(result, np.digitize(Q, bins, right=right))
    assert used == 2 + 12 * (2 + 1)  # monotonicity check 2, ⌈log2 4⌉ = 2 per query, + 1


def test_digitize_errors():
    with pytest.raises(TypeError):
        fnp.digitize(fnp.asarray([1j]), fnp.asarray([0.0, 1.0]))
    with pytest.raises(ValueError):
        fnp.digitize(fnp.asarray([1.0]), fnp.asarray([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError):
        fnp.digitize(fnp.asarray([1.0]), 2.0)


# -- tests per element -----------------------------------------------------------------------------


def test_nonzero_family_and_methods():
    fm = fnp.asarray(M)
    for fn, np_fn in ((fnp.nonzero, np.nonzero), (fnp.argwhere, np.argwhere),
                      (fnp.flatnonzero, np.flatnonzero), (fm.__class__.nonzero, np.nonzero)):
        result, used = charged(fn, fm)
        same(result, np_fn(M))
        assert used == 20


def test_nonzero_of_zero_d_raises_and_argwhere_accepts_it():
    with pytest.raises(ValueError):
        fnp.nonzero(fnp.asarray(3))
    same(fnp.argwhere(fnp.asarray(3)), np.argwhere(np.array(3)))
    same(fnp.argwhere(fnp.asarray(0)), np.argwhere(np.array(0)))


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": (0, 1)},
                                    {"axis": 1, "keepdims": True},
                                    {"keepdims": True}])
def test_count_nonzero_axes(kwargs):
    result, used = charged(fnp.count_nonzero, fnp.asarray(M), **kwargs)
    same(result, np.count_nonzero(M, **kwargs))
    assert used == 20
    assert flops.plan(lambda a: fnp.count_nonzero(a, **kwargs), M).outputs.shape == np.shape(
        np.count_nonzero(M, **kwargs))


def test_plans_of_data_sized_results_are_bounds():
    p = flops.plan(lambda a: (fnp.nonzero(a), fnp.argwhere(a), fnp.flatnonzero(a),
                              fnp.trim_zeros(a[0])), M)
    nz, aw, flat, trimmed = p.outputs
    assert all(o.bound and o.shape == (20,) for o in nz)
    assert aw.bound and aw.shape == (20, 2)
    assert flat.bound and flat.shape == (20,)
    assert trimmed.bound and trimmed.shape == (5,)
    assert p.bound
    assert p.flops == 20 + 20 + 20 + 5 * 3


# -- selections ------------------------------------------------------------------------------------


def test_where_broadcasts_and_counts_the_output():
    cond = Q > 0
    result, used = charged(fnp.where, fnp.asarray(cond), fnp.asarray(Q[0]), fnp.asarray(Q[:, :1]))
    same(result, np.where(cond, Q[0], Q[:, :1]))
    assert used == 12
    with pytest.raises(ValueError):
        fnp.where(fnp.asarray(cond), fnp.asarray(Q[:2]), 0.0)
    with pytest.raises(ValueError):
        fnp.where(fnp.asarray(cond), fnp.asarray(Q))


def test_where_with_python_scalars_keeps_numpys_dtype():
    same(fnp.where(fnp.asarray(Q > 0), 1, 2.5), np.where(Q > 0, 1, 2.5))
    x8 = np.array([1, 2], np.int8)
    same(fnp.where(fnp.asarray([True, False]), fnp.asarray(x8), 3),
         np.where([True, False], x8, 3))


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_choose_modes_out_and_method(mode):
    idx = np.array([[0, 1, 2, 3], [1, 0, 2, 5], [2, 2, 0, 1]]) if mode != "raise" else \
        np.array([[0, 1, 2, 2], [1, 0, 2, 0], [2, 2, 0, 1]])
    choices = [Q, 2 * Q, np.full(4, 7.0)]
    out = fnp.zeros((3, 4))
    result, used = charged(fnp.choose, fnp.asarray(idx), [fnp.asarray(c) for c in choices],
                           out=out, mode=mode)
    assert result is out
    np.testing.assert_array_equal(np.asarray(out), np.choose(idx, choices, mode=mode))
    assert used == 12
    result, used = charged(fnp.asarray(idx).choose, [fnp.asarray(c) for c in choices], mode=mode)
    same(result, np.choose(idx, choices, mode=mode))
    assert used == 12


def test_choose_out_of_range_raises():
    with pytest.raises(ValueError):
        fnp.choose(fnp.asarray([0, 3]), [fnp.asarray([1, 2]), fnp.asarray([3, 4])])


def test_select_defaults_dtypes_and_errors():
    conds = [Q > 1, Q < -1]
    result, used = charged(fnp.select, [fnp.asarray(c) for c in conds], [1, fnp.asarray(Q)],
                           default=np.int8(0))
    same(result, np.select(conds, [1, Q], default=np.int8(0)))
    assert used == 2 * 12
    with pytest.raises(ValueError):
        fnp.select([fnp.asarray(Q > 0)], [])
    with pytest.raises(ValueError):
        fnp.select([], [])
    with pytest.raises(TypeError):
        fnp.select([fnp.asarray(Q)], [fnp.asarray(Q)])  # conditions must be boolean


@pytest.mark.parametrize("trim", ["fb", "f", "b", "BF"])
def test_trim_zeros_sides(trim):
    data = np.array([0, 0, 3, 0, 4, 0, 0])
    result, used = charged(fnp.trim_zeros, fnp.asarray(data), trim)
    same(result, np.trim_zeros(data, trim))
    assert used == 7 * 3


def test_trim_zeros_on_2d_axes_and_bad_trim():
    data = np.zeros((4, 5))
    data[1:3, 2:4] = 1.0
    for axis in (None, 0, 1, (0, 1)):
        result, used = charged(fnp.trim_zeros, fnp.asarray(data), axis=axis)
        same(result, np.trim_zeros(data, axis=axis))
        assert used == 20 * (1 + 2 * 2)
    with pytest.raises(ValueError):
        fnp.trim_zeros(fnp.asarray(data), "x")


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.integers(-2, 2)))
def test_nonzero_and_where_equal_numpys_on_generated_arrays(data):
    f = fnp.asarray(data)
    same(fnp.nonzero(f), np.nonzero(data))
    same(fnp.where(f > 0, f, -f), np.where(data > 0, data, -data))
    same(fnp.count_nonzero(f, axis=-1), np.count_nonzero(data, axis=-1))


@given(st.integers(0, 10**6), st.integers(0, 1000))
def test_search_costs_grow_with_table_and_queries(n, queries):
    assert searching.searchsorted_cost(n + 1, queries) >= searching.searchsorted_cost(n, queries)
    assert searching.digitize_cost(n + 1, queries) >= searching.digitize_cost(n, queries)
    assert searching.searchsorted_cost(n, queries + 1) >= searching.searchsorted_cost(n, queries)
