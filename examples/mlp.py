"""flopscope end to end: count a forward pass, read the budget, plan before running, draw it.

Run from the repository root:

    make demo            # sets up .venv and runs this file
    python examples/mlp.py

It walks through the four things flopscope does:

1. eager counting: an MLP forward pass runs under a BudgetContext and every
   NumPy call is charged as it happens;
2. the budget summary: what the run cost, by operation and by phase;
3. an overrun being caught: a budget too small for the pass stops it before
   the offending call runs, and says where;
4. a plan: the same function costed from shapes alone, nothing computed,
   compared with the eager count, and drawn as a cost diagram (SVG, with or
   without Graphviz) and an HTML report, written to examples/out/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import flopscope as flops
import flopscope.numpy as fnp

DEPTH, WIDTH = 5, 256
OUT_DIR = Path(__file__).resolve().parent / "out"


def init_weights(depth: int, width: int, seed: int = 0) -> list:
    """He-initialized square layers (random draws are counted: numel each)."""
    rng = fnp.random.default_rng(seed)
    scale = fnp.sqrt(2 / width)
    return [rng.standard_normal((width, width)) * scale for _ in range(depth)]


def forward(x, weights):
    """ReLU MLP: h <- max(W h, 0) for every layer but the last."""
    h = x
    for i, W in enumerate(weights):
        with fnp.namespace(f"layer{i}"):
            h = fnp.einsum("ij,j->i", W, h)
            if i < len(weights) - 1:
                h = fnp.maximum(h, 0)
    return h


def main() -> None:
    print("1. Eager counting of an MLP forward pass")
    print("-" * 60)
    with flops.BudgetContext(flop_budget=10**8, namespace="mlp") as budget:
        with fnp.namespace("init"):
            weights = init_weights(DEPTH, WIDTH)
            x = fnp.random.default_rng(1).standard_normal(WIDTH)
        y = forward(x, weights)
    print(f"output shape {y.shape}, {budget.flops_used:,} FLOPs used\n")

    print("2. The budget summary")
    print("-" * 60)
    print(budget.summary(by_namespace=True))
    print()

    print("3. An overrun is caught before it runs")
    print("-" * 60)
    try:
        with flops.BudgetContext(flop_budget=200_000, quiet=True) as small:
            forward(x, weights)
    except flops.BudgetExhaustedError as err:
        print(f"BudgetExhaustedError: {err}")
        print(f"(the context had used {small.flops_used:,} FLOPs; the refused call never ran)\n")

    print("4. A plan: the same forward pass from shapes alone")
    print("-" * 60)
    # Weights are concrete arrays here; the input is only a shape. Nothing is computed.
    plan = flops.plan(forward, (WIDTH,), weights)
    print(plan.summary())
    eager = budget.summary_dict(by_namespace=True)["by_namespace"]
    eager_forward = sum(v["flops_used"] for k, v in eager.items() if "layer" in k)
    print(f"\nplanned {plan.flops:,} FLOPs; the eager run spent {eager_forward:,} in the "
          f"same layers: {'equal' if plan.flops == eager_forward else 'DIFFERENT'}")
    wide = flops.plan(forward, (4096,), [flops.spec((4096, 4096))] * 16)
    print(f"a 16-layer, 4096-wide version would cost {wide.flops:,} FLOPs; "
          f"fits a 1e9 budget: {wide.fits(10**9)}")
    overrun = wide.first_overrun(10**9)
    if overrun is not None:
        print(f"  it would stop at {overrun}")

    OUT_DIR.mkdir(exist_ok=True)
    svg_path = plan.save(OUT_DIR / "mlp_plan.svg", budget=200_000)
    drawer = "Graphviz" if shutil.which("dot") else "flopscope's built-in renderer"
    print(f"\ncost diagram drawn by {drawer}: {svg_path}")
    html_path = plan.save(OUT_DIR / "mlp_plan.html", budget=200_000)
    print(f"HTML report (tables, verdict for a 200,000 budget, diagram): {html_path}")
    dot_path = plan.save(OUT_DIR / "mlp_plan.dot")
    print(f"DOT text: {dot_path}")

if __name__ == "__main__":
    main()
