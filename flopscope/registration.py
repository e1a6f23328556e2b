"""Declaring the cost of your own functions and of third-party ufuncs.

flopscope refuses any computation on its arrays that it has no cost rule for
(a SciPy ufunc it does not list, a ufunc made by ``np.frompyfunc``, a NumPy
function it has not classified). This module is the public way to give such a
callable a rule, after which it is counted, checked against the budget,
logged, planned by :func:`flopscope.plan` and drawn like a built-in:

* :func:`counted` — a decorator for your own function::

      @flops.counted(cost=lambda x, y: x.shape[0] * y.shape[1], shape=lambda x, y: (x.shape[0], y.shape[1]))
      def my_product(x, y):
          return x @ y              # runs on plain NumPy arrays, not counted again

* :func:`register_ufunc` — for a ufunc from another library::

      flops.register_ufunc(scipy.special.eval_legendre, name="my.eval_legendre",
                           cost=lambda n, x, **kw: 20 * np.size(x))

The cost rule receives the call's arguments exactly as the function does
(arrays may be real or abstract: read only ``.shape``, ``.ndim``, ``.size``,
``.dtype``) and returns the analytical FLOPs as a non-negative ``int``,
FMA = 1. A returned value that is not one is an error raised before anything
runs. ``weight=`` sets the op's weight in the active weights table (a later
``load_weights`` / ``reset_weights`` replaces the whole table).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.cost.pointwise import ufunc_call_cost
from flopscope.exec.shapes import ArraySpec, ufunc_rule
from flopscope.registry import REGISTRY, Category, OpDef, register

__all__ = ["counted", "register_function", "register_ufunc", "unregister", "CUSTOM_MODULE"]

#: Public module recorded for declared operations (they live wherever the user defined them).
CUSTOM_MODULE = "flopscope.custom"


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"the name of a declared operation must be a non-empty string, got {name!r}")
    if name in REGISTRY:
        raise ValueError(
            f"an operation named {name!r} is already registered; choose another name (or call "
            f"flops.unregister({name!r}) first if you declared it yourself)"
        )
    return name


def _check_weight(weight: Any, name: str) -> float | None:
    if weight is None:
        return None
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
        raise TypeError(f"weight of {name!r} must be a number, got {type(weight).__name__}")
    if not math.isfinite(weight) or weight < 0:
        raise ValueError(f"weight of {name!r} must be finite and non-negative, got {weight!r}")
    return float(weight)


def _checked_cost(cost: Any, name: str) -> Callable[..., int]:
    """``cost`` wrapped so that what it returns is checked at every call."""
    if not callable(cost):
        raise TypeError(f"cost of {name!r} must be a callable returning FLOPs, got {cost!r}")

    def rule(*args: Any, **kwargs: Any) -> int:
        value = cost(*args, **kwargs)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(
                f"the cost rule of {name!r} returned {value!r} ({type(value).__name__}); it "
                "must return the analytical FLOPs as a non-negative int. Nothing was run or "
                "charged."
            )
        if value < 0:
            raise ValueError(
                f"the cost rule of {name!r} returned {value}, a negative FLOP count. Nothing "
                "was run or charged."
            )
        return int(value)

    rule.__name__ = f"{name}_cost"
    rule.__doc__ = getattr(cost, "__doc__", None)
    return rule


def _as_spec(value: Any, name: str) -> Any:
    """A user shape rule's result as ArraySpec(s): a shape tuple means float64."""
    if isinstance(value, ArraySpec):
        return value
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return ArraySpec(tuple(value.shape), np.dtype(value.dtype))
    if isinstance(value, (tuple, list)) and all(isinstance(d, (int, np.integer))
                                                and not isinstance(d, bool) for d in value):
        if any(d < 0 for d in value):
            raise ValueError(f"the shape rule of {name!r} returned a negative dimension: {value!r}")
        return ArraySpec(tuple(int(d) for d in value), np.dtype(np.float64))
    if isinstance(value, tuple):
        return tuple(_as_spec(v, name) for v in value)
    raise TypeError(
        f"the shape rule of {name!r} returned {value!r}; it must return a shape tuple "
        "(a float64 result), flops.spec(shape, dtype), or a tuple of those for several results"
    )


def _shape_rule(shape: Any, name: str) -> Callable[..., Any]:
    if shape is None:
        def unplannable(*_: Any, **__: Any) -> Any:
            raise NotImplementedError(
                f"{name!r} cannot be planned: it was declared without a shape rule. Pass "
                "shape=lambda *args: <output shape> when declaring it (see docs/custom-ops.md)."
            )
        return unplannable
    if not callable(shape):
        raise TypeError(f"shape of {name!r} must be a callable returning the output shape, got {shape!r}")

    def rule(*args: Any, **kwargs: Any) -> Any:
        return _as_spec(shape(*args, **kwargs), name)

    return rule


def _guarded(op: OpDef, inner: Callable[..., Any]) -> Callable[..., Any]:
    """The public callable: the declared cost is checked before the counted call runs.

    The counted path treats an exception from a cost rule as invalid arguments
    and lets the implementation report them; for a declared op that would run
    the user's function, so a bad cost is caught here first.
    """
    cost = op.cost

    def declared(*args: Any, **kwargs: Any) -> Any:
        cost(*args, **kwargs)
        return inner(*args, **kwargs)

    for attr in ("__name__", "__qualname__", "__module__", "__doc__", "__wrapped__",
                 "__flopscope_op__"):
        if hasattr(inner, attr):
            setattr(declared, attr, getattr(inner, attr))
    return declared


def _install(op: OpDef, weight: float | None) -> Callable[..., Any]:
    from flopscope.exec.dispatch import build_callable
    from flopscope.numpy._surface import CALLABLES

    register(op)
    fn = _guarded(op, build_callable(op))
    CALLABLES[op.name] = fn
    if weight is not None:
        ACTIVE_WEIGHTS[op.name] = weight
    return fn


def register_function(fn: Callable[..., Any], *, cost: Callable[..., int],
                      shape: Callable[..., Any] | None = None, name: str | None = None,
                      weight: float | None = None, formula: str = "") -> Callable[..., Any]:
    """Declare the cost of your function ``fn`` and return its counted version.

    Parameters
    ----------
    fn:
        The function. It is called with flopscope arrays converted to plain
        NumPy arrays, so NumPy calls inside it are not counted a second time
        (``fnp`` calls inside it would be). Array results come back as
        ``fnp.ndarray``.
    cost:
        ``cost(*args, **kwargs) -> int``: analytical FLOPs of a call, from
        shapes and parameters only.
    shape:
        Optional ``shape(*args, **kwargs)`` returning the output shape (a
        tuple, meaning float64), ``flops.spec(shape, dtype)``, or a tuple of
        those; needed for :func:`flopscope.plan`.
    name:
        Name in logs, summaries and weights files; default ``fn.__qualname__``.
    weight:
        Optional weight for the active weights table.
    formula:
        Optional text for summaries and reprs (default: "declared").
    """
    if not callable(fn):
        raise TypeError(f"register_function needs a callable, got {fn!r}")
    name = _check_name(name if name is not None else getattr(fn, "__qualname__", None))
    rule = _checked_cost(cost, name)
    w = _check_weight(weight, name)
    op = OpDef(name, Category.CUSTOM, CUSTOM_MODULE, name, impl=fn, cost=rule,
               shape=_shape_rule(shape, name), formula=formula or "declared",
               numpy_func=None, notes="Declared with flopscope.counted / register_function.",
               extras={"declared": True})
    return _install(op, w)


def counted(fn: Callable[..., Any] | None = None, *, cost: Callable[..., int],
            shape: Callable[..., Any] | None = None, name: str | None = None,
            weight: float | None = None, formula: str = "") -> Any:
    """Decorator form of :func:`register_function`.

    >>> import flopscope as flops, flopscope.numpy as fnp
    >>> @flops.counted(cost=lambda x: 2 * x.size, shape=lambda x: x.shape, name="doc.twice")
    ... def twice(x):
    ...     return x + x
    >>> with flops.BudgetContext(flop_budget=100, quiet=True) as b:
    ...     y = twice(fnp.ones(10))
    >>> b.flops_used
    20
    >>> flops.unregister("doc.twice")
    """
    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        return register_function(f, cost=cost, shape=shape, name=name, weight=weight,
                                 formula=formula)

    if fn is not None:
        return decorate(fn)
    return decorate


def register_ufunc(ufunc: np.ufunc, *, cost: Callable[..., int] | None = None,
                   name: str | None = None, shape: Callable[..., Any] | None = None,
                   weight: float | None = None, formula: str = "") -> Callable[..., Any]:
    """Declare the cost of a third-party ufunc, so that it runs on flopscope arrays.

    After this, ``ufunc(x)`` with a flopscope array ``x`` (NumPy hands it to
    ``fnp.ndarray.__array_ufunc__``) and the returned callable are counted
    under ``name``. Only the plain call is covered; the ufunc's methods
    (``reduce``, ``outer``...) stay refused.

    Parameters
    ----------
    ufunc:
        A :class:`numpy.ufunc` (SciPy's special functions, a ``frompyfunc``
        result, a compiled extension's ufunc). NumPy's own ufuncs are
        already counted and cannot be declared again.
    cost:
        ``cost(*operands, **kwargs) -> int``; default ``numel(output)`` (one
        FLOP per output element, the rule of NumPy's elementwise ufuncs).
    name:
        Name in logs and weights files; default ``ufunc.__name__``.
    shape:
        Shape rule for planning; default NumPy's broadcasting and the ufunc's
        own dtype resolution (elementwise ufuncs). Required for generalized
        ufuncs (those with a ``signature``), which also need ``cost``.
    weight:
        Optional weight for the active weights table.
    """
    from flopscope.exec.routing import UFUNC_CALLS, UFUNC_RESOLVERS

    if not isinstance(ufunc, np.ufunc):
        raise TypeError(f"register_ufunc needs a numpy.ufunc, got {type(ufunc).__name__}; "
                        "use flops.counted for plain functions")
    known = UFUNC_CALLS.get(ufunc)
    if known is None:
        for resolve in UFUNC_RESOLVERS:
            known = resolve(ufunc)
            if known is not None:
                break
    if known is not None:
        existing = getattr(known, "__flopscope_op__", None)
        label = existing.name if existing is not None else ufunc.__name__
        raise ValueError(f"the ufunc {ufunc.__name__} is already counted as {label!r}")
    name = _check_name(name if name is not None else ufunc.__name__)
    if ufunc.signature is not None and (cost is None or shape is None):
        raise ValueError(
            f"{ufunc.__name__} is a generalized ufunc (signature {ufunc.signature}); declare "
            "both cost= and shape= for it"
        )
    rule = _checked_cost(cost if cost is not None else ufunc_call_cost, name)
    w = _check_weight(weight, name)
    shape_rule = _shape_rule(shape, name) if shape is not None else ufunc_rule(ufunc)
    category = Category.CUSTOM if cost is not None else (
        Category.UNARY if ufunc.nin == 1 else Category.BINARY)
    op = OpDef(name, category, CUSTOM_MODULE, name, impl=ufunc, cost=rule, shape=shape_rule,
               formula=formula or ("numel(output)" if cost is None else "declared"),
               numpy_func=ufunc, notes="Declared with flopscope.register_ufunc.",
               extras={"declared": True})
    fn = _install(op, w)
    UFUNC_CALLS[ufunc] = fn
    return fn


def unregister(name: str) -> None:
    """Remove an operation declared with :func:`counted` / :func:`register_ufunc`.

    Built-in operations cannot be removed (``ValueError``).
    """
    from flopscope.exec import dispatch
    from flopscope.exec.routing import UFUNC_CALLS
    from flopscope.numpy._surface import CALLABLES

    op = REGISTRY.get(name)
    if op is None:
        raise KeyError(f"no operation named {name!r} is registered")
    if not op.extras.get("declared"):
        raise ValueError(f"{name!r} is a built-in operation and cannot be unregistered")
    del REGISTRY[name]
    CALLABLES.pop(name, None)
    dispatch._BUILT.pop(name, None)
    if isinstance(op.numpy_func, np.ufunc) and getattr(
            UFUNC_CALLS.get(op.numpy_func), "__flopscope_op__", None) is op:
        del UFUNC_CALLS[op.numpy_func]
    ACTIVE_WEIGHTS.pop(name, None)
