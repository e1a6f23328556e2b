"""What a run measures, emits at 0.0, and skips -- read from the registry.

Every registry entry lands in exactly one of:

* ``measured`` -- counted, placed in a selected suite category, and an input
  generator exists;
* ``zero`` -- free (zero analytical FLOPs): emitted with weight 0.0, never
  benchmarked, whatever the category selection;
* ``skipped`` -- counted and selected, but with no input generator (or
  deliberately unmeasurable): listed by name with the reason, in the console
  output, the rich weights file and the report;
* ``blocked`` -- not callable at all; left out of every artifact.

Entries outside the selected categories are simply not part of the run.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping

import numpy as np

from calibration.categories import CATEGORIES, place
from calibration.inputs import InputSpec, spec_for

__all__ = ["PlannedOp", "Skipped", "Inventory", "take_inventory", "UnknownOpError"]


class UnknownOpError(ValueError):
    """An ``--op`` name that the registry does not know or that cannot be measured."""


@dataclass(frozen=True)
class PlannedOp:
    """A counted entry the run will measure."""

    name: str
    category: str
    rule: str
    spec: InputSpec


@dataclass(frozen=True)
class Skipped:
    """A counted entry the run cannot measure, and why."""

    name: str
    category: str
    reason: str


@dataclass
class Inventory:
    """The registry split for one run (see the module docstring)."""

    measured: list[PlannedOp] = field(default_factory=list)
    zero: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def counts_by_category(self) -> dict[str, int]:
        """Measured ops per category, in suite order."""
        counts = Counter(op.category for op in self.measured)
        return {c: counts[c] for c in CATEGORIES if counts[c]}


def _check_names(names: Collection[str], registry: Mapping[str, Any]) -> None:
    for name in names:
        if name not in registry:
            close = difflib.get_close_matches(name, list(registry), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UnknownOpError(f"--op {name}: no such operation in the registry{hint}")
        if not registry[name].category.counted:
            raise UnknownOpError(
                f"--op {name}: a {registry[name].category.value} operation, nothing to measure")


def take_inventory(
    registry: Mapping[str, Any],
    float_dtype: np.dtype,
    categories: Collection[str] | None = None,
    names: Collection[str] | None = None,
) -> Inventory:
    """Split ``registry`` for a run over ``categories`` (all if ``None``) and ``names``."""
    if categories is not None:
        unknown = set(categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; choose from {CATEGORIES}")
    if names:
        _check_names(names, registry)
    inventory = Inventory()
    for name in sorted(registry):
        op = registry[name]
        if op.category.value == "blocked":
            inventory.blocked.append(name)
            continue
        placement = place(op)
        if placement is None:
            inventory.zero.append(name)
            continue
        if categories is not None and placement.category not in categories:
            continue
        if names and name not in names:
            continue
        found = spec_for(op, placement.category, float_dtype)
        if found.spec is None:
            inventory.skipped.append(Skipped(name, placement.category, found.source))
        else:
            inventory.measured.append(PlannedOp(name, placement.category, placement.rule,
                                                found.spec))
    return inventory
