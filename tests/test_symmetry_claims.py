"""Symmetry claims that cannot be bought (issue 12 item 4).

* the check is elementwise (each exchanged pair against its own magnitude),
  its tolerances are bounded, it is charged and refused over budget, and its
  error says where, not how much;
* any write that can reach claimed memory voids the claim, whichever alias
  wrote it.

Expected costs are worked out by hand in the comments, from the definitions
(not from the cost functions under test).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights
from flopscope.errors import BudgetExhaustedError, SymmetryError, SymmetryLossWarning
from flopscope.symmetry import SymmetryGroup, as_symmetric, is_symmetric

RNG = np.random.default_rng(2026)


@pytest.fixture(autouse=True)
def _quiet_loss_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SymmetryLossWarning)
        yield


def sym(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n))
    return a + a.T


def exp_cost(s) -> int:
    """Analytical cost charged for fnp.exp(s): n(n+1)/2 if s is still symmetric, n^2 if not."""
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.exp(s)
    return ctx.op_log[-1].flop_cost


# -- the check: elementwise, bounded, charged, tells where only -------------------------------------


def test_infinite_or_loose_tolerances_are_refused():
    a = RNG.standard_normal((6, 6))
    for kwargs in ({"atol": float("inf")}, {"rtol": float("inf")}, {"atol": float("nan")},
                   {"rtol": -1e-12}, {"atol": -1.0}, {"rtol": 1e-3}, {"atol": 1e-6}):
        with pytest.raises(ValueError):
            as_symmetric(a, **kwargs)
        with pytest.raises(ValueError):
            is_symmetric(a, **kwargs)
    with pytest.raises(TypeError):
        as_symmetric(sym(3), rtol="0.1")
    # at the bound (sqrt(eps) of float64) and below it: accepted
    bound = float(np.sqrt(np.finfo(np.float64).eps))
    as_symmetric(sym(4), rtol=bound, atol=bound)
    as_symmetric(sym(4), rtol=0.0)


def test_one_huge_entry_does_not_widen_every_pair():
    """Issue 12: padding one entry with 1e300 let a random 60x60x60 tensor through."""
    t = RNG.standard_normal((60, 60, 60))
    t[0, 0, 0] = 1e300
    with pytest.raises(SymmetryError):
        as_symmetric(t)
    m = sym(8)
    m[7, 7] = 1e300
    m[0, 1] += 1e-3  # tiny next to 1e300, large next to its own magnitude
    with pytest.raises(SymmetryError, match=r"x\[0, 1\]"):
        as_symmetric(m)


def test_each_pair_is_judged_against_its_own_magnitude():
    m = sym(5)
    m[0, 1] = 1.0
    m[1, 0] = 1.0 + 1e-9  # relative difference 1e-9 <= 1.49e-8: a rounding-level pair
    as_symmetric(m)
    m[1, 0] = 1.0 + 1e-7  # relative 1e-7: too far, whatever the rest of the matrix holds
    with pytest.raises(SymmetryError):
        as_symmetric(m)
    m[0, 1], m[1, 0] = 0.0, 1e-20  # no relative slack around zero without atol
    with pytest.raises(SymmetryError):
        as_symmetric(m)
    as_symmetric(m, atol=1e-12)
    m[0, 1], m[1, 0] = np.inf, 1.0  # rtol * max(|a|, |b|) = inf must not accept this pair
    with pytest.raises(SymmetryError):
        as_symmetric(m)
    m[0, 1] = m[1, 0] = np.inf
    as_symmetric(m)


def test_the_error_names_where_not_how_much():
    m = sym(6)
    m[2, 4] += 0.123456
    with pytest.raises(SymmetryError) as info:
        as_symmetric(m)
    text = str(info.value)
    assert "x[2, 4]" in text and "x[4, 2]" in text
    for secret in ("0.123", f"{m[2, 4]:.4}", f"{m[4, 2]:.4}", "difference of", "tolerance is"):
        assert secret not in text
    # the same message whatever the size of the violation: nothing to bisect on
    m2 = sym(6)
    m2[2, 4] += 1e6
    with pytest.raises(SymmetryError) as info2:
        as_symmetric(m2)
    assert str(info2.value) == text


def test_the_check_is_a_counted_operation():
    n = 10
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        as_symmetric(sym(n))
    record = ctx.op_log[-1]
    # floats: |x| of the 100 elements + 6 per exchanged pair (45 pairs) = 100 + 270
    assert (record.op_name, record.flop_cost) == ("is_symmetric", 370)
    assert ctx.flops_used == 370
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        as_symmetric(np.arange(16).reshape(4, 4) + np.arange(16).reshape(4, 4).T)
    assert ctx.op_log[-1].flop_cost == 2 * 6  # exact data: compare and fold, 6 pairs


def test_the_check_is_charged_even_when_it_fails():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with pytest.raises(SymmetryError):
            as_symmetric(RNG.standard_normal((10, 10)))
    assert ctx.flops_used == 370  # the answer was computed: bisection on atol is not free


def test_the_check_is_refused_before_running_when_over_budget():
    data = sym(10)
    with flops.BudgetContext(flop_budget=369, quiet=True) as ctx:
        with pytest.raises(BudgetExhaustedError):
            as_symmetric(data)
    assert ctx.flops_used == 0 and len(ctx.op_log) == 0


def test_the_check_charge_with_packaged_weights():
    _weights.load_weights()
    try:
        weight = _weights.get_weight("is_symmetric")
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            as_symmetric(sym(10))
        record = ctx.op_log[-1]
        assert record.analytical_cost == 370  # as above
        assert ctx.flops_used == pytest.approx(370 * weight, rel=1e-9, abs=1)
        assert weight > 0 and ctx.flops_used > 0
    finally:
        _weights.reset_weights()


def test_planned_check_equals_the_eager_charge():
    planned = flops.plan(lambda x: as_symmetric(x), (10, 10))
    assert planned.analytical_flops == 370


# -- writes void the claim: one test per path -------------------------------------------------------

N = 4
SYMMETRIC_EXP = N * (N + 1) // 2  # exp of a symmetric (4, 4): 10 distinct elements
DENSE_EXP = N * N  # 16


def claimed():
    s = as_symmetric(sym(N))
    assert s.symmetry == (SymmetryGroup(0, 1),) and exp_cost(s) == SYMMETRIC_EXP
    return s


def assert_void(s) -> None:
    assert s.symmetry == ()
    assert exp_cost(s) == DENSE_EXP
    assert exp_cost(s.T) == DENSE_EXP and exp_cost(s[:, :]) == DENSE_EXP


def test_write_through_transpose_view():
    s = claimed()
    s.T[0, 1] = 99.0
    assert_void(s)


def test_write_through_full_slice_view():
    s = claimed()
    v = s[:, :]
    v[0, 1] = 99.0
    assert_void(s)


def test_write_through_flat():
    s = claimed()
    s.flat[1] = 99.0
    assert_void(s)


def test_write_to_the_plain_base_array():
    a = sym(N)
    s = as_symmetric(a)  # a view of the user's own array
    a[0, 1] = 99.0
    assert_void(s)


def test_write_to_the_flopscope_base_array():
    x = fnp.asarray(sym(N))
    s = as_symmetric(x)
    x[0, 1] = 99.0
    assert_void(s)


def test_write_through_np_asarray_alias():
    s = claimed()
    np.asarray(s)[0, 1] = 99.0
    assert_void(s)


def test_out_slice_of_a_bigger_array():
    big = sym(2 * N)
    s = as_symmetric(big)
    dst = s[0:2, 0:3]  # not symmetric as a view; writes still reach s
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        fnp.add(np.ones((2, 3)), 1.0, out=dst)
    assert s.symmetry == ()


def test_out_argument_on_an_alias():
    s = claimed()
    alias = np.asarray(s)
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        fnp.multiply(np.arange(16.0).reshape(N, N), 1.0, out=alias.view(fnp.ndarray))
    assert_void(s)


def test_copyto():
    s = claimed()
    np.copyto(s, np.arange(16.0).reshape(N, N))
    assert_void(s)


def test_put():
    s = claimed()
    np.put(s, [1], [99.0])
    assert_void(s)


def test_place():
    s = claimed()
    mask = np.zeros((N, N), bool)
    mask[0, 1] = True
    np.place(s, mask, [99.0])
    assert_void(s)


def test_putmask():
    s = claimed()
    mask = np.zeros((N, N), bool)
    mask[0, 1] = True
    np.putmask(s, mask, 99.0)
    assert_void(s)


def test_put_along_axis():
    s = claimed()
    np.put_along_axis(s, np.array([[1], [0], [0], [0]]), 99.0, axis=1)
    assert_void(s)


def test_fill():
    s = claimed()
    s.T.fill(1.0)  # still symmetric, but the data changed without a check
    assert_void(s)


def test_in_place_operator_on_a_view():
    s = claimed()
    t = s.T
    t += np.arange(16.0).reshape(N, N)
    assert_void(s)


def test_setitem_on_the_tensor_itself():
    s = claimed()
    s[1:3, 1:3] = 0.0  # keeps the data symmetric, yet only a new (charged) check may say so
    assert_void(s)


def test_setitem_on_a_plain_flopscope_alias():
    s = claimed()
    s.view(fnp.ndarray)[0, 1] = 99.0
    assert_void(s)


def test_a_copy_keeps_its_own_claim():
    s = claimed()
    c = s.copy()
    s[0, 1] = 99.0
    assert s.symmetry == () and c.symmetry == (SymmetryGroup(0, 1),)
    c[1, 0] = 5.0
    assert c.symmetry == ()


def test_writes_elsewhere_in_the_buffer_leave_the_claim():
    big = np.zeros((8, 8))
    big[:4, :4] = sym(4)
    s = as_symmetric(big[:4, :4])
    big[6, 7] = 3.0  # outside the claimed block
    assert s.symmetry == (SymmetryGroup(0, 1),)


def test_out_of_a_symmetric_result_gives_a_fresh_claim():
    s = claimed()
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        fnp.exp(s, out=s)  # symmetric by construction, written whole
    assert s.symmetry == (SymmetryGroup(0, 1),) and exp_cost(s) == SYMMETRIC_EXP
    np.asarray(s)[0, 1] = -1.0
    assert s.symmetry == ()


def test_symmetric_einsum_results_are_claimed_too():
    x = fnp.asarray(RNG.standard_normal((5, 4)))
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        g = fnp.einsum("ij,ik->jk", x, x)
    assert g.symmetry == (SymmetryGroup(0, 1),)
    np.asarray(g)[0, 1] += 1.0
    assert g.symmetry == ()


def test_a_forged_pickle_is_checked_again():
    s = claimed()
    data = pickle.dumps(s)
    restored = pickle.loads(data)
    assert restored.symmetry == (SymmetryGroup(0, 1),)
    forged = pickle.loads(data.replace(np.asarray(s)[0, 1].tobytes(), np.float64(7.5).tobytes(), 1))
    assert forged.symmetry == ()


def test_the_claim_registry_does_not_grow_with_dead_results():
    import gc

    from flopscope.symmetry import claims

    x = fnp.asarray(RNG.standard_normal((6, 3)))
    with flops.BudgetContext(flop_budget=10**9, quiet=True):
        for _ in range(5000):
            fnp.einsum("ij,ik->jk", x, x)  # a symmetric result, claimed, then dropped
    gc.collect()
    assert len(claims._LIVE) < 2100


def test_claimed_tensors_are_freed():
    import gc
    import weakref

    x = fnp.asarray(RNG.standard_normal((6, 3)))
    with flops.BudgetContext(flop_budget=10**9, quiet=True):
        g = fnp.einsum("ij,ik->jk", x, x)
    s = as_symmetric(sym(4))
    refs = [weakref.ref(a) for a in (g, s, s.copy(), s.T, g.copy())]
    del g, s
    gc.collect()
    assert [r() for r in refs] == [None] * len(refs)


def test_empty_and_fortran_ordered_claims():
    assert as_symmetric(np.zeros((0, 0))).symmetry == (SymmetryGroup(0, 1),)
    f = np.asfortranarray(sym(5))
    s = as_symmetric(f)
    assert s.symmetry == (SymmetryGroup(0, 1),)
    f[0, 1] = 123.0
    assert s.symmetry == ()
