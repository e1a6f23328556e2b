"""BudgetContext semantics: checks before execution, records, summaries, timing, isolation."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.budget.context import current_context


# -- construction and validation ------------------------------------------------------


def test_parameters_and_properties():
    ctx = flops.BudgetContext(1e8, flop_multiplier=2.0, quiet=True, namespace="predict",
                              wall_time_limit_s=3.0)
    assert ctx.flop_budget == 100_000_000 and isinstance(ctx.flop_budget, int)
    assert ctx.flop_multiplier == 2.0
    assert ctx.quiet is True
    assert ctx.namespace == "predict"
    assert ctx.wall_time_limit_s == 3.0
    assert ctx.flops_used == 0 and ctx.flops_remaining == 100_000_000
    assert ctx.op_log == []


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"flop_budget": 0}, ValueError),
        ({"flop_budget": -5}, ValueError),
        ({"flop_budget": 1.5}, ValueError),
        ({"flop_budget": math.nan}, ValueError),
        ({"flop_budget": math.inf}, ValueError),
        ({"flop_budget": True}, TypeError),
        ({"flop_budget": "1e8"}, TypeError),
        ({"flop_budget": 10, "flop_multiplier": 0}, ValueError),
        ({"flop_budget": 10, "flop_multiplier": -1.0}, ValueError),
        ({"flop_budget": 10, "flop_multiplier": math.nan}, ValueError),
        ({"flop_budget": 10, "wall_time_limit_s": 0}, ValueError),
        ({"flop_budget": 10, "wall_time_limit_s": "5"}, TypeError),
        ({"flop_budget": 10, "namespace": ""}, ValueError),
        ({"flop_budget": 10, "namespace": "a..b"}, ValueError),
        ({"flop_budget": 10, "namespace": 3}, TypeError),
    ],
)
def test_invalid_parameters_are_clear_errors(kwargs, error):
    with pytest.raises(error):
        flops.BudgetContext(**kwargs)


def test_numpy_integer_budget_accepted():
    assert flops.BudgetContext(np.int64(1000)).flop_budget == 1000


# -- enforcement -------------------------------------------------------------------------


def test_refused_before_execution_with_clear_message():
    with flops.BudgetContext(flop_budget=1_000) as ctx:
        fnp.exp(fnp.ones(600))
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.exp(fnp.ones(600))
    err = info.value
    assert err.op_name == "exp" and err.flop_cost == 600 and err.flops_remaining == 400
    message = str(err)
    assert "exp" in message and "600" in message and "400" in message
    assert "test_budget.py" in message  # the user's call site
    assert ctx.flops_used == 600 and len(ctx.op_log) == 1


def test_exact_fit_is_allowed():
    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        fnp.exp(fnp.ones(100))
    assert ctx.flops_remaining == 0


def test_refused_in_place_op_leaves_array_unchanged():
    a = fnp.ones(1_000)
    with flops.BudgetContext(flop_budget=10) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            a += 5
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.multiply(a, 3, out=a)
    assert (np.asarray(a) == 1).all()
    assert ctx.flops_used == 0 and ctx.op_log == []


def test_numpy_error_charges_nothing():
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        with pytest.raises(ValueError):
            fnp.add(fnp.ones(3), fnp.ones(4))
        with pytest.raises(ValueError):
            fnp.ones((2, 3)) @ fnp.ones((2, 3))
    assert ctx.flops_used == 0 and ctx.op_log == []


def test_error_carries_state():
    with flops.BudgetContext(flop_budget=50) as ctx:
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.ones((10, 10)) @ fnp.ones((10, 10))
    err = info.value
    assert (err.flop_budget, err.flops_used, err.flop_cost) == (50, 0, 1_000)
    assert err.record.op_name == "matmul" and err.record.tags["refused"] is True
    assert ctx.flops_used == 0


def test_multiplier_scales_charges():
    with flops.BudgetContext(flop_budget=10**6, flop_multiplier=2.5) as ctx:
        fnp.exp(fnp.ones(100))
    record = ctx.op_log[0]
    assert record.analytical_cost == 100 and record.flop_cost == 250
    assert ctx.flops_used == 250


def test_nested_explicit_contexts_raise():
    with flops.BudgetContext(flop_budget=100):
        with pytest.raises(RuntimeError, match="Nested"):
            with flops.BudgetContext(flop_budget=100):
                pass


def test_same_context_cannot_be_entered_twice_at_once():
    ctx = flops.BudgetContext(flop_budget=100)
    with ctx:
        with pytest.raises(RuntimeError):
            ctx.__enter__()


def test_reentry_accumulates():
    ctx = flops.BudgetContext(flop_budget=1_000, quiet=True)
    with ctx:
        fnp.exp(fnp.ones(10))
    with ctx:
        fnp.exp(fnp.ones(10))
    assert ctx.flops_used == 20 and len(ctx.op_log) == 2


# -- the default context -----------------------------------------------------------------------


def test_default_context_counts_outside_any_block():
    def run():
        ctx = current_context()
        assert ctx.is_default and ctx.flop_budget == 10**15
        fnp.exp(fnp.ones(7))
        assert ctx.flops_used == 7
        with flops.BudgetContext(flop_budget=100) as explicit:
            assert current_context() is explicit
            fnp.exp(fnp.ones(3))
        assert current_context() is ctx and ctx.flops_used == 7

    # A fresh thread has a fresh default context.
    thread = threading.Thread(target=run)
    errors = []
    thread.run = lambda: errors.append(None) if run() else None  # run in-thread
    t = threading.Thread(target=lambda: _capture(run, errors))
    t.start()
    t.join()
    assert errors == [], errors


def _capture(fn, sink):
    try:
        fn()
    except BaseException as exc:  # pragma: no cover - only on failure
        sink.append(exc)


def test_default_budget_from_environment():
    code = (
        "import flopscope as flops, flopscope.numpy as fnp\n"
        "from flopscope.budget.context import current_context\n"
        "assert current_context().flop_budget == 5000\n"
        "fnp.exp(fnp.ones(4000))\n"
        "try:\n    fnp.exp(fnp.ones(2000))\nexcept flops.BudgetExhaustedError:\n    print('refused')\n"
    )
    env = {"FLOPSCOPE_DEFAULT_BUDGET": "5e3", "FLOPSCOPE_DISABLE_WEIGHTS": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=_env(env), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "refused"


def test_bad_default_budget_environment_is_clear():
    code = "import flopscope.numpy as fnp\nfnp.exp(fnp.ones(3))\n"
    env = _env({"FLOPSCOPE_DEFAULT_BUDGET": "lots", "FLOPSCOPE_DISABLE_WEIGHTS": "1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "FLOPSCOPE_DEFAULT_BUDGET" in out.stderr


def _env(extra):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOPSCOPE_")}
    env.update({k: v for k, v in extra.items() if k != "PATH"})
    return env


# -- records -----------------------------------------------------------------------------------


def test_op_record_fields():
    with flops.BudgetContext(flop_budget=10**6, namespace="solve") as ctx:
        a, b = fnp.ones((4, 5)), fnp.ones(5)
        fnp.einsum("ij,j->i", a, b)
        fnp.exp(a)
    first, second = ctx.op_log
    assert first.op_name == "einsum" and first.subscripts == "ij,j->i"
    assert first.namespace == "solve"
    assert first.shapes == ((4, 5), (5,))
    assert first.flop_cost == 20 and first.cumulative == 20
    assert second.cumulative == 40 and second.subscripts is None
    for rec in ctx.op_log:
        assert rec.flopscope_context_start_offset_s >= 0
        assert rec.flopscope_backend_duration_s >= 0
        assert rec.flopscope_overhead_duration_s > 0
        assert rec.call_site.filename.endswith("test_budget.py")
        assert rec.call_site.function == "test_op_record_fields"
    assert first.output_shape == (4,) and first.output_dtype == "float64"
    assert second.flopscope_context_start_offset_s >= first.flopscope_context_start_offset_s


def test_call_site_line_numbers_are_the_users():
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        a = fnp.ones(3)
        line = sys._getframe().f_lineno + 1
        b = a + a  # operator path
        np.exp(b)  # NumPy protocol path
        b.sum()  # method path
    lines = [rec.call_site.lineno for rec in ctx.op_log]
    assert lines == [line, line + 1, line + 2]


def test_summary_text_and_dict():
    with flops.BudgetContext(flop_budget=10_000, namespace="phase") as ctx:
        a = fnp.ones(100)
        fnp.exp(a)
        fnp.exp(a)
        fnp.sum(a)
    text = ctx.summary()
    assert "Total budget: 10,000" in text and "exp" in text and "[2 calls]" in text
    assert "Flopscope Backend" in text and "Residual Wall Time" in text
    data = ctx.summary_dict(by_namespace=True)
    assert data["flops_used"] == 300 and data["flops_remaining"] == 9_700
    assert data["operations"]["exp"] == {"flop_cost": 200, "analytical_cost": 200, "calls": 2}
    assert data["by_namespace"]["phase"]["flops_used"] == 300
    assert "By namespace" in ctx.summary(by_namespace=True)
    assert repr(ctx.summary()) == str(ctx.summary())  # prints as a table at a prompt


def test_timing_identity_and_residual():
    with flops.BudgetContext(flop_budget=10**9) as ctx:
        a = fnp.ones((200, 200))
        for _ in range(5):
            a @ a
        time.sleep(0.02)  # user time: residual
    data = ctx.summary_dict()
    total = (data["flopscope_backend_time_s"] + data["flopscope_overhead_time_s"]
             + data["residual_wall_time_s"])
    assert math.isclose(total, data["wall_time_s"], rel_tol=1e-9)
    assert data["residual_wall_time_s"] >= 0.02
    assert data["flopscope_backend_time_s"] > 0 and data["flopscope_overhead_time_s"] > 0
    assert math.isclose(ctx.wall_time_s, ctx.flopscope_backend_time_s + ctx.flopscope_overhead_time_s
                        + ctx.residual_wall_time_s, rel_tol=1e-6)
    wall = ctx.wall_time_s
    time.sleep(0.01)
    assert ctx.wall_time_s == wall  # a closed context's clock has stopped


def test_wall_time_limit():
    with flops.BudgetContext(flop_budget=10**9, wall_time_limit_s=0.05) as ctx:
        fnp.exp(fnp.ones(10))
        time.sleep(0.06)
        with pytest.raises(flops.TimeExhaustedError, match="wall-clock limit"):
            fnp.exp(fnp.ones(10))
    assert ctx.flops_used == 10  # the refused call was not charged


def test_quiet_controls_the_near_budget_warning():
    with pytest.warns(flops.FlopscopeWarning, match="90|9[0-9]\\.[0-9]%"):
        with flops.BudgetContext(flop_budget=100):
            fnp.exp(fnp.ones(95))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with flops.BudgetContext(flop_budget=100, quiet=True):
            fnp.exp(fnp.ones(95))


def test_deduct_charges_through_the_same_path():
    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        ctx.deduct("custom_kernel", flop_cost=60, shapes=((6, 10),))
        with pytest.raises(flops.BudgetExhaustedError):
            ctx.deduct("custom_kernel", flop_cost=60)
        with pytest.raises(ValueError):
            ctx.deduct("custom_kernel", flop_cost=-1)
    assert ctx.flops_used == 60 and ctx.op_log[0].op_name == "custom_kernel"
    assert ctx.op_log[0].shapes == ((6, 10),)


# -- namespaces ----------------------------------------------------------------------------------


def test_namespaces_nest_and_both_entry_points_work():
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        a = fnp.ones(4)
        fnp.exp(a)
        with flops.namespace("init"):
            fnp.exp(a)
            with fnp.namespace("inner.deep"):
                fnp.exp(a)
        fnp.exp(a)
    assert [r.namespace for r in ctx.op_log] == [None, "init", "init.inner.deep", None]
    by_ns = ctx.summary_dict(by_namespace=True)["by_namespace"]
    assert set(by_ns) == {"<root>", "init", "init.inner.deep"}
    assert by_ns["<root>"]["flops_used"] == 8


def test_namespace_rejects_bad_labels():
    with pytest.raises(ValueError):
        with fnp.namespace(""):
            pass


# -- isolation -----------------------------------------------------------------------------------


def test_threads_have_independent_contexts():
    results = {}

    def worker(n):
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            for _ in range(50):
                fnp.exp(fnp.ones(n))
            results[n] = ctx.flops_used

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as main_ctx:
        fnp.exp(fnp.ones(5))
    for t in threads:
        t.join()
    assert results == {1: 50, 2: 100, 3: 150, 4: 200}
    assert main_ctx.flops_used == 5


def test_asyncio_tasks_have_independent_contexts():
    async def task(n):
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            for _ in range(3):
                fnp.exp(fnp.ones(n))
                await asyncio.sleep(0)
            return ctx.flops_used

    async def main():
        return await asyncio.gather(*(task(n) for n in (1, 10, 100)))

    assert asyncio.run(main()) == [3, 30, 300]


# -- session summary ------------------------------------------------------------------------------


def test_session_summary_accumulates_across_contexts():
    for n in (10, 20):
        with flops.BudgetContext(flop_budget=10**6):
            fnp.exp(fnp.ones(n))
    data = flops.budget_summary_dict()
    assert data["operations"]["exp"]["flop_cost"] == 30
    assert data["operations"]["exp"]["calls"] == 2
    assert data["contexts"] >= 2
    total = (data["flopscope_backend_time_s"] + data["flopscope_overhead_time_s"]
             + data["residual_wall_time_s"])
    assert math.isclose(total, data["wall_time_s"], rel_tol=1e-9)
    assert "Session" in flops.budget_summary() and "exp" in fnp.budget_summary_dict()["operations"]


def test_log_cap_keeps_totals_exact():
    old = flops.configure(max_log_records=10)
    try:
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            a = fnp.ones(3)
            for _ in range(25):
                fnp.exp(a)
        assert len(ctx.op_log) == 10
        data = ctx.summary_dict()
        assert data["operations"]["exp"] == {"flop_cost": 75, "analytical_cost": 75, "calls": 25}
        assert data["folded_calls"] == 15 and ctx.flops_used == 75
        sites = ctx.trace.site_aggregates()
        assert len(sites) == 1 and sites[0].calls == 25
        assert sites[0].call_site.filename.endswith("test_budget.py")
    finally:
        flops.configure(**old)


def test_log_cap_warns_once_unless_quiet():
    old = flops.configure(max_log_records=2)
    try:
        with pytest.warns(flops.FlopscopeWarning, match="operation log reached"):
            with flops.BudgetContext(flop_budget=10**6):
                for _ in range(5):
                    fnp.exp(fnp.ones(1))
    finally:
        flops.configure(**old)


def test_configure_validates():
    with pytest.raises(TypeError):
        flops.configure(no_such_option=1)
    with pytest.raises(ValueError):
        flops.configure(max_log_records=-1)
