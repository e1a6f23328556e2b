"""Free operations: creation, views, copies, joins, dtype changes (0 FLOPs).

SPEC.md section 2: allocating, filling with a constant, reshaping, transposing,
indexing, stacking, copying and casting move data but do no arithmetic, so
they cost nothing and are not logged. Their results still carry the producer
ids of their inputs, so the cost graph's data-flow edges pass through them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.exec.shapes import view_rule
from flopscope.exec.shapes import free as rules
from flopscope.registry._core import Category, OpDef, register

__all__ = ["FREE_RULES", "register_all", "free_op"]

#: name -> shape rule; the implementation is ``numpy.<name>``.
FREE_RULES: dict[str, Callable[..., Any]] = {
    # creation
    "zeros": rules.filled,
    "ones": rules.filled,
    "empty": rules.filled,
    "full": rules.full,
    "zeros_like": rules.like,
    "ones_like": rules.like,
    "empty_like": rules.like,
    "full_like": rules.full_like,
    "eye": rules.eye,
    "identity": rules.identity,
    "arange": rules.arange,
    "array": rules.array,
    "asarray": rules.array,
    "asanyarray": rules.array,
    "ascontiguousarray": rules.array,
    "asfortranarray": rules.array,
    "copy": rules.copy,
    "astype": rules.astype,
    # views
    "reshape": view_rule(np.reshape),
    "transpose": view_rule(np.transpose),
    "permute_dims": view_rule(np.permute_dims),
    "matrix_transpose": view_rule(np.matrix_transpose),
    "squeeze": view_rule(np.squeeze),
    "expand_dims": view_rule(np.expand_dims),
    "swapaxes": view_rule(np.swapaxes),
    "moveaxis": view_rule(np.moveaxis),
    "broadcast_to": view_rule(np.broadcast_to),
    "atleast_1d": view_rule(np.atleast_1d),
    "atleast_2d": view_rule(np.atleast_2d),
    "atleast_3d": view_rule(np.atleast_3d),
    # copies and joins
    "ravel": rules.ravel,
    "concatenate": rules.concatenate,
    "concat": rules.concatenate,
    "stack": rules.stack,
    "hstack": rules.hstack,
    "vstack": rules.vstack,
}


def free_op(name: str, impl: Callable[..., Any], shape: Callable[..., Any], *,
            module: str = "numpy", attr: str | None = None, numpy_func: Any = None,
            notes: str = "") -> OpDef:
    """A free entry (category ``free``, formula ``0``)."""
    return OpDef(
        name, Category.FREE, module, attr or name, impl=impl, shape=shape, formula="0",
        numpy_func=impl if numpy_func is None else numpy_func, notes=notes,
    )


def register_all() -> None:
    for name, shape in FREE_RULES.items():
        fn = getattr(np, name)
        register(free_op(name, fn, shape))
