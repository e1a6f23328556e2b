"""Set operations: ``unique`` and its array-API forms, ``isin``, ``intersect1d``,
``setdiff1d``, ``setxor1d``, ``union1d`` (:mod:`flopscope.cost.setops`).

Sort-based: n·⌈log2 n⌉ for the sort plus linear passes, following NumPy's
code (hash-based ``unique_values`` for the dtypes NumPy hashes, pairwise or
table-based ``isin`` where NumPy takes those branches). Results whose length
depends on the data are planned at their upper bound; the array-API
functions keep their named-tuple result types.
"""

from __future__ import annotations

from flopscope.cost import setops as cost
from flopscope.exec.shapes import setops as shapes
from flopscope.registry._core import register_numpy

__all__ = ["register_all"]

_SORTED = "Sort-based (Knuth, TAOCP vol. 3, ch. 5); distinct counts planned at their bound."

#: name -> (cost rule, shape rule, formula); the implementation is numpy.<name>.
_ENTRIES = {
    "unique": (cost.unique_call_cost, shapes.unique_shape,
               "n·⌈log2 n⌉ + n (+2n inverse, +2n counts); hashed and unsorted: n"),
    "unique_all": (cost.unique_all_call_cost, shapes.unique_all_shape, "n·⌈log2 n⌉ + 5n"),
    "unique_counts": (cost.unique_counts_call_cost, shapes.unique_counts_shape,
                      "n·⌈log2 n⌉ + 3n"),
    "unique_inverse": (cost.unique_inverse_call_cost, shapes.unique_inverse_shape,
                       "n·⌈log2 n⌉ + 3n"),
    "unique_values": (cost.unique_values_call_cost, shapes.unique_values_shape,
                      "n (hash table) or n·⌈log2 n⌉ + n"),
    "isin": (cost.isin_call_cost, shapes.isin_shape,
             "pairwise 2·n1·n2, sort-based N·⌈log2 N⌉ + N (+ uniques), or table 3·n2 + 4·n1"),
    "intersect1d": (cost.intersect1d_call_cost, shapes.intersect1d_shape,
                    "unique(n1) + unique(n2) + N·⌈log2 N⌉ + N, N = n1 + n2"),
    "setdiff1d": (cost.setdiff1d_call_cost, shapes.setdiff1d_shape,
                  "unique(n1) + unique(n2) + isin bound"),
    "setxor1d": (cost.setxor1d_call_cost, shapes.setxor1d_shape,
                 "unique(n1) + unique(n2) + N·⌈log2 N⌉ + 2N"),
    "union1d": (cost.union1d_call_cost, shapes.union1d_shape, "unique(n1 + n2)"),
}


def register_all() -> None:
    for name, (cost_rule, shape_rule, formula) in _ENTRIES.items():
        register_numpy(name, cost_rule, shape_rule, formula, _SORTED)
