"""Shape rules of ``flops.stats``: broadcast shape, SciPy's result dtype.

SciPy evaluates a distribution function on the broadcast of ``x`` (or ``q``)
and the parameters, in floating point at least float64: the result dtype is
float64 promoted with the arguments' dtypes (float32 and integers give
float64, ``longdouble`` stays ``longdouble``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, shape_of
from flopscope.cost.stats import stats_arguments
from flopscope.exec.shapes import ArraySpec, is_arraylike

__all__ = ["stats_shape_rule"]


def _result_dtype(values: list[Any]) -> np.dtype:
    dtype = np.dtype(np.float64)
    for value in values:
        if is_arraylike(value) or isinstance(value, np.generic):
            dtype = np.promote_types(dtype, value.dtype)
    return dtype


def stats_shape_rule(dist: str, method: str) -> Callable[..., ArraySpec]:
    """Shape rule of ``flops.stats.<dist>.<method>`` (SciPy's arguments)."""

    def rule(*args: Any, **kwargs: Any) -> ArraySpec:
        values = stats_arguments(dist, method, args, kwargs)
        shape = broadcast_shapes(*(shape_of(v) for v in values))
        return ArraySpec(shape, _result_dtype(values))

    rule.__name__ = f"{dist}_{method}_shape"
    return rule
