"""Building the public callable of a registry entry.

:func:`build_callable` turns an :class:`~flopscope.registry.OpDef` into the
function users call, choosing the executor path by the entry's category and
kind, and giving it NumPy's name, signature and docstring plus a note on its
cost. One wrapper exists per entry.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost.reduction import reduction_call_cost
from flopscope.exec.eager import (
    make_counted_wrapper,
    make_free_wrapper,
    make_reduction_wrapper,
    make_ufunc_wrapper,
)
from flopscope.registry import Category, OpDef

__all__ = ["build_callable"]

_BUILT: dict[str, Callable[..., Any]] = {}


def _cost_note(op: OpDef) -> str:
    if op.category is Category.FREE:
        return "flopscope: free (0 FLOPs)."
    return f"flopscope: counted as ``{op.name}``, cost {op.formula} FLOPs ({op.category.value})."


def build_callable(op: OpDef) -> Callable[..., Any]:
    """The public callable for ``op`` (built once, then reused)."""
    built = _BUILT.get(op.name)
    if built is not None:
        return built
    if op.category is Category.BLOCKED:
        raise ValueError(f"{op.name} is blocked and has no callable")
    if op.category is Category.FREE:
        wrapper = make_free_wrapper(op)
    elif op.kind == "ufunc":
        wrapper = make_ufunc_wrapper(op)
    elif op.category is Category.REDUCTION and op.cost is reduction_call_cost:
        wrapper = make_reduction_wrapper(op)
    else:
        wrapper = make_counted_wrapper(op)
    _decorate(wrapper, op)
    _BUILT[op.name] = wrapper
    if op.kind == "ufunc" and isinstance(op.numpy_func, np.ufunc) and op.numpy_func.signature is None:
        _attach_ufunc_interface(wrapper, op.numpy_func)
    return wrapper


_UFUNC_ATTRIBUTES = ("nin", "nout", "nargs", "ntypes", "types", "identity", "signature")
_UFUNC_METHODS = ("reduce", "accumulate", "reduceat", "outer", "at")


def _attach_ufunc_interface(wrapper: Callable[..., Any], ufunc: np.ufunc) -> None:
    """Give a ufunc's wrapper the ufunc's interface: ``fnp.add.outer(a, b)``, ``fnp.exp.nin``.

    The methods are the same counted callables ``np.add.outer(x, y)`` reaches
    through ``__array_ufunc__`` when a flopscope array is involved.
    """
    from flopscope.registry.ufuncs import ufunc_method_op

    for name in _UFUNC_ATTRIBUTES:
        setattr(wrapper, name, getattr(ufunc, name))
    for method in _UFUNC_METHODS:
        setattr(wrapper, method, build_callable(ufunc_method_op(ufunc, method)))


def _decorate(wrapper: Callable[..., Any], op: OpDef) -> None:
    # An implementation with its own docstring extends NumPy's function (svd's
    # ``k=``, einsum's costed path): document and sign the wrapper with it.
    extends = op.impl is not op.numpy_func and getattr(op.impl, "__doc__", None)
    source = op.impl if (extends or op.numpy_func is None) else op.numpy_func
    wrapper.__name__ = op.attr.rsplit(".", 1)[-1]
    wrapper.__qualname__ = wrapper.__name__
    wrapper.__module__ = "flopscope." + op.module if not op.module.startswith("flopscope") else op.module
    doc = getattr(source, "__doc__", None) or ""
    wrapper.__doc__ = f"{_cost_note(op)}\n\n{doc}" if doc else _cost_note(op)
    wrapper.__wrapped__ = source  # type: ignore[attr-defined]  # for inspect.signature
    wrapper.__flopscope_op__ = op  # type: ignore[attr-defined]
