"""``flops.special``: SciPy's special functions that ML code uses most.

Each entry is named ``special.<name>`` (logs, summaries, weights files) and
lives in the public module ``flopscope.special``. Values are SciPy's own;
:mod:`scipy.special` is imported on first use (it takes about half a second),
not when flopscope is imported.

* **Elementwise ufuncs** (:data:`SPECIAL_UFUNCS`): ``numel(output)``, like
  NumPy's transcendental ufuncs; the weight of ``special.<name>`` carries the
  relative expense of the evaluation. ``scipy.special.expit(x)`` on a
  flopscope array reaches the same entry through ``__array_ufunc__``
  (:func:`ufunc_resolver`), so both spellings charge the same.
* **Reductions built from passes** (``logsumexp``, ``softmax``,
  ``log_softmax``): the formulas derived in :mod:`flopscope.cost.special`.

Any other :mod:`scipy.special` ufunc reaching a flopscope array is refused
(see :mod:`flopscope.exec.routing`) until its cost is declared with
:func:`flopscope.register_ufunc`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

import numpy as np

from flopscope.cost import special as cost
from flopscope.cost.pointwise import ufunc_call_cost
from flopscope.exec.shapes import special as shapes
from flopscope.registry._core import Category, OpDef, register

__all__ = ["SPECIAL_UFUNCS", "SPECIAL_FUNCTIONS", "ufunc_resolver", "register_all"]

#: scipy.special ufuncs counted numel(output): name -> number of inputs.
SPECIAL_UFUNCS: dict[str, int] = {
    "expit": 1,
    "log_expit": 1,
    "logit": 1,
    "erf": 1,
    "erfc": 1,
    "erfinv": 1,
    "erfcinv": 1,
    "gamma": 1,
    "gammaln": 1,
    "digamma": 1,
    "ndtr": 1,
    "ndtri": 1,
    "log_ndtr": 1,
    "xlogy": 2,
    "xlog1py": 2,
}

#: scipy.special functions with their own formula: name -> (cost rule, shape rule, formula).
SPECIAL_FUNCTIONS: dict[str, tuple[Callable[..., int], Callable[..., Any], str]] = {
    "logsumexp": (cost.logsumexp_call_cost, shapes.logsumexp_shape,
                  "4n + 2m (+n with b, +m with return_sign)"),
    "softmax": (cost.softmax_call_cost, shapes.softmax_shape, "5n"),
    "log_softmax": (cost.log_softmax_call_cost, shapes.log_softmax_shape, "5n + m"),
}

_FUNCTION_NOTES = {
    "logsumexp": "log(sum(exp(a - max))) + max over axis: max, subtract, exp, sum over the "
                 "n = numel(a) inputs, log and add-back over the m outputs; weights b add a "
                 "multiply (n), return_sign a sign (m). Derived in flopscope.cost.special.",
    "softmax": "exp(x - max) / sum over axis: max, subtract, exp, sum and divide, one pass "
               "each over the n = numel(x) elements. Derived in flopscope.cost.special.",
    "log_softmax": "(x - max) - log(sum(exp(x - max))) over axis: max, subtract, exp, sum and "
                   "the final subtract over n elements, log over the m slices. Derived in "
                   "flopscope.cost.special.",
}


def _scipy(name: str) -> Callable[..., Any]:
    """``scipy.special.<name>``, imported on first call."""

    def impl(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module("scipy.special"), name)(*args, **kwargs)

    impl.__name__ = impl.__qualname__ = name
    impl.__doc__ = f"scipy.special.{name}, with SciPy's arguments and values."
    return impl


def register_all() -> None:
    for name, nin in SPECIAL_UFUNCS.items():
        register(OpDef(
            f"special.{name}", Category.UNARY if nin == 1 else Category.BINARY,
            "flopscope.special", name, impl=_scipy(name), cost=ufunc_call_cost,
            shape=shapes.special_ufunc_rule(name), formula="numel(output)",
            notes=f"Values of the ufunc scipy.special.{name}; one evaluation per output "
                  "element, like NumPy's transcendental ufuncs (the weight carries its "
                  "expense). scipy.special." + name + " called on a flopscope array is "
                  "counted as this entry.",
            extras={"scipy_ufunc": name},
        ))
    for name, (rule, shape, formula) in SPECIAL_FUNCTIONS.items():
        register(OpDef(
            f"special.{name}", Category.CUSTOM, "flopscope.special", name, impl=_scipy(name),
            cost=rule, shape=shape, formula=formula, notes=_FUNCTION_NOTES[name],
        ))


def ufunc_resolver(callables: dict[str, Callable[..., Any]]) -> Callable[[np.ufunc], Any]:
    """A routing resolver: the counted callable of a listed scipy.special ufunc, else None.

    Routing asks it about ufuncs it has no wrapper for. The ufunc can only come
    from an imported :mod:`scipy.special`, so nothing is imported here.
    """

    def resolve(ufunc: np.ufunc) -> Any:
        special = sys.modules.get("scipy.special")
        if special is None:
            return None
        name = getattr(ufunc, "__name__", None)
        if name in SPECIAL_UFUNCS and getattr(special, name, None) is ufunc:
            return callables.get(f"special.{name}")
        if name == "psi" and getattr(special, "digamma", None) is ufunc:
            return callables.get("special.digamma")
        return None

    return resolve

