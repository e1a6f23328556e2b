"""Functions calling user code: ``apply_along_axis``, ``apply_over_axes``, ``fromfunction``...

They are free: their own work is looping, slicing and assembling. What they
compute is whatever the user's function computes, so the user's function is
handed **flopscope arrays**: every operation it performs on them is counted
as that operation (``x.sum()`` inside ``apply_along_axis`` is charged as one
``sum`` per slice), instead of NumPy running the function on plain arrays
out of the budget's sight. The one computation of their own, ``piecewise``'s
"otherwise" condition ``~any(conditions)``, is made with counted ``any`` and
``logical_not``.

Plans run the user's function on abstract arrays
(:mod:`flopscope.exec.shapes.callbacks`). ``piecewise`` passes each function
a data-dependent number of elements: eagerly each call costs what it costs on
those elements, in a plan it is charged for all of them (the bound).

The data-flow graph does not link the per-slice calls to the array the slices
come from: the slices are views made inside NumPy.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.exec.array import ndarray as FArray
from flopscope.exec.shapes import callbacks as rules
from flopscope.registry._core import OpDef, register
from flopscope.registry.free import free_op

__all__ = ["apply_along_axis", "apply_over_axes", "fromfunction", "piecewise", "register_all"]


def _counted(x: Any) -> Any:
    """Plain arrays inside ``x`` (recursing into lists, tuples, dicts) as flopscope views."""
    if type(x) is np.ndarray:
        return x.view(FArray)
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x)(_counted(item) for item in x)
    if isinstance(x, dict):
        return {key: _counted(value) for key, value in x.items()}
    return x


def _plain(x: Any) -> Any:
    """A flopscope array result as a plain view, for NumPy to assemble."""
    return x.view(np.ndarray) if isinstance(x, FArray) else x


def _counting(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` called with flopscope arrays, its result handed back to NumPy as a plain array."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return _plain(func(*_counted(args), **_counted(kwargs)))

    return call


def apply_along_axis(func1d: Callable[..., Any], axis: int, arr: Any, *args: Any,
                     **kwargs: Any) -> Any:
    """``numpy.apply_along_axis`` with ``func1d`` receiving flopscope slices."""
    return np.apply_along_axis(_counting(func1d), axis, arr, *args, **kwargs)


def apply_over_axes(func: Callable[..., Any], a: Any, axes: Any) -> Any:
    """``numpy.apply_over_axes`` with ``func`` receiving flopscope arrays."""
    return rules.apply_over_axes_loop(func, _counted(np.asarray(a)), axes)


def fromfunction(function: Callable[..., Any], shape: Any, *, dtype: Any = float,
                 like: Any = None, **kwargs: Any) -> Any:
    """``numpy.fromfunction`` with ``function`` receiving flopscope index grids.

    ``like=`` has no effect: the result is whatever ``function`` returns.
    """
    grids = np.indices(shape, dtype=dtype)
    return function(*(_counted(grid) for grid in grids), **_counted(kwargs))


def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Any:
    """``numpy.piecewise`` with each function receiving a flopscope array of its elements."""
    x = np.asanyarray(x)
    conds = rules.piecewise_conditions(x, condlist, len(funclist), _counted)
    functions = [_counting(f) if callable(f) else f for f in funclist]
    return np.piecewise(x, [_plain(c) for c in conds], functions, *args, **kw)


_ENTRIES: dict[str, tuple[Callable[..., Any], Callable[..., Any], Any]] = {
    "apply_along_axis": (apply_along_axis, rules.apply_along_axis_shape, np.apply_along_axis),
    "apply_over_axes": (apply_over_axes, rules.apply_over_axes_shape, np.apply_over_axes),
    "fromfunction": (fromfunction, rules.fromfunction_shape, np.fromfunction),
    "piecewise": (piecewise, rules.piecewise_shape, np.piecewise),
}

_NOTES = ("Free: the user's function receives flopscope arrays, so each operation it "
          "performs is counted by itself.")


def register_all() -> None:
    for name, (impl, shape, numpy_func) in _ENTRIES.items():
        op: OpDef = free_op(name, impl, shape, numpy_func=numpy_func, notes=_NOTES)
        op.extras["calls_user_code"] = True  # free, but what it computes is counted elsewhere
        register(op)
