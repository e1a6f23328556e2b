"""Every budget, summary, error and timing name the seed guides use, held to its contract.

The seeds (budget-planning, primer, how-it-works, readme) are the user's spec
and the contest client (``whestbench``) is written against them: names,
signatures, dict keys, types, and the identities between the figures. Each
test cites the guide it holds to.
"""

from __future__ import annotations

import inspect
import math
import time

import numpy as np
import pytest

import flopscope as flops
import flopscope.errors
import flopscope.numpy as fnp

TIMING_KEYS = ("wall_time_s", "flopscope_backend_time_s", "flopscope_overhead_time_s",
               "residual_wall_time_s")
#: Keys every summary dict and every namespace bucket carries.
SUMMARY_KEYS = ("flop_budget", "flops_used", "flops_remaining", "analytical_flops_used",
                "calls", "operations", *TIMING_KEYS)
#: Keys that add up over namespace buckets to the top level.
ADDITIVE_INT = ("flops_used", "analytical_flops_used", "calls")
RECORD_FIELDS = ("op_name", "namespace", "subscripts", "shapes", "flop_cost", "cumulative",
                 "flopscope_context_start_offset_s", "flopscope_backend_duration_s",
                 "flopscope_overhead_duration_s")


def _workload() -> None:
    """budget-planning: namespaces nest into dotted paths; some calls outside any."""
    x = fnp.ones((8, 8))
    fnp.exp(x)
    with fnp.namespace("fallback"):
        fnp.einsum("ij,jk->ik", x, x)
        with fnp.namespace("sampling"):
            fnp.random.randn(4, 4)
            fnp.sum(x)
        time.sleep(0.002)  # residual time inside a namespace
    with flops.namespace("solve"):
        fnp.linalg.solve(x + 8 * fnp.eye(8), fnp.ones(8))


# -- names and signatures ---------------------------------------------------------------------


def test_top_level_names():
    for name in ("BudgetContext", "budget_summary", "budget_summary_dict", "budget_live",
                 "namespace", "configure", "BudgetExhaustedError", "TimeExhaustedError",
                 "FlopscopeError", "SymmetryError", "UnsupportedDtypeError",
                 "ConcretizationError", "FlopscopeWarning", "SymmetryLossWarning",
                 "einsum_cost", "pointwise_cost", "reduction_cost", "svd_cost"):
        assert hasattr(flops, name), name
    for name in ("budget_summary", "budget_summary_dict", "namespace", "ndarray"):
        assert hasattr(fnp, name), name
    # primer: fnp.budget_summary() is the session view, the same function as flops'
    assert fnp.budget_summary is flops.budget_summary
    assert fnp.budget_summary_dict is flops.budget_summary_dict
    for name in flopscope.errors.__all__:
        assert getattr(flops, name) is getattr(flopscope.errors, name)


def test_budget_context_signature():
    """SPEC 4 / budget-planning / primer: the constructor's parameters and defaults."""
    params = inspect.signature(flops.BudgetContext).parameters
    expected = {"flop_budget": inspect.Parameter.empty, "flop_multiplier": 1.0,
                "quiet": False, "namespace": None, "wall_time_limit_s": None}
    for name, default in expected.items():
        assert name in params
        assert params[name].default == default, name
    ctx = flops.BudgetContext(flop_budget=1_000_000, wall_time_limit_s=2.0, namespace="predict")
    assert ctx.flop_budget == 1_000_000 and ctx.wall_time_limit_s == 2.0
    assert ctx.namespace == "predict"


def test_deduct_signature_and_charge():
    """how-it-works: ``budget.deduct("matmul", flop_cost=1_000_000, shapes=((100,200), (200,50)))``."""
    params = inspect.signature(flops.BudgetContext.deduct).parameters
    assert params["flop_cost"].kind is inspect.Parameter.KEYWORD_ONLY
    with flops.BudgetContext(flop_budget=2_000_000) as budget:
        budget.deduct("matmul", flop_cost=1_000_000, shapes=((100, 200), (200, 50)))
    assert budget.flops_used == 1_000_000
    record = budget.op_log[-1]
    assert (record.op_name, record.flop_cost, record.cumulative) == ("matmul", 1_000_000, 1_000_000)
    assert record.shapes == ((100, 200), (200, 50))
    with flops.BudgetContext(flop_budget=10) as budget:
        with pytest.raises(flops.BudgetExhaustedError):
            budget.deduct("matmul", flop_cost=11)
    assert budget.flops_used == 0


def test_summary_signatures():
    for fn in (flops.BudgetContext.summary, flops.BudgetContext.summary_dict,
               flops.budget_summary, flops.budget_summary_dict):
        params = inspect.signature(fn).parameters
        assert params["by_namespace"].default is False, fn


# -- errors ---------------------------------------------------------------------------------


def test_budget_exhausted_error_contract():
    """whestbench: ``BudgetExhaustedError("subprocess_predict", flop_cost=0, flops_remaining=0)``."""
    err = flops.BudgetExhaustedError("subprocess_predict", flop_cost=0, flops_remaining=0)
    assert isinstance(err, flops.FlopscopeError)
    assert (err.op_name, err.flop_cost, err.flops_remaining) == ("subprocess_predict", 0, 0)
    assert str(err) == ("subprocess_predict would cost 0 FLOPs but only 0 remain; "
                        "the operation was not executed.")
    # the positional form the executor uses keeps working
    positional = flops.BudgetExhaustedError("exp", 5, 3)
    assert (positional.flop_cost, positional.flops_remaining) == (5, 3)
    with pytest.raises(TypeError):
        flops.BudgetExhaustedError("exp", flop_cost=1)  # flops_remaining is required


def test_budget_exhausted_error_raised_by_a_budget():
    x = fnp.ones((10, 10))
    with flops.BudgetContext(flop_budget=150) as budget:
        fnp.exp(x)
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.exp(x)
    err = info.value
    assert err.op_name == "exp"
    assert err.flop_cost == 100 and err.flops_remaining == 50
    assert err.flop_budget == 150 and err.flops_used == 100
    assert budget.flops_used == 100


def test_time_exhausted_error_contract():
    """whestbench: ``TimeExhaustedError("subprocess_predict", elapsed_s=0.0, limit_s=0.0)``."""
    err = flops.TimeExhaustedError("subprocess_predict", elapsed_s=0.0, limit_s=0.0)
    assert isinstance(err, flops.FlopscopeError)
    assert (err.op_name, err.elapsed_s, err.limit_s) == ("subprocess_predict", 0.0, 0.0)
    assert str(err) == "wall-clock limit of 0s passed (0.000s elapsed) at subprocess_predict"
    params = inspect.signature(flops.TimeExhaustedError).parameters
    assert params["elapsed_s"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["limit_s"].kind is inspect.Parameter.KEYWORD_ONLY
    legacy = flops.TimeExhaustedError("wall-clock limit of 2s passed (2.013s elapsed) before exp")
    assert str(legacy) == "wall-clock limit of 2s passed (2.013s elapsed) before exp"


def test_time_exhausted_error_raised_by_a_budget():
    """primer / budget-planning: raised at the next operation boundary, with the figures."""
    x = fnp.ones(4)
    with pytest.raises(flops.TimeExhaustedError) as info:
        with flops.BudgetContext(flop_budget=10**6, wall_time_limit_s=0.001):
            time.sleep(0.01)
            fnp.exp(x)
    err = info.value
    assert err.op_name == "exp" and err.limit_s == 0.001 and err.elapsed_s >= 0.01
    assert err.when == "before"
    assert str(err).startswith("wall-clock limit of 0.001s passed (")
    assert str(err).endswith("s elapsed) before exp")


# -- summaries: keys, types, identities ---------------------------------------------------------


def _check_timing_identity(entry: dict) -> None:
    assert math.isclose(
        entry["wall_time_s"],
        entry["flopscope_backend_time_s"] + entry["flopscope_overhead_time_s"]
        + entry["residual_wall_time_s"],
        rel_tol=1e-9, abs_tol=1e-9,
    )


def _check_summary(data: dict) -> None:
    for key in SUMMARY_KEYS:
        assert key in data, key
    assert isinstance(data["flops_used"], int) and isinstance(data["calls"], int)
    assert data["flops_remaining"] == data["flop_budget"] - data["flops_used"]
    for key in TIMING_KEYS:
        assert isinstance(data[key], float)
    _check_timing_identity(data)
    for op_name, op in data["operations"].items():
        assert isinstance(op_name, str)
        assert set(op) >= {"flop_cost", "calls"} and op["calls"] >= 1
    assert sum(op["calls"] for op in data["operations"].values()) == data["calls"]


def _check_buckets(data: dict, *, exact_costs: bool) -> None:
    buckets = data["by_namespace"]
    for name, bucket in buckets.items():
        assert set(bucket) >= set(SUMMARY_KEYS), (name, set(SUMMARY_KEYS) - set(bucket))
        assert bucket["flop_budget"] == data["flop_budget"]
        assert bucket["flops_remaining"] == data["flops_remaining"]
        for key in TIMING_KEYS:
            assert isinstance(bucket[key], float)
            assert bucket[key] >= 0.0 or key == "residual_wall_time_s"
        _check_timing_identity(bucket)
        assert bucket["calls"] == sum(op["calls"] for op in bucket["operations"].values())
    for key in ADDITIVE_INT:
        total = sum(b[key] for b in buckets.values())
        if exact_costs or key == "calls":
            assert total == data[key], key
        else:  # per-call rounding of weighted charges: at most 1 per call apart
            assert abs(total - data[key]) <= data["calls"], key
    for key in TIMING_KEYS:
        assert math.isclose(sum(b[key] for b in buckets.values()), data[key],
                            rel_tol=1e-9, abs_tol=1e-9), key
    # each operation's calls add up over buckets too
    for op_name, op in data["operations"].items():
        assert sum(b["operations"].get(op_name, {}).get("calls", 0)
                   for b in buckets.values()) == op["calls"]


@pytest.mark.parametrize("packaged", [False, True], ids=["unit weights", "packaged weights"])
def test_context_summary_dict_by_namespace(packaged):
    """budget-planning: ``data["by_namespace"]["predict.fallback.sampling"]["flops_used"]``;
    whestbench reads every bucket's ``flopscope_overhead_time_s``."""
    if packaged:
        from flopscope import _weights

        _weights.load_weights()
    with flops.BudgetContext(flop_budget=10**9, namespace="predict") as budget:
        _workload()
    data = budget.summary_dict(by_namespace=True)
    _check_summary(data)
    _check_buckets(data, exact_costs=not packaged)
    assert set(data["by_namespace"]) == {"predict", "predict.fallback", "predict.fallback.sampling",
                                         "predict.solve", "<root>"}
    sampling = data["by_namespace"]["predict.fallback.sampling"]
    assert set(sampling["operations"]) == {"random.randn", "sum"}
    assert sampling["calls"] == 2
    if not packaged:
        assert sampling["flops_used"] == 16 + 64  # randn numel(output) + sum numel(input)
    for bucket in data["by_namespace"].values():
        assert bucket["flopscope_overhead_time_s"] >= 0.0  # the contest client's read
    # the residual is not split by namespace: it is all reported under <root>
    root = data["by_namespace"]["<root>"]
    assert root["calls"] == 0 and root["residual_wall_time_s"] == data["residual_wall_time_s"]
    assert all(b["residual_wall_time_s"] == 0.0 for n, b in data["by_namespace"].items()
               if n != "<root>")
    # without by_namespace the dict has no buckets
    assert "by_namespace" not in budget.summary_dict()


def test_session_summary_dict_by_namespace():
    """primer / budget-planning: ``flops.budget_summary_dict(by_namespace=True)``, the session view."""
    with flops.BudgetContext(flop_budget=10**9, namespace="predict"):
        _workload()
    data = flops.budget_summary_dict(by_namespace=True)
    _check_summary(data)
    _check_buckets(data, exact_costs=True)
    assert "predict.fallback.sampling" in data["by_namespace"]


def test_summary_text_names_the_figures():
    """readme: the text summary's header, per-op lines and the four timing lines."""
    with flops.BudgetContext(flop_budget=10**8) as budget:
        _workload()
    text = budget.summary()
    assert isinstance(text, str)
    assert text.startswith("flopscope FLOP Budget Summary")
    for label in ("Total budget:", "Used:", "Remaining:", "By operation:", "Total Wall Time:",
                  "Flopscope Backend:", "Flopscope Overhead:", "Residual Wall Time:"):
        assert label in text, label
    assert "[1 call]" in text and "[1 calls]" not in text
    assert "By namespace:" in budget.summary(by_namespace=True)
    assert isinstance(flops.budget_summary(), str)


def test_context_timing_attributes_match_the_dict():
    with flops.BudgetContext(flop_budget=10**8) as budget:
        _workload()
    data = budget.summary_dict()
    for key in TIMING_KEYS:
        assert isinstance(getattr(budget, key), float)
    assert budget.flops_used == data["flops_used"]
    assert budget.flops_remaining == data["flops_remaining"]


def test_op_log_records():
    """budget-planning: every OpRecord field the guide lists, and cumulative as a running total."""
    with flops.BudgetContext(flop_budget=10**8, namespace="predict") as budget:
        _workload()
    log = budget.op_log
    assert len(log) == budget.summary_dict()["calls"]
    running = 0
    for record in log:
        for field in RECORD_FIELDS:
            assert hasattr(record, field), field
        running += record.flop_cost
        assert record.cumulative == running
        assert record.namespace.startswith("predict")
        assert record.flopscope_context_start_offset_s >= 0.0
        assert record.flopscope_backend_duration_s >= 0.0
        assert record.flopscope_overhead_duration_s >= 0.0
    einsum = next(r for r in log if r.op_name == "einsum")
    assert einsum.subscripts == "ij,jk->ik" and einsum.shapes == ((8, 8), (8, 8))
    assert einsum.namespace == "predict.fallback"


def test_budget_live_is_a_context_manager():
    with flops.budget_live():
        with flops.BudgetContext(flop_budget=10**6, namespace="training"):
            fnp.exp(fnp.ones(3))


def test_configure_check_nan_inf_is_accepted():
    previous = flops.configure(check_nan_inf=True)
    try:
        fnp.exp(fnp.ones(3))
    finally:
        flops.configure(**{k: v for k, v in previous.items() if k == "check_nan_inf"})


def test_nested_explicit_contexts_raise_runtime_error():
    """readme: nesting two explicit contexts raises RuntimeError."""
    with flops.BudgetContext(flop_budget=10):
        with pytest.raises(RuntimeError):
            with flops.BudgetContext(flop_budget=10):
                pass


def test_cost_queries_do_not_touch_the_budget():
    """budget-planning: cost queries compute from shapes, no execution, no charge."""
    with flops.BudgetContext(flop_budget=10) as budget:
        assert flops.einsum_cost("ij,jk->ik", shapes=[(256, 256), (256, 256)]) == 256**3
        assert flops.pointwise_cost("exp", shape=(256, 256)) == 65_536
        assert flops.reduction_cost("sum", input_shape=(256, 256)) == 65_536
        assert flops.svd_cost(m=256, n=256, k=10) == 655_360
    assert budget.flops_used == 0
    assert np.isfinite(budget.wall_time_s)


def test_errors_survive_pickling():
    """A harness running predictions in a subprocess sends the errors back to its parent."""
    import pickle

    errors = [
        flops.BudgetExhaustedError("subprocess_predict", flop_cost=0, flops_remaining=0),
        flops.TimeExhaustedError("subprocess_predict", elapsed_s=0.0, limit_s=0.0),
    ]
    with pytest.raises(flops.BudgetExhaustedError) as refused:
        with flops.BudgetContext(flop_budget=5):
            fnp.exp(fnp.ones(10))
    errors.append(refused.value)
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        for attr in ("op_name", "flop_cost", "flops_remaining", "elapsed_s", "limit_s"):
            assert getattr(copy, attr, None) == getattr(error, attr, None)
    assert pickle.loads(pickle.dumps(refused.value)).record.op_name == "exp"
