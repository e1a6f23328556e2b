"""Selection: ``partition``, ``argpartition``, ``x.partition()``, ``median``, ``percentile``,
``quantile`` and their ``nan*`` forms (:mod:`flopscope.cost.selection`).

All are built on introselect, charged (2 + r)·n for r ranks in a slice of n,
capped at the sort cost n·⌈log2 n⌉; the module docstring of
:mod:`flopscope.cost.selection` derives the constant (Knuth's quickselect
average of 3n for the first rank) and each function's extra work.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost import selection as cost
from flopscope.exec.shapes import sorting as sort_shapes
from flopscope.exec.shapes.selection import order_statistic_rule
from flopscope.registry._core import Category, OpDef, register, register_numpy

__all__ = ["register_all"]

_SELECT = "min((2 + r)·n, n·⌈log2 n⌉) per slice, r ranks"
_SOURCE = ("Introselect (Musser 1997); quickselect averages 3n comparisons over ranks "
           "(Knuth, TAOCP vol. 3, §5.3.3); n per further rank; capped at a sort.")


def _partition_in_place(a: np.ndarray, kth: Any, axis: int = -1, kind: str = "introselect",
                        order: Any = None) -> None:
    a.partition(kth, axis=axis, kind=kind, order=order)


def _partition_in_place_shape(a: Any, kth: Any, axis: int = -1, kind: str = "introselect",
                              order: Any = None) -> None:
    sort_shapes.partition_shape(a, kth, axis)  # NumPy's axis and kth checks
    return None


#: name -> (NumPy function, cost rule, shape rule, formula, notes)
_ENTRIES = {
    "partition": (np.partition, cost.partition_call_cost, sort_shapes.partition_shape,
                  _SELECT + ", r = len(kth)", _SOURCE),
    "argpartition": (np.argpartition, cost.argpartition_call_cost, sort_shapes.argpartition_shape,
                     _SELECT + ", r = len(kth)", _SOURCE),
    "median": (np.median, cost.median_call_cost, order_statistic_rule(np.median, False),
               "selection of the middle rank(s) + their mean + NaN check, per slice",
               "See flopscope.cost.selection.median_cost. " + _SOURCE),
    "quantile": (np.quantile, cost.quantile_call_cost, order_statistic_rule(np.quantile, True),
                 "selection of ≤ 2q + 2 ranks per slice + 3 per output + 14 per q",
                 "Interpolating methods; discrete methods select q ranks. Hyndman & Fan (1996). "
                 "See flopscope.cost.selection.quantile_cost."),
    "percentile": (np.percentile, cost.percentile_call_cost,
                   order_statistic_rule(np.percentile, True),
                   "quantile cost + q (the division by 100)",
                   "See flopscope.cost.selection.percentile_cost."),
    "nanmedian": (np.nanmedian, cost.nanmedian_call_cost,
                  order_statistic_rule(np.nanmedian, False),
                  "3n NaN removal + median bound per slice (sort-based for slices < 600)",
                  "Follows NumPy's branches; see flopscope.cost.selection.nanmedian_cost."),
    "nanquantile": (np.nanquantile, cost.nanquantile_call_cost,
                    order_statistic_rule(np.nanquantile, True),
                    "per slice: 3n NaN removal + one-slice quantile cost",
                    "See flopscope.cost.selection.nanquantile_cost."),
    "nanpercentile": (np.nanpercentile, cost.nanpercentile_call_cost,
                      order_statistic_rule(np.nanpercentile, True),
                      "nanquantile cost + q (the division by 100)",
                      "See flopscope.cost.selection.nanpercentile_cost."),
}


def register_all() -> None:
    for name, (fn, cost_rule, shape_rule, formula, notes) in _ENTRIES.items():
        register_numpy(name, cost_rule, shape_rule, formula, notes, fn=fn)
    register(OpDef("ndarray.partition", Category.CUSTOM, "numpy.ndarray", "partition",
                   impl=_partition_in_place, cost=cost.partition_call_cost,
                   shape=_partition_in_place_shape, formula=_SELECT + ", r = len(kth)",
                   notes="The in-place method x.partition(); costed like numpy.partition."))
