"""Symmetry groups of tensor axes, and the shorthands users declare them with.

A :class:`SymmetryGroup` says that a tensor is unchanged when whole *blocks*
of its axes are permuted. Every block has the same number of axes; the group
is every permutation of the blocks (the symmetric group S_k on k blocks),
moving the r-th axis of one block onto the r-th axis of another:

==========================================  =======================================
group                                       meaning
==========================================  =======================================
``SymmetryGroup(0, 1)``                     ``T[i, j] == T[j, i]`` (a symmetric matrix)
``SymmetryGroup(0, 1, 2)``                  ``T[i, j, k]`` unchanged by any reordering of i, j, k
``SymmetryGroup((0, 1), (2, 3))``           ``T[i, j, k, l] == T[k, l, i, j]`` (block symmetry)
==========================================  =======================================

A tensor may carry several groups on disjoint sets of axes; together they act
independently (their direct product).

Declaring symmetry (:func:`parse_symmetry`) accepts these shorthands:

* a :class:`SymmetryGroup`;
* a tuple of axes, ``(0, 1)`` or ``(0, 1, 2)``: one fully symmetric group;
* a tuple of equal-length tuples, ``((0, 1), (2, 3))``: one block group;
* a **list** of any of the above, ``[(0, 1), (2, 3)]``: several groups;
* a tuple of :class:`SymmetryGroup` objects (a tensor's ``.symmetry``): several groups.

A tuple is always *one* group and a list always *several*, as in NumPy
indexing (``x[(0, 1)]`` versus ``x[[0, 1]]``). Fully symmetric groups that
share an axis are merged (``[(0, 1), (1, 2)]`` is S3 on axes 0, 1, 2, since
the two swaps generate every permutation of the three axes); a block group may
not overlap another group.
"""

from __future__ import annotations

from itertools import permutations, product
from math import comb, factorial, prod
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from flopscope.errors import SymmetryError

__all__ = ["SymmetryGroup", "Symmetry", "parse_symmetry", "describe", "symmetry_permutations"]

#: A tensor's declared symmetry: disjoint groups, sorted by their smallest axis.
Symmetry = tuple["SymmetryGroup", ...]


def _as_axis(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"symmetry axes must be integers, got {value!r}")
    return int(value)


class SymmetryGroup:
    """Invariance of a tensor under every permutation of some blocks of its axes.

    ``SymmetryGroup(0, 1, 2)`` is full symmetry in axes 0, 1 and 2;
    ``SymmetryGroup((0, 1), (2, 3))`` exchanges the axis pair (0, 1) with
    (2, 3) as a whole. A single sequence argument is unpacked, so
    ``SymmetryGroup((0, 1))`` is ``SymmetryGroup(0, 1)``.

    Groups are immutable, hashable and compare by value. They are stored in a
    canonical form: positions ordered by the first block's axes, blocks
    sorted, so equal groups have equal ``blocks``.

    Attributes
    ----------
    blocks:
        The blocks, each a tuple of axes.
    """

    __slots__ = ("blocks",)
    blocks: tuple[tuple[int, ...], ...]

    def __init__(self, *members: Any) -> None:
        if len(members) == 1 and isinstance(members[0], (list, tuple)):
            members = tuple(members[0])
        if len(members) < 2:
            raise ValueError(
                f"a symmetry group needs at least two axes (or blocks) to exchange, got {members!r}"
            )
        if all(isinstance(m, (list, tuple)) for m in members):
            blocks = tuple(tuple(_as_axis(a) for a in m) for m in members)
        elif not any(isinstance(m, (list, tuple)) for m in members):
            blocks = tuple((_as_axis(a),) for a in members)
        else:
            raise TypeError(
                "a symmetry group is either axes (0, 1, 2) or equal-length blocks of axes "
                f"((0, 1), (2, 3)), not a mixture: {members!r}"
            )
        width = len(blocks[0])
        if width == 0 or any(len(b) != width for b in blocks):
            raise ValueError(f"the blocks of a symmetry group must have the same, nonzero length: {blocks!r}")
        flat = [a for b in blocks for a in b]
        if len(set(flat)) != len(flat):
            raise ValueError(f"an axis appears twice in the symmetry group {blocks!r}")
        object.__setattr__(self, "blocks", _canonical(blocks))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("SymmetryGroup is immutable")

    # -- structure ------------------------------------------------------------------
    @property
    def degree(self) -> int:
        """Number of blocks the group permutes (k of S_k)."""
        return len(self.blocks)

    @property
    def block_size(self) -> int:
        """Axes per block (1 for plain, fully symmetric groups)."""
        return len(self.blocks[0])

    @property
    def order(self) -> int:
        """Number of permutations in the group, k!."""
        return factorial(len(self.blocks))

    @property
    def axes(self) -> tuple[int, ...]:
        """Every axis the group moves, sorted."""
        return tuple(sorted(a for b in self.blocks for a in b))

    def block_values(self, shape: Sequence[int]) -> int:
        """Number of distinct index tuples one block takes in an array of ``shape``."""
        return prod(shape[a] for a in self.blocks[0])

    def unique_count(self, shape: Sequence[int]) -> int:
        """Distinct values of the group's axes up to the symmetry: C(N + k - 1, k).

        A point of the group's axes is k block values, each one of N = the
        product of a block's lengths; the group identifies every reordering of
        them, so the classes are the multisets of size k drawn from N values.
        """
        k = len(self.blocks)
        return comb(self.block_values(shape) + k - 1, k)

    def permutations(self, ndim: int) -> Iterator[tuple[int, ...]]:
        """Every element of the group as an axis permutation ``p`` (axis a goes to ``p[a]``)."""
        for order in permutations(range(len(self.blocks))):
            perm = list(range(ndim))
            for source, target in enumerate(order):
                for a, b in zip(self.blocks[source], self.blocks[target]):
                    perm[a] = b
            yield tuple(perm)

    def generators(self, ndim: int) -> list[tuple[int, ...]]:
        """Swaps of the first block with each other block; they generate the group.

        Each is an involution, so it is its own inverse and can be passed to
        ``numpy.transpose`` as is.
        """
        gens = []
        first = self.blocks[0]
        for other in self.blocks[1:]:
            perm = list(range(ndim))
            for a, b in zip(first, other):
                perm[a], perm[b] = b, a
            gens.append(tuple(perm))
        return gens

    def contains(self, perm: Mapping[int, int] | Sequence[int]) -> bool:
        """True if the axis permutation ``perm`` (restricted to this group's axes) is in the group."""
        image = perm.__getitem__
        targets = {b[0]: b for b in self.blocks}
        for block in self.blocks:
            mapped = tuple(image(a) for a in block)
            if targets.get(mapped[0]) != mapped:
                return False
        return True

    # -- transformations --------------------------------------------------------------
    def remap(self, mapping: Mapping[int, int]) -> SymmetryGroup:
        """The same group with every axis ``a`` renamed ``mapping[a]``."""
        return SymmetryGroup(*(tuple(mapping[a] for a in b) for b in self.blocks))

    def normalized(self, ndim: int) -> SymmetryGroup:
        """Negative axes resolved against ``ndim`` (``numpy.exceptions.AxisError`` if out of range)."""
        def norm(a: int) -> int:
            if not -ndim <= a < ndim:
                raise np.exceptions.AxisError(a, ndim, msg_prefix="symmetry")
            return a % ndim

        return SymmetryGroup(*(tuple(norm(a) for a in b) for b in self.blocks))

    # -- presentation -------------------------------------------------------------------
    def describe(self, names: Sequence[str] | None = None) -> str:
        """``S2{0,1}``, ``S3{i,j,k}``, ``S2{(0,1),(2,3)}``: the group and what it permutes.

        ``names`` maps axis numbers to labels (einsum subscripts) if given.
        """
        name = (lambda a: str(names[a])) if names is not None else str
        if len(self.blocks[0]) == 1:
            inner = ",".join(name(b[0]) for b in self.blocks)
        else:
            inner = ",".join("(" + ",".join(name(a) for a in b) + ")" for b in self.blocks)
        return f"S{len(self.blocks)}{{{inner}}}"

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        if len(self.blocks[0]) == 1:
            return f"SymmetryGroup({', '.join(str(b[0]) for b in self.blocks)})"
        return f"SymmetryGroup({', '.join(repr(b) for b in self.blocks)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SymmetryGroup) and self.blocks == other.blocks

    def __hash__(self) -> int:
        return hash(("SymmetryGroup", self.blocks))

    def __reduce__(self) -> tuple:
        return (SymmetryGroup, self.blocks)


def _canonical(blocks: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """Positions ordered by the first block, then blocks sorted: one form per group."""
    first = min(blocks)
    order = sorted(range(len(first)), key=first.__getitem__)
    return tuple(sorted(tuple(b[r] for r in order) for b in blocks))


def describe(symmetry: Sequence[SymmetryGroup], names: Sequence[str] | None = None) -> str:
    """A tensor's symmetry as text: ``S2{0,1} x S2{2,3}``, or ``none``."""
    if not symmetry:
        return "none"
    return " x ".join(g.describe(names) for g in symmetry)


def symmetry_permutations(symmetry: Sequence[SymmetryGroup], ndim: int) -> Iterator[tuple[int, ...]]:
    """Every axis permutation of the direct product of ``symmetry``'s groups."""
    identity = tuple(range(ndim))
    if not symmetry:
        yield identity
        return
    for parts in product(*(list(g.permutations(ndim)) for g in symmetry)):
        perm = list(identity)
        for part in parts:
            for a, b in enumerate(part):
                if a != b:
                    perm[a] = b
        yield tuple(perm)


# -- the shorthands ------------------------------------------------------------------------


def _group_of(item: Any) -> SymmetryGroup:
    if isinstance(item, SymmetryGroup):
        return item
    if isinstance(item, (list, tuple)):
        return SymmetryGroup(*item)
    raise TypeError(
        "a symmetry is a SymmetryGroup, a tuple of axes such as (0, 1), a tuple of blocks "
        f"such as ((0, 1), (2, 3)), or a list of those; got {item!r}"
    )


def _groups_of(spec: Any) -> list[SymmetryGroup]:
    if isinstance(spec, SymmetryGroup):
        return [spec]
    if isinstance(spec, (tuple, list)) and spec and all(isinstance(i, SymmetryGroup) for i in spec):
        return list(spec)  # a tensor's .symmetry: several groups
    if isinstance(spec, tuple):
        return [_group_of(spec)]
    if isinstance(spec, list):
        if spec and not any(isinstance(i, (list, tuple, SymmetryGroup)) for i in spec):
            return [_group_of(tuple(spec))]  # [0, 1]: a list of axes is one group too
        return [_group_of(i) for i in spec]
    return [_group_of(spec)]


def parse_symmetry(spec: Any, shape: Sequence[int]) -> Symmetry:
    """Validate a declared symmetry against a shape and return it in canonical form.

    Resolves negative axes, merges fully symmetric groups that share an axis,
    and checks that exchanged axes have equal lengths. Raises
    ``numpy.exceptions.AxisError`` for an axis out of range, ``ValueError``
    for overlapping groups that cannot be merged, and :class:`SymmetryError`
    for axes of different lengths. The data itself is not looked at here.
    """
    ndim = len(shape)
    groups = [g.normalized(ndim) for g in _groups_of(spec)]
    groups = _merge(groups)
    for g in groups:
        for position in range(g.block_size):
            axes = [b[position] for b in g.blocks]
            lengths = {shape[a] for a in axes}
            if len(lengths) > 1:
                detail = ", ".join(f"axis {a} has length {shape[a]}" for a in axes)
                raise SymmetryError(
                    f"{g} cannot hold for an array of shape {tuple(shape)}: {detail}; "
                    "a symmetry can only exchange axes of equal length"
                )
    return tuple(sorted(groups, key=lambda g: g.axes))


def _merge(groups: list[SymmetryGroup]) -> list[SymmetryGroup]:
    """Union fully symmetric groups that share axes; refuse any other overlap."""
    merged: list[SymmetryGroup] = []
    for g in groups:
        overlapping = [m for m in merged if set(m.axes) & set(g.axes)]
        if not overlapping:
            merged.append(g)
            continue
        if g.block_size != 1 or any(m.block_size != 1 for m in overlapping):
            shared = sorted(set(g.axes) & set(overlapping[0].axes))
            raise ValueError(
                f"symmetry groups {g} and {overlapping[0]} share axes {shared}; a block "
                "symmetry cannot overlap another group (declare the group they generate instead)"
            )
        axes = set(g.axes).union(*(m.axes for m in overlapping))
        merged = [m for m in merged if m not in overlapping]
        merged.append(SymmetryGroup(*sorted(axes)))
    return merged
