"""Indexing of abstract arrays: NumPy's indexing rules applied to shapes.

Indexing is free (SPEC.md section 2), so these functions only derive the
result's shape, following NumPy's rules (the "Indexing on ndarrays" page of
the NumPy manual):

* basic indices (integers, slices, ``None``, ``...``) act axis by axis;
  an integer removes its axis, ``None`` inserts one of length 1;
* advanced indices (integer arrays, boolean arrays, and, once any array is
  present, integer scalars too) broadcast together; their broadcast shape
  replaces the indexed axes in place when the advanced indices are adjacent,
  and goes first otherwise;
* a boolean array of ``k`` dimensions indexes ``k`` axes at once and selects
  as many elements as it has ``True`` values. When the mask is abstract, that
  count is data-dependent: it is planned at its upper bound (every element
  selected) and the result is marked ``bound``.

Errors are NumPy's: ``IndexError`` for out-of-range integers, too many
indices, mismatched boolean shapes, unbroadcastable index arrays and index
types NumPy rejects. Index *values* of abstract arrays are unknown, so their
bounds cannot be checked; an abstract value used where NumPy needs a Python
integer (a slice bound) raises :class:`~flopscope.errors.ConcretizationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np

from flopscope.cost._shapes import broadcast_shapes
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import set_source, source_of
from flopscope.exec.shapes import is_arraylike

__all__ = ["index_shape", "getitem", "setitem"]

_VALID = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer "
    "or boolean arrays are valid indices"
)


_GAP = object()  # where an ellipsis stood (see index_shape)


@dataclass(frozen=True, slots=True)
class _Advanced:
    """One advanced index: the axes it consumes and the shape it broadcasts with."""

    consumes: int
    shape: tuple[int, ...]
    bound: bool = False


def _is_int(item: Any) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def _classify(item: Any) -> Any:
    """``None``, ``Ellipsis``, a slice, an ``int``, or an :class:`_Advanced` / array record."""
    if item is None or item is Ellipsis or isinstance(item, slice):
        return item
    if _is_int(item):
        return int(item)
    if isinstance(item, (bool, np.bool_)):
        # A scalar boolean is a 0-d mask: a new axis of length 1 (True) or 0 (False).
        return _Advanced(0, (1 if item else 0,)), None, None
    if is_arraylike(item):
        shape, dtype, concrete = tuple(item.shape), np.dtype(item.dtype), isinstance(item, np.ndarray)
        values = item if concrete else None
        if concrete and not shape and dtype.kind in "iu":
            return int(item)  # NumPy reads a 0-d integer array as an integer
    elif isinstance(item, (list, tuple)):
        values = np.asarray(item)
        if values.size == 0 and values.dtype == np.float64:
            values = values.astype(np.intp)  # NumPy reads an empty list as an integer index
        shape, dtype, concrete = values.shape, values.dtype, True
    elif hasattr(item, "__index__"):
        return int(item.__index__())
    else:
        raise IndexError(_VALID)
    if dtype == np.bool_:
        if concrete:
            return _Advanced(len(shape), (int(np.count_nonzero(values)),)), shape, values
        return _Advanced(len(shape), (prod(shape) if shape else 1,), bound=True), shape, None
    if dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return _Advanced(1, shape), None, values


def index_shape(shape: tuple[int, ...], index: Any) -> tuple[tuple[int, ...], bool]:
    """Shape of ``x[index]`` for ``x`` of ``shape``; and whether it is an upper bound."""
    ndim = len(shape)
    raw = list(index) if isinstance(index, tuple) else [index]
    items = [_classify(item) for item in raw]
    consumed = 0
    ellipses = 0
    for item in items:
        if item is Ellipsis:
            ellipses += 1
        elif item is None:
            continue
        elif isinstance(item, tuple):  # (advanced, mask shape or None, values)
            consumed += item[0].consumes
        else:
            consumed += 1
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed"
        )
    fill = [slice(None)] * (ndim - consumed)
    if ellipses:
        # NumPy counts an ellipsis as separating advanced indices even when it
        # stands for no axes, so a gap marker stays in its place.
        at = items.index(Ellipsis)
        items[at : at + 1] = [_GAP, *fill]
    else:
        items.extend(fill)

    basic: list[int] = []  # output axes of basic indices, in order
    advanced: list[_Advanced] = []
    first_at = -1  # position in ``basic`` where the advanced block goes, if adjacent
    last_item = -2  # item number of the previous advanced index
    adjacent = True
    ints: list[int] = []  # item numbers of integer scalars (advanced only if arrays exist)
    bounds_checks: list[tuple] = []  # concrete index arrays, checked if anything is selected
    axis = 0
    for number, item in enumerate(items):
        if item is None:
            basic.append(1)
        elif item is _GAP:
            continue
        elif isinstance(item, slice):
            basic.append(len(range(*item.indices(shape[axis]))))
            axis += 1
        else:
            if isinstance(item, int):
                size = shape[axis]
                if not -size <= item < size:
                    raise IndexError(
                        f"index {item} is out of bounds for axis {axis} with size {size}"
                    )
                record = _Advanced(1, ())
                ints.append(number)
            else:
                record, mask_shape, values = item
                if mask_shape is not None:
                    _check_mask(shape, axis, mask_shape)
                elif values is not None and values.size:
                    bounds_checks.append((values, shape[axis], axis))
            if first_at < 0:
                first_at = len(basic)
            elif last_item != number - 1:
                adjacent = False
            last_item = number
            advanced.append(record)
            axis += record.consumes
    if len(ints) == len(advanced):  # integers only: basic indexing, each removes its axis
        return tuple(basic), False
    try:
        broadcast = broadcast_shapes(*(a.shape for a in advanced))
    except ValueError:
        shapes = " ".join(str(a.shape) for a in advanced if a.shape)
        raise IndexError(
            f"shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}"
        ) from None
    if prod(broadcast):  # NumPy checks index arrays only when they select something
        for values, size, axis in bounds_checks:
            _check_bounds(values, size, axis)
    bound = any(a.bound for a in advanced)
    if adjacent:
        return (*basic[:first_at], *broadcast, *basic[first_at:]), bound
    return (*broadcast, *basic), bound


def _check_mask(shape: tuple[int, ...], axis: int, mask_shape: tuple[int, ...]) -> None:
    for k, size in enumerate(mask_shape):
        if shape[axis + k] != size:
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis + k}; size of "
                f"axis is {shape[axis + k]} but size of corresponding boolean axis is {size}"
            )


def _check_bounds(values: np.ndarray, size: int, axis: int) -> None:
    low, high = int(values.min()), int(values.max())
    bad = high if high >= size else (low if low < -size else None)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {size}")


def _sources(*values: Any) -> tuple[int, ...] | None:
    srcs: list[int] = []
    for v in values:
        items = v if isinstance(v, tuple) else (v,)
        for item in items:
            src = source_of(item) if isinstance(item, FArray) else getattr(item, "_fs_src", None)
            if src:
                srcs.extend(src)
    return tuple(dict.fromkeys(srcs)) or None


def getitem(x: Any, index: Any) -> Any:
    """``x[index]`` for an abstract ``x``: a new abstract value (free, nothing recorded).

    As in NumPy, indexing every axis with an integer gives a scalar
    (:class:`~flopscope.exec.abstract.AbstractPlain`), while ``x[..., 0]``
    and the like give 0-d arrays; indexing a plain (NumPy-owned) value gives
    plain values.
    """
    from flopscope.exec.abstract import AbstractArray, AbstractPlain

    shape = x.shape
    plain = isinstance(x, AbstractPlain)
    if x.tags.get("symmetry"):
        return _symmetric_getitem(x, index)
    if _is_int(index) and shape:  # the loop-body case, x[i], without the general machinery
        size = shape[0]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for axis 0 with size {size}")
        cls = AbstractPlain if plain or len(shape) == 1 else AbstractArray
        return cls(shape[1:], x.dtype, src=x._fs_src, bound=x.bound and len(shape) > 1)
    result, bound = index_shape(tuple(shape), index)
    items = index if isinstance(index, tuple) else (index,)
    scalar = not result and not any(item is Ellipsis for item in items)
    cls = AbstractPlain if plain or scalar else AbstractArray
    return cls(result, x.dtype, src=_sources(x, index), bound=(bound or x.bound) and bool(result))


def _symmetric_getitem(x: Any, index: Any) -> Any:
    """``x[index]`` for an abstract array with declared symmetry: the indexing rule
    of :mod:`flopscope.symmetry.propagation` decides which groups survive."""
    from flopscope.symmetry.propagation import index_rule, warn_lost

    tags = x.tags
    x.tags = {}
    try:
        result = getitem(x, index)
    finally:
        x.tags = tags
    kept, lost = index_rule(tuple(x.shape), tags["symmetry"], index)
    warn_lost("indexing", lost, "the array", x)
    if kept and hasattr(result, "tags"):
        result.tags = {**result.tags, "symmetry": kept}
    return result


def setitem(x: Any, index: Any, value: Any) -> None:
    """``x[index] = value`` for an abstract ``x``: checks shapes; nothing to compute.

    ``x`` then also depends on ``value`` (and on abstract index arrays).
    """
    target, _ = index_shape(tuple(x.shape), index)
    value_shape = tuple(value.shape) if is_arraylike(value) else np.shape(value)
    trimmed = value_shape
    while trimmed and trimmed[0] == 1 and len(trimmed) > len(target):
        trimmed = trimmed[1:]  # NumPy drops leading unit axes of the value
    try:
        fits = broadcast_shapes(target, trimmed) == tuple(target)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"could not broadcast input array from shape {tuple(value_shape)} into shape "
            f"{tuple(target)}"
        )
    src = _sources(x, value, index)
    if src:
        set_source(x, src)
