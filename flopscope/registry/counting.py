"""Operations that look free but compute (:mod:`flopscope.cost.counting`).

``trace``, ``diff``, ``ediff1d``, ``gradient``, ``convolve``, ``correlate``,
``interp``, ``cross``, ``trapezoid``, ``vander``, the sample-spacing functions,
bit packing, and the compound elementwise functions. Each formula counts
NumPy's own sequence of elementwise steps and reductions (or, for C loops,
the loop's operations) in FMA units; the derivations are the docstrings of
the ``*_cost`` functions.
"""

from __future__ import annotations

import numpy as np

from flopscope.cost import counting as cost
from flopscope.exec.shapes import counting as shapes
from flopscope.exec.shapes.counting import elementwise_rule, scalar_rule
from flopscope.registry._core import Category, register_numpy

__all__ = ["register_all"]

#: name -> (category, cost rule, shape rule, formula); the implementation is numpy.<name>.
_ENTRIES = {
    "trace": (Category.CUSTOM, cost.trace_call_cost, shapes.trace_shape,
              "diagonal length per matrix"),
    "diff": (Category.CUSTOM, cost.diff_call_cost, shapes.diff_shape,
             "Σ_{k=1..n} (length − k) per slice"),
    "ediff1d": (Category.CUSTOM, cost.ediff1d_call_cost, shapes.ediff1d_shape, "numel − 1"),
    "gradient": (Category.CUSTOM, cost.gradient_call_cost, shapes.gradient_shape,
                 "2N per axis (uniform spacing); 3N + O(n) with coordinates"),
    "convolve": (Category.CUSTOM, cost.convolve_call_cost, shapes.convolve_shape,
                 "overlapping pairs: n·m (full)"),
    "correlate": (Category.CUSTOM, cost.correlate_call_cost, shapes.correlate_shape,
                  "overlapping pairs: min·(max − min + 1) (valid)"),
    "interp": (Category.CUSTOM, cost.interp_call_cost, shapes.interp_shape,
               "n_points·(⌈log2(n_table + 1)⌉ + 4) + 3·min(n_table − 1, n_points)"),
    "cross": (Category.CUSTOM, cost.cross_call_cost, shapes.cross_shape,
              "6 per pair of 3-vectors (2 for 2×2, 5 mixed)"),
    "trapezoid": (Category.CUSTOM, cost.trapezoid_call_cost, shapes.trapezoid_shape,
                  "4 per interval (+1 per interval of x)"),
    "vander": (Category.CUSTOM, cost.vander_call_cost, shapes.vander_shape, "n·(N − 1)"),
    "logspace": (Category.CUSTOM, cost.logspace_call_cost, shapes.logspace_shape,
                 "1 per sample (the power)"),
    "geomspace": (Category.CUSTOM, cost.geomspace_call_cost, shapes.geomspace_shape,
                  "2 per sample + 9 per endpoint pair"),
    "packbits": (Category.CUSTOM, cost.packbits_call_cost, shapes.packbits_shape,
                 "numel(input)"),
    "unpackbits": (Category.CUSTOM, cost.unpackbits_call_cost, shapes.unpackbits_shape,
                   "numel(output)"),
    "clip": (Category.BINARY, cost.clip_call_cost,
             elementwise_rule(np.clip, "a", "a_min", "a_max", "min", "max"), "numel(output)"),
    "round": (Category.CUSTOM, cost.round_call_cost, elementwise_rule(np.round, "a"),
              "numel(output); 3·numel(output) for decimals ≠ 0"),
    "around": (Category.CUSTOM, cost.round_call_cost, elementwise_rule(np.around, "a"),
               "numel(output); 3·numel(output) for decimals ≠ 0"),
    "fix": (Category.UNARY, cost.fix_call_cost, elementwise_rule(np.fix, "x"), "numel(output)"),
    "nan_to_num": (Category.CUSTOM, cost.nan_to_num_call_cost,
                   elementwise_rule(np.nan_to_num, "x"), "11 per real value, 0 for integers"),
    "angle": (Category.CUSTOM, cost.angle_call_cost, elementwise_rule(np.angle, "z"),
              "numel (2·numel with deg=True)"),
    "sinc": (Category.CUSTOM, cost.sinc_call_cost, elementwise_rule(np.sinc, "x"),
             "4·numel"),
    "i0": (Category.CUSTOM, cost.i0_call_cost, elementwise_rule(np.i0, "x"), "66·numel"),
    "unwrap": (Category.CUSTOM, cost.unwrap_call_cost, elementwise_rule(np.unwrap, "p"),
               "14 per difference along the axis"),
    "isclose": (Category.CUSTOM, cost.isclose_call_cost,
                elementwise_rule(np.isclose, "a", "b", "rtol", "atol"),
                "9·numel (13 with equal_nan)"),
    "allclose": (Category.CUSTOM, cost.allclose_call_cost, scalar_rule,
                 "10·numel (14 with equal_nan)"),
    "array_equal": (Category.CUSTOM, cost.array_equal_call_cost, scalar_rule,
                    "2·numel (7 with equal_nan); 0 for different shapes"),
    "array_equiv": (Category.CUSTOM, cost.array_equiv_call_cost, scalar_rule,
                    "2·numel(broadcast); 0 if not broadcastable"),
    "iscomplex": (Category.CUSTOM, cost.iscomplex_call_cost,
                  elementwise_rule(np.iscomplex, "x"), "numel for complex input, else 0"),
    "isreal": (Category.CUSTOM, cost.isreal_call_cost, elementwise_rule(np.isreal, "x"),
               "numel"),
    "isneginf": (Category.CUSTOM, cost.isneginf_call_cost, elementwise_rule(np.isneginf, "x"),
                 "3·numel"),
    "isposinf": (Category.CUSTOM, cost.isposinf_call_cost, elementwise_rule(np.isposinf, "x"),
                 "4·numel"),
    "real_if_close": (Category.CUSTOM, cost.real_if_close_call_cost,
                      shapes.real_if_close_shape, "3·numel for complex input, else 0"),
}

_NOTES = "Derivation in flopscope.cost.counting.{}_cost."


def register_all() -> None:
    for name, (category, cost_rule, shape_rule, formula) in _ENTRIES.items():
        notes = _NOTES.format("round" if name == "around" else name)
        register_numpy(name, cost_rule, shape_rule, formula, notes, category=category)
