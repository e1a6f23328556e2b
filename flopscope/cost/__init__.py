"""The cost pass: pure functions from call metadata to FLOPs.

Nothing here executes NumPy or touches a budget. Each module holds the
formulas of one family, each derived once and documented where it is
defined; the registry (:mod:`flopscope.registry`) points every counted
callable at its rule, and the cost-query API (:mod:`flopscope.accounting`)
answers from the same functions.

Two quantities per call (SPEC.md sections 2 and 3):

* **analytical** FLOPs, from the op's formula (FMA = 1), deterministic;
* **weighted** FLOPs, ``analytical x flop_multiplier x weight(op)``, rounded
  to the nearest integer, which is what a budget is charged.
"""

from __future__ import annotations

__all__ = ["weighted_cost"]


def weighted_cost(analytical: int, multiplier: float, weight: float) -> int:
    """FLOPs charged for a call: ``analytical x multiplier x weight``, rounded half up.

    Exact integer arithmetic when both factors are 1 (the common case); a
    fractional product is rounded so budgets stay integral and deterministic.
    """
    if multiplier == 1.0 and weight == 1.0:
        return analytical
    return int(analytical * multiplier * weight + 0.5)
