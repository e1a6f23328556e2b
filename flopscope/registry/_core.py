"""The registry's record type and the helpers family modules use to fill it.

One :class:`OpDef` per public callable says everything flopscope needs:

* ``category``: how it is counted (pointwise, reduction, custom, free, blocked);
* ``impl``: the NumPy (or SciPy) callable that computes it, called with plain
  arrays by the eager executor;
* ``cost``: its cost rule, a pure function with the NumPy call's signature
  returning analytical FLOPs from shapes and parameters (``flopscope/cost``);
* ``shape``: its shape rule, the same signature returning abstract outputs
  (``flopscope/exec/shapes``), used by the dry executor of :func:`flopscope.plan`;
* ``formula``: the formula as the generated reference documents it.

The public ``fnp`` surface, the ``__array_ufunc__`` / ``__array_function__``
routing, the cost-query API and the generated docs are all built from these
records; no callable is wrapped by hand.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

__all__ = [
    "Category", "OpDef", "REGISTRY", "register", "register_numpy", "by_module", "lookup",
    "lookup_kind", "loaded_members",
]


class Category(str, Enum):
    """How a callable is counted."""

    UNARY = "counted_unary"  #: elementwise, one input: numel(output)
    BINARY = "counted_binary"  #: elementwise, two or more inputs: numel(output)
    REDUCTION = "counted_reduction"  #: numel(input)
    CUSTOM = "counted_custom"  #: its own documented formula
    FREE = "free"  #: 0 FLOPs (creation, views, metadata)
    BLOCKED = "blocked"  #: refused with AttributeError

    @property
    def counted(self) -> bool:
        return self.value.startswith("counted")


@dataclass(frozen=True, slots=True)
class OpDef:
    """Everything flopscope knows about one public callable.

    Attributes
    ----------
    name:
        Canonical name, used in logs, summaries and weights files: ``"exp"``,
        ``"linalg.svd"``, ``"random.randn"``, ``"stats.norm.pdf"``.
    category:
        See :class:`Category`.
    module:
        Public module the callable lives in: ``"numpy"``, ``"numpy.linalg"``,
        ``"numpy.fft"``, ``"numpy.random"``, ``"numpy.testing"``,
        ``"flopscope.stats"``.
    attr:
        Attribute name inside ``module`` (dotted for nested objects, e.g.
        ``"norm.pdf"``).
    impl:
        Callable that computes the result from plain arrays.
    cost:
        Cost rule (analytical FLOPs), ``None`` for free and blocked entries.
    shape:
        Shape rule for planning, ``None`` for blocked entries.
    formula:
        The cost formula as documented, e.g. ``"numel(output)"``.
    numpy_func:
        The object NumPy passes to ``__array_function__`` / ``__array_ufunc__``
        for this callable (a ufunc, a function), or ``None``.
    kind:
        Executor specialization: ``"ufunc"`` (fast elementwise path) or ``"call"``.
    notes:
        Extra documentation: the derivation and source of a custom formula,
        or why a blocked callable is unavailable and what to use instead.
    extras:
        Executor hints, by key: ``"weight_name"`` (a function of the call's
        arguments naming the op whose weight applies, or None for the entry's
        own), ``"induces_symmetry"`` (repeated operands may make the result
        symmetric: the symmetry pass is consulted), ``"shape_only_cost"``
        (the cost rule and ``weight_name`` read only shapes, dtypes and scalar
        arguments, so the eager executor may cache their answers per argument
        layouts; only for entries that write no argument, since that path
        hands NumPy the stored plain array, which does not carry a read-only
        flag set on the flopscope array, unless ``"may_return_a_view"`` says
        the result of a call with one array argument can be a view of it, as
        ``einsum('ij->ji', a)`` is),
        ``"ndarray_method"`` (the plain-array method a reduction runs).
    """

    name: str
    category: Category
    module: str
    attr: str
    impl: Callable[..., Any] | None = None
    cost: Callable[..., int] | None = None
    shape: Callable[..., Any] | None = None
    formula: str = ""
    numpy_func: Any = None
    kind: str = "call"
    notes: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def qualified_name(self) -> str:
        """``module.attr``, e.g. ``numpy.linalg.svd``."""
        return f"{self.module}.{self.attr}"


#: Every known callable, by canonical name.
REGISTRY: dict[str, OpDef] = {}


def register(op: OpDef) -> OpDef:
    """Add ``op`` to the registry; a second entry with the same name is a bug."""
    if op.name in REGISTRY:
        raise RuntimeError(f"duplicate registry entry {op.name!r}")
    if op.category.counted and op.cost is None:
        raise RuntimeError(f"counted entry {op.name!r} has no cost rule")
    if op.category is not Category.BLOCKED and op.impl is None:
        raise RuntimeError(f"entry {op.name!r} has no implementation")
    REGISTRY[op.name] = op
    return op


def register_numpy(
    name: str,
    cost: Callable[..., int],
    shape: Callable[..., Any],
    formula: str,
    notes: str = "",
    *,
    category: Category = Category.CUSTOM,
    module: str = "numpy",
    fn: Callable[..., Any] | None = None,
    extras: dict[str, Any] | None = None,
) -> OpDef:
    """Register a NumPy function counted as itself.

    NumPy's function (``fn``, by default ``<module>.<last part of name>``) is
    both the implementation and the object NumPy dispatches on, so
    ``np.<name>(x)`` on a flopscope array is counted like ``fnp.<name>(x)``.
    ``extras`` is stored as the entry's ``extras`` (see :class:`OpDef`).
    """
    attr = name.rsplit(".", 1)[-1]
    if fn is None:
        fn = getattr(importlib.import_module(module), attr)
    return register(OpDef(name, category, module, attr, impl=fn, cost=cost, shape=shape,
                          formula=formula, numpy_func=fn, notes=notes, extras=extras or {}))


def loaded_members(module: Any) -> list[tuple[str, Any]]:
    """``(name, value)`` pairs of a module's namespace, without triggering lazy imports.

    ``dir()`` + ``getattr()`` would also list NumPy's lazily loaded submodules
    (``f2py``, ``ma``, ``polynomial``...) and import them on access, about
    100 ms of import time; none of them is a callable flopscope classifies.
    """
    return list(vars(module).items())


def by_module(module: str) -> list[OpDef]:
    """Entries whose public home is ``module``, in registration order."""
    return [op for op in REGISTRY.values() if op.module == module]


def lookup(name: str) -> OpDef:
    """The entry called ``name``; ``KeyError`` with suggestions if unknown."""
    try:
        return REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, REGISTRY, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no operation named {name!r} in the flopscope registry{hint}") from None


def lookup_kind(name: str, expect: tuple[str, ...]) -> OpDef:
    """The entry called ``name``, checking its category is one of ``expect``."""
    op = lookup(name)
    if op.category.value not in expect:
        raise ValueError(
            f"{name!r} is a {op.category.value} operation, not {' or '.join(expect)}"
        )
    return op
