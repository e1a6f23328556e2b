"""Reading the log is cheap too: op_log and ctx.graph for 10^5 calls, memory for 10^6.

    python benchmarks/log.py            # medians of 5 rounds
    python benchmarks/log.py --rounds 3

Targets (issue 15): materializing ``op_log`` for 100,000 records <= 0.3 s and
``ctx.graph`` for them <= 0.5 s; resident memory for 10^6 counted calls in one
context <= 100 MB. Each round builds a fresh context (the records are
materialized once per context and then cached, so only a first read counts);
``ctx.graph`` is timed on a context whose log was never read. Both wall time
and this process's CPU time are printed: on a shared machine the wall time
also counts the time other processes held the CPU.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
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


def _timed(read: object) -> tuple[object, float, float]:
    """``read()``, its wall seconds and its CPU seconds (this process)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    value = read()  # type: ignore[operator]
    return value, time.perf_counter() - wall, time.process_time() - cpu


def reading(calls: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall s, CPU s) to read a ``calls``-call context's op_log, graph and summary."""
    import networkx  # noqa: F401  (imported once, outside the timed region)

    times: dict[str, list[tuple[float, float]]] = {"op_log": [], "graph": [], "summary": []}
    for _ in range(rounds):
        ctx = _context(calls)
        summary, wall, cpu = _timed(lambda: ctx.summary_dict(by_namespace=True))
        times["summary"].append((wall, cpu))
        assert summary["calls"] == calls  # type: ignore[index]
        log, wall, cpu = _timed(lambda: ctx.op_log)
        times["op_log"].append((wall, cpu))
        assert len(log) == calls  # type: ignore[arg-type]
        del log, ctx
        ctx = _context(calls)
        graph, wall, cpu = _timed(lambda: ctx.graph)
        times["graph"].append((wall, cpu))
        assert graph.number_of_nodes() == calls  # type: ignore[attr-defined]
        del graph, ctx
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in times.items()}


def memory(calls: int, log_calls: int) -> tuple[float, float]:
    """RSS growth (MB) in a fresh process: ``calls`` tiny counted calls in one live context
    (default log cap), and reading the op log of a ``log_calls``-call context.

    A fresh interpreter, so that memory freed by earlier measurements cannot
    hide the growth.
    """
    code = (
        "import gc, sys; sys.path.insert(0, sys.argv[3]); import log; "
        "print(*log._memory_here(int(sys.argv[1]), int(sys.argv[2])))"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", code, str(calls), str(log_calls), here],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def _memory_here(calls: int, log_calls: int) -> tuple[float, float]:
    a = fnp.ones(8)
    gc.collect()
    before = _rss_mb()
    with flops.BudgetContext(flop_budget=10**18, quiet=True) as ctx:
        for _ in range(calls):
            fnp.multiply(a, a)
        gc.collect()
        grown = _rss_mb() - before  # measured while the context (and its log) is alive
    del ctx
    ctx = _context(log_calls)
    gc.collect()
    before = _rss_mb()
    log = ctx.op_log
    gc.collect()
    assert len(log) == log_calls
    return grown, _rss_mb() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--memory-calls", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    medians = reading(args.calls, args.rounds)
    for name, label, target in (("op_log", "op_log", "target <= 0.3 s"),
                                ("graph", "ctx.graph", "target <= 0.5 s"),
                                ("summary", "summary_dict(by_namespace=True)", "no target")):
        wall, cpu = medians[name]
        print(f"{label} for {args.calls:,} records: {wall:.3f} s wall, {cpu:.3f} s CPU "
              f"(medians of {args.rounds} rounds; {target})")
    grown, log_mb = memory(args.memory_calls, args.calls)
    print(f"{args.memory_calls:,} counted calls in one context: RSS grew {grown:.1f} MB "
          "(fresh process; target <= 100 MB)")
    print(f"op_log for {args.calls:,} records: RSS grew {log_mb:.1f} MB (fresh process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
