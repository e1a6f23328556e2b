"""The feature ladder of ``benchmarks/floor.py`` builds and counts (no timing here).

Every rung must compile from the tagged template, run a call, and keep what its
features say: a charge, a row of the right width, a result carrying its
producer. Otherwise the benchmark would silently time something else.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def floor():
    spec = importlib.util.spec_from_file_location("floor_bench", ROOT / "benchmarks" / "floor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rungs(floor):
    names = [name for name, _ in floor.LADDER_FEATURES]
    return [frozenset(names[:i]) for i in range(len(names) + 1)]


def test_every_rung_runs_and_records(floor):
    # Row widths by hand: the prototype's 7 fields; the clock rung turns its one
    # duration into start, NumPy's time and end (+2); context, thread and weights
    # add one each; layouts add shapes, dtypes and the result's layout (+3).
    expected_width = {0: 7, 1: 9, 2: 10, 3: 11, 4: 12, 5: 12, 6: 12, 7: 12, 8: 15, 9: 15, 10: 15}
    for i, features in enumerate(_rungs(floor)):
        x, y = floor._ladder_operands("views" in features)
        rung = floor.make_rung(features, np.add, (x, y))
        budget = rung.__globals__["budget"]
        rung.__globals__["USER_CODE_IDS"].add(id(_call.__code__))
        out = _call(rung, x, y)
        np.testing.assert_array_equal(out.plain, np.add(x.plain, y.plain))
        assert isinstance(out, np.ndarray) and out.src == (budget.rows[0][0],)
        (row,) = budget.rows
        assert len(row) == expected_width[i], sorted(features)
        scale = 2**64 if "weights" in features else 1
        assert budget.used == 8 * scale  # 8 elements, weight 1


def _call(rung, x, y):
    return rung(x, y)


def test_top_rung_refuses_over_budget_and_keywords(floor):
    features = frozenset(name for name, _ in floor.LADDER_FEATURES)
    x, y = floor._ladder_operands(True)
    rung = floor.make_rung(features, np.add, (x, y))
    rung.__globals__["USER_CODE_IDS"].add(id(_call.__code__))
    budget = rung.__globals__["budget"]
    budget.limit = 7 * 2**64
    with pytest.raises(RuntimeError, match="over budget"):
        _call(rung, x, y)
    assert budget.used == 0 and budget.rows == []
    with pytest.raises(NotImplementedError, match="general path"):
        rung(x, y, out=None, dtype=float)
