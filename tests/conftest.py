"""Shared test setup.

Tests run on the analytical model (unit weights) unless a test loads a
weights table itself, so the numbers they check are the formulas' own. Tests
of the configuration users run (packaged weights) call
``_weights.load_weights()``; the fixture restores unit weights afterwards.
"""

from __future__ import annotations

import os

os.environ["FLOPSCOPE_DISABLE_WEIGHTS"] = "1"
os.environ.pop("FLOPSCOPE_WEIGHTS_FILE", None)
os.environ.pop("FLOPSCOPE_DEFAULT_BUDGET", None)

import pytest  # noqa: E402

import flopscope as flops  # noqa: E402
from flopscope import _weights  # noqa: E402
from flopscope.budget import session  # noqa: E402


@pytest.fixture(autouse=True)
def _isolate_weights_and_session():
    """Each test starts with unit weights and an empty session ledger."""
    _weights.use_unit_weights()
    session.reset()
    yield
    _weights.use_unit_weights()


@pytest.fixture
def budget():
    """A large explicit budget context, entered for the test's duration."""
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        yield ctx
