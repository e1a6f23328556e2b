"""Sorting costs: n·⌈log2 n⌉ comparisons per sorted slice of length n.

A comparison sort of n keys needs at least log2(n!) ≈ n·log2 n comparisons;
flopscope charges n·⌈log2 n⌉ per slice, integer-exact (SPEC.md section 2).
A slice of length 0 or 1 costs nothing.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import ceil_log2, normalize_axis, numel, shape_of

__all__ = ["sort_cost", "sort_call_cost"]


def sort_cost(n: int, slices: int = 1) -> int:
    """``slices`` sorts of ``n`` keys each: slices · n · ⌈log2 n⌉."""
    return slices * n * ceil_log2(n)


def sort_call_cost(a: Any, axis: Any = -1, *_: Any, **__: Any) -> int:
    """Cost rule of ``sort`` / ``argsort`` along ``axis`` (``None``: flattened)."""
    shape = shape_of(a)
    if axis is None or not shape:
        return sort_cost(numel(shape))
    n = shape[normalize_axis(axis, len(shape))]
    return sort_cost(n, numel(shape) // n if n else 0)
