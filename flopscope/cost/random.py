"""Random sampling costs: one FLOP per value drawn; shuffles n·⌈log2 n⌉.

SPEC.md section 2 (superseding the primer's "random is free"): drawing from a
distribution costs ``numel(output)``. The output shape is ``size`` when given,
else the broadcast shape of the distribution's array parameters (a scalar
draw costs 1). ``randn`` / ``rand`` take the shape as separate integers.
Shuffling or permuting n items costs n·⌈log2 n⌉, the comparison-sort bound
(a Fisher-Yates shuffle does n swaps, but flopscope charges permutations like
the sort that could produce them, per the seeds).
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of
from flopscope.cost.sorting import sort_cost

__all__ = [
    "sample_cost",
    "permutation_cost",
    "sampled_shape",
    "sample_call_cost",
    "dims_call_cost",
    "permutation_call_cost",
]


def sample_cost(shape: tuple[int, ...]) -> int:
    """Drawing an array of ``shape`` from any distribution: numel(shape).

    >>> sample_cost((256, 256))
    65536
    """
    return numel(tuple(shape))


def permutation_cost(n: int) -> int:
    """Permuting or shuffling ``n`` items: n·⌈log2 n⌉.

    >>> permutation_cost(1024)
    10240
    """
    return sort_cost(int(n))


def sampled_shape(params: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """Output shape of a draw: ``size`` if given, else the broadcast of ``params``."""
    if size is not None:
        if isinstance(size, int) or hasattr(size, "__index__"):
            return (int(size),)
        return tuple(int(s) for s in size)
    return broadcast_shapes(*(shape_of(p) for p in params if p is not None))


def sample_call_cost(*params: Any, size: Any = None, **_: Any) -> int:
    """Cost rule of a distribution draw ``dist(*params, size=...)``: numel(output)."""
    return numel(sampled_shape(params, size))


def dims_call_cost(*dims: Any) -> int:
    """Cost rule of ``randn(d0, d1, ...)`` / ``rand(...)``: d0·d1·…"""
    return numel(tuple(int(d) for d in dims))


def permutation_call_cost(x: Any, axis: int = 0) -> int:
    """Cost rule of ``permutation`` / ``shuffle``: n·⌈log2 n⌉ for n items along ``axis``.

    ``x`` is an int (permute ``range(x)``) or an array (permute its slices).
    """
    if isinstance(x, int) or (hasattr(x, "__index__") and not hasattr(x, "shape")):
        return permutation_cost(int(x))
    shape = shape_of(x)
    if not shape:
        return 0
    return permutation_cost(shape[axis])
