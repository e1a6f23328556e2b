"""Weights: loading, environment overrides, malformed files, and how charges use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope._weights import (
    ACTIVE_WEIGHTS,
    active_weights_source,
    get_weight,
    load_weights,
    packaged_weights_path,
    parse_weights,
    reset_weights,
)


def _write(tmp_path, content, name="w.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_unknown_ops_weigh_one_and_partial_tables_work(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"exp": 16.0, "reshape": 0.0}}))
    assert get_weight("exp") == 16.0
    assert get_weight("reshape") == 0.0
    assert get_weight("add") == 1.0
    assert get_weight("no.such.op") == 1.0
    reset_weights()
    assert get_weight("exp") == 1.0 and ACTIVE_WEIGHTS == {}


def test_charges_use_weights_and_records_keep_both_costs(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"exp": 16.0, "add": 0.5}}))
    with flops.BudgetContext(flop_budget=10**6, flop_multiplier=2.0) as ctx:
        a = fnp.ones(100)
        fnp.exp(a)
        fnp.add(a, a)
    exp_rec, add_rec = ctx.op_log
    assert (exp_rec.analytical_cost, exp_rec.flop_cost) == (100, 3_200)  # 100 x 2 x 16
    assert (add_rec.analytical_cost, add_rec.flop_cost) == (100, 100)  # 100 x 2 x 0.5
    assert ctx.flops_used == 3_300
    summary = ctx.summary_dict()
    assert summary["analytical_flops_used"] == 200
    assert summary["operations"]["exp"]["analytical_cost"] == 100
    # A refused call is refused on its weighted cost.
    with flops.BudgetContext(flop_budget=1_000) as small:
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.exp(fnp.ones(100))  # 1,600 weighted > 1,000
    assert info.value.flop_cost == 1_600 and info.value.analytical_cost == 100
    assert small.flops_used == 0


def test_fractional_weights_accumulate_exactly(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"exp": 0.25}}))
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        fnp.exp(fnp.ones(5))  # 1.25: the record keeps the fraction
        fnp.exp(fnp.ones(3))  # 0.75
    assert [r.flop_cost for r in ctx.op_log] == [1.25, 0.75]
    assert ctx.flops_used == 2  # 1.25 + 0.75, exactly; not 1 + 1 or 2 + 1
    assert [r.cumulative for r in ctx.op_log] == [2, 2]  # running totals, rounded up


def test_accounting_weighted_query(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"exp": 4.0}}))
    assert flops.accounting.weighted("exp", 10) == 40
    assert flops.accounting.weighted("exp", 10, flop_multiplier=0.5) == 20


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{not json", "not valid JSON"),
        ({"weight": {}}, 'no "weights" key'),
        ([1, 2], "expected a JSON object"),
        ({"weights": [1, 2]}, "must map operation names"),
        ({"weights": {"exp": "fast"}}, "must be a number"),
        ({"weights": {"exp": True}}, "must be a number"),
        ({"weights": {"exp": -1}}, "negative"),
    ],
)
def test_malformed_files_name_the_file_and_problem(tmp_path, content, problem):
    load_weights(_write(tmp_path, {"weights": {"exp": 3.0}}, "good.json"))
    bad = _write(tmp_path, content)
    with pytest.raises(flops.WeightsFileError) as info:
        load_weights(bad)
    assert str(bad) in str(info.value) and problem in str(info.value)
    assert get_weight("exp") == 3.0  # the active table is untouched


def test_nan_and_missing_files(tmp_path):
    bad = tmp_path / "nan.json"
    bad.write_text('{"weights": {"exp": NaN}}')
    with pytest.raises(flops.WeightsFileError, match="not finite"):
        load_weights(bad)
    with pytest.raises(flops.WeightsFileError, match="cannot read"):
        load_weights(tmp_path / "missing.json")


REPO = Path(__file__).resolve().parent.parent


def test_packaged_table_ships_and_loads():
    path = packaged_weights_path()
    assert path is not None, "flopscope/data/weights.json must ship (python -m calibration package)"
    load_weights()
    assert "packaged" in active_weights_source()
    assert ACTIVE_WEIGHTS == parse_weights(json.loads(path.read_text()), str(path))
    assert get_weight("add") == pytest.approx(1.0, rel=0.1)   # the timing unit is np.add
    assert get_weight("reshape") == 0.0                          # known zero-FLOP op
    assert get_weight("not.an.op") == 1.0


def test_packaged_table_is_the_committed_calibration_run():
    """The slim table is derived from calibration/results/weights.json, not typed in."""
    rich_path = REPO / "calibration" / "results" / "weights.json"
    if not rich_path.is_file():
        pytest.skip("calibration results are not part of an installed package")
    rich = json.loads(rich_path.read_text())
    slim = json.loads(packaged_weights_path().read_text())
    assert slim["weights"] == {k: float(v) for k, v in rich["weights"].items()}
    assert slim["calibration"]["date"] == rich["meta"]["date"]
    assert slim["calibration"]["mode"] == rich["meta"]["mode"]


def test_packaged_table_names_registry_ops():
    from flopscope.registry import REGISTRY

    known = set(REGISTRY) | {op.name for op in REGISTRY.values()}
    shipped = json.loads(packaged_weights_path().read_text())["weights"]
    unknown = sorted(set(shipped) - known)
    assert unknown == []


def test_fresh_process_charges_packaged_weights():
    code = ("import flopscope as flops, flopscope.numpy as fnp\n"
            "from flopscope._weights import get_weight\n"
            "with flops.BudgetContext(flop_budget=10**9) as b:\n"
            "    fnp.exp(fnp.ones(1000))\n"
            "r = b.op_log[-1]\n"
            "print(r.analytical_cost, r.flop_cost, get_weight('exp'))")
    out = _run(code)
    assert out.returncode == 0, out.stderr
    analytical, charged, weight = out.stdout.split()
    assert int(analytical) == 1000 and weight != "1.0"
    assert float(charged) == pytest.approx(1000 * float(weight), rel=1e-12)
    off = _run(code, FLOPSCOPE_DISABLE_WEIGHTS="1")
    assert off.returncode == 0, off.stderr
    assert off.stdout.split() == ["1000", "1000", "1.0"]


def _run(code, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("FLOPSCOPE_")}
    base.update(env)
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True)


def test_environment_file_override(tmp_path):
    path = _write(tmp_path, {"weights": {"exp": 7.0}})
    out = _run("from flopscope._weights import get_weight; print(get_weight('exp'))",
               FLOPSCOPE_WEIGHTS_FILE=str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "7.0"


def test_environment_disable_wins(tmp_path):
    path = _write(tmp_path, {"weights": {"exp": 7.0}})
    out = _run("from flopscope._weights import get_weight; print(get_weight('exp'))",
               FLOPSCOPE_WEIGHTS_FILE=str(path), FLOPSCOPE_DISABLE_WEIGHTS="1")
    assert out.stdout.strip() == "1.0"


def test_environment_malformed_file_fails_at_import(tmp_path):
    path = _write(tmp_path, "{oops")
    out = _run("import flopscope", FLOPSCOPE_WEIGHTS_FILE=str(path))
    assert out.returncode != 0
    assert "WeightsFileError" in out.stderr and str(path) in out.stderr
