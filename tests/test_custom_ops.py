"""The public registration API: flops.counted, flops.register_function, flops.register_ufunc.

A declared op must be counted, checked against the budget before it runs,
logged under its name, planned by flops.plan and drawn in the graph like a
built-in; bad declarations and bad cost values give clear errors and run
nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights
from flopscope.registry import REGISTRY

special = pytest.importorskip("scipy.special")


@pytest.fixture
def declared():
    """Names declared by the test; unregistered afterwards so other tests see a clean registry."""
    names: list[str] = []
    yield names
    for name in names:
        if name in REGISTRY:
            flops.unregister(name)


def _charge(fn, *args, budget=10**12, **kwargs):
    with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx


def test_counted_decorator_counts_logs_and_returns_flopscope_arrays(declared):
    seen = []

    @flops.counted(cost=lambda a, b: a.shape[0] * a.shape[1] * b.shape[1],
                   shape=lambda a, b: (a.shape[0], b.shape[1]), name="test.product")
    def product(a, b):
        seen.append(type(a))
        return a @ b  # plain NumPy inside: not counted a second time

    declared.append("test.product")
    a, b = np.ones((3, 4)), np.ones((4, 5))
    result, ctx = _charge(product, fnp.asarray(a), fnp.asarray(b))
    assert ctx.flops_used == 60  # 3·4·5, the declared rule
    assert [r.op_name for r in ctx.op_log] == ["test.product"]
    assert seen == [np.ndarray]  # the body got plain arrays
    assert type(result) is fnp.ndarray
    np.testing.assert_array_equal(np.asarray(result), a @ b)


def test_declared_op_is_checked_against_the_budget_before_running(declared):
    ran = []

    @flops.counted(cost=lambda x: 10 * x.size, name="test.expensive")
    def expensive(x):
        ran.append(1)
        return x

    declared.append("test.expensive")
    with flops.BudgetContext(flop_budget=99, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError, match="test.expensive"):
            expensive(fnp.ones(10))
    assert ran == [] and ctx.flops_used == 0


def test_declared_op_is_planned_and_drawn(declared):
    @flops.counted(cost=lambda x: 3 * x.size, shape=lambda x: x.shape, name="test.triple")
    def triple(x):
        return 3 * x

    declared.append("test.triple")

    def model(x):
        return fnp.exp(triple(x))

    plan = flops.plan(model, (4, 5))
    _, ctx = _charge(model, fnp.ones((4, 5)))
    assert plan.flops == ctx.flops_used == 60 + 20
    assert plan.outputs.shape == (4, 5)
    assert "test.triple" in {data.get("op") for _, data in plan.graph.nodes(data=True)}
    assert "test.triple" in plan.to_dot()
    assert [r.op_name for r in ctx.op_log] == ["test.triple", "exp"]


def test_declared_op_without_shape_rule_cannot_be_planned(declared):
    @flops.counted(cost=lambda x: x.size, name="test.noshape")
    def noshape(x):
        return x

    declared.append("test.noshape")
    with pytest.raises(NotImplementedError, match="shape="):
        flops.plan(noshape, (3,))


def test_register_ufunc_makes_a_third_party_ufunc_run_counted(declared):
    x = fnp.full(200, 0.5)
    with pytest.raises(TypeError, match="register_ufunc"):
        special.eval_legendre(10, x)
    fn = flops.register_ufunc(special.eval_legendre, name="test.eval_legendre",
                              cost=lambda n, x, **_: 12 * np.size(x))
    declared.append("test.eval_legendre")
    result, ctx = _charge(special.eval_legendre, 10, x)
    np.testing.assert_array_equal(np.asarray(result), special.eval_legendre(10, np.full(200, 0.5)))
    assert type(result) is fnp.ndarray
    assert ctx.flops_used == 2400 and ctx.op_log[0].op_name == "test.eval_legendre"
    _, ctx2 = _charge(fn, 10, x)
    assert ctx2.flops_used == 2400
    # planned with the ufunc's own broadcasting and dtype rule
    plan = flops.plan(lambda v: special.eval_legendre(3, v), (7,))
    assert plan.flops == 84 and plan.outputs.shape == (7,)
    # methods stay refused: the declared rule covers plain calls
    with pytest.raises(TypeError, match="no cost rule"):
        special.eval_legendre.outer(x, x)


def test_register_ufunc_default_cost_is_numel_output(declared):
    flops.register_ufunc(special.i0e, name="test.i0e")
    declared.append("test.i0e")
    _, ctx = _charge(special.i0e, fnp.ones((3, 3)))
    assert ctx.flops_used == 9


def test_unregister_restores_the_refusal(declared):
    flops.register_ufunc(special.kv, name="test.kv", cost=lambda v, z, **_: np.size(z))
    flops.unregister("test.kv")
    assert "test.kv" not in REGISTRY
    with pytest.raises(TypeError, match="no cost rule"):
        special.kv(1.0, fnp.ones(3))
    with pytest.raises(ValueError, match="built-in"):
        flops.unregister("exp")
    with pytest.raises(KeyError):
        flops.unregister("test.never")


def test_declared_weight_is_applied(declared):
    @flops.counted(cost=lambda x: x.size, name="test.weighted", weight=2.5)
    def weighted(x):
        return x

    declared.append("test.weighted")
    _, ctx = _charge(weighted, fnp.ones(100))
    assert ctx.flops_used == 250
    assert ctx.op_log[0].flop_cost == 250


@pytest.mark.parametrize("bad, error, match", [
    (-1, ValueError, "negative"),
    (2.5, TypeError, "non-negative int"),
    (True, TypeError, "non-negative int"),
    ("10", TypeError, "non-negative int"),
    (None, TypeError, "non-negative int"),
])
def test_bad_cost_values_are_refused_before_anything_runs(declared, bad, error, match):
    ran = []

    @flops.counted(cost=lambda x: bad, name="test.bad")
    def f(x):
        ran.append(1)
        return x

    declared.append("test.bad")
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with pytest.raises(error, match=match):
            f(fnp.ones(3))
    assert ran == [] and ctx.flops_used == 0 and len(ctx.op_log) == 0
    flops.unregister("test.bad")
    declared.clear()


def test_numpy_integer_costs_are_accepted(declared):
    @flops.counted(cost=lambda x: np.int64(x.size), name="test.npint")
    def f(x):
        return x

    declared.append("test.npint")
    assert _charge(f, fnp.ones(7))[1].flops_used == 7


def test_bad_declarations(declared):
    with pytest.raises(TypeError, match="callable"):
        flops.counted(cost=5)(lambda x: x)
    with pytest.raises(TypeError, match="callable"):
        flops.register_function(3, cost=lambda: 1)
    with pytest.raises(ValueError, match="already registered"):
        flops.counted(cost=lambda x: 1, name="exp")(lambda x: x)
    with pytest.raises(ValueError, match="non-empty"):
        flops.counted(cost=lambda x: 1, name="")(lambda x: x)
    with pytest.raises(ValueError, match="already counted"):
        flops.register_ufunc(np.exp)
    with pytest.raises(ValueError, match="already counted"):
        flops.register_ufunc(special.expit)  # flops.special has it
    with pytest.raises(TypeError, match="numpy.ufunc"):
        flops.register_ufunc(np.sum)
    with pytest.raises(ValueError, match="finite and non-negative"):
        flops.counted(cost=lambda x: 1, name="test.w", weight=-1.0)(lambda x: x)
    with pytest.raises(TypeError, match="shape"):
        flops.counted(cost=lambda x: 1, name="test.s", shape=(3,))(lambda x: x)
    flops.counted(cost=lambda x: 1, name="test.dup")(lambda x: x)
    declared.append("test.dup")
    with pytest.raises(ValueError, match="already registered"):
        flops.counted(cost=lambda x: 1, name="test.dup")(lambda x: x)
    assert not any(n in REGISTRY for n in ("test.w", "test.s", ""))


def test_declared_charge_under_packaged_weights(declared):
    _weights.load_weights()

    @flops.counted(cost=lambda x: x.size, name="test.unlisted")
    def f(x):
        return x

    declared.append("test.unlisted")
    assert _charge(f, fnp.ones(50))[1].flops_used == 50  # a name with no weight weighs 1.0
