"""The calibration suite's methodology, artifacts and plumbing, without the full benchmark.

Everything here runs in seconds: the arithmetic is checked on synthetic
measurements with known answers, the subprocess machinery with a fake worker
and one tiny real run (two ops, smallest sizes, one repeat).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from calibration import SCHEMA
from calibration.artifacts import (
    CalibrationFileError,
    build_rich,
    load_rich,
    slim_from_rich,
    validate_rich,
    write_json,
)
from calibration.categories import BLAS_BACKED, CATEGORIES, family_of, place
from calibration.cli import main as cli_main
from calibration.compare import compare_runs, format_comparison, spearman
from calibration.estimate import estimate_seconds
from calibration.official import finalize, margin, snap, stability
from calibration.inputs import NO_GENERATOR, Context, InputSpec, Maker, spec_for
from calibration.inputs.core import ARRAY_DISTRIBUTIONS, Case
from calibration.inputs.ufuncs import input_kinds
from calibration.inventory import Inventory, PlannedOp, Skipped, UnknownOpError, take_inventory
from calibration.meters.callgrind import ClientRequests, parse_dump
from calibration.meters.counters import DifferentialMeter
from calibration.meters.perf import parse_perf_attr, parse_stat_csv
from calibration.methodology import (
    MeasurementError,
    Reference,
    Sample,
    combine_repeats,
    estimate_repeat,
    fit_reference,
    median_relative_difference,
    pool_references,
)
from calibration.modes import ModeChoice, ModeUnavailableError, choose_mode
from calibration.report import render_report
from calibration.runner import OpRun, RunSettings, SuiteResult, plan_jobs, run_suite
from calibration.worker import bind_call
from flopscope import _weights
from flopscope.registry import REGISTRY, Category, OpDef

ROOT = Path(__file__).resolve().parents[1]
F64 = np.dtype("float64")
DISPATCH = 400.0  # synthetic per-call dispatch cost (meter units)


def _samples(per_flop: float, fixed: float, sizes=(1_000, 10_000, 100_000),
             dists=("uniform",)) -> list[Sample]:
    """Synthetic samples of an op costing ``fixed + per_flop * F`` per call, F = size."""
    return [Sample(n, d, n, fixed + per_flop * n) for n in sizes for d in dists]


def _reference(add_per_flop: float = 1.0) -> Reference:
    add = _samples(add_per_flop, DISPATCH)
    tiny = _samples(0.3, DISPATCH, sizes=(1, 8, 64))
    return fit_reference(add, tiny)


# -- overhead subtraction --------------------------------------------------------------------------

def test_reference_recovers_dispatch_and_add_unit():
    ref = _reference(add_per_flop=2.5)
    assert ref.dispatch == pytest.approx(DISPATCH)
    assert ref.unit == pytest.approx(2.5)


def test_reference_keeps_the_lowest_measurement_of_each_size():
    clean = _samples(1.0, DISPATCH)
    disturbed = [Sample(s.size, s.dist, s.flops, s.value * 3) for s in clean]
    assert fit_reference(clean + disturbed, _samples(0.3, DISPATCH, sizes=(1, 8, 64))).unit == \
        pytest.approx(1.0)


def test_references_of_a_repeat_are_pooled_by_median():
    refs = [Reference(400.0, 1.0), Reference(500.0, 1.1), Reference(900.0, 3.0)]
    assert pool_references(refs) == Reference(500.0, 1.1)
    with pytest.raises(MeasurementError):
        pool_references([])


def test_dispatch_overhead_is_subtracted_for_ufunc_categories():
    ref = _reference()
    estimate = estimate_repeat(_samples(5.0, DISPATCH), "pointwise", ref)
    assert estimate.weight == pytest.approx(5.0)
    assert estimate.alpha_raw > 5.0  # the raw ratio still carries the amortised dispatch
    assert estimate.overhead == pytest.approx(estimate.alpha_raw - 5.0)
    assert estimate.weight == pytest.approx(max(estimate.alpha_raw - estimate.overhead, 0.0))


@pytest.mark.parametrize("category", sorted(BLAS_BACKED))
def test_no_overhead_is_subtracted_for_blas_backed_categories(category):
    ref = _reference()
    estimate = estimate_repeat(_samples(5.0, DISPATCH), category, ref)
    assert estimate.overhead == 0.0
    assert estimate.weight == pytest.approx(estimate.alpha_raw)
    assert estimate.weight > 5.0


def test_np_add_weighs_one_by_construction():
    ref = _reference(add_per_flop=3.0)
    assert estimate_repeat(_samples(3.0, DISPATCH), "pointwise", ref).weight == pytest.approx(1.0)


def test_weight_is_clamped_at_zero():
    ref = _reference()
    cheaper_than_dispatch = [Sample(n, "uniform", n, DISPATCH * 0.5) for n in (10, 100, 1000)]
    assert estimate_repeat(cheaper_than_dispatch, "pointwise", ref).weight == 0.0


def test_fixed_cost_does_not_masquerade_as_per_flop_cost():
    """Without the dispatch subtraction, small sizes would inflate an op's weight."""
    ref = _reference()
    sizes = (100, 1_000, 10_000)
    subtracted = estimate_repeat(_samples(2.0, DISPATCH, sizes), "pointwise", ref)
    raw = estimate_repeat(_samples(2.0, DISPATCH, sizes), "linalg", ref)
    assert subtracted.weight == pytest.approx(2.0)
    assert raw.weight > 2.0


def test_unusable_reference_is_refused():
    flat = [Sample(n, "uniform", n, 10.0) for n in (1, 8, 64)]
    with pytest.raises(MeasurementError, match="not positive"):
        fit_reference(flat, flat)


def test_repeats_combine_to_median_with_relative_spread():
    ref = _reference()
    repeats = [estimate_repeat(_samples(w, DISPATCH), "pointwise", ref) for w in (4.0, 5.0, 6.0)]
    combined = combine_repeats(repeats)
    assert combined.weight == pytest.approx(5.0)
    assert combined.spread == pytest.approx(2.0 / 5.0)
    assert combined.per_repeat == pytest.approx((4.0, 5.0, 6.0))


def test_median_relative_difference():
    median, per_op = median_relative_difference({"a": 1.0, "b": 2.0, "c": 0.0},
                                                {"a": 1.1, "b": 2.0, "c": 0.0, "d": 9.0})
    assert set(per_op) == {"a", "b", "c"}
    assert per_op["c"] == 0.0 and per_op["b"] == 0.0
    assert median == 0.0
    assert per_op["a"] == pytest.approx(0.1 / 1.05)


def test_spearman_rank_correlation():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


# -- categories ------------------------------------------------------------------------------------

def _op(name: str, category: Category, module: str = "numpy", attr: str | None = None,
        impl=None, cost=None) -> OpDef:
    impl = impl or (lambda *a, **k: None)
    if category.counted and cost is None:
        cost = lambda *a, **k: 1  # noqa: E731
    return OpDef(name, category, module, attr or name.split(".")[-1], impl=impl, cost=cost)


def test_placement_rules():
    custom = Category.CUSTOM
    assert place(_op("linalg.svd", custom, "numpy.linalg", "svd")).category == "linalg"
    assert place(_op("linalg.matmul", custom, "numpy.linalg", "matmul")).category == \
        "linalg_delegates"
    assert place(_op("fft.fft", custom, "numpy.fft", "fft")).category == "fft"
    assert place(_op("random.Generator.normal", custom, "numpy.random.Generator",
                     "normal")).category == "random"
    assert place(_op("hanning", custom)).category == "window"
    assert place(_op("matmul", custom)).category == "contractions"
    assert place(_op("bitwise_and", Category.BINARY, impl=np.bitwise_and)).category == "bitwise"
    assert place(_op("add", Category.BINARY, impl=np.add)).category == "pointwise"
    assert place(_op("conjugate", Category.UNARY, impl=np.conjugate)).category == "complex"
    assert place(_op("sum", Category.REDUCTION)).category == "reductions"
    assert place(_op("mystery", custom)).category == "misc"
    assert place(_op("zeros", Category.FREE)) is None
    assert place(_op("save", Category.BLOCKED)) is None


def test_family_comes_from_the_cost_rule_module():
    from flopscope.cost.sorting import sort_call_cost

    op = _op("my_sort_like", Category.CUSTOM, cost=sort_call_cost)
    assert family_of(op) == "sorting"
    assert place(op).category == "sorting"


def test_every_counted_registry_entry_is_placed_in_a_suite_category():
    for op in REGISTRY.values():
        placement = place(op)
        if op.category.counted:
            assert placement is not None and placement.category in CATEGORIES, op.name
        else:
            assert placement is None, op.name


# -- inventory: zero-weight emission and skipped ops -----------------------------------------------

def _fake_registry() -> dict[str, OpDef]:
    ops = [
        _op("add", Category.BINARY, impl=np.add, cost=lambda *a, **k: 1),
        _op("exp", Category.UNARY, impl=np.exp, cost=lambda *a, **k: 1),
        _op("linalg.cholesky", Category.CUSTOM, "numpy.linalg", "cholesky"),
        _op("mystery_op", Category.CUSTOM),
        _op("reshape", Category.FREE),
        _op("save", Category.BLOCKED),
    ]
    return {op.name: op for op in ops}


def test_inventory_splits_the_registry_without_dropping_anything():
    inventory = take_inventory(_fake_registry(), F64)
    assert [op.name for op in inventory.measured] == ["add", "exp", "linalg.cholesky"]
    assert inventory.zero == ["reshape"]
    assert inventory.blocked == ["save"]
    assert inventory.skipped == [Skipped("mystery_op", "misc", NO_GENERATOR)]


def test_inventory_of_a_partial_selection():
    inventory = take_inventory(_fake_registry(), F64, categories=["pointwise"])
    assert [op.name for op in inventory.measured] == ["add", "exp"]
    assert inventory.zero == ["reshape"]  # zero-FLOP ops are emitted whatever the selection
    assert inventory.skipped == []
    only = take_inventory(_fake_registry(), F64, names=["exp"])
    assert [op.name for op in only.measured] == ["exp"]


def test_unknown_or_free_op_names_are_refused():
    with pytest.raises(UnknownOpError, match="did you mean exp"):
        take_inventory(_fake_registry(), F64, names=["exq"])
    with pytest.raises(UnknownOpError, match="nothing to measure"):
        take_inventory(_fake_registry(), F64, names=["reshape"])


def test_real_registry_counted_ops_are_measured_or_skipped_by_name():
    inventory = take_inventory(REGISTRY, F64)
    counted = {name for name, op in REGISTRY.items() if op.category.counted}
    measured = {op.name for op in inventory.measured}
    skipped = {s.name for s in inventory.skipped}
    assert measured | skipped == counted
    assert not measured & skipped
    assert all(s.reason for s in inventory.skipped)
    assert {"add", "absolute"} <= measured  # the reference ops


def test_every_input_generator_builds_a_costed_runnable_case():
    """Each measured op's generator at its smallest (divided) size: positive cost, impl runs."""
    inventory = take_inventory(REGISTRY, F64)
    ctx = Context(F64, np.random.default_rng(0))
    problems = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated NumPy functions are still measured
        for planned in inventory.measured:
            op = REGISTRY[planned.name]
            size = planned.spec.sizes(divisor=1_000)[0]
            try:
                case = planned.spec.build(Maker(size, planned.spec.distributions[0], ctx))
                assert op.cost(*case.args, **dict(case.kwargs)) > 0, "zero cost"
                op.impl(*case.args, **dict(case.kwargs))
            except Exception as exc:  # collect them all, fail once
                problems.append(f"{planned.name}: {type(exc).__name__}: {exc}")
    assert not problems, "\n".join(problems)


# -- inputs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dist", ARRAY_DISTRIBUTIONS)
def test_values_stay_in_their_domain(dist):
    maker = Maker(10_000, dist, Context(F64, np.random.default_rng(1)))
    for domain in [(-1.0, 1.0), (0.01, 100.0), (1.0, 100.0)]:
        x = maker.values(10_000, domain)
        assert x.min() >= domain[0] and x.max() <= domain[1]
        assert np.unique(x).size > 100
    ints = maker.ints(1_000, 0, 32)
    assert ints.dtype == np.int64 and ints.min() >= 0 and ints.max() < 32


def test_ufunc_input_kinds_follow_numpy_loops():
    assert input_kinds(np.add, F64, prefer_complex=False) == ("f", "f")
    assert input_kinds(np.ldexp, F64, prefer_complex=False) == ("f", "i")
    assert input_kinds(np.bitwise_and, F64, prefer_complex=False) == ("i", "i")
    assert input_kinds(np.conjugate, F64, prefer_complex=True) == ("c",)
    assert input_kinds(np.isnat, F64, prefer_complex=False) is None


def test_ladders_are_validated_and_divided():
    with pytest.raises(ValueError):
        InputSpec(lambda mk: Case(()), (10,))
    spec = InputSpec(lambda mk: Case(()), (48, 96, 192), min_size=4)
    assert spec.sizes() == (48, 96, 192)
    assert spec.sizes(divisor=32) == (4, 6)


def test_preallocated_output_is_used_when_the_op_honours_it():
    x = np.linspace(1.0, 2.0, 100)
    call, with_out = bind_call(np.exp, (x,), {}, preallocate=True)
    assert with_out and np.allclose(call(), np.exp(x))
    call, with_out = bind_call(np.sort, (x,), {}, preallocate=True)
    assert not with_out and np.array_equal(call(), x)
    _, with_out = bind_call(np.exp, (x,), {}, preallocate=False)
    assert not with_out


def test_slow_ops_stop_climbing_their_ladder():
    from calibration.meters.timing import TimingMeter
    from calibration.worker import _too_slow

    meter = TimingMeter(max_call=0.1)
    sizes = (10, 100, 1000)
    slow = [{"size": 10, "value": 0.02}]
    fast = [{"size": 10, "value": 0.001}]
    assert _too_slow(meter, sizes, 1, slow)       # 0.02 s x 10 > 0.1 s
    assert not _too_slow(meter, sizes, 1, fast)
    assert not _too_slow(meter, sizes, 0, slow)   # the first size is always measured
    assert not _too_slow(object(), sizes, 1, slow)  # counter meters measure every size


def test_unmeasurable_and_unknown_ops_have_no_spec_but_a_reason():
    found = spec_for(REGISTRY["testing.assert_approx_equal"], "misc", F64)
    assert found.spec is None and "scalar" in found.source
    assert spec_for(_op("mystery_op", Category.CUSTOM), "misc", F64).source == NO_GENERATOR


# -- meters ----------------------------------------------------------------------------------------

class _FakeCounter:
    """Counts ``fixed + per_call * calls``, plus a one-off cost on the first region."""

    def __init__(self, per_call: float, fixed: float = 50.0, first_extra: float = 0.0):
        self.per_call, self.fixed, self.first_extra = per_call, fixed, first_extra
        self.calls = 0

    def count(self, region, label=""):
        before = self.calls
        region()
        extra, self.first_extra = self.first_extra, 0.0
        return self.fixed + extra + self.per_call * (self.calls - before)

    def call(self):
        self.calls += 1


def test_differential_meter_cancels_fixed_costs_and_first_call_effects():
    counter = _FakeCounter(per_call=7.0, first_extra=1_000.0)
    meter = DifferentialMeter(counter, name="fake", unit="events")
    assert meter.measure(counter.call) == pytest.approx(7.0)


def test_differential_meter_subtracts_the_reset():
    counter = _FakeCounter(per_call=1.0)
    meter = DifferentialMeter(counter, name="fake", unit="events")

    def expensive_call():
        counter.calls += 10

    # each iteration costs reset (1) + call (10); the reset's own cost is removed
    assert meter.measure(expensive_call, reset=counter.call) == pytest.approx(10.0)


def test_perf_output_parsers():
    verbose = textwrap.dedent("""\
        Using CPUID GenuineIntel-6-55-4
        ------------------------------------------------------------
        perf_event_attr:
          type                             4
          size                             128
          config                           0x1c7
          disabled                         1
        ------------------------------------------------------------
        """)
    assert parse_perf_attr(verbose) == (4, 0x1C7, 0)
    assert parse_perf_attr("event syntax error") is None
    stat_csv = "<not supported>,,instructions,0,100.00,,\n"
    assert parse_stat_csv(stat_csv, "instructions") == "<not supported>"
    assert parse_stat_csv("123456,,instructions:u,1000,100.00,,\n", "instructions") == "123456"


def test_perf_counter_reads_a_software_event_when_allowed():
    from calibration.meters.perf import (
        PERF_COUNT_SW_TASK_CLOCK,
        PERF_TYPE_SOFTWARE,
        EventSpec,
        PerfCounter,
    )

    event = EventSpec("task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK)
    try:
        counter = PerfCounter([event])
    except OSError as exc:
        pytest.skip(f"perf_event_open refused here: {exc}")
    with counter:
        busy = counter.count(lambda: sum(range(200_000)))
    assert busy > 0  # nanoseconds of task clock


def test_callgrind_dump_parser_and_client_requests_outside_valgrind():
    dump = ("version: 1\ncreator: callgrind-3.19.0\ncmd: python\n"
            "desc: Trigger: Client Request: region 3 k=1\nevents: Ir\n"
            "summary: 7394140\ntotals: 7394140\n")
    assert parse_dump(dump) == ("region 3 k=1", 7394140)
    with pytest.raises(ValueError):
        parse_dump("events: Ir\n")
    if os.uname().machine not in ("x86_64", "amd64"):
        pytest.skip("client requests are wired for x86-64 only")
    assert ClientRequests().running_on_valgrind() is False


# -- modes -----------------------------------------------------------------------------------------

def _fake_probe(monkeypatch, usable: bool, weighted: bool):
    from calibration.meters import perf

    found = perf.PerfProbe(usable, "fake probe", "fake", "fake counters", weighted, ())
    monkeypatch.setattr(perf, "probe", lambda dtype="float64": found)


def test_auto_mode_uses_perf_only_with_simd_weighted_counters(monkeypatch):
    _fake_probe(monkeypatch, usable=True, weighted=True)
    assert choose_mode("auto", "float64", {}).name == "perf"
    _fake_probe(monkeypatch, usable=True, weighted=False)
    choice = choose_mode("auto", "float64", {"min_time": 0.01})
    assert choice.name == "timing" and "not SIMD-weighted" in choice.reason
    assert choose_mode("perf", "float64", {}).name == "perf"


def test_unusable_perf_falls_back_to_timing_and_says_why(monkeypatch):
    _fake_probe(monkeypatch, usable=False, weighted=False)
    choice = choose_mode("auto", "float64", {"min_time": 0.01})
    assert choice.name == "timing" and "fake probe" in choice.reason
    assert choice.probes["perf"] == "fake probe"
    with pytest.raises(ModeUnavailableError, match="fake probe"):
        choose_mode("perf", "float64", {})


# -- artifacts: file round-trip, malformed files ---------------------------------------------------

def _synthetic_run() -> tuple[Inventory, SuiteResult]:
    ref = _reference()
    spec = InputSpec(lambda mk: Case(()), (10, 100))
    inventory = Inventory(
        measured=[PlannedOp("add", "pointwise", "elementwise", spec),
                  PlannedOp("exp", "pointwise", "elementwise", spec),
                  PlannedOp("linalg.svd", "linalg", "module numpy.linalg", spec),
                  PlannedOp("broken", "misc", "no more specific rule", spec)],
        zero=["reshape", "zeros"],
        skipped=[Skipped("isnat", "pointwise", "ufunc without a numeric loop for this dtype")],
    )
    runs = {
        "add": OpRun("add", "pointwise", {0: (_samples(1.0, DISPATCH), ref),
                                          1: (_samples(1.02, DISPATCH), ref)}),
        "exp": OpRun("exp", "pointwise", {0: (_samples(8.0, DISPATCH), ref),
                                          1: (_samples(8.4, DISPATCH), ref)}),
        "linalg.svd": OpRun("linalg.svd", "linalg", {0: (_samples(30.0, 0.0), ref)}),
        "broken": OpRun("broken", "misc", {}, errors=["repeat 1: ValueError: boom"]),
    }
    return inventory, SuiteResult(runs, [{"repeat": 0, "category": "pointwise",
                                          "dispatch": ref.dispatch, "unit": ref.unit}], 12.0)


def _rich() -> dict:
    inventory, result = _synthetic_run()
    return build_rich(inventory, result, {"mode": "timing", "mode_reason": "test",
                                          "unit": "seconds", "dtype": "float64", "repeats": 2})


def test_rich_document_contents():
    rich = _rich()
    assert rich["schema"] == SCHEMA
    assert rich["weights"]["reshape"] == 0.0 and rich["ops"]["reshape"]["status"] == "zero"
    assert rich["weights"]["exp"] == pytest.approx(8.2)
    assert rich["ops"]["exp"]["per_repeat"] == pytest.approx([8.0, 8.4])
    assert rich["ops"]["exp"]["spread"] == pytest.approx(0.4 / 8.2, rel=1e-3)
    assert rich["ops"]["linalg.svd"]["overhead_source"] == "none (BLAS-backed)"
    assert "broken" not in rich["weights"] and "boom" in rich["skipped"]["broken"]["reason"]
    assert "isnat" in rich["skipped"]
    assert rich["meta"]["counts"] == {"measured": 3, "zero": 2, "skipped": 2,
                                      "blocked_not_listed": 0}


def test_round_trip_rich_to_slim_to_flopscope(tmp_path):
    rich_path = write_json(_rich(), tmp_path / "weights.json")
    rich = load_rich(rich_path)
    slim = slim_from_rich(rich)
    assert set(slim) == {"weights", "calibration"} and slim["calibration"]["mode"] == "timing"
    slim_path = write_json(slim, tmp_path / "packaged.json")
    try:
        _weights.load_weights(slim_path)
        assert _weights.get_weight("exp") == pytest.approx(8.2)
        assert _weights.get_weight("reshape") == 0.0
        assert _weights.get_weight("not_in_the_partial_file") == 1.0
        _weights.load_weights(rich_path)  # the rich file is loadable as well
        assert _weights.get_weight("linalg.svd") == rich["weights"]["linalg.svd"]
    finally:
        _weights.reset_weights()


def test_flopscope_loads_the_slim_file_through_the_environment(tmp_path):
    slim_path = write_json(slim_from_rich(_rich()), tmp_path / "packaged.json")
    env = {**os.environ, "FLOPSCOPE_WEIGHTS_FILE": str(slim_path), "PYTHONPATH": str(ROOT)}
    env.pop("FLOPSCOPE_DISABLE_WEIGHTS", None)
    code = "from flopscope import _weights as w; print(w.get_weight('exp'), w.get_weight('zeros'))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8.2", "0.0"]


@pytest.mark.parametrize("content, message", [
    ("{not json", r"not valid JSON \(line 1"),
    ("[1, 2]", "expected a JSON object"),
    ('{"schema": "something/9"}', "not a calibration results file"),
    ('{"weights": {"exp": 2.0}}', "slim packaged weights file"),
])
def test_malformed_rich_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CalibrationFileError, match=message):
        load_rich(path)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["weights"].update(exp=-1.0), "negative"),
    (lambda d: d["weights"].update(exp="fast"), "must be a number"),
    (lambda d: d["ops"]["exp"].pop("status"), "needs"),
    (lambda d: d["weights"].update(exp=3.0), "differs"),
    (lambda d: d["weights"].update(ghost=1.0), "without an ops entry"),
    (lambda d: d["meta"].pop("date"), "no 'date'"),
    (lambda d: d.pop("ops"), '"ops" must be a JSON object'),
])
def test_inconsistent_rich_documents_are_refused(mutate, message):
    rich = _rich()
    mutate(rich)
    with pytest.raises(CalibrationFileError, match=message):
        validate_rich(rich, "weights.json")


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CalibrationFileError, match="cannot read"):
        load_rich(tmp_path / "absent.json")


def test_package_command_writes_the_slim_file_and_rejects_malformed_input(tmp_path, capsys):
    rich_path = write_json(_rich(), tmp_path / "weights.json")
    out = tmp_path / "data" / "weights.json"
    assert cli_main(["package", str(rich_path), "--output", str(out)]) == 0
    packaged = json.loads(out.read_text())
    assert _weights.parse_weights(packaged, "packaged") == finalize(_rich())["weights"]
    assert packaged["weights"]["exp"] == 8.0  # measured 8.2, snapped to the grid
    bad = tmp_path / "bad.json"
    bad.write_text('{"weights": {"exp": 2.0}}')
    assert cli_main(["package", str(bad), "--output", str(tmp_path / "x.json")]) == 1
    assert "not a calibration results file" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_slim_file_is_checked_by_flopscopes_own_parser():
    rich = _rich()
    rich["weights"]["exp"] = float("inf")
    with pytest.raises(CalibrationFileError, match="not finite"):
        slim_from_rich(rich)


# -- report and comparison -------------------------------------------------------------------------

def test_report_is_self_contained_and_shows_everything():
    rich = _rich()
    other = _rich()
    other["ops"]["exp"]["weight"] = other["weights"]["exp"] = 9.0
    html = render_report(rich, other)
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and 'class="sortable"' in html and "<script>" in html
    for needle in ("exp", "linalg.svd", "isnat", "boom", "timing", "Agreement with a second run"):
        assert needle in html
    stripped = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in stripped and "https://" not in stripped
    assert "<link" not in html and "src=" not in html


def test_comparison_uses_measured_ops_only():
    rich = _rich()
    other = _rich()
    other["ops"]["exp"]["weight"] = 8.2 * 1.5
    comparison = compare_runs(rich, other)
    assert comparison.count == 3  # add, exp, linalg.svd: zero-FLOP ops are left out
    assert comparison.rows[0][0] == "exp"
    assert comparison.median_relative_difference == 0.0
    assert comparison.same_mode and "repeatability target" in format_comparison(comparison)


def test_comparison_across_modes_points_at_the_ranking():
    other = _rich()
    other["meta"]["mode"] = "callgrind"
    comparison = compare_runs(_rich(), other, ("timing.json", "callgrind.json"))
    assert not comparison.same_mode
    assert comparison.label_b.startswith("callgrind.json: callgrind mode")
    assert "compare the ranking" in format_comparison(comparison)
    assert "Comparison with a run in another mode" in render_report(_rich(), other)


# -- runner: subprocess isolation and robustness ---------------------------------------------------

_FAKE_WORKER = """\
#!{python}
import json, os, sys
job = json.loads(sys.stdin.read())
marker = {marker!r}
def emit(record):
    sys.stdout.write(json.dumps(record) + "\\n"); sys.stdout.flush()
def sample(n, value):
    return {{"size": n, "dist": "u", "flops": n, "value": value}}
ref = {{"event": "reference",
        "add": [sample(n, 400.0 + n) for n in (10, 100, 1000)],
        "abs": [sample(n, 400.0 + 0.3 * n) for n in (1, 8, 64)]}}
emit(ref)
for entry in job["ops"]:
    if entry["name"] == "crashes" and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)
    if entry["name"] == "raises":
        emit({{"event": "op", "name": "raises", "status": "failed", "error": "ValueError: no"}})
        continue
    samples = [sample(n, 400.0 + 4.0 * n) for n in (10, 100)]
    emit({{"event": "op", "name": entry["name"], "status": "ok", "samples": samples}})
emit(ref)
emit({{"event": "done"}})
"""


def test_worker_crash_fails_one_op_and_the_run_goes_on(tmp_path):
    fake = tmp_path / "fake-python"
    fake.write_text(_FAKE_WORKER.format(python=sys.executable, marker=str(tmp_path / "crashed")))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    spec = InputSpec(lambda mk: Case(()), (10, 100))
    inventory = Inventory(measured=[PlannedOp(n, "misc", "test", spec)
                                    for n in ("first", "crashes", "raises", "last")])
    settings = RunSettings(repeats=1, python=str(fake), op_timeout=60)
    mode = ModeChoice("timing", "test")
    result = run_suite(inventory, settings, mode)
    assert set(result.ops["first"].repeats) == {0}
    assert set(result.ops["last"].repeats) == {0}
    assert not result.ops["crashes"].repeats
    assert "worker exited unexpectedly" in result.ops["crashes"].errors[0]
    assert "ValueError: no" in result.ops["raises"].errors[0]
    samples, ref = result.ops["last"].repeats[0]
    assert estimate_repeat(samples, "misc", ref).weight == pytest.approx(4.0)


def test_jobs_run_repeats_outermost_and_respect_chunks():
    spec = InputSpec(lambda mk: Case(()), (10, 100))
    inventory = Inventory(measured=[PlannedOp(f"op{i}", "pointwise", "t", spec) for i in range(5)]
                          + [PlannedOp("svd", "linalg", "t", spec)])
    jobs = plan_jobs(inventory, repeats=2, chunk_size=2, seed=1)
    assert [(j.repeat, j.category, len(j.ops)) for j in jobs] == [
        (0, "pointwise", 2), (0, "pointwise", 2), (0, "pointwise", 1), (0, "linalg", 1),
        (1, "pointwise", 2), (1, "pointwise", 2), (1, "pointwise", 1), (1, "linalg", 1)]
    assert len({j.seed for j in jobs}) == len(jobs)


def test_estimate_grows_with_repeats():
    inventory = take_inventory(REGISTRY, F64, categories=["pointwise"])
    one = estimate_seconds(inventory, RunSettings(repeats=1), "timing", {"min_time": 0.01})
    five = estimate_seconds(inventory, RunSettings(repeats=5), "timing", {"min_time": 0.01})
    assert 0 < one < five


def test_tiny_end_to_end_run(tmp_path, capsys):
    """Two real ops, smallest sizes, one repeat: rich file, report, packaged file, loadable."""
    output, html = tmp_path / "weights.json", tmp_path / "report.html"
    packaged = tmp_path / "packaged.json"
    status = cli_main(["--mode", "timing", "--op", "add", "--op", "exp", "--repeats", "1",
                       "--size-divisor", "100", "--min-time", "0.0005", "--samples", "2",
                       "--quiet", "--output", str(output), "--html", str(html)])
    assert status == 0, capsys.readouterr().err
    rich = load_rich(output)
    assert rich["meta"]["mode"] == "timing" and rich["meta"]["counts"]["measured"] == 2
    assert rich["weights"]["exp"] > 0 and rich["weights"]["reshape"] == 0.0
    assert rich["ops"]["exp"]["out"] is True  # measured with a pre-allocated output
    assert "<svg" in html.read_text()
    assert cli_main(["package", str(output), "--output", str(packaged)]) == 0
    _weights.load_weights(packaged)
    assert _weights.get_weight("exp") == rich["weights"]["exp"]


# -- official values: groups and the grid ---------------------------------------------------


@pytest.mark.parametrize("measured, expected", [
    (1.0, 1.0), (0.77, 1.0), (1.40, 1.0), (1.42, 2.0),   # boundary at sqrt(2) = 1.4142
    (0.1619, 0.125), (3.22, 4.0), (57.45, 64.0), (9.15, 8.0),
    (0.0, 2.0**-6), (1e-9, 2.0**-6), (1e9, 2.0**12),      # clamped: never free, bounded
])
def test_snap_to_the_nearest_power_of_two_in_log_space(measured, expected):
    assert snap(measured) == expected


def test_snap_keeps_a_previous_grid_value_within_the_hysteresis_band():
    # band: |log2(m / p)| <= 0.75, i.e. m within [p / 1.6818, p * 1.6818]
    assert snap(6.6, previous=4.0) == 4.0        # plain snapping would give 8
    assert snap(6.8, previous=4.0) == 8.0        # 6.8 / 4 = 1.7 > 1.6818: moves
    assert snap(2.4, previous=4.0) == 4.0
    assert snap(2.3, previous=4.0) == 2.0        # 4 / 2.3 = 1.739 > 1.6818
    assert snap(6.6, previous=4.1) == 8.0        # a previous value off the grid is ignored
    assert snap(6.6, previous=None) == 8.0
    with pytest.raises(ValueError):
        snap(float("nan"))
    with pytest.raises(ValueError):
        snap(-1.0)


def test_margin_is_the_room_before_a_rerun_moves_the_value():
    assert margin(4.0, 4.0) == pytest.approx(2 ** 0.75 - 1)      # 68% either way
    assert margin(2 ** 0.75 * 4.0, 4.0) == pytest.approx(0.0, abs=1e-12)


def _doc(measured: dict[str, float], spreads: dict[str, float] | None = None) -> dict:
    ops = {name: {"category": "x", "status": "measured", "weight": w, "spread":
                  (spreads or {}).get(name, 0.0), "per_repeat": [w]}
           for name, w in measured.items()}
    ops["reshape"] = {"category": "zero-flop", "status": "zero", "weight": 0.0}
    return {"schema": SCHEMA, "weights": {n: e["weight"] for n, e in ops.items()},
            "meta": {"mode": "timing", "date": "d"}, "ops": ops, "skipped": {}}


def test_finalize_gives_every_member_its_groups_reference_value():
    doc = finalize(_doc({"matmul": 0.16, "dot": 0.2, "einsum": 0.93, "exp": 3.2,
                         "random.Generator.standard_normal": 37.8, "random.randn": 59.8}))
    w = doc["weights"]
    for name in ("matmul", "dot", "einsum", "vdot", "inner", "tensordot", "linalg.multi_dot",
                 "matvec", "vecmat", "vecdot"):
        assert w[name] == 0.125, name
    for name in ("random.randn", "random.standard_normal", "random.normal",
                 "random.RandomState.randn", "random.Generator.normal"):
        assert w[name] == 32.0, name
    assert w["exp"] == 4.0 and w["reshape"] == 0.0
    assert doc["ops"]["einsum"]["measured"] == 0.93   # the measurement is kept
    assert doc["ops"]["vdot"]["status"] == "group"    # not measured, listed with its group
    group = doc["groups"]["contraction"]
    assert group["source"] == "matmul" and group["measured"] == 0.16
    assert doc["groups"]["exp"]["members"] == ["exp"]  # an op in no group is its own
    assert validate_rich(doc, "finalized")["weights"] == w
    assert finalize(doc) == doc                         # idempotent


def test_finalize_falls_back_to_the_cheapest_member_without_the_reference():
    doc = finalize(_doc({"dot": 0.3, "einsum": 0.9}))
    assert doc["groups"]["contraction"]["source"] == "dot"
    assert doc["weights"]["matmul"] == 0.25


def test_finalize_with_a_previous_table_is_sticky():
    previous = {"matmul": 0.25, "exp": 4.0, "sin": 4.0}
    doc = finalize(_doc({"matmul": 0.16, "exp": 5.5, "sin": 7.0}), previous, "old.json")
    assert doc["weights"]["matmul"] == 0.25 and doc["weights"]["dot"] == 0.25
    assert doc["weights"]["exp"] == 4.0        # 5.5 is within 1.68x of 4
    assert doc["weights"]["sin"] == 8.0        # 7.0 is not
    assert doc["groups"]["exp"]["previous"] == 4.0
    assert doc["meta"]["official"]["previous"] == "old.json"


def test_stability_counts_groups_whose_value_would_change():
    a = finalize(_doc({"matmul": 0.16, "exp": 1.40, "sin": 60.0}))
    b = finalize(_doc({"matmul": 0.17, "exp": 1.43, "sin": 50.0}))
    result = stability(a, b)
    assert result["groups"] == 3
    assert result["changed_independent"] == ["exp"]   # 1.40 -> 1, 1.43 -> 2
    assert result["changed_sticky"] == []
