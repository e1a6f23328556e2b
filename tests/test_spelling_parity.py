"""One computation, one charge: equivalent spellings cost the same under the packaged weights.

SPEC.md section 3: a weight belongs to a computation, not to a spelling. Each
row below computes one thing in one way (operator, ``fnp`` function, array
method, NumPy's own function on flopscope arrays, ``RandomState`` /
``Generator`` method, alias); the rows of a computation must be charged the
same (within 5%) with the packaged official weights loaded -- the
configuration users run -- and every result must equal NumPy's exactly.

The expected charge of a computation is computed independently of the rule
under test: its analytical count by hand (m·k·n for a product...) times the
packaged weight of its group's reference op, read from the shipped file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Callable

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights

N = 100
_rng = np.random.default_rng(7)
A = _rng.standard_normal((N, N))
B = _rng.standard_normal((N, N))
V = _rng.standard_normal(N)
W = _rng.standard_normal(N)
X = _rng.standard_normal((40, 50))
DRAWS = 10_000


def _f(x: np.ndarray) -> fnp.ndarray:
    return fnp.asarray(x)


def _seeded_legacy(draw: Callable[[Any], Any]) -> Callable[[], Any]:
    def run() -> Any:
        fnp.random.seed(3)
        return draw(fnp.random)
    return run


def _np_legacy(draw: Callable[[Any], Any]) -> Callable[[], Any]:
    def run() -> Any:
        np.random.seed(3)
        return draw(np.random)
    return run


def _state(draw: Callable[[Any], Any], module: Any) -> Callable[[], Any]:
    return lambda: draw(module.random.RandomState(3))


def _gen(draw: Callable[[Any], Any], module: Any) -> Callable[[], Any]:
    return lambda: draw(module.random.default_rng(3))


def _in_place_sort(module_array: Callable[[np.ndarray], Any]) -> Callable[[], Any]:
    def run() -> Any:
        x = module_array(X.copy())
        x.sort()
        return x
    return run


# (computation, spelling, analytical FLOPs by hand, counted call, NumPy's own call)
SPELLINGS: list[tuple[str, str, int, Callable[[], Any], Callable[[], Any]]] = [
    # -- GEMM-shaped product: m·k·n = 100³
    ("gemm", "a @ b", N**3, lambda: _f(A) @ _f(B), lambda: A @ B),
    ("gemm", "fnp.matmul", N**3, lambda: fnp.matmul(A, B), lambda: np.matmul(A, B)),
    ("gemm", "np.matmul on fnp arrays", N**3, lambda: np.matmul(_f(A), _f(B)),
     lambda: np.matmul(A, B)),
    ("gemm", "fnp.linalg.matmul", N**3, lambda: fnp.linalg.matmul(A, B),
     lambda: np.linalg.matmul(A, B)),
    ("gemm", "fnp.dot", N**3, lambda: fnp.dot(A, B), lambda: np.dot(A, B)),
    ("gemm", "ndarray.dot", N**3, lambda: _f(A).dot(B), lambda: A.dot(B)),
    ("gemm", "fnp.tensordot", N**3, lambda: fnp.tensordot(A, B, 1),
     lambda: np.tensordot(A, B, 1)),
    ("gemm", "fnp.inner", N**3, lambda: fnp.inner(A, B.T), lambda: np.inner(A, B.T)),
    ("gemm", "fnp.einsum", N**3, lambda: fnp.einsum("ij,jk->ik", A, B),
     lambda: np.einsum("ij,jk->ik", A, B)),
    ("gemm", "fnp.einsum optimize", N**3, lambda: fnp.einsum("ij,jk->ik", A, B, optimize=True),
     lambda: np.einsum("ij,jk->ik", A, B, optimize=True)),
    ("gemm", "fnp.linalg.multi_dot", N**3, lambda: fnp.linalg.multi_dot([A, B]),
     lambda: np.linalg.multi_dot([A, B])),
    # -- GEMV-shaped: m·n = 100²
    ("gemv", "a @ v", N**2, lambda: _f(A) @ _f(V), lambda: A @ V),
    ("gemv", "fnp.dot", N**2, lambda: fnp.dot(A, V), lambda: np.dot(A, V)),
    ("gemv", "fnp.matvec", N**2, lambda: fnp.matvec(A, V), lambda: np.matvec(A, V)),
    ("gemv", "fnp.vecmat", N**2, lambda: fnp.vecmat(V, A.T), lambda: np.vecmat(V, A.T)),
    ("gemv", "fnp.einsum", N**2, lambda: fnp.einsum("ij,j->i", A, V),
     lambda: np.einsum("ij,j->i", A, V)),
    ("gemv", "fnp.tensordot", N**2, lambda: fnp.tensordot(A, V, 1),
     lambda: np.tensordot(A, V, 1)),
    ("gemv", "fnp.inner", N**2, lambda: fnp.inner(A, V), lambda: np.inner(A, V)),
    # -- dot-shaped: n = 100
    ("dot", "v @ w", N, lambda: _f(V) @ _f(W), lambda: V @ W),
    ("dot", "fnp.dot", N, lambda: fnp.dot(V, W), lambda: np.dot(V, W)),
    ("dot", "fnp.vdot", N, lambda: fnp.vdot(V, W), lambda: np.vdot(V, W)),
    ("dot", "fnp.inner", N, lambda: fnp.inner(V, W), lambda: np.inner(V, W)),
    ("dot", "fnp.vecdot", N, lambda: fnp.vecdot(V, W), lambda: np.vecdot(V, W)),
    ("dot", "fnp.linalg.vecdot", N, lambda: fnp.linalg.vecdot(V, W),
     lambda: np.linalg.vecdot(V, W)),
    ("dot", "fnp.einsum", N, lambda: fnp.einsum("i,i->", V, W), lambda: np.einsum("i,i->", V, W)),
    ("dot", "fnp.tensordot", N, lambda: fnp.tensordot(V, W, 1), lambda: np.tensordot(V, W, 1)),
    # -- outer product: m·n
    ("outer", "fnp.outer", N**2, lambda: fnp.outer(V, W), lambda: np.outer(V, W)),
    ("outer", "fnp.einsum", N**2, lambda: fnp.einsum("i,j->ij", V, W),
     lambda: np.einsum("i,j->ij", V, W)),
    ("outer", "fnp.linalg.outer", N**2, lambda: fnp.linalg.outer(V, W),
     lambda: np.linalg.outer(V, W)),
    ("outer", "v[:, None] * w", N**2, lambda: _f(V)[:, None] * _f(W), lambda: V[:, None] * W),
    # -- a contraction whose summed size is 1 is the same outer product
    ("outer", "v[:, None] @ w[None, :]", N**2, lambda: _f(V)[:, None] @ _f(W)[None, :],
     lambda: V[:, None] @ W[None, :]),
    ("outer", "fnp.dot (k = 1)", N**2, lambda: fnp.dot(_f(V)[:, None], _f(W)[None, :]),
     lambda: np.dot(V[:, None], W[None, :])),
    ("outer", "fnp.inner (k = 1)", N**2, lambda: fnp.inner(_f(V)[:, None], _f(W)[:, None]),
     lambda: np.inner(V[:, None], W[:, None])),
    ("outer", "fnp.tensordot(axes=0)", N**2, lambda: fnp.tensordot(V, W, 0),
     lambda: np.tensordot(V, W, 0)),
    # -- elementwise product: an einsum that sums over no index is a multiply
    ("product", "a * b", X.size, lambda: _f(X) * _f(X), lambda: X * X),
    ("product", "fnp.multiply", X.size, lambda: fnp.multiply(X, X), lambda: np.multiply(X, X)),
    ("product", "fnp.einsum ij,ij->ij", X.size, lambda: fnp.einsum("ij,ij->ij", X, X),
     lambda: np.einsum("ij,ij->ij", X, X)),
    # -- 10⁴ normal draws
    ("normal", "fnp.random.randn", DRAWS, _seeded_legacy(lambda r: r.randn(DRAWS)),
     _np_legacy(lambda r: r.randn(DRAWS))),
    ("normal", "fnp.random.standard_normal", DRAWS,
     _seeded_legacy(lambda r: r.standard_normal(DRAWS)),
     _np_legacy(lambda r: r.standard_normal(DRAWS))),
    ("normal", "fnp.random.normal", DRAWS, _seeded_legacy(lambda r: r.normal(1.0, 2.0, DRAWS)),
     _np_legacy(lambda r: r.normal(1.0, 2.0, DRAWS))),
    ("normal", "RandomState.randn", DRAWS, _state(lambda r: r.randn(DRAWS), fnp),
     _state(lambda r: r.randn(DRAWS), np)),
    ("normal", "RandomState.standard_normal", DRAWS,
     _state(lambda r: r.standard_normal(DRAWS), fnp),
     _state(lambda r: r.standard_normal(DRAWS), np)),
    ("normal", "Generator.standard_normal", DRAWS, _gen(lambda g: g.standard_normal(DRAWS), fnp),
     _gen(lambda g: g.standard_normal(DRAWS), np)),
    ("normal", "Generator.normal", DRAWS, _gen(lambda g: g.normal(1.0, 2.0, DRAWS), fnp),
     _gen(lambda g: g.normal(1.0, 2.0, DRAWS), np)),
    # -- 10⁴ uniform draws
    ("uniform", "fnp.random.rand", DRAWS, _seeded_legacy(lambda r: r.rand(DRAWS)),
     _np_legacy(lambda r: r.rand(DRAWS))),
    ("uniform", "fnp.random.random", DRAWS, _seeded_legacy(lambda r: r.random(DRAWS)),
     _np_legacy(lambda r: r.random(DRAWS))),
    ("uniform", "fnp.random.random_sample", DRAWS,
     _seeded_legacy(lambda r: r.random_sample(DRAWS)),
     _np_legacy(lambda r: r.random_sample(DRAWS))),
    ("uniform", "fnp.random.uniform", DRAWS, _seeded_legacy(lambda r: r.uniform(-1, 1, DRAWS)),
     _np_legacy(lambda r: r.uniform(-1, 1, DRAWS))),
    ("uniform", "RandomState.rand", DRAWS, _state(lambda r: r.rand(DRAWS), fnp),
     _state(lambda r: r.rand(DRAWS), np)),
    ("uniform", "Generator.random", DRAWS, _gen(lambda g: g.random(DRAWS), fnp),
     _gen(lambda g: g.random(DRAWS), np)),
    ("uniform", "Generator.uniform", DRAWS, _gen(lambda g: g.uniform(-1, 1, DRAWS), fnp),
     _gen(lambda g: g.uniform(-1, 1, DRAWS), np)),
    # -- 10⁴ integer draws
    ("integers", "fnp.random.randint", DRAWS, _seeded_legacy(lambda r: r.randint(0, 9, DRAWS)),
     _np_legacy(lambda r: r.randint(0, 9, DRAWS))),
    ("integers", "RandomState.randint", DRAWS, _state(lambda r: r.randint(0, 9, DRAWS), fnp),
     _state(lambda r: r.randint(0, 9, DRAWS), np)),
    ("integers", "Generator.integers", DRAWS, _gen(lambda g: g.integers(0, 9, DRAWS), fnp),
     _gen(lambda g: g.integers(0, 9, DRAWS), np)),
    # -- aliases, methods, NumPy's functions on flopscope arrays: numel(input) = 2,000
    ("max", "fnp.max", X.size, lambda: fnp.max(X), lambda: np.max(X)),
    ("max", "fnp.amax", X.size, lambda: fnp.amax(X), lambda: np.amax(X)),
    ("max", "ndarray.max", X.size, lambda: _f(X).max(), lambda: X.max()),
    ("max", "np.max on an fnp array", X.size, lambda: np.max(_f(X)), lambda: np.max(X)),
    ("max", "np.amax on an fnp array", X.size, lambda: np.amax(_f(X)), lambda: np.amax(X)),
    ("min", "fnp.min", X.size, lambda: fnp.min(X, axis=0), lambda: np.min(X, axis=0)),
    ("min", "fnp.amin", X.size, lambda: fnp.amin(X, axis=0), lambda: np.amin(X, axis=0)),
    ("min", "ndarray.min", X.size, lambda: _f(X).min(axis=0), lambda: X.min(axis=0)),
    # rounding to 2 decimals: scale, round, unscale = 3 per element
    ("round", "fnp.round", 3 * X.size, lambda: fnp.round(X, 2), lambda: np.round(X, 2)),
    ("round", "fnp.around", 3 * X.size, lambda: fnp.around(X, 2), lambda: np.around(X, 2)),
    ("round", "ndarray.round", 3 * X.size, lambda: _f(X).round(2), lambda: X.round(2)),
    ("abs", "fnp.abs", X.size, lambda: fnp.abs(X), lambda: np.abs(X)),
    ("abs", "fnp.absolute", X.size, lambda: fnp.absolute(X), lambda: np.absolute(X)),
    ("abs", "abs()", X.size, lambda: abs(_f(X)), lambda: abs(X)),
    ("abs", "np.abs on an fnp array", X.size, lambda: np.abs(_f(X)), lambda: np.abs(X)),
    ("sum", "fnp.sum", X.size, lambda: fnp.sum(X, axis=1), lambda: np.sum(X, axis=1)),
    ("sum", "ndarray.sum", X.size, lambda: _f(X).sum(axis=1), lambda: X.sum(axis=1)),
    ("sum", "np.sum on an fnp array", X.size, lambda: np.sum(_f(X), axis=1),
     lambda: np.sum(X, axis=1)),
    ("cumsum", "fnp.cumsum", X.size, lambda: fnp.cumsum(X, axis=1), lambda: np.cumsum(X, axis=1)),
    ("cumsum", "fnp.cumulative_sum", X.size, lambda: fnp.cumulative_sum(X, axis=1),
     lambda: np.cumulative_sum(X, axis=1)),
    ("cumsum", "ndarray.cumsum", X.size, lambda: _f(X).cumsum(axis=1),
     lambda: X.cumsum(axis=1)),
    ("trunc", "fnp.trunc", X.size, lambda: fnp.trunc(X), lambda: np.trunc(X)),
    ("trunc", "fnp.fix", X.size, lambda: fnp.fix(X), lambda: np.fix(X)),
    ("degrees", "fnp.degrees", X.size, lambda: fnp.degrees(X), lambda: np.degrees(X)),
    ("degrees", "fnp.rad2deg", X.size, lambda: fnp.rad2deg(X), lambda: np.rad2deg(X)),
    # -- sort: 40 rows of 50: 40·50·⌈log2 50⌉ = 12,000
    ("sort", "fnp.sort", 40 * 50 * 6, lambda: fnp.sort(X), lambda: np.sort(X)),
    ("sort", "ndarray.sort (in place)", 40 * 50 * 6, _in_place_sort(_f), _in_place_sort(np.array)),
    ("sort", "np.sort on an fnp array", 40 * 50 * 6, lambda: np.sort(_f(X)), lambda: np.sort(X)),
]

#: The op whose packaged weight every row of a computation must be charged at.
REFERENCE_OP = {
    "gemm": "matmul", "gemv": "matmul", "dot": "matmul", "outer": "multiply",
    "product": "multiply",
    "normal": "random.Generator.standard_normal", "uniform": "random.Generator.random",
    "integers": "random.Generator.integers", "max": "max", "min": "min", "round": "round",
    "abs": "absolute", "sum": "sum", "cumsum": "cumsum", "trunc": "trunc",
    "degrees": "degrees", "sort": "sort",
}


def _packaged_table() -> dict[str, float]:
    path = _weights.packaged_weights_path()
    assert path is not None
    return json.loads(path.read_text())["weights"]


def _charge(call: Callable[[], Any]) -> tuple[float, Any]:
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = call()
    return ctx.flops_used, result


def _ids(rows: list) -> list[str]:
    return [f"{row[0]}: {row[1]}" for row in rows]


def test_the_table_is_large_enough():
    assert len(SPELLINGS) >= 25
    assert {row[0] for row in SPELLINGS} == set(REFERENCE_OP)


@pytest.mark.parametrize("computation, spelling, analytical, counted, reference",
                         SPELLINGS, ids=_ids(SPELLINGS))
def test_each_spelling_is_charged_its_computations_weight_and_matches_numpy(
        computation, spelling, analytical, counted, reference):
    _weights.load_weights()
    weight = _packaged_table()[REFERENCE_OP[computation]]
    charged, result = _charge(counted)
    expected = analytical * weight
    assert charged == pytest.approx(expected, rel=0.05, abs=1.0), (
        f"{spelling} charged {charged}, expected {analytical} x {weight}")
    wanted = reference()
    assert type(result) is not np.ndarray or np.isscalar(wanted)  # counted results stay fnp
    np.testing.assert_array_equal(np.asarray(result), np.asarray(wanted), strict=False)
    assert np.asarray(result).dtype == np.asarray(wanted).dtype
    assert np.shape(result) == np.shape(wanted)


def test_spellings_of_one_computation_are_charged_alike():
    _weights.load_weights()
    charges: dict[str, dict[str, float]] = defaultdict(dict)
    for computation, spelling, _, counted, _ in SPELLINGS:
        charges[computation][spelling] = _charge(counted)[0]
    for computation, by_spelling in charges.items():
        low, high = min(by_spelling.values()), max(by_spelling.values())
        assert high <= low * 1.05 + 1, (computation, by_spelling)


def test_the_packaged_table_lists_every_group_member_at_one_weight():
    from flopscope.cost.weight_groups import groups

    table = _packaged_table()
    for group in groups():
        values = {member: table.get(member) for member in group.members}
        assert len(set(values.values())) == 1, (group.name, values)
        assert None not in values.values(), (group.name, values)
