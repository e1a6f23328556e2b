"""Shape rules of einsum and the matmul family."""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, normalize_axis, shape_of
from flopscope.cost.einsum import parse_einsum
from flopscope.exec.shapes import ArraySpec, spec_of

__all__ = [
    "einsum_shape",
    "matmul_shape",
    "dot_shape",
    "inner_shape",
    "outer_shape",
    "vdot_shape",
    "tensordot_shape",
    "kron_shape",
    "vecdot_shape",
    "matvec_shape",
    "vecmat_shape",
]


def _dtype(*xs: Any, dtype: Any = None) -> np.dtype:
    if dtype is not None:
        return np.dtype(dtype)
    return np.result_type(*(spec_of(x).dtype if hasattr(x, "dtype") else x for x in xs))


def einsum_shape(*operands: Any, out: Any = None, dtype: Any = None, **_: Any) -> ArraySpec:
    spec = parse_einsum(*operands)
    sizes = spec.size_dict
    arrays = operands[1:] if isinstance(operands[0], str) else operands[0::2][: len(spec.inputs)]
    return ArraySpec(tuple(sizes[c] for c in spec.output), _dtype(*arrays, dtype=dtype))


def matmul_shape(x1: Any, x2: Any, /, out: Any = None, dtype: Any = None, **_: Any) -> ArraySpec:
    a, b = shape_of(x1), shape_of(x2)
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    shape = (*broadcast_shapes(a2[:-2], b2[:-2]), a2[-2], b2[-1])
    if len(b) == 1:
        shape = shape[:-1]
    if len(a) == 1:
        shape = shape[:-2] + shape[-1:] if len(b) != 1 else shape[:-1]
    return ArraySpec(tuple(shape), _dtype(x1, x2, dtype=dtype))


def dot_shape(a: Any, b: Any, out: Any = None) -> ArraySpec:
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        shape = sa or sb
    elif len(sb) == 1:
        shape = sa[:-1]
    else:
        shape = (*sa[:-1], *sb[:-2], sb[-1])
    return ArraySpec(tuple(shape), _dtype(a, b))


def inner_shape(a: Any, b: Any, /) -> ArraySpec:
    sa, sb = shape_of(a), shape_of(b)
    shape = (sa or sb) if (not sa or not sb) else (*sa[:-1], *sb[:-1])
    return ArraySpec(tuple(shape), _dtype(a, b))


def outer_shape(a: Any, b: Any, out: Any = None) -> ArraySpec:
    from flopscope.cost._shapes import numel

    return ArraySpec((numel(shape_of(a)), numel(shape_of(b))), _dtype(a, b))


def vdot_shape(a: Any, b: Any, /) -> ArraySpec:
    return ArraySpec((), _dtype(a, b))


def tensordot_shape(a: Any, b: Any, axes: Any = 2) -> ArraySpec:
    sa, sb = shape_of(a), shape_of(b)
    if isinstance(axes, int):
        axes_a = list(range(len(sa) - axes, len(sa)))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
    drop_a = {normalize_axis(i, len(sa)) for i in axes_a}
    drop_b = {normalize_axis(i, len(sb)) for i in axes_b}
    shape = tuple(d for i, d in enumerate(sa) if i not in drop_a) + tuple(
        d for i, d in enumerate(sb) if i not in drop_b
    )
    return ArraySpec(shape, _dtype(a, b))


def kron_shape(a: Any, b: Any) -> ArraySpec:
    sa, sb = shape_of(a), shape_of(b)
    nd = max(len(sa), len(sb))
    sa = (1,) * (nd - len(sa)) + tuple(sa)
    sb = (1,) * (nd - len(sb)) + tuple(sb)
    return ArraySpec(tuple(x * y for x, y in zip(sa, sb)), _dtype(a, b))


def vecdot_shape(x1: Any, x2: Any, /, *_: Any, axis: int = -1, dtype: Any = None, **__: Any) -> ArraySpec:
    shape = broadcast_shapes(shape_of(x1), shape_of(x2))
    ax = normalize_axis(axis, len(shape))
    return ArraySpec(shape[:ax] + shape[ax + 1 :], _dtype(x1, x2, dtype=dtype))


def matvec_shape(x1: Any, x2: Any, /, *_: Any, dtype: Any = None, **__: Any) -> ArraySpec:
    sa, sv = shape_of(x1), shape_of(x2)
    return ArraySpec((*broadcast_shapes(sa[:-2], sv[:-1]), sa[-2]), _dtype(x1, x2, dtype=dtype))


def vecmat_shape(x1: Any, x2: Any, /, *_: Any, dtype: Any = None, **__: Any) -> ArraySpec:
    sv, sa = shape_of(x1), shape_of(x2)
    return ArraySpec((*broadcast_shapes(sv[:-1], sa[:-2]), sa[-1]), _dtype(x1, x2, dtype=dtype))
