"""Contractions: einsum and the matmul family (non-ufunc members).

Costs are in :mod:`flopscope.cost.einsum` and :mod:`flopscope.cost.contractions`,
shapes in :mod:`flopscope.exec.shapes.contractions`. ``matmul``, ``vecdot``,
``matvec`` and ``vecmat`` are ufuncs and live in :mod:`flopscope.registry.ufuncs`.

``einsum`` with three or more operands is executed along the same
opt_einsum path that is costed, so the count describes the computation that
actually runs. An explicit ``optimize=`` (a strategy name or a path) is
honoured for both; ``optimize=False`` still contracts pairwise along the
default path, since a single nested loop over every index would cost the
naive product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost import contractions as cost
from flopscope.cost._shapes import shape_of
from flopscope.cost.einsum import contraction_path, einsum_call_cost, parse_einsum
from flopscope.exec.shapes import contractions as shapes
from flopscope.registry._core import Category, OpDef, register, register_numpy

__all__ = ["einsum", "register_all"]


try:  # numpy.einsum(optimize=False) is exactly this C function; calling it skips ~0.5 us
    from numpy._core.multiarray import c_einsum as _c_einsum
except ImportError:  # pragma: no cover - future NumPy layouts
    _c_einsum = None


def einsum(*operands: Any, optimize: Any = False, **kwargs: Any) -> Any:
    """``numpy.einsum``, contracting 3+ operands along flopscope's costed path."""
    n_arrays = len(operands) - 1 if type(operands[0]) is str else len(operands) // 2
    if n_arrays <= 2:
        if optimize is False and _c_einsum is not None:
            return _c_einsum(*operands, **kwargs)
        return np.einsum(*operands, optimize=optimize, **kwargs)
    spec = parse_einsum(*operands)
    strategy = "auto" if optimize in (False, True, None) else optimize
    path = contraction_path(spec, strategy).as_numpy_path()
    return np.einsum(*operands, optimize=path, **kwargs)


def einsum_weight_name(*operands: Any, **kwargs: Any) -> str | None:
    """``"multiply"`` for an einsum that sums over no index, else None (einsum's own weight).

    An einsum whose every input index reaches the output (``'i,i->i'``,
    ``'ij,ij->ij'``, ``'i,j->ij'``) multiplies elements and adds nothing: it
    is the computation of ``multiply`` (and ``outer``), so it carries that
    weight, not the contraction weight measured on BLAS. Otherwise a product
    spelled as an einsum would be charged a fraction of the same product
    spelled ``a * b`` (SPEC.md section 3: a weight belongs to a computation).
    One-operand einsums (``'ij->ji'``, ``'ii->i'``, ``'ij->'``) keep einsum's weight.
    The verdict depends on the subscripts alone, so it is cached per string.
    """
    if not operands:
        return None
    first = operands[0]
    if type(first) is str:
        verdict = _SUMS_NOTHING.get(first)
        if verdict is None:
            if len(_SUMS_NOTHING) >= 4096:
                _SUMS_NOTHING.clear()
            verdict = _SUMS_NOTHING[first] = _sums_over_nothing(first)
    else:  # interleaved operands and sublists: spelled out as a string first
        try:
            verdict = _sums_over_nothing(parse_einsum(*operands).subscripts)
        except Exception:  # the cost rule accepted the call; anything unparsable keeps einsum's
            return None
    return "multiply" if verdict else None


_SUMS_NOTHING: dict[str, bool] = {}


def _sums_over_nothing(subscripts: str) -> bool:
    """True if a 2+-operand einsum's every input label appears in its output."""
    text = subscripts.replace(" ", "").replace("...", "")
    lhs, arrow, rhs = text.partition("->")
    inputs = lhs.split(",")
    if len(inputs) < 2:
        return False
    if not arrow:  # implicit output: the labels that appear exactly once
        labels = "".join(inputs)
        rhs = "".join(c for c in set(labels) if labels.count(c) == 1)
    output = set(rhs)
    return all(set(term) <= output for term in inputs)


# -- contractions that sum over nothing -------------------------------------------------------
# A contraction whose summed size is 1 (``(m, 1) @ (1, n)``, ``dot`` with a scalar,
# ``tensordot(a, b, 0)``) multiplies elements and adds nothing: ``multiply``'s
# computation, so it carries that weight (see einsum_weight_name). Each rule reads
# the summed size from the operands' shapes only.


def _product_if(summed: int) -> str | None:
    return "multiply" if summed <= 1 else None


def matmul_weight_name(x1: Any, x2: Any, /, *_: Any, **__: Any) -> str | None:
    """``"multiply"`` for a matmul whose inner dimension is 1, else None."""
    a = shape_of(x1)
    return _product_if(a[-1] if a else 1)


def dot_weight_name(a: Any, b: Any, *_: Any, **__: Any) -> str | None:
    """``"multiply"`` for ``dot`` / ``inner`` with a scalar operand or a last axis of 1."""
    sa, sb = shape_of(a), shape_of(b)
    return "multiply" if not sa or not sb else _product_if(sa[-1])


def tensordot_weight_name(a: Any, b: Any, axes: Any = 2) -> str | None:
    """``"multiply"`` for a ``tensordot`` that sums over no axis (or axes of size 1)."""
    try:
        return _product_if(cost.tensordot_summed_size(shape_of(a), shape_of(b), axes))
    except Exception:  # the cost rule accepted the call; anything odd keeps tensordot's weight
        return None


_WEIGHT_NAMES = {"dot": dot_weight_name, "inner": dot_weight_name,
                 "tensordot": tensordot_weight_name}


_ENTRIES = [
    ("dot", np.dot, cost.dot_call_cost, shapes.dot_shape, "numel(a)·numel(b)/k"),
    ("inner", np.inner, cost.inner_call_cost, shapes.inner_shape, "numel(a)·numel(b)/k"),
    ("outer", np.outer, cost.outer_call_cost, shapes.outer_shape, "numel(a)·numel(b)"),
    ("vdot", np.vdot, cost.vdot_call_cost, shapes.vdot_shape, "numel(a)"),
    ("tensordot", np.tensordot, cost.tensordot_call_cost, shapes.tensordot_shape,
     "numel(a)·numel(b)/Π(summed axes)"),
    ("kron", np.kron, cost.kron_call_cost, shapes.kron_shape, "numel(a)·numel(b)"),
]


def register_all() -> None:
    register(OpDef(
        "einsum", Category.CUSTOM, "numpy", "einsum", impl=einsum, cost=einsum_call_cost,
        shape=shapes.einsum_shape, numpy_func=np.einsum,
        formula="Π(distinct index sizes); 3+ operands: Σ over the opt_einsum path's steps",
        notes="Two operands: one multiply-add per point of the index space. Three or more: "
              "pairwise along opt_einsum's path, each step costed by the two-operand rule.",
        extras={"induces_symmetry": True, "weight_name": einsum_weight_name,
                "shape_only_cost": True, "may_return_a_view": True},  # einsum('ij->ji', a)
    ))
    for name, fn, cost_rule, shape_rule, formula in _ENTRIES:
        weight_name = _WEIGHT_NAMES.get(name)
        extras: dict = {"shape_only_cost": True}
        if weight_name:
            extras["weight_name"] = weight_name
        register_numpy(name, cost_rule, shape_rule, formula,
                       "Costed as the equivalent einsum (FMA = 1).", fn=fn, extras=extras)
