"""``fnp.testing``: NumPy's testing helpers.

Assertions that compare arrays elementwise are counted like a comparison:
one FLOP per element of the broadcast of the two compared arrays. They run
NumPy's own helpers on plain arrays, so nothing inside them is counted twice.
Helpers that compare no array data (``assert_raises``, ``assert_warns``...)
are free.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.testing as npt

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of
from flopscope.exec.shapes import ArraySpec, spec_of
from flopscope.registry._core import Category, OpDef, register
from flopscope.registry.free import free_op

__all__ = ["COMPARING", "FREE_HELPERS", "register_all"]

COMPARING = (
    "assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_almost_equal",
    "assert_equal", "assert_array_less", "assert_approx_equal", "assert_array_almost_equal_nulp",
    "assert_array_max_ulp", "assert_array_compare",
)

FREE_HELPERS = (
    "assert_", "assert_raises", "assert_raises_regex", "assert_warns", "assert_no_warnings",
    "assert_no_gc_cycles", "assert_string_equal", "suppress_warnings", "clear_and_catch_warnings",
)


def _compare_cost(actual: Any, desired: Any, *args: Any, **kwargs: Any) -> int:
    try:
        return numel(broadcast_shapes(shape_of(actual), shape_of(desired)))
    except ValueError:
        # Mismatched shapes: NumPy's helper fails on the shape check before comparing.
        return 0


def _compare_array_compare_cost(comparison: Any, x: Any, y: Any, *args: Any, **kwargs: Any) -> int:
    return _compare_cost(x, y)


def _no_result(*args: Any, **kwargs: Any) -> None:
    return None


def _max_ulp_result(a: Any, b: Any, maxulp: Any = 1, dtype: Any = None) -> ArraySpec:
    """``assert_array_max_ulp`` returns the ULP gaps, shape ``(1, *shape)`` (NumPy wraps both in a list)."""
    sa, sb = spec_of(a), spec_of(b)
    if sa.shape != sb.shape:
        raise ValueError(f"Arrays do not have the same shape: {(1, *sa.shape)} - {(1, *sb.shape)}")
    da, db = (np.dtype(dtype), np.dtype(dtype)) if dtype else (sa.dtype, sb.dtype)
    common = np.common_type(np.empty(0, da), np.empty(0, db))
    return ArraySpec((1, *sa.shape), np.dtype(common))


def register_all() -> None:
    for name in COMPARING:
        fn = getattr(npt, name, None)
        if fn is None:
            continue
        cost = _compare_array_compare_cost if name == "assert_array_compare" else _compare_cost
        register(OpDef(
            f"testing.{name}", Category.CUSTOM, "numpy.testing", name, impl=fn, cost=cost,
            shape=_max_ulp_result if name == "assert_array_max_ulp" else _no_result,
            formula="numel(broadcast(actual, desired))", numpy_func=fn,
        ))
    for name in FREE_HELPERS:
        fn = getattr(npt, name, None)
        if fn is not None:
            register(free_op(f"testing.{name}", fn, _no_result, module="numpy.testing", attr=name))
