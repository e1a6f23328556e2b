"""Shape rules of set operations: ``unique`` and its array-API forms, ``isin``, ``intersect1d``...

The number of distinct values is data dependent: results are planned at their
upper bound (every value distinct, no value shared) and marked ``bound``.
Inverse indices have a known shape. The array-API functions keep NumPy's
named-tuple result types.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib._arraysetops_impl import (
    UniqueAllResult,
    UniqueCountsResult,
    UniqueInverseResult,
)

from flopscope.cost._shapes import normalize_axis, numel, shape_of
from flopscope.exec.shapes import ArraySpec, is_arraylike, spec_of

__all__ = [
    "unique_shape", "unique_all_shape", "unique_counts_shape", "unique_inverse_shape",
    "unique_values_shape", "isin_shape", "intersect1d_shape", "setdiff1d_shape",
    "setxor1d_shape", "union1d_shape",
]

_INTP = np.dtype(np.intp)


def _dtype(x: Any) -> np.dtype:
    return np.dtype(x.dtype) if is_arraylike(x) else np.asarray(x).dtype


def _values(size: int, dtype: np.dtype) -> ArraySpec:
    return ArraySpec((size,), dtype, bound=True)


def _indices(size: int) -> ArraySpec:
    return ArraySpec((size,), _INTP, bound=True)


def unique_shape(ar: Any, return_index: bool = False, return_inverse: bool = False,
                 return_counts: bool = False, axis: Any = None, *, equal_nan: bool = True,
                 sorted: bool = True) -> Any:
    """``unique``: the distinct values (bound), then the requested index arrays."""
    spec = spec_of(ar)
    if axis is not None and spec.ndim > 1:
        ax = normalize_axis(axis, spec.ndim)
        n = spec.shape[ax]
        values = ArraySpec(spec.shape, spec.dtype, bound=True)
        inverse = ArraySpec((n,), _INTP)
    else:
        if axis is not None:
            normalize_axis(axis, spec.ndim)
        n = spec.size
        values = _values(n, spec.dtype)
        inverse = ArraySpec(spec.shape, _INTP)
    outputs = [values]
    if return_index:
        outputs.append(_indices(n))
    if return_inverse:
        outputs.append(inverse)
    if return_counts:
        outputs.append(_indices(n))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def unique_all_shape(x: Any) -> UniqueAllResult:
    """``unique_all``: values, first indices, inverse indices, counts."""
    values, index, inverse, counts = unique_shape(x, True, True, True)
    return UniqueAllResult(values, index, inverse, counts)


def unique_counts_shape(x: Any) -> UniqueCountsResult:
    """``unique_counts``: values and counts."""
    return UniqueCountsResult(*unique_shape(x, return_counts=True))


def unique_inverse_shape(x: Any) -> UniqueInverseResult:
    """``unique_inverse``: values and inverse indices."""
    return UniqueInverseResult(*unique_shape(x, return_inverse=True))


def unique_values_shape(x: Any) -> ArraySpec:
    """``unique_values``: the distinct values (bound)."""
    return unique_shape(x)


def isin_shape(element: Any, test_elements: Any, assume_unique: bool = False,
               invert: bool = False, *, kind: Any = None) -> ArraySpec:
    """``isin``: one boolean per element."""
    return ArraySpec(shape_of(element), np.dtype(bool))


def _sizes(ar1: Any, ar2: Any) -> tuple[int, int, np.dtype]:
    return numel(shape_of(ar1)), numel(shape_of(ar2)), np.result_type(_dtype(ar1), _dtype(ar2))


def intersect1d_shape(ar1: Any, ar2: Any, assume_unique: bool = False,
                      return_indices: bool = False) -> Any:
    """``intersect1d``: at most min(n1, n2) common values (bound), and their indices."""
    n1, n2, dtype = _sizes(ar1, ar2)
    common = _values(min(n1, n2), dtype)
    if return_indices:
        return common, _indices(min(n1, n2)), _indices(min(n1, n2))
    return common


def setdiff1d_shape(ar1: Any, ar2: Any, assume_unique: bool = False) -> ArraySpec:
    """``setdiff1d``: at most n1 values of the first input (bound)."""
    return _values(numel(shape_of(ar1)), _dtype(ar1))


def setxor1d_shape(ar1: Any, ar2: Any, assume_unique: bool = False) -> ArraySpec:
    """``setxor1d``: at most n1 + n2 values (bound; exactly 0 for two empty inputs)."""
    n1, n2, dtype = _sizes(ar1, ar2)
    if n1 + n2 == 0:
        return ArraySpec((0,), dtype)
    return _values(n1 + n2, dtype)


def union1d_shape(ar1: Any, ar2: Any) -> ArraySpec:
    """``union1d``: at most n1 + n2 values (bound)."""
    n1, n2, dtype = _sizes(ar1, ar2)
    return _values(n1 + n2, dtype)
