"""flops.special: SciPy's special functions, counted with derived formulas.

Costs are checked against numbers computed by hand from the documented
formulas (numel(output) for the elementwise functions; 4n + 2m, 5n, 5n + m for
logsumexp, softmax, log_softmax), values and dtypes against SciPy itself.
"""

from __future__ import annotations

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights

special = pytest.importorskip("scipy.special")

UNARY = {
    "expit": (-5.0, 5.0), "log_expit": (-5.0, 5.0), "logit": (0.05, 0.95), "erf": (-2.0, 2.0),
    "erfc": (-2.0, 2.0), "erfinv": (-0.9, 0.9), "erfcinv": (0.1, 1.9), "gamma": (0.5, 5.0),
    "gammaln": (0.5, 50.0), "digamma": (0.5, 50.0), "ndtr": (-3.0, 3.0), "ndtri": (0.05, 0.95),
    "log_ndtr": (-10.0, 3.0),
}
BINARY = {"xlogy": (0.0, 3.0), "xlog1py": (0.0, 3.0)}


def _charge(fn, *args, **kwargs):
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx


def _data(domain, shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(*domain, shape).astype(dtype)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_values_dtypes_and_cost(name, dtype):
    x = _data(UNARY[name], (4, 5), dtype)
    result, ctx = _charge(getattr(flops.special, name), fnp.asarray(x))
    expected = getattr(special, name)(x)
    assert type(result) is fnp.ndarray
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(result), expected)
    assert ctx.flops_used == 20  # 4·5 outputs, one evaluation each
    assert ctx.op_log[0].op_name == f"special.{name}"


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasts_and_costs_numel_output(name):
    x, y = _data(BINARY[name], (3, 1)), _data(BINARY[name], (1, 4), seed=1)
    result, ctx = _charge(getattr(flops.special, name), fnp.asarray(x), y)
    np.testing.assert_array_equal(np.asarray(result), getattr(special, name)(x, y))
    assert ctx.flops_used == 12  # broadcast output (3, 4)


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(BINARY))
def test_scipy_ufunc_on_flopscope_array_counts_like_flops_special(name):
    domain = UNARY.get(name) or BINARY[name]
    x = fnp.asarray(_data(domain, (6,)))
    args = (x,) if name in UNARY else (x, x)
    direct, direct_ctx = _charge(getattr(special, name), *args)
    ours, ours_ctx = _charge(getattr(flops.special, name), *args)
    np.testing.assert_array_equal(np.asarray(direct), np.asarray(ours))
    assert type(direct) is fnp.ndarray
    assert direct_ctx.flops_used == ours_ctx.flops_used == 6
    assert direct_ctx.op_log[0].op_name == ours_ctx.op_log[0].op_name == f"special.{name}"


def test_psi_is_digamma():
    x = fnp.asarray(_data((1.0, 3.0), (5,)))
    _, ctx = _charge(special.psi, x)
    assert ctx.op_log[0].op_name == "special.digamma" and ctx.flops_used == 5
    assert flops.special.psi is flops.special.digamma


def test_same_charge_under_packaged_weights():
    _weights.load_weights()
    x = fnp.asarray(_data((-3.0, 3.0), (1000,)))
    _, direct = _charge(special.expit, x)
    _, ours = _charge(flops.special.expit, x)
    expected = 1000 * _weights.get_weight("special.expit")
    assert direct.flops_used == ours.flops_used
    assert abs(direct.flops_used - expected) <= 1


@pytest.mark.parametrize("shape, axis, n, m", [
    ((3, 4), None, 12, 1), ((3, 4), 1, 12, 3), ((3, 4), 0, 12, 4), ((2, 3, 5), (0, 2), 30, 3),
    ((2, 3, 5), -1, 30, 6),
])
def test_logsumexp_softmax_log_softmax(shape, axis, n, m):
    x = _data((-4.0, 4.0), shape)
    for name, cost in (("logsumexp", 4 * n + 2 * m), ("softmax", 5 * n),
                       ("log_softmax", 5 * n + m)):
        if name != "logsumexp" and isinstance(axis, tuple):
            continue  # SciPy's softmax takes tuples too, but keep to its documented int/None
        result, ctx = _charge(getattr(flops.special, name), fnp.asarray(x), axis=axis)
        expected = getattr(special, name)(x, axis=axis)
        np.testing.assert_array_equal(np.asarray(result), expected)
        assert np.asarray(result).dtype == expected.dtype
        assert ctx.flops_used == cost, name


def test_logsumexp_options():
    x, b = _data((-2.0, 2.0), (4, 6)), _data((0.5, 1.0), (4, 6), seed=3)
    result, ctx = _charge(flops.special.logsumexp, fnp.asarray(x), axis=1, b=b)
    np.testing.assert_array_equal(np.asarray(result), special.logsumexp(x, axis=1, b=b))
    assert ctx.flops_used == 5 * 24 + 2 * 4  # the weights add a multiply per element
    (value, sign), ctx = _charge(flops.special.logsumexp, fnp.asarray(x), axis=0,
                                 return_sign=True)
    ref_value, ref_sign = special.logsumexp(x, axis=0, return_sign=True)
    np.testing.assert_array_equal(np.asarray(value), ref_value)
    np.testing.assert_array_equal(np.asarray(sign), ref_sign)
    assert ctx.flops_used == 4 * 24 + 2 * 6 + 6
    kept, _ = _charge(flops.special.logsumexp, fnp.asarray(x), axis=1, keepdims=True)
    assert kept.shape == (4, 1)


def test_errors_are_scipys_and_nothing_is_charged():
    x = fnp.ones((2, 3))
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with pytest.raises(np.exceptions.AxisError):
            flops.special.logsumexp(x, axis=5)
    assert ctx.flops_used == 0


def test_budget_is_checked_before_running():
    x = fnp.ones(100)
    with flops.BudgetContext(flop_budget=99, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            flops.special.erf(x)
    assert ctx.flops_used == 0


def test_plan_matches_eager():
    def model(x):
        return flops.special.log_softmax(flops.special.erf(x) * 2.0, axis=1).sum()

    plan = flops.plan(model, (8, 16))
    _, ctx = _charge(model, fnp.ones((8, 16)))
    # erf 128, multiply 128, log_softmax 5·128 + 8, sum 128
    assert plan.flops == ctx.flops_used == 128 + 128 + (5 * 128 + 8) + 128


def test_unlisted_special_function_explains_how_to_declare_it():
    with pytest.raises(AttributeError, match="register_ufunc"):
        flops.special.eval_legendre  # noqa: B018
    with pytest.raises(AttributeError):
        flops.special.not_a_function  # noqa: B018


def test_cost_queries():
    from flopscope.accounting import log_softmax_cost, logsumexp_cost, softmax_cost

    assert logsumexp_cost(1000, 10) == 4020
    assert softmax_cost(1000) == 5000
    assert log_softmax_cost(1000, 10) == 5010
    assert flops.pointwise_cost("special.erf", shape=(10, 10)) == 100


def test_scipy_ufunc_in_a_plan_is_planned_like_flops_special():
    def model(x):
        return special.expit(x) + flops.special.expit(x)

    plan = flops.plan(model, (10, 3))
    _, ctx = _charge(model, fnp.ones((10, 3)))
    assert plan.flops == ctx.flops_used == 30 + 30 + 30
    assert [r.op_name for r in plan.op_log] == ["special.expit", "special.expit", "add"]


@pytest.mark.parametrize("name, axis", [("logsumexp", 1), ("softmax", 0), ("log_softmax", -1),
                                        ("logsumexp", None)])
def test_scipy_python_functions_on_flopscope_arrays_count_like_flops_special(name, axis):
    # SciPy's versions are plain Python (no override protocol reaches them); on flopscope
    # arrays they are flopscope's entries, so the charge does not depend on the spelling.
    x = _data((-3.0, 3.0), (5, 6))
    direct, direct_ctx = _charge(getattr(special, name), fnp.asarray(x), axis=axis)
    ours, ours_ctx = _charge(getattr(flops.special, name), fnp.asarray(x), axis=axis)
    expected = getattr(special, name)(x, axis=axis)
    np.testing.assert_array_equal(np.asarray(direct), expected)
    assert type(direct) is (fnp.ndarray if np.ndim(expected) else type(expected))
    assert direct_ctx.flops_used == ours_ctx.flops_used > 0
    assert [r.op_name for r in direct_ctx.op_log] == [f"special.{name}"]


def test_scipy_redirects_also_when_scipy_was_imported_first():
    import subprocess
    import sys

    code = ("import scipy.special, numpy as np\n"
            "import flopscope as flops, flopscope.numpy as fnp\n"
            "with flops.BudgetContext(flop_budget=10**6, quiet=True) as b:\n"
            "    scipy.special.softmax(fnp.ones(5)); scipy.special.expit(fnp.ones(5))\n"
            "print(b.flops_used)\n")
    env = {"FLOPSCOPE_DISABLE_WEIGHTS": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == str(5 * 5 + 5)
