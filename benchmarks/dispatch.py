"""Dispatch overhead of counted calls: flopscope vs plain NumPy, in one run.

For each common operation, on a small array (8 elements) and a medium one
(256x256), time the same call through plain NumPy and through flopscope
(inside a BudgetContext), and print medians and the microseconds flopscope
adds per call. Then run one million tiny counted calls in one context and
report how resident memory grew and what the call rate was.

    python benchmarks/dispatch.py            # full run (about a minute)
    python benchmarks/dispatch.py --quick    # fewer repeats

Targets (issue 2): <= 2.5 us added per counted call on small arrays; one
million calls grow RSS by < 300 MB. The machine this runs on may be shared
and noisy: medians over several repeats, with the garbage collector on, as
in real programs.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
from fractions import Fraction
from typing import Any, Callable

import numpy as np

import flopscope as flops
import flopscope.numpy as fnp
from flopscope._weights import get_weight

# (label, plain NumPy call, flopscope call); each gets (a, b, m, v) arrays.
CASES: list[tuple[str, Callable[..., Any], Callable[..., Any]]] = [
    ("add", lambda a, b, m, v: np.add(a, b), lambda a, b, m, v: fnp.add(a, b)),
    ("a + b", lambda a, b, m, v: a + b, lambda a, b, m, v: a + b),
    ("a * 2.0", lambda a, b, m, v: a * 2.0, lambda a, b, m, v: a * 2.0),
    ("exp", lambda a, b, m, v: np.exp(a), lambda a, b, m, v: fnp.exp(a)),
    ("np.exp(fnp array)", lambda a, b, m, v: np.exp(a), lambda a, b, m, v: np.exp(a)),
    ("maximum(a, 0)", lambda a, b, m, v: np.maximum(a, 0), lambda a, b, m, v: fnp.maximum(a, 0)),
    ("sum", lambda a, b, m, v: np.sum(a), lambda a, b, m, v: fnp.sum(a)),
    ("a.sum()", lambda a, b, m, v: a.sum(), lambda a, b, m, v: a.sum()),
    ("mean(axis=0)", lambda a, b, m, v: np.mean(m, axis=0), lambda a, b, m, v: fnp.mean(m, axis=0)),
    ("m @ m", lambda a, b, m, v: m @ m, lambda a, b, m, v: m @ m),
    ("einsum ij,j->i", lambda a, b, m, v: np.einsum("ij,j->i", m, v),
     lambda a, b, m, v: fnp.einsum("ij,j->i", m, v)),
    ("dot(m, v)", lambda a, b, m, v: np.dot(m, v), lambda a, b, m, v: fnp.dot(m, v)),
]


def _arrays(size: str, wrap: bool) -> tuple[Any, ...]:
    rng = np.random.default_rng(0)
    if size == "small":
        a, b = rng.standard_normal(8), rng.standard_normal(8)
        m, v = rng.standard_normal((8, 8)), rng.standard_normal(8)
    else:
        a, b = rng.standard_normal((256, 256)), rng.standard_normal((256, 256))
        m, v = rng.standard_normal((256, 256)), rng.standard_normal(256)
    if wrap:
        return tuple(fnp.asarray(x) for x in (a, b, m, v))
    return a, b, m, v


def _per_call_ns(fn: Callable[..., Any], args: tuple, calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn(*args)
    return (time.perf_counter_ns() - start) / calls


def measure(size: str, repeats: int) -> list[tuple[str, float, float]]:
    """Median per-call ns for NumPy and flopscope, each case, interleaved repeats."""
    calls = 20_000 if size == "small" else 200
    plain, counted = _arrays(size, False), _arrays(size, True)
    results = []
    for label, numpy_call, fnp_call in CASES:
        numpy_times, fnp_times = [], []
        for _ in range(repeats):
            numpy_times.append(_per_call_ns(numpy_call, plain, calls))
            # A fresh context per repeat: the detailed log stays under its cap.
            with flops.BudgetContext(flop_budget=10**18, quiet=True):
                fnp_times.append(_per_call_ns(fnp_call, counted, calls))
        results.append((label, statistics.median(numpy_times), statistics.median(fnp_times)))
    return results


def _rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def long_run(calls: int) -> tuple[float, float, int]:
    """RSS growth (MB), ns per call and log length for ``calls`` tiny calls in one context."""
    a = fnp.ones(8)
    gc.collect()
    before = _rss_bytes()
    with flops.BudgetContext(flop_budget=10**18, quiet=True) as ctx:
        start = time.perf_counter_ns()
        for _ in range(calls):
            fnp.multiply(a, a)
        elapsed = time.perf_counter_ns() - start
    gc.collect()
    grown = (_rss_bytes() - before) / 2**20
    exact = 8 * calls * Fraction(get_weight("multiply"))
    assert ctx.flops_used == math.ceil(exact), "totals must stay exact past the log cap"
    return grown, elapsed / calls, len(ctx.op_log)


def reservation_cost(repeats: int, calls: int = 200_000) -> tuple[float, float]:
    """Median ns of the budget's atomic check-and-reserve step, with and without its lock.

    The eager executor reserves each call's charge under the context's
    ``threading.RLock`` (``_execute`` in flopscope/exec/eager.py); this times
    exactly that sequence on a real context, and the same sequence without
    the lock, so the lock's share of the per-call overhead is visible.
    """
    ctx = flops.BudgetContext(flop_budget=10**18, quiet=True)
    units = 8 << 64

    def locked() -> None:
        lock = ctx._lock
        lock.acquire()
        used = ctx._units + units
        if used > ctx._limit_units:
            lock.release()
            raise RuntimeError
        ctx._units = used
        lock.release()

    def unlocked() -> None:
        used = ctx._units + units
        if used > ctx._limit_units:
            raise RuntimeError
        ctx._units = used

    with_lock, without = [], []
    for _ in range(repeats):
        with_lock.append(_per_call_ns(locked, (), calls))
        without.append(_per_call_ns(unlocked, (), calls))
    return statistics.median(with_lock), statistics.median(without)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    parser.add_argument("--long-calls", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    print(f"flopscope {flops.__version__}, NumPy {np.__version__}, Python {sys.version.split()[0]}")
    print(f"medians of {repeats} repeats; 'added' = flopscope - NumPy per call\n")
    worst_small = 0.0
    for size in ("small", "medium"):
        print(f"{size} arrays ({'8 elements' if size == 'small' else '256x256'}):")
        print(f"  {'operation':<20} {'numpy':>10} {'flopscope':>11} {'added':>10} {'ratio':>7}")
        for label, numpy_ns, fnp_ns in measure(size, repeats):
            added = (fnp_ns - numpy_ns) / 1000
            if size == "small":
                worst_small = max(worst_small, added)
            print(f"  {label:<20} {numpy_ns / 1000:8.2f}us {fnp_ns / 1000:9.2f}us "
                  f"{added:8.2f}us {fnp_ns / numpy_ns:6.2f}x")
        print()
    target = 2.5
    verdict = "met" if worst_small <= target else f"NOT met (by {worst_small - target:.2f} us)"
    print(f"worst added per small call: {worst_small:.2f} us; target <= {target} us: {verdict}\n")
    locked, unlocked = reservation_cost(repeats)
    print(f"atomic check-and-reserve: {locked:.0f} ns with the context lock, {unlocked:.0f} ns "
          f"without (the lock adds {locked - unlocked:.0f} ns per counted call)\n")
    grown, per_call, logged = long_run(args.long_calls)
    print(f"{args.long_calls:,} tiny counted calls in one context: RSS grew {grown:.1f} MB "
          f"(target < 300 MB), {per_call / 1000:.2f} us per call, {logged:,} calls kept in "
          f"full detail (the rest aggregated per call site)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
