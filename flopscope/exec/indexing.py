"""Indexing of abstract arrays: NumPy's indexing rules applied to shapes.

Indexing is free (SPEC.md section 2), so these functions only derive the
result's shape. Basic indices (integers, slices, ``None``, ``...``) follow
directly from the index; integer index arrays broadcast together and land
either in place (when adjacent) or in front (when separated), exactly as
NumPy places them; a boolean mask whose values are unknown selects a
data-dependent number of elements, planned at its upper bound (every element
selected) and marked ``bound``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import broadcast_shapes
from flopscope.exec.shapes import is_arraylike

__all__ = ["index_shape", "getitem", "setitem"]


def _is_bool_index(item: Any) -> bool:
    if is_arraylike(item):
        return np.dtype(item.dtype) == np.bool_
    if isinstance(item, list):
        return np.asarray(item).dtype == np.bool_
    return isinstance(item, (bool, np.bool_))


def _expand(index: Any, ndim: int) -> list[Any]:
    items = list(index) if isinstance(index, tuple) else [index]
    consumed = 0
    for item in items:
        if item is None or item is Ellipsis:
            continue
        if _is_bool_index(item) and not isinstance(item, (bool, np.bool_)):
            consumed += len(np.shape(item)) if not is_arraylike(item) else len(item.shape)
        elif isinstance(item, (bool, np.bool_)):
            continue
        else:
            consumed += 1
    if sum(1 for i in items if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed"
        )
    if Ellipsis in [i for i in items if not is_arraylike(i) and not isinstance(i, list)]:
        pos = next(k for k, i in enumerate(items) if i is Ellipsis)
        items[pos : pos + 1] = [slice(None)] * (ndim - consumed)
    else:
        items.extend([slice(None)] * (ndim - consumed))
    return items


def index_shape(shape: tuple[int, ...], index: Any) -> tuple[tuple[int, ...], bool]:
    """Shape of ``x[index]`` for ``x`` of ``shape``; and whether it is an upper bound."""
    items = _expand(index, len(shape))
    out: list[Any] = []  # ints, or the marker "ADV" where advanced dims go
    adv_shapes: list[tuple[int, ...]] = []
    adv_positions: list[int] = []
    bound = False
    dim = 0
    for item in items:
        if item is None:
            out.append(1)
            continue
        if isinstance(item, slice):
            out.append(len(range(*item.indices(shape[dim]))))
            dim += 1
            continue
        if isinstance(item, (bool, np.bool_)):
            # A scalar boolean adds an axis of length 1 (True) or 0 (False).
            adv_shapes.append((1 if item else 0,))
            adv_positions.append(len(out))
            out.append("ADV")
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not -shape[dim] <= int(item) < shape[dim]:
                raise IndexError(
                    f"index {int(item)} is out of bounds for axis {dim} with size {shape[dim]}"
                )
            adv_shapes.append(())
            adv_positions.append(len(out))
            out.append("INT")
            dim += 1
            continue
        if _is_bool_index(item):
            mask_shape = tuple(item.shape) if is_arraylike(item) else np.shape(item)
            covered = shape[dim : dim + len(mask_shape)]
            if tuple(covered) != tuple(mask_shape):
                raise IndexError(
                    f"boolean index shape {mask_shape} does not match indexed shape {tuple(covered)}"
                )
            if is_arraylike(item) and not isinstance(item, np.ndarray):
                count = int(np.prod(mask_shape))
                bound = True
            else:
                count = int(np.count_nonzero(item))
            adv_shapes.append((count,))
            adv_positions.append(len(out))
            out.append("ADV")
            dim += len(mask_shape)
            continue
        # integer index array (or list)
        idx_shape = tuple(item.shape) if is_arraylike(item) else np.shape(item)
        adv_shapes.append(idx_shape)
        adv_positions.append(len(out))
        out.append("ADV")
        dim += 1
    has_arrays = any(marker == "ADV" for marker in out)
    if not has_arrays:
        return tuple(d for d in out if d != "INT"), False
    broadcast = broadcast_shapes(*adv_shapes)
    adjacent = adv_positions == list(range(adv_positions[0], adv_positions[0] + len(adv_positions)))
    basic = [d for d in out if d not in ("ADV", "INT")]
    if adjacent:
        first = adv_positions[0]
        before = [d for d in out[:first] if d not in ("ADV", "INT")]
        after = [d for d in out[first:] if d not in ("ADV", "INT")]
        return (*before, *broadcast, *after), bound
    return (*broadcast, *basic), bound


def _sources(*values: Any) -> tuple[int, ...] | None:
    srcs: list[int] = []
    for v in values:
        items = v if isinstance(v, tuple) else (v,)
        for item in items:
            src = getattr(item, "_fs_src", None)
            if src:
                srcs.extend(src)
    return tuple(dict.fromkeys(srcs)) or None


def getitem(x: Any, index: Any) -> Any:
    """``x[index]`` for an abstract ``x``: a new abstract array (free)."""
    from flopscope.exec.abstract import AbstractArray

    shape, bound = index_shape(tuple(x.shape), index)
    return AbstractArray(shape, x.dtype, src=_sources(x, index), bound=bound or x.bound)


def setitem(x: Any, index: Any, value: Any) -> None:
    """``x[index] = value`` for an abstract ``x``: checks shapes; nothing to compute."""
    target, _ = index_shape(tuple(x.shape), index)
    value_shape = tuple(getattr(value, "shape", np.shape(value)))
    try:
        broadcast_shapes(target, value_shape)
    except ValueError:
        raise ValueError(
            f"could not broadcast input array from shape {value_shape} into shape {target}"
        ) from None
    src = _sources(x, value)
    if src:
        x._fs_src = src
