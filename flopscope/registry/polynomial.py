"""NumPy's polynomial functions (``poly``, ``polyval``, ``polyfit``, ``roots``...).

Top-level ``numpy`` functions on coefficient arrays (highest power first).
Costs: :mod:`flopscope.cost.polynomial` (exact counts of NumPy's loops, with
linear algebra charged by :mod:`flopscope.cost.linalg`); shapes:
:mod:`flopscope.exec.shapes.polynomial`. The ``poly1d`` class is not passed
through (its operators would compute uncounted).
"""

from __future__ import annotations

from typing import Any, Callable

from flopscope.cost import polynomial as cost
from flopscope.exec.shapes import polynomial as shapes
from flopscope.registry._core import register_numpy

__all__ = ["register_all"]

#: (name, cost rule, shape rule, formula, notes)
_ENTRIES: list[tuple[str, Callable[..., int], Callable[..., Any], str, str]] = [
    ("polyval", cost.polyval_call_cost, shapes.polyval_shape, "len(p)·numel(x)",
     "Horner's rule: one FMA per coefficient per point (Knuth TAOCP vol. 2 §4.6.4)."),
    ("polyadd", cost.polyadd_call_cost, shapes.polyadd_shape, "max(n1, n2)",
     "One add per output coefficient."),
    ("polysub", cost.polysub_call_cost, shapes.polysub_shape, "max(n1, n2)",
     "One subtract per output coefficient."),
    ("polymul", cost.polymul_call_cost, shapes.polymul_shape, "n1·n2",
     "Full convolution of the coefficient arrays."),
    ("polydiv", cost.polydiv_call_cost, shapes.polydiv_shape, "1 + max(nu − nv + 1, 0)·(nv + 1)",
     "Long division (Knuth §4.6.1): a reciprocal, then a multiply and nv FMAs per quotient term."),
    ("polyder", cost.polyder_call_cost, shapes.polyder_shape, "Σ_{j<m} max(n − 1 − j, 0)",
     "One multiply per coefficient that survives each differentiation."),
    ("polyint", cost.polyint_call_cost, shapes.polyint_shape, "m·n + m(m − 1)/2",
     "One divide per coefficient of each integration."),
    ("poly", cost.poly_call_cost, shapes.poly_shape, "r(r + 1) [+ eigvals_cost(r) for a matrix]",
     "Multiplying out the r linear factors by convolution; a matrix's roots are its eigenvalues."),
    ("roots", cost.roots_call_cost, shapes.roots_shape, "(n − 1) + 5(n − 1)³",
     "Eigenvalues of the companion matrix (Edelman & Murakami 1995), charged at full size."),
    ("polyfit", cost.polyfit_call_cost, shapes.polyfit_shape,
     "m(c − 1) + 2mc + c + lstsq_cost(m, c, k) + ck [+ weights, cov]",
     "Scaled Vandermonde least squares as NumPy runs it (flopscope.cost.polynomial.polyfit_cost)."),
]


def register_all() -> None:
    for name, cost_rule, shape_rule, formula, notes in _ENTRIES:
        register_numpy(name, cost_rule, shape_rule, formula, notes)
