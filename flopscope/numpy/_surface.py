"""Generating the ``fnp`` surface from the registry.

:func:`build_surface` runs once, at import: it builds the callable of every
registry entry, fills the routing tables NumPy's override protocols use,
installs operators and methods on ``fnp.ndarray`` (and abstract arrays), and
records, per public module, what it exports. Each public module then calls
:func:`populate` to take its names.

A module's namespace holds

* the callable of every entry whose home it is, under the entry's ``attr``;
* NumPy's aliases of those callables (``abs`` for ``absolute``...), detected
  by identity of the NumPy objects;
* pass-through names: constants, dtypes and type helpers (``pi``,
  ``float32``, ``finfo``...) listed in :mod:`flopscope.registry.passthrough`;
* a module ``__getattr__`` that explains blocked and withheld names (why they
  are unavailable and what to use instead) and names not classified yet.

Blocked ``ndarray`` methods (``x.tofile``) are installed on ``fnp.ndarray`` as
attributes whose lookup raises the same ``AttributeError``.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from flopscope.exec.abstract import AbstractArray
from flopscope.exec.array import install_array_methods
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.dispatch import build_callable
from flopscope.exec.routing import (
    BLOCKED,
    FUNCTIONS,
    UFUNC_CALLS,
    UFUNC_RESOLVERS,
    install_protocols,
)
from flopscope.numpy._array_methods import array_methods
from flopscope.registry import REGISTRY, Category, OpDef
from flopscope.registry._core import loaded_members
from flopscope.registry.passthrough import passthrough_names, passthrough_value, withheld_reason

__all__ = ["build_surface", "populate", "CALLABLES", "blocked_message", "BlockedAttribute"]

#: Modules whose functions NumPy dispatches through ``__array_function__``
#: (methods of classes such as ``numpy.random.Generator`` never are).
_DISPATCHING_MODULES = frozenset({
    "numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.testing",
    "numpy.lib.stride_tricks",
})

#: entry name -> public callable.
CALLABLES: dict[str, Callable[..., Any]] = {}
#: public module -> {attribute: callable}, blocked entries excluded.
_EXPORTS: dict[str, dict[str, Any]] = {}
#: public module -> {attribute: blocked entry}.
_BLOCKED_NAMES: dict[str, dict[str, OpDef]] = {}
_built = False


def _real_module(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def build_surface() -> None:
    """Build every callable and routing table from the registry (idempotent)."""
    global _built
    if _built:
        return
    blocked_methods: dict[str, BlockedAttribute] = {}
    for op in REGISTRY.values():
        if op.category is Category.BLOCKED:
            _BLOCKED_NAMES.setdefault(op.module, {})[op.attr] = op
            if op.module == "numpy.ndarray":
                blocked_methods[op.attr] = BlockedAttribute(
                    blocked_message("flopscope.numpy.ndarray", op.attr, op.notes)
                )
                continue
            real = _real_module(op.module)
            target = getattr(real, op.attr, None) if real is not None else None
            if target is not None and callable(target):
                BLOCKED[target] = op
            continue
        fn = build_callable(op)
        CALLABLES[op.name] = fn
        _EXPORTS.setdefault(op.module, {})[op.attr] = fn
        if op.kind == "ufunc":
            UFUNC_CALLS[op.impl] = fn
        elif op.numpy_func is not None and op.module in _DISPATCHING_MODULES:
            FUNCTIONS.setdefault(op.numpy_func, fn)
    _add_aliases()
    from flopscope.registry.special import ufunc_resolver

    UFUNC_RESOLVERS.append(ufunc_resolver(CALLABLES))
    install_protocols()
    from flopscope.numpy._guards import (
        guard_polynomial_on_import,
        install_matrix_guard,
        redirect_scipy_special_on_import,
    )

    guard_polynomial_on_import()
    install_matrix_guard()
    redirect_scipy_special_on_import(CALLABLES)
    methods = array_methods(CALLABLES)
    install_array_methods(FArray, methods, blocked_methods)
    install_array_methods(AbstractArray, methods, {})
    from flopscope.registry.random import install_generator_methods

    install_generator_methods(build_callable)
    _built = True


def _add_aliases() -> None:
    """NumPy names bound to an object some entry already covers get the same callable."""
    for module, exports in list(_EXPORTS.items()):
        if module.split(".", 1)[0] != "numpy":  # flopscope's own modules (flops.stats) have no aliases
            continue
        real = _real_module(module)
        if real is None:
            continue
        by_object: dict[int, Any] = {}
        for attr, fn in exports.items():
            target = getattr(real, attr, None)
            if target is not None:
                by_object[id(target)] = fn
        for attr, target in loaded_members(real):
            if attr.startswith("_") or attr in exports:
                continue
            fn = by_object.get(id(target))
            if fn is not None:
                exports[attr] = fn


def blocked_message(public_name: str, name: str, reason: str) -> str:
    """The message of a blocked or withheld name: what, why, and what to do instead."""
    return (
        f"{public_name}.{name} is blocked in flopscope: {reason} "
        "(docs/blocked.md lists every blocked name.)"
    )


class BlockedAttribute:
    """A class attribute whose lookup raises ``AttributeError`` (blocked ``ndarray`` methods).

    ``hasattr(x, "tofile")`` is then ``False`` on a flopscope array, as for a
    name that does not exist, and the message explains why.
    """

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        raise AttributeError(self.message)


def _module_getattr(module: str, public_name: str) -> Callable[[str], Any]:
    blocked = _BLOCKED_NAMES.get(module, {})
    real = _real_module(module)

    def __getattr__(name: str) -> Any:
        op = blocked.get(name)
        if op is not None:
            raise AttributeError(blocked_message(public_name, name, op.notes))
        reason = withheld_reason(module, name)
        if reason is not None:
            raise AttributeError(blocked_message(public_name, name, reason))
        if real is not None and hasattr(real, name) and not name.startswith("_"):
            raise AttributeError(
                f"{public_name}.{name} is not available: flopscope has no cost rule for "
                f"{module}.{name} yet, and running it uncounted would escape the budget"
            )
        raise AttributeError(f"module {public_name!r} has no attribute {name!r}")

    return __getattr__


def populate(namespace: dict[str, Any], module: str, public_name: str) -> list[str]:
    """Fill a public module's ``namespace`` with its callables and pass-through names.

    Returns the exported names (for ``__all__``).
    """
    build_surface()
    exports = dict(_EXPORTS.get(module, {}))
    real = _real_module(module)
    if real is not None:
        for name in passthrough_names(module):
            if hasattr(real, name):
                exports.setdefault(name, passthrough_value(module, name))
    namespace.update(exports)
    namespace["__getattr__"] = _module_getattr(module, public_name)
    return sorted(exports)

