"""Shape rules of functions calling user code: ``apply_along_axis``, ``piecewise``...

These functions are free; the work is whatever the user's function does. To
plan them, the user's function is *run* on abstract arrays, exactly as often
and on the same shapes as the eager call would run it, so each operation it
performs is planned (and costed) by itself. ``piecewise`` hands each function
the elements its condition selects, a data-dependent number, planned at the
bound: every element.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import normalize_axis, numel
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.shapes import ArraySpec, is_arraylike, spec_of

__all__ = [
    "as_traced", "apply_over_axes_loop", "piecewise_conditions", "apply_along_axis_shape",
    "apply_over_axes_shape", "fromfunction_shape", "piecewise_shape",
]


def as_traced(x: Any) -> AbstractArray:
    """``x`` as an abstract array (a concrete argument of a plan stands for its shape and dtype)."""
    if isinstance(x, AbstractArray):
        return x
    spec = spec_of(x)
    return AbstractArray(spec.shape, spec.dtype)


def apply_over_axes_loop(func: Callable[..., Any], val: Any, axes: Any) -> Any:
    """NumPy's ``apply_over_axes`` loop on an array whose operations are counted or planned.

    ``val`` is a flopscope array (eager) or an abstract one (planning);
    ``np.expand_dims`` on it routes to flopscope's free ``expand_dims``.
    """
    ndim = val.ndim
    if np.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = ndim + axis
        res = func(val, axis)
        if res.ndim != val.ndim:
            res = np.expand_dims(res, axis)
            if res.ndim != val.ndim:
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


def _is_condition_array(item: Any) -> bool:
    return isinstance(item, (list, np.ndarray, AbstractArray))


def piecewise_conditions(x: Any, condlist: Any, functions: int,
                         as_counted: Callable[[Any], Any]) -> list[Any]:
    """``piecewise``'s conditions, normalised as NumPy does, with the "otherwise" condition added.

    When there is one more function than conditions, NumPy adds
    ``~any(conditions)``; here it is computed with counted (or planned)
    ``any`` and ``logical_not`` on ``as_counted`` views, so it is charged as
    those two operations.
    """
    ndim = np.ndim(x) if not is_arraylike(x) else len(x.shape)
    if np.isscalar(condlist) or (not _is_condition_array(condlist[0]) and ndim != 0):
        condlist = [condlist]
    if isinstance(condlist, AbstractArray):
        conds = [condlist[i] for i in range(condlist.shape[0])]
    elif any(isinstance(c, AbstractArray) for c in condlist):
        conds = list(condlist)
    else:
        stacked = np.asarray(condlist, dtype=bool)
        conds = [stacked[i] for i in range(len(stacked))]
    if len(conds) == functions - 1:
        stacked = np.stack([as_counted(c) for c in conds])
        conds.append(np.logical_not(np.any(stacked, axis=0)))
    elif len(conds) != functions:
        raise ValueError(f"with {len(conds)} condition(s), either {len(conds)} or "
                         f"{len(conds) + 1} functions are expected")
    return conds


def apply_along_axis_shape(func1d: Callable[..., Any], axis: int, arr: Any, *args: Any,
                           **kwargs: Any) -> ArraySpec:
    """Plan ``apply_along_axis``: run ``func1d`` on every abstract 1-D slice."""
    arr = as_traced(arr)
    ax = normalize_axis(axis, arr.ndim)
    moved = np.moveaxis(arr, ax, -1)
    outer = moved.shape[:-1]
    if numel(outer) == 0:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    first = None
    for index in np.ndindex(outer):
        result = spec_of(func1d(moved[index], *args, **kwargs))
        first = first or result
    return ArraySpec(arr.shape[:ax] + first.shape + arr.shape[ax + 1:], first.dtype)


def apply_over_axes_shape(func: Callable[..., Any], a: Any, axes: Any) -> Any:
    """Plan ``apply_over_axes``: run ``func`` on the abstract array, axis by axis."""
    return apply_over_axes_loop(func, as_traced(a), axes)


def fromfunction_shape(function: Callable[..., Any], shape: Any, *, dtype: Any = float,
                       like: Any = None, **kwargs: Any) -> Any:
    """Plan ``fromfunction``: call ``function`` on abstract index grids of ``shape``."""
    shape = tuple(shape) if np.ndim(shape) else (shape,)
    grids = [AbstractArray(shape, dtype) for _ in shape]
    return function(*grids, **kwargs)


def piecewise_shape(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> ArraySpec:
    """Plan ``piecewise``: each function runs on the selected elements, planned at all of them."""
    x = as_traced(x)
    conds = piecewise_conditions(x, condlist, len(funclist), as_traced)
    for cond, func in zip(conds, funclist):
        if callable(func):
            func(x[cond], *args, **kw)
    return ArraySpec(x.shape, x.dtype)
