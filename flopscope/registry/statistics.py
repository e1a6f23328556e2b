"""Descriptive statistics: ``average``, ``ptp``, ``cov``, ``corrcoef``, ``histogram``,
``histogram_bin_edges``, ``histogram2d``, ``histogramdd``, ``bincount``
(:mod:`flopscope.cost.statistics`).
"""

from __future__ import annotations

from flopscope.cost import statistics as cost
from flopscope.exec.shapes import statistics as shapes
from flopscope.registry._core import register_numpy

__all__ = ["register_all"]

_DERIVED = "Derivation in flopscope.cost.statistics.{}_cost."

#: name -> (cost rule, shape rule, formula); the implementation is numpy.<name>.
_ENTRIES = {
    "average": (cost.average_call_cost, shapes.average_shape,
                "numel(a); weighted: numel(a) + numel(w) + 2·sums + outputs"),
    "ptp": (cost.ptp_call_cost, shapes.ptp_shape, "2·numel(input) + numel(output)"),
    "cov": (cost.cov_call_cost, shapes.cov_shape,
            "p²N + 2pN + p² (p variables, N observations; weights add O(pN))"),
    "corrcoef": (cost.corrcoef_call_cost, shapes.corrcoef_shape, "cov + p + 3p²"),
    "bincount": (cost.bincount_call_cost, shapes.bincount_shape, "2n"),
    "histogram_bin_edges": (cost.histogram_bin_edges_call_cost,
                            shapes.histogram_bin_edges_shape,
                            "range 2n + linspace(bins + 1) + 2·bins (+ estimator)"),
    "histogram": (cost.histogram_call_cost, shapes.histogram_shape,
                  "edges + 18n + bins per block (equal bins); sort-based for explicit edges"),
    "histogramdd": (cost.histogramdd_call_cost, shapes.histogramdd_shape,
                    "Σ_i [edges_i + b_i + n·⌈log2(b_i + 2)⌉ + 2n] + D·n + 2n"),
    "histogram2d": (cost.histogram2d_call_cost, shapes.histogram2d_shape,
                    "histogramdd with D = 2"),
}


def register_all() -> None:
    for name, (cost_rule, shape_rule, formula) in _ENTRIES.items():
        register_numpy(name, cost_rule, shape_rule, formula, _DERIVED.format(name))
