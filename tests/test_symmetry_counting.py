"""Every symmetric count checked against brute-force enumeration of index tuples.

The brute force here is independent of the code under test: symmetry groups
of einsum terms are found *numerically* (which label permutations leave the
product of random operand data unchanged), and orbits are counted by joining
index tuples explicitly. Shapes are tiny so enumeration is exhaustive.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from flopscope.cost.einsum import contraction_path, parse_einsum
from flopscope.symmetry import SymmetryGroup, as_symmetric, orbit_count, unique_elements
from flopscope.symmetry.contraction import EinsumSymmetry, output_symmetry
from flopscope.symmetry.counting import groups_from_permutations
from flopscope.symmetry.groups import symmetry_permutations
from flopscope.symmetry.validate import first_violation


# -- brute-force helpers -----------------------------------------------------------------------


def act(perm, index):
    """The index tuple moved by axis permutation ``perm`` (axis a goes to perm[a])."""
    moved = [None] * len(index)
    for a, value in enumerate(index):
        moved[perm[a]] = value
    return tuple(moved)


def brute_orbits(shape, perms):
    """Orbits of all index tuples of ``shape`` under the permutations (joined explicitly)."""
    seen = set()
    orbits = 0
    for index in itertools.product(*(range(n) for n in shape)):
        if index in seen:
            continue
        orbits += 1
        stack = [index]
        seen.add(index)
        while stack:
            current = stack.pop()
            for p in perms:
                nxt = act(p, current)
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return orbits


def impose(data, symmetry):
    """Average random data over every permutation of ``symmetry`` (independent of the library)."""
    perms = list(symmetry_permutations(symmetry, data.ndim))
    return sum(np.transpose(data, np.argsort(p)) for p in perms) / len(perms)


def numeric_group(tensor, labels, keep):
    """Label permutations (as index tuples into ``labels``) leaving ``tensor`` unchanged.

    ``keep`` (a set of labels) must be mapped onto itself, as an einsum's
    output labels must.
    """
    n = len(labels)
    found = []
    for perm in itertools.permutations(range(n)):
        if {labels[perm[i]] for i in range(n) if labels[i] in keep} != set(keep):
            continue
        if any(tensor.shape[perm[i]] != tensor.shape[i] for i in range(n)):
            continue
        if np.allclose(np.transpose(tensor, np.argsort(perm)), tensor, rtol=1e-9, atol=1e-12):
            found.append(perm)
    return found


# -- unique elements and Burnside ----------------------------------------------------------------

CASES = [
    ((5, 5), [(0, 1)]),
    ((4, 4, 4), [(0, 1, 2)]),
    ((3, 3, 3, 3), [(0, 1, 2, 3)]),
    ((3, 3, 4, 4), [(0, 1), (2, 3)]),
    ((3, 4, 3, 4), ((0, 1), (2, 3))),
    ((2, 3, 2, 3, 2, 3), ((0, 1), (2, 3), (4, 5))),
    ((4, 2, 4, 5), [(0, 2)]),
    ((3, 5, 3, 2), (2, 0)),
    ((2, 2, 3, 3, 3), [(0, 1), (2, 3, 4)]),
]


@pytest.mark.parametrize("shape, spec", CASES)
def test_unique_elements_matches_brute_force(shape, spec):
    from flopscope.symmetry import parse_symmetry

    symmetry = parse_symmetry(spec, shape)
    perms = list(symmetry_permutations(symmetry, len(shape)))
    expected = brute_orbits(shape, perms)
    assert unique_elements(shape, symmetry) == expected
    assert orbit_count(perms, shape) == expected  # Burnside agrees with the closed form


def test_symmetric_matrix_has_n_n_plus_1_over_2():
    for n in range(1, 12):
        assert unique_elements((n, n), (SymmetryGroup(0, 1),)) == n * (n + 1) // 2
    assert unique_elements((100, 100), (SymmetryGroup(0, 1),)) == 5050


def test_burnside_on_a_cyclic_group_matches_brute_force():
    # C3 rotating three labels (a trace of X X X) is not a product of full symmetric groups.
    rot = (1, 2, 0)
    group = [(0, 1, 2), rot, tuple(rot[rot[i]] for i in range(3))]
    for n in (2, 3, 4):
        assert orbit_count(group, (n, n, n)) == brute_orbits((n, n, n), group[1:]) == (n**3 + 2 * n) // 3


def test_orbit_count_notices_a_set_that_is_not_a_group():
    # fixed points 8 + 4 + 2 = 14 are not a multiple of 3 elements: not a group
    with pytest.raises(ValueError, match="not a group"):
        orbit_count([(0, 1, 2), (1, 0, 2), (1, 2, 0)], (2, 2, 2))


def test_groups_found_inside_a_permutation_group_are_sound():
    # S2{0,1} x S2{2,3} x the block swap (0,1)<->(2,3): the wreath product of order 8.
    generators = [(1, 0, 2, 3), (0, 1, 3, 2), (2, 3, 0, 1)]
    group = set(generators) | {(0, 1, 2, 3)}
    while True:
        bigger = group | {tuple(p[q[i]] for i in range(4)) for p in group for q in group}
        if bigger == group:
            break
        group = bigger
    assert len(group) == 8
    found = groups_from_permutations(group, 4)
    assert found == (SymmetryGroup(0, 1), SymmetryGroup(2, 3))
    # block swap only
    assert groups_from_permutations({(0, 1, 2, 3), (2, 3, 0, 1)}, 4) == (SymmetryGroup((0, 1), (2, 3)),)
    # a cyclic group holds no S_k: nothing is claimed
    assert groups_from_permutations({(0, 1, 2), (1, 2, 0), (2, 0, 1)}, 3) == ()


# -- einsum costs against numerically found symmetry ---------------------------------------------


def _random_einsum(rng: random.Random):
    """A random one- or two-operand einsum over labels of size 3 with repeats and declared groups."""
    letters = "abcd"
    n_ops = rng.choice([1, 2, 2, 2])
    first = "".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
    terms = [first]
    same = n_ops == 2 and rng.random() < 0.6
    if n_ops == 2:
        length = len(first) if same else rng.randint(1, 3)
        terms.append("".join(rng.choice(letters) for _ in range(length)))
    present = sorted(set("".join(terms)))
    out = "".join(rng.sample(present, rng.randint(0, len(present))))
    declare = len(first) >= 2 and rng.random() < 0.5
    return terms, out, same, declare


def _operands(terms, same, declare, seed):
    gen = np.random.default_rng(seed)
    base = gen.standard_normal((3,) * len(terms[0]))
    if declare:
        spec = tuple(range(len(terms[0]))) if len(terms[0]) <= 3 else (0, 1)
        x = as_symmetric(impose(base, (SymmetryGroup(*spec),)), spec)
    else:
        x = base
    ops = [x]
    if len(terms) == 2:
        ops.append(x if same else gen.standard_normal((3,) * len(terms[1])))
    return ops


def test_two_operand_einsum_costs_match_numeric_orbits():
    rng = random.Random(7)
    checked = saving = 0
    while checked < 60:
        terms, out, same, declare = _random_einsum(rng)
        if not same and not declare:
            continue
        ops = _operands(terms, same, declare, checked)
        subscripts = ",".join(terms) + "->" + out
        labels = "".join(sorted(set("".join(terms))))
        summand = np.einsum(",".join(terms) + "->" + labels, *[np.asarray(o) for o in ops])
        group = numeric_group(summand, labels, set(out))
        expected = brute_orbits(summand.shape, group)
        spec = parse_einsum(subscripts, *ops)
        symmetry = EinsumSymmetry.of(ops)
        assert contraction_path(spec, "auto", symmetry).cost == expected, subscripts
        saving += expected < math.prod(summand.shape)
        checked += 1
    assert saving >= 20  # the sample is not dominated by cases without any symmetry


def test_einsum_output_symmetry_is_real_and_complete():
    rng = random.Random(11)
    checked = 0
    while checked < 40:
        terms, out, same, declare = _random_einsum(rng)
        if len(out) < 2 or not (same or declare):
            continue
        ops = _operands(terms, same, declare, 100 + checked)
        subscripts = ",".join(terms) + "->" + out
        result = np.einsum(subscripts, *[np.asarray(o) for o in ops])
        claimed = output_symmetry(parse_einsum(subscripts, *ops), EinsumSymmetry.of(ops))
        for group in claimed:  # sound: the data really has it
            assert first_violation(result, group) is None, (subscripts, group)
        # complete, as far as S_k groups can say: every transposition the data has is claimed
        for i, j in itertools.combinations(range(len(out)), 2):
            swap = list(range(len(out)))
            swap[i], swap[j] = j, i
            if result.shape[i] == result.shape[j] and np.allclose(result, result.transpose(swap)):
                assert any({i, j} <= set(g.axes) and g.block_size == 1 for g in claimed), subscripts
        checked += 1


def _step_brute_cost(ops, terms, out, positions_of_side, step_inputs, step_output):
    """min(orbits of the step summand, unique outputs x summed sizes), found numerically."""
    labels = "".join(sorted(set("".join(step_inputs))))
    everything = set(out).union(*(set(t) for t in terms))
    arrays = []
    for side, legs in zip(positions_of_side, step_inputs):
        sub = ",".join(terms[p] for p in side) + "->" + legs
        arrays.append(np.einsum(sub, *[np.asarray(ops[p]) for p in side]))
    summand = np.einsum(",".join(step_inputs) + "->" + labels, *arrays)
    keep = set(step_output)
    step_group = numeric_group(summand, labels, keep)
    by_summand = brute_orbits(summand.shape, step_group)
    result = np.einsum(",".join(step_inputs) + "->" + step_output, *arrays)
    out_group = numeric_group(result, step_output, set(step_output))
    summed = math.prod(summand.shape[labels.index(c)] for c in labels if c not in keep)
    del everything
    return min(by_summand, brute_orbits(result.shape, out_group) * summed)


@pytest.mark.parametrize("subscripts, pattern", [
    ("ia,ib,ic->abc", "XXX"),
    ("ia,ib,jc,jd->abcd", "XXYY"),
    ("ij,jk,kl->il", "SSS"),
    ("ai,bi,ab->", "XXS"),
    ("ijk,ai,bj,ck->abc", "TAAA"),
    ("ij,ik,jl,kl->", "XXYY"),
])
def test_path_step_costs_match_numeric_orbits(subscripts, pattern):
    gen = np.random.default_rng(5)
    terms = subscripts.split("->")[0].split(",")
    out = subscripts.split("->")[1]
    made = {}
    ops = []
    for term, key in zip(terms, pattern):
        if key not in made:
            data = gen.standard_normal((3,) * len(term))
            if key in "ST":
                spec = tuple(range(len(term)))
                made[key] = as_symmetric(impose(data, (SymmetryGroup(*spec),)), spec)
            else:
                made[key] = data
        ops.append(made[key])
    spec = parse_einsum(subscripts, *ops)
    path = contraction_path(spec, "auto", EinsumSymmetry.of(ops))
    sides = [(i,) for i in range(len(terms))]
    total = 0
    for step in path.steps:
        step_inputs, step_output = step.subscripts.split("->")
        positions = step.operands
        # opt_einsum lists a step's inputs in descending position order
        side_sets = [sides[p] for p in sorted(positions, reverse=True)]
        expected = _step_brute_cost(ops, terms, out, side_sets, step_inputs.split(","), step_output)
        assert step.cost == expected, (subscripts, step.subscripts)
        assert step.cost <= step.dense_cost
        merged = tuple(sorted(sum(side_sets, ())))
        for p in sorted(positions, reverse=True):
            del sides[p]
        sides.append(merged)
        total += step.cost
    assert path.cost == total


def test_repeated_operand_triple_product_counts_multisets():
    # 'ia,ib,ic->abc' with X (m, n) three times: m*n(n+1)/2 for X X, then C(n+2, 3) outputs x m.
    for m, n in ((4, 3), (10, 8), (7, 5)):
        x = np.ones((m, n))
        spec = parse_einsum("ia,ib,ic->abc", x, x, x)
        path = contraction_path(spec, "auto", EinsumSymmetry.of([x, x, x]))
        assert path.cost == m * n * (n + 1) // 2 + m * math.comb(n + 2, 3)
