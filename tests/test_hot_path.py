"""What the lean dispatch path caches and defers must never change a number.

The eager hot path (flopscope/exec/eager.py) caches charge factors per
multiplier, caches the costs of shape-only rules, interns the shapes and
dtypes its rows hold, and sums backend/overhead time from the rows only when
asked. Each test here checks a charge or a total against a figure computed
by hand or from the records, so a stale cache or a lost fold would fail it.
"""

from __future__ import annotations

import copy
import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import _weights
from flopscope.cost import UNIT_BITS
from flopscope.trace.intern import INTERNED, LIMIT, trim
from flopscope.trace.record import R_DTYPES, R_SHAPES


def _charge(fn) -> int:
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        fn()
    return ctx.flops_used


# -- charge factors ------------------------------------------------------------------------


def test_a_weight_set_between_calls_applies_to_the_next_call():
    x = fnp.ones(100)
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
        _weights.ACTIVE_WEIGHTS["exp"] = 3.0
        fnp.exp(x)  # 100 x 3
        _weights.ACTIVE_WEIGHTS["exp"] = 0.25
        fnp.exp(x)  # 100 x 0.25
        del _weights.ACTIVE_WEIGHTS["exp"]
        fnp.exp(x)  # 100 x 1
    assert ctx.flops_used == 300 + 25 + 100


@pytest.mark.parametrize("mutate", [
    lambda t: t.update({"sqrt": 4.0}),
    lambda t: t.setdefault("sqrt", 4.0),
    lambda t: t.__setitem__("sqrt", 4.0),
    lambda t: t.__ior__({"sqrt": 4.0}),
])
def test_every_way_of_changing_the_table_reaches_cached_factors(mutate):
    x = fnp.ones(10)
    assert _charge(lambda: fnp.sqrt(x)) == 10  # the factor for weight 1.0 is now cached
    mutate(_weights.ACTIVE_WEIGHTS)
    assert _charge(lambda: fnp.sqrt(x)) == 40
    _weights.ACTIVE_WEIGHTS.pop("sqrt")
    assert _charge(lambda: fnp.sqrt(x)) == 10
    _weights.ACTIVE_WEIGHTS["sqrt"] = 2.0
    _weights.ACTIVE_WEIGHTS.clear()
    assert _charge(lambda: fnp.sqrt(x)) == 10


def test_contexts_with_different_multipliers_keep_separate_factors():
    x = fnp.ones(64)
    _weights.ACTIVE_WEIGHTS["multiply"] = 0.5
    with flops.BudgetContext(flop_budget=10**9, flop_multiplier=3.0, quiet=True) as a:
        x * x
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as b:
        x * x
    with flops.BudgetContext(flop_budget=10**9, flop_multiplier=0.1, quiet=True) as c:
        x * x
    assert a.flops_used == 96  # 64 x 0.5 x 3
    assert b.flops_used == 32  # 64 x 0.5
    # 64 x 0.5 x 0.1 = 3.2 exactly in rationals; the float 0.1 is a hair above 1/10.
    exact = 64 * Fraction(0.5) * Fraction(0.1)
    assert c.flops_used == math.ceil(exact) == 4


def test_the_packaged_table_and_unit_weights_swap_cleanly():
    x = fnp.ones(1000)
    _weights.load_weights()
    packaged = _weights.get_weight("exp")
    assert _charge(lambda: fnp.exp(x)) == math.ceil(1000 * Fraction(packaged))
    _weights.use_unit_weights()
    assert _charge(lambda: fnp.exp(x)) == 1000


# -- cached costs of shape-only rules ------------------------------------------------------


def test_einsum_costs_are_cached_per_subscripts_and_shapes():
    a, b = fnp.ones((2, 3)), fnp.ones((3, 4))
    c = fnp.ones((3, 5))
    # Two-operand einsum: one multiply-add per point of the index space.
    assert _charge(lambda: fnp.einsum("ij,jk->ik", a, b)) == 2 * 3 * 4
    assert _charge(lambda: fnp.einsum("ij,jk->ik", a, b)) == 24  # from the cache
    assert _charge(lambda: fnp.einsum("ij,jk->ik", a, c)) == 2 * 3 * 5
    assert _charge(lambda: fnp.einsum("ij,kl->ijkl", a, b)) == 2 * 3 * 3 * 4
    assert _charge(lambda: fnp.einsum("ij,jk", a, b)) == 24


def test_a_cached_contraction_still_sees_its_weight_name():
    # v[:, None] @ w[None, :] sums over an axis of size 1: a product, charged at
    # multiply's weight; the same shapes through einsum's general rule are not.
    _weights.ACTIVE_WEIGHTS.update({"multiply": 2.0, "dot": 0.5})
    v, w = fnp.ones((4, 1)), fnp.ones((1, 3))
    for _ in range(2):  # the second call comes from the cost cache
        assert _charge(lambda: fnp.dot(v, w)) == 12 * 2
    m, n = fnp.ones((4, 2)), fnp.ones((2, 3))
    for _ in range(2):
        assert _charge(lambda: fnp.dot(m, n)) == 24 * 0.5


def test_where_costs_one_selection_per_broadcast_element():
    c = fnp.ones((3, 1)) > 0
    x, y = fnp.ones((1, 4)), fnp.ones((3, 4))
    for _ in range(2):
        assert _charge(lambda: fnp.where(c, x, y)) == 12
    assert _charge(lambda: fnp.where(c, 1.0, y)) == 12
    mask = fnp.ones((5, 5)) > 0
    assert _charge(lambda: fnp.where(mask, 1.0, 0.0)) == 25


def test_cached_costs_do_not_mix_dtypes_or_reject_bad_shapes():
    a = fnp.ones((2, 3))
    assert _charge(lambda: fnp.einsum("ij->", a)) == 6
    assert _charge(lambda: fnp.einsum("ij->", a.astype(np.float32))) == 6
    with pytest.raises(ValueError):  # NumPy's own error, every time, nothing charged
        fnp.einsum("ij,jk->ik", a, a)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        with pytest.raises(ValueError):
            fnp.einsum("ij,jk->ik", a, a)
    assert ctx.flops_used == 0 and len(ctx.op_log) == 0


# -- rows ----------------------------------------------------------------------------------


def test_rows_share_their_shape_and_dtype_tuples():
    a, b = fnp.ones(8), fnp.ones(8)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for _ in range(3):
            a + b
    rows = ctx.trace.rows
    assert rows[0][R_SHAPES] == ((8,), (8,))
    assert rows[0][R_SHAPES] is rows[1][R_SHAPES] is rows[2][R_SHAPES]
    assert rows[0][R_DTYPES] is rows[2][R_DTYPES]


def test_the_intern_table_is_bounded():
    INTERNED.update({(i, "filler"): (i, "filler") for i in range(LIMIT + 1)})
    trim()
    assert len(INTERNED) == 0
    flops.BudgetContext(flop_budget=10)  # a new context trims too
    assert len(INTERNED) <= LIMIT


def test_np_function_on_an_fnp_array_records_the_users_line():
    x = fnp.ones(4)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        np.exp(x); line = __import__("inspect").currentframe().f_lineno  # noqa: E702
    (record,) = ctx.op_log
    assert record.op_name == "exp"
    assert record.call_site.filename == __file__
    assert record.call_site.lineno == line


# -- time ----------------------------------------------------------------------------------


def test_backend_and_overhead_totals_are_the_sums_of_the_records():
    x = fnp.ones(16)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for _ in range(50):
            x = fnp.sqrt(x) + 1.0
        mid = ctx.timings()  # read once midway: totals must keep counting after a read
        for _ in range(10):
            x = x * 0.5
    log = ctx.op_log
    assert len(log) == 110
    backend = sum(r.flopscope_backend_duration_s for r in log)
    overhead = sum(r.flopscope_overhead_duration_s for r in log)
    assert ctx.flopscope_backend_time_s == pytest.approx(backend, rel=1e-9, abs=1e-9)
    assert ctx.flopscope_overhead_time_s == pytest.approx(overhead, rel=1e-9, abs=1e-9)
    assert mid.backend_ns < ctx.timings().backend_ns
    t = ctx.timings()
    assert t.wall_ns == t.backend_ns + t.overhead_ns + t.residual_ns


def test_totals_include_calls_folded_past_the_log_cap():
    old = flops.configure(max_log_records=5)
    try:
        x = fnp.ones(3)
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            for _ in range(40):
                fnp.exp(x)
    finally:
        flops.configure(**old)
    assert len(ctx.op_log) == 5
    assert ctx.flops_used == 120
    folded = sum(a.backend_ns for a in ctx.trace.site_aggregates())
    assert ctx.timings().backend_ns == folded
    assert ctx.trace.folded_calls == 35


def test_the_context_keeps_exact_units():
    x = fnp.ones(3)
    _weights.ACTIVE_WEIGHTS["multiply"] = 1 / 3
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for _ in range(1000):
            x * x
    # Each call: 3 x (1/3 as a float, rounded up to a whole charge unit).
    factor = -((-Fraction(1 / 3) * 2**UNIT_BITS).numerator // (Fraction(1 / 3) * 2**UNIT_BITS).denominator)
    assert ctx._units == 1000 * 3 * factor
    assert ctx.flops_used == -((-ctx._units) >> UNIT_BITS) == 1000


# -- fast-path operand kinds -----------------------------------------------------------------


def test_in_place_operators_write_into_the_array_and_are_charged_like_functions():
    a = fnp.ones((3, 4))
    b = fnp.arange(4.0)
    keep = a  # the same object must come back
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        a += b  # broadcast into a: 12 additions
        a *= 2.0
        a -= np.float64(1.0)
    assert a is keep
    expected = (np.ones((3, 4)) + np.arange(4.0)) * 2.0 - 1.0
    np.testing.assert_array_equal(a, expected)
    assert [(r.op_name, r.analytical_cost) for r in ctx.op_log] == [
        ("add", 12), ("multiply", 12), ("subtract", 12)]
    assert ctx.op_log[1].inputs == (ctx.op_log[0].node_id,)  # a's producer is the last write


def test_a_refused_in_place_operator_changes_nothing():
    i = fnp.ones(3, dtype=np.int64)
    small = fnp.ones(4)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        with pytest.raises(TypeError, match="Cannot cast"):  # NumPy's UFuncTypeError
            i += 0.5  # float64 results do not cast into int64 in place
        with pytest.raises(ValueError):
            small += fnp.ones((2, 4))  # the result would not fit
    assert ctx.flops_used == 0 and ctx.op_log == []
    np.testing.assert_array_equal(i, [1, 1, 1])
    np.testing.assert_array_equal(small, [1, 1, 1, 1])


def test_in_place_on_a_tight_budget_is_refused_before_writing():
    a = fnp.ones(10)
    with flops.BudgetContext(flop_budget=5, quiet=True) as ctx:
        with pytest.raises(flops.BudgetExhaustedError):
            a += 1.0
    np.testing.assert_array_equal(a, np.ones(10))
    assert ctx.flops_used == 0


def test_numpy_scalars_are_operands_like_arrays():
    x = fnp.arange(1.0, 5.0)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        total = x.sum()  # a NumPy scalar; a reduction costs numel(input) = 4
        y = x / total
        z = total * x
        w = fnp.log(total)
    assert isinstance(total, np.float64) and isinstance(w, np.float64)
    np.testing.assert_allclose(y, np.arange(1.0, 5.0) / 10.0)
    np.testing.assert_allclose(z, np.arange(1.0, 5.0) * 10.0)
    assert [(r.op_name, r.analytical_cost, r.shapes) for r in ctx.op_log] == [
        ("sum", 4, ((4,),)), ("divide", 4, ((4,), ())), ("multiply", 4, ((), (4,))),
        ("log", 1, ((),))]
    with pytest.raises(flops.UnsupportedDtypeError):
        x + np.str_("a")


def test_views_numpy_made_keep_their_producer():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        m = fnp.ones((3, 3)) * 2.0
        t = m.T @ m  # m.T is a view NumPy made: its producer is m's
        row = m[1] + 1.0
    mul, matmul, add = ctx.op_log
    assert matmul.inputs == (mul.node_id, mul.node_id)
    assert add.inputs == (mul.node_id,)
    np.testing.assert_array_equal(t, np.full((3, 3), 12.0))
    np.testing.assert_array_equal(row, [3.0, 3.0, 3.0])


def test_memoized_broadcasts_still_refuse_bad_shapes_with_numpys_error():
    a, b = fnp.ones((3, 4)), fnp.ones(5)
    for _ in range(2):
        with pytest.raises(ValueError, match="could not be broadcast"):
            a + b
    c, d = fnp.ones((2, 1)), fnp.ones(3)
    for _ in range(2):
        assert _charge(lambda: c + d) == 6
        assert _charge(lambda: d + c) == 6


def test_factor_tables_live_only_as_long_as_their_contexts():
    import gc

    before = len(_weights._FACTOR_TABLES)
    contexts = [flops.BudgetContext(flop_budget=10, flop_multiplier=2 + i / 1000) for i in range(50)]
    assert len(_weights._FACTOR_TABLES) >= before + 50
    del contexts
    gc.collect()
    assert len(_weights._FACTOR_TABLES) <= before + 1


# -- the plain array a result keeps (_fs_np) -----------------------------------------------


def _eight() -> tuple[fnp.ndarray, np.ndarray]:
    values = np.arange(8.0)
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        counted = fnp.multiply(values, 1.0)
    return counted, values.copy()


@pytest.mark.parametrize("call", [
    lambda x: x + x, lambda x: fnp.exp(x), lambda x: x.sum(axis=-1),
    lambda x: fnp.einsum("...i,...i->...", x, x), lambda x: np.negative(x),
])
def test_a_result_whose_shape_was_set_in_place_computes_in_its_new_shape(call):
    counted, plain = _eight()
    counted.shape = (2, 4)
    plain.shape = (2, 4)
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        got = call(counted)
    want = call(plain)
    assert got.shape == want.shape and np.array_equal(got, want)


def test_a_result_whose_dtype_was_set_in_place_computes_in_its_new_dtype():
    counted, plain = _eight()
    counted.dtype = np.int64  # reinterprets the same 64 bytes, like NumPy
    plain.dtype = np.int64
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        got = counted + 1
    assert got.dtype == np.int64 and np.array_equal(got, plain + 1)


def test_a_read_only_result_refuses_in_place_writes_like_numpy_without_a_charge():
    counted, _ = _eight()
    counted.flags.writeable = False
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        with pytest.raises(ValueError, match="read-only"):
            counted += 1.0
        with pytest.raises(ValueError, match="read-only"):
            fnp.copyto(counted, 0.0)
        assert counted[3] == 3.0
        assert ctx.flops_used == 0 and len(ctx.op_log) == 0  # refused: nothing charged
        exp = fnp.exp(counted)  # reading it still works
    assert [r.op_name for r in ctx.op_log] == ["exp"]
    np.testing.assert_array_equal(exp, np.exp(np.arange(8.0)))


# -- the ufunc fast path's table keyed by operand layouts ---------------------------------


def test_a_layout_learned_before_the_shape_changes_is_not_reused():
    counted, plain = _eight()
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        counted + counted  # the (8,) float64 layout is now on counted and in the table
        counted.shape = (2, 4)
        got = counted + counted
        counted.dtype = np.int64
        got_int = counted * 2
    plain.shape = (2, 4)
    assert got.shape == (2, 4) and np.array_equal(got, plain + plain)
    assert got_int.dtype == np.int64 and np.array_equal(got_int, plain.view(np.int64) * 2)
    assert [r.shapes for r in ctx.op_log] == [((8,), (8,)), ((2, 4), (2, 4)), ((2, 4), ())]


@pytest.mark.parametrize("y", [2, 2.5, True, 1j, np.float32(2.0), np.int8(3)])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8])
def test_repeated_calls_record_numpys_result_dtype_and_shape(dtype, y):
    x_plain = np.arange(6, dtype=dtype).reshape(2, 3)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        x = fnp.multiply(x_plain, 1)
        results = [x * y for _ in range(3)]  # the first learns, the next two look up
    want = x_plain * y
    for got in results:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    records = ctx.op_log[1:]
    assert [r.output_dtype for r in records] == [str(want.dtype)] * 3
    assert [r.output_shape for r in records] == [(2, 3)] * 3
    assert [r.flop_cost for r in records] == [6] * 3  # unit weights: numel of the output


def test_broadcast_costs_are_the_output_size_every_time():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        col = fnp.multiply(np.ones((3, 1)), 1)
        row = fnp.multiply(np.ones((1, 4)), 1)
        for _ in range(3):
            out = col + row
    assert out.shape == (3, 4)
    assert [r.flop_cost for r in ctx.op_log[2:]] == [12, 12, 12]  # 3 x 4 outputs, by hand
    assert ctx.op_log[-1].shapes == ((3, 1), (1, 4)) and ctx.op_log[-1].output_shape == (3, 4)


def test_shapes_that_do_not_broadcast_raise_numpys_error_every_time_without_a_charge():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        a = fnp.multiply(np.ones(3), 1)
        b = fnp.multiply(np.ones(4), 1)
        used = ctx.flops_used
        for _ in range(2):  # a failure is not learned
            with pytest.raises(ValueError, match="broadcast"):
                a + b
        assert ctx.flops_used == used and len(ctx.op_log) == 2


def test_a_refused_dtype_is_refused_on_every_call():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        strings = fnp.asarray(np.array(["a", "b"]))
        for _ in range(2):
            with pytest.raises(TypeError):
                fnp.add(strings, strings)
    assert ctx.flops_used == 0


def test_out_targets_and_assigned_arrays_take_the_fast_path_afterwards():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        x = fnp.multiply(np.arange(6.0), 1)
        view = x[1:4]  # a NumPy-made view: no slots of its own
        fnp.add(view, 1.0, out=view)  # now it holds what that call produced
        y = view * 2
        fnp.exp(x, out=x)
        z = x + 0.0
    expect = np.arange(6.0)
    expect[1:4] += 1.0
    np.testing.assert_array_equal(y, expect[1:4] * 2)
    np.testing.assert_array_equal(z, np.exp(expect))
    log = ctx.op_log
    assert log[2].inputs == (log[1].node_id,)  # y's edge: from the out= call
    assert log[4].inputs == (log[3].node_id,) and log[4].shapes == ((6,), ())


# -- the fast path of shape-only entries (einsum, dot, where...) ----------------------------


def test_a_gram_matrix_is_discounted_on_every_call_not_only_the_first():
    # x with itself: 100 * (100 * 101 / 2) = 505,000 unique products; x with a copy of
    # itself: the full 100^3 = 1,000,000. Same layouts, so only identity tells them apart.
    x = fnp.multiply(np.ones((100, 100)), 1)
    other = fnp.multiply(np.ones((100, 100)), 1)
    for _ in range(3):
        assert _charge(lambda: fnp.einsum("ij,ik->jk", x, x)) == 505_000
        assert _charge(lambda: fnp.einsum("ij,ik->jk", x, other)) == 1_000_000


@pytest.mark.parametrize("order", [(0, 1, 0), (1, 0, 0), (0, 0, 1)])
def test_an_operand_given_twice_among_three_is_discounted_on_every_call(order):
    # i,j,k->ijk on length-4 vectors, contracted pairwise: i,j->ij (16 products),
    # then ij,k->ijk (64): 80 with distinct operands. The same vector at two
    # positions makes those two indices symmetric, so only unordered pairs are
    # computed: (0,1,0) and (1,0,0) give 16 + 4 * 10 = 56 (the second product is
    # symmetric); (0,0,1) gives 10 + 10 * 4 = 50 (already the first is).
    v, w = fnp.asarray(np.arange(4.0)), fnp.asarray(np.arange(4.0) + 1)
    v_copy = fnp.asarray(np.arange(4.0))
    operands = [(v, w)[i] for i in order]
    distinct = [v if i == 0 and n == order.index(0) else (v_copy if i == 0 else w)
                for n, i in enumerate(order)]
    expected = 50 if order == (0, 0, 1) else 56
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        charges = []
        for _ in range(4):
            before = ctx.flops_used
            fnp.einsum("i,j,k->ijk", *operands)
            charges.append(ctx.flops_used - before)
        before = ctx.flops_used
        fnp.einsum("i,j,k->ijk", *distinct)
        plain = ctx.flops_used - before
    assert plain == 80
    assert charges == [expected] * 4


def test_a_repeated_operand_keeps_its_discount_with_the_packaged_weights():
    # As users run it: the weight scales both charges alike, so every repeated
    # call costs 56/80 of the distinct one (see the test above for 56 and 80).
    _weights.load_weights()
    v, w = fnp.asarray(np.arange(4.0)), fnp.asarray(np.arange(4.0) + 1)
    v_copy = fnp.asarray(np.arange(4.0))
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        for _ in range(3):
            fnp.einsum("i,j,k->ijk", v, w, v)
        fnp.einsum("i,j,k->ijk", v, w, v_copy)
    *repeated, distinct = [Fraction(r.flop_cost) for r in ctx.op_log]
    assert [r.analytical_cost for r in ctx.op_log] == [56, 56, 56, 80]
    assert repeated == [distinct * Fraction(56, 80)] * 3


def test_repeated_where_calls_follow_numpys_result_type_for_each_scalar_kind():
    c = fnp.multiply(np.array([True, False, True]), 1) > 0
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        results = [fnp.where(c, 1, 0), fnp.where(c, 1.0, 0), fnp.where(c, True, False),
                   fnp.where(c, 1, 0)]
    expected = [np.where([True, False, True], *pair)
                for pair in [(1, 0), (1.0, 0), (True, False), (1, 0)]]
    for got, want in zip(results, expected):
        assert got.dtype == want.dtype and type(got) is fnp.ndarray
        np.testing.assert_array_equal(got, want)
    assert [r.flop_cost for r in ctx.op_log] == [3, 3, 3, 3]  # one selection per element


def test_subscripts_with_the_same_layouts_keep_their_own_weights():
    # 'ij,ij->ij' sums nothing: multiply's weight; 'ij,ij->' sums: einsum's (2 x 3 points).
    _weights.ACTIVE_WEIGHTS.update({"multiply": 2.0, "einsum": 0.5})
    a, b = fnp.ones((2, 3)), fnp.ones((2, 3))
    for _ in range(2):
        assert _charge(lambda: fnp.einsum("ij,ij->ij", a, b)) == 6 * 2
        assert _charge(lambda: fnp.einsum("ij,ij->", a, b)) == 6 * 0.5


def test_views_as_contraction_operands_keep_their_producer_and_numpys_values():
    m_np = np.arange(12.0).reshape(3, 4)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        m = fnp.multiply(m_np, 1)
        v = fnp.multiply(np.arange(3.0), 1)
        for _ in range(2):
            r = fnp.dot(m.T, v)  # m.T: a view NumPy made, no slots of its own
    np.testing.assert_array_equal(r, m_np.T @ np.arange(3.0))
    log = ctx.op_log
    assert log[-1].inputs == (log[0].node_id, log[1].node_id)
    assert log[-1].shapes == ((4, 3), (3,)) and log[-1].flop_cost == 12  # 4 x 3 products


def test_a_positional_out_is_still_written_counted_and_linked():
    a, b = np.arange(4.0).reshape(2, 2), np.eye(2)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        fa, fb = fnp.multiply(a, 1), fnp.multiply(b, 1)
        out = fnp.zeros((2, 2))
        for _ in range(2):
            r = fnp.dot(fa, fb, out)
    assert r is out
    np.testing.assert_array_equal(out, a @ b)
    assert [rec.flop_cost for rec in ctx.op_log[-2:]] == [8, 8]  # 2 x 2 x 2 products


def test_a_contraction_over_refused_data_is_refused_on_every_call_without_a_charge():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        c = fnp.multiply(np.array([True, False]), 1) > 0
        strings = fnp.asarray(np.array(["a", "b"]))
        used = ctx.flops_used
        for _ in range(2):
            with pytest.raises(TypeError):
                fnp.where(c, strings, strings)
        assert ctx.flops_used == used and len(ctx.op_log) == 2


def test_contraction_dtypes_are_learned_per_layout():
    a64 = fnp.ones((2, 2))
    a32 = fnp.ones((2, 2), dtype=np.float32)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        r64 = fnp.einsum("ij,jk->ik", a64, a64.copy())
        r32 = fnp.einsum("ij,jk->ik", a32, a32.copy())
    assert (r64.dtype, r32.dtype) == (np.float64, np.float32)
    einsums = [r for r in ctx.op_log if r.op_name == "einsum"]
    assert [r.dtypes for r in einsums] == [(np.dtype("float64"),) * 2, (np.dtype("float32"),) * 2]


# -- arrays NumPy makes: views and copies -----------------------------------------------------


@pytest.mark.parametrize("make", [lambda x: x.T, lambda x: x[1:], lambda x: x.reshape(3, 2),
                                  lambda x: x[::2, None]])
def test_views_numpy_makes_are_charged_and_linked_to_their_base(make):
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        x = fnp.multiply(np.arange(6.0).reshape(2, 3), 1)
        view = make(x)
        for _ in range(2):  # the second call from the tables the first one filled
            r = fnp.exp(view)
            s = view + view
            t = fnp.where(view, view, view)
    expected = make(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(r, np.exp(expected))
    np.testing.assert_array_equal(s, expected + expected)
    np.testing.assert_array_equal(t, expected)
    producer = ctx.op_log[0].node_id
    # one edge per array operand: exp(view), view + view, where(view, view, view)
    assert [rec.inputs for rec in ctx.op_log[1:]] == [(producer,) * n for n in (1, 2, 3)] * 2
    assert [rec.flop_cost for rec in ctx.op_log[1:4]] == [expected.size] * 3


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy,
                                  lambda x: pickle.loads(pickle.dumps(x))])
def test_copies_numpy_makes_are_charged_with_no_producer(make):
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        x = fnp.multiply(np.arange(4.0), 1)
        clone = make(x)
        r = clone * 2.0
    assert type(clone) is fnp.ndarray and type(r) is fnp.ndarray
    np.testing.assert_array_equal(r, np.arange(4.0) * 2.0)
    assert ctx.op_log[-1].inputs == () and ctx.op_log[-1].flop_cost == 4


def test_a_view_follows_its_base_to_the_call_that_last_wrote_it():
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        F = fnp.multiply(np.eye(3), 1)
        T = F.T  # made before the write below
        F += 1.0
        r = T @ F
    np.testing.assert_array_equal(r, (np.eye(3) + 1).T @ (np.eye(3) + 1))
    write = ctx.op_log[1].node_id
    assert ctx.op_log[-1].inputs == (write, write)


def test_sorting_and_searching_calls_are_charged_by_hand_on_every_repetition():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((4, 8))
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        x = fnp.multiply(data, 1)
        edges = fnp.multiply(np.sort(data[0]), 1)
        for _ in range(2):
            by_row = fnp.sort(x)            # 4 rows of 8: 4 * 8 * ceil(log2 8) = 96
            by_column = fnp.sort(x, 0)      # 8 columns of 4: 8 * 4 * 2 = 64
            flat = fnp.argsort(x, None)     # 32 keys: 32 * 5 = 160
            where = fnp.searchsorted(edges, x[1, :3])  # 3 queries into 8: 3 * ceil(log2 9) = 12
            hits = fnp.nonzero(x > 0)       # one test per element: 32 (after 32 for >)
    np.testing.assert_array_equal(by_row, np.sort(data))
    np.testing.assert_array_equal(by_column, np.sort(data, 0))
    np.testing.assert_array_equal(flat, np.argsort(data, None))
    np.testing.assert_array_equal(where, np.searchsorted(np.sort(data[0]), data[1, :3]))
    for got, want in zip(hits, np.nonzero(data > 0)):
        np.testing.assert_array_equal(got, want)
    costs = [(r.op_name, r.flop_cost) for r in ctx.op_log[2:]]
    assert costs == [("sort", 96), ("sort", 64), ("argsort", 160), ("searchsorted", 12),
                     ("greater", 32), ("nonzero", 32)] * 2


@pytest.mark.parametrize("call", [lambda m: fnp.einsum("ij->ji", m),
                                  lambda m: fnp.einsum("ii->i", m),
                                  lambda m: fnp.linalg.matrix_power(m, 1),
                                  lambda m: fnp.trim_zeros(m[0])],
                         ids=["einsum-transpose", "einsum-diagonal", "matrix_power-1",
                              "trim_zeros"])
def test_a_view_of_a_read_only_array_stays_read_only_like_numpys(call):
    # These calls return views of their argument (NumPy's results share its memory
    # and keep its read-only flag); found by checking every shape-only entry.
    plain = np.arange(1.0, 10.0).reshape(3, 3)
    plain.flags.writeable = False
    with flops.BudgetContext(flop_budget=10**6, quiet=True):
        x = fnp.multiply(np.arange(1.0, 10.0).reshape(3, 3), 1)
        x.flags.writeable = False
        for _ in range(2):  # the table of known calls is filled, then used
            r = call(x)
            assert np.shares_memory(r, x) and not r.flags.writeable
            with pytest.raises(ValueError, match="read-only"):
                r[0] = 1.0
    np.testing.assert_array_equal(x, plain)


def test_reductions_with_positional_arguments_are_charged_and_recorded_like_keywords():
    data = np.arange(12.0).reshape(3, 4)
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        m = fnp.multiply(data, 1)
        out = fnp.zeros(4)
        for _ in range(2):
            by_position = fnp.sum(m, 0)
            by_keyword = fnp.sum(m, axis=0)
            both = m.mean((0, 1))
            into = fnp.sum(m, 0, None, out)  # out= by position: NumPy writes it
    np.testing.assert_array_equal(by_position, data.sum(0))
    np.testing.assert_array_equal(by_keyword, data.sum(axis=0))
    assert float(both) == data.mean((0, 1)) and into is out
    np.testing.assert_array_equal(out, data.sum(0))
    log = ctx.op_log[1:]
    assert [r.flop_cost for r in log] == [12] * 8  # numel(input), whatever the axis
    assert [r.params for r in log[:3]] == [{"args": (0,)}, {"axis": 0}, {"args": ((0, 1),)}]
    assert {r.inputs for r in log} == {(ctx.op_log[0].node_id,)}


def test_rows_with_parameters_are_left_to_the_collector_to_untrack():
    # A row that holds a dict is tracked by the cyclic collector for as long as it
    # lives (CPython untracks a tuple only if nothing in it is a container other
    # than an untracked tuple), so long logs of einsums or keyword reductions made
    # every full collection walk them. Parameters are stored as tuples of pairs.
    import gc

    m = fnp.multiply(np.ones((4, 4)), 1)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.einsum("ij,j->i", m, m[0])
        fnp.mean(m, axis=0)
        fnp.sum(m, 1)
        fnp.add(m, m, casting="same_kind")
        ctx.deduct("custom", flop_cost=10, subscripts="ij->i")
        for _ in range(4):  # a tuple is untracked once its own tuples are
            gc.collect()
        rows = list(ctx._rows)
    assert [dict(r[5]) for r in rows] == [{"subscripts": "ij,j->i"}, {"axis": 0}, {"args": (1,)},
                                         {"casting": "same_kind"}, {"subscripts": "ij->i"}]
    assert not any(gc.is_tracked(r) for r in rows)
    # records still get plain dicts
    assert ctx.op_log[1].params == {"axis": 0} and type(ctx.op_log[1].params) is dict
