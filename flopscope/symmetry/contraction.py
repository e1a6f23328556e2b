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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Any, Sequence

from flopscope.cost.einsum import EinsumSpec, index_product
from flopscope.symmetry.counting import groups_from_permutations, orbit_count, restrict
from flopscope.symmetry.groups import Symmetry, SymmetryGroup, describe, symmetry_permutations
from flopscope.symmetry.propagation import contains
from flopscope.symmetry.tensor import symmetry_of

__all__ = [
    "EinsumSymmetry",
    "label_group",
    "step_cost",
    "output_symmetry",
    "lost_groups",
    "MAX_GROUP_ORDER",
]

#: Symmetry groups with more elements than this are not enumerated; the
#: contraction (or the declared group of an operand) is then costed dense.
MAX_GROUP_ORDER = 40_320  # 8!


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


@lru_cache(maxsize=256)
def _axis_permutations(groups: Symmetry, ndim: int) -> tuple[tuple[int, ...], ...]:
    order = prod(g.order for g in groups)
    if order > MAX_GROUP_ORDER:
        return (tuple(range(ndim)),)
    return tuple(symmetry_permutations(groups, ndim))


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
    side (a set of positions) onto a side. Past :data:`MAX_GROUP_ORDER`
    elements, only the identity is returned (the dense cost).
    """
    terms = spec.inputs
    labels = tuple(sorted(set().union(*(terms[p] for p in positions))))
    where = {label: i for i, label in enumerate(labels)}
    sizes = spec.size_dict
    classes = symmetry.classes
    axis_perms = {p: _axis_permutations(symmetry.groups[p], len(terms[p])) for p in positions}
    side_set = set(sides) if sides is not None else None
    sigma: dict[str, str] = {}
    used: set[str] = set()
    image: dict[int, int] = {}
    taken: set[int] = set()
    found: set[tuple[int, ...]] = set()

    def complete() -> None:
        if any(sigma[label] not in boundary for label in boundary):
            return
        if any(sizes[sigma[label]] != sizes[label] for label in labels):
            return
        if side_set is not None and any(frozenset(image[p] for p in side) not in side_set
                                        for side in sides):
            return
        found.add(tuple(where[sigma[label]] for label in labels))
        if len(found) > MAX_GROUP_ORDER:
            raise _TooLarge

    def visit(k: int) -> None:
        if k == len(positions):
            complete()
            return
        p = positions[k]
        source = terms[p]
        for q in positions:
            if q in taken or classes[q] != classes[p]:
                continue
            target = terms[q]
            for h in axis_perms[q]:
                assigned = []
                ok = True
                for r, a in enumerate(source):
                    b = target[h[r]]
                    current = sigma.get(a)
                    if current is None:
                        if b in used:
                            ok = False
                            break
                        sigma[a] = b
                        used.add(b)
                        assigned.append(a)
                    elif current != b:
                        ok = False
                        break
                if ok:
                    image[p] = q
                    taken.add(q)
                    visit(k + 1)
                    taken.discard(q)
                    del image[p]
                for a in assigned:
                    used.discard(sigma.pop(a))

    try:
        visit(0)
    except _TooLarge:
        return labels, frozenset({tuple(range(len(labels)))})
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
