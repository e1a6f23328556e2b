"""The bounded symmetry search behind einsum costs (issue 12 item 5).

The search in ``flopscope.symmetry.contraction.label_group`` is cut off
after ``search_limit(n)`` candidates; a cut-off search falls back to the
identity, i.e. the dense cost for that step. Properties, over random
operand groups and repeated operands:

    full-search cost  <=  bounded cost  <=  dense cost

and the total number of candidates tried while costing one einsum stays
within ``SEARCH_BUDGET``. No timings are asserted (see
``benchmarks/symmetry_search.py`` for those).
"""

from __future__ import annotations

import string
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.cost import einsum as einsum_cost_module
from flopscope.cost.einsum import _parse_cached, contraction_path
from flopscope.errors import TimeExhaustedError
from flopscope.symmetry import SymmetryGroup, contraction
from flopscope.symmetry.contraction import EinsumSymmetry


def _clear_caches() -> None:
    for fn in (contraction.label_group, contraction.step_cost, contraction.output_symmetry,
               einsum_cost_module._symmetric_path_cached):
        fn.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_caches():
    _clear_caches()
    yield
    _clear_caches()


@st.composite
def symmetric_einsums(draw):
    """(spec, symmetry): 2-4 operands drawn from 1-3 arrays, each with random full-symmetry groups."""
    size = draw(st.sampled_from([2, 3]))
    letters = string.ascii_lowercase[:draw(st.integers(3, 7))]
    n_objects = draw(st.integers(1, 3))
    objects = []
    for _ in range(n_objects):
        ndim = draw(st.integers(1, min(4, len(letters))))
        axes = list(range(ndim))
        order = draw(st.permutations(axes))
        groups, start = [], 0
        while start < ndim:  # a random partition of the axes into runs; runs of 2+ are groups
            length = draw(st.integers(1, ndim - start))
            run = order[start:start + length]
            if len(run) >= 2:
                groups.append(SymmetryGroup(*run))
            start += length
        objects.append((ndim, tuple(sorted(groups, key=lambda g: g.axes))))
    n = draw(st.integers(2, 4))
    picks = [draw(st.integers(0, n_objects - 1)) for _ in range(n)]
    terms = []
    for obj in picks:
        ndim = objects[obj][0]
        terms.append("".join(draw(st.permutations(list(letters)))[:ndim]))
    used = sorted(set("".join(terms)))
    output = "".join(draw(st.permutations(used))[:draw(st.integers(0, min(3, len(used))))])
    subscripts = ",".join(terms) + "->" + output
    shapes = tuple((size,) * objects[obj][0] for obj in picks)
    first: dict[int, int] = {}
    classes = tuple(first.setdefault(obj, i) for i, obj in enumerate(picks))
    symmetry = EinsumSymmetry(classes, tuple(objects[obj][1] for obj in picks))
    return _parse_cached(subscripts, shapes), symmetry


def _cost(spec, symmetry, budget=None, least=None) -> int:
    _clear_caches()
    with pytest.MonkeyPatch.context() as m:
        if budget is not None:
            m.setattr(contraction, "SEARCH_BUDGET", budget)
        if least is not None:
            m.setattr(contraction, "MIN_SEARCH", least)
        cost = contraction_path(spec, "auto", symmetry).cost
    _clear_caches()
    return cost


@settings(max_examples=60, deadline=None)
@given(symmetric_einsums())
def test_bounded_cost_lies_between_the_full_search_and_dense(case):
    spec, symmetry = case
    dense = contraction_path(spec, "auto").cost
    bounded = _cost(spec, symmetry)
    full = _cost(spec, symmetry, budget=10**9)
    starved = _cost(spec, symmetry, budget=0, least=1)  # every search cut off
    assert full <= bounded <= dense
    assert full <= starved <= dense


def _count_candidates(monkeypatch) -> list[int]:
    """Make every candidate call _check_deadline, and count the calls."""
    calls = [0]
    real = contraction._check_deadline

    def counting(now: int) -> None:
        calls[0] += 1
        real(now)

    monkeypatch.setattr(contraction, "DEADLINE_EVERY", 1)
    monkeypatch.setattr(contraction, "_check_deadline", counting)
    return calls


@pytest.mark.parametrize("k", [6, 7, 8])
def test_two_fully_symmetric_operands_stay_within_the_budget(monkeypatch, k):
    """Issue 12: S7 x S7 took ~11 s and S8 x S8 673 s to cost; now bounded, never below the optimum."""
    letters = string.ascii_lowercase[:k]
    subscripts = f"{letters},{letters[::-1]}->{letters[:2]}"
    spec = _parse_cached(subscripts, ((2,) * k, (2,) * k))
    group = (SymmetryGroup(*range(k)),)
    symmetry = EinsumSymmetry((0, 1), (group, group))
    calls = _count_candidates(monkeypatch)
    cost = contraction_path(spec, "auto", symmetry).cost
    # the counter sees block assignments; operand choices (at most a few per search) are extra
    assert calls[0] <= contraction.SEARCH_BUDGET
    dense = 2 ** k  # every label of size 2, each index tuple once
    assert cost <= dense
    # never below the true optimum: the output 'ab' has 2 x 2 elements and k - 2 summed labels,
    # and no symmetry can make a step cheaper than one FMA per distinct output element
    assert cost >= 3


def test_many_repeated_operands_stay_within_the_budget(monkeypatch):
    n = 16
    letters = string.ascii_letters[:n + 1]
    subscripts = ",".join(letters[i:i + 2] for i in range(n)) + f"->{letters[0]}{letters[n]}"
    spec = _parse_cached(subscripts, ((4, 4),) * n)
    symmetry = EinsumSymmetry((0,) * n, ((SymmetryGroup(0, 1),),) * n)
    calls = _count_candidates(monkeypatch)
    cost = contraction_path(spec, "auto", symmetry).cost
    assert calls[0] <= max(contraction.SEARCH_BUDGET, (8 * n + 1) * contraction.MIN_SEARCH)
    assert cost <= contraction_path(spec, "auto").cost


def test_search_limit_formula():
    assert contraction.search_limit(2) == contraction.SEARCH_BUDGET // 17
    assert contraction.search_limit(10**6) == contraction.MIN_SEARCH


def test_the_wall_clock_limit_is_checked_during_the_search():
    x = np.ones((2,) * 6)
    s, t = flops.as_symmetric(x), flops.as_symmetric(x.copy())
    with flops.BudgetContext(flop_budget=10**9, wall_time_limit_s=0.001, quiet=True) as ctx:
        time.sleep(0.01)
        with pytest.raises(TimeExhaustedError, match="searching the symmetry"):
            fnp.einsum("abcdef,fedcba->ab", s, t)
    assert ctx.flops_used == 0
