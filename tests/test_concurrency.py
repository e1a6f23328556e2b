"""Budgets under concurrency: threads, pools, asyncio, signals, re-entrancy, generators.

The rule (SPEC.md section 4, docs/budgets.md "Threads"): work in a thread
with no explicit context of its own, started -- or, for a thread pool,
submitted -- while an explicit context is open, is charged to that context.
Check and charge are one atomic step taken before NumPy runs, so no
interleaving of threads, signal handlers or re-entrant calls can take
``flops_used`` past ``flop_budget``.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.budget.context import current_context


def _in_thread(fn):
    """Run ``fn`` in a new plain thread; return its result or raise its exception."""
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


# -- who is charged ---------------------------------------------------------------


def test_plain_thread_is_charged_to_the_open_context():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        _in_thread(lambda: fnp.exp(fnp.ones(1000)))
    assert ctx.flops_used == 1000
    assert [r.op_name for r in ctx.op_log] == ["exp"]


def test_a_thread_cannot_escape_a_small_budget():
    """The issue's reproduction: exp of 10**6 elements inside a 1,000-FLOP budget."""
    with flops.BudgetContext(flop_budget=1000, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            _in_thread(lambda: fnp.exp(fnp.ones(10**6)))
    assert ctx.flops_used == 0


def test_thread_pool_worker_is_charged_to_the_submitting_context():
    with flops.BudgetContext(flop_budget=1000, quiet=True) as ctx:
        with ThreadPoolExecutor(max_workers=2) as pool:
            with pytest.raises(flops.BudgetExhaustedError):
                pool.submit(lambda: fnp.exp(fnp.ones(10**6))).result()
            pool.submit(lambda: fnp.exp(fnp.ones(100))).result()
            list(pool.map(lambda n: fnp.sqrt(fnp.ones(n)), [10, 20]))
    assert ctx.flops_used == 130


def test_pool_created_before_the_context_still_charges_it():
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        pool.submit(lambda: fnp.ones(3)).result()  # workers exist before the context
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            pool.submit(lambda: fnp.exp(fnp.ones(50))).result()
        assert ctx.flops_used == 50
        # Submitted outside any explicit context: the worker's own default context.
        default_used = pool.submit(lambda: current_context().flops_used).result()
        pool.submit(lambda: fnp.exp(fnp.ones(7))).result()
        assert pool.submit(lambda: current_context().is_default).result()
        assert pool.submit(lambda: current_context().flops_used).result() == default_used + 7
        assert ctx.flops_used == 50
    finally:
        pool.shutdown()


def test_asyncio_to_thread_and_run_in_executor_are_charged():
    async def main():
        await asyncio.to_thread(lambda: fnp.exp(fnp.ones(10)))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: fnp.exp(fnp.ones(20)))

    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        asyncio.run(main())
    assert ctx.flops_used == 30


def test_namespace_follows_the_work_into_the_thread():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with flops.namespace("phase"):
            _in_thread(lambda: fnp.exp(fnp.ones(4)))
    assert ctx.op_log[0].namespace == "phase"


def test_records_say_which_thread_ran_each_call():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        fnp.exp(fnp.ones(2))
        worker = _in_thread(lambda: (fnp.exp(fnp.ones(2)), threading.get_ident())[1])
    assert [r.thread_id for r in ctx.op_log] == [threading.get_ident(), worker]


def test_thread_started_before_the_context_keeps_its_own_default():
    started = threading.Event()
    go = threading.Event()
    box = {}

    def target():
        started.set()
        go.wait(5)
        fnp.exp(fnp.ones(9))
        box["ctx"] = current_context()

    t = threading.Thread(target=target)
    t.start()
    started.wait(5)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        go.set()
        t.join()
    assert ctx.flops_used == 0
    assert box["ctx"].is_default and box["ctx"].flops_used >= 9


def test_thread_outliving_the_context_is_still_charged_and_refused():
    go = threading.Event()
    box: dict = {}

    def target():
        go.wait(5)
        fnp.exp(fnp.ones(40))
        try:
            fnp.exp(fnp.ones(100))
        except flops.BudgetExhaustedError as exc:
            box["refused"] = exc

    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        t = threading.Thread(target=target)
        t.start()
        fnp.exp(fnp.ones(10))
    go.set()
    t.join()
    assert ctx.flops_used == 50  # charged after the block exited
    assert "refused" in box  # and the budget still holds
    session = flops.budget_summary_dict()
    assert session["operations"]["exp"]["calls"] == 2  # the ledger saw the late charge


def test_a_thread_may_open_its_own_context():
    def work():
        fnp.exp(fnp.ones(3))  # charged to the parent
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as own:
            fnp.exp(fnp.ones(5))
        fnp.exp(fnp.ones(7))  # parent again
        return own

    with flops.BudgetContext(flop_budget=10**6, quiet=True) as parent:
        own = _in_thread(work)
        with pytest.raises(RuntimeError, match="Nested"):
            with flops.BudgetContext(flop_budget=10):
                pass  # nesting in the owning thread is still refused
    assert own.flops_used == 5
    assert parent.flops_used == 10


def test_explicit_contexts_in_two_threads_stay_isolated():
    barrier = threading.Barrier(2)
    results = {}

    def work(name, n):
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            barrier.wait(5)
            for _ in range(20):
                fnp.exp(fnp.ones(n))
            barrier.wait(5)
        results[name] = ctx.flops_used

    threads = [threading.Thread(target=work, args=(k, n)) for k, n in (("a", 3), ("b", 5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": 60, "b": 100}


def test_generator_is_charged_where_it_is_resumed():
    def gen():
        while True:
            yield fnp.exp(fnp.ones(11))

    with flops.BudgetContext(flop_budget=10**6, quiet=True) as first:
        g = gen()
        next(g)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as second:
        next(g)
        next(g)
    assert (first.flops_used, second.flops_used) == (11, 22)


def test_asyncio_tasks_have_separate_contexts():
    async def task(n):
        with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
            for _ in range(5):
                fnp.exp(fnp.ones(n))
                await asyncio.sleep(0)
        return ctx.flops_used

    async def main():
        return await asyncio.gather(task(2), task(3))

    assert asyncio.run(main()) == [10, 15]


# -- atomic check and charge ---------------------------------------------------------------


def test_threads_sharing_a_context_never_overrun():
    """8 threads hammer one context; the total never passes the budget, refused ops ran nothing."""
    cost = 50_000
    budget = cost * 37 + cost // 2
    x = np.ones(cost)
    done = [0] * 8

    def hammer(i):
        for _ in range(40):
            try:
                fnp.exp(x)
            except flops.BudgetExhaustedError:
                continue
            done[i] += 1

    with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert ctx.flops_used <= budget
    assert ctx.flops_used == sum(done) * cost == 37 * cost  # every success charged, nothing else
    assert len(ctx.op_log) == sum(done)


def test_to_thread_workers_sharing_a_context_never_overrun():
    cost = 100_000
    budget = 9 * cost

    async def main():
        async def one():
            try:
                await asyncio.to_thread(fnp.exp, np.ones(cost))
                return 1
            except flops.BudgetExhaustedError:
                return 0

        return sum(await asyncio.gather(*(one() for _ in range(24))))

    with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
        succeeded = asyncio.run(main())
    assert succeeded == 9 and ctx.flops_used == budget


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_signal_handler_and_threads_never_overrun():
    """A SIGALRM handler doing counted ops between other ops' check and charge."""
    cost = 20_000
    budget = 150 * cost
    x = np.ones(cost)
    counts = {"handler": 0, "main": 0, "threads": 0}
    lock = threading.Lock()

    def handler(signum, frame):
        try:
            fnp.exp(x)
        except flops.BudgetExhaustedError:
            return
        counts["handler"] += 1

    def hammer():
        for _ in range(30):
            try:
                fnp.exp(x)
            except flops.BudgetExhaustedError:
                continue
            with lock:
                counts["threads"] += 1

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
            signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
            threads = [threading.Thread(target=hammer) for _ in range(7)]
            for t in threads:
                t.start()
            for _ in range(200):
                try:
                    fnp.exp(x)
                except flops.BudgetExhaustedError:
                    continue
                counts["main"] += 1
            for t in threads:
                t.join()
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert ctx.flops_used <= budget
    assert ctx.flops_used == sum(counts.values()) * cost


class _CountingIndex:
    """An integer argument whose conversion runs a counted op (re-entrancy)."""

    def __init__(self, value, n):
        self.value, self.n = value, n

    def __index__(self):
        fnp.exp(fnp.ones(self.n))
        return self.value


def test_reentrant_op_from_index_is_checked_against_the_current_total():
    a = np.eye(100) * 0.5
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as probe:
        fnp.linalg.matrix_power(a, 3)
    outer = probe.flops_used
    inner = 10**5
    budget = outer + inner // 2  # either fits alone, not both
    with flops.BudgetContext(flop_budget=budget, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.linalg.matrix_power(a, _CountingIndex(3, inner))
    assert ctx.flops_used <= budget


class _ArrayLikeThatComputes:
    def __init__(self, n):
        self.n = n
        self.conversions = 0

    def __array__(self, dtype=None, copy=None):
        self.conversions += 1
        fnp.exp(fnp.ones(self.n))
        return np.ones(4)


def test_reentrant_op_from_array_protocol_is_charged():
    """Every op the conversion runs is charged (the costing pass converts too)."""
    arg = _ArrayLikeThatComputes(25)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        fnp.sum(arg)
    assert arg.conversions >= 1
    assert ctx.flops_used == 25 * arg.conversions + 4
    assert [r.op_name for r in ctx.op_log].count("exp") == arg.conversions


def test_refused_op_in_a_thread_changes_nothing():
    out = fnp.zeros(1000)
    with flops.BudgetContext(flop_budget=10, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            _in_thread(lambda: fnp.exp(fnp.ones(1000), out=out))
    assert ctx.flops_used == 0 and not out.any() and ctx.op_log == []


def test_numpy_error_returns_the_reservation():
    with flops.BudgetContext(flop_budget=100, quiet=True) as ctx:
        with pytest.raises(ValueError):
            fnp.add(fnp.ones(3), fnp.ones(3), out=fnp.ones(4))
        fnp.exp(fnp.ones(100))  # the whole budget is still there
    assert ctx.flops_used == 100


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX threads")
def test_daemon_timer_thread_is_charged():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        timer = threading.Timer(0.0, lambda: fnp.exp(fnp.ones(6)))
        timer.start()
        timer.join()
    assert ctx.flops_used == 6
