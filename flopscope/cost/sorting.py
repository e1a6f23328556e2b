"""Sorting costs: n·⌈log2 n⌉ comparisons per sorted slice of length n.

A comparison sort of n keys needs at least log2(n!) ≈ n·log2 n − 1.44·n
comparisons (Knuth, *The Art of Computer Programming* vol. 3, §5.3.1);
NumPy's introsort, radix and timsort kernels stay within a small factor of it.
flopscope charges n·⌈log2 n⌉ per slice, integer-exact (SPEC.md section 2): one
FLOP per comparison, whatever the dtype. A slice of length 0 or 1 costs
nothing, since there is nothing to compare.

The same unit prices every sort-based routine in flopscope: ``lexsort``
(one stable sort per key), ``sort_complex``, the set operations of
:mod:`flopscope.cost.setops`, and the selection cap of
:mod:`flopscope.cost.selection`.
"""

from __future__ import annotations

from typing import Any, Sequence

from flopscope.cost._shapes import ceil_log2, normalize_axis, numel, shape_of

__all__ = [
    "sort_cost",
    "lexsort_cost",
    "sort_call_cost",
    "lexsort_call_cost",
    "sort_complex_call_cost",
    "slice_geometry",
    "sequence_shapes",
]


def slice_geometry(shape: Sequence[int], axis: Any) -> tuple[int, int]:
    """``(n, slices)``: length of the slices along ``axis`` and how many there are.

    ``axis=None`` means the flattened array: one slice of ``numel(shape)``.
    A 0-d array with ``axis=None`` is one slice of length 1. An invalid axis
    raises NumPy's :class:`~numpy.exceptions.AxisError`.
    """
    shape = tuple(shape)
    if axis is None:
        return numel(shape), 1
    n = shape[normalize_axis(axis, len(shape))]
    return n, (numel(shape) // n if n else 0)


def sequence_shapes(items: Any) -> list[tuple[int, ...]]:
    """Shapes of the arrays in a sequence argument (``keys``, ``condlist``...).

    An array (real or abstract) stands for the sequence of its sub-arrays
    along the first axis, as NumPy iterates it; a list or tuple gives the
    shape of each item. Never converts abstract arrays to data.
    """
    shape = getattr(items, "shape", None)
    if shape is not None:
        shape = tuple(shape)
        if not shape:
            raise TypeError("expected a sequence of arrays, got a 0-d array")
        return [shape[1:]] * shape[0]
    return [shape_of(item) for item in items]


def sort_cost(n: int, slices: int = 1) -> int:
    """``slices`` sorts of ``n`` keys each: slices · n · ⌈log2 n⌉.

    >>> sort_cost(1024)
    10240
    """
    return slices * n * ceil_log2(n)


def lexsort_cost(n: int, keys: int, slices: int = 1) -> int:
    """``lexsort`` of ``keys`` keys: keys · slices · n · ⌈log2 n⌉.

    NumPy sorts by the last key first and then stably re-sorts by each earlier
    key in turn (least significant digit first, as in a radix sort; Knuth
    vol. 3, §5.2.5), so each key costs one full sort of the slice.

    >>> lexsort_cost(8, keys=2)
    48
    """
    return keys * sort_cost(n, slices)


def sort_call_cost(a: Any, axis: Any = -1, *_: Any, **__: Any) -> int:
    """Cost rule of ``sort`` / ``argsort`` along ``axis`` (``None``: flattened)."""
    shape = shape_of(a)
    if axis is None or not shape:
        return sort_cost(numel(shape))
    n, slices = slice_geometry(shape, axis)
    return sort_cost(n, slices)


def lexsort_call_cost(keys: Any, axis: int = -1) -> int:
    """Cost rule of ``lexsort``: one sort of every key along ``axis``."""
    shapes = sequence_shapes(keys)
    if not shapes:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if any(s != shapes[0] for s in shapes):
        raise ValueError("all keys need to be the same shape")
    if not shapes[0]:
        return 0
    n, slices = slice_geometry(shapes[0], axis)
    return lexsort_cost(n, len(shapes), slices)


def sort_complex_call_cost(a: Any) -> int:
    """Cost rule of ``sort_complex``: a sort along the last axis."""
    return sort_call_cost(a, -1)
