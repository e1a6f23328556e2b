"""Sorting: n·⌈log2 n⌉ per sorted slice (SPEC.md section 2, :mod:`flopscope.cost.sorting`).

``sort``, ``argsort``, the in-place ``x.sort()``, ``lexsort`` (one sort per
key) and ``sort_complex`` (a sort along the last axis).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost import sorting as cost
from flopscope.exec.shapes import sorting as shapes
from flopscope.registry._core import Category, OpDef, register, register_numpy

__all__ = ["register_all"]

_SORT = "n·⌈log2 n⌉ per sorted slice"
_SOURCE = ("A comparison sort needs about log2(n!) ≈ n·log2 n comparisons "
           "(Knuth, TAOCP vol. 3, §5.3.1); one FLOP per comparison.")


def _sort_in_place(a: np.ndarray, axis: int = -1, kind: Any = None, order: Any = None, *,
                   stable: Any = None) -> None:
    a.sort(axis=axis, kind=kind, order=order, stable=stable)


def _sort_in_place_shape(a: Any, axis: int = -1, *args: Any, **kwargs: Any) -> None:
    shapes.sort_shape(a, axis)  # NumPy's axis check
    return None


#: name -> (NumPy function, cost rule, shape rule, formula, notes)
_ENTRIES = {
    "sort": (np.sort, cost.sort_call_cost, shapes.sort_shape, _SORT, _SOURCE),
    "argsort": (np.argsort, cost.sort_call_cost, shapes.argsort_shape, _SORT, _SOURCE),
    "lexsort": (np.lexsort, cost.lexsort_call_cost, shapes.lexsort_shape,
                "keys · n·⌈log2 n⌉ per slice",
                "One stable sort per key, least significant first (Knuth, TAOCP vol. 3, §5.2.5)."),
    "sort_complex": (np.sort_complex, cost.sort_complex_call_cost, shapes.sort_complex_shape,
                     _SORT + " (last axis)", "A copy sorted along the last axis. " + _SOURCE),
}


def register_all() -> None:
    for name, (fn, cost_rule, shape_rule, formula, notes) in _ENTRIES.items():
        # Sorting reads shapes and axis only, and these return new arrays. (ndarray.sort
        # writes, so it is not marked: the cached path hands NumPy the stored plain
        # array, which does not carry a read-only flag set on the flopscope array.)
        register_numpy(name, cost_rule, shape_rule, formula, notes, fn=fn,
                       extras={"shape_only_cost": True})
    register(OpDef("ndarray.sort", Category.CUSTOM, "numpy.ndarray", "sort", impl=_sort_in_place,
                   cost=cost.sort_call_cost, shape=_sort_in_place_shape, formula=_SORT,
                   notes="The in-place method x.sort(); costed like numpy.sort."))
