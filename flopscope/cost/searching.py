"""Searching and selecting costs: ``searchsorted``, ``digitize``, ``nonzero``, ``where``, ``select``...

* **Binary search** (Knuth, *The Art of Computer Programming* vol. 3,
  §6.2.1): locating one query among n sorted values means choosing one of
  n + 1 insertion points, which takes ⌈log2(n + 1)⌉ comparisons in the worst
  case and is what flopscope charges per query. (⌈log2 n⌉ would charge
  nothing for a one-element table, which still needs a comparison.)
* **Tests and selections** are pointwise: ``nonzero`` and its relatives
  test every element once (numel(input)); ``where(c, x, y)`` and ``choose``
  make one selection per output element (numel(output)); ``select`` makes
  one masked copy per condition per output element.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import broadcast_shapes, ceil_log2, normalize_axes, numel, shape_of
from flopscope.cost.sorting import sequence_shapes

__all__ = [
    "searchsorted_cost", "digitize_cost", "nonzero_cost", "argwhere_cost", "flatnonzero_cost",
    "count_nonzero_cost", "where_cost", "choose_cost", "select_cost", "trim_zeros_cost",
    "searchsorted_call_cost", "digitize_call_cost", "nonzero_call_cost",
    "argwhere_call_cost", "flatnonzero_call_cost", "count_nonzero_call_cost",
    "where_call_cost", "choose_call_cost", "select_call_cost", "trim_zeros_call_cost",
]


def searchsorted_cost(n: int, queries: int = 1) -> int:
    """``searchsorted`` of ``queries`` values into n sorted ones: queries · ⌈log2(n + 1)⌉.

    ``sorter=`` only changes how elements are fetched, not the comparisons.

    >>> searchsorted_cost(1023, 100)
    1000
    """
    return queries * ceil_log2(n + 1)


def searchsorted_call_cost(a: Any, v: Any, side: str = "left", sorter: Any = None) -> int:
    """Cost rule of ``searchsorted`` and ``ndarray.searchsorted``."""
    shape = shape_of(a)
    if len(shape) != 1:
        raise ValueError("object too deep for desired array" if shape
                         else "object of too small depth for desired array")
    if side not in ("left", "right", "l", "r", "L", "R"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    if sorter is not None and shape_of(sorter) != shape:
        raise ValueError("sorter.size must equal a.size")
    return searchsorted_cost(shape[0], numel(shape_of(v)))


def digitize_cost(n_bins: int, queries: int = 1) -> int:
    """``digitize``: NumPy's monotonicity check of the bins, then a binary search per value.

    The check compares consecutive bins (n_bins − 1). For decreasing bins
    NumPy searches the reversed bins and subtracts each index from
    n_bins; that subtraction is charged always (upper bound), one per query:
    (n_bins − 1) + queries · (⌈log2(n_bins + 1)⌉ + 1).

    >>> digitize_cost(10, 100)           # 9 + 100·(4 + 1)
    509
    """
    return max(n_bins - 1, 0) + queries * (ceil_log2(n_bins + 1) + 1)


def digitize_call_cost(x: Any, bins: Any, right: bool = False) -> int:
    """Cost rule of ``digitize``."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "c":
        raise TypeError("x may not be complex")
    shape = shape_of(bins)
    if len(shape) != 1:
        raise ValueError("object of too small depth for desired array" if not shape
                         else "object too deep for desired array")
    return digitize_cost(shape[0], numel(shape_of(x)))


def nonzero_cost(size: int) -> int:
    """``nonzero``: one test per element, numel(input).

    >>> nonzero_cost(100)
    100
    """
    return size


def nonzero_call_cost(a: Any) -> int:
    """Cost rule of ``nonzero`` and ``ndarray.nonzero`` (0-d input is an error in NumPy)."""
    shape = shape_of(a)
    if not shape:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead.")
    return nonzero_cost(numel(shape))


def argwhere_cost(size: int) -> int:
    """``argwhere``: ``nonzero`` of the input, one test per element.

    >>> argwhere_cost(100)
    100
    """
    return size


def argwhere_call_cost(a: Any) -> int:
    """Cost rule of ``argwhere`` (a 0-d input is tested as one element)."""
    return argwhere_cost(numel(shape_of(a)))


def flatnonzero_cost(size: int) -> int:
    """``flatnonzero``: ``nonzero`` of the flattened input, one test per element.

    >>> flatnonzero_cost(100)
    100
    """
    return size


def flatnonzero_call_cost(a: Any) -> int:
    """Cost rule of ``flatnonzero``."""
    return flatnonzero_cost(numel(shape_of(a)))


def count_nonzero_cost(size: int) -> int:
    """``count_nonzero``: a test and a count per element, one reduction, numel(input).

    >>> count_nonzero_cost(100)
    100
    """
    return size


def count_nonzero_call_cost(a: Any, axis: Any = None, *, keepdims: bool = False) -> int:
    """Cost rule of ``count_nonzero``."""
    shape = shape_of(a)
    normalize_axes(axis, len(shape))
    return count_nonzero_cost(numel(shape))


def where_cost(size: int) -> int:
    """``where(c, x, y)``: one selection per output element, numel(broadcast(c, x, y)).

    The one-argument form ``where(c)`` is ``nonzero(c)``: one test per element of c.

    >>> where_cost(100)
    100
    """
    return size


def where_call_cost(condition: Any, x: Any = None, y: Any = None, /) -> int:
    """Cost rule of ``where``."""
    if x is None and y is None:
        return nonzero_call_cost(condition)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    return where_cost(numel(broadcast_shapes(shape_of(condition), shape_of(x), shape_of(y))))


def choose_cost(size: int) -> int:
    """``choose``: one indexed selection per output element, numel(output).

    >>> choose_cost(100)
    100
    """
    return size


def choose_call_cost(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> int:
    """Cost rule of ``choose`` and ``ndarray.choose``."""
    shapes = [shape_of(a), *sequence_shapes(choices)]
    if out is not None:
        shapes.append(shape_of(out))
    return choose_cost(numel(broadcast_shapes(*shapes)))


def select_cost(conditions: int, size: int) -> int:
    """``select``: a masked copy per condition into the output, conditions · numel(output).

    Filling the output with ``default`` is free (creation).

    >>> select_cost(3, 100)
    300
    """
    return conditions * size


def select_call_cost(condlist: Any, choicelist: Any, default: Any = 0) -> int:
    """Cost rule of ``select``."""
    conds = sequence_shapes(condlist)
    choices = sequence_shapes(choicelist)
    if len(conds) != len(choices):
        raise ValueError("list of cases must be same length as list of conditions")
    if not conds:
        raise ValueError("select with an empty condition list is not possible")
    shape = broadcast_shapes(*conds, *choices, shape_of(default))
    return select_cost(len(conds), numel(shape))


def trim_zeros_cost(size: int, ndim: int = 1) -> int:
    """``trim_zeros``: ``argwhere`` of the input, then the first and last nonzero index per axis.

    The test per element (size), then ``min`` and ``max`` over the
    k × ndim nonzero indices, charged at their upper bound k = size:
    size · (1 + 2·ndim).

    >>> trim_zeros_cost(100)
    300
    """
    return size * (1 + 2 * ndim)


def trim_zeros_call_cost(filt: Any, trim: str = "fb", axis: Any = None) -> int:
    """Cost rule of ``trim_zeros``."""
    shape = shape_of(filt)
    if trim.lower() not in ("fb", "bf", "f", "b"):
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    if not normalize_axes(axis, len(shape)):
        return 0  # nothing to trim: NumPy returns the input
    return trim_zeros_cost(numel(shape), len(shape))
