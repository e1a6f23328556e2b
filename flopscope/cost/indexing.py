"""Costs of index arithmetic and masked writes (FMA = 1).

These look like bookkeeping but compute per element, so they are counted:

* ``ravel_multi_index(multi_index, dims)`` with ``k`` index arrays
  broadcasting to ``N`` elements: the flat index is Horner's form
  ``(…(i₀·d₁ + i₁)·d₂ + …)·d_{k-1} + i_{k-1}``, ``k − 1`` multiply-adds per
  element, and every index is first checked, wrapped or clipped (``mode``),
  ``k`` operations: **(2k − 1)·N** (``N`` for ``k = 1``).
* ``unravel_index(indices, shape)`` with ``k = len(shape)``: a bounds check
  of each flat index, then one division with remainder per dimension:
  **(k + 1)·N**.
* masked copies ``copyto(dst, src, where=mask)``, ``putmask(a, mask,
  values)``, ``place(arr, mask, vals)``: the mask is evaluated once per element
  of the destination, a select per element: **numel(destination)**.
  ``copyto`` without ``where`` is a plain copy and stays free, like ``copy``.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of

__all__ = [
    "ravel_multi_index_cost",
    "unravel_index_cost",
    "masked_copy_cost",
    "ravel_multi_index_call_cost",
    "unravel_index_call_cost",
    "copyto_call_cost",
    "putmask_call_cost",
    "place_call_cost",
]


def ravel_multi_index_cost(k: int, n: int) -> int:
    """FLOPs of ``ravel_multi_index`` with ``k`` index arrays of ``n`` elements: (2k − 1)·n.

    >>> ravel_multi_index_cost(2, 1000)
    3000
    """
    return max(2 * k - 1, 0) * n


def unravel_index_cost(k: int, n: int) -> int:
    """FLOPs of ``unravel_index`` of ``n`` flat indices into ``k`` dimensions: (k + 1)·n.

    >>> unravel_index_cost(2, 1000)
    3000
    """
    return (k + 1) * n


def masked_copy_cost(n: int) -> int:
    """FLOPs of a masked copy into ``n`` destination elements: one select each, n.

    >>> masked_copy_cost(1000)
    1000
    """
    return n


def _len(x: Any) -> int:
    return len(x) if isinstance(x, (tuple, list)) else shape_of(x)[0] if shape_of(x) else 1


def ravel_multi_index_call_cost(multi_index: Any, dims: Any, mode: Any = "raise",
                                order: str = "C") -> int:
    """Cost rule of ``numpy.ravel_multi_index``."""
    if isinstance(multi_index, (tuple, list)):
        arrays = list(multi_index)
        n = numel(broadcast_shapes(*(tuple(shape_of(a)) for a in arrays))) if arrays else 0
        k = len(arrays)
    else:  # one (k, ...) array
        shape = tuple(shape_of(multi_index))
        k, n = (shape[0], numel(shape[1:])) if shape else (1, 1)
    return ravel_multi_index_cost(k, n)


def unravel_index_call_cost(indices: Any, shape: Any, order: str = "C") -> int:
    """Cost rule of ``numpy.unravel_index``."""
    k = 1 if isinstance(shape, int) or not hasattr(shape, "__len__") else len(shape)
    return unravel_index_cost(k, numel(tuple(shape_of(indices))))


def copyto_call_cost(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> int:
    """Cost rule of ``numpy.copyto``: free without ``where``, else numel(dst)."""
    if where is True:
        return 0
    return masked_copy_cost(numel(tuple(shape_of(dst))))


def putmask_call_cost(a: Any, mask: Any, values: Any) -> int:
    """Cost rule of ``numpy.putmask``: numel(a)."""
    return masked_copy_cost(numel(tuple(shape_of(a))))


def place_call_cost(arr: Any, mask: Any, vals: Any) -> int:
    """Cost rule of ``numpy.place``: numel(arr)."""
    return masked_copy_cost(numel(tuple(shape_of(arr))))
