"""Accumulation costs: the README's figures, and every number reconciled with what is charged."""

from __future__ import annotations

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.exec.abstract import AbstractArray
from flopscope.symmetry import (
    AccumulationCost,
    SymmetryGroup,
    as_symmetric,
    einsum_accumulation_cost,
    reduction_accumulation_cost,
)

RNG = np.random.default_rng(3)


def test_readme_einsum_figure_counts_the_multiply_and_the_add():
    """README: ``einsum_accumulation_cost('ij,jk->ik', A, B).total`` prints 33,554,432.

    That figure counts each multiply-add as two operations (FMA = 2): 256^3
    multiplications plus 256^3 additions. SPEC.md charges FMA = 1, so the
    budget is charged ``fma_flops`` = 16,777,216, the same as
    ``flops.einsum_cost`` and ``fnp.einsum``.
    """
    a, b = np.zeros((256, 256)), np.zeros((256, 256))
    cost = einsum_accumulation_cost("ij,jk->ik", a, b)
    assert isinstance(cost, AccumulationCost)
    assert cost.total == 33_554_432 == 2 * 256**3
    assert cost.multiplications == cost.additions == 256**3
    assert cost.fma_flops == 16_777_216 == flops.einsum_cost("ij,jk->ik", shapes=[(256, 256)] * 2)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        fnp.einsum("ij,jk->ik", a, b)
    assert budget.flops_used == cost.fma_flops


def test_readme_reduction_figure_is_n_minus_one_additions():
    """README: ``reduction_accumulation_cost(A, op_factor=1).total`` prints 65,535.

    Folding 65,536 values into one takes 65,535 additions. The budget is
    charged ``fma_flops`` = numel = 65,536 (SPEC.md's reduction rule, one per
    element read): the additions plus the one output element.
    """
    a = np.zeros((256, 256))
    cost = reduction_accumulation_cost(a, op_factor=1)
    assert cost.total == 65_535
    assert (cost.additions, cost.output_elements, cost.multiplications) == (65_535, 1, 0)
    assert cost.fma_flops == 65_536 == cost.additions + cost.output_elements
    assert cost.fma_flops == flops.reduction_cost("sum", input_shape=(256, 256))
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        fnp.sum(a)
    assert budget.flops_used == cost.fma_flops


def test_op_factor_scales_the_total_only():
    a = np.zeros((16, 8))
    cost = reduction_accumulation_cost(a, axis=1, op_factor=3)
    assert (cost.output_elements, cost.additions) == (16, 16 * 7)
    assert cost.total == 3 * 16 * 7 and cost.fma_flops == 128
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="op_factor"):
            reduction_accumulation_cost(a, op_factor=bad)


def test_einsum_identities_hold_for_every_step():
    x, y = RNG.standard_normal((6, 7)), RNG.standard_normal((7, 8))
    for subscripts, operands in [("ij,jk->ik", (x, y)), ("ij->", (x,)), ("ij,jk,kl->il", (x, y, y.T)),
                                 ("i,j->ij", (x[0], y[0]))]:
        cost = einsum_accumulation_cost(subscripts, *operands)
        assert cost.fma_flops == cost.additions == sum(s.terms for s in cost.steps)
        assert cost.total == cost.multiplications + cost.additions
        assert cost.multiplications == sum(s.terms * (s.factors - 1) for s in cost.steps)
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
            fnp.einsum(subscripts, *operands)
        assert budget.flops_used == cost.fma_flops, subscripts


def test_equal_operands_and_declared_symmetry_reduce_the_count():
    x = np.ones((100, 100))
    gram = einsum_accumulation_cost("ij,ik->jk", x, x)
    assert (gram.fma_flops, gram.dense_fma_flops, gram.symmetry_saving) == (505_000, 1_000_000, 495_000)
    assert gram.output_elements == 5050 and gram.total == 2 * 505_000
    assert "S2{j,k}" in gram.symmetry
    s = as_symmetric(x)
    whole = reduction_accumulation_cost(s)
    assert (whole.terms, whole.additions, whole.fma_flops) == (5050, 5049, 5050)
    assert whole.symmetry_saving == 10_000 - 5050
    rows = reduction_accumulation_cost(s, axis=0)  # each column sum needs all n entries
    assert (rows.fma_flops, rows.output_elements, rows.additions) == (10_000, 100, 9_900)
    t = as_symmetric(np.ones((5, 5, 5)), (0, 1, 2))
    sliced = reduction_accumulation_cost(t, axis=2)  # result S2 in (0, 1): 15 outputs of 5 terms
    assert (sliced.terms, sliced.output_elements, sliced.additions) == (75, 15, 60)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        out = fnp.sum(t, axis=2)
    assert budget.flops_used == sliced.fma_flops and out.symmetry == (SymmetryGroup(0, 1),)


def test_nothing_runs_and_nothing_is_charged():
    x = fnp.ones((50, 50))
    with flops.BudgetContext(flop_budget=10, quiet=True) as budget:
        einsum_accumulation_cost("ij,jk,kl->il", x, x, x)
        reduction_accumulation_cost(x)
    assert budget.flops_used == 0 and budget.op_log == []
    abstract = AbstractArray((50, 50))
    assert einsum_accumulation_cost("ij,ik->jk", abstract, abstract).fma_flops == 50 * 1275


def test_the_printed_decomposition_names_every_number():
    text = str(einsum_accumulation_cost("ij,jk->ik", np.zeros((256, 256)), np.zeros((256, 256))))
    for part in ("multiplications", "16,777,216", "total", "33,554,432", "fma_flops", "FMA = 1"):
        assert part in text
    text = str(reduction_accumulation_cost(np.zeros((256, 256))))
    assert "65,535" in text and "65,536" in text and "additions + output elements" in text
