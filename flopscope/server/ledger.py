"""A session's ledger: what one client counted, across all its budget contexts.

In-process, ``flops.budget_summary()`` reports everything counted in the
process. On a server the process is shared, so each session keeps its own
ledger and a client's ``budget_summary()`` reports its own session only:
the session's default context plus every explicit context it created.

The ledger reads contexts' traces and never touches the library's
process-wide ledger, whose fold marks belong to it. A context the client no
longer references (and that is not active) is *retired*: its totals are
folded into the ledger and the context itself is freed, so a long session
opening many contexts stays small.
"""

from __future__ import annotations

import time
from typing import Any

from flopscope.cost import units_to_flops_ceil
from flopscope.budget.context import BudgetContext
from flopscope.budget.summary import Timings, format_summary, summary_dict
from flopscope.trace.trace import Aggregate

__all__ = ["SessionLedger"]


class SessionLedger:
    """Totals of one session's contexts (live ones read on demand, retired ones folded)."""

    __slots__ = (
        "_live",
        "_live_ids",
        "_retired",
        "_retired_backend_ns",
        "_retired_overhead_ns",
        "_retired_contexts",
        "_started_ns",
    )

    def __init__(self) -> None:
        self._live: list[BudgetContext] = []
        self._live_ids: set[int] = set()
        self._retired: dict[tuple[str, str | None], Aggregate] = {}
        self._retired_backend_ns = 0
        self._retired_overhead_ns = 0
        self._retired_contexts = 0
        self._started_ns = time.perf_counter_ns()

    def track(self, ctx: BudgetContext) -> None:
        """Count ``ctx`` in this session from now on."""
        if id(ctx) not in self._live_ids:
            self._live.append(ctx)
            self._live_ids.add(id(ctx))

    def is_live(self, ctx: BudgetContext) -> bool:
        """Whether ``ctx`` is counted and not retired."""
        return id(ctx) in self._live_ids

    def retire(self, ctx: BudgetContext) -> None:
        """Fold ``ctx``'s totals into the ledger and stop referencing it."""
        if id(ctx) not in self._live_ids:
            return
        self._live.remove(ctx)
        self._live_ids.discard(id(ctx))
        for agg in ctx.trace.aggregates():
            key = (agg.op_name, agg.namespace)
            total = self._retired.get(key)
            if total is None:
                total = self._retired[key] = Aggregate(agg.op_name, agg.namespace, None)
            total.calls += agg.calls
            total.analytical += agg.analytical
            total.weighted_units += agg.weighted_units
            total.backend_ns += agg.backend_ns
            total.overhead_ns += agg.overhead_ns
        timings = ctx.timings()
        self._retired_backend_ns += timings.backend_ns
        self._retired_overhead_ns += timings.overhead_ns
        self._retired_contexts += 1

    def _aggregates(self) -> tuple[list[Aggregate], int, int, int]:
        aggregates = [
            Aggregate(
                a.op_name,
                a.namespace,
                None,
                a.calls,
                a.analytical,
                a.weighted_units,
                a.backend_ns,
                a.overhead_ns,
            )
            for a in self._retired.values()
        ]
        backend, overhead, contexts = (
            self._retired_backend_ns,
            self._retired_overhead_ns,
            self._retired_contexts,
        )
        for ctx in self._live:
            before = len(aggregates)
            aggregates.extend(ctx.trace.aggregates())
            timings = ctx.timings()
            backend += timings.backend_ns
            overhead += timings.overhead_ns
            contexts += 1 if (len(aggregates) > before or not ctx.is_default) else 0
        return aggregates, backend, overhead, contexts

    def totals(self) -> tuple[int, int, int]:
        """``(flops_used, analytical_flops_used, calls)`` of the session so far."""
        aggregates, _, _, _ = self._aggregates()
        return (
            units_to_flops_ceil(sum(a.weighted_units for a in aggregates)),
            sum(a.analytical for a in aggregates),
            sum(a.calls for a in aggregates),
        )

    def summary_dict(self, flop_budget: int, by_namespace: bool = False) -> dict[str, Any]:
        """The session's summary, shaped as :func:`flopscope.budget_summary_dict` is in-process."""
        aggregates, backend, overhead, contexts = self._aggregates()
        return summary_dict(
            aggregates,
            flop_budget=flop_budget,
            flops_used=units_to_flops_ceil(sum(a.weighted_units for a in aggregates)),
            timings=Timings(time.perf_counter_ns() - self._started_ns, backend, overhead),
            by_namespace=by_namespace,
            extra={"scope": "session", "contexts": contexts},
        )

    def summary(self, flop_budget: int, by_namespace: bool = False) -> str:
        """Text form of :meth:`summary_dict`, titled as the in-process session summary."""
        return format_summary(
            self.summary_dict(flop_budget, by_namespace),
            title="flopscope Session Summary (all contexts)",
        )
