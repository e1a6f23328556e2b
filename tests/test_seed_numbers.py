"""Every number the seed documents print for the counted core, checked.

Unweighted (the test suite runs with unit weights) unless a test loads the
weights the seed's own figure implies. Where a seed's number assumes FMA = 2
or has an arithmetic slip, SPEC.md decides and the test says so.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope._weights import load_weights


def mlp_forward(depth: int = 5, width: int = 256) -> fnp.ndarray:
    """The README's example, verbatim in structure."""
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    x = fnp.random.randn(width)
    h = x
    for i, W in enumerate(weights):
        h = fnp.einsum("ij,j->i", W, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


def test_readme_mlp_unweighted_breakdown():
    # randn: 5 x 256^2 + 256 = 327,936; einsum 'ij,j->i': 5 x 256^2 = 327,680;
    # multiply by scale: 5 x 256^2 = 327,680; maximum: 4 x 256 = 1,024; sqrt of a scalar: 1.
    with flops.BudgetContext(flop_budget=10**8, wall_time_limit_s=5.0) as budget:
        mlp_forward()
    ops = budget.summary_dict()["operations"]
    assert {name: (e["flop_cost"], e["calls"]) for name, e in ops.items()} == {
        "random.randn": (327_936, 6),
        "einsum": (327_680, 5),
        "multiply": (327_680, 5),
        "maximum": (1_024, 4),
        "sqrt": (1, 1),
    }
    assert budget.flops_used == 984_321


def test_readme_mlp_weighted_total_is_6_231_041(tmp_path):
    """The README prints 6,231,041 under the weights its run used.

    Its per-op figures fix those weights: random.randn 5,246,976 / 327,936 = 16
    and einsum 655,360 / 327,680 = 2 (multiply, maximum, sqrt weigh 1).
    Loading exactly that table reproduces every line of the README summary.
    """
    table = tmp_path / "readme_weights.json"
    table.write_text(json.dumps({"weights": {"random.randn": 16.0, "einsum": 2.0}}))
    load_weights(table)
    with flops.BudgetContext(flop_budget=10**8) as budget:
        mlp_forward()
    assert budget.flops_used == 6_231_041
    assert budget.flops_remaining == 93_768_959
    text = budget.summary()
    for line in (
        r"Total budget: 100,000,000",
        r"Used:\s+6,231,041 \(6\.2%\)",
        r"Remaining:\s+93,768,959 \(93\.8%\)",
        r"random\.randn\s+5,246,976\s+\(\s*84\.2%\)\s+\[6 calls\]",
        r"einsum\s+655,360\s+\(\s*10\.5%\)\s+\[5 calls\]",
        r"multiply\s+327,680\s+\(\s*5\.3%\)\s+\[5 calls\]",
        r"maximum\s+1,024\s+\(\s*0\.0%\)\s+\[4 calls\]",
        r"sqrt\s+1\s+\(\s*0\.0%\)\s+\[1 call\]",
    ):
        assert re.search(line, text), f"missing {line!r} in\n{text}"
    # Analytical cost is kept alongside: the unweighted total is still 984,321.
    assert sum(r.analytical_cost for r in budget.op_log) == 984_321


def test_how_it_works_category_examples(budget):
    x = fnp.ones((256, 256))
    row = fnp.ones((256,))
    checks = [
        (lambda: fnp.exp(x), 65_536),  # pointwise unary: numel(output)
        (lambda: fnp.add(x, row), 65_536),  # binary with broadcast output (256, 256)
        (lambda: fnp.sum(x), 65_536),  # reduction: numel(input)
        (lambda: fnp.zeros((256, 256)), 0),  # free
        (lambda: fnp.reshape(x, (65_536,)), 0),
        (lambda: fnp.transpose(x), 0),
    ]
    for call, expected in checks:
        before = budget.flops_used
        call()
        assert budget.flops_used - before == expected


def test_how_it_works_matmul_flow():
    a, b = fnp.ones((100, 200)), fnp.ones((200, 50))
    with flops.BudgetContext(flop_budget=10**7) as budget:
        fnp.matmul(a, b)
    record = budget.op_log[0]
    assert record.op_name == "matmul"
    assert record.flop_cost == 1_000_000  # 100 * 200 * 50
    assert record.shapes == ((100, 200), (200, 50))


def test_einsum_matmul_cost_is_m_k_n():
    m, k, n = 7, 11, 13
    assert flops.einsum_cost("ij,jk->ik", shapes=[(m, k), (k, n)]) == m * k * n


def test_primer_matmul_examples():
    # "A single (100, 100) @ (100, 100) costs 1M FLOPs."
    with flops.BudgetContext(flop_budget=1_000_000, quiet=True) as ctx:
        _ = fnp.ones((100, 100)) @ fnp.eye(100)
    assert ctx.flops_used == 1_000_000
    # The primer's snippet uses x = fnp.ones(100), a vector: (100,) @ (100, 100) is
    # a vector-matrix product, 100 * 100 = 10,000 multiply-adds (its "1M" comment
    # describes the square case above). flopscope counts what is computed.
    with flops.BudgetContext(flop_budget=1_000_000) as ctx:
        x = fnp.ones(100)
        _ = x @ fnp.eye(100)
    assert ctx.flops_used == 10_000
    # "A pointwise exp on 100 elements costs 100 FLOPs."
    with flops.BudgetContext(flop_budget=1_000) as ctx:
        fnp.exp(fnp.ones(100))
    assert ctx.flops_used == 100


def test_primer_free_creation():
    with flops.BudgetContext(flop_budget=1) as ctx:
        fnp.zeros(100)
        fnp.zeros((64, 100), dtype=fnp.float32)
        fnp.eye(100, dtype=fnp.float32)
        fnp.array([1.0, 2.0, 3.0])
        fnp.asarray(np.ones(3))
        fnp.ones(3).astype(fnp.float32)
    assert ctx.flops_used == 0


def test_budget_planning_queries():
    assert flops.einsum_cost("ij,jk->ik", shapes=[(256, 256), (256, 256)]) == 16_777_216
    assert flops.svd_cost(m=256, n=256, k=10) == 655_360
    assert flops.pointwise_cost("exp", shape=(256, 256)) == 65_536
    assert flops.reduction_cost("sum", input_shape=(256, 256)) == 65_536
    # The same queries under flops.accounting (SPEC.md: FMA = 1, so the README's
    # FMA = 2 figures 33,554,432 and 2,621,440 are halved).
    assert flops.accounting.einsum_cost("ij,jk->ik", shapes=[(256, 256), (256, 256)]) == 16_777_216
    assert flops.accounting.svd_cost(m=256, n=256, k=10) == 655_360


def test_budget_planning_breakdown_table():
    steps = [
        flops.einsum_cost("ij,j->i", shapes=[(256, 256), (256,)]),
        flops.pointwise_cost("maximum", shape=(256,)),
        flops.reduction_cost("sum", input_shape=(256,)),
    ]
    assert steps == [65_536, 256, 256]
    assert sum(steps) == 66_048


def test_budget_planning_summary_example():
    with flops.BudgetContext(flop_budget=10_000_000) as budget:
        A = fnp.ones((256, 256))
        x = fnp.ones((256,))
        h = fnp.einsum("ij,j->i", A, x)
        h = fnp.exp(h)
        h = fnp.sum(h)
    assert budget.flops_used == 65_536 + 256 + 256
    data = budget.summary_dict()
    assert list(data["operations"]) == ["einsum", "exp", "sum"]  # most expensive first


def test_budget_planning_namespace_example():
    with flops.BudgetContext(flop_budget=1000, namespace="predict") as budget:
        x = fnp.ones((1,))
        with fnp.namespace("fallback"):
            with fnp.namespace("sampling"):
                fnp.add(x, 1)
    data = budget.summary_dict(by_namespace=True)
    assert data["by_namespace"]["predict.fallback.sampling"]["flops_used"] == 1


def test_budget_planning_session_dict_keys():
    with flops.BudgetContext(flop_budget=10**6):
        fnp.exp(fnp.ones(10))
    data = flops.budget_summary_dict()
    assert {"flop_budget", "flops_used", "flops_remaining", "operations"} <= set(data)
    assert data["operations"]["exp"] == {"flop_cost": 10, "analytical_cost": 10, "calls": 1}


@pytest.mark.parametrize("shape", [(256, 256), (3, 5, 7)])
def test_dtype_does_not_change_flops(shape):
    costs = []
    for dtype in (np.float32, np.float64, np.complex128):
        with flops.BudgetContext(flop_budget=10**9) as ctx:
            fnp.exp(fnp.ones(shape, dtype=dtype))
        costs.append(ctx.flops_used)
    assert len(set(costs)) == 1
