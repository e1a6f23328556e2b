"""``flops.configure(check_nan_inf=True)``: a warning naming the op, the call site and what appeared."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp


@pytest.fixture
def nan_check():
    old = flops.configure(check_nan_inf=True)
    yield
    flops.configure(**old)


@pytest.mark.parametrize(
    "compute, op, found",
    [
        (lambda: fnp.log(fnp.asarray([-1.0])), "log", "NaN"),
        (lambda: fnp.log(fnp.asarray([0.0])), "log", "-inf"),
        (lambda: fnp.add(fnp.asarray([np.inf]), 1), "add", "+inf"),
        (lambda: fnp.asarray([np.inf]) + 1, "add", "+inf"),
        (lambda: fnp.sqrt(fnp.asarray([-1.0, 4.0])), "sqrt", "NaN"),
        (lambda: fnp.sum(fnp.asarray([np.inf, -np.inf])), "sum", "NaN"),
        (lambda: fnp.exp(fnp.asarray([1000.0 + 0j])), "exp", "inf"),
    ],
)
def test_nonfinite_results_warn(nan_check, compute, op, found):
    with np.errstate(all="ignore"):
        with pytest.warns(flops.NanInfWarning) as caught:
            with flops.BudgetContext(flop_budget=10**6, quiet=True):
                compute()
    message = str(caught[0].message)
    assert op in message and found in message
    assert caught[0].filename == __file__  # the user's line, not flopscope's


def test_warning_is_a_filterable_flopscope_warning(nan_check):
    assert issubclass(flops.NanInfWarning, flops.FlopscopeWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", flops.NanInfWarning)
        with np.errstate(all="ignore"), pytest.raises(flops.NanInfWarning):
            fnp.log(fnp.asarray([0.0]))


def test_finite_and_integer_results_do_not_warn(nan_check):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fnp.exp(fnp.ones(10))
        fnp.add(fnp.arange(5), 3)
        fnp.linalg.norm(fnp.ones(4))


def test_off_by_default():
    assert flops.configure() == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):
            fnp.log(fnp.asarray([0.0]))


def test_configure_rejects_unknown_options_and_bad_values():
    with pytest.raises(TypeError, match="unknown option"):
        flops.configure(check_nan=True)
    with pytest.raises(ValueError):
        flops.configure(check_nan_inf="yes")
    with pytest.raises(ValueError):
        flops.configure(max_log_records=-1)
