"""Shape rules of sorting and selection: ``sort``, ``argsort``, ``lexsort``, ``partition``...

Sorting and partitioning keep the input's shape (flattened for
``axis=None``); the index-returning forms give ``intp`` arrays.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from flopscope.cost._shapes import normalize_axis
from flopscope.cost.sorting import sequence_shapes
from flopscope.exec.shapes import ArraySpec, is_arraylike, probe_dtype, spec_of

__all__ = [
    "sort_shape", "argsort_shape", "lexsort_shape", "sort_complex_shape", "partition_shape",
    "argpartition_shape", "no_result",
]

_INTP = np.dtype(np.intp)


def _along(a: Any, axis: Any, dtype: np.dtype | None = None) -> ArraySpec:
    """``a``'s spec (or its flattening for ``axis=None``), checking the axis, in ``dtype``."""
    spec = spec_of(a)
    dtype = spec.dtype if dtype is None else dtype
    if axis is None:
        return ArraySpec((spec.size,), dtype)
    normalize_axis(axis, spec.ndim)
    return ArraySpec(spec.shape, dtype)


def sort_shape(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *,
               stable: Any = None) -> ArraySpec:
    """``sort``: the input's shape and dtype (flattened for ``axis=None``)."""
    return _along(a, axis)


def argsort_shape(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *,
                  stable: Any = None) -> ArraySpec:
    """``argsort``: ``intp`` indices of the input's shape; a 0-d input gives one index."""
    if spec_of(a).ndim == 0:
        return ArraySpec((1,), _INTP)
    return _along(a, axis, _INTP)


def lexsort_shape(keys: Any, axis: int = -1) -> ArraySpec:
    """``lexsort``: ``intp`` indices of one key's shape."""
    shapes = sequence_shapes(keys)
    if not shapes:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if any(s != shapes[0] for s in shapes):
        raise ValueError("all keys need to be the same shape")
    if shapes[0]:
        normalize_axis(axis, len(shapes[0]))
    return ArraySpec(shapes[0], _INTP)


def sort_complex_shape(a: Any) -> ArraySpec:
    """``sort_complex``: the input's shape, promoted to a complex dtype."""
    spec = spec_of(a)
    normalize_axis(-1, spec.ndim)
    return ArraySpec(spec.shape, probe_dtype(np.sort_complex, a))


def _check_kth(kth: Any, n: int) -> None:
    """NumPy's range check of ``kth`` (values known only when they are not arrays)."""
    if is_arraylike(kth):
        return
    for k in np.atleast_1d(np.asarray(kth)).ravel():
        k = operator.index(k)
        if not -n <= k < n:
            raise ValueError(f"kth(={k}) out of bounds ({n})")


def partition_shape(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect",
                    order: Any = None) -> ArraySpec:
    """``partition``: the input's shape and dtype (flattened for ``axis=None``)."""
    spec = _along(a, axis)
    _check_kth(kth, spec.shape[-1] if axis is None else spec.shape[normalize_axis(axis, spec.ndim)])
    return spec


def argpartition_shape(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect",
                       order: Any = None) -> ArraySpec:
    """``argpartition``: ``intp`` indices of the input's shape; a 0-d input gives one index."""
    if spec_of(a).ndim == 0:
        _check_kth(kth, 1)
        return ArraySpec((1,), _INTP)
    spec = partition_shape(a, kth, axis, kind, order)
    return ArraySpec(spec.shape, _INTP)


def no_result(*args: Any, **kwargs: Any) -> None:
    """In-place methods (``x.sort()``, ``x.partition()``) return ``None``."""
    return None
