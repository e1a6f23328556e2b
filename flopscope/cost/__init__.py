"""The cost pass: pure functions from call metadata to FLOPs.

Nothing here executes NumPy or touches a budget. Each module holds the
formulas of one family, each derived once and documented where it is
defined; the registry (:mod:`flopscope.registry`) points every counted
callable at its rule, and the cost-query API (:mod:`flopscope.accounting`)
answers from the same functions.

Two quantities per call (SPEC.md sections 2 and 3):

* **analytical** FLOPs, from the op's formula (FMA = 1), deterministic;
* **weighted** FLOPs, ``analytical x flop_multiplier x weight(op)``, which is
  what a budget is charged.

Weighted charges are accumulated exactly, never rounded per call: a budget
counts in *charge units* of ``2**-UNIT_BITS`` FLOP (:func:`charge_units`), so
a million calls of 0.3 weighted FLOPs each are charged 300,000 FLOPs, not 0
and not 1,000,000. Figures shown to users are rounded up
(:func:`units_to_flops_ceil`) so a call with a positive analytical cost is
never free.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

__all__ = [
    "UNIT_BITS",
    "UNITS_PER_FLOP",
    "MAX_FACTOR",
    "weighted_cost",
    "charge_factor",
    "charge_units",
    "units_to_flops_ceil",
    "units_to_flops",
]

#: A charge unit is 2**-UNIT_BITS FLOP. Weights and multipliers are binary
#: floats, so ``weight x multiplier`` is a dyadic rational; with 64 fractional
#: bits it is represented exactly for every factor >= 2**-11 with a 53-bit
#: mantissa, and otherwise rounded *up* by less than 2**-64 FLOP per analytical
#: FLOP -- under one FLOP in total for any run below 2**64 analytical FLOPs.
UNIT_BITS = 64
UNITS_PER_FLOP = 1 << UNIT_BITS
_UNIT_MASK = UNITS_PER_FLOP - 1

#: Largest ``weight x multiplier`` a budget accepts. Beyond it a single small
#: call would cost more than any budget a float can describe meaningfully;
#: weights files and ``flop_multiplier`` are refused above it (ValueError /
#: WeightsFileError) instead of overflowing mid-run.
MAX_FACTOR = 2.0**64


@lru_cache(maxsize=4096)
def charge_factor(weight: float, multiplier: float) -> int:
    """Charge units per analytical FLOP for ``weight x multiplier``, rounded up.

    >>> charge_factor(1.0, 1.0) == UNITS_PER_FLOP
    True
    >>> charge_factor(0.5, 3.0) == 3 * UNITS_PER_FLOP // 2
    True
    """
    if not (math.isfinite(weight) and math.isfinite(multiplier)) or weight < 0 or multiplier < 0:
        raise ValueError(f"weight {weight!r} and multiplier {multiplier!r} must be finite and >= 0")
    exact = Fraction(weight) * Fraction(multiplier) * UNITS_PER_FLOP
    return -((-exact.numerator) // exact.denominator)  # ceil without float rounding


def charge_units(analytical: int, multiplier: float, weight: float) -> int:
    """Exact charge of a call in charge units: ``analytical x multiplier x weight x 2**UNIT_BITS``."""
    return analytical * charge_factor(weight, multiplier)


def units_to_flops_ceil(units: int) -> int:
    """Charge units as whole FLOPs, rounded up (what ``flops_used`` reports)."""
    return -((-units) >> UNIT_BITS)


def units_to_flops(units: int) -> int | float:
    """Charge units as FLOPs without losing the fraction: an ``int`` when whole, else a ``float``."""
    if units & _UNIT_MASK:
        return units / UNITS_PER_FLOP
    return units >> UNIT_BITS


def weighted_cost(analytical: int, multiplier: float, weight: float) -> int:
    """FLOPs charged for one call on its own: ``analytical x multiplier x weight``, rounded up.

    This is the figure a cost query reports for a single call. Budgets do not
    add these rounded figures: they accumulate :func:`charge_units` exactly.
    """
    return units_to_flops_ceil(charge_units(analytical, multiplier, weight))
