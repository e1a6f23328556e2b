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
"""

from __future__ import annotations

from typing import Any, Sequence

from flopscope.cost._shapes import broadcast_shapes, normalize_axis, numel, shape_of

__all__ = [
    "matmul_cost",
    "dot_cost",
    "inner_cost",
    "outer_cost",
    "vdot_cost",
    "tensordot_cost",
    "kron_cost",
    "vecdot_cost",
    "matvec_cost",
    "vecmat_cost",
    "matmul_shapes_cost",
]


def matmul_shapes_cost(a: Sequence[int], b: Sequence[int]) -> int:
    """batch · m · k · n for ``a @ b`` with NumPy's 1-D promotion rules."""
    if len(a) == 2 and len(b) == 2 and a[1] == b[0]:  # the common case, without tuple work
        return a[0] * a[1] * b[1]
    a, b = tuple(a), tuple(b)
    if not a or not b:
        raise ValueError("matmul: input operand does not have enough dimensions (0-d)")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(
            f"matmul: Input operand 1 has a mismatch in its core dimension 0, "
            f"with gufunc signature (n?,k),(k,m?)->(n?,m?) (size {b2[-2]} is different from {a2[-1]})"
        )
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    return numel(batch) * a2[-2] * a2[-1] * b2[-1]


def matmul_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``matmul`` / ``@``."""
    return matmul_shapes_cost(x1.shape if hasattr(x1, "shape") else shape_of(x1),
                              x2.shape if hasattr(x2, "shape") else shape_of(x2))


def dot_cost(a: Any, b: Any, out: Any = None) -> int:
    """Cost rule of ``dot``: numel(a)·numel(b)/k, k the summed length."""
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return numel(sa) * numel(sb)
    k = sa[-1]
    kb = sb[-2] if len(sb) >= 2 else sb[-1]
    if k != kb:
        raise ValueError(f"shapes {sa} and {sb} not aligned: {k} (dim {len(sa) - 1}) != {kb}")
    return numel(sa) * numel(sb) // k if k else 0


def inner_cost(a: Any, b: Any, /) -> int:
    """Cost rule of ``inner``: numel(a)·numel(b)/k over the shared last axis."""
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return numel(sa) * numel(sb)
    if sa[-1] != sb[-1]:
        raise ValueError(f"shapes {sa} and {sb} not aligned: {sa[-1]} != {sb[-1]}")
    k = sa[-1]
    return numel(sa) * numel(sb) // k if k else 0


def outer_cost(a: Any, b: Any, out: Any = None) -> int:
    """Cost rule of ``outer``: one product per output element."""
    return numel(shape_of(a)) * numel(shape_of(b))


def vdot_cost(a: Any, b: Any, /) -> int:
    """Cost rule of ``vdot``: flattened inner product, numel(a) multiply-adds."""
    na, nb = numel(shape_of(a)), numel(shape_of(b))
    if na != nb:
        raise ValueError("cannot reshape array: vdot operands must have the same size")
    return na


def tensordot_cost(a: Any, b: Any, axes: Any = 2) -> int:
    """Cost rule of ``tensordot``: numel(a)·numel(b)/Π(sizes of summed axes)."""
    sa, sb = shape_of(a), shape_of(b)
    if isinstance(axes, int):
        if axes < 0 or axes > min(len(sa), len(sb)):
            raise ValueError("axes must be a non-negative int no larger than either operand's ndim")
        axes_a = list(range(len(sa) - axes, len(sa)))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
        if len(axes_a) != len(axes_b):
            raise ValueError("shape-mismatch for sum")
    summed = 1
    for ia, ib in zip(axes_a, axes_b):
        da = sa[normalize_axis(ia, len(sa))]
        if da != sb[normalize_axis(ib, len(sb))]:
            raise ValueError("shape-mismatch for sum")
        summed *= da
    return numel(sa) * numel(sb) // summed if summed else 0


def kron_cost(a: Any, b: Any) -> int:
    """Cost rule of ``kron``: one product per output element."""
    return numel(shape_of(a)) * numel(shape_of(b))


def vecdot_cost(x1: Any, x2: Any, /, *_: Any, axis: int = -1, **__: Any) -> int:
    """Cost rule of ``vecdot``: one multiply-add per element of the broadcast inputs."""
    return numel(broadcast_shapes(shape_of(x1), shape_of(x2)))


def matvec_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``matvec``: batch · m · n."""
    sa, sv = shape_of(x1), shape_of(x2)
    if len(sa) < 2 or len(sv) < 1 or sa[-1] != sv[-1]:
        raise ValueError(f"matvec: shapes {sa} and {sv} do not match (...,m,n),(...,n)")
    batch = broadcast_shapes(sa[:-2], sv[:-1])
    return numel(batch) * sa[-2] * sa[-1]


def vecmat_cost(x1: Any, x2: Any, /, *_: Any, **__: Any) -> int:
    """Cost rule of ``vecmat``: batch · n · m."""
    sv, sa = shape_of(x1), shape_of(x2)
    if len(sa) < 2 or len(sv) < 1 or sa[-2] != sv[-1]:
        raise ValueError(f"vecmat: shapes {sv} and {sa} do not match (...,n),(...,n,m)")
    batch = broadcast_shapes(sv[:-1], sa[:-2])
    return numel(batch) * sa[-2] * sa[-1]
