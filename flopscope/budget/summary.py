"""Budget summaries: aggregates in, a dict and a text table out.

Pure functions shared by a context's ``summary()`` / ``summary_dict()``, the
session-wide :func:`flopscope.budget_summary`, and plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from flopscope.cost import units_to_flops_ceil
from flopscope.trace.trace import Aggregate

__all__ = ["Timings", "SummaryText", "summary_dict", "format_summary", "ROOT_NAMESPACE"]

#: Key under which calls made outside any namespace are reported.
ROOT_NAMESPACE = "<root>"


class SummaryText(str):
    """A summary's text. A ``str`` whose ``repr`` is the text itself, so a bare
    ``flops.budget_summary()`` at a prompt shows the table, and ``print(...)``
    prints it once."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True, slots=True)
class Timings:
    """The four timing figures; ``residual`` is defined so the identity holds exactly."""

    wall_ns: int
    backend_ns: int
    overhead_ns: int

    @property
    def residual_ns(self) -> int:
        return self.wall_ns - self.backend_ns - self.overhead_ns

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_time_s": self.wall_ns / 1e9,
            "flopscope_backend_time_s": self.backend_ns / 1e9,
            "flopscope_overhead_time_s": self.overhead_ns / 1e9,
            "residual_wall_time_s": self.residual_ns / 1e9,
        }


def _bump(table: dict[str, dict[str, int]], key: str, agg: Aggregate) -> None:
    # "flop_cost" sums exact charge units here; _round_up turns it into FLOPs at the end.
    entry = table.get(key)
    if entry is None:
        entry = table[key] = {"flop_cost": 0, "analytical_cost": 0, "calls": 0}
    entry["flop_cost"] += agg.weighted_units
    entry["analytical_cost"] += agg.analytical
    entry["calls"] += agg.calls


def _sorted(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Most expensive first, with each ``flop_cost`` turned from charge units into FLOPs."""
    for entry in table.values():
        entry["flop_cost"] = units_to_flops_ceil(entry["flop_cost"])
    return dict(sorted(table.items(), key=lambda kv: (-kv[1]["flop_cost"], kv[0])))


def summary_dict(
    aggregates: Iterable[Aggregate],
    *,
    flop_budget: int | None,
    flops_used: int,
    timings: Timings | None,
    by_namespace: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Summarize ``aggregates`` into the documented summary dict.

    Keys: ``flop_budget``, ``flops_used``, ``flops_remaining``,
    ``analytical_flops_used``, ``calls``, ``operations`` (op name ->
    ``flop_cost`` / ``analytical_cost`` / ``calls``, most expensive first), the
    four timing keys, and with ``by_namespace=True`` a ``by_namespace`` mapping
    from each exact dotted path (``"<root>"`` for none) to a bucket with the
    same keys as the top level (``extra`` keys aside):

    * ``flops_used``, ``analytical_flops_used``, ``calls``, ``operations``:
      the bucket's own calls; summed over buckets they give the top level.
    * ``flop_budget``, ``flops_remaining``: the shared budget's figures,
      repeated (namespaces label calls, they do not split the budget).
    * ``flopscope_backend_time_s``, ``flopscope_overhead_time_s``: measured
      per call, summed over the bucket's calls.
    * ``residual_wall_time_s``: user Python between calls is timed for the
      context as a whole, not per namespace, so all of it is reported in the
      ``"<root>"`` bucket (created for it if no call ran outside a
      namespace) and the other buckets carry 0.
    * ``wall_time_s`` = backend + overhead + residual of the bucket, so the
      timing identity holds per bucket and the buckets add up to the top level.
    """
    operations: dict[str, dict[str, int]] = {}
    namespaces: dict[str, dict[str, Any]] = {}
    aggregates_timing: dict[str, list[int]] = {}  # namespace -> [backend_ns, overhead_ns]
    analytical = 0
    calls = 0
    for agg in aggregates:
        analytical += agg.analytical
        calls += agg.calls
        _bump(operations, agg.op_name, agg)
        if by_namespace:
            key = agg.namespace if agg.namespace is not None else ROOT_NAMESPACE
            ns = namespaces.get(key)
            if ns is None:
                ns = namespaces[key] = {
                    "flops_used": 0, "analytical_flops_used": 0, "calls": 0, "operations": {}
                }
            ns["flops_used"] += agg.weighted_units  # charge units until the end
            ns["analytical_flops_used"] += agg.analytical
            ns["calls"] += agg.calls
            _bump(ns["operations"], agg.op_name, agg)
            times = aggregates_timing.get(key)
            if times is None:
                aggregates_timing[key] = [agg.backend_ns, agg.overhead_ns]
            else:
                times[0] += agg.backend_ns
                times[1] += agg.overhead_ns
    result: dict[str, Any] = {
        "flop_budget": flop_budget,
        "flops_used": flops_used,
        "flops_remaining": None if flop_budget is None else flop_budget - flops_used,
        "analytical_flops_used": analytical,
        "calls": calls,
        "operations": _sorted(operations),
    }
    if timings is not None:
        result.update(timings.as_dict())
    if by_namespace:
        _finish_buckets(namespaces, result, timings, aggregates_timing)
        result["by_namespace"] = dict(
            sorted(namespaces.items(), key=lambda kv: (-kv[1]["flops_used"], kv[0]))
        )
    if extra:
        result.update(extra)
    return result


def _empty_bucket() -> dict[str, Any]:
    return {"flops_used": 0, "analytical_flops_used": 0, "calls": 0, "operations": {}}


def _finish_buckets(
    namespaces: dict[str, dict[str, Any]],
    top: dict[str, Any],
    timings: Timings | None,
    measured: dict[str, list[int]],
) -> None:
    """Give every namespace bucket the top level's keys (see :func:`summary_dict`)."""
    if timings is not None and ROOT_NAMESPACE not in namespaces and (namespaces or timings.wall_ns):
        namespaces[ROOT_NAMESPACE] = _empty_bucket()
    for key, ns in namespaces.items():
        ns["flops_used"] = units_to_flops_ceil(ns["flops_used"])  # summed in charge units
        ns["operations"] = _sorted(ns["operations"])
        ns["flop_budget"] = top["flop_budget"]
        ns["flops_remaining"] = top["flops_remaining"]
        if timings is None:
            continue
        backend, overhead = measured.get(key, (0, 0))
        if key == ROOT_NAMESPACE:
            # The root bucket takes the whole residual, so its wall time is the
            # top level's minus the other buckets' measured times: exact sums.
            residual = timings.residual_ns
        else:
            residual = 0
        ns.update(Timings(backend + overhead + residual, backend, overhead).as_dict())


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "  n/a"


def _op_lines(operations: dict[str, dict[str, int]], total: int, indent: str) -> list[str]:
    if not operations:
        return [f"{indent}(no counted operations)"]
    width = max(len(name) for name in operations)
    cost_width = max(len(f"{e['flop_cost']:,}") for e in operations.values())
    lines = []
    for name, entry in operations.items():
        n = entry["calls"]
        lines.append(
            f"{indent}{name:<{width}}  {entry['flop_cost']:>{cost_width},}  "
            f"({_pct(entry['flop_cost'], total)})  [{n} call{'s' if n != 1 else ''}]"
        )
    return lines


def format_summary(data: dict[str, Any], title: str = "flopscope FLOP Budget Summary") -> SummaryText:
    """Render a summary dict (from :func:`summary_dict`) as the text table."""
    lines = [title, "=" * len(title)]
    budget = data["flop_budget"]
    used = data["flops_used"]
    if budget is not None:
        lines.append(f"Total budget: {budget:,}")
        lines.append(f"Used:         {used:,} ({_pct(used, budget).strip()})")
        lines.append(f"Remaining:    {data['flops_remaining']:,} ({_pct(data['flops_remaining'], budget).strip()})")
    else:
        lines.append(f"Total:        {used:,}")
    if data["analytical_flops_used"] != used:
        lines.append(f"Analytical:   {data['analytical_flops_used']:,} (before weights and multiplier)")
    for key, label in (("contexts", "Contexts"), ("folded_calls", "Calls aggregated past the log cap")):
        if data.get(key):
            lines.append(f"{label}: {data[key]:,}")
    lines.append("")
    lines.append("By operation:")
    lines.extend(_op_lines(data["operations"], used, "  "))
    if "by_namespace" in data:
        lines.append("")
        lines.append("By namespace:")
        for ns, entry in data["by_namespace"].items():
            n = entry["calls"]
            lines.append(
                f"  {ns}  {entry['flops_used']:,} ({_pct(entry['flops_used'], used).strip()})"
                f"  [{n} call{'s' if n != 1 else ''}]"
            )
            lines.extend(_op_lines(entry["operations"], entry["flops_used"], "      "))
    if "wall_time_s" in data:
        wall = data["wall_time_s"]
        lines.append("")
        lines.append(f"Total Wall Time:    {wall:.6f}s")
        for key, label in (
            ("flopscope_backend_time_s", "Flopscope Backend: "),
            ("flopscope_overhead_time_s", "Flopscope Overhead:"),
            ("residual_wall_time_s", "Residual Wall Time:"),
        ):
            lines.append(f"{label} {data[key]:.6f}s ({_pct(data[key], wall).strip()})")
    return SummaryText("\n".join(lines))
