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
* a module ``__getattr__`` that explains blocked and unsupported names.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from flopscope.exec.abstract import AbstractArray
from flopscope.exec.array import install_array_methods
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.dispatch import build_callable
from flopscope.exec.routing import BLOCKED, FUNCTIONS, UFUNC_CALLS, install_protocols
from flopscope.numpy._array_methods import array_methods
from flopscope.registry import REGISTRY, Category, OpDef
from flopscope.registry.passthrough import passthrough_names

__all__ = ["build_surface", "populate", "CALLABLES"]

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
    for op in REGISTRY.values():
        if op.category is Category.BLOCKED:
            _BLOCKED_NAMES.setdefault(op.module, {})[op.attr] = op
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
        elif op.numpy_func is not None and op.module.startswith("numpy") and "." not in op.attr:
            FUNCTIONS.setdefault(op.numpy_func, fn)
    _add_aliases()
    install_protocols()
    methods = array_methods(CALLABLES)
    install_array_methods(FArray, methods, {})
    install_array_methods(AbstractArray, methods, {})
    from flopscope.registry.random import install_generator_methods

    install_generator_methods(build_callable)
    _built = True


def _add_aliases() -> None:
    """NumPy names bound to an object some entry already covers get the same callable."""
    for module, exports in list(_EXPORTS.items()):
        real = _real_module(module)
        if real is None:
            continue
        by_object: dict[int, Any] = {}
        for attr, fn in exports.items():
            target = getattr(real, attr, None)
            if target is not None:
                by_object[id(target)] = fn
        for attr in dir(real):
            if attr.startswith("_") or attr in exports:
                continue
            target = getattr(real, attr, None)
            fn = by_object.get(id(target))
            if fn is not None:
                exports[attr] = fn


def _module_getattr(module: str, public_name: str) -> Callable[[str], Any]:
    blocked = _BLOCKED_NAMES.get(module, {})
    real = _real_module(module)

    def __getattr__(name: str) -> Any:
        op = blocked.get(name)
        if op is not None:
            raise AttributeError(f"{module}.{name} is blocked in flopscope: {op.notes}")
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
                exports.setdefault(name, getattr(real, name))
    namespace.update(exports)
    namespace["__getattr__"] = _module_getattr(module, public_name)
    return sorted(exports)

