"""The registry: one :class:`OpDef` per public callable flopscope knows.

Family modules (``ufuncs``, ``reductions``, ``contractions``, ``free``...)
each define the entries of one kind of callable and register them here at
import. Everything else is generated from :data:`REGISTRY`: the ``fnp``
surface (:mod:`flopscope.numpy`), the routing of NumPy's override protocols,
the cost-query API and the generated per-op reference in ``docs/``.

To find how ``fnp.X`` is counted: ``flopscope.registry.lookup("X")`` gives
its entry, whose ``cost``, ``shape`` and ``impl`` attributes are the cost
rule, the shape rule and the implementation.
"""

from __future__ import annotations

from flopscope.registry._core import (
    REGISTRY,
    Category,
    OpDef,
    by_module,
    lookup,
    lookup_kind,
    register,
)

__all__ = ["REGISTRY", "Category", "OpDef", "by_module", "lookup", "lookup_kind", "register"]


#: Registry modules that are not families of entries.
_NOT_FAMILIES = {"_core", "passthrough"}


def _register_families() -> None:
    """Import every family module of this package and let it register its entries.

    Families are discovered, not listed, so adding a family is adding a module
    with a ``register_all()`` function. They register in name order; an entry
    name registered twice is an error, whatever the order.
    """
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_FAMILIES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register_all = getattr(module, "register_all", None)
        if register_all is not None:
            register_all()


_register_families()
