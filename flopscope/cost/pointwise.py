"""Pointwise costs: one FLOP per output element.

A unary or binary elementwise operation (``exp``, ``add``, a comparison,
``maximum``...) costs ``numel(output)``, where the output shape is the
broadcast of the inputs (and of ``out=``, which may broadcast further). A mask
given as ``where=`` does not reduce the cost: the count is analytical, it does
not depend on data.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of

__all__ = ["ufunc_call_cost", "pointwise_cost"]


def ufunc_call_cost(*operands: Any, out: Any = None, **_: Any) -> int:
    """Cost rule of a ufunc call: numel of the broadcast output shape."""
    shapes = [shape_of(x) for x in operands]
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        shapes.extend(shape_of(o) for o in outs if o is not None)
    return numel(broadcast_shapes(*shapes))


def pointwise_cost(op_name: str, shape: tuple[int, ...] | None = None, *, shapes: Any = None) -> int:
    """Analytical FLOPs of a pointwise op whose output has ``shape``.

    Give either the output ``shape`` or the input ``shapes`` (broadcast
    together). The op name is accepted for symmetry with the weighted cost and
    to check it is a pointwise op.

    >>> pointwise_cost("exp", shape=(256, 256))
    65536
    """
    from flopscope.registry import lookup_kind

    lookup_kind(op_name, expect=("counted_unary", "counted_binary"))
    if (shape is None) == (shapes is None):
        raise TypeError("give exactly one of shape= (the output shape) or shapes= (the inputs)")
    if shape is not None:
        return numel(tuple(shape))
    return numel(broadcast_shapes(*[tuple(s) for s in shapes]))
