"""SymmetricTensor, declared symmetry, symmetric costs and the propagation rules."""

from __future__ import annotations

import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.errors import ConcretizationError, SymmetryError, SymmetryLossWarning, UnsupportedDtypeError
from flopscope.exec.abstract import AbstractArray
from flopscope.registry import lookup
from flopscope.symmetry import (
    SymmetricTensor,
    SymmetryGroup,
    as_symmetric,
    is_symmetric,
    parse_symmetry,
    symmetrize,
    symmetry_pass,
)

RNG = np.random.default_rng(1234)


def sym_matrix(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n))
    return a + a.T


def sym3(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n, n))
    return sum(a.transpose(p) for p in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)])


def last(budget: flops.BudgetContext):
    return budget.op_log[-1]


@pytest.fixture
def no_loss_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SymmetryLossWarning)
        yield


# -- groups and shorthands ---------------------------------------------------------------------


def test_symmetry_group_forms_and_canonical_order():
    assert SymmetryGroup(0, 1) == SymmetryGroup((0, 1)) == SymmetryGroup(1, 0)
    assert str(SymmetryGroup(2, 0, 1)) == "S3{0,1,2}"
    block = SymmetryGroup((3, 2), (1, 0))
    assert block == SymmetryGroup((0, 1), (2, 3))
    assert block.blocks == ((0, 1), (2, 3))
    assert str(block) == "S2{(0,1),(2,3)}" and repr(block) == "SymmetryGroup((0, 1), (2, 3))"
    assert (block.degree, block.block_size, block.order) == (2, 2, 2)
    assert hash(SymmetryGroup(0, 1)) == hash(SymmetryGroup(1, 0))
    assert SymmetryGroup(0, 1, 2).describe("ijk") == "S3{i,j,k}"
    with pytest.raises(AttributeError):
        block.blocks = ()  # type: ignore[misc]


@pytest.mark.parametrize("bad, error", [
    ((0,), ValueError), ((0, (1, 2)), TypeError), (((0, 1), (2,)), ValueError),
    ((0, 0), ValueError), ((0.5, 1), TypeError), ((True, 1), TypeError),
])
def test_symmetry_group_rejects_malformed_groups(bad, error):
    with pytest.raises(error):
        SymmetryGroup(*bad)


def test_shorthands_tuple_is_one_group_list_is_several():
    assert parse_symmetry((0, 1), (3, 3)) == (SymmetryGroup(0, 1),)
    assert parse_symmetry([0, 1], (3, 3)) == (SymmetryGroup(0, 1),)
    assert parse_symmetry((0, 1, 2), (3, 3, 3)) == (SymmetryGroup(0, 1, 2),)
    assert parse_symmetry([(0, 1), (2, 3)], (3, 3, 4, 4)) == (SymmetryGroup(0, 1), SymmetryGroup(2, 3))
    assert parse_symmetry(((0, 1), (2, 3)), (3, 4, 3, 4)) == (SymmetryGroup((0, 1), (2, 3)),)
    assert parse_symmetry([((0, 1), (2, 3))], (3, 4, 3, 4)) == (SymmetryGroup((0, 1), (2, 3)),)
    assert parse_symmetry(SymmetryGroup(-1, -2), (2, 3, 3)) == (SymmetryGroup(1, 2),)
    # overlapping full symmetries generate the full group on their union
    assert parse_symmetry([(0, 1), (1, 2)], (3, 3, 3)) == (SymmetryGroup(0, 1, 2),)


def test_shorthand_errors_name_the_problem():
    with pytest.raises(np.exceptions.AxisError):
        parse_symmetry((0, 2), (3, 3))
    with pytest.raises(SymmetryError, match="axis 0 has length 3, axis 1 has length 4"):
        parse_symmetry((0, 1), (3, 4))
    with pytest.raises(ValueError, match="block symmetry cannot overlap"):
        parse_symmetry([((0, 1), (2, 3)), (1, 3)], (3, 3, 3, 3))
    with pytest.raises(TypeError):
        parse_symmetry("01", (3, 3))


# -- as_symmetric: validation ----------------------------------------------------------------------


def test_as_symmetric_is_a_validated_view():
    a = sym_matrix(5)
    s = as_symmetric(a, (0, 1))
    assert isinstance(s, SymmetricTensor) and isinstance(s, fnp.ndarray)
    assert np.shares_memory(s, a)
    assert s.symmetry == (SymmetryGroup(0, 1),)
    assert s.unique_elements == 15
    assert as_symmetric(a).symmetry == (SymmetryGroup(0, 1),)  # default: every axis
    assert as_symmetric([[1, 2], [2, 1]]).dtype.kind == "i"


def test_as_symmetric_refuses_asymmetric_data_naming_where_not_how_much():
    a = sym_matrix(4)
    a[1, 3] += 0.25
    with pytest.raises(SymmetryError) as info:
        as_symmetric(a, (0, 1))
    message = str(info.value)
    assert "S2{0,1}" in message and "swapping axes 0 and 1" in message
    assert "x[1, 3]" in message and "x[3, 1]" in message
    # neither the values nor their difference: a free oracle on the data otherwise
    assert "0.25" not in message and repr(float(a[1, 3]))[:6] not in message
    assert isinstance(info.value, ValueError)


def test_as_symmetric_checks_every_group_and_block_symmetries():
    t = sym3(4)
    as_symmetric(t, (0, 1, 2))
    broken = t.copy()
    broken[0, 1, 2] += 1.0  # [0, 2, 1] and the other reorderings keep the old value
    with pytest.raises(SymmetryError):
        as_symmetric(broken, (0, 1, 2))
    # T[i,j,k,l] = A[i,j] B[k,l] + B[i,j] A[k,l] is block symmetric but not symmetric in (0, 2)
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    block = np.einsum("ij,kl->ijkl", a, b) + np.einsum("ij,kl->ijkl", b, a)
    assert as_symmetric(block, ((0, 1), (2, 3))).symmetry == (SymmetryGroup((0, 1), (2, 3)),)
    with pytest.raises(SymmetryError, match="swapping axes"):
        as_symmetric(block, [(0, 2)])


def test_tolerance_depends_on_dtype():
    a = sym_matrix(6)
    a[0, 1] += 1e-12 * np.abs(a).max()  # rounding-level asymmetry in float64
    as_symmetric(a)
    a[0, 1] += 1e-6 * np.abs(a).max()
    with pytest.raises(SymmetryError, match=r"atol \+ rtol"):
        as_symmetric(a)
    with pytest.raises(ValueError, match="rtol"):
        as_symmetric(a, rtol=1e-4)  # looser than sqrt(eps): refused
    f32 = sym_matrix(6).astype(np.float32)
    f32[0, 1] *= 1 + 1e-5  # float32 arithmetic noise
    as_symmetric(f32)
    ints = np.array([[1, 2], [3, 1]])
    with pytest.raises(SymmetryError, match="must match exactly"):
        as_symmetric(ints)


def test_nan_matches_only_nan():
    a = sym_matrix(3)
    a[0, 2] = a[2, 0] = np.nan
    as_symmetric(a)
    a[2, 0] = 1.0
    with pytest.raises(SymmetryError):
        as_symmetric(a)


def test_as_symmetric_refuses_object_data():
    with pytest.raises(UnsupportedDtypeError):
        as_symmetric(np.array([[1, 2], [2, 1]], dtype=object))


# -- costs from unique elements -------------------------------------------------------------------


def test_gram_matrix_with_the_same_object_twice_costs_505_000(budget):
    x = fnp.ones((100, 100))
    r = fnp.einsum("ij,ik->jk", x, x)
    assert budget.flops_used == 100 * 5050 == 505_000
    assert isinstance(r, SymmetricTensor) and r.symmetry == (SymmetryGroup(0, 1),)
    np.testing.assert_array_equal(np.asarray(r), np.full((100, 100), 100.0))
    record = last(budget)
    assert record.analytical_cost == 505_000
    assert record.tags["symmetry"] == "S2{j,k}" and record.tags["symmetry_saving"] == 495_000


def test_distinct_objects_are_not_equal_operands(budget):
    x = fnp.ones((100, 100))
    r = fnp.einsum("ij,ik->jk", x, x.copy())
    assert budget.flops_used == 1_000_000 and type(r) is fnp.ndarray
    assert last(budget).tags == {}


def test_budget_is_checked_against_the_symmetric_cost():
    x = fnp.ones((100, 100))
    with flops.BudgetContext(flop_budget=505_000, quiet=True) as b:
        fnp.einsum("ij,ik->jk", x, x)
        assert b.flops_remaining == 0
    with flops.BudgetContext(flop_budget=504_999, quiet=True) as b:
        with pytest.raises(flops.BudgetExhaustedError):
            fnp.einsum("ij,ik->jk", x, x)
        assert b.flops_used == 0


def test_weights_apply_to_the_symmetric_cost(tmp_path):
    from flopscope._weights import load_weights

    table = tmp_path / "w.json"
    table.write_text('{"weights": {"einsum": 2.0}}')
    load_weights(table)
    x = fnp.ones((10, 10))
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as b:
        fnp.einsum("ij,ik->jk", x, x)
    assert (last(b).analytical_cost, last(b).flop_cost) == (550, 1100)


def test_pointwise_costs_unique_elements_of_the_output(budget, no_loss_warnings):
    n = 40
    s = as_symmetric(sym_matrix(n))
    e = fnp.exp(s)
    assert last(budget).flop_cost == n * (n + 1) // 2
    assert isinstance(e, SymmetricTensor) and e.symmetry == s.symmetry
    np.testing.assert_allclose(np.asarray(e), np.exp(np.asarray(s)))
    for result in (s + s, s * 2.0, 1.0 - s, fnp.maximum(s, 0), -s, abs(s), s ** 2):
        assert last(budget).flop_cost == n * (n + 1) // 2
        assert isinstance(result, SymmetricTensor)
    t = as_symmetric(sym3(6))
    fnp.sin(t)
    assert last(budget).flop_cost == math.comb(6 + 2, 3)
    # broadcasting a vector along a new leading axis keeps the symmetric block
    batch = fnp.ones((3, 1, 1)) * s
    assert batch.symmetry == (SymmetryGroup(1, 2),)
    assert last(budget).flop_cost == 3 * n * (n + 1) // 2


def test_binary_ops_intersect_groups(budget):
    t = as_symmetric(sym3(5))
    u = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(5), np.ones(5)), (0, 1))  # S2 in (0,1) only
    with pytest.warns(SymmetryLossWarning, match=r"multiply dropped the symmetry S3\{0,1,2\}"):
        r = t * u
    assert r.symmetry == (SymmetryGroup(0, 1),)
    assert last(budget).flop_cost == 15 * 5
    plain = np.arange(25.0).reshape(5, 5)
    s = as_symmetric(sym_matrix(5))
    with pytest.warns(SymmetryLossWarning, match="operand 1 is not symmetric in axes 0, 1"):
        q = s + plain
    assert type(q) is fnp.ndarray and last(budget).flop_cost == 25
    with pytest.warns(SymmetryLossWarning):
        s * np.arange(5.0)  # varies along axis 1 only: breaks the exchange


def test_symmetry_warnings_can_be_switched_off(budget):
    s = as_symmetric(sym_matrix(4))
    previous = flops.configure(symmetry_warnings=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s + np.arange(16.0).reshape(4, 4)
            s[0:2, 1:3]
    finally:
        flops.configure(**previous)


def test_loss_warnings_point_at_the_users_line(budget):
    s = as_symmetric(sym_matrix(4))
    with pytest.warns(SymmetryLossWarning) as caught:
        s + np.arange(16.0).reshape(4, 4)
    assert caught[0].filename == __file__


def test_reductions_use_orbit_counts(budget, no_loss_warnings):
    n, m = 30, 7
    s = as_symmetric(sym_matrix(n))
    total = s.sum()
    assert last(budget).flop_cost == n * (n + 1) // 2
    assert np.isclose(total, np.asarray(s).sum())
    fnp.max(s)
    assert last(budget).flop_cost == n * (n + 1) // 2
    rows = fnp.sum(s, axis=0)  # every row needs all n entries: no saving, no symmetry
    assert last(budget).flop_cost == n * n and type(rows) is fnp.ndarray
    t = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(n), np.arange(1.0, m + 1)), (0, 1))
    r = t.mean(axis=2)
    assert last(budget).flop_cost == n * (n + 1) // 2 * m
    assert isinstance(r, SymmetricTensor) and r.symmetry == (SymmetryGroup(0, 1),)
    k = fnp.sum(t, axis=2, keepdims=True)
    assert k.shape == (n, n, 1) and k.symmetry == (SymmetryGroup(0, 1),)
    u = as_symmetric(sym3(6))
    v = fnp.sum(u, axis=0)  # S3 minus a reduced axis: the other two stay exchangeable
    assert v.symmetry == (SymmetryGroup(0, 1),)
    assert last(budget).flop_cost == 6 * 21
    np.add.reduce(u, axis=1)
    assert last(budget).flop_cost == 6 * 21


def test_reduction_with_where_mask_is_dense(budget):
    s = as_symmetric(sym_matrix(5))
    mask = np.tril(np.ones((5, 5), bool))
    r = fnp.sum(s, where=mask)
    assert last(budget).flop_cost == 25 and np.isclose(r, np.asarray(s)[mask].sum())


def test_cumulative_ops_keep_groups_not_containing_the_axis(budget):
    n, m = 5, 4
    t = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(n), np.ones(m)), (0, 1))
    c = fnp.cumsum(t, axis=2)
    assert c.symmetry == (SymmetryGroup(0, 1),) and last(budget).flop_cost == 15 * m
    with pytest.warns(SymmetryLossWarning, match="scan runs along axis 0"):
        d = fnp.cumsum(t, axis=0)
    assert type(d) is fnp.ndarray and last(budget).flop_cost == n * n * m


def test_matmul_family_uses_the_equivalent_einsum(budget):
    n = 12
    s = as_symmetric(sym_matrix(n))
    sq = s @ s  # S S is symmetric, and the summand only needs i <= k
    assert isinstance(sq, SymmetricTensor)
    assert last(budget).flop_cost == n * n * (n + 1) // 2
    np.testing.assert_allclose(np.asarray(sq), np.asarray(s) @ np.asarray(s))
    v = fnp.ones(n)
    s @ v
    assert last(budget).flop_cost == n * n
    fnp.dot(s, s)
    assert last(budget).flop_cost == n * n * (n + 1) // 2
    fnp.tensordot(s, s, axes=([1], [0]))
    assert last(budget).flop_cost == n * n * (n + 1) // 2


def test_triple_product_is_fully_symmetric(budget):
    m, n = 9, 6
    x = fnp.asarray(RNG.standard_normal((m, n)))
    t = fnp.einsum("ia,ib,ic->abc", x, x, x)
    assert t.symmetry == (SymmetryGroup(0, 1, 2),)
    assert last(budget).flop_cost == m * n * (n + 1) // 2 + m * math.comb(n + 2, 3)
    xa = np.asarray(x)
    np.testing.assert_allclose(np.asarray(t), np.einsum("ia,ib,ic->abc", xa, xa, xa))


def test_equal_operands_with_several_free_indices_give_block_symmetry(budget):
    x = fnp.asarray(RNG.standard_normal((3, 4, 5)))
    g = fnp.einsum("ija,kla->ijkl", x, x)
    assert g.symmetry == (SymmetryGroup((0, 1), (2, 3)),)
    assert last(budget).flop_cost == math.comb(12 + 1, 2) * 5


def test_declared_symmetry_of_einsum_operands(budget):
    n = 10
    s = as_symmetric(sym_matrix(n))
    v = fnp.ones(n)
    fnp.einsum("ij,j->i", s, v)  # contracted against a vector: nothing to exploit
    assert last(budget).flop_cost == n * n
    fnp.einsum("ij->", s)
    assert last(budget).flop_cost == n * (n + 1) // 2
    o = fnp.einsum("ij,k->ijk", s, v)
    assert o.symmetry == (SymmetryGroup(0, 1),) and last(budget).flop_cost == n * (n + 1) // 2 * n
    with pytest.warns(SymmetryLossWarning, match="operand 0"):
        fnp.einsum("ij,i->ij", s, v)


def test_plain_calls_are_untouched(budget):
    x = fnp.ones((5, 5))
    r = fnp.exp(x) + x
    assert type(r) is fnp.ndarray
    assert all(rec.tags == {} for rec in budget.op_log)


# -- propagation through views ------------------------------------------------------------------------


def test_transposes_keep_symmetry(no_loss_warnings):
    t = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(4), np.ones(3)), (0, 1))
    assert t.T.symmetry == (SymmetryGroup(1, 2),)
    assert t.transpose(2, 0, 1).symmetry == (SymmetryGroup(1, 2),)
    assert t.transpose((0, 2, 1)).symmetry == (SymmetryGroup(0, 2),)
    assert t.swapaxes(0, 2).symmetry == (SymmetryGroup(1, 2),)
    assert t.mT.symmetry == (SymmetryGroup(0, 2),)


def test_reshape_keeps_an_untouched_block():
    t = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(4), np.ones(6)), (0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SymmetryLossWarning)
        assert t.reshape(4, 4, 2, 3).symmetry == (SymmetryGroup(0, 1),)
        assert t.reshape(1, 4, 4, 6).symmetry == (SymmetryGroup(1, 2),)
        assert t[None].squeeze().symmetry == (SymmetryGroup(0, 1),)
    with pytest.warns(SymmetryLossWarning, match="merges or splits axes 0, 1"):
        flat = t.reshape(16, 6)
    assert type(flat) is fnp.ndarray
    with pytest.warns(SymmetryLossWarning):
        t.ravel()


def test_slicing_that_keeps_the_block(no_loss_warnings):
    s = as_symmetric(sym_matrix(6))
    assert s[1:4, 1:4].symmetry == (SymmetryGroup(0, 1),)
    assert s[::-1, ::-1].symmetry == (SymmetryGroup(0, 1),)
    assert s[..., None].symmetry == (SymmetryGroup(0, 1),)
    assert type(s[2]) is fnp.ndarray  # one exchanged axis left: nothing to carry
    assert isinstance(s[2, 3], float)
    t = as_symmetric(sym3(5))
    assert t[0].symmetry == (SymmetryGroup(0, 1),)
    assert t[1:3, 1:3, 1:3].symmetry == (SymmetryGroup(0, 1, 2),)
    b = as_symmetric(np.ones((2, 3, 2, 3)), ((0, 1), (2, 3)))
    assert b[1, :, 1, :].symmetry == (SymmetryGroup(0, 1),)


def test_slicing_that_breaks_the_block_warns():
    s = as_symmetric(sym_matrix(6))
    with pytest.warns(SymmetryLossWarning, match="indexed differently"):
        r = s[0:2, 1:3]
    assert type(r) is fnp.ndarray
    with pytest.warns(SymmetryLossWarning, match="index array"):
        s[[0, 2, 1]]
    t = as_symmetric(sym3(5))
    with pytest.warns(SymmetryLossWarning, match="S3"):  # axis 0 no longer exchanges with 1, 2
        assert t[:, 1:3, 1:3].symmetry == (SymmetryGroup(1, 2),)


def test_views_and_copies(no_loss_warnings):
    s = as_symmetric(sym_matrix(5))
    assert s.view().symmetry == s.symmetry
    assert s.copy().symmetry == s.symmetry and not np.shares_memory(s.copy(), s)
    assert s.astype(np.float32).symmetry == s.symmetry
    assert copy.deepcopy(s).symmetry == s.symmetry
    assert not isinstance(np.empty_like(s), SymmetricTensor)  # new data: nothing to claim
    restored = pickle.loads(pickle.dumps(s))
    assert isinstance(restored, SymmetricTensor) and restored.symmetry == s.symmetry
    assert repr(s).startswith("SymmetricTensor([[") and repr(s).endswith("symmetry=S2{0,1})")


def test_any_write_voids_the_claim():
    s = as_symmetric(sym_matrix(4).copy())
    s[1:3, 1:3] = 0.0  # even a write that keeps the data symmetric: re-checking would be free
    assert s.symmetry == ()
    assert as_symmetric(s).symmetry == (SymmetryGroup(0, 1),)  # a new (charged) check restores it


def test_out_arguments_and_in_place_operators(budget):
    s = as_symmetric(sym_matrix(4).copy())
    fnp.exp(s, out=s)
    assert s.symmetry == (SymmetryGroup(0, 1),)
    s += 1.0
    assert s.symmetry == (SymmetryGroup(0, 1),)
    with pytest.warns(SymmetryLossWarning, match="out= array"):
        s += np.arange(16.0).reshape(4, 4)
    assert s.symmetry == ()
    t = as_symmetric(sym_matrix(4).copy())
    t.sort(axis=1)  # an in-place rewrite voids the claim
    assert t.symmetry == ()


# -- is_symmetric and symmetrize -------------------------------------------------------------------


def test_is_symmetric_is_a_counted_check(budget):
    n = 20
    assert is_symmetric(sym_matrix(n)) is True
    # |x| once per element (n^2), then 6 per exchanged pair (n(n-1)/2 pairs): 400 + 6 * 190
    assert (last(budget).op_name, last(budget).flop_cost) == ("is_symmetric", 1540)
    assert is_symmetric(RNG.standard_normal((n, n))) is False
    assert is_symmetric(np.ones((3, 4))) is False  # cannot be symmetric: not charged
    assert last(budget).op_name == "is_symmetric" and len(budget.op_log) == 2
    assert is_symmetric(np.arange(9).reshape(3, 3)) is False
    assert last(budget).flop_cost == 2 * 3  # exact data: compare and fold, 3 pairs
    assert is_symmetric(as_symmetric(sym3(4)))  # S3: two generators, (64 - 16) / 2 pairs each
    assert last(budget).flop_cost == 64 + 6 * 2 * (64 - 16) // 2  # 64 + 6 * 48 = 352


def test_symmetrize_averages_and_is_counted(budget):
    a = RNG.standard_normal((6, 6))
    s = symmetrize(a)
    assert isinstance(s, SymmetricTensor) and s.symmetry == (SymmetryGroup(0, 1),)
    np.testing.assert_allclose(np.asarray(s), (a + a.T) / 2)
    assert (last(budget).op_name, last(budget).flop_cost) == ("symmetrize", 36)
    t = symmetrize(RNG.standard_normal((4, 4, 4)), (0, 1, 2))
    assert is_symmetric(t, rtol=1e-12)
    i = symmetrize(np.arange(9).reshape(3, 3))
    assert i.dtype == np.float64 and i[0, 1] == 2.0


# -- tags, graphs and plans --------------------------------------------------------------------------


def test_records_and_graph_carry_symmetry_tags(budget):
    a = fnp.exp(fnp.asarray(sym_matrix(5)))  # a recorded producer
    s = as_symmetric(a)
    fnp.sin(s)
    record = last(budget)
    producer = budget.op_log[0].node_id
    assert record.tags["symmetry"] == "S2{0,1}"
    assert record.tags["symmetry_inputs"] == {producer: "S2{0,1}"}
    assert record.tags["symmetry_saving"] == 25 - 15
    from flopscope.symmetry import annotate_edges

    graph = annotate_edges(budget.graph)
    assert graph.nodes[record.node_id]["tags"]["symmetry"] == "S2{0,1}"
    assert graph.edges[producer, record.node_id]["symmetry"] == "S2{0,1}"


def test_the_pass_accepts_abstract_arrays():
    a = AbstractArray((8, 8), np.float64, src=(7,), tags={"symmetry": (SymmetryGroup(0, 1),)})
    cost, post, tags = symmetry_pass(lookup("exp"), (a,), {}, 64)
    assert cost == 36 and tags["symmetry"] == "S2{0,1}" and tags["symmetry_inputs"] == {7: "S2{0,1}"}
    out = post(AbstractArray((8, 8), np.float64))
    assert out.tags["symmetry"] == (SymmetryGroup(0, 1),)
    cost, post, _ = symmetry_pass(lookup("sum"), (a,), {"axis": None}, 64)
    assert cost == 36
    x = AbstractArray((10, 4))
    cost, post, tags = symmetry_pass(lookup("einsum"), ("ij,ik->jk", x, x), {}, 160)
    assert cost == 10 * 10 and post(AbstractArray((4, 4))).tags["symmetry"] == (SymmetryGroup(0, 1),)


def test_the_pass_handles_free_view_ops():
    s = as_symmetric(np.einsum("ij,k->ijk", sym_matrix(3), np.ones(2)), (0, 1))
    _, post, _ = symmetry_pass(lookup("transpose"), (s, (2, 0, 1)), {}, 0)
    assert post(fnp.transpose(np.asarray(s), (2, 0, 1))).symmetry == (SymmetryGroup(1, 2),)
    _, post, _ = symmetry_pass(lookup("moveaxis"), (s, 0, -1), {}, 0)
    assert post(fnp.moveaxis(np.asarray(s), 0, -1)).symmetry == (SymmetryGroup(0, 2),)
    _, post, _ = symmetry_pass(lookup("reshape"), (s, (3, 3, 2, 1)), {}, 0)
    assert post(fnp.reshape(np.asarray(s), (3, 3, 2, 1))).symmetry == (SymmetryGroup(0, 1),)
    _, post, _ = symmetry_pass(lookup("reshape"), (s, (9, 2)), {}, 0)
    with pytest.warns(SymmetryLossWarning):
        assert type(post(fnp.reshape(np.asarray(s), (9, 2)))) is fnp.ndarray
    _, post, _ = symmetry_pass(lookup("copy"), (s,), {}, 0)
    assert post(fnp.copy(np.asarray(s))).symmetry == s.symmetry


def test_planning_with_declared_symmetry():
    def f(x):
        s = as_symmetric(x, (0, 1))
        return symmetrize(x), s

    planned = flops.plan(f, (30, 30))
    # symmetrize (numel) + as_symmetric's check (numel + 6 pairs, 435 pairs), planned as in eager
    assert planned.analytical_flops == 900 + 900 + 6 * 435

    def branch(x):
        return x * 2 if is_symmetric(x) else x

    with pytest.raises(ConcretizationError):
        flops.plan(branch, (3, 3))


def test_view_rules_are_sound_on_random_views():
    """Whatever symmetry a view claims, its data has (random views of random symmetric data)."""
    from flopscope.symmetry.validate import first_violation

    rng = np.random.default_rng(8)
    base_specs = [((4, 4, 3), [(0, 1)]), ((3, 3, 3), [(0, 1, 2)]), ((2, 3, 2, 3), ((0, 1), (2, 3))),
                  ((3, 2, 3, 2), [(0, 2), (1, 3)])]
    claimed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SymmetryLossWarning)
        for trial in range(200):
            shape, spec = base_specs[trial % len(base_specs)]
            groups = parse_symmetry(spec, shape)
            from flopscope.symmetry.groups import symmetry_permutations

            raw = rng.standard_normal(shape)
            perms = list(symmetry_permutations(groups, len(shape)))
            data = sum(np.transpose(raw, np.argsort(p)) for p in perms) / len(perms)
            t = as_symmetric(data, spec)
            kind = trial % 4
            if kind == 0:
                view = t.transpose(tuple(rng.permutation(len(shape))))
            elif kind == 1:
                index = tuple(
                    rng.choice([slice(None), slice(0, 2), slice(1, None), slice(None, None, -1), 0, None])
                    for _ in range(len(shape))
                )
                view = t[index]
            elif kind == 2:
                size = int(np.prod(shape))
                options = [shape, (1, *shape), (*shape[:2], size // (shape[0] * shape[1])), (size,)]
                view = t.reshape(options[rng.integers(len(options))])
            else:
                view = t.reshape(shape, order="F").swapaxes(0, -1)
            for group in getattr(view, "symmetry", ()):
                assert first_violation(np.asarray(view), group) is None, (trial, group)
                claimed += 1
    assert claimed >= 100
