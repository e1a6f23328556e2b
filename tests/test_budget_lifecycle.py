"""Budget contexts: construction, entering and leaving, and exact charging.

* Bad arguments are refused at construction, before anything is installed.
* An exception anywhere in ``__enter__`` / ``__exit__`` leaves no context
  installed and the default context usable.
* Charges accumulate exactly (SPEC.md section 3): no per-call rounding, a
  positive analytical cost is never free, N tiny calls are charged within 1
  FLOP of the exact sum.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights
from flopscope._config import MAX_FLOP_BUDGET
from flopscope.budget import session
from flopscope.budget.context import ACTIVE, current_context


def _weights_file(tmp_path, table):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"weights": table}))
    return path


# -- construction --------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"flop_budget": 0}, ValueError),
        ({"flop_budget": -5}, ValueError),
        ({"flop_budget": 1.5}, ValueError),
        ({"flop_budget": float("nan")}, ValueError),
        ({"flop_budget": float("inf")}, ValueError),
        ({"flop_budget": True}, TypeError),
        ({"flop_budget": "100"}, TypeError),
        ({"flop_budget": None}, TypeError),
        ({"flop_budget": MAX_FLOP_BUDGET + 1}, ValueError),
        ({"flop_budget": 1e30}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": 0}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": -1.0}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": float("nan")}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": float("inf")}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": 1e300}, ValueError),
        ({"flop_budget": 100, "flop_multiplier": "2"}, TypeError),
        ({"flop_budget": 100, "flop_multiplier": True}, TypeError),
        ({"flop_budget": 100, "quiet": "yes"}, TypeError),
        ({"flop_budget": 100, "namespace": ""}, ValueError),
        ({"flop_budget": 100, "namespace": "a..b"}, ValueError),
        ({"flop_budget": 100, "namespace": 3}, TypeError),
        ({"flop_budget": 100, "wall_time_limit_s": 0}, ValueError),
        ({"flop_budget": 100, "wall_time_limit_s": -1.0}, ValueError),
        ({"flop_budget": 100, "wall_time_limit_s": float("nan")}, ValueError),
        ({"flop_budget": 100, "wall_time_limit_s": float("inf")}, ValueError),
        ({"flop_budget": 100, "wall_time_limit_s": 1e300}, ValueError),
        ({"flop_budget": 100, "wall_time_limit_s": "5"}, TypeError),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_installed(kwargs, error):
    before = ACTIVE.get()
    with pytest.raises(error):
        flops.BudgetContext(**kwargs)
    assert ACTIVE.get() is before
    with flops.BudgetContext(flop_budget=10, quiet=True) as ctx:  # still usable
        fnp.exp(fnp.ones(3))
    assert ctx.flops_used == 3


def test_the_largest_budget_is_accepted():
    with flops.BudgetContext(flop_budget=MAX_FLOP_BUDGET, quiet=True) as ctx:
        fnp.exp(fnp.ones(5))
    assert ctx.flops_remaining == MAX_FLOP_BUDGET - 5


def test_failure_inside_enter_leaves_nothing_installed(monkeypatch):
    def broken(ctx):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(session, "opened", broken)
    ctx = flops.BudgetContext(flop_budget=10, quiet=True)
    with pytest.raises(RuntimeError, match="ledger unavailable"):
        ctx.__enter__()
    monkeypatch.undo()
    assert ACTIVE.get() is None or not ACTIVE.get()._explicit
    assert current_context().is_default
    with flops.BudgetContext(flop_budget=100, quiet=True) as again:
        fnp.exp(fnp.ones(2))
    assert again.flops_used == 2


def test_failure_inside_exit_still_uninstalls(monkeypatch):
    ctx = flops.BudgetContext(flop_budget=100, quiet=True)
    ctx.__enter__()

    def broken(c):
        raise RuntimeError("fold failed")

    monkeypatch.setattr(session, "closed", broken)
    with pytest.raises(RuntimeError, match="fold failed"):
        ctx.__exit__(None, None, None)
    monkeypatch.undo()
    assert current_context().is_default
    with flops.BudgetContext(flop_budget=100, quiet=True):
        pass


def test_exit_without_enter_and_double_enter_are_refused():
    ctx = flops.BudgetContext(flop_budget=100, quiet=True)
    with pytest.raises(RuntimeError):
        ctx.__exit__(None, None, None)
    with ctx:
        with pytest.raises(RuntimeError):
            ctx.__enter__()
    assert current_context().is_default


def test_the_default_context_cannot_be_entered():
    with pytest.raises(RuntimeError):
        with current_context():
            pass


def test_a_context_reentered_keeps_accumulating():
    ctx = flops.BudgetContext(flop_budget=100, quiet=True)
    with ctx:
        fnp.exp(fnp.ones(30))
    with ctx:
        fnp.exp(fnp.ones(30))
    assert ctx.flops_used == 60


# -- exact accumulation ------------------------------------------------------------------


def test_tiny_calls_are_never_free(tmp_path):
    """The issue's reproduction: 1,000 dot products of 3-vectors at a weight below 1/3."""
    _weights.load_weights(_weights_file(tmp_path, {"dot": 0.1633}))
    v = fnp.ones(3)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        for _ in range(1000):
            fnp.dot(v, v)
    exact = 1000 * 3 * Fraction(0.1633)
    assert ctx.flops_used == -(-exact.numerator // exact.denominator)  # 490, rounded up
    assert 0 <= ctx.flops_used - exact < 1


def test_a_single_tiny_call_is_charged_at_least_one_flop(tmp_path):
    _weights.load_weights(_weights_file(tmp_path, {"exp": 0.001}))
    with flops.BudgetContext(flop_budget=10, quiet=True) as ctx:
        fnp.exp(fnp.ones(1))
    assert ctx.flops_used == 1
    assert ctx.op_log[0].flop_cost == pytest.approx(0.001)


def test_budget_checks_use_the_exact_total(tmp_path):
    """Ten calls of 0.5 weighted FLOPs fit a budget of 5; an eleventh does not."""
    _weights.load_weights(_weights_file(tmp_path, {"exp": 0.5}))
    with flops.BudgetContext(flop_budget=5, quiet=True) as ctx:
        for _ in range(10):
            fnp.exp(fnp.ones(1))
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.exp(fnp.ones(1))
    assert ctx.flops_used == 5 and len(ctx.op_log) == 10


def test_multiplier_and_weight_compose_exactly(tmp_path):
    _weights.load_weights(_weights_file(tmp_path, {"exp": 0.75}))
    with flops.BudgetContext(flop_budget=10**6, flop_multiplier=1.5, quiet=True) as ctx:
        fnp.exp(fnp.ones(7))  # 7 x 0.75 x 1.5 = 7.875
    assert ctx.op_log[0].flop_cost == 7.875
    assert ctx.flops_used == 8
    assert ctx.summary_dict()["operations"]["exp"]["flop_cost"] == 8


def test_exact_totals_survive_the_log_cap(tmp_path):
    _weights.load_weights(_weights_file(tmp_path, {"exp": 0.25}))
    old = flops.configure(max_log_records=10)
    try:
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            for _ in range(1000):
                fnp.exp(fnp.ones(1))
    finally:
        flops.configure(**old)
    assert ctx.flops_used == 250
    assert ctx.summary_dict()["operations"]["exp"]["flop_cost"] == 250


def test_deduct_is_exact_and_checked():
    _weights.ACTIVE_WEIGHTS["custom"] = 0.5  # a name of the user's: no weights file lists it
    with flops.BudgetContext(flop_budget=10, quiet=True) as ctx:
        for _ in range(3):
            ctx.deduct("custom", flop_cost=3)  # 1.5 each
        with pytest.raises(flops.BudgetExhaustedError):
            ctx.deduct("custom", flop_cost=12)
    assert ctx.flops_used == 5  # 4.5 rounded up
    assert [r.flop_cost for r in ctx.op_log] == [1.5, 1.5, 1.5]
    with pytest.raises(ValueError):
        ctx.deduct("custom", flop_cost=-1)
    with pytest.raises(TypeError):
        ctx.deduct("", flop_cost=1)


@settings(max_examples=40, deadline=None)
@given(
    weight=st.floats(min_value=1e-3, max_value=64, allow_nan=False),
    sizes=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30),
)
def test_flops_used_is_the_exact_sum_rounded_up(weight, sizes):
    _weights.ACTIVE_WEIGHTS["exp"] = weight
    try:
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            for n in sizes:
                fnp.exp(fnp.ones(n))
    finally:
        _weights.ACTIVE_WEIGHTS.pop("exp", None)
    exact = sum(sizes) * Fraction(weight)
    assert 0 <= ctx.flops_used - exact < 1
    assert (ctx.flops_used > 0) == (sum(sizes) > 0)


# -- the thread / task state (flopscope/budget/state.py) -------------------------------------


def test_leaving_a_block_restores_context_namespace_and_planner_together():
    from flopscope.budget.state import NAMESPACE, PLANNING, STATE

    outside = STATE.get()
    with flops.BudgetContext(flop_budget=100, quiet=True, namespace="outer") as ctx:
        assert (ACTIVE.get(), NAMESPACE.get(), PLANNING.get()) == (ctx, "outer", None)
        with fnp.namespace("inner"):
            assert NAMESPACE.get() == "outer.inner" and ACTIVE.get() is ctx
            fnp.exp(fnp.ones(2))
        assert NAMESPACE.get() == "outer"
        plan = flops.plan(lambda x: fnp.exp(x), fnp.ones(3))
        assert PLANNING.get() is None and ACTIVE.get() is ctx
    assert STATE.get() == outside
    assert plan.analytical_flops == 3
    assert [r.namespace for r in ctx.op_log] == ["outer.inner"]


def test_a_default_context_made_active_inside_a_namespace_is_the_same_after_it():
    # The state's one set that is never reset: the thread's default context made
    # active by a call inside a namespace block. Leaving the block resets the
    # namespace only; the context stays, and nothing is charged elsewhere.
    import threading

    charged = []

    def worker():
        with fnp.namespace("phase"):
            fnp.exp(fnp.ones(4))
            first = current_context()
        fnp.exp(fnp.ones(5))
        charged.append((first, current_context(), current_context().flops_used,
                        [(r.namespace, r.analytical_cost) for r in current_context().op_log]))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    ((first, after, used, log),) = charged
    assert first is after and first.is_default
    assert used == 9
    assert log == [("phase", 4), (None, 5)]


def test_leaving_a_namespace_out_of_order_never_drops_the_context_entered_inside_it():
    # A namespace entered by hand, then a budget context, then the namespace left
    # first: resetting the namespace must not take the context with it, or the
    # calls that follow would be charged to the thread's default budget instead.
    from flopscope.budget.state import NAMESPACE

    block = fnp.namespace("phase")
    block.__enter__()
    ctx = flops.BudgetContext(flop_budget=10, quiet=True)
    ctx.__enter__()
    try:
        block.__exit__(None, None, None)
        assert ACTIVE.get() is ctx and NAMESPACE.get() is None
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.exp(fnp.ones(11))
        fnp.exp(fnp.ones(4))
        assert ctx.flops_used == 4
    finally:
        ctx.__exit__(None, None, None)
    assert ACTIVE.get() is not ctx


def test_a_state_token_resets_once_and_only_its_own_field():
    from flopscope.budget.state import NAMESPACE, PLANNING

    token = NAMESPACE.set("x")
    with pytest.raises(ValueError, match="another field"):
        PLANNING.reset(token)
    NAMESPACE.reset(token)
    assert NAMESPACE.get() is None
    with pytest.raises(RuntimeError, match="used once"):
        NAMESPACE.reset(token)
