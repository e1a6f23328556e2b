"""Set-operation costs: ``unique`` (and array-API forms), ``isin``, ``intersect1d``, ``union1d``...

NumPy's set routines are sort-based: sorting brings equal values together
(Knuth, *The Art of Computer Programming* vol. 3, introduction to chapter 5),
then one linear pass compares each value with its neighbour. flopscope
charges the sort n·⌈log2 n⌉ (:mod:`flopscope.cost.sorting`) plus n for the
pass, with extra linear passes where NumPy makes them (the inverse index, the
counts). Two refinements follow NumPy's actual code:

* ``unique_values`` (and ``unique(..., sorted=False)`` with no extra
  outputs) collects the values of the dtypes NumPy hashes (integers,
  complex, datetime64; asked of NumPy, see :func:`hashes_uniques`) in a
  hash table, one insertion per value (n);
* ``isin`` compares every value with every test value when the test set is
  very small (NumPy's threshold ``len(test) < 10·len(element)^0.145``), and
  uses a lookup table for integers whose range allows it.

Sizes that depend on the data (the number of distinct values, which of two
branches NumPy takes for integers) are charged at their upper bound, so
a set operation on n values never costs more than its bound.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from flopscope.cost._shapes import normalize_axis, numel, shape_of
from flopscope.cost.sorting import sort_cost

__all__ = [
    "unique_cost", "unique_all_cost", "unique_counts_cost", "unique_inverse_cost",
    "unique_values_cost", "isin_cost", "intersect1d_cost", "setdiff1d_cost", "setxor1d_cost",
    "union1d_cost",
    "unique_call_cost", "unique_all_call_cost", "unique_counts_call_cost",
    "unique_inverse_call_cost", "unique_values_call_cost", "isin_call_cost",
    "intersect1d_call_cost", "setdiff1d_call_cost", "setxor1d_call_cost", "union1d_call_cost",
    "hashes_uniques",
]

_INTEGER_KINDS = "biu"


def _dtype(x: Any) -> np.dtype:
    dtype = getattr(x, "dtype", None)
    return np.dtype(dtype) if dtype is not None else np.asarray(x).dtype


def _size(x: Any) -> int:
    return numel(shape_of(x))


@lru_cache(maxsize=None)
def hashes_uniques(dtype: np.dtype) -> bool:
    """Whether NumPy collects unique values of ``dtype`` with a hash table (asked of NumPy once)."""
    try:
        from numpy._core._multiarray_umath import _unique_hash
    except ImportError:  # a NumPy without the hash-based path
        return False
    try:
        return _unique_hash(np.zeros(1, dtype=dtype), equal_nan=True) is not NotImplemented
    except TypeError:
        return False


# == unique ===================================================================================


def unique_cost(n: int, *, width: int = 1, inverse: bool = False, counts: bool = False,
                hashed: bool = False, sort_result: bool = True) -> int:
    """``unique`` of n values (or of n rows of ``width`` values with ``axis=``).

    Sort-based: a sort (an argsort when indices are asked for), n·⌈log2 n⌉,
    and the neighbour comparison, n; comparing rows of ``width`` values costs
    ``width`` per comparison. ``return_inverse`` adds a cumulative sum of the
    distinct-value flags and its shift by one (2n), ``return_counts`` the
    positions of the flags and their differences (2n, at the bound of n
    distinct values).

    Hash-based (``hashed``, see :func:`hashes_uniques`): one insertion per
    value (n), plus a sort of the distinct values when ``sort_result``
    (charged at its bound, n·⌈log2 n⌉), the same total as the sort path.

    >>> unique_cost(1024)
    11264
    >>> unique_cost(1024, inverse=True, counts=True)
    15360
    """
    if hashed:
        return n + (sort_cost(n) if sort_result else 0)
    return width * (sort_cost(n) + n) + 2 * n * inverse + 2 * n * counts


def unique_all_cost(n: int) -> int:
    """``unique_all``: values, first indices, inverse and counts (:func:`unique_cost`)."""
    return unique_cost(n, inverse=True, counts=True)


def unique_counts_cost(n: int) -> int:
    """``unique_counts``: values and counts (:func:`unique_cost` with counts)."""
    return unique_cost(n, counts=True)


def unique_inverse_cost(n: int) -> int:
    """``unique_inverse``: values and inverse (:func:`unique_cost` with the inverse)."""
    return unique_cost(n, inverse=True)


def unique_values_cost(n: int, hashed: bool = False) -> int:
    """``unique_values``: unsorted distinct values, n with a hash table, else the sort path.

    >>> unique_values_cost(1024, hashed=True), unique_values_cost(1024)
    (1024, 11264)
    """
    return unique_cost(n, hashed=hashed, sort_result=False)


def unique_call_cost(ar: Any, return_index: bool = False, return_inverse: bool = False,
                     return_counts: bool = False, axis: Any = None, *, equal_nan: bool = True,
                     sorted: bool = True) -> int:
    """Cost rule of ``unique``."""
    shape = shape_of(ar)
    if axis is not None:
        ax = normalize_axis(axis, len(shape))
        if len(shape) > 1:
            n = shape[ax]
            width = numel(shape) // n if n else numel(shape[:ax] + shape[ax + 1:])
            return unique_cost(n, width=width, inverse=return_inverse, counts=return_counts)
    n = numel(shape)
    plain = not (return_index or return_inverse or return_counts)
    hashed = plain and hashes_uniques(_dtype(ar))
    return unique_cost(n, inverse=return_inverse, counts=return_counts, hashed=hashed,
                       sort_result=bool(sorted))


def unique_all_call_cost(x: Any) -> int:
    """Cost rule of ``unique_all``."""
    return unique_all_cost(_size(x))


def unique_counts_call_cost(x: Any) -> int:
    """Cost rule of ``unique_counts``."""
    return unique_counts_cost(_size(x))


def unique_inverse_call_cost(x: Any) -> int:
    """Cost rule of ``unique_inverse``."""
    return unique_inverse_cost(_size(x))


def unique_values_call_cost(x: Any) -> int:
    """Cost rule of ``unique_values``."""
    return unique_values_cost(_size(x), hashes_uniques(_dtype(x)))


# == membership ================================================================================


def _pairwise_threshold(n1: int) -> float:
    """NumPy compares pairwise when the test set is shorter than this."""
    return 10 * n1 ** 0.145


def _comparison_cost(n1: int, n2: int, assume_unique: bool, exact_sizes: bool) -> int:
    """The pairwise or the sort-based branch of ``isin`` (the larger one for bound sizes)."""
    total = n1 + n2
    dedup = 0 if assume_unique else unique_cost(n1, inverse=True) + unique_cost(n2)
    sort_based = dedup + sort_cost(total) + total
    if exact_sizes:
        return 2 * n1 * n2 if n2 < _pairwise_threshold(n1) else sort_based
    largest_pairwise_set = min(n2, max(math.ceil(_pairwise_threshold(n1)) - 1, 0))
    return max(sort_based, 2 * n1 * largest_pairwise_set)


def isin_cost(n1: int, n2: int, *, assume_unique: bool = False, integer: bool = False,
              kind: str | None = None, exact_sizes: bool = True) -> int:
    """``isin`` of n1 elements in a set of n2 test values.

    NumPy's branches, by size and dtype:

    * integers with ``kind`` None or ``'table'``: the min and max of the
      test values (2·n2), then, when their range is small enough (data
      dependent), a lookup table: the test values' offsets (n2) and, per
      element, the range test, its and, the offset and the lookup (4·n1).
      ``kind='table'`` always takes it; with ``kind=None`` NumPy may fall
      back to the branches below, and the larger alternative is charged.
      An empty test set costs nothing;
    * a test set shorter than 10·n1^0.145: a comparison and an or per pair,
      2·n1·n2;
    * else the sort path: ``unique`` of both sides (with the inverse for the
      elements; skipped with ``assume_unique``), an argsort of the
      concatenation and a neighbour comparison,
      (n1 + n2)·⌈log2(n1 + n2)⌉ + (n1 + n2).

    ``exact_sizes=False`` (n1, n2 are upper bounds, as inside ``setdiff1d``)
    charges the larger of the pairwise and sort branches, since the branch
    then depends on the data.

    >>> isin_cost(1000, 5)               # 5 < 10·1000^0.145 ≈ 27.2: pairwise
    10000
    """
    if integer and kind in (None, "table"):
        if n2 == 0:
            return 0
        extent = 2 * n2
        table = extent + n2 + 4 * n1
        if kind == "table":
            return table
        return max(table, extent + _comparison_cost(n1, n2, assume_unique, exact_sizes))
    return _comparison_cost(n1, n2, assume_unique, exact_sizes)


def _is_integer(*arrays: Any) -> bool:
    return all(_dtype(a).kind in _INTEGER_KINDS for a in arrays)


def isin_call_cost(element: Any, test_elements: Any, assume_unique: bool = False,
                   invert: bool = False, *, kind: Any = None) -> int:
    """Cost rule of ``isin``."""
    if kind not in (None, "sort", "table"):
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    integer = _is_integer(element, test_elements)
    if kind == "table" and not integer:
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. "
                         "Please select 'sort' or None for kind.")
    return isin_cost(_size(element), _size(test_elements), assume_unique=assume_unique,
                     integer=integer, kind=kind)


# == two-set operations ==========================================================================
#
# NumPy de-duplicates each input with a plain ``unique`` (sorted): sort-based
# or hash-based, both charged n·⌈log2 n⌉ + n (see unique_cost).


def intersect1d_cost(n1: int, n2: int, *, assume_unique: bool = False,
                     return_indices: bool = False) -> int:
    """``intersect1d``: ``unique`` of each input, a sort of the concatenation and a neighbour pass.

    unique(n1) + unique(n2) (unless ``assume_unique``), then
    (n1 + n2)·⌈log2(n1 + n2)⌉ + (n1 + n2); ``return_indices`` argsorts
    instead (same count) and shifts the second array's indices (n1 + n2 at
    the bound).

    >>> intersect1d_cost(512, 512)       # 2·5120 + 10 240 + 1024
    21504
    """
    total = n1 + n2
    dedup = 0 if assume_unique else unique_cost(n1) + unique_cost(n2)
    return dedup + sort_cost(total) + total + (total if return_indices else 0)


def setdiff1d_cost(n1: int, n2: int, *, assume_unique: bool = False,
                   integer: bool = False) -> int:
    """``setdiff1d``: ``unique`` of each input, then ``isin(..., invert=True)`` on them.

    Without ``assume_unique`` the distinct counts are data dependent, so the
    membership test is charged with n1 and n2 as upper bounds
    (:func:`isin_cost` with ``exact_sizes=False``).

    >>> setdiff1d_cost(512, 512)         # 2·5120 + max(10 240 + 1024, 2·512·24)
    34816
    """
    dedup = 0 if assume_unique else unique_cost(n1) + unique_cost(n2)
    return dedup + isin_cost(n1, n2, assume_unique=True, integer=integer,
                             exact_sizes=assume_unique)


def setxor1d_cost(n1: int, n2: int, *, assume_unique: bool = False) -> int:
    """``setxor1d``: ``unique`` of each input, a sort of the concatenation and two flag passes.

    unique(n1) + unique(n2) (unless ``assume_unique``), the sort of the
    n1 + n2 values, the neighbour comparison and the and of adjacent flags
    (2·(n1 + n2)). Two empty inputs cost nothing.

    >>> setxor1d_cost(512, 512)          # 2·5120 + 10 240 + 2048
    22528
    """
    total = n1 + n2
    if total == 0:
        return 0
    dedup = 0 if assume_unique else unique_cost(n1) + unique_cost(n2)
    return dedup + sort_cost(total) + 2 * total


def union1d_cost(n1: int, n2: int) -> int:
    """``union1d``: ``unique`` of the concatenation, unique_cost(n1 + n2).

    >>> union1d_cost(512, 512)
    11264
    """
    return unique_cost(n1 + n2)


def intersect1d_call_cost(ar1: Any, ar2: Any, assume_unique: bool = False,
                          return_indices: bool = False) -> int:
    """Cost rule of ``intersect1d``."""
    return intersect1d_cost(_size(ar1), _size(ar2), assume_unique=bool(assume_unique),
                            return_indices=bool(return_indices))


def setdiff1d_call_cost(ar1: Any, ar2: Any, assume_unique: bool = False) -> int:
    """Cost rule of ``setdiff1d``."""
    return setdiff1d_cost(_size(ar1), _size(ar2), assume_unique=bool(assume_unique),
                          integer=_is_integer(ar1, ar2))


def setxor1d_call_cost(ar1: Any, ar2: Any, assume_unique: bool = False) -> int:
    """Cost rule of ``setxor1d``."""
    return setxor1d_cost(_size(ar1), _size(ar2), assume_unique=bool(assume_unique))


def union1d_call_cost(ar1: Any, ar2: Any) -> int:
    """Cost rule of ``union1d``."""
    return union1d_cost(_size(ar1), _size(ar2))
