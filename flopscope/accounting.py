"""Cost queries: FLOPs from shapes and parameters, without executing anything.

These functions are the same formulas the executors charge, answered
directly. They never touch a budget and need no :class:`~flopscope.BudgetContext`::

    >>> import flopscope as flops
    >>> flops.accounting.einsum_cost('ij,jk->ik', shapes=[(256, 256), (256, 256)])
    16777216
    >>> flops.accounting.svd_cost(m=256, n=256, k=10)
    655360

All results are analytical (unweighted) FLOPs; :func:`weighted` applies the
active weight and a multiplier to any of them.

Arguments are checked before any formula runs (:mod:`flopscope.cost.validate`):
a negative, fractional, float or boolean dimension raises ``ValueError``; a
value that is not a number at all, or a non-boolean flag, raises ``TypeError``::

    >>> flops.pointwise_cost("exp", shape=(-3, 4))
    Traceback (most recent call last):
    ...
    ValueError: pointwise_cost(): shape[0] must be a non-negative integer, got -3

Every public ``*_cost`` function of every :mod:`flopscope.cost` module is
exported here (collected at import), so a cost family's queries appear in
``flops.accounting`` as soon as its module defines them in ``__all__``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Callable

import flopscope.cost as _cost_package
from flopscope._weights import get_weight
from flopscope.cost import weighted_cost
from flopscope.cost.validate import validated


def _collect_queries() -> dict[str, Callable[..., Any]]:
    queries: dict[str, Callable[..., Any]] = {}
    for info in sorted(pkgutil.iter_modules(_cost_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_cost_package.__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            if name.endswith("_cost") and not name.endswith("call_cost"):
                fn = getattr(module, name)
                if name in queries and queries[name] is not fn:
                    raise RuntimeError(f"two cost modules define {name}")
                queries[name] = fn
    # The executors call the raw formulas; the public queries check their arguments.
    return {name: validated(fn) for name, fn in queries.items()}


_QUERIES = _collect_queries()
globals().update(_QUERIES)


@validated
def weighted(op_name: str, analytical: int, flop_multiplier: float = 1.0) -> int:
    """What a budget would be charged for ``analytical`` FLOPs of ``op_name``.

    >>> weighted("add", 100)
    100
    """
    return weighted_cost(analytical, flop_multiplier, get_weight(op_name))


__all__ = sorted(_QUERIES) + ["weighted"]
