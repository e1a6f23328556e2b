"""Drawing large plans: time and size of the built-in SVG and the HTML report at 10,000 calls.

    python benchmarks/pictures.py              # 10,000 calls (the target: < 5 s, < 5 MB)
    python benchmarks/pictures.py --calls 40000 --repeats 3

The planned function is a loop of four counted calls per iteration (matmul,
tanh, add, multiply) on small shapes, so the graph has ``--calls`` call nodes.
Above :data:`flopscope.trace.dot.AUTO_GROUP_LIMIT` calls a diagram is drawn
grouped by call site by default. For each drawing the script prints the
median wall time over ``--repeats`` runs (building the graph from the plan,
grouping, layout and SVG text; planning itself is timed separately) and the
size of the file written. It also times drawing the full, ungrouped graph at
a smaller size (``--ungrouped-calls``), to show why large graphs are grouped.
The built-in renderer is used throughout (``engine="builtin"``), whether or
not Graphviz is installed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import flopscope as flops  # noqa: E402
import flopscope.numpy as fnp  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_BYTES = 5_000_000


def loop(x, w, iterations):
    """Four counted calls per iteration, from four lines of code."""
    for _ in range(iterations):
        h = fnp.tanh(x @ w)
        x = (h + 1.0) * 0.5
    return x


def _median(run, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--ungrouped-calls", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    iterations = max(1, options.calls // 4)
    plan_s, p = _median(lambda: flops.plan(loop, (8, 16), (16, 16), iterations),
                        options.repeats)
    print(f"planned {p.calls:,} calls in {plan_s:.3f} s (median of {options.repeats})")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, suffix, group in (("SVG, auto grouping", "svg", "auto"),
                                    ("SVG, grouped by namespace", "svg", "namespace"),
                                    ("HTML report", "html", "auto")):
            path = Path(tmp) / f"plan.{suffix}"
            seconds, _ = _median(lambda: p.save(path, group=group, budget=10**6,
                                                engine="builtin"), options.repeats)
            size = path.stat().st_size
            good = seconds < TARGET_SECONDS and size < TARGET_BYTES
            ok &= good
            print(f"{name:<28} {seconds:7.3f} s  {size / 1e3:9.1f} kB  "
                  f"{'ok' if good else 'MISSED'} (target < {TARGET_SECONDS:g} s, "
                  f"< {TARGET_BYTES / 1e6:g} MB)")
        small = flops.plan(loop, (8, 16), (16, 16), max(1, options.ungrouped_calls // 4))
        path = Path(tmp) / "full.svg"
        seconds, _ = _median(lambda: small.save(path, group=None, engine="builtin"),
                             options.repeats)
        print(f"{'SVG, ungrouped':<28} {seconds:7.3f} s  {path.stat().st_size / 1e3:9.1f} kB  "
              f"({small.calls:,} calls, every call drawn)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
