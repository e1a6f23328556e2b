"""Free operations: creation, views, copies, joins, selections, metadata (0 FLOPs).

SPEC.md section 2: allocating, filling with a constant, reshaping, transposing,
indexing, stacking, copying and casting move data but do no arithmetic, so
they cost nothing and are not logged. Their results still carry the producer
ids of their inputs, so the cost graph's data-flow edges pass through them.

The tables below are the whole classification; each maps a top-level NumPy
name to its shape rule (:mod:`flopscope.exec.shapes.free`), the
implementation being ``numpy.<name>`` itself:

* :data:`FREE_RULES`: functions returning new arrays or views;
* :data:`IN_PLACE`: writers into an array the caller passes (``put``,
  ``fill_diagonal``...), which return what NumPy returns (``None``); the name of the
  written parameter is kept in the entry's ``extras["writes"]``;
* :data:`METADATA`: queries of shapes, dtypes and memory (``shape``,
  ``result_type``...), answered from metadata only;
* :data:`FORMATTING`: conversions to text (``array2string``...), and
  :data:`TESTING_FORMATTING` for ``numpy.testing``'s message builder.

Index arithmetic (``ravel_multi_index``, ``unravel_index``) and masked writes
(``copyto(where=)``, ``putmask``, ``place``) compute per element and are
counted in :mod:`flopscope.registry.indexing`. One entry here is not free either: ``asarray_chkfinite`` scans its input for
``inf`` / ``nan``, an ``all(isfinite(a))`` reduction, and is counted as one
(see :data:`CHECKING`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import numpy.testing as npt

from flopscope.cost.reduction import reduction_call_cost
from flopscope.exec.shapes import free as rules
from flopscope.exec.shapes import view_rule
from flopscope.exec.shapes.free import concrete, metadata, views
from flopscope.registry._core import Category, OpDef, register

__all__ = [
    "FREE_RULES",
    "IN_PLACE",
    "METADATA",
    "FORMATTING",
    "TESTING_FORMATTING",
    "CHECKING",
    "free_names",
    "free_op",
    "register_all",
]

#: name -> shape rule of functions that return new arrays or views.
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
    "frombuffer": rules.frombuffer,
    "fromiter": rules.fromiter,
    "fromstring": rules.fromstring,
    "from_dlpack": rules.from_dlpack,
    "tri": rules.tri,
    "indices": rules.indices,
    "diag_indices": rules.diag_indices,
    "diag_indices_from": rules.diag_indices_from,
    "tril_indices": rules.tril_indices,
    "triu_indices": rules.triu_indices,
    "tril_indices_from": rules.tril_indices_from,
    "triu_indices_from": rules.triu_indices_from,
    "mask_indices": rules.mask_indices,
    "ix_": rules.ix_,
    "meshgrid": rules.meshgrid,
    # views (``concat`` and ``permute_dims`` are NumPy aliases of ``concatenate``
    # and ``transpose``: the surface gives them the same callable)
    "reshape": view_rule(np.reshape),
    "transpose": view_rule(np.transpose),
    "matrix_transpose": view_rule(np.matrix_transpose),
    "squeeze": view_rule(np.squeeze),
    "expand_dims": view_rule(np.expand_dims),
    "swapaxes": view_rule(np.swapaxes),
    "moveaxis": view_rule(np.moveaxis),
    "rollaxis": view_rule(np.rollaxis),
    "broadcast_to": view_rule(np.broadcast_to),
    "broadcast_arrays": view_rule(np.broadcast_arrays),
    "atleast_1d": view_rule(np.atleast_1d),
    "atleast_2d": view_rule(np.atleast_2d),
    "atleast_3d": view_rule(np.atleast_3d),
    "diagonal": view_rule(np.diagonal),
    "flip": view_rule(np.flip),
    "fliplr": view_rule(np.fliplr),
    "flipud": view_rule(np.flipud),
    "rot90": view_rule(np.rot90),
    "unstack": view_rule(np.unstack),
    "split": views(np.split, "indices_or_sections"),
    "array_split": views(np.array_split, "indices_or_sections"),
    "hsplit": views(np.hsplit, "indices_or_sections"),
    "vsplit": views(np.vsplit, "indices_or_sections"),
    "dsplit": views(np.dsplit, "indices_or_sections"),
    # copies and joins
    "ravel": rules.ravel,
    "concatenate": rules.concatenate,
    "stack": rules.stack,
    "hstack": rules.hstack,
    "vstack": rules.vstack,
    "row_stack": rules.row_stack,
    "column_stack": rules.column_stack,
    "dstack": rules.dstack,
    "block": rules.block,
    "append": rules.append,
    "insert": rules.insert,
    "delete": rules.delete,
    "tile": rules.tile,
    "repeat": rules.repeat,
    "resize": rules.resize,
    "require": rules.require,
    "linspace": rules.linspace,
    "roll": rules.same_shape,
    "real": rules.real_part,
    "imag": rules.real_part,
    "diag": rules.diag,
    "diagflat": rules.diagflat,
    "tril": rules.triangle,
    "triu": rules.triangle,
    "datetime_as_string": rules.datetime_as_string,
    # selections (sizes may depend on values; see the rules)
    "compress": rules.compress,
    "extract": rules.extract,
    "take": rules.take,
    "take_along_axis": rules.take_along_axis,
}

#: In-place writers: name -> the parameter holding the array written to.
IN_PLACE: dict[str, str] = {
    "put": "a",
    "put_along_axis": "arr",
    "fill_diagonal": "a",
}

#: Queries of shapes, dtypes and memory: name -> rule.
METADATA: dict[str, Callable[..., Any]] = {
    "shape": metadata(np.shape),
    "ndim": metadata(np.ndim),
    "size": metadata(np.size),
    "iscomplexobj": metadata(np.iscomplexobj),
    "isrealobj": metadata(np.isrealobj),
    "isfortran": metadata(np.isfortran),
    "isscalar": metadata(np.isscalar),
    "iterable": metadata(np.iterable),
    "result_type": metadata(np.result_type),
    "can_cast": metadata(np.can_cast),
    "common_type": metadata(np.common_type),
    "promote_types": metadata(np.promote_types),
    "mintypecode": metadata(np.mintypecode),
    "isdtype": metadata(np.isdtype),
    "issubdtype": metadata(np.issubdtype),
    "typename": metadata(np.typename),
    "datetime_data": metadata(np.datetime_data),
    "broadcast_shapes": metadata(np.broadcast_shapes),
    "min_scalar_type": rules.min_scalar_type,
    "may_share_memory": rules.may_share_memory,
    "shares_memory": rules.shares_memory,
}

#: Conversions to text: name -> rule (they need values, so a plan cannot format).
FORMATTING: dict[str, Callable[..., Any]] = {
    name: concrete(getattr(np, name))
    for name in (
        "array2string", "array_repr", "array_str", "format_float_positional",
        "format_float_scientific", "base_repr", "binary_repr",
    )
}

#: Formatting helpers of ``numpy.testing``: name -> rule.
TESTING_FORMATTING: dict[str, Callable[..., Any]] = {
    "build_err_msg": concrete(npt.build_err_msg),
}

#: Validating conversions, counted as the reduction they perform: name -> rule.
CHECKING: dict[str, Callable[..., Any]] = {
    "asarray_chkfinite": rules.array,
}

#: Documentation of entries whose behaviour needs a word, for the generated reference.
_NOTES: dict[str, str] = {
    "linspace": "An evenly spaced progression, free creation like arange (which computes "
                "the same values); logspace and geomspace are counted for their powers.",
    "compress": "Output length is data-dependent; plans use its upper bound.",
    "extract": "Output length is data-dependent; plans use its upper bound.",
    "delete": "With an abstract index array, plans use the output's upper bound.",
    "insert": "With an abstract boolean index, plans use the output's upper bound.",
    "ix_": "A boolean sequence selects a data-dependent length; plans use its upper bound.",
    "mask_indices": "Exact in plans for triu/tril masks; other masks plan at the n*n bound.",
    "repeat": "Plans need concrete repeat counts.",
    "fromstring": "Text mode only (NumPy removed the binary mode); plans bound the length "
                  "by the number of separated tokens.",
    "asarray_chkfinite": "Scans the input for inf/nan: counted like all(isfinite(a)), "
                         "numel(input).",
    "row_stack": "Deprecated NumPy alias of vstack; kept for compatibility.",
}


def free_names() -> tuple[str, ...]:
    """Every top-level NumPy name this module classifies as free."""
    return tuple(FREE_RULES) + tuple(IN_PLACE) + tuple(METADATA) + tuple(FORMATTING)


def free_op(name: str, impl: Callable[..., Any], shape: Callable[..., Any], *,
            module: str = "numpy", attr: str | None = None, numpy_func: Any = None,
            notes: str = "", extras: dict[str, Any] | None = None) -> OpDef:
    """A free entry (category ``free``, formula ``0``)."""
    return OpDef(
        name, Category.FREE, module, attr or name, impl=impl, shape=shape, formula="0",
        numpy_func=impl if numpy_func is None else numpy_func, notes=notes,
        extras=extras or {},
    )


def register_all() -> None:
    for table in (FREE_RULES, METADATA, FORMATTING):
        for name, shape in table.items():
            register(free_op(name, getattr(np, name), shape, notes=_NOTES.get(name, "")))
    for name, shape in TESTING_FORMATTING.items():
        register(free_op(f"testing.{name}", getattr(npt, name), shape, module="numpy.testing",
                         attr=name, notes="Builds an assertion message (text) from arrays."))
    for name, param in IN_PLACE.items():
        register(free_op(
            name, getattr(np, name), rules.in_place, extras={"writes": param},
            notes=f"Writes into its `{param}` argument in place and returns None, like NumPy.",
        ))
    for name, shape in CHECKING.items():
        fn = getattr(np, name)
        register(OpDef(
            name, Category.REDUCTION, "numpy", name, impl=fn, cost=reduction_call_cost,
            shape=shape, formula="numel(input)", numpy_func=fn, notes=_NOTES.get(name, ""),
        ))
