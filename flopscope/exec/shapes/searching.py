"""Shape rules of searching and selecting: ``searchsorted``, ``nonzero``, ``where``, ``select``...

``nonzero``, ``argwhere``, ``flatnonzero`` and ``trim_zeros`` return as many
entries as the data say; they are planned at their upper bound (every
element nonzero, nothing trimmed) and marked ``bound``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, normalize_axes, reduced_shape, shape_of
from flopscope.cost.searching import nonzero_call_cost
from flopscope.cost.sorting import sequence_shapes
from flopscope.exec.shapes import ArraySpec, is_arraylike, probe_dtype, spec_of

__all__ = [
    "searchsorted_shape", "digitize_shape", "nonzero_shape", "argwhere_shape",
    "flatnonzero_shape", "count_nonzero_shape", "where_shape", "choose_shape", "select_shape",
    "trim_zeros_shape",
]

_INTP = np.dtype(np.intp)


def searchsorted_shape(a: Any, v: Any, side: str = "left", sorter: Any = None) -> ArraySpec:
    """``searchsorted``: one ``intp`` index per query."""
    return ArraySpec(shape_of(v), _INTP)


def digitize_shape(x: Any, bins: Any, right: bool = False) -> ArraySpec:
    """``digitize``: one ``intp`` bin index per value."""
    return ArraySpec(shape_of(x), _INTP)


def nonzero_shape(a: Any) -> tuple[ArraySpec, ...]:
    """``nonzero``: one index array per axis, each at most numel(a) long (bound)."""
    nonzero_call_cost(a)  # NumPy's error for 0-d input
    spec = spec_of(a)
    return tuple(ArraySpec((spec.size,), _INTP, bound=True) for _ in range(spec.ndim))


def argwhere_shape(a: Any) -> ArraySpec:
    """``argwhere``: (at most numel(a), ndim) indices (bound); a 0-d input gives (≤ 1, 0)."""
    spec = spec_of(a)
    return ArraySpec((spec.size, spec.ndim), _INTP, bound=True)


def flatnonzero_shape(a: Any) -> ArraySpec:
    """``flatnonzero``: at most numel(a) flat indices (bound)."""
    return ArraySpec((spec_of(a).size,), _INTP, bound=True)


def count_nonzero_shape(a: Any, axis: Any = None, *, keepdims: bool = False) -> ArraySpec:
    """``count_nonzero``: an ``intp`` count per reduced position."""
    return ArraySpec(reduced_shape(shape_of(a), axis, bool(keepdims)), _INTP)


def where_shape(condition: Any, x: Any = None, y: Any = None, /) -> Any:
    """``where``: the broadcast of its three arguments, or ``nonzero`` for one argument."""
    if x is None and y is None:
        return nonzero_shape(condition)
    shape = broadcast_shapes(shape_of(condition), shape_of(x), shape_of(y))
    return ArraySpec(shape, probe_dtype(np.where, condition, x, y))


def choose_shape(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> ArraySpec:
    """``choose``: the broadcast of the index array and the choices, their common dtype."""
    shapes = [shape_of(a), *sequence_shapes(choices)]
    if out is not None:
        shapes.append(shape_of(out))
    dtype = probe_dtype(np.choose, 0, choices)
    return ArraySpec(broadcast_shapes(*shapes), dtype)


def _weak(x: Any) -> Any:
    """What ``numpy.select`` feeds ``result_type``: Python numbers stay weakly typed."""
    if type(x) in (int, float, complex):
        return x
    if is_arraylike(x):
        return np.dtype(x.dtype)
    return np.asarray(x).dtype


def select_shape(condlist: Any, choicelist: Any, default: Any = 0) -> ArraySpec:
    """``select``: the broadcast of the conditions and choices, the choices' common dtype."""
    conds = sequence_shapes(condlist)
    choices = sequence_shapes(choicelist)
    if len(conds) != len(choices):
        raise ValueError("list of cases must be same length as list of conditions")
    if not conds:
        raise ValueError("select with an empty condition list is not possible")
    items = choicelist if isinstance(choicelist, (list, tuple)) else list(choicelist)
    dtype = np.result_type(*(_weak(c) for c in items), _weak(default))
    shape = broadcast_shapes(*conds, *choices, shape_of(default))
    return ArraySpec(shape, dtype)


def trim_zeros_shape(filt: Any, trim: str = "fb", axis: Any = None) -> ArraySpec:
    """``trim_zeros``: at most the input's shape (bound), same dtype."""
    spec = spec_of(filt)
    if not normalize_axes(axis, spec.ndim):
        return spec
    return ArraySpec(spec.shape, spec.dtype, bound=True)
