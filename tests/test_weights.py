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
    UnknownWeightNameWarning,
    use_unit_weights,
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
    use_unit_weights()
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
        ({"weights": {"exp": 1e308}}, "above the maximum"),
        ({"weights": {"exp": 2.0**20 + 1}}, "above the maximum"),
        ('{"weights": {"exp": 1e999}}', "not finite"),
        ('{"weights": {"exp": ' + "9" * 400 + '}}', "overflows"),
        ('{"weights": {"exp": Infinity}}', "Infinity is not a valid weight"),
        ('{"weights": {"exp": -Infinity}}', "-Infinity is not a valid weight"),
        ('{"weights": {"exp": NaN}}', "NaN is not a valid weight"),
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
    with pytest.raises(flops.WeightsFileError, match="NaN"):
        load_weights(bad)
    with pytest.raises(flops.WeightsFileError, match="cannot read"):
        load_weights(tmp_path / "missing.json")
    # parse_weights sees decoded JSON: a NaN float that got there is refused as well.
    with pytest.raises(flops.WeightsFileError, match="not finite"):
        parse_weights({"weights": {"exp": float("nan")}}, "table")


@pytest.mark.parametrize("raw", [
    b'{"weights": {"exp": 2.0, "caf\xe9": 1.0}}',       # Latin-1 byte
    b"\xff\xfe{\x00}\x00",                             # UTF-16 with a byte-order mark
    b'{"weights": {"exp": 2.0}}\x80',
])
def test_non_utf8_files_are_weights_file_errors(tmp_path, raw):
    load_weights(_write(tmp_path, {"weights": {"exp": 3.0}}, "good.json"))
    bad = tmp_path / "bytes.json"
    bad.write_bytes(raw)
    with pytest.raises(flops.WeightsFileError, match="not UTF-8") as info:
        load_weights(bad)
    assert str(bad) in str(info.value)
    assert get_weight("exp") == 3.0 and ACTIVE_WEIGHTS == {"exp": 3.0}


def test_unknown_names_warn_naming_them_and_are_ignored(tmp_path):
    path = _write(tmp_path, {"weights": {"exp": 2.0, "expp": 5.0, "linalg.svdd": 1.0}})
    with pytest.warns(UnknownWeightNameWarning) as caught:
        load_weights(path)
    (warning,) = caught
    assert issubclass(warning.category, flops.FlopscopeWarning)
    message = str(warning.message)
    assert "'expp'" in message and "'linalg.svdd'" in message and str(path) in message
    assert ACTIVE_WEIGHTS == {"exp": 2.0}


def test_a_valid_table_loads_without_warnings(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_weights(_write(tmp_path, {"weights": {"exp": 2.0, "abs": 3.0}}))
        load_weights()


def test_alias_spellings_in_a_file_set_their_operation(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"abs": 3.0, "conj": 2.0, "conjugate": 5.0}}))
    assert ACTIVE_WEIGHTS["absolute"] == 3.0
    assert ACTIVE_WEIGHTS["conjugate"] == 5.0  # the operation's own name wins
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        abs(fnp.ones(10))
    assert ctx.flops_used == 30


def test_a_partial_file_weighs_the_whole_group(tmp_path):
    load_weights(_write(tmp_path, {"weights": {"matmul": 0.5, "random.randn": 8.0,
                                               "max": 2.0, "amin": 3.0}}))
    for name in ("dot", "einsum", "tensordot", "vdot", "linalg.multi_dot", "vecdot"):
        assert get_weight(name) == 0.5, name
    # no reference listed: the listed member's weight
    for name in ("random.Generator.standard_normal", "random.RandomState.normal"):
        assert get_weight(name) == 8.0, name
    assert get_weight("amax") == 2.0 and get_weight("min") == 3.0
    assert get_weight("random.uniform") == 1.0  # another group, not listed


def test_group_resolution_never_overrides_listed_weights():
    from flopscope._weights import resolve_groups

    table = resolve_groups({"matmul": 0.5, "dot": 2.0})
    assert table["dot"] == 2.0 and table["einsum"] == 0.5
    # members disagreeing, no reference: nothing is guessed
    assert resolve_groups({"dot": 1.0, "inner": 2.0}) == {"dot": 1.0, "inner": 2.0}


def test_reset_weights_restores_the_packaged_table(tmp_path):
    path = packaged_weights_path()
    packaged = parse_weights(json.loads(path.read_text()), str(path))
    load_weights(_write(tmp_path, {"weights": {"exp": 123.0}}))
    reset_weights()
    assert ACTIVE_WEIGHTS == packaged
    assert "packaged" in active_weights_source()
    use_unit_weights()
    assert ACTIVE_WEIGHTS == {} and get_weight("exp") == 1.0
    assert "unit" in active_weights_source()
    reset_weights()
    assert get_weight("exp") == packaged["exp"]


def test_get_weight_answers_for_every_public_spelling():
    """Aliases (``abs``), methods (``ndarray.max``) and ``linalg`` twins: the charged weight."""
    from flopscope._weights import canonical_name
    from flopscope.numpy import _surface
    from flopscope.registry import REGISTRY

    load_weights()
    by_callable = {id(fn): name for name, fn in _surface.CALLABLES.items()}
    checked = 0
    for module, exports in _surface._EXPORTS.items():
        if not module.startswith("numpy"):
            continue
        prefix = module[len("numpy."):] + "." if module != "numpy" else ""
        for attr, fn in exports.items():
            name = by_callable.get(id(fn))
            if name is None or not REGISTRY[name].category.counted:
                continue
            assert canonical_name(prefix + attr) == name
            assert get_weight(prefix + attr) == get_weight(name), prefix + attr
            checked += 1
    assert checked > 400
    assert get_weight("abs") == get_weight("absolute") != 1.0
    assert get_weight("conj") == get_weight("conjugate")
    assert get_weight("ndarray.max") == get_weight("max") == get_weight("amax")
    assert get_weight("ndarray.sort") == get_weight("sort")
    assert get_weight("not.an.op") == 1.0


def test_environment_file_with_unknown_names_warns_at_import(tmp_path):
    path = _write(tmp_path, {"weights": {"exp": 7.0, "abs": 2.0, "nope": 1.0}})
    out = _run("import warnings; warnings.simplefilter('always')\n"
               "from flopscope._weights import get_weight, ACTIVE_WEIGHTS\n"
               "print(get_weight('exp'), get_weight('absolute'), 'nope' in ACTIVE_WEIGHTS)",
               FLOPSCOPE_WEIGHTS_FILE=str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["7.0", "2.0", "False"]
    assert "UnknownWeightNameWarning" in out.stderr and "'nope'" in out.stderr


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
