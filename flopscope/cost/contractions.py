"""Costs of the matmul family, each equal to its equivalent einsum (FMA = 1).

Every product below sums over some axes; its cost is the number of
multiply-adds, i.e. the product of the sizes of all distinct indices of the
equivalent einsum:

=============  =====================================  ==============================
function       equivalent einsum                      cost
=============  =====================================  ==============================
matmul         ``...mk,...kn->...mn``                 batch · m · k · n
               (1-D operands drop m or n)
dot            N-D: sum over a's last, b's 2nd-last   numel(a) · numel(b) / k
inner          sum over both last axes                numel(a) · numel(b) / k
outer          ``i,j->ij`` on flattened inputs        numel(a) · numel(b)
vdot           ``i,i->`` on flattened inputs          numel(a)
tensordot      sum over the given axes                numel(a) · numel(b) / Π(summed)
kron           ``ij,kl->ikjl`` (one product each)     numel(a) · numel(b)
vecdot         ``...i,...i->...``                     numel(broadcast(a, b))
matvec         ``...mn,...n->...m``                   batch · m · n
vecmat         ``...n,...nm->...m``                   batch · n · m
=============  =====================================  ==============================

A 0-d operand turns any of them into a scaling: numel(other operand).

Each formula is a function of shapes (``matmul_cost(a_shape, b_shape)``), the
cost-query API; each ``*_call_cost`` adapts a NumPy call's arguments to it
and is the cost rule the registry uses.
"""

from __future__ import annotations

from typing import Any, Sequence

from flopscope.cost._shapes import broadcast_shapes, normalize_axis, numel, shape_of

__all__ = [
    "matmul_cost", "dot_cost", "inner_cost", "outer_cost", "vdot_cost", "tensordot_cost",
    "tensordot_summed_size",
    "kron_cost", "vecdot_cost", "matvec_cost", "vecmat_cost",
    "matmul_call_cost", "dot_call_cost", "inner_call_cost", "outer_call_cost",
    "vdot_call_cost", "tensordot_call_cost", "kron_call_cost", "vecdot_call_cost",
    "matvec_call_cost", "vecmat_call_cost",
]

Shape = Sequence[int]


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if hasattr(x, "shape") else shape_of(x)


def matmul_cost(a: Shape, b: Shape) -> int:
    """batch · m · k · n for ``a @ b`` with NumPy's 1-D promotion rules.

    >>> matmul_cost((100, 200), (200, 50))
    1000000
    """
    if len(a) == 2 and len(b) == 2 and a[1] == b[0]:  # the common case, without tuple work
        return a[0] * a[1] * b[1]
    a, b = tuple(a), tuple(b)
    if not a or not b:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(
            f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
            f"(size {b2[-2]} is different from {a2[-1]})"
        )
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    return numel(batch) * a2[-2] * a2[-1] * b2[-1]


def dot_cost(a: Shape, b: Shape) -> int:
    """``dot``: numel(a)·numel(b)/k, k the summed length (a scaling for 0-d operands)."""
    a, b = tuple(a), tuple(b)
    if not a or not b:
        return numel(a) * numel(b)
    k = a[-1]
    kb = b[-2] if len(b) >= 2 else b[-1]
    if k != kb:
        raise ValueError(f"shapes {a} and {b} not aligned: {k} (dim {len(a) - 1}) != {kb}")
    return numel(a) * numel(b) // k if k else 0


def inner_cost(a: Shape, b: Shape) -> int:
    """``inner``: numel(a)·numel(b)/k over the shared last axis."""
    a, b = tuple(a), tuple(b)
    if not a or not b:
        return numel(a) * numel(b)
    if a[-1] != b[-1]:
        raise ValueError(f"shapes {a} and {b} not aligned: {a[-1]} != {b[-1]}")
    k = a[-1]
    return numel(a) * numel(b) // k if k else 0


def outer_cost(a: Shape, b: Shape) -> int:
    """``outer``: one product per output element, numel(a)·numel(b)."""
    return numel(tuple(a)) * numel(tuple(b))


def vdot_cost(a: Shape, b: Shape) -> int:
    """``vdot``: flattened inner product, numel(a) multiply-adds."""
    na, nb = numel(tuple(a)), numel(tuple(b))
    if na != nb:
        raise ValueError("cannot reshape array: vdot operands must have the same size")
    return na


def _tensordot_axes(a: Shape, b: Shape, axes: Any) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        if axes < 0 or axes > min(len(a), len(b)):
            raise ValueError("axes must be a non-negative int no larger than either operand's ndim")
        return list(range(len(a) - axes, len(a))), list(range(axes))
    axes_a, axes_b = axes
    axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
    axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError("shape-mismatch for sum")
    return axes_a, axes_b


def tensordot_summed_size(a: Shape, b: Shape, axes: Any = 2) -> int:
    """Π(sizes of the axes ``tensordot(a, b, axes)`` sums over); 1 when it sums over none."""
    a, b = tuple(a), tuple(b)
    axes_a, axes_b = _tensordot_axes(a, b, axes)
    summed = 1
    for ia, ib in zip(axes_a, axes_b):
        da = a[normalize_axis(ia, len(a))]
        if da != b[normalize_axis(ib, len(b))]:
            raise ValueError("shape-mismatch for sum")
        summed *= da
    return summed


def tensordot_cost(a: Shape, b: Shape, axes: Any = 2) -> int:
    """``tensordot``: numel(a)·numel(b)/Π(sizes of the summed axes)."""
    summed = tensordot_summed_size(a, b, axes)
    return numel(tuple(a)) * numel(tuple(b)) // summed if summed else 0


def kron_cost(a: Shape, b: Shape) -> int:
    """``kron``: one product per output element, numel(a)·numel(b)."""
    return numel(tuple(a)) * numel(tuple(b))


def vecdot_cost(a: Shape, b: Shape) -> int:
    """``vecdot``: one multiply-add per element of the broadcast inputs."""
    return numel(broadcast_shapes(tuple(a), tuple(b)))


def matvec_cost(a: Shape, v: Shape) -> int:
    """``matvec``: batch · m · n for (..., m, n) times (..., n)."""
    a, v = tuple(a), tuple(v)
    if len(a) < 2 or len(v) < 1 or a[-1] != v[-1]:
        raise ValueError(f"matvec: shapes {a} and {v} do not match (...,m,n),(...,n)")
    return numel(broadcast_shapes(a[:-2], v[:-1])) * a[-2] * a[-1]


def vecmat_cost(v: Shape, a: Shape) -> int:
    """``vecmat``: batch · n · m for (..., n) times (..., n, m)."""
    v, a = tuple(v), tuple(a)
    if len(a) < 2 or len(v) < 1 or a[-2] != v[-1]:
        raise ValueError(f"vecmat: shapes {v} and {a} do not match (...,n),(...,n,m)")
    return numel(broadcast_shapes(v[:-1], a[:-2])) * a[-2] * a[-1]


# -- cost rules: NumPy call arguments -> formula --------------------------------------


def matmul_call_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``matmul`` / ``@``."""
    return matmul_cost(_shape(x1), _shape(x2))


def dot_call_cost(a: Any, b: Any, out: Any = None) -> int:
    """Cost rule of ``dot``."""
    return dot_cost(_shape(a), _shape(b))


def inner_call_cost(a: Any, b: Any, /) -> int:
    """Cost rule of ``inner``."""
    return inner_cost(_shape(a), _shape(b))


def outer_call_cost(a: Any, b: Any, out: Any = None) -> int:
    """Cost rule of ``outer``."""
    return outer_cost(_shape(a), _shape(b))


def vdot_call_cost(a: Any, b: Any, /) -> int:
    """Cost rule of ``vdot``."""
    return vdot_cost(_shape(a), _shape(b))


def tensordot_call_cost(a: Any, b: Any, axes: Any = 2) -> int:
    """Cost rule of ``tensordot``."""
    return tensordot_cost(_shape(a), _shape(b), axes)


def kron_call_cost(a: Any, b: Any) -> int:
    """Cost rule of ``kron``."""
    return kron_cost(_shape(a), _shape(b))


def vecdot_call_cost(x1: Any, x2: Any, /, *_: Any, axis: int = -1, **__: Any) -> int:
    """Cost rule of ``vecdot``."""
    return vecdot_cost(_shape(x1), _shape(x2))


def matvec_call_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``matvec``."""
    return matvec_cost(_shape(x1), _shape(x2))


def vecmat_call_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``vecmat``."""
    return vecmat_cost(_shape(x1), _shape(x2))
