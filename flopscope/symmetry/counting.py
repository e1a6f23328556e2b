"""Counting unique elements and orbits: the numbers symmetric costs are made of.

Two counts, both exact integers.

**Unique elements of a symmetric tensor** (closed form). A group S_k that
permutes k blocks, each block taking N = (product of its axes' lengths)
values, identifies the k-tuples of block values that are reorderings of one
another. Its classes are the multisets of size k drawn from N values::

    C(N + k - 1, k)        (an (n, n) symmetric matrix: C(n + 1, 2) = n(n+1)/2)

Disjoint groups act independently and the remaining axes are free, so a
tensor's unique elements are the product of that count over its groups and of
the lengths of its other axes (:func:`unique_elements`).

**Orbits of an index space under any permutation group** (Burnside's lemma).
When a group G of label permutations acts on the index tuples of an einsum
(each label ranging over its size), the number of orbits is the average
number of tuples each element fixes::

    orbits = (1/|G|) * sum over g in G of  prod over cycles c of g of  size(c)

A tuple is fixed by g exactly when it is constant on each cycle of g, and the
labels of a cycle share one size. This handles groups that are not products
of full symmetric groups (cyclic symmetry of a trace of a product, say), which
is why einsum costs use it (:func:`orbit_count`). Both counts are checked
against brute-force enumeration of index tuples in the tests.

:func:`groups_from_permutations` goes the other way: from a permutation group
on a tensor's axes to the :class:`SymmetryGroup` objects a
:class:`~flopscope.symmetry.SymmetricTensor` can carry.
"""

from __future__ import annotations

from typing import Callable, Collection, Iterable, Sequence

from flopscope.symmetry.groups import Symmetry, SymmetryGroup

__all__ = [
    "unique_elements",
    "orbit_count",
    "fixed_points",
    "restrict",
    "groups_from_permutations",
]


def unique_elements(shape: Sequence[int], symmetry: Sequence[SymmetryGroup]) -> int:
    """Number of distinct elements of an array of ``shape`` with ``symmetry``.

    >>> unique_elements((100, 100), (SymmetryGroup(0, 1),))
    5050
    """
    total = 1
    covered: set[int] = set()
    for group in symmetry:
        total *= group.unique_count(shape)
        covered.update(group.axes)
    for axis, length in enumerate(shape):
        if axis not in covered:
            total *= length
    return total


def fixed_points(perm: Sequence[int], sizes: Sequence[int]) -> int:
    """Index tuples left unchanged by ``perm``: the product of one size per cycle."""
    n = len(perm)
    seen = [False] * n
    count = 1
    for start in range(n):
        if seen[start]:
            continue
        count *= sizes[start]
        i = start
        while not seen[i]:
            seen[i] = True
            i = perm[i]
    return count


def orbit_count(perms: Collection[Sequence[int]], sizes: Sequence[int]) -> int:
    """Orbits of the index tuples of ``sizes`` under the permutation group ``perms``.

    ``perms`` must be a group (closed under composition, containing the
    identity); each is a tuple ``p`` sending position ``i`` to ``p[i]``, and
    only positions of equal size may share a cycle.

    >>> orbit_count([(0, 1, 2), (0, 2, 1)], (100, 100, 100))   # 'ij,ik->jk' with X twice
    505000
    """
    total = sum(fixed_points(p, sizes) for p in perms)
    orbits, remainder = divmod(total, len(perms))
    if remainder:
        raise ValueError("orbit_count was given a set of permutations that is not a group")
    return orbits


def restrict(perms: Iterable[Sequence[int]], positions: Sequence[int]) -> frozenset[tuple[int, ...]]:
    """The permutations acting on ``positions`` only, renumbered 0..len(positions)-1.

    Every permutation must map the set ``positions`` onto itself; the result
    (the image of a group under restriction) is again a group.
    """
    index = {p: i for i, p in enumerate(positions)}
    out = set()
    for perm in perms:
        out.add(tuple(index[perm[p]] for p in positions))
    return frozenset(out)


def groups_from_permutations(
    perms: Collection[Sequence[int]],
    ndim: int,
    contains: Callable[[tuple[int, ...]], bool] | None = None,
) -> Symmetry:
    """The symmetry groups (S_k of axes or blocks) found inside a permutation group.

    A :class:`SymmetryGroup` can describe full symmetric groups of axes or of
    blocks of axes; a general permutation group (say the cyclic group of a
    trace ``'ij,jk,ki->'``) may contain more than these can express. This
    returns disjoint groups whose direct product is contained in the group,
    so a tensor declared with them never claims a symmetry it lacks:

    1. transpositions in the group join axes; each connected set of axes is
       fully symmetric (transpositions connecting a set generate all its
       permutations);
    2. among the remaining axes, involutions made of several swaps pair up
       blocks of axes; chains of such pairings form block groups, kept only
       if every generator of the block group is in the group.

    ``contains`` tests membership when ``perms`` lists only candidates (it
    defaults to membership in ``perms``).
    """
    members = frozenset(tuple(p) for p in perms)
    member = contains if contains is not None else members.__contains__
    identity = tuple(range(ndim))
    moved_of = {p: [a for a in range(ndim) if p[a] != a] for p in members if p != identity}

    # 1. transpositions -> fully symmetric sets of axes (union-find)
    parent = list(range(ndim))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p, moved in moved_of.items():
        if len(moved) == 2 and member(p):
            parent[find(moved[0])] = find(moved[1])
    components: dict[int, list[int]] = {}
    for a in range(ndim):
        components.setdefault(find(a), []).append(a)
    groups = [SymmetryGroup(*axes) for axes in components.values() if len(axes) >= 2]
    used = {a for g in groups for a in g.axes}

    # 2. multi-swap involutions -> block groups
    involutions = sorted(
        (p for p, moved in moved_of.items()
         if len(moved) >= 4 and not used.intersection(moved) and all(p[p[a]] == a for a in moved)),
        key=lambda p: (len(moved_of[p]), p),
    )
    chains: list[list[tuple[int, ...]]] = []
    for p in involutions:
        pairs = sorted((a, p[a]) for a in moved_of[p] if a < p[a])
        first = tuple(a for a, _ in pairs)
        second = tuple(b for _, b in pairs)
        _link(chains, first, second)
    for chain in chains:
        if len(chain) < 2:
            continue
        group = SymmetryGroup(*chain)
        if all(member(g) for g in group.generators(ndim)):
            groups.append(group)
    return tuple(sorted(groups, key=lambda g: g.axes))


def _link(chains: list[list[tuple[int, ...]]], first: tuple[int, ...], second: tuple[int, ...]) -> None:
    """Record that blocks ``first`` and ``second`` are exchanged, joining chains consistently."""
    def chain_of(block: tuple[int, ...]) -> tuple[list[tuple[int, ...]] | None, bool]:
        """The chain holding ``block`` exactly, and whether any chain overlaps it otherwise."""
        for chain in chains:
            for b in chain:
                if b == block:
                    return chain, False
                if set(b) & set(block):
                    return None, True
        return None, False

    a_chain, a_clash = chain_of(first)
    b_chain, b_clash = chain_of(second)
    if a_clash or b_clash:
        return
    if a_chain is None and b_chain is None:
        chains.append([first, second])
    elif a_chain is None:
        b_chain.append(first)
    elif b_chain is None:
        a_chain.append(second)
    elif a_chain is not b_chain:
        a_chain.extend(b_chain)
        chains.remove(b_chain)
