"""Index symmetry of einsums: equal operands, declared groups, orbit-counted costs.

**The symmetry of an einsum.** Write the einsum as a sum over its labels of
a product of operand entries, ``O[free] = sum over summed labels of
prod_p X_p[s_p]``. A permutation ``sigma`` of the labels leaves every term's
product unchanged when it maps the labels of each operand p onto those of an
operand pi(p) holding the *same object* (possibly p itself), up to a
permutation of that operand's axes its declared symmetry allows::

    sigma(s_p) = h(s_pi(p))   for every p, with h in the declared group of X_pi(p)

If ``sigma`` also maps the output labels onto themselves, summing over all
index values gives ``O`` unchanged under ``sigma`` restricted to the output.
These ``sigma`` form a group G, found by backtracking over the choices of
pi(p) and h (:func:`label_group`). ``fnp.einsum('ij,ik->jk', X, X)``: pi swaps
the two operands, sigma swaps j and k, so the output is symmetric in (j, k).

**The cost of a contraction step.** Dense, a step costs one multiply-add per
point of its index space (the product of its labels' sizes). With symmetry
the step computes one term per orbit of that space under the step's group
(Burnside's lemma, :func:`~flopscope.symmetry.counting.orbit_count`), or
alternatively only the output elements unique under the intermediate's own
symmetry, each summing over every value of the step's summed labels. A step
costs the smaller of the two::

    A = orbits of the step's index space under G_step
    B = unique elements of the step output x product of the summed labels' sizes

``'ij,ik->jk'`` with X (100, 100) twice: G = {identity, (j k)}, so
A = (100^3 + 100 * 100) / 2 = 505,000 (B is the same here). In a path of
several steps, a step may only use permutations that map each of its inputs
(the intermediates it contracts) onto an input, which is why B can win: the
last step of ``'ia,ib,ic->abc'`` with X three times cannot swap c with a in
its summand, but its output is fully symmetric, so it needs only
C(n+2, 3) outputs.

Each orbit counts as one multiply-add: the orbit's common term is computed
once and accumulated with its multiplicity folded into the accumulation.

**A bounded search.** The backtracking in :func:`label_group` can visit
up to the product of the operands' group orders (two fully symmetric
7-index operands: 5040^2 axis permutations). It builds each operand's axis
permutation block by block, pruning as soon as a label would map onto a
label of another size, across the output boundary, or inconsistently; every
attempted operand or block assignment is one *candidate*. Each search may
try :func:`search_limit` candidates: ``SEARCH_BUDGET // (8 n + 1)`` for an
einsum of n operands (a path over n operands asks for at most 8n + 1
searches: two per step of at most four candidate paths, plus the output's
symmetry), and at least ``MIN_SEARCH``. A search that would try more gives
up and returns the identity alone: that step is costed dense and the result
claims no symmetry from it. A cut-off search therefore
never charges less than the full search would (the symmetric optimum) nor
more than the dense cost; it depends only on the subscripts, shapes and
symmetry, so the same call always costs the same. The active budget's wall
clock limit is checked every :data:`DEADLINE_EVERY` candidates
(``TimeExhaustedError``, as the executor raises).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Any, Sequence

from flopscope.budget.context import ACTIVE
from flopscope.errors import TimeExhaustedError

from flopscope.cost.einsum import EinsumSpec, index_product
from flopscope.symmetry.counting import groups_from_permutations, orbit_count, restrict
from flopscope.symmetry.groups import Symmetry, SymmetryGroup, describe
from flopscope.symmetry.propagation import contains
from flopscope.symmetry.tensor import symmetry_of

__all__ = [
    "EinsumSymmetry",
    "label_group",
    "step_cost",
    "output_symmetry",
    "lost_groups",
    "SEARCH_BUDGET",
    "search_limit",
]

#: Candidate axis permutations all the symmetry searches of one einsum may try together.
SEARCH_BUDGET = 12_000
#: The least any one search may try (searches of einsums with very many operands).
MIN_SEARCH = 64
#: The wall-clock limit is checked after this many candidates.
DEADLINE_EVERY = 256


def search_limit(n_operands: int) -> int:
    """Candidates one :func:`label_group` search may try in an einsum of ``n_operands``."""
    return max(MIN_SEARCH, SEARCH_BUDGET // (8 * n_operands + 1))


def _check_deadline(now: int) -> None:
    ctx = ACTIVE.get()
    if ctx is not None and now > ctx._deadline_ns:
        limit = ctx.wall_time_limit_s
        raise TimeExhaustedError(
            f"wall-clock limit of {limit:g}s passed while searching the symmetry of an einsum"
        )


@dataclass(frozen=True, slots=True)
class EinsumSymmetry:
    """What is known about the symmetry of an einsum's operands.

    Attributes
    ----------
    classes:
        Per operand position, the first position holding the same Python
        object (equal operands share a class).
    groups:
        Per operand, its declared symmetry (``()`` for plain arrays).
    """

    classes: tuple[int, ...]
    groups: tuple[Symmetry, ...]

    @staticmethod
    def of(operands: Sequence[Any]) -> EinsumSymmetry | None:
        """The symmetry of ``operands``, or None if there is none to exploit."""
        first: dict[int, int] = {}
        classes = tuple(first.setdefault(id(x), i) for i, x in enumerate(operands))
        groups = tuple(symmetry_of(x) for x in operands)
        if all(c == i for i, c in enumerate(classes)) and not any(groups):
            return None
        return EinsumSymmetry(classes, groups)

    def describe_inputs(self, spec: EinsumSpec) -> str:
        """``X0=X1 S2{i,j}(#2)``-style summary of equal operands and declared groups."""
        parts = []
        for i, c in enumerate(self.classes):
            if c != i:
                parts.append(f"#{i} is #{c}")
        for i, groups in enumerate(self.groups):
            if groups:
                parts.append(f"#{i} {describe(groups, spec.inputs[i])}")
        return ", ".join(parts)

    def step_cost(self, spec: EinsumSpec, sides: tuple[frozenset[int], ...],
                  inputs: tuple[str, ...], output: str) -> tuple[int, str]:
        """Cost of one contraction step and its output's symmetry (see :func:`step_cost`).

        This is the hook :func:`flopscope.cost.einsum.contraction_path` calls.
        """
        return step_cost(spec, self, sides, frozenset("".join(inputs)), output)


class _TooLarge(Exception):
    pass


@lru_cache(maxsize=4096)
def label_group(
    spec: EinsumSpec,
    symmetry: EinsumSymmetry,
    positions: tuple[int, ...],
    boundary: frozenset[str],
    sides: tuple[frozenset[int], ...] | None = None,
) -> tuple[tuple[str, ...], frozenset[tuple[int, ...]]]:
    """The label permutations under which the sub-einsum of ``positions`` is invariant.

    Returns ``(labels, perms)``: the sorted labels of those operands and the
    group, each element a tuple of indices into ``labels``. ``boundary``
    (the labels that leave the sub-einsum: its output) must be mapped onto
    itself; if ``sides`` is given, the operand permutation must map each
    side (a set of positions) onto a side. A search that would try more
    than :func:`search_limit` candidates returns only the identity (the
    dense cost).
    """
    terms = spec.inputs
    labels = tuple(sorted(set().union(*(terms[p] for p in positions))))
    where = {label: i for i, label in enumerate(labels)}
    identity_only = labels, frozenset({tuple(range(len(labels)))})
    sizes = spec.size_dict
    classes = symmetry.classes
    limit = search_limit(len(terms))
    # Per operand: the axes its groups leave fixed, and each group's blocks. An allowed
    # axis permutation h maps each block of a group onto a block of the same group
    # (axis by axis) and fixes the other axes; the search builds h block by block, so
    # a label clash prunes every h sharing the clashing prefix.
    layout = {}
    for p in positions:
        groups = symmetry.groups[p]
        grouped = {a for g in groups for a in g.axes}
        layout[p] = (tuple(a for a in range(len(terms[p])) if a not in grouped),
                     tuple(g.blocks for g in groups))
    side_set = set(sides) if sides is not None else None
    sigma: dict[str, str] = {}
    used: set[str] = set()
    image: dict[int, int] = {}
    taken: set[int] = set()
    found: set[tuple[int, ...]] = set()
    work = [0]

    def complete() -> None:
        if side_set is not None and any(frozenset(image[p] for p in side) not in side_set
                                        for side in sides):
            return
        found.add(tuple(where[sigma[label]] for label in labels))

    def assign(pairs: Any) -> list[str] | None:
        """Extend sigma with ``a -> b`` for each pair; the labels added, or None on a clash."""
        assigned: list[str] = []
        for a, b in pairs:
            current = sigma.get(a)
            if current is None:
                if b in used or sizes[a] != sizes[b] or (a in boundary) != (b in boundary):
                    break
                sigma[a] = b
                used.add(b)
                assigned.append(a)
            elif current != b:
                break
        else:
            return assigned
        for a in assigned:
            used.discard(sigma.pop(a))
        return None

    def undo(assigned: list[str]) -> None:
        for a in assigned:
            used.discard(sigma.pop(a))

    def blocks_from(k: int, p: int, q: int, gi: int, bi: int, free: list[bool]) -> None:
        """Map block ``bi`` of group ``gi`` of operand p onto an unused block of q, then on."""
        source, target = terms[p], terms[q]
        groups = layout[p][1]
        if gi == len(groups):
            image[p] = q
            taken.add(q)
            visit(k + 1)
            taken.discard(q)
            del image[p]
            return
        blocks = groups[gi]
        if bi == len(blocks):
            blocks_from(k, p, q, gi + 1, 0, [True] * len(groups[gi + 1]) if gi + 1 < len(groups) else [])
            return
        for j, block in enumerate(blocks):
            if not free[j]:
                continue
            work[0] += 1
            if work[0] > limit:
                raise _TooLarge
            if not work[0] % DEADLINE_EVERY:
                _check_deadline(time.perf_counter_ns())
            assigned = assign((source[a], target[b]) for a, b in zip(blocks[bi], block))
            if assigned is None:
                continue
            free[j] = False
            blocks_from(k, p, q, gi, bi + 1, free)
            free[j] = True
            undo(assigned)

    def visit(k: int) -> None:
        if k == len(positions):
            complete()
            return
        p = positions[k]
        source = terms[p]
        fixed, groups = layout[p]
        for q in positions:
            if q in taken or classes[q] != classes[p]:
                continue
            target = terms[q]
            work[0] += 1
            if work[0] > limit:
                raise _TooLarge
            assigned = assign((source[a], target[a]) for a in fixed)
            if assigned is None:
                continue
            blocks_from(k, p, q, 0, 0, [True] * len(groups[0]) if groups else [])
            undo(assigned)

    try:
        visit(0)
    except _TooLarge:
        return identity_only
    return labels, frozenset(found)


def _restricted(labels: tuple[str, ...], perms: frozenset[tuple[int, ...]],
                keep: Sequence[str]) -> frozenset[tuple[int, ...]]:
    index = {label: i for i, label in enumerate(labels)}
    return restrict(perms, [index[label] for label in keep])


@lru_cache(maxsize=4096)
def step_cost(
    spec: EinsumSpec,
    symmetry: EinsumSymmetry,
    sides: tuple[frozenset[int], ...],
    step_labels: frozenset[str],
    output: str,
) -> tuple[int, str]:
    """``(cost, output symmetry text)`` of contracting the intermediates ``sides`` into ``output``.

    ``sides`` are the sets of original operand positions each input of the
    step was built from; ``step_labels`` the labels of the step's inputs.
    The cost is min(A, B) of the module docstring.
    """
    sizes = spec.size_dict
    positions = tuple(sorted(frozenset().union(*sides)))
    boundary = frozenset(output)
    step = sorted(step_labels)
    labels, perms = label_group(spec, symmetry, positions, boundary, sides if len(sides) > 1 else None)
    summand = orbit_count(_restricted(labels, perms, step), [sizes[label] for label in step])
    labels, perms = label_group(spec, symmetry, positions, boundary, None)
    out_group = _restricted(labels, perms, output)
    summed = prod(sizes[label] for label in step if label not in boundary)
    by_output = orbit_count(out_group, [sizes[label] for label in output]) * summed
    text = describe(groups_from_permutations(out_group, len(output)), output)
    return min(summand, by_output, index_product((*step, output), sizes)), text


@lru_cache(maxsize=1024)
def output_symmetry(spec: EinsumSpec, symmetry: EinsumSymmetry) -> Symmetry:
    """The groups the einsum's result carries (axes numbered as in the output)."""
    labels, perms = label_group(spec, symmetry, tuple(range(len(spec.inputs))),
                                frozenset(spec.output), None)
    return groups_from_permutations(_restricted(labels, perms, spec.output), len(spec.output))


def lost_groups(spec: EinsumSpec, symmetry: EinsumSymmetry, result: Symmetry) -> list[tuple[int, SymmetryGroup]]:
    """Declared operand groups whose labels all reach the output yet are not kept there.

    Returns ``(operand position, group)`` pairs; a group whose labels are
    summed (contracted away) or repeated is not lost, just used up.
    """
    lost = []
    out = spec.output
    for p, groups in enumerate(symmetry.groups):
        term = spec.inputs[p]
        for g in groups:
            names = [term[a] for a in g.axes]
            if len(set(names)) != len(names) or not all(n in out for n in names):
                continue
            mapping = {a: out.index(term[a]) for a in g.axes}
            moved = g.remap(mapping)
            if not all(contains(result, gen) for gen in moved.generators(len(out))):
                lost.append((p, g))
    return lost
