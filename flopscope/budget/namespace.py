"""Namespaces: dotted labels that attribute counted calls to phases of a program.

Namespaces do not split the budget; they label records. They nest, and the
label recorded with a call is the full dotted path::

    with flops.BudgetContext(flop_budget=1000, namespace="predict"):
        with fnp.namespace("fallback"):
            with fnp.namespace("sampling"):
                fnp.add(x, 1)        # recorded under "predict.fallback.sampling"
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flopscope.budget.context import NAMESPACE, validate_namespace

__all__ = ["namespace", "current_namespace"]


@contextmanager
def namespace(name: str) -> Iterator[str]:
    """Record counted calls inside the block under ``<enclosing path>.name``.

    Yields the full dotted path now in effect.
    """
    validate_namespace(name)
    outer = NAMESPACE.get()
    path = name if outer is None else f"{outer}.{name}"
    token = NAMESPACE.set(path)
    try:
        yield path
    finally:
        NAMESPACE.reset(token)


def current_namespace() -> str | None:
    """The dotted namespace path in effect, or ``None``."""
    return NAMESPACE.get()
