"""Planning speed and memory: an MLP forward pass planned with ``flops.plan`` vs run eagerly.

    python benchmarks/plan.py                 # widths 256..8192, depths 8..64
    python benchmarks/plan.py --quick         # a smaller grid, for a smoke run

For each width and depth it prints the median time to plan
``forward(x, weights, biases)`` (a batch of ``--batch`` rows through
``depth`` layers of ``maximum(h @ W + b, 0)``) and, up to ``--eager-max-width``,
the median time of the same pass run eagerly in a budget context, checking
that both report the same FLOPs. Planning costs a fixed amount of Python per
call, so its time depends on the number of calls (3 per layer), not on the
width; the eager run's time grows with width².

It then reports the peak memory (``tracemalloc``) of planning the README's
MLP (weights drawn inside the function) at width 4096 and depth 64, against
one 4096×4096 float64 weight matrix (128 MiB).

The model functions here double as the examples of docs/planning.md, drawn
with ``python -m flopscope plan`` (see there for the commands).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import flopscope as flops  # noqa: E402
import flopscope.numpy as fnp  # noqa: E402


def forward(x: Any, weights: list, biases: list) -> Any:
    """An MLP forward pass: ``depth`` layers of ``maximum(h @ W + b, 0)``."""
    h = x
    for w, b in zip(weights, biases):
        h = fnp.maximum(h @ w + b, 0)
    return h


def readme_mlp(x: Any, depth: int = 5) -> Any:
    """The README's MLP: weights drawn inside, einsum and ReLU per layer."""
    width = x.shape[0]
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    h = x
    for i, w in enumerate(weights):
        h = fnp.einsum("ij,j->i", w, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


def deep_mlp(x: Any) -> Any:
    """The README's MLP, 64 layers deep (draw it with ``--group site``)."""
    return readme_mlp(x, depth=64)


def attention(x: Any, wq: Any, wk: Any, wv: Any, wo: Any) -> Any:
    """A self-attention block with a residual and a layer norm (drawn in docs/planning.md)."""
    q, k, v = x @ wq, x @ wk, x @ wv
    scores = q @ k.T / fnp.sqrt(q.shape[-1])
    weights = fnp.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    h = x + (weights @ v) @ wo
    centred = h - h.mean(axis=-1, keepdims=True)
    return centred / fnp.sqrt(h.var(axis=-1, keepdims=True) + 1e-5)


def _median_seconds(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plan_forward(width: int, depth: int, batch: int) -> flops.Plan:
    return flops.plan(forward, flops.spec((batch, width)),
                      [flops.spec((width, width))] * depth, [flops.spec((width,))] * depth)


def eager_forward(width: int, depth: int, batch: int, rng: np.random.Generator) -> tuple[Any, Any]:
    """Inputs for an eager run. One weight matrix serves every layer (same cost, less memory)."""
    x = rng.standard_normal((batch, width)).view(fnp.ndarray)
    w = (rng.standard_normal((width, width)) / np.sqrt(width)).view(fnp.ndarray)
    b = np.zeros(width).view(fnp.ndarray)
    return x, ([w] * depth, [b] * depth)


def measure_memory(width: int = 4096, depth: int = 64) -> tuple[int, int]:
    """(peak traced bytes, FLOPs) of planning the README MLP at ``width`` x ``depth``."""
    flops.plan(readme_mlp, (16,), depth=2)  # warm the caches first
    gc.collect()
    tracemalloc.start()
    try:
        p = flops.plan(readme_mlp, (width,), depth=depth)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, p.flops


#: Issue 15, item 4: planning stays cheap per call, and the 64-layer 8192-wide MLP is quick.
TARGET_SHAPE = (8192, 64)  # (width, depth)
TARGET_PER_CALL_US = 15.0
TARGET_MLP_MS = 2.5


def print_targets(rounds: dict[tuple[int, int], list[float]], calls: dict[tuple[int, int], int],
                  repeats: int) -> None:
    """The per-planned-call figure and the target MLP's plan time, against issue 15's targets.

    Printed after the table, with the number of rounds (``--eager-max-width 0``
    skips the eager runs when only these figures are wanted).

    Per planned call: each round's plan time divided by its number of counted
    calls, for every timed grid point, then the median of all of them (the
    fixed cost of a plan, its inputs and labels, is spread over the calls, as
    a user sees it).
    """
    per_call = [1e6 * t / calls[key] for key, times in rounds.items() for t in times]
    median_call = statistics.median(per_call)
    mlp_ms = 1e3 * statistics.median(rounds[TARGET_SHAPE])
    width, depth = TARGET_SHAPE

    def verdict(value: float, target: float) -> str:
        return "met" if value <= target else "MISSED"

    print(f"\ntargets (issue 15 item 4), medians over {repeats} rounds of {len(rounds)} grid "
          f"points:")
    print(f"  per planned call: {median_call:6.2f} us   (target <= {TARGET_PER_CALL_US:g} us: "
          f"{verdict(median_call, TARGET_PER_CALL_US)})")
    print(f"  {depth}-layer {width}-wide MLP ({calls[TARGET_SHAPE]} calls): {mlp_ms:6.2f} ms   "
          f"(target <= {TARGET_MLP_MS:g} ms: {verdict(mlp_ms, TARGET_MLP_MS)})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096, 8192])
    parser.add_argument("--depths", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--eager-repeats", type=int, default=3)
    parser.add_argument("--eager-max-width", type=int, default=8192)
    parser.add_argument("--quick", action="store_true", help="widths 256 1024 4096, depths 8 64")
    options = parser.parse_args(argv)
    if options.quick:
        options.widths, options.depths, options.repeats = [256, 1024, 4096], [8, 64], 3
    rng = np.random.default_rng(0)
    print(f"MLP forward pass, batch {options.batch}; medians of {options.repeats} plan runs and "
          f"{options.eager_repeats} eager runs (shared machine: figures are noisy)\n")
    header = f"{'width':>6} {'depth':>5} {'calls':>6} {'plan ms':>9} {'eager ms':>10} {'eager/plan':>10}"
    print(header)
    print("-" * len(header))
    grid = [(width, depth) for width in options.widths for depth in options.depths]
    timed = grid if TARGET_SHAPE in grid else [*grid, TARGET_SHAPE]  # the target is always timed
    plans = {key: plan_forward(*key, options.batch) for key in timed}  # also warms every path
    # Plan timings are taken round-robin over the grid, so that load from other
    # processes falls on every width alike; each figure is a median over rounds.
    rounds: dict[tuple[int, int], list[float]] = {key: [] for key in timed}
    for _ in range(options.repeats):
        for key in timed:
            start = time.perf_counter()
            plan_forward(*key, options.batch)
            rounds[key].append(time.perf_counter() - start)
    plan_ms = {key: 1e3 * statistics.median(times) for key, times in rounds.items()}
    for width, depth in grid:
        p = plans[width, depth]
        eager_text, ratio_text = "-", "-"
        if width <= options.eager_max_width:
            x, (ws, bs) = eager_forward(width, depth, options.batch, rng)

            def run() -> None:
                with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
                    forward(x, ws, bs)
                assert ctx.flops_used == p.flops, (ctx.flops_used, p.flops)

            run()  # warm-up (BLAS threads, first touch of the weights)
            eager_ms = 1e3 * _median_seconds(run, options.eager_repeats)
            eager_text = f"{eager_ms:10.1f}"
            ratio_text = f"{eager_ms / plan_ms[width, depth]:9.1f}x"
        print(f"{width:>6} {depth:>5} {p.calls:>6} {plan_ms[width, depth]:>9.2f} {eager_text:>10} "
              f"{ratio_text:>10}")
    print("\nplan time by depth, widest / narrowest width (1.0 = independent of width):")
    for depth in options.depths:
        narrow, wide = plan_ms[min(options.widths), depth], plan_ms[max(options.widths), depth]
        per_call = 1e3 * wide / (3 * depth)
        print(f"  depth {depth:>3}: {wide / narrow:5.2f}   ({per_call:.1f} us per planned call)")
    print_targets(rounds, {key: p.calls for key, p in plans.items()}, options.repeats)
    peak, total = measure_memory()
    matrix = 4096 * 4096 * 8
    print(f"\nplanning the README MLP at width 4096, depth 64 ({total:,} FLOPs): "
          f"peak {peak / 2**20:.2f} MiB traced, vs {matrix / 2**20:.0f} MiB for one weight "
          f"matrix ({100 * peak / matrix:.2f}%)")


if __name__ == "__main__":
    main()
