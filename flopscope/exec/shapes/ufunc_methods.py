"""Shape rules of ufunc methods: reduce, accumulate, reduceat, outer, at."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import normalize_axis, reduced_shape, shape_of
from flopscope.exec.shapes import ArraySpec, probe_dtype

__all__ = ["rule_for"]


def rule_for(ufunc: np.ufunc, method: str) -> Callable[..., Any]:
    """The shape rule of ``ufunc.<method>``."""
    impl = getattr(ufunc, method)

    def reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
               keepdims: bool = False, **kwargs: Any) -> ArraySpec:
        shape = shape_of(array)
        # NumPy lets the default axis=0 reduce a 0-d array (to itself); any other axis is an error.
        if not shape and isinstance(axis, int) and axis in (0, -1):
            axis = None
        shape = reduced_shape(shape, axis, keepdims)
        return ArraySpec(shape, probe_dtype(impl, array, axis=axis, dtype=dtype, keepdims=keepdims))

    def accumulate(array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> ArraySpec:
        shape = shape_of(array)
        normalize_axis(axis, len(shape))
        return ArraySpec(tuple(shape), probe_dtype(impl, array, axis=axis, dtype=dtype))

    def reduceat(array: Any, indices: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> ArraySpec:
        shape = list(shape_of(array))
        ax = normalize_axis(axis, len(shape))
        index_shape = shape_of(indices)
        shape[ax] = index_shape[0] if index_shape else 1
        return ArraySpec(tuple(shape), probe_dtype(ufunc.reduce, array, axis=ax, dtype=dtype))

    def outer(a: Any, b: Any, /, **kwargs: Any) -> ArraySpec:
        return ArraySpec((*shape_of(a), *shape_of(b)), probe_dtype(impl, a, b))

    def at(a: Any, indices: Any, b: Any = None, /) -> None:
        return None

    return {"reduce": reduce, "accumulate": accumulate, "reduceat": reduceat,
            "outer": outer, "at": at}[method]
