"""Reduction costs: one FLOP per input element.

``sum``, ``mean``, ``var``, ``std``, ``max``, ``min``, ``prod``, ``all``,
``any``, ``argmax``, ``argmin`` and the cumulative reductions cost
``numel(input)`` whatever the ``axis``, ``keepdims``, ``dtype`` or ``where=``
(SPEC.md section 2). This is the convention every seed document uses; it
charges a whole-array ``sum`` n rather than n-1 additions so that reducing
along any axis of the same array costs the same.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import numel, shape_of

__all__ = ["reduction_call_cost", "reduction_cost"]


def reduction_call_cost(a: Any, *_: Any, **__: Any) -> int:
    """Cost rule of a reduction: numel of its (first) input."""
    return numel(shape_of(a))


def reduction_cost(op_name: str, input_shape: tuple[int, ...]) -> int:
    """Analytical FLOPs of reducing an array of ``input_shape`` with ``op_name``.

    >>> reduction_cost("sum", input_shape=(256, 256))
    65536
    """
    from flopscope.registry import lookup_kind

    lookup_kind(op_name, expect=("counted_reduction",))
    return numel(tuple(input_shape))
