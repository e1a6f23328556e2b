"""Index arithmetic and masked writes: counted, though they look free.

``ravel_multi_index`` / ``unravel_index`` do integer arithmetic per element;
``copyto(where=)``, ``putmask`` and ``place`` evaluate a mask per element.
Formulas and derivations: :mod:`flopscope.cost.indexing`. The writers keep
``extras["writes"]`` (the written parameter), like the free writers of
:mod:`flopscope.registry.free`.
"""

from __future__ import annotations

import numpy as np

from flopscope.cost import indexing as cost
from flopscope.exec.shapes import free as rules
from flopscope.registry._core import Category, OpDef, register

__all__ = ["INDEX_ARITHMETIC", "MASKED_WRITES", "register_all"]

INDEX_ARITHMETIC = {
    "ravel_multi_index": (cost.ravel_multi_index_call_cost, rules.ravel_multi_index,
                          "(2k − 1)·N", "k index arrays broadcast to N elements: k − 1 "
                          "multiply-adds (Horner) and k bounds checks / wraps / clips per "
                          "element."),
    "unravel_index": (cost.unravel_index_call_cost, rules.unravel_index, "(k + 1)·N",
                      "N flat indices into k dimensions: a bounds check and k divisions "
                      "with remainder per index."),
}

MASKED_WRITES = {
    "copyto": ("dst", cost.copyto_call_cost, "numel(dst) with where=, else 0",
               "With where=, the mask selects per element of dst; without it a plain copy "
               "(free, like copy). Writes into dst in place and returns None."),
    "putmask": ("a", cost.putmask_call_cost, "numel(a)",
                "The mask selects per element of a. Writes into a in place, returns None."),
    "place": ("arr", cost.place_call_cost, "numel(arr)",
              "The mask selects per element of arr. Writes into arr in place, returns None."),
}


def register_all() -> None:
    for name, (rule, shape, formula, notes) in INDEX_ARITHMETIC.items():
        fn = getattr(np, name)
        register(OpDef(name, Category.CUSTOM, "numpy", name, impl=fn, cost=rule, shape=shape,
                       formula=formula, numpy_func=fn, notes=notes))
    for name, (param, rule, formula, notes) in MASKED_WRITES.items():
        fn = getattr(np, name)
        register(OpDef(name, Category.CUSTOM, "numpy", name, impl=fn, cost=rule,
                       shape=rules.in_place, formula=formula, numpy_func=fn, notes=notes,
                       extras={"writes": param}))
