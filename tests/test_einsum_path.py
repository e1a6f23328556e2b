"""``fnp.einsum_path``: symmetry-aware paths, the per-step table, the 1-FLOP planning event."""

from __future__ import annotations

import math
import random

import numpy as np
import opt_einsum
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost.einsum import contraction_path, parse_einsum
from flopscope.symmetry import EinsumPathInfo, SymmetricTensor, SymmetryGroup, as_symmetric

RNG = np.random.default_rng(99)


def arr(*shape: int) -> fnp.ndarray:
    return fnp.asarray(RNG.standard_normal(shape))


def sym3(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n, n))
    return sum(a.transpose(p) for p in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)])


def test_returns_numpys_path_format_and_info(budget):
    a, b, c = arr(10, 20), arr(20, 30), arr(30, 40)
    path, info = fnp.einsum_path("ij,jk,kl->il", a, b, c)
    assert path == ["einsum_path", (0, 1), (0, 1)]
    assert isinstance(info, EinsumPathInfo)
    assert (info.optimized_cost, info.dense_cost, info.naive_cost) == (18_000, 18_000, 240_000)
    assert info.speedup == pytest.approx(240_000 / 18_000)
    plain = [np.asarray(x) for x in (a, b, c)]
    np.testing.assert_allclose(np.einsum("ij,jk,kl->il", *plain, optimize=path),
                               np.einsum("ij,jk,kl->il", *plain))


def test_executes_nothing_and_records_one_flop(budget):
    a, b, c = arr(10, 20), arr(20, 30), arr(30, 40)
    fnp.einsum_path("ij,jk,kl->il", a, b, c)
    assert budget.flops_used == 1
    assert [(r.op_name, r.flop_cost) for r in budget.op_log] == [("einsum_path", 1)]


def test_costs_match_what_einsum_charges(budget):
    x = arr(50, 50)
    for operands in [("ij,ik->jk", x, x), ("ij,jk,kl->il", x, x, x), ("ia,ib,ic->abc", x, x, x),
                     ("ij,jk->ik", x, arr(50, 7))]:
        _, info = fnp.einsum_path(*operands)
        before = budget.flops_used
        fnp.einsum(*operands)
        assert budget.flops_used - before == info.optimized_cost, operands[0]


def test_gram_matrix_table(budget):
    x = fnp.ones((100, 100))
    path, info = fnp.einsum_path("ij,ik->jk", x, x)
    assert path == ["einsum_path", (0, 1)]
    assert (info.optimized_cost, info.naive_cost, info.symmetry_saving) == (505_000, 1_000_000, 495_000)
    assert info.speedup == pytest.approx(1_000_000 / 505_000)
    assert info.output_symmetry == "S2{j,k}" and info.input_symmetry == "#1 is #0"
    (step,) = info.steps
    assert (step.dense_cost, step.cost, step.savings) == (1_000_000, 505_000, 495_000)
    table = str(info)
    for text in ("step", "subscripts", "shapes", "dense cost", "symmetric cost", "savings",
                 "ij,ik->jk", "(100,100),(100,100)", "1,000,000", "505,000", "49.5%",
                 "Speedup:               1.980x"):
        assert text in table, text


def test_seed_example_with_symmetric_core_and_one_factor_matrix(budget):
    n, r = 10, 6
    t = as_symmetric(sym3(n))
    a = arr(r, n)
    path, info = fnp.einsum_path("ijk,ai,bj,ck->abc", t, a, a, a)
    dense = contraction_path(parse_einsum("ijk,ai,bj,ck->abc", t, a, a, a), "auto")
    assert info.dense_cost == dense.cost == r * n**3 + r * r * n * n + r**3 * n
    assert info.optimized_cost < info.dense_cost
    assert info.output_symmetry == "S3{a,b,c}"
    assert [s.symmetry for s in info.steps][-1] == "S3{a,b,c}"
    # each step costs orbits: T x A keeps (j, k) symmetric, then (a, b) x c, then S3 outputs
    assert [s.cost for s in info.steps] == [
        r * n * (n + 1) // 2 * n,
        r * (r + 1) // 2 * n * n,
        math.comb(r + 2, 3) * n,
    ]
    before = budget.flops_used
    out = fnp.einsum("ijk,ai,bj,ck->abc", t, a, a, a)
    assert budget.flops_used - before == info.optimized_cost
    assert isinstance(out, SymmetricTensor) and out.symmetry == (SymmetryGroup(0, 1, 2),)


def test_strategies_and_explicit_paths_are_honoured(budget):
    a, b, c = arr(10, 20), arr(20, 30), arr(30, 40)
    explicit = ["einsum_path", (1, 2), (0, 1)]
    path, info = fnp.einsum_path("ij,jk,kl->il", a, b, c, optimize=explicit)
    assert path == explicit and info.optimized_cost == 20 * 30 * 40 + 10 * 20 * 40
    path, _ = fnp.einsum_path("ij,jk,kl->il", a, b, c, optimize="greedy")
    assert path[0] == "einsum_path"


def test_invalid_subscripts_raise_numpys_error_and_charge_nothing(budget):
    with pytest.raises(ValueError):
        fnp.einsum_path("ij,jk->ik", arr(2, 3), arr(4, 5))
    assert budget.flops_used == 0


def test_planning_records_the_event_and_sees_equal_operands():
    captured = {}

    def f(x):
        _, info = fnp.einsum_path("ij,ik->jk", x, x)
        captured["info"] = info
        return x

    planned = flops.plan(f, (100, 100))
    assert planned.analytical_flops == 1
    assert captured["info"].optimized_cost == 505_000


# -- never worse than opt_einsum's optimal dense path --------------------------------------------


def _random_expression(rng: random.Random):
    n_ops = rng.randint(3, 5)
    letters = "abcdef"
    sizes = {c: rng.choice([2, 3, 4, 5]) for c in letters}
    terms, kinds = [], []
    for _ in range(n_ops):
        # reuse an earlier operand (same object, same subscript length) now and then
        if kinds and rng.random() < 0.6:
            k = rng.randrange(len(kinds))
            length = len(terms[k])
            pool = [c for c in letters if sizes[c] == sizes[terms[k][0]]]
            if len(set(sizes[c] for c in terms[k])) == 1 and len(pool) >= length:
                terms.append("".join(rng.sample(pool, length)))
                kinds.append(kinds[k])
                continue
        length = rng.randint(1, 3)
        terms.append("".join(rng.sample(letters, length)))
        kinds.append(len(kinds))
    present = sorted(set("".join(terms)))
    out = "".join(rng.sample(present, rng.randint(0, min(3, len(present)))))
    return terms, out, kinds, sizes


def test_path_cost_never_exceeds_opt_einsums_optimal_dense_path():
    rng = random.Random(2024)
    checked = symmetric = 0
    while checked < 150:
        terms, out, kinds, sizes = _random_expression(rng)
        objects = {}
        operands = []
        for term, kind in zip(terms, kinds):
            if kind not in objects:
                shape = tuple(sizes[c] for c in term)
                data = np.ones(shape)
                declare = len(term) >= 2 and len(set(shape)) == 1 and rng.random() < 0.7
                objects[kind] = as_symmetric(data) if declare else data
            operands.append(objects[kind])
        subscripts = ",".join(terms) + "->" + out
        try:
            shapes = [tuple(sizes[c] for c in t) for t in terms]
            optimal, _ = opt_einsum.contract_path(subscripts, *shapes, shapes=True, optimize="optimal")
        except ValueError:
            continue
        spec = parse_einsum(subscripts, *operands)
        baseline = contraction_path(spec, tuple(tuple(p) for p in optimal)).cost  # dense, FMA = 1
        with flops.BudgetContext(flop_budget=10**12, quiet=True) as budget:
            _, info = fnp.einsum_path(subscripts, *operands)
        assert info.optimized_cost <= baseline, subscripts
        assert info.optimized_cost <= info.dense_cost  # per step, symmetry only saves
        assert info.optimized_cost <= contraction_path(spec).cost  # never above the plain charge
        assert budget.flops_used == 1
        symmetric += info.optimized_cost < info.dense_cost
        checked += 1
    assert symmetric >= 12  # the sample exercises symmetry, not only dense paths
