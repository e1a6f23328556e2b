"""How declared symmetry flows through operations (the seeds' propagation rules).

Every rule is a pure function of shapes, groups and the operation's
parameters; it returns the symmetry of the result and the groups the
operation *lost*. A group is lost when its axes all live on in the result but
the result is no longer symmetric in them: an operand of a binary op that is
not symmetric in those axes, slices that differ between the exchanged axes, a
reshape that merges or splits one of them. Losing a group emits
:class:`~flopscope.errors.SymmetryLossWarning` (``flops.configure(
symmetry_warnings=False)`` turns that off). Axes that disappear by design
(reduced, indexed with an integer) shrink a group without a warning.

=====================  =========================================================
operation              result symmetry
=====================  =========================================================
unary pointwise        the input's
binary pointwise       the intersection of the operands' groups; an operand that
                       is constant along a group's axes (a scalar, a broadcast
                       dimension) does not break it
reduction              blocks are regrouped by which of their positions are
                       reduced; blocks with the same pattern stay exchangeable,
                       and their kept positions form the result's groups
cumulative (cumsum)    groups not containing the scanned axis
transpose / moveaxis   the same groups on the permuted axes
reshape / squeeze      groups whose axes the reshape leaves untouched (each maps
                       to one result axis of the same length)
indexing               blocks given identical indices stay exchangeable;
                       integer indices remove positions, slices keep them
=====================  =========================================================
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import defaultdict
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np

from flopscope._config import SETTINGS
from flopscope.cost._shapes import broadcast_shapes, normalize_axis
from flopscope.errors import SymmetryLossWarning
from flopscope.symmetry.counting import groups_from_permutations
from flopscope.symmetry.groups import Symmetry, SymmetryGroup

__all__ = [
    "Lost",
    "warn_lost",
    "contains",
    "pointwise_rule",
    "reduction_rule",
    "cumulative_rule",
    "transpose_rule",
    "reshape_rule",
    "broadcast_rule",
    "index_rule",
]

#: (group, why) pairs: declared groups an operation dropped.
Lost = list[tuple[SymmetryGroup, str]]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


#: Whether the symmetry the current call may drop was declared by the user
#: (``as_symmetric`` / ``symmetrize``, or carried from such an array): set by
#: the symmetry pass around its ``post`` step; ``None`` outside it.
DECLARED: ContextVar[bool | None] = ContextVar("flopscope_symmetry_declared", default=None)


def is_declared(x: Any) -> bool:
    """True if ``x``'s symmetry goes back to a user's declaration, not to flopscope's inference."""
    if getattr(x, "_fs_declared", False):
        return True
    tags = getattr(x, "tags", None)
    return type(tags) is dict and bool(tags.get("symmetry_declared"))


def warn_lost(op_name: str, lost: Lost, what: str = "its input", subject: Any = None) -> None:
    """Emit one :class:`SymmetryLossWarning` per lost group, pointing at the user's line.

    Only symmetry the user declared is worth a warning: symmetry flopscope
    inferred (``X @ X.T``) was never promised, so dropping it is silent.
    ``subject`` is the array that lost groups, when the caller has it;
    otherwise :data:`DECLARED` (set by the symmetry pass) decides.
    """
    if not lost or not SETTINGS.symmetry_warnings:
        return
    declared = is_declared(subject) if subject is not None else DECLARED.get()
    if declared is False:
        return
    frame = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    for group, why in lost:
        warnings.warn(
            f"{op_name} dropped the symmetry {group} of {what}: {why}. The result does not "
            "carry it; declare it again with flops.as_symmetric(...) if it still holds "
            "(flops.configure(symmetry_warnings=False) silences this warning)",
            SymmetryLossWarning,
            stacklevel=level,
        )


def contains(symmetry: Sequence[SymmetryGroup], perm: Sequence[int]) -> bool:
    """True if axis permutation ``perm`` belongs to the product of ``symmetry``'s groups."""
    moved = {a for a in range(len(perm)) if perm[a] != a}
    for group in symmetry:
        if not moved.intersection(group.axes):
            continue
        if not group.contains(perm):
            return False
        moved.difference_update(group.axes)
    return not moved


def _block_swaps(group: SymmetryGroup, ndim: int) -> list[tuple[int, ...]]:
    """Every exchange of two blocks of ``group``, as axis permutations."""
    swaps = []
    for i, first in enumerate(group.blocks):
        for second in group.blocks[i + 1:]:
            perm = list(range(ndim))
            for a, b in zip(first, second):
                perm[a], perm[b] = b, a
            swaps.append(tuple(perm))
    return swaps


# -- pointwise -------------------------------------------------------------------------------


def pointwise_rule(
    operands: Sequence[tuple[tuple[int, ...], Symmetry]],
    out_shape: tuple[int, ...] | None = None,
) -> tuple[Symmetry, tuple[tuple[int, SymmetryGroup, str], ...]]:
    """Symmetry of an elementwise result and the operand groups it drops.

    ``operands`` are ``(shape, symmetry)`` pairs (``()`` for scalars). The
    result is invariant under an axis permutation exactly when every operand
    is: an operand is invariant when the permutation maps the axes it varies
    along onto themselves and, on those, belongs to its declared groups.
    Returns the result's groups and ``(operand index, group, why)`` for each
    declared group that does not survive.
    """
    operands = tuple((tuple(shape), tuple(symmetry)) for shape, symmetry in operands)
    if out_shape is None:
        out_shape = broadcast_shapes(*[shape for shape, _ in operands])
    return _pointwise(operands, tuple(out_shape))


@lru_cache(maxsize=1024)
def _pointwise(operands: tuple[tuple[tuple[int, ...], Symmetry], ...],
               out_shape: tuple[int, ...]) -> tuple[Symmetry, tuple[tuple[int, SymmetryGroup, str], ...]]:
    ndim = len(out_shape)
    # Each operand's groups on output axes, and the output axes it varies along.
    mapped: list[Symmetry] = []
    varying: list[frozenset[int]] = []
    for shape, symmetry in operands:
        offset = ndim - len(shape)
        vary = frozenset(offset + i for i, d in enumerate(shape) if d > 1 and out_shape[offset + i] == d)
        groups = tuple(g.remap({a: a + offset for a in g.axes}) for g in symmetry)
        mapped.append(tuple(g for g in groups if set(g.axes) <= vary))
        varying.append(vary)

    def member(perm: tuple[int, ...]) -> bool:
        if any(out_shape[perm[a]] != out_shape[a] for a in range(ndim)):
            return False
        return all(_operand_invariant(groups, vary, perm) for groups, vary in zip(mapped, varying))

    candidates = {p for groups in mapped for g in groups for p in _block_swaps(g, ndim)}
    result = groups_from_permutations(candidates, ndim, contains=member) if candidates else ()
    lost = []
    for index, groups in enumerate(mapped):
        for g in groups:
            if not all(contains(result, p) for p in g.generators(ndim)):
                lost.append((index, g, _pointwise_reason(g, index, mapped, varying, ndim)))
    return result, tuple(lost)


def _operand_invariant(groups: Symmetry, vary: frozenset[int], perm: Sequence[int]) -> bool:
    """Is an operand varying along ``vary`` with ``groups`` unchanged by the axis permutation?

    It must map the varying axes onto themselves, act on them as an element of
    the declared groups, and fix every varying axis no group covers.
    """
    if {perm[a] for a in vary} != vary:
        return False
    covered = set().union(*(g.axes for g in groups)) if groups else set()
    if any(perm[a] != a for a in vary if a not in covered):
        return False
    return all(g.contains(perm) for g in groups)


def _pointwise_reason(g: SymmetryGroup, index: int, mapped: list[Symmetry],
                      varying: list[frozenset[int]], ndim: int) -> str:
    for other, (groups, vary) in enumerate(zip(mapped, varying)):
        if other != index and not all(_operand_invariant(groups, vary, p) for p in g.generators(ndim)):
            return f"operand {other} is not symmetric in axes {', '.join(map(str, g.axes))}"
    return "the operands' shapes do not allow it"


# -- reductions ----------------------------------------------------------------------------------


def _regroup(group: SymmetryGroup, key: Callable[[tuple[int, ...]], tuple]) -> list[list[tuple[int, ...]]]:
    """Blocks of ``group`` partitioned by ``key``; each class is still exchangeable."""
    classes: dict[tuple, list[tuple[int, ...]]] = defaultdict(list)
    for block in group.blocks:
        classes[key(block)].append(block)
    return list(classes.values())


@lru_cache(maxsize=1024)
def reduction_rule(
    shape: tuple[int, ...], symmetry: Symmetry, axes: tuple[int, ...], keepdims: bool = False,
) -> tuple[Symmetry, Symmetry]:
    """(symmetry the reduction can exploit, symmetry of the result).

    The reduction may exploit the permutations that map reduced axes to
    reduced axes: within one group, those permuting blocks whose positions are
    reduced in the same pattern. Each class of equal-pattern blocks is a group
    on the input; its blocks' kept positions form a group on the result
    (renumbered unless ``keepdims``).
    """
    reduced = set(axes)
    usable: list[SymmetryGroup] = []
    result: list[SymmetryGroup] = []
    kept_axes = [a for a in range(len(shape)) if a not in reduced]
    new_index = {a: a for a in kept_axes} if keepdims else {a: i for i, a in enumerate(kept_axes)}
    for group in symmetry:
        for blocks in _regroup(group, lambda b: tuple(a in reduced for a in b)):
            if len(blocks) < 2:
                continue
            usable.append(SymmetryGroup(*blocks))
            kept = [r for r, a in enumerate(blocks[0]) if a not in reduced]
            if kept:
                result.append(SymmetryGroup(*(tuple(new_index[b[r]] for r in kept) for b in blocks)))
    return tuple(sorted(usable, key=lambda g: g.axes)), tuple(sorted(result, key=lambda g: g.axes))


def cumulative_rule(shape: tuple[int, ...], symmetry: Symmetry, axis: int) -> tuple[Symmetry, Lost]:
    """Symmetry of a scan along ``axis`` (same shape): blocks not containing the axis.

    ``shape`` is accepted for uniformity with the other rules; a scan keeps it.
    """
    kept: list[SymmetryGroup] = []
    lost: Lost = []
    for group in symmetry:
        if axis not in group.axes:
            kept.append(group)
            continue
        others = [b for b in group.blocks if axis not in b]
        if len(others) >= 2:
            kept.append(SymmetryGroup(*others))
        lost.append((group, f"the scan runs along axis {axis}, which the group exchanges"))
    return tuple(sorted(kept, key=lambda g: g.axes)), lost


# -- views -----------------------------------------------------------------------------------------


def transpose_rule(symmetry: Symmetry, perm: Sequence[int]) -> Symmetry:
    """Groups after ``transpose(perm)``: result axis j is input axis ``perm[j]``."""
    return _transposed(tuple(symmetry), tuple(perm))


@lru_cache(maxsize=1024)
def _transposed(symmetry: Symmetry, perm: tuple[int, ...]) -> Symmetry:
    where = {old: new for new, old in enumerate(perm)}
    return tuple(sorted((g.remap(where) for g in symmetry), key=lambda g: g.axes))


def _untouched_axes(old: tuple[int, ...], new: tuple[int, ...]) -> dict[int, int]:
    """Input axes a C-order reshape leaves intact, mapped to their result axes.

    Length-1 axes aside, a reshape groups consecutive input axes with
    consecutive result axes of equal total size; an input axis alone in its
    group, facing a single result axis, keeps its index meaning.
    """
    o = [a for a, d in enumerate(old) if d != 1]
    n = [b for b, d in enumerate(new) if d != 1]
    if 0 in old or 0 in new:
        return {}
    mapping: dict[int, int] = {}
    i = j = 0
    while i < len(o) and j < len(n):
        i0, j0 = i, j
        po, pn = old[o[i]], new[n[j]]
        i += 1
        j += 1
        while po != pn:
            if po < pn:
                if i == len(o):
                    return mapping
                po *= old[o[i]]
                i += 1
            else:
                if j == len(n):
                    return mapping
                pn *= new[n[j]]
                j += 1
        if i - i0 == 1 and j - j0 == 1:
            mapping[o[i0]] = n[j0]
    return mapping


def reshape_rule(old: tuple[int, ...], new: tuple[int, ...], symmetry: Symmetry,
                 order: str = "C") -> tuple[Symmetry, Lost]:
    """Groups surviving a reshape from ``old`` to ``new`` (``order`` 'C' or 'F')."""
    kept, lost = _reshaped(tuple(old), tuple(new), tuple(symmetry), order)
    return kept, list(lost)


@lru_cache(maxsize=1024)
def _reshaped(old: tuple[int, ...], new: tuple[int, ...], symmetry: Symmetry,
              order: str) -> tuple[Symmetry, tuple[tuple[SymmetryGroup, str], ...]]:
    if old == new:
        return symmetry, ()
    if order == "F":
        back = _untouched_axes(old[::-1], new[::-1])
        mapping = {len(old) - 1 - a: len(new) - 1 - b for a, b in back.items()}
    else:
        mapping = _untouched_axes(old, new)
    kept: list[SymmetryGroup] = []
    lost: Lost = []
    for group in symmetry:
        if all(a in mapping for a in group.axes):
            kept.append(group.remap(mapping))
        else:
            touched = [str(a) for a in group.axes if a not in mapping]
            noun = "axis" if len(touched) == 1 else "axes"
            lost.append((group, f"reshaping {old} to {new} merges or splits {noun} {', '.join(touched)}"))
    return tuple(sorted(kept, key=lambda g: g.axes)), tuple(lost)


def broadcast_rule(old: tuple[int, ...], new: tuple[int, ...], symmetry: Symmetry) -> Symmetry:
    """Groups after ``broadcast_to``: axes keep their meaning unless stretched from length 1."""
    offset = len(new) - len(old)
    kept = []
    for group in symmetry:
        if all(old[a] == new[a + offset] for a in group.axes):
            kept.append(group.remap({a: a + offset for a in group.axes}))
    return tuple(kept)


# -- indexing --------------------------------------------------------------------------------------


def _is_advanced(item: Any) -> bool:
    return hasattr(item, "shape") or isinstance(item, (list, bool, np.bool_))


def _expand_index(index: Any, ndim: int) -> list[Any]:
    items = list(index) if type(index) is tuple else [index]
    consumed = 0
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (bool, np.bool_)):
            continue
        if hasattr(item, "dtype") and np.dtype(item.dtype) == np.bool_:
            consumed += len(item.shape)
        elif isinstance(item, list) and np.asarray(item).dtype == np.bool_:
            consumed += np.asarray(item).ndim
        else:
            consumed += 1
    if Ellipsis in [i for i in items if not _is_advanced(i)]:
        at = next(k for k, i in enumerate(items) if i is Ellipsis)
        items[at:at + 1] = [slice(None)] * (ndim - consumed)
    else:
        items.extend([slice(None)] * (ndim - consumed))
    return items


def _slice_key(item: slice, length: int) -> tuple[int, int, int]:
    r = range(*item.indices(length))
    return (r[0] if len(r) else 0, len(r), r.step if len(r) > 1 else 1)


def index_rule(shape: tuple[int, ...], symmetry: Symmetry, index: Any) -> tuple[Symmetry, Lost]:
    """Groups surviving ``x[index]`` for ``x`` of ``shape`` (call after NumPy accepted the index).

    Blocks receiving identical indices (the same integers at the same
    positions, slices selecting the same range) remain exchangeable; integer
    positions disappear from them. A block indexed with an array (advanced
    indexing) leaves its group.
    """
    ndim = len(shape)
    items = _expand_index(index, ndim)
    advanced = any(_is_advanced(i) for i in items)
    # Per input axis: ("int", v) | ("slice", key) | ("adv",); and result positions.
    per_axis: dict[int, tuple] = {}
    entries: list[tuple] = []  # ("old", axis) | ("new",) | ("adv",)
    adv_positions: list[int] = []
    adv_shapes: list[tuple[int, ...]] = []
    axis = 0
    for item in items:
        if item is None:
            entries.append(("new",))
        elif isinstance(item, slice):
            per_axis[axis] = ("slice", _slice_key(item, shape[axis]))
            entries.append(("old", axis))
            axis += 1
        elif isinstance(item, (bool, np.bool_)):
            adv_positions.append(len(entries))
            adv_shapes.append((1,))  # a scalar mask adds one axis (of length 0 or 1)
            entries.append(("adv",))
        elif _is_advanced(item):
            arr = np.asarray(item) if isinstance(item, list) else item
            mask = np.dtype(arr.dtype) == np.bool_
            width = len(arr.shape) if mask else 1  # input axes the index consumes
            for a in range(axis, axis + width):
                per_axis[a] = ("adv",)
            adv_positions.append(len(entries))
            adv_shapes.append((1,) if mask else tuple(arr.shape))  # a mask selects along one axis
            entries.append(("adv",))
            axis += width
        else:  # an integer
            per_axis[axis] = ("int", int(item))
            if advanced:
                adv_positions.append(len(entries))
                adv_shapes.append(())
                entries.append(("adv",))
            axis += 1
    # Result axis of each surviving input axis.
    if advanced:
        width = len(broadcast_shapes(*adv_shapes))
        adjacent = adv_positions == list(range(adv_positions[0], adv_positions[0] + len(adv_positions)))
        basic = [e for e in entries if e[0] != "adv"]
        if adjacent:
            first = adv_positions[0]
            before = [e for e in entries[:first] if e[0] != "adv"]
            after = [e for e in entries[first:] if e[0] != "adv"]
            layout = before + [("adv",)] * width + after
        else:
            layout = [("adv",)] * width + basic
    else:
        layout = entries
    new_axis = {e[1]: j for j, e in enumerate(layout) if e[0] == "old"}

    kept: list[SymmetryGroup] = []
    lost: Lost = []
    for group in symmetry:
        keys = {b: tuple(per_axis.get(a, ("slice", None)) for a in b) for b in group.blocks}
        surviving = [b for b in group.blocks if any(k[0] == "slice" for k in keys[b])
                     and not any(k[0] == "adv" for k in keys[b])]
        touched = any(k[0] == "adv" for b in group.blocks for k in keys[b])
        classes = [c for c in _regroup(group, keys.__getitem__) if c[0] in surviving]
        for blocks in classes:
            if len(blocks) >= 2:
                positions = [r for r, k in enumerate(keys[blocks[0]]) if k[0] == "slice"]
                kept.append(SymmetryGroup(*(tuple(new_axis[b[r]] for r in positions) for b in blocks)))
        if surviving and (touched or len(classes) > 1):
            why = ("an index array selects along an exchanged axis" if touched
                   else "the exchanged axes are indexed differently")
            lost.append((group, why))
    return tuple(sorted(kept, key=lambda g: g.axes)), lost


def normalize_axis_arg(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """``axis`` of a reduction as a tuple of non-negative axes (``None`` for all)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(normalize_axis(a, ndim) for a in axis)
    return (normalize_axis(axis, ndim),)

