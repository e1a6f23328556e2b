"""Reading the log is cheap too: op_log and ctx.graph for 10^5 calls, memory for 10^6.

    python benchmarks/log.py            # medians of 5 rounds
    python benchmarks/log.py --rounds 3

Targets (issue 15): materializing ``op_log`` for 100,000 records <= 0.3 s and
``ctx.graph`` for them <= 0.5 s; resident memory for 10^6 counted calls in one
context <= 100 MB. Each round builds a fresh context (the records are
materialized once per context and then cached, so only a first read counts).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

import flopscope as flops
import flopscope.numpy as fnp


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _context(calls: int) -> flops.BudgetContext:
    a = fnp.ones(8)
    old = flops.configure(max_log_records=calls)
    try:
        with flops.BudgetContext(flop_budget=10**18, quiet=True) as ctx:
            for i in range(calls):
                a = a * 0.5 if i % 3 else fnp.sqrt(a)
    finally:
        flops.configure(**old)
    return ctx


def reading(calls: int, rounds: int) -> tuple[float, float]:
    """Median seconds to materialize ``op_log`` and ``graph`` of a ``calls``-call context."""
    import networkx  # noqa: F401  (imported once, outside the timed region)

    log_s, graph_s = [], []
    for _ in range(rounds):
        ctx = _context(calls)
        gc.collect()
        start = time.perf_counter()
        log = ctx.op_log
        log_s.append(time.perf_counter() - start)
        assert len(log) == calls
        ctx = _context(calls)
        gc.collect()
        start = time.perf_counter()
        graph = ctx.graph
        graph_s.append(time.perf_counter() - start)
        assert graph.number_of_nodes() == calls
    return statistics.median(log_s), statistics.median(graph_s)


def memory(calls: int) -> float:
    """RSS growth (MB) for ``calls`` tiny counted calls in one context (default log cap)."""
    a = fnp.ones(8)
    gc.collect()
    before = _rss_mb()
    with flops.BudgetContext(flop_budget=10**18, quiet=True):
        for _ in range(calls):
            fnp.multiply(a, a)
    gc.collect()
    return _rss_mb() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--memory-calls", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    log_s, graph_s = reading(args.calls, args.rounds)
    print(f"op_log for {args.calls:,} records: {log_s:.3f} s (median of {args.rounds}; target <= 0.3 s)")
    print(f"ctx.graph for {args.calls:,} records: {graph_s:.3f} s (median of {args.rounds}; "
          "target <= 0.5 s)")
    grown = memory(args.memory_calls)
    print(f"{args.memory_calls:,} counted calls in one context: RSS grew {grown:.1f} MB "
          "(target <= 100 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
