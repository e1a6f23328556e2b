"""Third-party NumPy code on fnp: positional ``out``, stride tricks, errstate, symmetry warnings.

Each test reproduces what a library written for NumPy does (``np.sqrt(x, x)``,
``np.lib.stride_tricks.as_strided``, ``with np.errstate(...)``, an ensemble
covariance ``X @ X.T``) and checks fnp gives NumPy's result, charges the
documented cost, and says nothing it should not.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.numpy._surface import CALLABLES
from flopscope.registry import REGISTRY

UFUNCS = sorted(op.name for op in REGISTRY.values() if op.kind == "ufunc")

_GUFUNC_SHAPES = {  # (input shapes, output shape) for the generalized ufuncs
    "matmul": ([(3, 4), (4, 2)], (3, 2)),
    "matvec": ([(3, 4), (4,)], (3,)),
    "vecmat": ([(4,), (4, 3)], (3,)),
    "vecdot": ([(3, 4), (3, 4)], (3,)),
}


def _signature(ufunc: np.ufunc) -> str:
    """A loop of ``ufunc`` whose inputs all have one type, preferring float64."""
    for preferred in ("d", "l", "q", "?", "D", "M"):
        for loop in ufunc.types:
            ins, outs = loop.split("->")
            if set(ins) == {preferred} and "O" not in outs:
                return loop
    for loop in ufunc.types:  # mixed inputs (ldexp: float64, int)
        if loop.startswith("d") and "O" not in loop:
            return loop
    raise AssertionError(f"no plain loop for {ufunc.__name__}")


def _operands(name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    ufunc = REGISTRY[name].impl
    ins, outs = _signature(ufunc).split("->")
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    shapes, out_shape = _GUFUNC_SHAPES.get(name, ([(3, 4)] * ufunc.nin, (3, 4)))
    inputs = []
    for code, shape in zip(ins, shapes):
        dtype = np.dtype(code)
        if dtype.kind == "M":
            inputs.append(np.arange(12).reshape(shape).astype("M8[D]"))
        elif dtype.kind == "b":
            inputs.append(rng.random(shape) > 0.5)
        elif dtype.kind in "iu":
            inputs.append(rng.integers(1, 5, size=shape).astype(dtype))
        else:
            inputs.append((rng.random(shape) * 0.8 + 0.1).astype(dtype))
    outputs = [np.zeros(out_shape, dtype=np.dtype(code)) for code in outs]
    return inputs, outputs


@pytest.mark.parametrize("name", UFUNCS)
def test_every_ufunc_accepts_positional_out(name):
    """``f(a, b, out)`` writes into ``out``, returns it, and costs what ``f(a, b, out=out)`` does."""
    ufunc = REGISTRY[name].impl
    inputs, expected_outs = _operands(name)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # NumPy deprecates positional out for maximum/minimum (still accepted)
        warnings.simplefilter("ignore", DeprecationWarning)
        ufunc(*inputs, *expected_outs)
        outs = [fnp.zeros_like(o) for o in expected_outs]
        keyword_outs = [fnp.zeros_like(o) for o in expected_outs]
        fn = CALLABLES[name]
        with flops.BudgetContext(10**9) as positional:
            result = fn(*[fnp.asarray(a) for a in inputs], *outs)
        with flops.BudgetContext(10**9) as keyword:
            fn(*[fnp.asarray(a) for a in inputs],
               out=keyword_outs[0] if len(outs) == 1 else tuple(keyword_outs))
    results = result if isinstance(result, tuple) else (result,)
    assert len(results) == len(outs)
    for got, out, expected in zip(results, outs, expected_outs):
        assert got is out  # the caller's own array comes back, as in NumPy
        assert type(got) is fnp.ndarray
        np.testing.assert_array_equal(np.asarray(out), expected)
    assert positional.flops_used == keyword.flops_used > 0


def test_positional_out_examples_from_the_issue():
    x = fnp.array([1.0, 4.0, 9.0])
    with flops.BudgetContext(10**6) as budget:
        assert fnp.sqrt(x, x) is x
        a, b = fnp.ones(3), fnp.full(3, 2.0)
        assert fnp.add(a, b, a) is a
        q, r = fnp.zeros(3), fnp.zeros(3)
        assert fnp.divmod(fnp.array([5.0, 6.0, 7.0]), 2.0, q, r) == (q, r)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(a, [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(q, [2.0, 3.0, 3.0])
    np.testing.assert_array_equal(r, [1.0, 0.0, 1.0])
    assert budget.flops_used == 3 + 3 + 3  # numel(output) each, unit weights
    # NumPy's own entry point on a flopscope array takes the same path
    assert np.sqrt(x, x) is x
    # the optional second output of divmod may be left out, or None
    only_q = fnp.zeros(3)
    fnp.divmod(fnp.array([5.0, 6.0, 7.0]), 2.0, only_q)
    np.testing.assert_array_equal(only_q, [2.0, 3.0, 3.0])
    assert type(fnp.sqrt(x, None)) is fnp.ndarray


def test_positional_out_errors_are_numpys_and_charge_nothing():
    x = fnp.array([1.0, 4.0])
    p = np.array([1.0, 4.0])
    cases = [  # (flopscope call, the same call on NumPy arrays)
        (lambda: fnp.sqrt(x, x, out=x), lambda: np.sqrt(p, p, out=p)),
        (lambda: fnp.sqrt(x, x, x), lambda: np.sqrt(p, p, p)),
        (lambda: fnp.add(x, x, x, x), lambda: np.add(p, p, p, p)),
    ]
    with flops.BudgetContext(10**6) as budget:
        for ours, theirs in cases:
            with pytest.raises(TypeError) as expected:
                theirs()
            with pytest.raises(type(expected.value)):
                ours()
        assert budget.flops_used == 0
    np.testing.assert_array_equal(x, [1.0, 4.0])


def test_positional_out_over_budget_writes_nothing():
    x = fnp.array([1.0, 4.0, 9.0])
    with flops.BudgetContext(2):
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.sqrt(x, x)
    np.testing.assert_array_equal(x, [1.0, 4.0, 9.0])


def test_positional_out_of_ufunc_methods():
    x = fnp.arange(6.0).reshape(2, 3)
    out = fnp.zeros(3)
    assert fnp.add.reduce(x, 0, None, out) is out
    np.testing.assert_array_equal(out, np.add.reduce(np.arange(6.0).reshape(2, 3), 0))
    acc = fnp.zeros((2, 3))
    assert fnp.multiply.accumulate(x, 1, None, acc) is acc
    np.testing.assert_array_equal(acc, np.multiply.accumulate(np.arange(6.0).reshape(2, 3), 1))


def test_positional_out_in_a_plan():
    def fn(x):
        y = fnp.zeros_like(x)
        fnp.exp(x, y)
        return y

    plan = flops.plan(fn, (4, 5))
    assert plan.flops == 20  # numel(output), unit weights


# -- numpy.lib.stride_tricks ---------------------------------------------------------------


def test_stride_tricks_are_free_views_equal_to_numpys():
    base = np.arange(10.0)
    x = fnp.asarray(base)
    with flops.BudgetContext(10**6) as budget:
        windows = fnp.lib.stride_tricks.sliding_window_view(x, 3)
        strided = fnp.lib.stride_tricks.as_strided(x, shape=(4, 3), strides=(16, 8))
        via_numpy = np.lib.stride_tricks.sliding_window_view(x, (2,), axis=0)
    assert budget.flops_used == 0 and len(budget.op_log) == 0
    np.testing.assert_array_equal(windows, np.lib.stride_tricks.sliding_window_view(base, 3))
    np.testing.assert_array_equal(strided, np.lib.stride_tricks.as_strided(base, (4, 3), (16, 8)))
    np.testing.assert_array_equal(via_numpy, np.lib.stride_tricks.sliding_window_view(base, 2))
    for view in (windows, strided, via_numpy):
        assert type(view) is fnp.ndarray
        assert np.shares_memory(view, x)
    assert not windows.flags.writeable  # read-only, as NumPy makes it
    with flops.BudgetContext(10**6) as budget:
        windows.mean(axis=-1)
    assert budget.flops_used == windows.size  # arithmetic on the windows is counted
    strided[0, 0] = -1.0  # writes reach the base, as in NumPy
    assert x[0] == -1.0


def test_stride_tricks_plan_and_edges():
    def fn(x):
        return fnp.lib.stride_tricks.sliding_window_view(fnp.exp(x), 4).sum(axis=-1)

    plan = flops.plan(fn, (10,))
    assert plan.flops == 10 + 7 * 4
    with flops.BudgetContext(10**6) as budget:
        fn(fnp.arange(10.0))
    assert budget.flops_used == plan.flops
    graph = budget.graph
    exp_node, sum_node = [n for n, d in graph.nodes(data=True) if d.get("kind") != "input"][:2]
    assert graph.has_edge(exp_node, sum_node)  # the free view passes the data-flow edge


def test_the_rest_of_numpy_lib_stays_withheld():
    with pytest.raises(AttributeError, match="stride_tricks"):
        fnp.lib.NumpyVersion  # noqa: B018
    with pytest.raises(AttributeError):
        fnp.lib.stride_tricks.no_such_name  # noqa: B018


# -- errstate ----------------------------------------------------------------------------


def test_errstate_is_numpys_free_context_manager():
    assert fnp.errstate is np.errstate
    x = fnp.array([1.0, 0.0])
    with flops.BudgetContext(10**6) as budget:
        with fnp.errstate(divide="raise"):
            with pytest.raises(FloatingPointError):
                fnp.array([1.0]) / x[1:]
        with fnp.errstate(divide="ignore", invalid="ignore"):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                y = x / x
    assert np.isnan(y[1])
    # x / x costs 2; errstate costs nothing, and the division NumPy refused inside
    # the block raised before it was charged
    assert budget.flops_used == 2
    assert np.geterr()["divide"] == "warn"  # nothing leaked out of the blocks


def test_error_configuration_stays_blocked():
    for name in ("seterr", "geterr", "seterrcall", "geterrcall"):
        with pytest.raises(AttributeError, match="blocked"):
            getattr(fnp, name)


# -- SymmetryLossWarning only for declared symmetry ------------------------------------------


def _ensemble(n: int = 4, members: int = 6) -> fnp.ndarray:
    return fnp.asarray(np.random.default_rng(3).normal(size=(n, members)))


def test_inferred_symmetry_is_dropped_silently():
    """filterpy's ensemble Kalman filter: P = X X^T / (N-1), then ordinary updates."""
    X = _ensemble()
    with warnings.catch_warnings():
        warnings.simplefilter("error", flops.SymmetryLossWarning)
        P = fnp.einsum("ij,kj->ik", X, X) / 5.0
        assert isinstance(P, flops.SymmetricTensor)  # inferred, and costed as such
        P[0, 1] += 1.0  # breaks the inferred symmetry: no warning
        Q = fnp.dot(X, X.T)
        Q[:, 0] = 0.0
        R = fnp.einsum("ij,kj->ik", X, X)
        R.reshape(-1)
        R[0]
        fnp.cumsum(R)
        K = fnp.einsum("ij,kj->ik", X, X) + fnp.eye(4)
        K[1, 2] = 7.0
    assert not isinstance(P, flops.SymmetricTensor) or not P.symmetry


@pytest.mark.parametrize("declare", [
    lambda a: flops.as_symmetric(a + a.T),
    lambda a: flops.symmetrize(a),
])
def test_declared_symmetry_still_warns(declare):
    a = fnp.asarray(np.random.default_rng(4).normal(size=(3, 3)))
    S = declare(a)
    with pytest.warns(flops.SymmetryLossWarning):
        S.reshape(-1)
    # symmetry carried from a declared array stays declared
    T = declare(a) * 2.0
    assert isinstance(T, flops.SymmetricTensor) and T.symmetry
    with pytest.warns(flops.SymmetryLossWarning):
        T.reshape(-1)
    V = declare(a).T
    with pytest.warns(flops.SymmetryLossWarning):
        V.reshape(-1)
    # a write voids the claim itself (docs/symmetry.md: writes void claims)
    S[0, 1] = 100.0
    assert not S.symmetry


def test_declared_symmetry_warns_in_a_plan_but_inferred_does_not():
    def declared(x):
        S = flops.as_symmetric(x)
        return S.reshape(-1)

    def inferred(x):
        P = fnp.einsum("ij,kj->ik", x, x)
        return P.reshape(-1)

    with pytest.warns(flops.SymmetryLossWarning):
        flops.plan(declared, (3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", flops.SymmetryLossWarning)
        flops.plan(inferred, (3, 3))


_A = np.arange(12.0).reshape(3, 4)
_B = np.arange(20.0).reshape(4, 5)

#: ``call(xp, out)``: a NumPy function with its ``out`` passed by position.
POSITIONAL_OUT_FUNCTIONS = {
    "dot": lambda xp, o: xp.dot(xp.asarray(_A), xp.asarray(_B), o(3, 5)),
    "cumsum": lambda xp, o: xp.cumsum(xp.asarray(_A), 0, None, o(3, 4)),
    "cumprod": lambda xp, o: xp.cumprod(xp.asarray(_A), 1, None, o(3, 4)),
    "take": lambda xp, o: xp.take(xp.asarray(_A), xp.asarray([0, 2]), 1, o(3, 2)),
    "compress": lambda xp, o: xp.compress(xp.asarray([True, False, True]), xp.asarray(_A), 0, o(2, 4)),
    "choose": lambda xp, o: xp.choose(xp.asarray([0, 1, 0]),
                                      [xp.asarray([1.0, 2, 3]), xp.asarray([4.0, 5, 6])], o(3)),
    "mean": lambda xp, o: xp.mean(xp.asarray(_A), 0, None, o(4)),
    "sum": lambda xp, o: xp.sum(xp.asarray(_A), 1, None, o(3)),
    "prod": lambda xp, o: xp.prod(xp.asarray(_A), 0, None, o(4)),
    "std": lambda xp, o: xp.std(xp.asarray(_A), 0, None, o(4)),
    "nansum": lambda xp, o: xp.nansum(xp.asarray(_A), 0, None, o(4)),
    "max": lambda xp, o: xp.max(xp.asarray(_A), 0, o(4)),
    "ptp": lambda xp, o: xp.ptp(xp.asarray(_A), 0, o(4)),
    "median": lambda xp, o: xp.median(xp.asarray(_A), 0, o(4)),
    "percentile": lambda xp, o: xp.percentile(xp.asarray(_A), 50, 0, o(4)),
    "clip": lambda xp, o: xp.clip(xp.asarray(_A), 1, 5, o(3, 4)),
    "round": lambda xp, o: xp.round(xp.asarray(_A) / 3, 1, o(3, 4)),
    "fix": lambda xp, o: xp.fix(xp.asarray(_A) / 3, o(3, 4)),
    "outer": lambda xp, o: xp.outer(xp.asarray(_A[0]), xp.asarray(_B[0]), o(4, 5)),
    "add.reduce": lambda xp, o: xp.add.reduce(xp.asarray(_A), 0, None, o(4)),
    "add.accumulate": lambda xp, o: xp.add.accumulate(xp.asarray(_A), 0, None, o(3, 4)),
}


@pytest.mark.parametrize("call", POSITIONAL_OUT_FUNCTIONS.values(), ids=POSITIONAL_OUT_FUNCTIONS.keys())
def test_functions_accept_positional_out(call):
    expected = call(np, lambda *shape: np.zeros(shape))
    outs = []

    def make_out(*shape):
        outs.append(fnp.zeros(shape))
        return outs[-1]

    with flops.BudgetContext(10**6):
        result = call(fnp, make_out)
    assert result is outs[0]  # the caller's own array, as NumPy returns it
    np.testing.assert_array_equal(np.asarray(outs[0]), expected)
