"""Routing NumPy's override protocols to registry callables.

When NumPy meets a flopscope array (eager or abstract) it calls the array's
``__array_ufunc__`` or ``__array_function__``; those land here and are
dispatched through tables the surface builder fills from the registry:

* :data:`UFUNC_CALLS`: ufunc object -> its counted wrapper (``np.exp(x)``);
* :data:`FUNCTIONS`: NumPy function object -> its wrapper (``np.sum(x)``);
* :data:`BLOCKED`: NumPy function object -> its blocked entry (``np.save(f, x)``).

Ufunc *methods* (``np.add.reduce``, ``np.multiply.outer``, ``np.add.at``...)
get counted wrappers built on first use from the ufunc's entry (see
:func:`flopscope.registry.ufuncs.ufunc_method_op`). A ufunc flopscope has no
entry for (say ``scipy.special.erf``) is still elementwise, so it is counted
as pointwise under its own name. Any other NumPy function flopscope has not
classified is refused: nothing computes on a flopscope array uncounted.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.exec.abstract import AbstractArray
from flopscope.errors import ConcretizationError
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.state import PLANNING

__all__ = ["UFUNC_CALLS", "FUNCTIONS", "BLOCKED", "route_ufunc", "route_function",
           "install_protocols"]

UFUNC_CALLS: dict[np.ufunc, Callable[..., Any]] = {}
FUNCTIONS: dict[Any, Callable[..., Any]] = {}
BLOCKED: dict[Any, Any] = {}
_METHOD_WRAPPERS: dict[tuple[np.ufunc, str], Callable[..., Any]] = {}


def _method_wrapper(ufunc: np.ufunc, method: str) -> Callable[..., Any]:
    key = (ufunc, method)
    wrapper = _METHOD_WRAPPERS.get(key)
    if wrapper is None:
        from flopscope.exec.dispatch import build_callable
        from flopscope.registry.ufuncs import ufunc_call_op, ufunc_method_op

        if method == "__call__":
            if ufunc.signature is not None:
                raise TypeError(
                    f"flopscope has no cost rule for the generalized ufunc {ufunc.__name__} "
                    f"(signature {ufunc.signature}); convert to NumPy explicitly if you "
                    "need it uncounted"
                )
            wrapper = build_callable(ufunc_call_op(ufunc))
        else:
            wrapper = build_callable(ufunc_method_op(ufunc, method))
        _METHOD_WRAPPERS[key] = wrapper
    return wrapper


def route_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Handle ``ufunc.method(*inputs, **kwargs)`` when a flopscope array is involved."""
    if method == "__call__":
        wrapper = UFUNC_CALLS.get(ufunc)
        if wrapper is None:
            wrapper = _method_wrapper(ufunc, method)
        return wrapper(*inputs, **kwargs)
    return _method_wrapper(ufunc, method)(*inputs, **kwargs)


def _array_ufunc(self: Any, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__":
        wrapper = UFUNC_CALLS.get(ufunc)
        if wrapper is not None:
            return wrapper(*inputs, **kwargs)
    return route_ufunc(ufunc, method, inputs, kwargs)


def _array_function(self: Any, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    return route_function(func, types, args, kwargs)


def _outside_plan(self: AbstractArray, what: str) -> ConcretizationError:
    return ConcretizationError(
        f"{what} was applied to an abstract array {self.shape} {self.dtype} outside the "
        "flops.plan call that made it; abstract arrays have no data to compute with. "
        "Use plan.outputs as shapes for another plan, or run the function on real arrays."
    )


def _abstract_array_ufunc(self: Any, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if PLANNING.get() is None:
        raise _outside_plan(self, f"numpy.{ufunc.__name__}")
    return _array_ufunc(self, ufunc, method, *inputs, **kwargs)


def _abstract_array_function(self: Any, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    if PLANNING.get() is None:
        raise _outside_plan(self, f"numpy.{getattr(func, '__name__', func)}")
    return route_function(func, types, args, kwargs)


def install_protocols() -> None:
    """Make flopscope's array types hand NumPy's override protocols to this module.

    Abstract arrays only make sense while their plan is being traced; used
    after it (leaked out of the planned function), they raise
    :class:`~flopscope.errors.ConcretizationError` instead of recursing.
    """
    FArray.__array_ufunc__ = _array_ufunc
    FArray.__array_function__ = _array_function
    AbstractArray.__array_ufunc__ = _abstract_array_ufunc
    AbstractArray.__array_function__ = _abstract_array_function


def _known_types(types: Any) -> bool:
    return all(issubclass(t, (np.ndarray, AbstractArray)) for t in types)


def route_function(func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    """Handle a NumPy API function called with a flopscope array among its arguments."""
    wrapper = FUNCTIONS.get(func)
    if wrapper is not None:
        if not _known_types(types):
            return NotImplemented
        return wrapper(*args, **kwargs)
    blocked = BLOCKED.get(func)
    if blocked is not None:
        raise AttributeError(f"{blocked.qualified_name} is blocked in flopscope: {blocked.notes}")
    module = getattr(func, "__module__", None) or "numpy"
    name = getattr(func, "__name__", repr(func))
    raise TypeError(
        f"{module}.{name} is not supported on flopscope arrays: flopscope has no cost "
        "rule for it, and running it uncounted would let computation escape the budget. "
        "Use the flopscope.numpy equivalent, or convert explicitly with np.asarray(x) "
        "if the computation should not be counted."
    )
