"""Shape rules of reductions beyond the generic axis/keepdims rule."""

from __future__ import annotations

from typing import Any, Callable

from flopscope.cost._shapes import normalize_axis, shape_of
from flopscope.exec.shapes import ArraySpec, probe_dtype

__all__ = ["cumulative_array_api_rule"]


def cumulative_array_api_rule(impl: Callable[..., Any]) -> Callable[..., Any]:
    """``cumulative_sum`` / ``cumulative_prod``: same shape, +1 along axis with include_initial."""

    def rule(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
             include_initial: bool = False) -> ArraySpec:
        shape = list(shape_of(x))
        if axis is None:
            if len(shape) > 1:
                raise ValueError("axis must be specified for multi-dimensional arrays")
            ax = 0
        else:
            ax = normalize_axis(axis, max(len(shape), 1))
        if shape and include_initial:
            shape[ax] += 1
        return ArraySpec(tuple(shape), probe_dtype(impl, x, axis=axis, dtype=dtype))

    return rule
