"""Set operations: ``unique`` and its array-API forms, ``isin``, ``intersect1d``, ``setdiff1d``,
``setxor1d``, ``union1d``.

Beyond the table of ``test_counted_functions.py``: every flag of ``unique``,
the named-tuple results, NumPy's branches of ``isin``, errors, plans at
their bounds, and properties over generated arrays (hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import setops
from flopscope.cost.sorting import sort_cost


def charged(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used


def same(actual, expected):
    if isinstance(expected, tuple):
        assert type(actual) is type(expected) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            same(a, e)
        return
    assert type(actual) is (fnp.ndarray if type(expected) is np.ndarray else type(expected))
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(actual), expected)


rng = np.random.default_rng(11)
INTS = rng.integers(0, 6, (3, 5))
FLOATS = np.round(rng.standard_normal(16), 1)
FLOATS[[2, 9]] = np.nan


# -- unique ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [False, True])
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique_flags_match_numpy_and_add_their_passes(index, inverse, counts):
    kwargs = dict(return_index=index, return_inverse=inverse, return_counts=counts)
    result, used = charged(fnp.unique, fnp.asarray(INTS), **kwargs)
    same(result, np.unique(INTS, **kwargs))
    assert used == 15 * 4 + 15 + 2 * 15 * inverse + 2 * 15 * counts  # ⌈log2 15⌉ = 4


@pytest.mark.parametrize("equal_nan", [True, False])
def test_unique_of_floats_with_nans(equal_nan):
    same(fnp.unique(fnp.asarray(FLOATS), equal_nan=equal_nan),
         np.unique(FLOATS, equal_nan=equal_nan))


def test_unique_unsorted_hashes_integers_but_sorts_floats():
    _, used = charged(fnp.unique, fnp.asarray(INTS), sorted=False)
    assert used == 15  # one hash insertion per value
    _, used = charged(fnp.unique, fnp.asarray(FLOATS), sorted=False)
    assert used == 16 * 4 + 16
    assert setops.hashes_uniques(np.dtype(np.int32))
    assert not setops.hashes_uniques(np.dtype(np.float64))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unique_rows_and_columns(axis):
    data = np.array([[1, 2, 1], [1, 2, 1], [0, 3, 0], [1, 2, 1]])
    kwargs = dict(axis=axis, return_index=True, return_inverse=True, return_counts=True)
    result, used = charged(fnp.unique, fnp.asarray(data), **kwargs)
    same(result, np.unique(data, **kwargs))
    n = data.shape[axis]
    width = data.size // n
    assert used == width * (sort_cost(n) + n) + 2 * n + 2 * n


def test_unique_of_zero_d_and_bad_axis():
    same(fnp.unique(fnp.asarray(3.0), return_inverse=True),
         np.unique(np.array(3.0), return_inverse=True))
    with pytest.raises(np.exceptions.AxisError):
        fnp.unique(fnp.asarray(INTS), axis=2)


def test_array_api_forms_keep_their_named_tuples():
    f = fnp.asarray(INTS)
    for name in ("unique_all", "unique_counts", "unique_inverse"):
        result = getattr(fnp, name)(f)
        expected = getattr(np, name)(INTS)
        assert type(result) is type(expected)
        assert result._fields == expected._fields
        same(tuple(result), tuple(expected))
        p = flops.plan(getattr(fnp, name), INTS)
        assert type(p.outputs) is type(expected)


def test_plan_of_unique_is_bounded_and_inverse_is_exact():
    p = flops.plan(lambda a: fnp.unique(a, return_inverse=True, return_counts=True), INTS)
    values, inverse, counts = p.outputs
    assert values.bound and values.shape == (15,)
    assert not inverse.bound and inverse.shape == INTS.shape
    assert counts.bound
    assert p.flops == 15 * 4 + 15 + 30 + 30


# -- isin ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [None, "sort", "table"])
@pytest.mark.parametrize("invert", [False, True])
def test_isin_kinds_match_numpy(kind, invert):
    test = np.array([1, 4, 9])
    same(fnp.isin(fnp.asarray(INTS), fnp.asarray(test), invert=invert, kind=kind),
         np.isin(INTS, test, invert=invert, kind=kind))


def test_isin_charges_numpys_branch():
    big = rng.standard_normal(40)
    # a test set of 3 < 10·15^0.145 ≈ 14.8: pairwise
    assert charged(fnp.isin, fnp.asarray(INTS.astype(float)), [1.0, 2.0, 3.0])[1] == 2 * 15 * 3
    # 40 ≥ 10·16^0.145: sort path, unique(16, inverse) + unique(40) + sort of 56
    expected = (16 * 4 + 16 + 32) + (40 * 6 + 40) + 56 * 6 + 56
    assert charged(fnp.isin, fnp.asarray(FLOATS), fnp.asarray(big))[1] == expected
    assert charged(fnp.isin, fnp.asarray(FLOATS), fnp.asarray(big), assume_unique=True)[1] == \
        56 * 6 + 56
    # integer table: extent 2·3, offsets 3, 4 per element
    assert charged(fnp.isin, fnp.asarray(INTS), [1, 2, 3], kind="table")[1] == 6 + 3 + 4 * 15


def test_isin_errors_are_numpys():
    with pytest.raises(ValueError):
        fnp.isin(fnp.asarray(FLOATS), [1.0], kind="table")
    with pytest.raises(ValueError):
        fnp.isin(fnp.asarray(INTS), [1], kind="hash")


def test_isin_keeps_the_element_shape_including_zero_d():
    same(fnp.isin(fnp.asarray(3), [1, 3]), np.isin(np.array(3), [1, 3]))


# -- two-set operations ----------------------------------------------------------------------------


def test_intersect1d_with_indices_and_assume_unique():
    a, b = np.array([5, 1, 3, 7]), np.array([3, 9, 5])
    result, used = charged(fnp.intersect1d, fnp.asarray(a), fnp.asarray(b), return_indices=True)
    same(result, np.intersect1d(a, b, return_indices=True))
    assert used == (4 * 2 + 4) + (3 * 2 + 3) + 7 * 3 + 7 + 7
    result, used = charged(fnp.intersect1d, fnp.asarray(a), fnp.asarray(b), assume_unique=True)
    same(result, np.intersect1d(a, b, assume_unique=True))
    assert used == 7 * 3 + 7


def test_setdiff_setxor_union_with_assume_unique():
    a, b = np.array([5.0, 1.0, 3.0, 7.0]), np.array([3.0, 9.0, 5.0])
    for name in ("setdiff1d", "setxor1d"):
        for assume in (False, True):
            same(getattr(fnp, name)(fnp.asarray(a), fnp.asarray(b), assume_unique=assume),
                 getattr(np, name)(a, b, assume_unique=assume))
    same(fnp.union1d(fnp.asarray(a), fnp.asarray(b)), np.union1d(a, b))
    # assume_unique: sizes exact, 3 < 10·4^0.145: pairwise
    _, used = charged(fnp.setdiff1d, fnp.asarray(a), fnp.asarray(b), assume_unique=True)
    assert used == 2 * 4 * 3
    assert charged(fnp.setxor1d, fnp.asarray([]), fnp.asarray([]))[1] == 0


def test_set_operations_flatten_multidimensional_input():
    same(fnp.union1d(fnp.asarray(INTS), fnp.asarray(INTS.T)), np.union1d(INTS, INTS.T))
    same(fnp.setxor1d(fnp.asarray(INTS), fnp.asarray([0, 99])), np.setxor1d(INTS, [0, 99]))


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.int16, hnp.array_shapes(max_dims=2, max_side=8), elements=st.integers(-5, 5)),
       hnp.arrays(np.int16, st.integers(0, 8), elements=st.integers(-5, 5)))
def test_set_operations_equal_numpys_on_generated_arrays(a, b):
    fa, fb = fnp.asarray(a), fnp.asarray(b)
    same(fnp.unique(fa, return_counts=True), np.unique(a, return_counts=True))
    for name in ("intersect1d", "setdiff1d", "setxor1d", "union1d"):
        same(getattr(fnp, name)(fa, fb), getattr(np, name)(a, b))
    same(fnp.isin(fa, fb), np.isin(a, b))


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.int16, st.integers(1, 12), elements=st.integers(-5, 5)),
       hnp.arrays(np.int16, st.integers(1, 12), elements=st.integers(-5, 5)))
def test_planned_set_results_bound_the_eager_ones(a, b):
    p = flops.plan(lambda x, y: (fnp.intersect1d(x, y), fnp.setdiff1d(x, y),
                                 fnp.setxor1d(x, y), fnp.union1d(x, y)), a, b)
    for planned, name in zip(p.outputs, ("intersect1d", "setdiff1d", "setxor1d", "union1d")):
        assert planned.shape[0] >= getattr(np, name)(a, b).shape[0]


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_set_operation_costs_are_monotone(n1, n2):
    for fn in (setops.intersect1d_cost, setops.setxor1d_cost, setops.union1d_cost,
               setops.setdiff1d_cost):
        assert fn(n1 + 1, n2) >= fn(n1, n2) and fn(n1, n2 + 1) >= fn(n1, n2)
    assert setops.unique_cost(n1 + 1) > setops.unique_cost(n1)
