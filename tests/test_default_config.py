"""The configuration users run: the packaged official weights loaded.

The rest of the suite runs on unit weights (tests/conftest.py) so that it
checks the formulas themselves; this module loads the packaged table, as a
fresh ``import flopscope`` does, and checks what a user is charged:

* the seeds' MLP is charged exactly Σ analytical × weight (hand-derived
  analytical figures, weights read from the packaged file itself);
* equivalent spellings of one computation are charged alike;
* tiny calls add up exactly (rounded up once, never per call);
* a plan of a function charges what an eager run of it charges.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights


@pytest.fixture(autouse=True)
def packaged_weights():
    """Load the packaged table for each test (the suite's fixture restores unit weights after)."""
    path = _weights.packaged_weights_path()
    if path is None:  # pragma: no cover - the wheel always ships it
        pytest.skip("no packaged weights in this build")
    _weights.load_weights()
    return json.loads(path.read_text())["weights"]


def _w(table: dict, name: str) -> Fraction:
    """An op's packaged weight as an exact fraction (1 when the table does not list it)."""
    return Fraction(table.get(name, 1.0))


def _ceil(x: Fraction) -> int:
    return -(-x.numerator // x.denominator)


def mlp_forward(depth: int = 5, width: int = 256):
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    h = fnp.random.randn(width)
    for i, W in enumerate(weights):
        h = fnp.einsum("ij,j->i", W, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


def test_a_fresh_import_loads_the_packaged_table():
    code = ("import flopscope._weights as w; "
            "print(w.active_weights_source()); print(len(w.ACTIVE_WEIGHTS))")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("FLOPSCOPE_DISABLE_WEIGHTS", "FLOPSCOPE_WEIGHTS_FILE")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split("\n")
    assert "packaged" in out[0] and int(out[1]) > 100


def test_seed_mlp_is_charged_exactly_analytical_times_weight(packaged_weights):
    # Analytical figures derived by hand (see test_seed_numbers.py): randn 5·256² + 256,
    # einsum 'ij,j->i' 5·256², multiply 5·256², maximum 4·256, sqrt of a scalar 1.
    analytical = {"random.randn": 327_936, "einsum": 327_680, "multiply": 327_680,
                  "maximum": 1_024, "sqrt": 1}
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        mlp_forward()
    exact = sum(n * _w(packaged_weights, op) for op, n in analytical.items())
    assert budget.flops_used == _ceil(exact)
    ops = budget.summary_dict()["operations"]
    for op, n in analytical.items():
        assert ops[op]["analytical_cost"] == n
        assert ops[op]["flop_cost"] == _ceil(n * _w(packaged_weights, op))
    assert sum(r.analytical_cost for r in budget.op_log) == 984_321


def _charge(fn, *args) -> int:
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        fn(*args)
    return ctx.flops_used


def test_the_contraction_spellings_are_charged_alike():
    rng = np.random.default_rng(0)
    a, b = fnp.asarray(rng.standard_normal((100, 100))), fnp.asarray(rng.standard_normal((100, 100)))
    charges = {
        "a @ b": _charge(lambda: a @ b),
        "matmul": _charge(fnp.matmul, a, b),
        "dot": _charge(fnp.dot, a, b),
        "tensordot": _charge(fnp.tensordot, a, b, 1),
        "inner": _charge(fnp.inner, a, b.T),
        "einsum": _charge(fnp.einsum, "ij,jk->ik", a, b),
        "einsum optimize": _charge(lambda: fnp.einsum("ij,jk->ik", a, b, optimize=True)),
        "np.matmul": _charge(np.matmul, a, b),
        "a.dot(b)": _charge(lambda: a.dot(b)),
    }
    low, high = min(charges.values()), max(charges.values())
    assert high <= low * 1.05, charges


def test_the_normal_draw_spellings_are_charged_alike():
    rng = fnp.random.default_rng(0)
    charges = {
        "Generator.standard_normal": _charge(rng.standard_normal, 10_000),
        "random.randn": _charge(fnp.random.randn, 10_000),
        "random.standard_normal": _charge(fnp.random.standard_normal, 10_000),
        "random.normal": _charge(fnp.random.normal, 0.0, 1.0, 10_000),
    }
    low, high = min(charges.values()), max(charges.values())
    assert high <= low * 1.05, charges


def test_tiny_calls_add_up_exactly(packaged_weights):
    v = fnp.ones(3)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for _ in range(1000):
            fnp.dot(v, v)
    exact = 1000 * 3 * _w(packaged_weights, "dot")
    assert ctx.flops_used == _ceil(exact) > 0
    assert all(r.flop_cost > 0 for r in ctx.op_log)


def test_a_plan_charges_what_the_eager_run_charges():
    def forward(x, w1, w2):
        h = fnp.maximum(x @ w1, 0)
        return fnp.exp(h @ w2).sum()

    shapes = ((32, 64), (64, 128), (128, 10))
    plan = flops.plan(forward, *shapes)
    rng = np.random.default_rng(1)
    args = [fnp.asarray(rng.standard_normal(s)) for s in shapes]
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        forward(*args)
    assert plan.flops == ctx.flops_used
    assert plan.analytical_flops == sum(r.analytical_cost for r in ctx.op_log)
    assert plan.fits(ctx.flops_used) and not plan.fits(ctx.flops_used - 1)
