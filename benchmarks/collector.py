"""Time the cyclic garbage collector spends per counted call over a long run.

Every counted call leaves a row in its context's log and a result array;
whether the collector can stop tracking the row decides how much each
collection has to walk as the log grows. This script makes ``--calls``
counted calls of each kind in one context and, through ``gc.callbacks``,
adds up the time inside collections and counts them per generation.

    python benchmarks/collector.py                 # 300,000 calls per kind
    python benchmarks/collector.py --calls 100000

Collection time is measured, not estimated, but a shared VM moves it by
±20% between runs; the number of full (generation-2) collections is exact.
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any, Callable

import numpy as np

import flopscope as flops
import flopscope.numpy as fnp


class _CollectorClock:
    """``gc.callbacks`` entry adding up time inside collections, per generation."""

    def __init__(self) -> None:
        self.ns = 0
        self.runs = [0, 0, 0]
        self._start = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.ns += time.perf_counter_ns() - self._start
            self.runs[info["generation"]] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300_000)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    m = rng.standard_normal((4, 4))
    clock = _CollectorClock()
    gc.callbacks.append(clock)
    print(f"{args.calls:,} counted calls of each kind in one context (4x4 operands)\n")
    print(f"  {'call':24s} {'collector per call':>19s} {'collections (gen 0/1/2)':>24s}")
    try:
        for label in ("fnp.add(m, m)", "fnp.mean(m, axis=0)", "fnp.einsum('ij,j->i')"):
            with flops.BudgetContext(flop_budget=10**18, quiet=True):
                fm, fv = fnp.multiply(m, 1), fnp.multiply(m[0], 1)
                call: Callable[[], Any] = {
                    "fnp.add(m, m)": lambda: fnp.add(fm, fm),
                    "fnp.mean(m, axis=0)": lambda: fnp.mean(fm, axis=0),
                    "fnp.einsum('ij,j->i')": lambda: fnp.einsum("ij,j->i", fm, fv),
                }[label]
                gc.collect()
                clock.ns, clock.runs = 0, [0, 0, 0]
                for _ in range(args.calls):
                    call()
                runs = "/".join(str(n) for n in clock.runs)
                print(f"  {label:24s} {clock.ns / args.calls:16.0f} ns {runs:>24s}")
    finally:
        gc.callbacks.remove(clock)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
