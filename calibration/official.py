"""From measured weights to official ones: weight groups and a coarse, sticky grid.

Two rules turn a run's measurements (one weight per measured op,
:mod:`calibration.methodology`) into the table flopscope ships (SPEC.md section 3):

**One weight per computation.** Every weight group of
:mod:`flopscope.cost.weight_groups` (``matmul``/``dot``/``einsum``/...; the
normal draws of ``randn``/``standard_normal``/``Generator.standard_normal``;
``max``/``amax``...) gets the weight measured on its *reference* member,
NumPy's fastest kernel for the computation, and every member is listed with
it. An operation in no group is a group of its own. If the reference was not
measured (a partial run, a failure), the group falls back to the cheapest
measured member and says so.

**Robust values: powers of two with hysteresis.** A measured weight ``m`` is
snapped to the nearest power of two in log space, ``2**round(log2 m)``,
clamped to ``[2**MIN_EXPONENT, 2**MAX_EXPONENT]`` (a counted op is never
free). Two runs on VMs of the same kind differ by about 18% per op (median),
which is a quarter of a grid step (log2 1.18 = 0.24); plain rounding would
still move every op that happens to sit near a boundary. So, given the
previous official value ``p`` (itself a grid point), the new value stays ``p``
as long as ``|log2 m - log2 p| <= 0.5 + HYSTERESIS``: a measurement has to be
more than ``2**0.75 = 1.68x`` away from the shipped value before the value
moves, and then it moves to the nearest grid point. Zero-FLOP ops stay 0.0.

All functions are pure (documents in, documents out); the command line calls
them from ``run``, ``finalize`` and ``package``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from flopscope.cost.weight_groups import WeightGroup, group_of, groups

__all__ = [
    "GRID_BASE", "MIN_EXPONENT", "MAX_EXPONENT", "HYSTERESIS", "RULE",
    "snap", "is_grid_point", "margin", "GroupValue", "official_values", "finalize",
    "stability",
]

GRID_BASE = 2.0
MIN_EXPONENT = -6  #: 1/64: below any measured per-FLOP cost, and never free
MAX_EXPONENT = 12  #: 4096: above any measured per-FLOP cost
HYSTERESIS = 0.25  #: extra distance, in log2 units, before a shipped value moves
RULE = (f"group weight measured on the group's reference op; snapped to the nearest power of "
        f"two in log space within [2^{MIN_EXPONENT}, 2^{MAX_EXPONENT}]; a previous official "
        f"value is kept while the measurement is within 2^(0.5+{HYSTERESIS}) of it")


def _exponent(value: float) -> int:
    return min(max(round(math.log2(value)), MIN_EXPONENT), MAX_EXPONENT)


def is_grid_point(value: float) -> bool:
    """Whether ``value`` is a power of two inside the grid's range."""
    if not value > 0 or not math.isfinite(value):
        return False
    exponent = math.log2(value)
    return exponent == round(exponent) and MIN_EXPONENT <= exponent <= MAX_EXPONENT


def snap(measured: float, previous: float | None = None) -> float:
    """The official value for a measured weight (see the module docstring).

    ``previous`` is the value shipped before, used only when it is a grid point.
    """
    if not math.isfinite(measured) or measured < 0:
        raise ValueError(f"cannot snap a measured weight of {measured!r}")
    if measured == 0:
        return GRID_BASE ** MIN_EXPONENT
    if previous is not None and is_grid_point(previous):
        if abs(math.log2(measured) - math.log2(previous)) <= 0.5 + HYSTERESIS:
            return float(previous)
    return GRID_BASE ** _exponent(measured)


def margin(measured: float, official: float) -> float:
    """How far (relative) the measurement may move before a re-run changes ``official``.

    With hysteresis, a re-run keeps ``official`` while its measurement stays
    within ``2**(0.5 + HYSTERESIS)`` of it; this is the distance from
    ``measured`` to the nearer edge of that band, as a fraction of ``measured``
    (0.3 = the next run may measure 30% more or less without effect).
    """
    if measured <= 0 or official <= 0:
        return 0.0
    room = 0.5 + HYSTERESIS - abs(math.log2(measured) - math.log2(official))
    return max(GRID_BASE ** room - 1.0, 0.0)


@dataclass(frozen=True)
class GroupValue:
    """The official value of one group and how it was obtained."""

    group: str
    reference: str
    members: tuple[str, ...]
    source: str  #: the member whose measurement was used
    measured: float
    spread: float  #: the source's spread over repeats ((max - min) / median)
    per_repeat: tuple[float, ...]
    previous: float | None
    official: float
    margin: float
    fastest_member: str  #: the cheapest measured member (a check on the reference choice)
    fastest_measured: float

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference, "members": list(self.members), "source": self.source,
            "measured": self.measured, "spread": self.spread,
            "per_repeat": list(self.per_repeat), "previous": self.previous,
            "official": self.official, "margin": round(self.margin, 4),
            "fastest_member": self.fastest_member, "fastest_measured": self.fastest_measured,
        }


def _measurement(entry: Mapping[str, Any]) -> float:
    return float(entry.get("measured", entry["weight"]))


def _singleton(name: str) -> WeightGroup:
    return WeightGroup(name, name, (name,), "")


def official_values(ops: Mapping[str, Mapping[str, Any]],
                    previous: Mapping[str, float] | None = None) -> dict[str, GroupValue]:
    """Group name -> :class:`GroupValue`, for every group with a measured member.

    ``ops`` is a rich document's ``"ops"`` mapping; ``previous`` the table
    shipped before (op name -> weight), for the hysteresis.
    """
    measured = {name: e for name, e in ops.items() if e.get("status") == "measured"}
    candidates: list[WeightGroup] = list(groups())
    candidates += [_singleton(name) for name in sorted(measured) if group_of(name) is None]
    values: dict[str, GroupValue] = {}
    for group in candidates:
        present = {m: _measurement(measured[m]) for m in group.members if m in measured}
        if not present:
            continue
        fastest = min(present, key=present.__getitem__)
        source = group.reference if group.reference in present else fastest
        entry = measured[source]
        value = present[source]
        before = previous.get(group.reference) if previous else None
        official = snap(value, before)
        values[group.name] = GroupValue(
            group=group.name, reference=group.reference, members=group.members,
            source=source, measured=value, spread=float(entry.get("spread", 0.0)),
            per_repeat=tuple(float(w) for w in entry.get("per_repeat", ())),
            previous=before, official=official, margin=margin(value, official),
            fastest_member=fastest, fastest_measured=present[fastest])
    return values


def finalize(rich: Mapping[str, Any], previous: Mapping[str, float] | None = None,
             previous_source: str | None = None) -> dict[str, Any]:
    """``rich`` with its official values: ``"weights"``, each op's ``"weight"``, ``"groups"``.

    Measured ops keep their measurement as ``"measured"``; group members the run
    did not measure are added with status ``"group"``. Idempotent: always
    recomputed from the measurements.
    """
    ops = {name: dict(entry) for name, entry in rich["ops"].items()}
    for entry in ops.values():
        if entry.get("status") == "measured" and "measured" not in entry:
            entry["measured"] = entry["weight"]
    ops = {name: e for name, e in ops.items() if e.get("status") != "group"}
    values = official_values(ops, previous)
    for value in values.values():
        for member in value.members:
            entry = ops.get(member)
            if entry is None:
                ops[member] = {"category": ops[value.source]["category"], "status": "group",
                               "weight": value.official, "group": value.group}
            elif entry.get("status") == "measured":
                entry["weight"] = value.official
                entry["group"] = value.group
    ops = dict(sorted(ops.items()))
    document = dict(rich)
    document["ops"] = ops
    document["weights"] = {name: entry["weight"] for name, entry in ops.items()}
    document["groups"] = {name: v.as_json() for name, v in sorted(values.items())}
    meta = dict(document.get("meta", {}))
    meta["official"] = {"rule": RULE, "grid_base": GRID_BASE, "min_exponent": MIN_EXPONENT,
                        "max_exponent": MAX_EXPONENT, "hysteresis": HYSTERESIS,
                        "previous": previous_source}
    document["meta"] = meta
    return document


def stability(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """How the official values of two finalized runs agree, group by group.

    Returns counts of groups compared and changed when each run is snapped on
    its own (``independent``) and when ``b`` is snapped with ``a``'s values as
    the previous table (``sticky``: what shipping ``b`` after ``a`` would change).
    """
    ga, gb = a["groups"], b["groups"]
    common = sorted(ga.keys() & gb.keys())
    independent = [g for g in common if snap(ga[g]["measured"]) != snap(gb[g]["measured"])]
    sticky = [g for g in common
              if snap(gb[g]["measured"], snap(ga[g]["measured"])) != snap(ga[g]["measured"])]
    return {"groups": len(common), "changed_independent": independent,
            "changed_sticky": sticky}
