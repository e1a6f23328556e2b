"""fnp.random: classification, bit-identical draws, hand-computed costs, shape rules.

Every sampling call below runs twice, once through flopscope and once through
NumPy from the same seed, and must give the same values, dtype, shape and
result type, leave the generator in the same state, and charge the cost
written next to it (worked out by hand from flopscope.cost.random).
"""

from __future__ import annotations

import contextlib
import pickle
import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.accounting import cholesky_cost, eigh_cost, svd_cost
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import REGISTRY, Category, lookup

SEED = 20240611
P8 = [0.05, 0.1, 0.15, 0.2, 0.1, 0.1, 0.2, 0.1]
MEAN3 = [0.0, 1.0, -1.0]
COV3 = [[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]]
GRID = np.arange(24).reshape(3, 8)


# -- helpers -----------------------------------------------------------------------------


def charged(fn):
    """(result, analytical FLOPs charged, op names logged) of ``fn()``."""
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn()
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


def assert_same(result, expected):
    """flopscope's result equals NumPy's: values, dtype, shape, and result type."""
    if isinstance(expected, np.ndarray):
        assert type(result) is fnp.ndarray
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_array_equal(np.asarray(result), expected)
    else:
        assert type(result) is type(expected)
        assert result == expected or (result != result and expected != expected)


def assert_spec(spec, expected):
    """A shape rule's ArraySpec describes NumPy's result."""
    if expected is None:
        assert spec is None
        return
    if isinstance(expected, bytes):
        assert spec == ArraySpec((), np.dtype(f"S{len(expected)}"))
        return
    expected = np.asarray(expected)
    assert (spec.shape, spec.dtype) == (expected.shape, expected.dtype)


@contextlib.contextmanager
def quiet():
    """random_integers is deprecated in NumPy; its warning is not under test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# -- calls with hand-computed costs ------------------------------------------------------

#: (name, args, kwargs, cost) for the legacy API: numpy.random functions and
#: RandomState methods. Costs: numel(output) per draw unless noted.
LEGACY_CALLS = [
    ("rand", (2, 3), {}, 6),
    ("rand", (), {}, 1),                                    # a Python float, 1 value
    ("randn", (4,), {}, 4),
    ("random_sample", (), {"size": (2, 5)}, 10),
    ("random", (7,), {}, 7),
    ("ranf", (3,), {}, 3),
    ("sample", (), {"size": 3}, 3),
    ("tomaxint", (), {"size": 4}, 4),
    ("randint", (0, 10), {"size": (3, 3)}, 9),
    ("randint", (5,), {"size": 4, "dtype": np.int16}, 4),
    ("random_integers", (1, 6, 5), {}, 5),
    ("normal", ([0.0, 1.0], [[1.0], [2.0]]), {}, 4),        # broadcast (2, 1) with (2,)
    ("normal", (), {}, 1),
    ("uniform", (-1.0, 1.0, (2, 3)), {}, 6),
    ("beta", (2.0, 3.0, 5), {}, 5),
    ("binomial", (10, [0.1, 0.5, 0.9]), {}, 3),
    ("chisquare", (3.0, 4), {}, 4),
    ("exponential", (2.0,), {"size": 6}, 6),
    ("f", (2.0, 3.0, 2), {}, 2),
    ("gamma", ([1.0, 2.0],), {}, 2),
    ("geometric", (0.3, 5), {}, 5),
    ("gumbel", (0.0, 1.0, 3), {}, 3),
    ("hypergeometric", (10, 5, 4, 3), {}, 3),
    ("laplace", (0.0, 1.0, 3), {}, 3),
    ("logistic", (0.0, 1.0, 3), {}, 3),
    ("lognormal", (0.0, 0.5, 3), {}, 3),
    ("logseries", (0.5, 4), {}, 4),
    ("negative_binomial", (3, 0.5, 4), {}, 4),
    ("noncentral_chisquare", (3.0, 1.0, 4), {}, 4),
    ("noncentral_f", (3.0, 4.0, 1.0, 4), {}, 4),
    ("pareto", (2.0, 4), {}, 4),
    ("poisson", (3.0, (2, 2)), {}, 4),
    ("power", (2.0, 4), {}, 4),
    ("rayleigh", (1.0, 4), {}, 4),
    ("standard_cauchy", (4,), {}, 4),
    ("standard_exponential", (4,), {}, 4),
    ("standard_gamma", (2.0, 4), {}, 4),
    ("standard_normal", ((2, 3),), {}, 6),
    ("standard_t", (5.0, 4), {}, 4),
    ("triangular", (0.0, 1.0, 2.0, 4), {}, 4),
    ("vonmises", (0.0, 1.0, 4), {}, 4),
    ("wald", (1.0, 1.0, 4), {}, 4),
    ("weibull", (2.0, 4), {}, 4),
    ("zipf", (2.0, 4), {}, 4),
    ("dirichlet", ([1.0, 2.0, 3.0], 5), {}, 15),             # 5 vectors of 3
    ("multinomial", (10, [0.2, 0.3, 0.5]), {"size": 4}, 12),
    # k·d + k·d² + svd factor (svd(2×2) + d + d²) + check (d³ + 2d²), d = 2, k = 5
    ("multivariate_normal", ([0.0, 1.0], [[2.0, 0.5], [0.5, 1.0]], 5), {},
     10 + 20 + (svd_cost(2, 2) + 2 + 4) + (8 + 8)),
    ("choice", (5, 3), {}, 3),
    ("choice", ([1.5, 2.5, 3.5],), {}, 1),
    ("choice", (10, 4), {"replace": False}, 10 * 4),         # permutation(10)[:4]
    ("choice", (8, 6), {"p": P8}, 2 * 8 + 6 + 6 * 3),         # cdf, draws, searches
    ("choice", (8, 3), {"replace": False, "p": P8}, 2 * 8 + 3 + 3 * 3 + 2 * 3 * 2),
    ("permutation", (8,), {}, 8 * 3),
    ("permutation", (np.arange(12).reshape(4, 3),), {}, 4 * 2),
    ("permutation", ([3.0, 1.0, 2.0],), {}, 3 * 2),
    ("bytes", (10,), {}, 3),                                  # ⌈10/4⌉ 32-bit words
]

#: (name, args, kwargs, cost) for Generator methods.
GENERATOR_CALLS = [
    ("random", (), {"size": (2, 3)}, 6),
    ("random", (4,), {"dtype": np.float32}, 4),
    ("random", (), {}, 1),
    ("integers", (0, 10, (3, 4)), {}, 12),
    ("integers", (5,), {"size": 6, "dtype": np.uint8}, 6),
    ("integers", (1, 7), {"size": 5, "endpoint": True}, 5),
    ("integers", ([5, 10, 15],), {}, 3),
    ("integers", (5,), {"dtype": int}, 1),                    # a Python int
    ("integers", (0, 2), {"size": 3, "dtype": bool}, 3),
    ("standard_normal", ((2, 2),), {"dtype": np.float32}, 4),
    ("standard_normal", (), {}, 1),
    ("standard_exponential", (3,), {"method": "inv"}, 3),
    ("standard_exponential", (3,), {"dtype": np.float32}, 3),
    ("standard_gamma", ([1.0, 2.0],), {"dtype": np.float32}, 2),
    ("normal", (0.0, [1.0, 2.0, 3.0]), {}, 3),
    ("normal", ([0.0, 1.0], 1.0), {"size": (3, 2)}, 6),
    ("uniform", (), {"size": 5}, 5),
    ("beta", (2.0, 3.0, 5), {}, 5),
    ("binomial", (10, 0.5, (2, 2)), {}, 4),
    ("chisquare", (3.0, 4), {}, 4),
    ("exponential", ([1.0, 2.0],), {}, 2),
    ("f", (2.0, 3.0, 2), {}, 2),
    ("gamma", (2.0, 1.0, 3), {}, 3),
    ("geometric", (0.3, 5), {}, 5),
    ("gumbel", (0.0, 1.0, 3), {}, 3),
    ("hypergeometric", (10, 5, 4, 3), {}, 3),
    ("laplace", (0.0, 1.0, 3), {}, 3),
    ("logistic", (0.0, 1.0, 3), {}, 3),
    ("lognormal", (0.0, 0.5, 3), {}, 3),
    ("logseries", (0.5, 4), {}, 4),
    ("negative_binomial", (3, 0.5, 4), {}, 4),
    ("noncentral_chisquare", (3.0, 1.0, 4), {}, 4),
    ("noncentral_f", (3.0, 4.0, 1.0, 4), {}, 4),
    ("pareto", (2.0, 4), {}, 4),
    ("poisson", ([1.0, 5.0, 9.0],), {}, 3),
    ("power", (2.0, 4), {}, 4),
    ("rayleigh", (1.0, 4), {}, 4),
    ("standard_cauchy", (4,), {}, 4),
    ("standard_t", (5.0, 4), {}, 4),
    ("triangular", (0.0, 1.0, 2.0, 4), {}, 4),
    ("vonmises", (0.0, 1.0, 4), {}, 4),
    ("wald", (1.0, 1.0, 4), {}, 4),
    ("weibull", (2.0, 4), {}, 4),
    ("zipf", (2.0, 4), {}, 4),
    ("dirichlet", ([1.0, 2.0, 3.0], 5), {}, 15),
    ("dirichlet", ([0.05, 0.05], 4), {}, 8),                  # NumPy's small-alpha path
    ("multinomial", (10, [0.2, 0.3, 0.5]), {"size": (2, 2)}, 12),
    ("multinomial", ([5, 10], [[0.2, 0.8], [0.5, 0.5]]), {}, 4),   # batched pvals
    ("multivariate_hypergeometric", ([4, 5, 6], 5), {"size": 3}, 9),
    ("multivariate_hypergeometric", ([4, 5, 6], 5), {"size": 3, "method": "count"}, 3 * (3 + 5)),
    ("multivariate_normal", (MEAN3, COV3, 4), {}, 12 + 36 + (svd_cost(3, 3) + 3 + 9) + (27 + 18)),
    ("multivariate_normal", (MEAN3, COV3, 4), {"check_valid": "ignore"},
     12 + 36 + (svd_cost(3, 3) + 3 + 9)),
    ("multivariate_normal", (MEAN3, COV3, 4), {"method": "eigh"},
     12 + 36 + (eigh_cost(3) + 6 + 9) + 3),
    ("multivariate_normal", (MEAN3, COV3), {"method": "cholesky"}, 3 + 9 + cholesky_cost(3)),
    ("choice", (5, 3), {}, 3),
    ("choice", (10, 4), {"replace": False}, 4 * 4),           # k·⌈log2 n⌉
    ("choice", (20000, 500), {"replace": False}, 500 * 15),   # NumPy's tail-shuffle path
    ("choice", (10, 4), {"replace": False, "shuffle": False}, 4 * 4),
    ("choice", (8, (2, 3)), {"p": P8}, 2 * 8 + 6 + 6 * 3),
    ("choice", (8, 3), {"replace": False, "p": P8}, 2 * 8 + 3 + 3 * 3 + 2 * 3 * 2),
    ("choice", (GRID, 2), {"axis": 1}, 2),                    # picks 2 of 8 columns
    ("choice", (GRID,), {}, 1),                               # one row
    ("choice", ([1.5, 2.5, 3.5],), {}, 1),
    ("permutation", (8,), {}, 8 * 3),
    ("permutation", (GRID,), {"axis": 1}, 8 * 3),
    ("permuted", (GRID,), {"axis": 1}, 3 * 8 * 3),             # 3 independent rows
    ("permuted", (GRID,), {}, 24 * 5),                         # the flattened array
    ("bytes", (7,), {}, 2),
    ("bytes", (0,), {}, 0),
]

LEGACY_IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(LEGACY_CALLS)]
GENERATOR_IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(GENERATOR_CALLS)]


@pytest.mark.parametrize("name, args, kwargs, cost", GENERATOR_CALLS, ids=GENERATOR_IDS)
def test_generator_methods(name, args, kwargs, cost):
    reference = np.random.Generator(np.random.PCG64(SEED))
    expected = getattr(reference, name)(*args, **kwargs)
    rng = fnp.random.Generator(fnp.random.PCG64(SEED))
    result, used, ops = charged(lambda: getattr(rng, name)(*args, **kwargs))
    assert_same(result, expected)
    assert rng.random() == reference.random()  # same state afterwards
    assert used == cost and ops == [f"random.Generator.{name}"]
    # The shape rule describes the result without drawing; planning charges the same.
    op = lookup(f"random.Generator.{name}")
    rng = fnp.random.default_rng(SEED)
    assert_spec(op.shape(rng, *args, **kwargs), expected)
    assert op.cost(rng, *args, **kwargs) == cost
    plan = flops.plan(lambda: getattr(rng, name)(*args, **kwargs))
    assert plan.analytical_flops == cost
    assert rng.random() == np.random.default_rng(SEED).random()  # planning drew nothing
    if isinstance(expected, np.ndarray):
        assert (plan.outputs.shape, plan.outputs.dtype) == (expected.shape, expected.dtype)


@pytest.mark.parametrize("name, args, kwargs, cost", LEGACY_CALLS, ids=LEGACY_IDS)
def test_random_state_methods(name, args, kwargs, cost):
    if not hasattr(np.random.RandomState, name):
        pytest.skip(f"{name} is a module-level alias only")
    with quiet():
        reference = np.random.RandomState(SEED)
        expected = getattr(reference, name)(*args, **kwargs)
        state = fnp.random.RandomState(SEED)
        result, used, ops = charged(lambda: getattr(state, name)(*args, **kwargs))
    assert_same(result, expected)
    assert state.random_sample() == reference.random_sample()
    assert used == cost and ops == [f"random.RandomState.{name}"]
    assert_spec(lookup(f"random.RandomState.{name}").shape(state, *args, **kwargs), expected)


@pytest.mark.parametrize("name, args, kwargs, cost", LEGACY_CALLS, ids=LEGACY_IDS)
def test_module_functions_share_numpys_global_state(name, args, kwargs, cost):
    if not hasattr(np.random, name):
        pytest.skip(f"{name} is a RandomState method only")
    with quiet():
        np.random.seed(SEED)
        expected = getattr(np.random, name)(*args, **kwargs)
        expected_next = np.random.random_sample()
        fnp.random.seed(SEED)
        result, used, ops = charged(lambda: getattr(fnp.random, name)(*args, **kwargs))
    assert_same(result, expected)
    assert np.random.random_sample() == expected_next  # fnp drew from NumPy's own state
    assert used == cost and ops == [f"random.{name}"]
    op = lookup(f"random.{name}")
    assert_spec(op.shape(*args, **kwargs), expected)
    assert flops.plan(lambda: getattr(fnp.random, name)(*args, **kwargs)).analytical_flops == cost


def test_planning_with_a_scalar_type_as_dtype():
    rng = fnp.random.default_rng(SEED)
    plan = flops.plan(lambda: rng.random(4, dtype=np.float32))
    assert plan.outputs.dtype == np.float32 and plan.analytical_flops == 4


def test_readme_weight_initialisation_is_counted_per_value():
    fnp.random.seed(0)
    with flops.BudgetContext(flop_budget=10**8, quiet=True) as ctx:
        weights = [fnp.random.randn(256, 256) for _ in range(5)]
        x = fnp.random.randn(256)
    assert ctx.flops_used == 5 * 65_536 + 256
    np.random.seed(0)
    np.testing.assert_array_equal(np.asarray(weights[0]), np.random.randn(256, 256))
    assert x.shape == (256,)


# -- in-place shuffles and out= ------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: fnp.random.default_rng(SEED),
                                  lambda: fnp.random.RandomState(SEED)])
def test_shuffle_permutes_the_callers_flopscope_array(make):
    numpy_rng = (np.random.default_rng(SEED) if isinstance(make(), fnp.random.Generator)
                 else np.random.RandomState(SEED))
    expected = np.arange(32.0).reshape(16, 2)
    numpy_rng.shuffle(expected)
    x = fnp.asarray(np.arange(32.0).reshape(16, 2))
    rng = make()
    result, used, _ = charged(lambda: rng.shuffle(x))
    assert result is None and used == 16 * 4
    assert type(x) is fnp.ndarray
    np.testing.assert_array_equal(np.asarray(x), expected)


def test_module_shuffle_in_place_and_generator_axis():
    np.random.seed(SEED)
    expected = np.arange(10)
    np.random.shuffle(expected)
    fnp.random.seed(SEED)
    x = fnp.arange(10)
    _, used, ops = charged(lambda: fnp.random.shuffle(x))
    np.testing.assert_array_equal(np.asarray(x), expected)
    assert used == 10 * 4 and ops == ["random.shuffle"]
    expected = GRID.copy()
    np.random.default_rng(SEED).shuffle(expected, axis=1)
    x = fnp.asarray(GRID.copy())
    _, used, _ = charged(lambda: fnp.random.default_rng(SEED).shuffle(x, axis=1))
    np.testing.assert_array_equal(np.asarray(x), expected)
    assert used == 8 * 3


@pytest.mark.parametrize("kind", ["module", "RandomState", "Generator"])
def test_shuffle_mutates_a_list_of_lists_exactly_as_numpy(kind):
    def make(lib):
        if kind == "module":
            lib.random.seed(SEED)
            return lib.random
        if kind == "RandomState":
            return lib.random.RandomState(SEED)
        return lib.random.default_rng(SEED)

    expected = [[i, -i] for i in range(9)]
    numpy_rng = make(np)
    numpy_rng.shuffle(expected)
    expected_next = numpy_rng.random_sample() if kind != "Generator" else numpy_rng.random()
    items = [[i, -i] for i in range(9)]
    rng = make(fnp)
    _, used, _ = charged(lambda: rng.shuffle(items))
    assert items == expected and used == 9 * 4
    assert (rng.random_sample() if kind != "Generator" else rng.random()) == expected_next


def test_permuted_out_returns_and_fills_the_callers_array():
    expected_out = np.empty((3, 8), dtype=np.int64)
    expected = np.random.default_rng(SEED).permuted(GRID, axis=1, out=expected_out)
    assert expected is expected_out
    out = fnp.asarray(np.empty((3, 8), dtype=np.int64))
    result, used, _ = charged(lambda: fnp.random.default_rng(SEED).permuted(GRID, axis=1, out=out))
    assert result is out and used == 3 * 8 * 3
    np.testing.assert_array_equal(np.asarray(out), expected_out)
    # In place: x itself as out.
    x = fnp.asarray(GRID.copy())
    fnp.random.default_rng(SEED).permuted(x, out=x)
    np.testing.assert_array_equal(np.asarray(x), np.random.default_rng(SEED).permuted(GRID))


def test_out_argument_of_generator_samplers():
    expected = np.empty((2, 3))
    np.random.default_rng(SEED).standard_normal(out=expected)
    out = fnp.asarray(np.empty((2, 3)))
    result, used, _ = charged(lambda: fnp.random.default_rng(SEED).standard_normal(out=out))
    assert result is out and used == 6
    np.testing.assert_array_equal(np.asarray(out), expected)
    out32 = fnp.asarray(np.empty(4, dtype=np.float32))
    result, used, _ = charged(lambda: fnp.random.default_rng(SEED).random(dtype=np.float32,
                                                                           out=out32))
    assert result is out32 and used == 4


def test_flopscope_arrays_as_parameters():
    loc = fnp.asarray(np.arange(4.0))
    expected = np.random.default_rng(SEED).normal(np.arange(4.0), 2.0)
    result, used, _ = charged(lambda: fnp.random.default_rng(SEED).normal(loc, 2.0))
    assert_same(result, expected)
    assert used == 4


# -- errors: NumPy's exception, nothing charged ------------------------------------------------


GENERATOR_ERRORS = [
    ("normal", (0.0, -1.0, 3), {}),
    ("normal", ([0.0, 1.0], 1.0), {"size": 3}),              # does not broadcast to size
    ("integers", (5, 2), {}),
    ("integers", (5,), {"dtype": np.float64}),
    ("random", (3,), {"dtype": np.int32}),
    ("choice", (5, 6), {"replace": False}),
    ("choice", (5, 2), {"p": [0.5, 0.5]}),
    ("choice", (0, 2), {}),
    ("choice", (2.5, 2), {}),
    ("permutation", (np.array(5),), {}),
    ("shuffle", (np.array(5),), {}),
    ("shuffle", ([1, 2, 3],), {"axis": 1}),
    ("permuted", (GRID,), {"axis": 2}),
    ("multivariate_normal", ([0.0, 0.0], [[1.0, 0.0]]), {}),
    ("multivariate_normal", (MEAN3, COV3), {"method": "qr"}),
    ("multinomial", (10, [[[0.5, 0.5]]]), {"size": 3}),
    ("dirichlet", ([[1.0, 2.0]],), {}),
    ("multivariate_hypergeometric", ([4, 5], 20), {}),
    ("multivariate_hypergeometric", ([4, 5], 2), {"method": "exact"}),
    ("normal", (0.0, 1.0), {"bogus": 1}),
    ("beta", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", GENERATOR_ERRORS,
                         ids=[f"{n}-{i}" for i, (n, *_) in enumerate(GENERATOR_ERRORS)])
def test_generator_errors_match_numpy(name, args, kwargs):
    with pytest.raises(Exception) as numpy_error:
        getattr(np.random.default_rng(SEED), name)(*args, **kwargs)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        with pytest.raises(type(numpy_error.value)):
            getattr(fnp.random.default_rng(SEED), name)(*args, **kwargs)
    assert ctx.flops_used == 0 and ctx.op_log == []


LEGACY_ERRORS = [
    ("normal", (0.0, -1.0, 3), {}),
    ("rand", ((2, 3),), {}),
    ("randint", (5, 2), {}),
    ("choice", (GRID,), {}),
    ("choice", (5, 6), {"replace": False}),
    ("permutation", (5.0,), {}),
    ("permutation", (np.array(5),), {}),
    ("shuffle", (np.array(5),), {}),
    ("multinomial", ([3, 4], [0.5, 0.5]), {}),
    ("multivariate_normal", ([0.0], [[1.0, 0.0], [0.0, 1.0]]), {}),
    ("uniform", (0.0, 1.0), {"shape": 3}),
]


@pytest.mark.parametrize("name, args, kwargs", LEGACY_ERRORS,
                         ids=[f"{n}-{i}" for i, (n, *_) in enumerate(LEGACY_ERRORS)])
def test_legacy_errors_match_numpy(name, args, kwargs):
    with pytest.raises(Exception) as numpy_error:
        getattr(np.random.RandomState(SEED), name)(*args, **kwargs)
    for owner in (fnp.random.RandomState(SEED), fnp.random):
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            with pytest.raises(type(numpy_error.value)):
                getattr(owner, name)(*args, **kwargs)
        assert ctx.flops_used == 0


def test_budget_is_checked_before_drawing():
    rng = fnp.random.default_rng(SEED)
    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            rng.standard_normal((11, 10))
        first = rng.standard_normal(3)  # the refused call drew nothing
    assert ctx.flops_used == 3
    np.testing.assert_array_equal(np.asarray(first), np.random.default_rng(SEED).standard_normal(3))


# -- state, generators, pickling -------------------------------------------------------------


def test_state_functions_are_free_and_round_trip():
    fnp.random.seed(5)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        state = fnp.random.get_state()
        first = fnp.random.random_sample(4)
        fnp.random.set_state(state)
        again = fnp.random.random_sample(4)
        bit_generator = fnp.random.get_bit_generator()
        fnp.random.set_bit_generator(bit_generator)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    assert [r.op_name for r in ctx.op_log] == ["random.random_sample"] * 2
    assert isinstance(bit_generator, np.random.MT19937)
    for name in ("seed", "get_state", "set_state", "get_bit_generator", "set_bit_generator",
                 "default_rng"):
        assert lookup(f"random.{name}").category is Category.FREE


def test_random_state_state_methods():
    state = fnp.random.RandomState(1)
    reference = np.random.RandomState(1)
    saved = state.get_state()
    assert saved[0] == "MT19937"
    np.testing.assert_array_equal(np.asarray(saved[1]), reference.get_state()[1])
    drawn = state.uniform(size=3)
    state.set_state(saved)
    np.testing.assert_array_equal(np.asarray(state.uniform(size=3)), np.asarray(drawn))
    state.seed(9)
    assert state.standard_normal() == np.random.RandomState(9).standard_normal()
    assert fnp.random.RandomState(np.random.PCG64(3)).random_sample() == np.random.RandomState(
        np.random.PCG64(3)).random_sample()


def test_default_rng_and_generator_construction():
    rng = fnp.random.default_rng(SEED)
    assert type(rng) is fnp.random.Generator
    assert fnp.random.default_rng(rng) is rng
    numpy_rng = np.random.default_rng(SEED)
    shared = fnp.random.default_rng(numpy_rng)  # wraps the same stream
    assert type(shared) is fnp.random.Generator and shared.bit_generator is numpy_rng.bit_generator
    assert shared.random() == np.random.default_rng(SEED).random()
    assert numpy_rng.random() == np.random.default_rng(SEED).random(2)[1]
    via_bits = fnp.random.default_rng(fnp.random.PCG64(SEED))
    assert via_bits.random() == np.random.default_rng(SEED).random()
    assert fnp.random.default_rng(fnp.random.SeedSequence(4)).integers(100) == \
        np.random.default_rng(np.random.SeedSequence(4)).integers(100)
    g = fnp.random.Generator(fnp.random.Philox(7))
    assert g.normal() == np.random.Generator(np.random.Philox(7)).normal()
    assert str(g) == "Generator(Philox)" and repr(g).startswith("Generator(Philox) at 0x")
    with pytest.raises(Exception) as numpy_error:
        np.random.Generator(5)
    with pytest.raises(type(numpy_error.value)):
        fnp.random.Generator(5)


def test_spawn_gives_counted_children_identical_to_numpys():
    rng = fnp.random.default_rng(SEED)
    children = rng.spawn(2)
    expected = np.random.default_rng(SEED).spawn(2)
    assert all(type(c) is fnp.random.Generator for c in children)
    for child, reference in zip(children, expected):
        assert child.random() == reference.random()
    _, used, ops = charged(lambda: children[0].normal(size=3))
    assert used == 3 and ops == ["random.Generator.normal"]
    # Planning a spawn returns the children a real call would, without spawning.
    plan = flops.plan(lambda: rng.spawn(1))
    assert type(plan.outputs[0]) is fnp.random.Generator and plan.calls == 0
    assert rng.spawn(1)[0].random() == np.random.default_rng(SEED).spawn(3)[2].random()


def test_pickling_keeps_the_stream():
    rng = fnp.random.default_rng(SEED)
    rng.random(5)
    clone = pickle.loads(pickle.dumps(rng))
    assert type(clone) is fnp.random.Generator
    np.testing.assert_array_equal(np.asarray(clone.random(4)), np.asarray(rng.random(4)))
    assert type(clone.spawn(1)[0]) is fnp.random.Generator
    state = fnp.random.RandomState(SEED)
    state.randn(3)
    clone = pickle.loads(pickle.dumps(state))
    assert type(clone) is fnp.random.RandomState
    np.testing.assert_array_equal(np.asarray(clone.randn(4)), np.asarray(state.randn(4)))


# -- classification: every public name, nothing escapes ----------------------------------------


MODULE_COUNTED = {
    "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "exponential", "f", "gamma",
    "geometric", "gumbel", "hypergeometric", "laplace", "logistic", "lognormal", "logseries",
    "multinomial", "multivariate_normal", "negative_binomial", "noncentral_chisquare",
    "noncentral_f", "normal", "pareto", "permutation", "poisson", "power", "rand", "randint",
    "randn", "random", "random_integers", "random_sample", "ranf", "rayleigh", "sample",
    "shuffle", "standard_cauchy", "standard_exponential", "standard_gamma", "standard_normal",
    "standard_t", "triangular", "uniform", "vonmises", "wald", "weibull", "zipf",
}
MODULE_FREE = {"seed", "get_state", "set_state", "get_bit_generator", "set_bit_generator",
               "default_rng"}
PASS_THROUGH = {"BitGenerator", "MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64",
                "SeedSequence"}
COUNTED_CLASSES = {"Generator", "RandomState"}
BLOCKED_OR_WITHHELD = {"test", "mtrand", "bit_generator"}


def test_every_public_name_of_numpy_random_is_classified():
    public = {name for name in dir(np.random) if not name.startswith("_")}
    classified = MODULE_COUNTED | MODULE_FREE | PASS_THROUGH | COUNTED_CLASSES | BLOCKED_OR_WITHHELD
    assert public == classified
    assert len(MODULE_COUNTED) == 47
    assert set(fnp.random.__all__) == MODULE_COUNTED | MODULE_FREE | PASS_THROUGH | COUNTED_CLASSES
    for name in MODULE_COUNTED:
        assert lookup(f"random.{name}").category is Category.CUSTOM
    for name in PASS_THROUGH:
        assert getattr(fnp.random, name) is getattr(np.random, name)
    for name in BLOCKED_OR_WITHHELD:
        with pytest.raises(AttributeError, match=name):
            getattr(fnp.random, name)
    assert lookup("random.test").category is Category.BLOCKED


@pytest.mark.parametrize("cls", [np.random.Generator, np.random.RandomState])
def test_every_method_of_the_numpy_classes_is_counted_or_free(cls):
    counted_cls = getattr(fnp.random, cls.__name__)
    assert counted_cls is not cls
    for name in (n for n in dir(cls) if not n.startswith("_")):
        if name == "bit_generator":
            assert isinstance(counted_cls.bit_generator, property)
            continue
        op = lookup(f"random.{cls.__name__}.{name}")
        expected = (Category.FREE if name in ("seed", "get_state", "set_state", "spawn")
                    else Category.CUSTOM)
        assert op.category is expected, name
        assert getattr(counted_cls, name).__flopscope_op__ is op
    with pytest.raises(AttributeError):  # NumPy's private attributes are not wrapped
        counted_cls.__new__(counted_cls)._bit_generator  # noqa: B018


def test_no_numpy_generator_escapes():
    for name in fnp.random.__all__:
        value = getattr(fnp.random, name)
        assert value not in (np.random.Generator, np.random.RandomState)
        assert not isinstance(value, (np.random.Generator, np.random.RandomState))
    rng = fnp.random.default_rng(0)
    for value in (rng, *rng.spawn(2), fnp.random.RandomState(0)):
        assert not isinstance(value, (np.random.Generator, np.random.RandomState))
        assert not any(isinstance(getattr(type(value), n, None), (np.random.Generator,
                                                                     np.random.RandomState))
                       for n in dir(type(value)))


# -- cost queries ------------------------------------------------------------------------------


def test_cost_queries_are_exported_and_call_rules_are_not():
    acc = flops.accounting
    assert acc.sample_cost((256, 256)) == 65_536
    assert acc.permutation_cost(1024) == 10_240 and acc.permutation_cost(8, slices=3) == 72
    assert acc.permutation_cost(1) == 0 and acc.permutation_cost(0) == 0
    assert acc.choice_cost(1000, 10) == 10
    assert acc.choice_cost(1000, 10, weighted=True) == 2000 + 10 + 100
    assert acc.choice_cost(1000, 10, replace=False) == 100
    assert acc.choice_cost(1000, 10, replace=False, legacy=True) == 10_000
    assert acc.choice_cost(1000, 10, replace=False, weighted=True) == 2110 + 2 * 10 * 4
    assert acc.bytes_cost(1) == 1 and acc.bytes_cost(8) == 2 and acc.bytes_cost(9) == 3
    d, k = 10, 1000
    assert acc.multivariate_normal_cost(d, k) == (k * d + k * d * d + svd_cost(d, d) + d + d * d
                                                  + d**3 + 2 * d * d)
    assert acc.multivariate_normal_cost(d, k, method="cholesky") == (
        k * d + k * d * d + cholesky_cost(d))
    assert acc.multivariate_hypergeometric_cost(4, 10, 7, method="count") == 110
    with pytest.raises(ValueError):
        acc.multivariate_normal_cost(3, 1, method="lu")
    assert not any(name.endswith("call_cost") for name in dir(acc))


def test_permutation_cost_matches_sort_convention():
    # n·⌈log2 n⌉ with exact integer ⌈log2⌉ at powers of two and just past them.
    assert [flops.accounting.permutation_cost(n) for n in (2, 3, 4, 5, 1024, 1025)] == [
        2, 6, 8, 15, 10_240, 1025 * 11]


def test_every_random_entry_has_cost_and_shape_rules():
    for op in REGISTRY.values():
        if not op.name.startswith("random."):
            continue
        if op.category is Category.BLOCKED:
            continue
        assert op.shape is not None, op.name
        if op.category.counted:
            assert op.cost is not None and op.formula, op.name
