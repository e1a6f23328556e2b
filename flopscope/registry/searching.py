"""Searching and selecting: ``searchsorted``, ``digitize``, ``nonzero``, ``argwhere``,
``flatnonzero``, ``count_nonzero``, ``where``, ``choose``, ``select``, ``trim_zeros``
(:mod:`flopscope.cost.searching`).

Binary searches cost ⌈log2(n + 1)⌉ comparisons per query (Knuth, TAOCP
vol. 3, §6.2.1); tests and selections are pointwise.
"""

from __future__ import annotations

from flopscope.cost import searching as cost
from flopscope.exec.shapes import searching as shapes
from flopscope.registry._core import Category, register_numpy

__all__ = ["register_all"]

_BINARY_SEARCH = "Binary search over n + 1 insertion points (Knuth, TAOCP vol. 3, §6.2.1)."
_DATA_SIZED = "The result's length depends on the data; plans use the upper bound (marked bound)."

#: name -> (category, cost rule, shape rule, formula, notes); the implementation is numpy.<name>.
_ENTRIES = {
    "searchsorted": (Category.CUSTOM, cost.searchsorted_call_cost, shapes.searchsorted_shape,
                     "numel(v) · ⌈log2(n + 1)⌉", _BINARY_SEARCH),
    "digitize": (Category.CUSTOM, cost.digitize_call_cost, shapes.digitize_shape,
                 "(nbins − 1) + numel(x) · (⌈log2(nbins + 1)⌉ + 1)",
                 "NumPy's monotonicity check, then a binary search per value. " + _BINARY_SEARCH),
    "nonzero": (Category.CUSTOM, cost.nonzero_call_cost, shapes.nonzero_shape,
                "numel(input)", "One test per element. " + _DATA_SIZED),
    "argwhere": (Category.CUSTOM, cost.argwhere_call_cost, shapes.argwhere_shape,
                 "numel(input)", "nonzero of the input. " + _DATA_SIZED),
    "flatnonzero": (Category.CUSTOM, cost.flatnonzero_call_cost, shapes.flatnonzero_shape,
                    "numel(input)", "nonzero of the flattened input. " + _DATA_SIZED),
    "count_nonzero": (Category.REDUCTION, cost.count_nonzero_call_cost,
                      shapes.count_nonzero_shape, "numel(input)",
                      "A test and a count per element: a reduction."),
    "where": (Category.CUSTOM, cost.where_call_cost, shapes.where_shape,
              "numel(output); where(c) is nonzero(c): numel(c)",
              "One selection per output element (pointwise). " + _DATA_SIZED
              + " (one-argument form)"),
    "choose": (Category.CUSTOM, cost.choose_call_cost, shapes.choose_shape, "numel(output)",
               "One indexed selection per output element."),
    "select": (Category.CUSTOM, cost.select_call_cost, shapes.select_shape,
               "len(condlist) · numel(output)", "One masked copy per condition per element."),
    "trim_zeros": (Category.CUSTOM, cost.trim_zeros_call_cost, shapes.trim_zeros_shape,
                   "numel(input) · (1 + 2·ndim)",
                   "argwhere, then min and max of the nonzero indices (at their bound). "
                   + _DATA_SIZED),
}


def register_all() -> None:
    for name, (category, cost_rule, shape_rule, formula, notes) in _ENTRIES.items():
        # Every rule above reads shapes and scalar arguments only, even where the
        # result's size depends on the data (nonzero, argwhere): cacheable per layout.
        # trim_zeros returns a slice of its input: a view that keeps the input's flags.
        register_numpy(name, cost_rule, shape_rule, formula, notes, category=category,
                       extras={"shape_only_cost": True,
                               "may_return_a_view": name == "trim_zeros"})
