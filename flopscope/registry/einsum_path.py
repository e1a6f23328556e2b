"""Symmetry entries: ``einsum_path`` and the counted symmetry helpers.

* ``einsum_path`` (``numpy.einsum_path``): plans a contraction and returns
  ``(path, info)``; it contracts nothing, and is charged a nominal 1 FLOP so
  the query shows in the operation log (budget-planning seed). Its path and
  costs are those ``fnp.einsum`` charges, symmetry included
  (:mod:`flopscope.symmetry.path`).
* ``symmetrize`` (``flops.symmetrize``): the group average, numel(x) FLOPs.
* ``is_symmetric`` (``flops.is_symmetric``): a data check on the pairs of
  elements the symmetry exchanges.

The implementations live in :mod:`flopscope.symmetry`, which imports the
executors; the registry is built while the executors load, so the callables
below reach that package when first called rather than at import.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost.einsum import einsum_path_call_cost
from flopscope.registry._core import Category, OpDef, register

__all__ = ["register_all"]


def _symmetry() -> Any:
    import flopscope.symmetry as package  # loaded by then; this is a sys.modules lookup

    return package


def einsum_path(*operands: Any, **kwargs: Any) -> tuple[list, Any]:
    """``numpy.einsum_path`` with flopscope's path and symmetry-aware costs."""
    try:
        return _symmetry().path.plan_einsum_path(operands, kwargs)
    except Exception:
        np.einsum_path(*operands, **kwargs)  # report invalid calls in NumPy's own words
        raise


def einsum_path_shape(*operands: Any, **kwargs: Any) -> tuple[list, Any]:
    """Planning: the same answer, computed from the abstract operands' shapes and tags."""
    return _symmetry().path.plan_einsum_path(operands, kwargs)


def symmetrize_impl(x: Any, symmetry: Any = None) -> Any:
    return _symmetry().api.symmetrize_impl(x, symmetry)


def symmetrize_cost(x: Any, symmetry: Any = None) -> int:
    return _symmetry().api.symmetrize_call_cost(x, symmetry)


def symmetrize_shape(x: Any, symmetry: Any = None) -> Any:
    return _symmetry().api.symmetrize_shape(x, symmetry)


def is_symmetric_impl(x: Any, symmetry: Any = None, rtol: Any = None, atol: float = 0.0) -> bool:
    return _symmetry().api.is_symmetric_impl(x, symmetry, rtol, atol)


def is_symmetric_cost(x: Any, symmetry: Any = None, rtol: Any = None, atol: float = 0.0) -> int:
    return _symmetry().api.is_symmetric_call_cost(x, symmetry, rtol, atol)


def is_symmetric_shape(x: Any, symmetry: Any = None, rtol: Any = None, atol: float = 0.0) -> Any:
    return _symmetry().api.is_symmetric_shape(x, symmetry, rtol, atol)


def register_all() -> None:
    register(OpDef(
        "einsum_path", Category.CUSTOM, "numpy", "einsum_path", impl=einsum_path,
        cost=einsum_path_call_cost, shape=einsum_path_shape, numpy_func=np.einsum_path,
        formula="1 (a planning event)",
        notes="Contracts nothing; returns (path, info) with the path and symmetry-aware "
              "per-step costs fnp.einsum would charge. Charged 1 FLOP so the query is logged.",
        extras={"induces_symmetry": True},
    ))
    register(OpDef(
        "symmetrize", Category.CUSTOM, "flopscope", "symmetrize", impl=symmetrize_impl,
        cost=symmetrize_cost, shape=symmetrize_shape, formula="numel(x)",
        notes="Average over the symmetry group: each element is scaled by 1/|orbit| and "
              "added into its orbit's mean, one multiply-add per element.",
    ))
    register(OpDef(
        "is_symmetric", Category.CUSTOM, "flopscope", "is_symmetric", impl=is_symmetric_impl,
        cost=is_symmetric_cost, shape=is_symmetric_shape,
        formula="numel + 6·pairs (floats); 2·pairs (exact dtypes)",
        notes="pairs = elements the symmetry's generators exchange, Σ (numel - numel/N)/2 "
              "(N = values one block takes). Floats: |x| per element, then difference, its "
              "absolute value, max magnitude, atol + rtol·m, comparison and fold per pair. "
              "flops.as_symmetric charges its check through this entry.",
    ))
