"""Shape rules of order statistics: ``median``, ``percentile``, ``quantile``, and ``nan*`` forms.

A reduction over ``axis`` (an int, a tuple or ``None``), with the requested
quantiles' shape in front for the quantile functions. Result dtypes come from
NumPy itself on one-element stand-ins (:func:`~flopscope.exec.shapes.probe_dtype`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import reduced_shape, shape_of
from flopscope.exec.shapes import ArraySpec, bind_arguments, probe_dtype

__all__ = ["order_statistic_rule"]


def order_statistic_rule(impl: Callable[..., Any], with_q: bool) -> Callable[..., ArraySpec]:
    """Shape rule of ``impl`` (``median``-like, or ``quantile``-like when ``with_q``)."""

    def rule(*args: Any, **kwargs: Any) -> ArraySpec:
        named = bind_arguments(impl, args, kwargs)
        a = named["a"]
        keepdims = named.get("keepdims", False)
        keepdims = False if keepdims is np._NoValue else bool(keepdims)
        shape = reduced_shape(shape_of(a), named.get("axis"), keepdims)
        if with_q:
            q_shape = shape_of(named["q"])
            if len(q_shape) > 2:
                raise ValueError("q must be a scalar or 1d")
            shape = q_shape + shape
        return ArraySpec(shape, probe_dtype(impl, *args, **kwargs))

    after_q = " after q's shape" if with_q else ""
    rule.__doc__ = f"Shape rule of ``{impl.__name__}``: the reduced shape{after_q}."
    return rule
