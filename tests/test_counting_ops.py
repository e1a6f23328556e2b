"""The operations that look free but compute: ``trace``, ``diff``, ``gradient``, ``convolve``,
``interp``, ``cross``, ``trapezoid``, ``vander``, sample spacing, bit packing and the compound
elementwise functions (``clip``, ``round``, ``isclose``, ``sinc``, ``i0``, ``unwrap``...).

Beyond the table of ``test_counted_functions.py``: parameters, broadcasting,
``out=``, ``dtype=``, 0-d inputs, NumPy's exceptions, method forms, and
properties (hypothesis), including an independent oracle for the convolution
count.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import counting

pytestmark = pytest.mark.filterwarnings(
    "ignore:Arrays of 2-dimensional vectors are deprecated:DeprecationWarning"
)


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
    np.testing.assert_array_equal(np.asarray(actual), expected)


rng = np.random.default_rng(9)
X = rng.standard_normal((4, 5))
FX = fnp.asarray(X)
T = rng.standard_normal((2, 3, 4))


# -- trace, diff, gradient -----------------------------------------------------------------------


@pytest.mark.parametrize("offset, diagonal", [(0, 4), (1, 4), (2, 3), (-1, 3), (-4, 0), (9, 0)])
def test_trace_offsets_and_method(offset, diagonal):
    result, used = charged(FX.trace, offset)
    same(result, np.trace(X, offset))
    assert used == diagonal


def test_trace_dtype_out_and_errors():
    out = fnp.zeros(3)
    result, used = charged(fnp.trace, fnp.asarray(T), 0, 0, 2, np.float32, out=out)
    assert result is out and used == 3 * 2  # diagonal of 2 × 4 matrices, 3 of them
    np.testing.assert_array_equal(np.asarray(out), np.trace(T, 0, 0, 2, np.float32))
    same(fnp.trace(fnp.asarray(np.eye(3, dtype=bool))), np.trace(np.eye(3, dtype=bool)))
    with pytest.raises(ValueError):
        fnp.trace(fnp.asarray(X[0]))
    with pytest.raises(ValueError):
        fnp.trace(FX, axis1=1, axis2=1)


def test_diff_of_booleans_orders_and_errors():
    b = X > 0
    result, used = charged(fnp.diff, fnp.asarray(b), n=2, axis=0)
    same(result, np.diff(b, n=2, axis=0))
    assert used == 5 * (3 + 2)
    result, used = charged(fnp.diff, FX, n=9)
    same(result, np.diff(X, n=9))
    assert used == 4 * (4 + 3 + 2 + 1)
    same(fnp.diff(FX, n=0), np.diff(X, n=0))
    same(fnp.diff(FX, append=fnp.asarray(X[:, :2])), np.diff(X, append=X[:, :2]))
    with pytest.raises(ValueError):
        fnp.diff(FX, n=-1)
    with pytest.raises(ValueError):
        fnp.diff(fnp.asarray(3.0))


def test_ediff1d_padding():
    result, used = charged(fnp.ediff1d, FX, to_end=fnp.asarray([9.0, 8.0]), to_begin=-1.0)
    same(result, np.ediff1d(X, to_end=[9.0, 8.0], to_begin=-1.0))
    assert used == 19


def test_gradient_spacings_axes_and_errors():
    same(fnp.gradient(FX, 0.5, axis=0), np.gradient(X, 0.5, axis=0))
    xs, ys = np.cumsum(rng.random(4)), np.cumsum(rng.random(5))
    result, used = charged(fnp.gradient, FX, fnp.asarray(xs), fnp.asarray(ys))
    same(result, np.gradient(X, xs, ys))
    # per axis: 3(n − 1) + 10(n − 2) + 3(N − 2s) + 4s, N = 20
    assert used == (9 + 20 + 3 * (20 - 10) + 20) + (12 + 30 + 3 * (20 - 8) + 16)
    same(fnp.gradient(fnp.asarray(np.arange(6)), edge_order=2),
         np.gradient(np.arange(6), edge_order=2))
    for call, error in ((lambda: fnp.gradient(FX, edge_order=3), ValueError),
                        (lambda: fnp.gradient(FX, 1.0, 2.0, 3.0), TypeError),
                        (lambda: fnp.gradient(fnp.asarray([1.0])), ValueError),
                        (lambda: fnp.gradient(FX, fnp.ones(3), 1.0), ValueError)):
        with pytest.raises(error):
            call()


def test_gradient_of_a_zero_d_array_is_an_empty_tuple():
    assert fnp.gradient(fnp.asarray(2.0)) == np.gradient(np.array(2.0))


def test_positional_out_is_returned_like_numpy():
    out = fnp.zeros((4, 5))
    assert fnp.round(FX, 1, out) is out


# -- convolution, interpolation --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["full", "same", "valid", 0, 1, 2])
def test_convolve_and_correlate_modes(mode):
    a, v = rng.standard_normal(7), rng.standard_normal(3)
    for name in ("convolve", "correlate"):
        result, used = charged(getattr(fnp, name), fnp.asarray(a), fnp.asarray(v), mode)
        same(result, getattr(np, name)(a, v, mode))
        assert used == int(np.convolve(np.ones(7), np.ones(3), mode).sum())


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from(["full", "same", "valid"]))
def test_convolution_cost_counts_the_products_numpy_sums(n, m, mode):
    # each output of a convolution of ones with ones is the number of products it sums
    products = int(np.convolve(np.ones(n), np.ones(m), mode).sum())
    assert counting.convolve_cost(n, m, mode) == products


def test_convolution_errors_and_scalars():
    same(fnp.convolve(3.0, fnp.asarray([1.0, 2.0])), np.convolve(3.0, [1.0, 2.0]))
    for call in (lambda: fnp.convolve(fnp.asarray([]), fnp.asarray([1.0])),
                 lambda: fnp.convolve(FX, fnp.asarray([1.0])),
                 lambda: fnp.correlate(fnp.asarray([1.0]), fnp.asarray([1.0]), "f")):
        with pytest.raises(ValueError):
            call()


def test_interp_bounds_complex_table_and_errors():
    xp, fp = np.linspace(0, 1, 6), np.linspace(0, 1, 6) ** 2
    q = rng.uniform(-0.5, 1.5, 8)
    same(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp), left=-1.0, right=9.0),
         np.interp(q, xp, fp, left=-1.0, right=9.0))
    same(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp * 1j)),
         np.interp(q, xp, fp * 1j))
    result, used = charged(fnp.interp, 0.5, fnp.asarray([0.0]), fnp.asarray([2.0]))
    same(result, np.interp(0.5, [0.0], [2.0]))
    assert used == 2  # a one-sample table: two comparisons
    for call in (lambda: fnp.interp(0.5, fnp.asarray([]), fnp.asarray([])),
                 lambda: fnp.interp(0.5, fnp.asarray(xp), fnp.asarray(fp[:3])),
                 lambda: fnp.interp(0.5, fnp.asarray(xp), fnp.asarray(fp), period=0)):
        with pytest.raises(ValueError):
            call()


# -- small products, sample spacing, bits ----------------------------------------------------------


def test_cross_axes():
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 3))
    result, used = charged(fnp.cross, fnp.asarray(a), fnp.asarray(b), axisa=0, axisb=1, axisc=0)
    same(result, np.cross(a, b, axisa=0, axisb=1, axisc=0))
    assert used == 4 * 6
    same(fnp.cross(fnp.asarray(a.T), fnp.asarray(b[:, :2]), axis=None),
         np.cross(a.T, b[:, :2]))
    with pytest.raises(ValueError):
        fnp.cross(fnp.asarray(X), fnp.asarray(X))
    with pytest.raises(ValueError):
        fnp.cross(fnp.asarray(3.0), fnp.asarray([1.0, 2.0, 3.0]))


def test_trapezoid_spacings():
    same(fnp.trapezoid(FX, dx=0.5, axis=0), np.trapezoid(X, dx=0.5, axis=0))
    x2 = np.cumsum(rng.random((4, 5)), axis=1)
    result, used = charged(fnp.trapezoid, FX, fnp.asarray(x2))
    same(result, np.trapezoid(X, x2))
    assert used == 4 * 4 * 4 + 4 * 4


@pytest.mark.parametrize("columns, increasing", [(None, False), (0, False), (1, True), (6, True)])
def test_vander(columns, increasing):
    x = np.array([2, 3, 5])
    result, used = charged(fnp.vander, fnp.asarray(x), columns, increasing)
    same(result, np.vander(x, columns, increasing))
    assert used == 3 * max((3 if columns is None else columns) - 1, 0)


@pytest.mark.parametrize("kwargs", [{"num": 0}, {"num": 1}, {"num": 7, "endpoint": False},
                                    {"num": 4, "retstep": True}, {"num": 5, "dtype": np.float32}])
def test_linspace_variants(kwargs):
    result, used = charged(fnp.linspace, 1.0, 3.0, **kwargs)
    same(result, np.linspace(1.0, 3.0, **kwargs))
    assert used == 0  # an evenly spaced progression: free creation, like arange


def test_linspace_with_array_endpoints_on_another_axis():
    start, stop = np.zeros((2, 3)), np.arange(3.0)
    result, used = charged(fnp.linspace, fnp.asarray(start), fnp.asarray(stop), 4, axis=-1)
    same(result, np.linspace(start, stop, 4, axis=-1))
    assert used == 0


def test_logspace_and_geomspace_forms_and_errors():
    base = np.array([2.0, 10.0])
    result, used = charged(fnp.logspace, 0.0, 3.0, 4, base=fnp.asarray(base))
    same(result, np.logspace(0.0, 3.0, 4, base=base))
    assert used == 4 * 2  # one power per sample, for each of the 2 bases
    same(fnp.geomspace(-1.0, -1000.0, 4, endpoint=False),
         np.geomspace(-1.0, -1000.0, 4, endpoint=False))
    same(fnp.geomspace(1j, 1000j, 4), np.geomspace(1j, 1000j, 4))
    with pytest.raises(ValueError):
        fnp.geomspace(0.0, 1.0, 3)
    with pytest.raises(ValueError):
        fnp.linspace(0.0, 1.0, -1)
    with pytest.raises(TypeError):
        fnp.linspace(0.0, 1.0, 2.5)


@pytest.mark.parametrize("axis", [None, 0, -1])
@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_packbits_round_trip(axis, bitorder):
    bits = (rng.random((3, 11)) > 0.5)
    packed, used = charged(fnp.packbits, fnp.asarray(bits), axis=axis, bitorder=bitorder)
    same(packed, np.packbits(bits, axis=axis, bitorder=bitorder))
    assert used == 33
    expected = np.unpackbits(np.asarray(packed), axis=axis, bitorder=bitorder)
    unpacked, used = charged(fnp.unpackbits, packed, axis=axis, bitorder=bitorder)
    same(unpacked, expected)
    assert used == expected.size


def test_bit_errors_are_numpys():
    with pytest.raises(TypeError):
        fnp.packbits(fnp.asarray([1.0, 0.0]))
    with pytest.raises(TypeError):
        fnp.unpackbits(fnp.asarray([1, 2]))
    with pytest.raises(ValueError):
        fnp.unpackbits(fnp.asarray(np.array([7], np.uint8)), count=-9)


# -- compound elementwise functions ----------------------------------------------------------------


def test_clip_forms_and_methods():
    lo = np.linspace(-1, 0, 5)
    result, used = charged(fnp.clip, FX, fnp.asarray(lo), 0.5)
    same(result, np.clip(X, lo, 0.5))
    assert used == 20
    same(FX.clip(min=0.0), np.clip(X, min=0.0))
    same(FX.clip(None, 0.2), X.clip(None, 0.2))
    out = fnp.zeros((4, 5))
    result, used = charged(fnp.clip, FX, -0.1, 0.1, out=out)
    assert result is out and used == 20
    result, used = charged(fnp.clip, FX)  # no bounds: NumPy still makes its pass
    same(result, np.clip(X))
    assert used == 20


@pytest.mark.parametrize("decimals, per_element", [(0, 1), (2, 3), (-1, 3)])
def test_round_decimals_methods_and_out(decimals, per_element):
    result, used = charged(FX.round, decimals)
    same(result, X.round(decimals))
    assert used == 20 * per_element
    out = fnp.zeros((4, 5))
    result, _ = charged(fnp.around, FX, decimals, out=out)
    assert result is out
    np.testing.assert_array_equal(np.asarray(out), np.around(X, decimals))
    z = X + 1j * X[::-1]
    result, used = charged(fnp.round, fnp.asarray(z), decimals)
    same(result, np.round(z, decimals))
    assert used == 2 * 20 * per_element


def test_round_of_scalars_and_integers():
    same(fnp.round(3.14159, 2), np.round(3.14159, 2))
    result, used = charged(fnp.round, fnp.asarray(np.arange(5)), -1)
    same(result, np.round(np.arange(5), -1))
    assert used == 3 * 5


def test_fix_nan_to_num_and_zero_d():
    out = fnp.zeros((4, 5))
    assert fnp.fix(FX, out=out) is out
    np.testing.assert_array_equal(np.asarray(out), np.fix(X))
    data = np.array([np.nan, np.inf, -np.inf, 1.0])
    same(fnp.nan_to_num(fnp.asarray(data), nan=-1.0, posinf=9.0, neginf=-9.0),
         np.nan_to_num(data, nan=-1.0, posinf=9.0, neginf=-9.0))
    result, used = charged(fnp.nan_to_num, fnp.asarray(np.nan))
    same(result, np.nan_to_num(np.array(np.nan)))
    assert used == 11
    same(fnp.sinc(fnp.asarray(0.0)), np.sinc(np.array(0.0)))


def test_angle_unwrap_i0_and_their_errors():
    same(fnp.angle(FX), np.angle(X))
    phase = np.cumsum(rng.uniform(0, 4, (3, 6)), axis=0)
    result, used = charged(fnp.unwrap, fnp.asarray(phase), axis=0, discont=4.0)
    same(result, np.unwrap(phase, axis=0, discont=4.0))
    assert used == 2 * 6 * 14
    same(fnp.i0(fnp.asarray([0, 3, 9])), np.i0([0, 3, 9]))
    with pytest.raises(TypeError):
        fnp.i0(fnp.asarray([1j]))
    with pytest.raises(TypeError):
        fnp.isposinf(fnp.asarray([1j]))


def test_comparisons_broadcast_and_scalars():
    row = X[0] + 1e-12
    result, used = charged(fnp.isclose, FX, fnp.asarray(row), rtol=fnp.asarray(np.full(5, 1e-3)))
    same(result, np.isclose(X, row, rtol=np.full(5, 1e-3)))
    assert used == 9 * 20
    same(fnp.isclose(1.0, 1.0 + 1e-12), np.isclose(1.0, 1.0 + 1e-12))
    assert fnp.allclose(FX, X + 1e-12) is True
    assert fnp.array_equal(FX, fnp.asarray(X.copy())) is True
    assert fnp.array_equiv(FX, fnp.asarray(X[:1])) is False
    out = fnp.zeros((4, 5), dtype=bool)
    assert fnp.isneginf(FX, out=out) is out
    same(fnp.isreal(fnp.asarray([1 + 0j, 1j])), np.isreal([1 + 0j, 1j]))
    z = np.array([1 + 1e-16j, 2 + 0j])
    same(fnp.real_if_close(fnp.asarray(z), tol=1000), np.real_if_close(z, tol=1000))


def test_real_if_close_plans_keep_the_complex_dtype_as_data_dependent():
    p = flops.plan(fnp.real_if_close, flops.spec(3, np.complex128))
    assert p.outputs.dtype == np.complex128 and p.outputs.tags == {"data_dependent_dtype": True}


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.floats(-50, 50)))
def test_elementwise_compounds_equal_numpys_on_generated_arrays(data):
    f = fnp.asarray(data)
    for name in ("sinc", "i0", "fix", "nan_to_num", "isposinf", "isneginf", "angle"):
        same(getattr(fnp, name)(f), getattr(np, name)(data))
    same(fnp.clip(f, -1, 1), np.clip(data, -1, 1))
    same(fnp.diff(f, axis=0), np.diff(data, axis=0))
    same(fnp.round(f, 1), np.round(data, 1))
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        fnp.sinc(f)
    assert ctx.flops_used == 4 * data.size


@given(st.integers(0, 2000), st.integers(1, 2000))
def test_counting_costs_are_monotone(n, m):
    assert counting.interp_cost(n + 1, m) >= counting.interp_cost(n, m)
    assert counting.interp_cost(n, m + 1) >= counting.interp_cost(n, m)
    assert counting.diff_cost(n + 1, 2) >= counting.diff_cost(n, 2)
    assert counting.logspace_cost(n + 1) > counting.logspace_cost(n)
    assert counting.edges_linspace_cost(n + 1) > counting.edges_linspace_cost(n)
