"""Routing NumPy's override protocols to registry callables.

When NumPy meets a flopscope array (eager or abstract) it calls the array's
``__array_ufunc__`` or ``__array_function__``; those land here and are
dispatched through tables the surface builder fills from the registry:

* :data:`UFUNC_CALLS`: ufunc object -> its counted wrapper (``np.exp(x)``);
* :data:`FUNCTIONS`: NumPy function object -> its wrapper (``np.sum(x)``);
* :data:`BLOCKED`: NumPy function object -> its blocked entry (``np.save(f, x)``).

Ufunc *methods* (``np.add.reduce``, ``np.multiply.outer``, ``np.add.at``...)
get counted wrappers built on first use from the ufunc's entry (see
:func:`flopscope.registry.ufuncs.ufunc_method_op`).

Nothing without a cost rule runs. A ufunc flopscope has no entry for (a SciPy
ufunc such as ``scipy.special.eval_legendre``, a ``np.frompyfunc`` ufunc) and a
NumPy function flopscope has not classified are refused with ``TypeError``
before anything runs or is charged. ``TypeError`` is what NumPy itself raises
when no operand's override handles an operation, so code that probes for
support keeps working. The message names the callable and says how to declare
a cost (:func:`flopscope.register_ufunc`, :func:`flopscope.counted`).
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import numpy as np

from flopscope.exec.abstract import AbstractArray
from flopscope.errors import ConcretizationError
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.state import PLANNING

__all__ = ["UFUNC_CALLS", "FUNCTIONS", "BLOCKED", "UFUNC_RESOLVERS", "route_ufunc",
           "route_function", "install_protocols", "unknown_ufunc_error"]

UFUNC_CALLS: dict[np.ufunc, Callable[..., Any]] = {}
FUNCTIONS: dict[Any, Callable[..., Any]] = {}
BLOCKED: dict[Any, Any] = {}
#: Asked, in order, for the callable of a ufunc with no wrapper yet (the ufuncs of
#: a module flopscope does not import eagerly, such as scipy.special); a hit is
#: cached in UFUNC_CALLS.
UFUNC_RESOLVERS: list[Callable[[np.ufunc], Any]] = []
_METHOD_WRAPPERS: dict[tuple[np.ufunc, str], Callable[..., Any]] = {}
_perf = time.perf_counter_ns
_getframe = sys._getframe


def _method_wrapper(ufunc: np.ufunc, method: str) -> Callable[..., Any]:
    key = (ufunc, method)
    wrapper = _METHOD_WRAPPERS.get(key)
    if wrapper is None:
        from flopscope.exec.dispatch import build_callable
        from flopscope.registry.ufuncs import ufunc_method_op

        entry = getattr(UFUNC_CALLS.get(ufunc), "__flopscope_op__", None)
        if entry is None or entry.kind != "ufunc":
            # Only NumPy's own ufuncs have rules for reduce/outer/at...; a declared or
            # SciPy ufunc's cost rule covers its plain call only.
            raise unknown_ufunc_error(ufunc, method)
        wrapper = build_callable(ufunc_method_op(ufunc, method))
        _METHOD_WRAPPERS[key] = wrapper
    return wrapper


def _ufunc_label(ufunc: np.ufunc) -> str:
    module = getattr(ufunc, "__module__", None)
    name = getattr(ufunc, "__name__", repr(ufunc))
    return f"{module}.{name}" if module and module != "builtins" else name


def unknown_ufunc_error(ufunc: np.ufunc, method: str = "__call__") -> TypeError:
    """The refusal of a ufunc (or ufunc method) flopscope has no cost rule for."""
    label = _ufunc_label(ufunc)
    call = label if method == "__call__" else f"{label}.{method}"
    kind = "generalized ufunc" if ufunc.signature is not None else "ufunc"
    return TypeError(
        f"{call} was called on a flopscope array, but flopscope has no cost rule for the "
        f"{kind} {label}, and running it uncounted would let computation escape the budget; "
        "nothing was run or charged. Declare its cost first, e.g. "
        f"flops.register_ufunc({label}, cost=lambda *operands, **kw: <FLOPs>, "
        f"name='my.{ufunc.__name__}') (see docs/custom-ops.md), or convert explicitly with "
        "np.asarray(x) if the computation should not be counted."
    )


def route_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Handle ``ufunc.method(*inputs, **kwargs)`` when a flopscope array is involved."""
    if method == "__call__":
        wrapper = UFUNC_CALLS.get(ufunc)
        if wrapper is None:
            for resolve in UFUNC_RESOLVERS:
                wrapper = resolve(ufunc)
                if wrapper is not None:
                    UFUNC_CALLS[ufunc] = wrapper
                    break
            else:
                raise unknown_ufunc_error(ufunc, method)
        return wrapper(*inputs, **kwargs)
    return _method_wrapper(ufunc, method)(*inputs, **kwargs)


def _array_ufunc(self: Any, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__":
        t0 = _perf()
        wrapper = UFUNC_CALLS.get(ufunc)
        if wrapper is not None:
            # NumPy's C dispatch adds no Python frame: the caller is the user's code.
            routed = getattr(wrapper, "routed", None)
            if routed is not None:
                return routed(inputs, kwargs, t0, _getframe(1))
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
    # A loop rather than all(genexpr): this runs on every np.f(fnp_array) call.
    for t in types:
        if t is not FArray and not issubclass(t, _KNOWN):
            return False
    return True


_KNOWN = (np.ndarray, AbstractArray)


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
        "rule for it, and running it uncounted would let computation escape the budget; "
        "nothing was run or charged. Use the flopscope.numpy equivalent, declare a cost for "
        "your own function with @flops.counted(cost=...) (see docs/custom-ops.md), or "
        "convert explicitly with np.asarray(x) if the computation should not be counted."
    )
