"""Machine instructions per counted call, flopscope vs plain NumPy (needs valgrind).

Timings on a shared VM move by tens of percent from one minute to the next;
instruction counts do not. This script runs each case of the tiny-op set
``--calls`` times under ``valgrind --tool=callgrind``, counting only inside the
loop (the loop is driven by ``collections.deque(map(operator.call, ...))``,
whose C function ``consume_iterator`` is the only one instrumented), once
through NumPy and once through flopscope, and prints instructions per call
and what flopscope adds. Instructions are not time (a cache miss costs more
than an add), but a change that removes instructions from the hot path shows
here exactly, whatever else the machine is doing.

    python benchmarks/instructions.py                 # every case, 1,000 calls each
    python benchmarks/instructions.py add einsum      # some cases

Valgrind is a development tool, not a dependency: without it the script says
so and exits.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

CASES = ["add", "a*2.0", "exp", "np.exp(f)", "sum", "mean ax0", "m@m", "einsum", "dot",
         "where", "x/s (NumPy scalar)", "x.T @ x"]


def _operands():  # pragma: no cover - runs in the child process
    import numpy as np

    import flopscope as flops
    import flopscope.numpy as fnp

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(8), rng.standard_normal(8)
    m, v = rng.standard_normal((4, 4)), rng.standard_normal(4)
    c, s = a > 0, np.float64(2.5)
    with flops.BudgetContext(flop_budget=10**18, quiet=True):
        fa, fb, fm, fv = (fnp.multiply(x, 1) for x in (a, b, m, v))
        fc = fa > 0
    plain = {
        "add": lambda: np.add(a, b), "a*2.0": lambda: a * 2.0, "exp": lambda: np.exp(a),
        "np.exp(f)": lambda: np.exp(a), "sum": lambda: np.sum(a),
        "mean ax0": lambda: np.mean(m, axis=0), "m@m": lambda: m @ m,
        "einsum": lambda: np.einsum("ij,j->i", m, v), "dot": lambda: np.dot(m, v),
        "where": lambda: np.where(c, a, b), "x/s (NumPy scalar)": lambda: a / s,
        "x.T @ x": lambda: m.T @ m,
    }
    counted = {
        "add": lambda: fnp.add(fa, fb), "a*2.0": lambda: fa * 2.0, "exp": lambda: fnp.exp(fa),
        "np.exp(f)": lambda: np.exp(fa), "sum": lambda: fnp.sum(fa),
        "mean ax0": lambda: fnp.mean(fm, axis=0), "m@m": lambda: fm @ fm,
        "einsum": lambda: fnp.einsum("ij,j->i", fm, fv), "dot": lambda: fnp.dot(fm, fv),
        "where": lambda: fnp.where(fc, fa, fb), "x/s (NumPy scalar)": lambda: fa / s,
        "x.T @ x": lambda: fm.T @ fm,
    }
    return plain, counted


def child(case: str, mode: str, calls: int) -> None:  # pragma: no cover - under valgrind
    import collections
    import gc
    import itertools
    import operator

    import flopscope as flops

    plain, counted = _operands()
    fn = (counted if mode == "fnp" else plain)[case]
    with flops.BudgetContext(flop_budget=10**18, quiet=True):
        for _ in range(300):  # warm: first-call caches, specialization
            fn()
        # Start the count from an empty young generation: otherwise whether a full
        # collection of the whole process happens to fall inside the counted calls
        # moves a case by up to ~2,000 instructions per call from one run to the next.
        gc.collect()
        collections.deque(map(operator.call, itertools.repeat(fn, calls)), maxlen=0)


def count(case: str, mode: str, calls: int) -> float:
    """Instructions per call of ``case`` through ``mode`` ("numpy" or "fnp")."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--toggle-collect=consume_iterator", f"--callgrind-out-file={out}",
             sys.executable, os.path.abspath(__file__), "--child", case, mode, str(calls)],
            capture_output=True, text=True, check=True,
        )
    found = re.search(r"Collected\s*:\s*([\d,]+)", proc.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{proc.stderr[-2000:]}")
    return int(found.group(1).replace(",", "")) / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=CASES)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--child", nargs=3, metavar=("CASE", "MODE", "CALLS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind); nothing measured")
        return 1
    print(f"instructions per call, {args.calls:,} calls per case (valgrind callgrind)\n")
    print(f"  {'operation':<20} {'numpy':>9} {'flopscope':>10} {'added':>9}")
    for case in args.cases:
        numpy_ir, fnp_ir = count(case, "numpy", args.calls), count(case, "fnp", args.calls)
        print(f"  {case:<20} {numpy_ir:9,.0f} {fnp_ir:10,.0f} {fnp_ir - numpy_ir:9,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
