"""Every NumPy ufunc: elementwise, one FLOP per output element.

Entries are generated from NumPy itself: every ufunc object in the top-level
namespace gets one entry under its canonical ``__name__`` (aliases such as
``abs`` / ``absolute`` or ``divide`` / ``true_divide`` share it). One-input
ufuncs are ``counted_unary``, the rest ``counted_binary``, all with cost
``numel(output)``. The generalized ufuncs (``matmul``, ``vecdot``,
``matvec``, ``vecmat``) are contractions and take their rules from
:mod:`flopscope.cost.contractions`.

A ufunc with no entry (one from SciPy or ``np.frompyfunc``) is refused when it
reaches a flopscope array (:mod:`flopscope.exec.routing`); SciPy's special
functions have entries in :mod:`flopscope.registry.special`, and users declare
others with :func:`flopscope.register_ufunc`.

Ufunc methods of registered ufuncs get entries on first use (:func:`ufunc_method_op`):

=========================  ====================================  ==================
method                     cost                                  category
=========================  ====================================  ==================
``ufunc.reduce``           numel(input)                          counted_reduction
``ufunc.accumulate``       numel(input)                          counted_reduction
``ufunc.reduceat``         numel(input)                          counted_reduction
``ufunc.outer``            numel(a) · numel(b) (= numel(output)) counted_custom
``ufunc.at``               numel(a[indices]), one per update     counted_custom
=========================  ====================================  ==================
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from flopscope.cost import contractions
from flopscope.cost._shapes import numel, shape_of
from flopscope.cost.pointwise import ufunc_call_cost
from flopscope.cost.reduction import reduction_call_cost
from flopscope.exec.shapes import ufunc_rule
from flopscope.exec.shapes import contractions as contraction_shapes
from flopscope.exec.shapes import ufunc_methods as method_shapes
from flopscope.registry._core import Category, OpDef, loaded_members, register
from flopscope.registry.contractions import matmul_weight_name

__all__ = ["UFUNC_NAMES", "ufunc_method_op", "register_all"]

#: Generalized ufuncs: (cost rule, shape rule, formula).
_GUFUNCS = {
    "matmul": (contractions.matmul_call_cost, contraction_shapes.matmul_shape, "batch·m·k·n"),
    "vecdot": (contractions.vecdot_call_cost, contraction_shapes.vecdot_shape, "numel(broadcast(x1, x2))"),
    "matvec": (contractions.matvec_call_cost, contraction_shapes.matvec_shape, "batch·m·n"),
    "vecmat": (contractions.vecmat_call_cost, contraction_shapes.vecmat_shape, "batch·n·m"),
}


#: ``(m, 1) @ (1, n)`` is an outer product: charged at multiply's weight (see contractions).
_GUFUNC_EXTRAS = {"matmul": {"weight_name": matmul_weight_name}}


def _top_level_ufuncs() -> dict[str, np.ufunc]:
    """Canonical name -> ufunc for every ufunc NumPy exports at top level."""
    found: dict[str, np.ufunc] = {}
    for _, obj in loaded_members(np):
        if isinstance(obj, np.ufunc):
            found.setdefault(obj.__name__, obj)
    return dict(sorted(found.items()))


UFUNC_NAMES: tuple[str, ...] = tuple(_top_level_ufuncs())


def _op_for(name: str, ufunc: np.ufunc, module: str) -> OpDef:
    if name in _GUFUNCS:
        cost, shape, formula = _GUFUNCS[name]
        return OpDef(
            name, Category.CUSTOM, module, name, impl=ufunc, cost=cost, shape=shape,
            formula=formula, numpy_func=ufunc, kind="ufunc",
            notes="Generalized ufunc; costed as its equivalent einsum (FMA = 1).",
            extras=_GUFUNC_EXTRAS.get(name, {}),
        )
    category = Category.UNARY if ufunc.nin == 1 else Category.BINARY
    return OpDef(
        name, category, module, name, impl=ufunc, cost=ufunc_call_cost, shape=ufunc_rule(ufunc),
        formula="numel(output)", numpy_func=ufunc, kind="ufunc",
    )


def register_all() -> None:
    for name, ufunc in _top_level_ufuncs().items():
        register(_op_for(name, ufunc, "numpy"))


def _outer_cost(a: Any, b: Any, /, *_: Any, **__: Any) -> int:
    return numel(shape_of(a)) * numel(shape_of(b))


def _at_cost(a: Any, indices: Any, b: Any = None, /) -> int:
    from flopscope.exec.indexing import index_shape

    shape, _ = index_shape(tuple(shape_of(a)), indices)
    return numel(shape)


_METHOD_RULES = {
    "reduce": (Category.REDUCTION, reduction_call_cost, "numel(input)"),
    "accumulate": (Category.REDUCTION, reduction_call_cost, "numel(input)"),
    "reduceat": (Category.REDUCTION, reduction_call_cost, "numel(input)"),
    "outer": (Category.CUSTOM, _outer_cost, "numel(a)·numel(b)"),
    "at": (Category.CUSTOM, _at_cost, "numel(a[indices])"),
}


@lru_cache(maxsize=None)
def ufunc_method_op(ufunc: np.ufunc, method: str) -> OpDef:
    """Entry for ``ufunc.<method>`` (reduce, accumulate, reduceat, outer, at)."""
    if method not in _METHOD_RULES:
        raise TypeError(f"unsupported ufunc method {method!r}")
    category, cost, formula = _METHOD_RULES[method]
    impl = getattr(ufunc, method)
    shape = method_shapes.rule_for(ufunc, method)
    return OpDef(
        f"{ufunc.__name__}.{method}", category, "ufunc", f"{ufunc.__name__}.{method}",
        impl=impl, cost=cost, shape=shape, formula=formula, numpy_func=impl, kind="call",
    )

