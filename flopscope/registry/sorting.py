"""Sorting: n·⌈log2 n⌉ per sorted slice (SPEC.md section 2, :mod:`flopscope.cost.sorting`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost.sorting import sort_call_cost
from flopscope.exec.shapes import ArraySpec, spec_of
from flopscope.registry._core import Category, OpDef, register

__all__ = ["register_all"]


def _sort_shape(a: Any, axis: Any = -1, *args: Any, **kwargs: Any) -> ArraySpec:
    spec = spec_of(a)
    return ArraySpec((spec.size,), spec.dtype) if axis is None else spec


def _argsort_shape(a: Any, axis: Any = -1, *args: Any, **kwargs: Any) -> ArraySpec:
    spec = _sort_shape(a, axis)
    return ArraySpec(spec.shape, np.dtype(np.intp))


def _sort_in_place(a: np.ndarray, axis: int = -1, kind: Any = None, order: Any = None, *,
                   stable: Any = None) -> None:
    a.sort(axis=axis, kind=kind, order=order, stable=stable)


def _no_result(*args: Any, **kwargs: Any) -> None:
    return None


def register_all() -> None:
    formula = "n·⌈log2 n⌉ per sorted slice"
    register(OpDef("sort", Category.CUSTOM, "numpy", "sort", impl=np.sort, cost=sort_call_cost,
                   shape=_sort_shape, formula=formula, numpy_func=np.sort))
    register(OpDef("argsort", Category.CUSTOM, "numpy", "argsort", impl=np.argsort,
                   cost=sort_call_cost, shape=_argsort_shape, formula=formula,
                   numpy_func=np.argsort))
    register(OpDef("ndarray.sort", Category.CUSTOM, "numpy.ndarray", "sort", impl=_sort_in_place,
                   cost=sort_call_cost, shape=_no_result, formula=formula,
                   notes="The in-place method x.sort(); costed like numpy.sort."))
