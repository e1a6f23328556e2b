"""Results of the counted core equal NumPy's: values, dtypes, shapes, exceptions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost._shapes import broadcast_shapes, numel
from flopscope.registry import REGISTRY, Category
from flopscope.registry.ufuncs import UFUNC_NAMES


def _same(result, expected):
    """Equal values (NaN-aware), dtype and shape; arrays come back as fnp.ndarray."""
    if isinstance(expected, tuple):
        assert isinstance(result, tuple) and len(result) == len(expected)
        for r, e in zip(result, expected):
            _same(r, e)
        return
    if isinstance(expected, np.ndarray):
        assert type(result) is fnp.ndarray, type(result)
    else:
        assert type(result) is type(expected), (type(result), type(expected))
    assert np.asarray(result).shape == np.asarray(expected).shape
    assert np.asarray(result).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(result), np.asarray(expected))


ELEMENTWISE = [n for n in UFUNC_NAMES if REGISTRY[n].category in (Category.UNARY, Category.BINARY)]


def _inputs_for(ufunc: np.ufunc, shapes):
    """Operands of dtypes the ufunc supports: float if it has a float loop, else int, else bool."""
    types = ufunc.types
    rng = np.random.default_rng(0)
    if any(t.split("->")[0] == "d" * ufunc.nin for t in types):
        return [rng.uniform(0.1, 2.0, s) for s in shapes]
    if any(t.split("->")[0] == "l" * ufunc.nin for t in types):
        return [rng.integers(1, 5, s) for s in shapes]
    if any(t.split("->")[0] == "?" * ufunc.nin for t in types):
        return [rng.integers(0, 2, s).astype(bool) for s in shapes]
    if any(t.split("->")[0] == "M" * ufunc.nin for t in types):
        return [np.arange(np.prod(s)).reshape(s).astype("datetime64[D]") for s in shapes]
    pytest.skip(f"no simple loop for {ufunc.__name__}")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_ufunc_matches_numpy(name):
    ufunc = REGISTRY[name].impl
    shapes = [(3, 1, 4), (2, 4)][: ufunc.nin] if ufunc.nin <= 2 else [(2, 4)] * ufunc.nin
    operands = _inputs_for(ufunc, shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = ufunc(*operands)
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            result = getattr(fnp, name)(*operands)
            via_numpy = ufunc(*[fnp.asarray(o) for o in operands])
    _same(result, expected)
    _same(via_numpy, expected)
    assert ctx.flops_used == 2 * numel(broadcast_shapes(*shapes))


def test_ufunc_keywords_match_numpy():
    a = np.arange(12.0).reshape(3, 4)
    mask = a > 4
    cases = [
        (lambda m: m.add(a, 1, where=mask, out=np.zeros((3, 4))), 12),
        (lambda m: m.multiply(a, 2, dtype=np.float32), 12),
        (lambda m: m.sqrt(a, casting="unsafe", dtype=np.float32), 12),
        (lambda m: m.add(a, np.int64(3)), 12),
        (lambda m: m.exp(np.float32(1.0)), 1),
        (lambda m: m.add(np.array(1.0), np.array(2.0)), 1),
    ]
    for build, cost in cases:
        expected = build(np)
        with flops.BudgetContext(flop_budget=10**6) as ctx:
            result = build(fnp)
        if isinstance(expected, np.ndarray) and expected.ndim:
            assert np.asarray(result).dtype == expected.dtype
            np.testing.assert_array_equal(np.asarray(result), expected)
        else:
            assert np.asarray(result).dtype == np.asarray(expected).dtype
        assert ctx.flops_used == cost


def test_ufunc_exceptions_match_numpy():
    for build in (
        lambda m: m.add(np.ones(3), np.ones(4)),
        lambda m: m.add(np.ones(3)),
        lambda m: m.add(np.ones(3), np.ones(3), np.ones(3), np.ones(3)),
        lambda m: m.bitwise_and(np.ones(3), np.ones(3)),
        lambda m: m.add(np.ones(3, dtype=np.int64), 1.5, out=np.ones(3, dtype=np.int64)),
    ):
        with pytest.raises(Exception) as numpy_error:
            build(np)
        with flops.BudgetContext(flop_budget=10**6) as ctx:
            with pytest.raises(type(numpy_error.value)):
                build(fnp)
        assert ctx.flops_used == 0


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["add", "multiply", "maximum", "subtract", "hypot", "arctan2"]),
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
    st.sampled_from([np.float32, np.float64, np.int32]),
)
def test_binary_ufuncs_broadcast_like_numpy(name, shapes, dtype):
    rng = np.random.default_rng(0)
    a = (rng.uniform(1, 3, shapes.input_shapes[0])).astype(dtype)
    b = (rng.uniform(1, 3, shapes.input_shapes[1])).astype(dtype)
    expected = getattr(np, name)(a, b)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = getattr(fnp, name)(fnp.asarray(a), b)
    assert np.asarray(result).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(result), expected)
    assert ctx.flops_used == numel(shapes.result_shape)


REDUCTION_CASES = [
    ("sum", {}), ("sum", {"axis": 0}), ("sum", {"axis": (0, 2), "keepdims": True}),
    ("sum", {"dtype": np.float32}), ("mean", {"axis": -1}), ("var", {"ddof": 1}),
    ("std", {"axis": 1, "keepdims": True}), ("max", {"axis": 2}), ("min", {}),
    ("amax", {"axis": 0}), ("prod", {"axis": 1}), ("all", {"axis": 0}), ("any", {}),
    ("argmax", {}), ("argmin", {"axis": 1, "keepdims": True}), ("cumsum", {}),
    ("cumprod", {"axis": 2}), ("nansum", {"axis": 0}), ("nanmean", {}), ("nanmax", {"axis": 1}),
    ("nanargmin", {"axis": 2}), ("nancumsum", {"axis": 1}), ("cumulative_sum", {"axis": 1}),
    ("cumulative_prod", {"axis": 0, "include_initial": True}),
    ("sum", {"where": np.array([True, False, True, True])}), ("max", {"initial": 10.0}),
]


@pytest.mark.parametrize("name, kwargs", REDUCTION_CASES)
def test_reductions_match_numpy(name, kwargs):
    a = np.random.default_rng(2).uniform(0.5, 1.5, (2, 3, 4))
    a[0, 1, 2] = np.nan if name.startswith("nan") else a[0, 1, 2]
    expected = getattr(np, name)(a, **kwargs)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = getattr(fnp, name)(fnp.asarray(a), **kwargs)
        plain_input = getattr(fnp, name)(a, **kwargs)
    _same(result, expected)
    _same(plain_input, expected)
    assert ctx.flops_used == 2 * 24


def test_reduction_out_and_errors():
    a = np.arange(12.0).reshape(3, 4)
    out = fnp.zeros(4)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        assert fnp.sum(fnp.asarray(a), axis=0, out=out) is out
        with pytest.raises(np.exceptions.AxisError):
            fnp.sum(fnp.asarray(a), axis=5)
        with pytest.raises(ValueError):
            fnp.mean(fnp.asarray(a), axis=(0, 0))
    np.testing.assert_array_equal(np.asarray(out), a.sum(axis=0))
    assert ctx.flops_used == 12
    # 0-d input
    with flops.BudgetContext(flop_budget=10) as ctx:
        r = fnp.sum(fnp.asarray(np.array(3.5)))
    assert r == 3.5 and ctx.flops_used == 1


EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)], 60),
    ("ij,j->i", [(3, 4), (4,)], 12),
    ("ij,jk", [(3, 4), (4, 5)], 60),  # implicit output
    ("ii->i", [(4, 4)], 4),
    ("ii", [(4, 4)], 4),
    ("ij->", [(3, 4)], 12),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)], 120),
    ("i,i->", [(5,), (5,)], 5),
    ("i,j->ij", [(3,), (4,)], 12),
]


@pytest.mark.parametrize("subscripts, shapes, cost", EINSUM_CASES)
def test_einsum_one_and_two_operands(subscripts, shapes, cost):
    rng = np.random.default_rng(3)
    ops = [rng.standard_normal(s) for s in shapes]
    expected = np.einsum(subscripts, *ops)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = fnp.einsum(subscripts, *[fnp.asarray(o) for o in ops])
    np.testing.assert_allclose(np.asarray(result), expected)
    assert np.asarray(result).shape == np.shape(expected)
    assert ctx.flops_used == cost == flops.einsum_cost(subscripts, shapes)


def test_einsum_three_operands_follow_the_optimal_path():
    # (10,20) x (20,30) x (30,40): contract A,B first (10*20*30 = 6,000) then
    # with C (10*30*40 = 12,000): 18,000, versus 8,000 + 24,000 the other way.
    rng = np.random.default_rng(4)
    a, b, c = rng.standard_normal((10, 20)), rng.standard_normal((20, 30)), rng.standard_normal((30, 40))
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = fnp.einsum("ij,jk,kl->il", a, b, c)
    np.testing.assert_allclose(np.asarray(result), a @ b @ c)
    assert ctx.flops_used == 18_000 == flops.einsum_cost("ij,jk,kl->il", [(10, 20), (20, 30), (30, 40)])


def test_einsum_interleaved_form_and_errors():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = fnp.einsum(a, [0, 1], b, [1, 2], [0, 2])
        with pytest.raises(ValueError):
            fnp.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5)))
        with pytest.raises(ValueError):
            fnp.einsum("ij,jk->il", a, b)
    np.testing.assert_array_equal(np.asarray(result), a @ b)
    assert ctx.flops_used == 24


CONTRACTIONS = [
    ("matmul", ((2, 3, 4), (4, 5)), 2 * 3 * 4 * 5),
    ("matmul", ((4,), (4, 5)), 20),
    ("matmul", ((3, 4), (4,)), 12),
    ("matmul", ((4,), (4,)), 4),
    ("dot", ((3, 4), (4, 5)), 60),
    ("dot", ((2, 3, 4), (5, 4, 6)), 2 * 3 * 4 * 5 * 6),
    ("dot", ((), (3, 4)), 12),
    ("inner", ((2, 4), (3, 4)), 24),
    ("outer", ((3,), (2, 2)), 12),
    ("vdot", ((2, 3), (6,)), 6),
    ("tensordot", ((3, 4, 5), (4, 5, 6)), 3 * 4 * 5 * 6),
    ("kron", ((2, 2), (3, 3)), 36),
    ("vecdot", ((3, 4), (4,)), 12),
    ("matvec", ((2, 3, 4), (4,)), 24),
    ("vecmat", ((3,), (3, 5)), 15),
]


@pytest.mark.parametrize("name, shapes, cost", CONTRACTIONS)
def test_contractions_match_numpy(name, shapes, cost):
    rng = np.random.default_rng(5)
    ops = [rng.standard_normal(s) if s else np.float64(2.0) for s in shapes]
    expected = getattr(np, name)(*ops)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        result = getattr(fnp, name)(*[fnp.asarray(o) if np.ndim(o) else o for o in ops])
    np.testing.assert_allclose(np.asarray(result), expected)
    assert np.asarray(result).shape == np.shape(expected)
    assert ctx.flops_used == cost


def test_contraction_errors_match_numpy():
    for name, a, b in (("matmul", (2, 3), (2, 3)), ("dot", (2, 3), (2, 3)),
                       ("inner", (2, 3), (3, 2)), ("vdot", (2,), (3,))):
        with pytest.raises(ValueError):
            getattr(np, name)(np.ones(a), np.ones(b))
        with flops.BudgetContext(flop_budget=10**6) as ctx:
            with pytest.raises(ValueError):
                getattr(fnp, name)(fnp.ones(a), fnp.ones(b))
        assert ctx.flops_used == 0


@pytest.mark.parametrize("name, args, kwargs", [
    ("zeros", ((2, 3),), {"dtype": np.int32}), ("ones", (4,), {}), ("empty", ((2,),), {}),
    ("full", ((2, 2), 7), {}), ("eye", (3,), {"k": 1}), ("identity", (3,), {}),
    ("arange", (0, 10, 3), {}), ("array", ([[1, 2], [3, 4]],), {"dtype": np.float32}),
    ("asarray", ([1.0, 2.0],), {}),
])
def test_free_creation_matches_numpy(name, args, kwargs):
    expected = getattr(np, name)(*args, **kwargs)
    with flops.BudgetContext(flop_budget=1) as ctx:
        result = getattr(fnp, name)(*args, **kwargs)
    assert type(result) is fnp.ndarray
    assert result.shape == expected.shape and result.dtype == expected.dtype
    if name != "empty":
        np.testing.assert_array_equal(np.asarray(result), expected)
    assert ctx.flops_used == 0


def test_free_shape_ops_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    fa = fnp.asarray(a)
    cases = [
        (lambda m, x: m.reshape(x, (6, 4)), ()), (lambda m, x: m.transpose(x, (2, 0, 1)), ()),
        (lambda m, x: m.squeeze(x[:1]), ()), (lambda m, x: m.expand_dims(x, 1), ()),
        (lambda m, x: m.concatenate([x, x], axis=1), ()), (lambda m, x: m.stack([x, x]), ()),
        (lambda m, x: m.ravel(x), ()), (lambda m, x: m.swapaxes(x, 0, 2), ()),
        (lambda m, x: m.moveaxis(x, 0, -1), ()), (lambda m, x: m.broadcast_to(x[0, 0], (5, 4)), ()),
        (lambda m, x: m.hstack([x[0], x[1]]), ()), (lambda m, x: m.vstack([x[0], x[1]]), ()),
        (lambda m, x: m.copy(x), ()), (lambda m, x: m.astype(x, np.int16), ()),
    ]
    for build, _ in cases:
        expected = build(np, a)
        with flops.BudgetContext(flop_budget=1) as ctx:
            result = build(fnp, fa)
        assert type(result) is fnp.ndarray
        np.testing.assert_array_equal(np.asarray(result), expected)
        assert result.dtype == expected.dtype
        assert ctx.flops_used == 0


def test_random_and_stats_and_testing_core():
    # fnp.random's legacy functions share NumPy's global state, so reseed between.
    fnp.random.seed(123)
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        draws = fnp.random.randn(3, 4)
        normal = fnp.random.normal(1.0, 2.0, size=5)
        rng = fnp.random.default_rng(7)
        g = rng.standard_normal((2, 2))
        u = rng.uniform(size=3)
        pdf = flops.stats.norm.pdf(fnp.asarray(np.linspace(-1, 1, 5)))
        fnp.testing.assert_allclose(draws, draws)
    np.random.seed(123)
    np.testing.assert_array_equal(np.asarray(draws), np.random.randn(3, 4))
    np.testing.assert_array_equal(np.asarray(normal), np.random.normal(1.0, 2.0, size=5))
    reference = np.random.default_rng(7)
    np.testing.assert_array_equal(np.asarray(g), reference.standard_normal((2, 2)))
    np.testing.assert_array_equal(np.asarray(u), reference.uniform(size=3))
    import scipy.stats

    np.testing.assert_allclose(np.asarray(pdf), scipy.stats.norm.pdf(np.linspace(-1, 1, 5)))
    assert type(draws) is fnp.ndarray and type(pdf) is fnp.ndarray
    by_op = {r.op_name: r.flop_cost for r in ctx.op_log}
    assert by_op["random.randn"] == 12 and by_op["random.normal"] == 5
    assert by_op["random.Generator.standard_normal"] == 4 and by_op["random.Generator.uniform"] == 3
    assert by_op["testing.assert_allclose"] == 12
    with pytest.raises(AssertionError):
        fnp.testing.assert_allclose(fnp.ones(3), fnp.zeros(3))
