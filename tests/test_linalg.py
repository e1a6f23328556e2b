"""fnp.linalg: hand-computed costs, NumPy parity, batching, routing, top-k SVD, plans.

Each counted call runs through flopscope and through NumPy on the same data
and must give NumPy's values, dtypes, shapes, result types and exceptions,
while charging the cost written next to it. The arithmetic in the comments
is the formula of flopscope.cost.linalg worked out by hand (FMA = 1,
leading-order terms, rounded up per matrix).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.accounting import (
    cholesky_cost,
    det_cost,
    eig_cost,
    eigh_cost,
    eigvals_cost,
    eigvalsh_cost,
    inv_cost,
    lstsq_cost,
    matrix_power_cost,
    multi_dot_cost,
    qr_cost,
    solve_cost,
    svd_cost,
    svdvals_cost,
)
from flopscope.cost.linalg import multi_dot_order
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import REGISTRY, Category, lookup

RNG = np.random.default_rng(7)
SQ = RNG.standard_normal((4, 4))                       # one square matrix
STACK = RNG.standard_normal((3, 4, 4))                 # a batch of three
SPD = STACK @ STACK.transpose(0, 2, 1) + 4 * np.eye(4)  # symmetric positive definite
TALL = RNG.standard_normal((6, 4))
WIDE = TALL.T.copy()
TALL_STACK = RNG.standard_normal((3, 6, 4))
B_VEC = RNG.standard_normal(4)
B_STACK = RNG.standard_normal((3, 4, 2))
B_TALL = RNG.standard_normal(6)
B_TALL3 = RNG.standard_normal((6, 3))
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


# -- helpers ---------------------------------------------------------------------------------


def charged(fn, *args, **kwargs):
    """(result, FLOPs charged, op names logged) of ``fn(*args, **kwargs)`` in a fresh budget."""
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


def assert_same(result, expected, exact: bool = False):
    """flopscope's result equals NumPy's: container type, values, dtypes, shapes."""
    if isinstance(expected, tuple):
        assert type(result) is type(expected)
        assert len(result) == len(expected)
        for r, e in zip(result, expected, strict=True):
            assert_same(r, e, exact)
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(result, np.ndarray)
        assert type(result) is fnp.ndarray
        assert result.dtype == expected.dtype and result.shape == expected.shape
        if exact:
            np.testing.assert_array_equal(np.asarray(result), expected)
        else:
            np.testing.assert_allclose(np.asarray(result), expected, rtol=1e-12, atol=1e-12)
        return
    assert type(result) is type(expected)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


def specs_of(result):
    """The ArraySpec tree describing a concrete result (for shape-rule checks)."""
    if isinstance(result, tuple):
        items = [specs_of(r) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else tuple(items)
    arr = np.asarray(result)
    return ArraySpec(arr.shape, arr.dtype)


def strip_bounds(spec):
    if isinstance(spec, ArraySpec):
        return ArraySpec(spec.shape, spec.dtype)
    items = [strip_bounds(s) for s in spec]
    return type(spec)(*items) if hasattr(spec, "_fields") else tuple(items)


# -- hand-computed costs, with NumPy parity ---------------------------------------------------

#: (name, args, kwargs, cost). n = 4, M×N = 6×4 unless noted; batch 3 for STACK.
CALLS = [
    # Cholesky ⌈n³/6⌉ = ⌈64/6⌉ = 11 per matrix, 3 matrices
    ("cholesky", (SPD,), {}, 3 * 11),
    ("cholesky", (SPD[0],), {"upper": True}, 11),
    # LU ⌈n³/3⌉ = ⌈64/3⌉ = 22 per matrix
    ("det", (STACK,), {}, 3 * 22),
    ("slogdet", (STACK,), {}, 3 * 22),
    ("slogdet", (SQ + 1j * SQ.T,), {}, 22),                                 # complex sign
    # inv = gesv with n right-hand sides: 22 + 4·4² = 86
    ("inv", (SQ,), {}, 22 + 4 * 16),
    ("inv", (STACK,), {}, 3 * 86),
    ("inv", (np.array([[2, 1], [1, 3]]),), {}, math.ceil(8 / 3) + 2 * 4),   # ints in, float64 out
    # solve: 22 + nrhs·n²
    ("solve", (SQ, B_VEC), {}, 22 + 16),
    ("solve", (STACK, B_STACK), {}, 3 * (22 + 2 * 16)),
    ("solve", (SQ, RNG.standard_normal((5, 4, 3))), {}, 5 * (22 + 3 * 16)),   # broadcast batch
    # tensorsolve: N = prod(b.shape) = 6 unknowns: ⌈216/3⌉ + 36
    ("tensorsolve", (RNG.standard_normal((2, 3, 6)), RNG.standard_normal((2, 3))), {}, 72 + 36),
    # tensorinv: N = 8·3 = 24: ⌈24³/3⌉ + 24³ = 4608 + 13824
    ("tensorinv", (RNG.standard_normal((4, 6, 8, 3)),), {"ind": 2}, 4608 + 13824),
    # qr, 6×4, k = 4: 3·H(6,4,4) = 6·6·4·4 − 3·10·16 + 2·64 = 224 (R); reduced Q the same
    ("qr", (TALL,), {}, math.ceil((224 + 224) / 3)),
    # complete Q: 3·H(6,6,4) = 6·36·4 − 3·12·16 + 128 = 416
    ("qr", (TALL,), {"mode": "complete"}, math.ceil((224 + 416) / 3)),
    ("qr", (TALL,), {"mode": "r"}, math.ceil(224 / 3)),
    ("qr", (TALL,), {"mode": "raw"}, math.ceil(224 / 3)),
    # 4×6: R 3·H(4,6,4) = 576 − 480 + 128 = 224, Q 3·H(4,4,4) = 384 − 384 + 128 = 128
    ("qr", (WIDE,), {}, math.ceil((224 + 128) / 3)),
    ("qr", (TALL_STACK,), {}, 3 * 150),
    # eigenproblems
    ("eig", (SQ,), {}, math.ceil(79 * 64 / 6)),          # 843
    ("eigvals", (STACK,), {}, 3 * 5 * 64),
    ("eigvals", (SPD[0],), {}, 5 * 64),                  # symmetric: NumPy returns real values
    ("eigh", (SPD,), {}, 3 * math.ceil(9 * 64 / 2)),     # 288 each
    ("eigvalsh", (SPD[0],), {"UPLO": "U"}, math.ceil(2 * 64 / 3)),  # 43
    # svd of 6×4, M = 6, N = 4 (GVL Fig. 8.6.1 halved)
    ("svd", (TALL,), {}, (4 * 36 * 4 + 8 * 6 * 16 + 9 * 64) // 2),             # full: 960
    ("svd", (TALL,), {"full_matrices": False}, (14 * 6 * 16 + 8 * 64) // 2),   # thin: 928
    ("svd", (TALL,), {"compute_uv": False}, math.ceil((6 * 6 * 16 - 2 * 64) / 3)),  # 150
    ("svd", (WIDE,), {"compute_uv": False}, 150),       # same as its transpose
    ("svd", (TALL.astype(np.float32),), {"full_matrices": False}, 928),     # float32 kept
    # square: the thin row (1408) exceeds the full one (1344), so the full is charged
    ("svd", (SQ,), {"full_matrices": False}, 1344 // 2),
    ("svd", (SPD[0],), {"hermitian": True}, 288),       # eigh
    ("svd", (SPD[0],), {"hermitian": True, "compute_uv": False}, 43),  # eigvalsh
    ("svdvals", (TALL_STACK,), {}, 3 * 150),
    # lstsq: 2MN² + 4N³ + nrhs·(MN + N²) = 192 + 256 + nrhs·40
    ("lstsq", (TALL, B_TALL), {}, 192 + 256 + 40),
    ("lstsq", (TALL, B_TALL3), {}, 192 + 256 + 3 * 40),
    ("lstsq", (WIDE, B_VEC), {}, 192 + 256 + 40),       # underdetermined: same M, N
    # pinv: thin svd 928 + m·n·N = 6·4·4
    ("pinv", (TALL,), {}, 928 + 96),
    ("pinv", (SPD[0],), {"hermitian": True}, 288 + 64),
    ("matrix_rank", (TALL_STACK,), {}, 3 * 150),
    ("matrix_rank", (np.array([0.0, 1.0, 0.0]),), {}, 3),   # below 2-D: one test per entry
    ("matrix_rank", (SPD[0],), {"hermitian": True}, 43),
    # cond: p None/±2 -> svd values (4×4: ⌈(384 − 128)/3⌉ = 86); else inv + 2·norm
    ("cond", (SQ,), {}, 86),
    ("cond", (STACK,), {"p": -2}, 3 * 86),
    ("cond", (SQ,), {"p": "fro"}, 86 + 2 * 16),
    ("cond", (SQ,), {"p": np.inf}, 86 + 2 * 16),
    ("cond", (SQ,), {"p": "nuc"}, 86 + 2 * 86),
    ("cond", (TALL,), {}, 150),                          # non-square is fine for p = None
    # matrix_power: (bit_length + popcount − 2)·n³ (+ inv for p < 0)
    ("matrix_power", (SQ, 5), {}, (3 + 2 - 2) * 64),
    ("matrix_power", (SQ, -3), {}, 86 + (2 + 2 - 2) * 64),
    ("matrix_power", (SQ, 0), {}, 0),
    ("matrix_power", (SQ, 1), {}, 0),
    ("matrix_power", (STACK, 8), {}, 3 * (4 + 1 - 2) * 64),
    # multi_dot: (AB)C = 10·100·5 + 10·5·50
    ("multi_dot", ([RNG.standard_normal((10, 100)), RNG.standard_normal((100, 5)),
                    RNG.standard_normal((5, 50))],), {}, 5000 + 2500),
    ("multi_dot", ([SQ, B_VEC],), {}, 16),              # two operands: a dot
    # norms: one FLOP per element; SVD for 2, −2, 'nuc'
    ("norm", (STACK,), {}, 48),
    ("norm", (SQ,), {"ord": 2}, 86),
    ("norm", (SQ,), {"ord": "nuc"}, 86),
    ("norm", (SQ,), {"ord": 1}, 16),
    ("norm", (SQ,), {"ord": -np.inf}, 16),
    ("norm", (SQ,), {"ord": "fro"}, 16),
    ("norm", (B_TALL,), {"ord": 3}, 2 * 6),             # general p: power + accumulation
    ("norm", (B_TALL,), {"ord": 0}, 6),
    ("norm", (STACK,), {"axis": 1}, 48),
    ("norm", (STACK,), {"axis": (1, 2), "ord": -2, "keepdims": True}, 3 * 86),
    ("norm", (np.float64(3.0),), {}, 1),                 # 0-d input
    ("matrix_norm", (STACK,), {}, 48),
    ("matrix_norm", (STACK,), {"ord": 2}, 3 * 86),
    ("vector_norm", (STACK,), {}, 48),
    ("vector_norm", (STACK,), {"ord": 0.5, "axis": (0, 2), "keepdims": True}, 2 * 48),
    ("vector_norm", (np.float64(-2.0),), {}, 1),
    # mirrors of top-level functions
    ("matmul", (STACK, STACK), {}, 3 * 4 * 4 * 4),
    ("outer", (B_VEC, B_TALL), {}, 4 * 6),
    ("tensordot", (SQ, SQ), {}, 16),
    ("tensordot", (SQ, SQ), {"axes": 1}, 64),
    ("vecdot", (TALL, TALL), {}, 24),
    ("trace", (STACK,), {}, 3 * 4),
    ("trace", (STACK,), {"offset": 1}, 3 * 3),
    ("trace", (STACK,), {"dtype": np.float32}, 3 * 4),
    ("cross", (RNG.standard_normal((5, 3)), RNG.standard_normal(3)), {}, 5 * 6),
]


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_cost_and_numpy_parity(name, args, kwargs, cost):
    fn = getattr(fnp.linalg, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result, used, logged = charged(fn, *args, **kwargs)
        expected = getattr(np.linalg, name)(*args, **kwargs)
    assert used == cost
    assert logged == ([f"linalg.{name}"] if cost else logged)
    if name == "lstsq":   # rank is a NumPy integer scalar, compared by value
        assert_same(result[:2] + result[3:], expected[:2] + expected[3:])
        assert result[2] == expected[2] and type(result[2]) is type(expected[2])
    else:
        assert_same(result, expected)


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_repeated_calls_on_flopscope_arrays_charge_the_hand_computed_cost(name, args, kwargs,
                                                                         cost):
    # flopscope arrays take the executor's table of known calls from the second call on.
    fn = getattr(fnp.linalg, name)
    fargs = tuple(fnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = getattr(np.linalg, name)(*args, **kwargs)
        with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
            results = [fn(*fargs, **kwargs) for _ in range(3)]
    if cost:
        assert [r.flop_cost for r in ctx.op_log] == [cost] * 3
    else:
        assert ctx.flops_used == 0
    for result in results:
        if name == "lstsq":
            assert_same(result[:2] + result[3:], expected[:2] + expected[3:])
        else:
            assert_same(result, expected)


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_shape_rule_matches_numpy(name, args, kwargs, cost):
    op = lookup(f"linalg.{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        spec = op.shape(*args, **kwargs)
        expected = specs_of(getattr(np.linalg, name)(*args, **kwargs))
        assert op.cost(*args, **kwargs) == cost
    if name == "lstsq":
        # residuals exist only for m > n (and full rank): planned at one per right-hand side
        x, resids, rank, s = spec
        m, n = args[0].shape
        assert (x, rank, s) == (expected[0], expected[2], expected[3])
        assert resids.bound == (m > n) and resids.shape[0] >= expected[1].shape[0]
        assert resids.dtype == expected[1].dtype
    elif name in ("eig", "eigvals"):
        # planned complex; NumPy returns real when every eigenvalue is real
        got = spec if name == "eig" else (spec,)
        exp = expected if name == "eig" else (expected,)
        for g, e in zip(got, exp, strict=True):
            assert g.shape == e.shape and g.dtype == np.result_type(e.dtype, np.complex64)
    else:
        assert strip_bounds(spec) == expected


@pytest.mark.parametrize("name, kwargs", [("diagonal", {"offset": 1}), ("matrix_transpose", {})])
def test_free_views_are_not_logged(name, kwargs):
    result, used, logged = charged(getattr(fnp.linalg, name), STACK, **kwargs)
    assert used == 0 and logged == []
    assert_same(result, getattr(np.linalg, name)(STACK, **kwargs), exact=True)
    assert lookup(f"linalg.{name}").category is Category.FREE
    assert lookup(f"linalg.{name}").shape(STACK, **kwargs) == specs_of(result)


# -- the registry covers numpy.linalg ----------------------------------------------------------


def test_every_numpy_linalg_callable_has_an_entry():
    public = {n for n in dir(np.linalg) if not n.startswith("_")} - {"LinAlgError"}
    for name in public:
        op = REGISTRY[f"linalg.{name}"]
        assert op.module == "numpy.linalg" and op.attr == name
        if name == "test":
            assert op.category is Category.BLOCKED
            continue
        assert op.numpy_func is getattr(np.linalg, name)
        assert hasattr(fnp.linalg, name)
    counted = [n for n in public if REGISTRY[f"linalg.{n}"].category is Category.CUSTOM]
    assert len(public) - 1 == 31 and len(counted) == 29
    assert fnp.linalg.LinAlgError is np.linalg.LinAlgError
    with pytest.raises(AttributeError, match="blocked"):
        fnp.linalg.test  # noqa: B018 (the lookup itself raises)


def test_every_custom_formula_has_a_cost_query():
    queries = set(flops.accounting.__all__)
    for name in ("cholesky", "det", "slogdet", "solve", "inv", "tensorsolve", "tensorinv", "qr",
                 "eig", "eigvals", "eigh", "eigvalsh", "svd", "svdvals", "lstsq", "pinv",
                 "matrix_rank", "cond", "matrix_power", "multi_dot", "norm", "matrix_norm",
                 "vector_norm"):
        assert f"{name}_cost" in queries
    assert not any(q.endswith("call_cost") for q in queries)


# -- cost queries ----------------------------------------------------------------------------------


def test_cost_queries_by_hand():
    assert flops.svd_cost(m=256, n=256, k=10) == 256 * 256 * 10 == 655_360
    assert svd_cost(6, 4) == (4 * 36 * 4 + 8 * 6 * 16 + 9 * 64) // 2        # full, 960
    assert svd_cost(4, 6) == svd_cost(6, 4)
    assert svd_cost(6, 4, full_matrices=False) == 928
    assert svd_cost(6, 4, compute_uv=False) == svdvals_cost(6, 4) == 150
    assert svd_cost(6, 4, k=0) == 0
    assert svd_cost(0, 5) == 0
    assert cholesky_cost(6) == 6**3 // 6 == 36
    assert cholesky_cost(1) == 1                        # ⌈1/6⌉: never 0 for a real problem
    assert det_cost(3, batch=5) == 5 * 9
    assert solve_cost(100) == math.ceil(100**3 / 3) + 100**2 == 343_334
    assert solve_cost(10, nrhs=3) == 334 + 3 * 100
    assert inv_cost(3) == 9 + 27
    assert qr_cost(6, 3) == 45 + 45                    # R: 9·(6 − 1), Q: 6·9 − 9
    assert qr_cost(6, 3, "complete") == math.ceil(45 + 2 * (108 - 54 + 9))
    assert eigvalsh_cost(3) == 18 and eigh_cost(3) == 122
    assert eigvals_cost(3) == 135 and eig_cost(3) == 356
    assert lstsq_cost(10, 3) == 2 * 10 * 9 + 4 * 27 + (30 + 9)
    assert matrix_power_cost(10, 5) == 3 * 1000
    assert matrix_power_cost(10, -1) == inv_cost(10)
    assert flops.accounting.norm_cost((10, 4, 4), ord=2, axis=(1, 2)) == 10 * 86
    assert flops.accounting.vector_norm_cost((100,), ord=3) == 200
    assert flops.accounting.matrix_norm_cost(4, 4, "nuc", batch=2) == 2 * 86
    assert flops.accounting.cond_cost(3, 3, p=1) == 36 + 2 * 9
    assert flops.accounting.pinv_cost(3, 3) == 284 + 27
    assert flops.accounting.tensorinv_cost(24) == 4608 + 13824


@pytest.mark.parametrize("query, args", [
    (svd_cost, (3, 4, 5)), (svd_cost, (3, 4, -1)), (svd_cost, (-1, 4)), (cholesky_cost, (-2,)),
    (qr_cost, (3, 3, "bogus")),
])
def test_cost_queries_reject_bad_arguments(query, args):
    with pytest.raises(ValueError):
        query(*args)


def test_svd_cost_without_k_is_what_fnp_svd_charges():
    for shape in [(6, 4), (4, 6), (5, 5), (1, 7)]:
        a = RNG.standard_normal(shape)
        for flags in [{}, {"full_matrices": False}, {"compute_uv": False}]:
            _, used, _ = charged(fnp.linalg.svd, a, **flags)
            assert used == svd_cost(*shape, **flags)


# -- the top-k SVD (flopscope's k=) ----------------------------------------------------------


@pytest.mark.parametrize("shape, k", [((6, 4), 2), ((4, 6), 3), ((3, 5, 4), 1), ((4, 4), 4),
                                      ((4, 4), 0)])
def test_truncated_svd_values_and_cost(shape, k):
    a = RNG.standard_normal(shape)
    (u, s, vh), used, logged = charged(fnp.linalg.svd, a, k=k)
    m, n = shape[-2:]
    batch = math.prod(shape[:-2])
    assert used == batch * m * n * k and logged == ["linalg.svd"]
    full_u, full_s, full_vh = np.linalg.svd(a)
    assert type((u, s, vh)) is tuple  # unpacked; the result itself is an SVDResult
    assert_same(fnp.linalg.svd(a, k=k), type(np.linalg.svd(a))(
        full_u[..., :, :k], full_s[..., :k], full_vh[..., :k, :]), exact=True)
    values, used, _ = charged(fnp.linalg.svd, a, k=k, compute_uv=False)
    assert used == batch * m * n * k
    assert_same(values, np.linalg.svd(a, compute_uv=False)[..., :k], exact=True)


def test_truncated_svd_rejects_bad_k_without_charging():
    for k in (5, -1):
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            with pytest.raises(ValueError, match="k must be between"):
                fnp.linalg.svd(TALL, k=k)
        assert ctx.flops_used == 0 and ctx.op_log == []
    with pytest.raises(TypeError):
        fnp.linalg.svd(TALL, k=1.5)


def test_k_is_documented_on_fnp_svd():
    assert "k=" in fnp.linalg.svd.__doc__
    assert "k" in lookup("linalg.svd").impl.__doc__
    assert "top-k" in lookup("linalg.svd").formula


def test_truncated_svd_budget_is_checked_before_running():
    a = RNG.standard_normal((50, 40))
    with flops.BudgetContext(flop_budget=50 * 40 * 10 - 1, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.linalg.svd(a, k=10)
        fnp.linalg.svd(a, k=9)
    assert ctx.flops_used == 50 * 40 * 9


# -- NumPy's own functions on flopscope arrays are counted -------------------------------------


ROUTED = [
    ("svd", (TALL,), {}), ("svd", (STACK,), {"compute_uv": False}), ("inv", (SQ,), {}),
    ("solve", (STACK, B_STACK), {}), ("eigh", (SPD,), {}), ("qr", (TALL,), {"mode": "complete"}),
    ("norm", (STACK,), {"axis": -1}), ("multi_dot", ([SQ, SQ, B_VEC],), {}),
    ("lstsq", (TALL, B_TALL3), {}), ("det", (STACK,), {}), ("trace", (STACK,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", ROUTED, ids=[r[0] for r in ROUTED])
def test_numpy_functions_on_flopscope_arrays_are_counted(name, args, kwargs):
    def wrap(x):
        if isinstance(x, list):
            return [fnp.asarray(i) for i in x]
        return fnp.asarray(x)

    fargs = tuple(wrap(a) for a in args)
    via_numpy, used_numpy, log_numpy = charged(getattr(np.linalg, name), *fargs, **kwargs)
    _, used_fnp, _ = charged(getattr(fnp.linalg, name), *fargs, **kwargs)
    assert used_numpy == used_fnp == lookup(f"linalg.{name}").cost(*args, **kwargs) > 0
    assert log_numpy == [f"linalg.{name}"]
    if name != "lstsq":
        assert_same(via_numpy, getattr(np.linalg, name)(*args, **kwargs))


# -- errors: NumPy's exception types, nothing charged -------------------------------------------


ERRORS = [
    ("inv", (SINGULAR,), {}, np.linalg.LinAlgError),          # singular: data-dependent
    ("solve", (SINGULAR, np.ones(2)), {}, np.linalg.LinAlgError),
    ("cholesky", (-np.eye(3),), {}, np.linalg.LinAlgError),   # not positive definite
    ("inv", (TALL,), {}, np.linalg.LinAlgError),              # not square
    ("det", (B_VEC,), {}, np.linalg.LinAlgError),             # 1-D
    ("eig", (TALL,), {}, np.linalg.LinAlgError),
    ("solve", (SQ, np.ones(3)), {}, ValueError),              # shape mismatch
    ("lstsq", (TALL, np.ones(5)), {}, np.linalg.LinAlgError),
    ("qr", (TALL,), {"mode": "bogus"}, ValueError),
    ("norm", (STACK,), {"axis": 3}, np.exceptions.AxisError),
    ("norm", (SQ,), {"ord": "bogus"}, ValueError),
    ("norm", (B_VEC,), {"ord": "fro"}, ValueError),
    ("norm", (STACK,), {"ord": 2}, ValueError),               # 3-D without axis
    ("vector_norm", (STACK,), {"axis": 5}, np.exceptions.AxisError),
    ("matrix_power", (SQ, 1.5), {}, TypeError),
    ("multi_dot", ([SQ],), {}, ValueError),
    ("multi_dot", ([SQ, TALL, SQ],), {}, ValueError),
    ("cond", (np.zeros((0, 0)),), {}, np.linalg.LinAlgError),
    ("cross", (np.ones(2), np.ones(2)), {}, ValueError),
    ("outer", (SQ, B_VEC), {}, ValueError),
    ("tensorinv", (np.ones((2, 3)),), {"ind": 1}, np.linalg.LinAlgError),
]


@pytest.mark.parametrize("name, args, kwargs, error", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_are_numpys_and_nothing_is_charged(name, args, kwargs, error):
    with pytest.raises(error):
        getattr(np.linalg, name)(*args, **kwargs)
    fargs = tuple(fnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for call_args in (args, fargs, fargs):  # a rejected call is never remembered
            with pytest.raises(error):
                getattr(fnp.linalg, name)(*call_args, **kwargs)
    assert ctx.flops_used == 0 and ctx.op_log == []


def test_budget_refuses_before_running():
    with flops.BudgetContext(flop_budget=85, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.linalg.inv(SQ)               # 86 FLOPs
    assert info.value.op_name == "linalg.inv" and ctx.flops_used == 0


# -- multi_dot: the charged order is the order NumPy runs -----------------------------------------


def _numpy_order(shapes):
    """The parenthesization numpy.linalg.multi_dot evaluates (from its private helpers)."""
    from numpy.linalg import _linalg

    arrays = [np.empty(s) for s in shapes]
    if len(arrays) == 3:
        (a0, a1b0), (_, c1) = shapes[0], shapes[2]
        b1c0 = shapes[2][0]
        return ((0, 1), 2) if a0 * b1c0 * (a1b0 + c1) < a1b0 * c1 * (a0 + b1c0) else (0, (1, 2))
    split = _linalg._multi_dot_matrix_chain_order(arrays)

    def build(i, j):
        return i if i == j else (build(i, int(split[i, j])), build(int(split[i, j]) + 1, j))

    return build(0, len(arrays) - 1)


def _order_cost(order, dims):
    """(cost, (rows, cols)) of evaluating ``order`` over a chain with dimensions ``dims``."""
    if isinstance(order, int):
        return 0, (dims[order], dims[order + 1])
    (cl, (r, k)), (cr, (_, c)) = _order_cost(order[0], dims), _order_cost(order[1], dims)
    return cl + cr + r * k * c, (r, c)


def test_multi_dot_clrs_example():
    # CLRS §15.2: dimensions 30, 35, 15, 5, 10, 20, 25 -> 15,125 multiplications
    dims = [30, 35, 15, 5, 10, 20, 25]
    shapes = list(itertools.pairwise(dims))
    assert multi_dot_cost(shapes) == 15_125
    assert multi_dot_order(shapes) == ((0, (1, 2)), ((3, 4), 5))
    assert multi_dot_order(shapes) == _numpy_order(shapes)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=4, max_size=8))
def test_multi_dot_order_is_numpys_and_optimal(dims):
    shapes = list(itertools.pairwise(dims))
    order = multi_dot_order(shapes)
    assert order == _numpy_order(shapes)
    assert _order_cost(order, dims)[0] == multi_dot_cost(shapes)


def test_multi_dot_out_argument():
    a, b, c = RNG.standard_normal((10, 20)), RNG.standard_normal((20, 5)), RNG.standard_normal((5, 8))
    out = fnp.empty((10, 8))
    result, used, _ = charged(fnp.linalg.multi_dot, [a, b, c], out=out)
    assert result is out and used == 10 * 20 * 5 + 10 * 5 * 8     # (AB)C
    np.testing.assert_allclose(np.asarray(out), np.linalg.multi_dot([a, b, c]), rtol=1e-12)


def test_multi_dot_vector_ends_and_result():
    v, w = RNG.standard_normal(4), RNG.standard_normal(5)
    mats = [v, RNG.standard_normal((4, 6)), RNG.standard_normal((6, 5)), w]
    result, used, _ = charged(fnp.linalg.multi_dot, mats)
    # chain 1×4, 4×6, 6×5, 5×1: best is v(A(Bw)) = 6·5·1 + 4·6·1 + 1·4·1 = 58
    assert used == 30 + 24 + 4 == multi_dot_cost([m.shape for m in mats])
    assert_same(result, np.linalg.multi_dot(mats), exact=True)


# -- plans agree with eager runs -------------------------------------------------------------------


PLANNED = [
    (lambda a: fnp.linalg.svd(a), [(3, 6, 4)]),
    (lambda a: fnp.linalg.svd(a, k=2), [(6, 4)]),
    (lambda a: fnp.linalg.svd(a, full_matrices=False), [(4, 7)]),
    (lambda a: fnp.linalg.eigh(a @ a.mT), [(2, 5, 5)]),
    (lambda a: fnp.linalg.qr(a, mode="complete"), [(7, 3)]),
    (lambda a, b: fnp.linalg.solve(a, b), [(3, 4, 4), (3, 4, 2)]),
    (lambda a, b: fnp.linalg.lstsq(a, b)[0], [(8, 3), (8,)]),
    (lambda a: fnp.linalg.slogdet(a), [(2, 3, 3)]),
    (lambda a: fnp.linalg.norm(a, ord="nuc", axis=(0, 2)), [(4, 2, 5)]),
    (lambda a: fnp.linalg.matrix_power(a, 7), [(5, 5)]),
    (lambda a, b, c: fnp.linalg.multi_dot([a, b, c]), [(9,), (9, 3), (3, 8)]),
    (lambda a: np.linalg.inv(a) @ a, [(4, 4)]),
    (lambda a: fnp.linalg.pinv(a), [(5, 3)]),
    (lambda a: fnp.linalg.cond(a, "fro"), [(2, 3, 3)]),
]


def _eager_inputs(shapes):
    return [fnp.asarray(RNG.standard_normal(s) + (3 * np.eye(s[-1]) if len(s) > 1 and s[-1] == s[-2]
                                                 else 0)) for s in shapes]


def _specs(value):
    if isinstance(value, ArraySpec):
        return ArraySpec(value.shape, value.dtype)
    if isinstance(value, tuple):
        items = [_specs(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    arr = np.asarray(value)
    return ArraySpec(arr.shape, arr.dtype)


@pytest.mark.skipif(not hasattr(flops, "plan"), reason="flops.plan is not available yet")
@pytest.mark.parametrize("fn, shapes", PLANNED, ids=[str(i) for i in range(len(PLANNED))])
def test_plan_agrees_with_eager_run(fn, shapes):
    planned = flops.plan(fn, *shapes)
    inputs = _eager_inputs(shapes)
    result, used, _ = charged(fn, *inputs)
    assert planned.analytical_flops == used > 0
    assert _specs(planned.outputs) == _specs(result)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(0, 3), m=st.integers(1, 6), n=st.integers(1, 6),
       full=st.booleans(), uv=st.booleans())
def test_svd_and_qr_shape_rules_match_numpy(batch, m, n, full, uv):
    a = RNG.standard_normal((batch, m, n) if batch else (m, n))
    spec = lookup("linalg.svd").shape(a, full, uv)
    assert spec == specs_of(np.linalg.svd(a, full, uv))
    for mode in ("reduced", "complete", "r", "raw"):
        assert lookup("linalg.qr").shape(a, mode) == specs_of(np.linalg.qr(a, mode))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 60), batch=st.integers(1, 4))
def test_costs_are_monotone_in_n(n, batch):
    for query in (cholesky_cost, det_cost, inv_cost, eig_cost, eigvals_cost, eigh_cost,
                  eigvalsh_cost, solve_cost):
        assert query(n + 1, batch=batch) >= query(n, batch=batch) >= 0
        assert query(n, batch=batch) == batch * query(n)
    for m in (n, n + 3):
        for flags in ({}, {"full_matrices": False}, {"compute_uv": False}):
            assert svd_cost(m + 1, n + 1, **flags) >= svd_cost(m, n + 1, **flags)
            assert svd_cost(m, n + 1, **flags) >= svd_cost(m, n, **flags)
        assert qr_cost(m + 1, n) >= qr_cost(m, n) and qr_cost(m, n + 1) >= qr_cost(m, n)
        assert lstsq_cost(m + 1, n) >= lstsq_cost(m, n)
