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


def _register_families() -> None:
    from flopscope.registry import (
        contractions,
        free,
        methods,
        random,
        reductions,
        sorting,
        stats,
        testing,
        ufuncs,
    )

    for family in (ufuncs, reductions, contractions, sorting, free, methods, random, stats, testing):
        family.register_all()


_register_families()
