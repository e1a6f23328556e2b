"""Shape arithmetic used by cost and shape rules.

Everything here works on metadata only. An "array-like" is anything with a
``.shape`` (a NumPy array, an abstract array of a plan), a Python or NumPy
scalar (shape ``()``), or a nested sequence (its NumPy shape).
"""

from __future__ import annotations

from math import prod
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = [
    "numel",
    "shape_of",
    "broadcast_shapes",
    "normalize_axis",
    "normalize_axes",
    "reduced_shape",
    "ceil_log2",
]

_SCALAR_TYPES = (int, float, complex, bool, np.generic)


def numel(shape: Sequence[int]) -> int:
    """Number of elements of an array of ``shape`` (1 for ``()``)."""
    return prod(shape)


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of an array-like, without converting arrays."""
    shape = getattr(x, "shape", None)
    if shape is not None:
        return tuple(shape)
    if isinstance(x, _SCALAR_TYPES) or x is None:
        return ()
    return np.shape(x)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """NumPy broadcasting of ``shapes``; ``ValueError`` if they are incompatible.

    A plain-Python version of :func:`numpy.broadcast_shapes`, several times
    faster for the two or three small shapes of a typical call.
    """
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return tuple(shapes[0])
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        offset = ndim - len(shape)
        for i, dim in enumerate(shape):
            cur = result[offset + i]
            if dim == cur or dim == 1:
                continue
            if cur == 1:
                result[offset + i] = dim
            else:
                raise ValueError(
                    "operands could not be broadcast together with shapes "
                    + " ".join(str(tuple(s)) for s in shapes)
                )
    return tuple(result)


def normalize_axis(axis: int, ndim: int) -> int:
    """``axis`` as a non-negative index into ``ndim`` axes (NumPy's AxisError otherwise)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return int(axis) % ndim if ndim else 0


def normalize_axes(axis: int | Iterable[int] | None, ndim: int) -> tuple[int, ...]:
    """Axes to reduce over: all for ``None``, else normalized and checked for repeats."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        return (normalize_axis(axis, ndim),)
    axes = tuple(normalize_axis(a, ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError("duplicate value in 'axis'")
    return axes


def reduced_shape(shape: Sequence[int], axis: Any, keepdims: bool) -> tuple[int, ...]:
    """Shape after reducing ``shape`` over ``axis`` (with or without kept dims)."""
    axes = set(normalize_axes(axis, len(shape)))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def ceil_log2(n: int) -> int:
    """⌈log2 n⌉ for n >= 1 (0 for n <= 1), exactly, with integers."""
    return 0 if n <= 1 else (int(n) - 1).bit_length()
