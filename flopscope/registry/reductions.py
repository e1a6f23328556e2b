"""Reductions: one FLOP per input element (SPEC.md section 2).

``sum``, ``mean``, ``var``, ``std``, ``max``, ``min``, ``prod``, ``all``,
``any``, ``argmax``, ``argmin``, the cumulative reductions and their ``nan*``
variants all cost ``numel(input)`` whatever ``axis``, ``keepdims``,
``dtype`` or ``where=`` (see :mod:`flopscope.cost.reduction` for why).
"""

from __future__ import annotations

import numpy as np

from flopscope.cost.reduction import reduction_call_cost
from flopscope.exec.shapes import cumulative_rule, reduction_rule
from flopscope.exec.shapes.reductions import cumulative_array_api_rule
from flopscope.registry._core import Category, OpDef, register

__all__ = ["REDUCTIONS", "CUMULATIVE", "register_all"]

#: Reductions with ``axis`` / ``keepdims``: name -> NumPy function.
REDUCTIONS = {
    name: getattr(np, name)
    for name in (
        "sum", "mean", "var", "std", "max", "min", "amax", "amin", "prod", "all", "any",
        "argmax", "argmin", "nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin",
        "nanprod", "nanargmax", "nanargmin",
    )
}

#: Cumulative reductions (output has the input's shape): name -> NumPy function.
CUMULATIVE = {name: getattr(np, name) for name in ("cumsum", "cumprod", "nancumsum", "nancumprod")}

#: Array-API cumulative functions (``axis`` required for ndim > 1, ``include_initial``).
CUMULATIVE_ARRAY_API = {name: getattr(np, name) for name in ("cumulative_sum", "cumulative_prod")}


#: Functions NumPy defines, for an ndarray argument, as the method of the same
#: name with identical parameters (``np.sum(x, ...)`` is ``x.sum(...)``).
_METHOD_OF = {"amax": "max", "amin": "min"}


#: Functions whose NumPy function takes more than the method: ``np.std(x, correction=1)``
#: (the Array API's name for ``ddof``) works, ``x.std(correction=1)`` raises in NumPy.
_FUNCTION_ONLY = frozenset({"std", "var"})


def _ndarray_method(name: str) -> dict:
    if name in _FUNCTION_ONLY:
        return {}
    method = getattr(np.ndarray, _METHOD_OF.get(name, name), None)
    return {"ndarray_method": method} if method is not None else {}


def register_all() -> None:
    for name, fn in REDUCTIONS.items():
        register(OpDef(
            name, Category.REDUCTION, "numpy", name, impl=fn, cost=reduction_call_cost,
            shape=reduction_rule(fn), formula="numel(input)", numpy_func=fn,
            extras=_ndarray_method(name),
        ))
    for name, fn in CUMULATIVE.items():
        register(OpDef(
            name, Category.REDUCTION, "numpy", name, impl=fn, cost=reduction_call_cost,
            shape=cumulative_rule(fn), formula="numel(input)", numpy_func=fn,
            extras=_ndarray_method(name),
        ))
    for name, fn in CUMULATIVE_ARRAY_API.items():
        register(OpDef(
            name, Category.REDUCTION, "numpy", name, impl=fn, cost=reduction_call_cost,
            shape=cumulative_array_api_rule(fn), formula="numel(input)", numpy_func=fn,
        ))
