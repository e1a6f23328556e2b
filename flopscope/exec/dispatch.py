"""Building the public callable of a registry entry.

:func:`build_callable` turns an :class:`~flopscope.registry.OpDef` into the
function users call, choosing the executor path by the entry's category and
kind, and giving it NumPy's name, signature and docstring plus a note on its
cost. One wrapper exists per entry.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from flopscope.cost.reduction import reduction_call_cost
from flopscope.exec.eager import (
    make_counted_wrapper,
    make_reduction_wrapper,
    make_ufunc_wrapper,
)
from flopscope.exec.free import make_free_wrapper
from flopscope.registry import Category, OpDef

__all__ = ["build_callable"]

_BUILT: dict[str, Callable[..., Any]] = {}


def _cost_note(op: OpDef) -> str:
    """The header flopscope puts above NumPy's docstring: cost formula and weight name."""
    if op.category is Category.FREE:
        return ("flopscope cost: free (0 FLOPs): no arithmetic on array data, nothing is "
                "charged or logged.")
    group = op.extras.get("weight_group")
    weight = f"weight name {op.name!r}" + (f", weight group {group!r}" if group else "")
    return (f"flopscope cost: {op.formula} FLOPs ({op.category.value}; {weight}). "
            "The budget is charged this analytical cost times the weight and the "
            "context's flop_multiplier, before the call runs.")


def _numpy_doc(op: OpDef) -> str:
    """NumPy's own docstring for the entry, if NumPy has the callable."""
    target = op.numpy_func
    if target is None and op.module.startswith("numpy"):
        try:
            import importlib

            target = importlib.import_module(op.module)
            for part in op.attr.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError):
            target = None
    return (getattr(target, "__doc__", None) or "") if target is not None else ""


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
    # Cost note, then flopscope's own extension (if any), then NumPy's docstring.
    parts = [_cost_note(op)]
    own = getattr(source, "__doc__", None) or ""
    numpy_doc = _numpy_doc(op)
    if own and own != numpy_doc:
        parts.append(inspect.cleandoc(own))
    if numpy_doc:
        parts.append(("NumPy's documentation\n---------------------\n\n" if len(parts) > 1 else "")
                     + inspect.cleandoc(numpy_doc))
    wrapper.__doc__ = "\n\n".join(parts)
    wrapper.__wrapped__ = source  # type: ignore[attr-defined]  # for inspect.signature
    wrapper.__flopscope_op__ = op  # type: ignore[attr-defined]
