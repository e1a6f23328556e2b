"""The session ledger: everything counted in this process, across all contexts.

Contexts report here when they open and close, never per call, so the
ledger costs nothing on the hot path. A closed context's totals are folded
into :data:`_closed` and its detailed log can then be freed; open contexts
(including every thread's default context) are read live at query time.

Session timings: wall time runs from the first context's creation; backend
and overhead time are sums over contexts; residual is the remainder, so the
timing identity holds. With several threads counting at once backend time
can exceed wall time and residual goes negative: the figures are sums, not
a timeline.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from flopscope.cost import units_to_flops_ceil
from flopscope.budget.summary import Timings, format_summary, summary_dict
from flopscope.trace.trace import Aggregate

if TYPE_CHECKING:  # pragma: no cover
    from flopscope.budget.context import BudgetContext

__all__ = ["opened", "closed", "session_summary_dict", "session_summary", "open_contexts"]

_lock = threading.Lock()
_open: weakref.WeakSet[BudgetContext] = weakref.WeakSet()
_closed_aggregates: dict[tuple[str, str | None], Aggregate] = {}
# "weighted" is in charge units (see flopscope.cost).
_closed_totals = {"weighted": 0, "backend_ns": 0, "overhead_ns": 0, "contexts": 0}
_started_ns: list[int] = []


def opened(ctx: BudgetContext) -> None:
    """Register a context that starts counting (entered, or a default created)."""
    with _lock:
        if not _started_ns:
            _started_ns.append(time.perf_counter_ns())
        _open.add(ctx)


def closed(ctx: BudgetContext) -> None:
    """Fold what ``ctx`` counted since its last fold into the closed totals."""
    with _lock:
        _fold(ctx)
        _open.discard(ctx)
        _closed_totals["contexts"] += 1


def _fold(ctx: BudgetContext) -> None:
    weighted = 0
    for agg in ctx._aggregates_since_fold():
        key = (agg.op_name, agg.namespace)
        total = _closed_aggregates.get(key)
        if total is None:
            total = _closed_aggregates[key] = Aggregate(agg.op_name, agg.namespace, None)
        total.calls += agg.calls
        total.analytical += agg.analytical
        total.weighted_units += agg.weighted_units
        total.backend_ns += agg.backend_ns
        total.overhead_ns += agg.overhead_ns
        weighted += agg.weighted_units
    backend, overhead = ctx._time_since_fold()
    _closed_totals["weighted"] += weighted
    _closed_totals["backend_ns"] += backend
    _closed_totals["overhead_ns"] += overhead
    ctx._mark_folded()


def fold_late(ctx: BudgetContext) -> None:
    """Fold charges made to an exited context (by a thread that outlived its block)."""
    with _lock:
        _fold(ctx)


def open_contexts() -> list[BudgetContext]:
    """Contexts currently counting (explicit ones entered, plus thread defaults)."""
    with _lock:
        return list(_open)


def session_summary_dict(by_namespace: bool = False) -> dict[str, Any]:
    """Everything counted in this process so far, as a summary dict.

    ``flop_budget`` is the global default budget (``FLOPSCOPE_DEFAULT_BUDGET``,
    1e15 unless set) and ``flops_remaining`` is that budget minus everything
    counted in the session; ``contexts`` counts the contexts that contributed.
    """
    from flopscope._config import default_budget

    with _lock:
        aggregates = [
            Aggregate(a.op_name, a.namespace, None, a.calls, a.analytical, a.weighted_units,
                      a.backend_ns, a.overhead_ns)
            for a in _closed_aggregates.values()
        ]
        used = _closed_totals["weighted"]
        backend = _closed_totals["backend_ns"]
        overhead = _closed_totals["overhead_ns"]
        contexts = _closed_totals["contexts"]
        live = list(_open)
        start = _started_ns[0] if _started_ns else time.perf_counter_ns()
    for ctx in live:
        contributed = False
        for agg in ctx._aggregates_since_fold():
            aggregates.append(agg)
            used += agg.weighted_units
            contributed = True
        ctx_backend, ctx_overhead = ctx._time_since_fold()
        backend += ctx_backend
        overhead += ctx_overhead
        contexts += 1 if (contributed or ctx._explicit) else 0
    budget = default_budget()
    return summary_dict(
        aggregates,
        flop_budget=budget,
        flops_used=units_to_flops_ceil(used),
        timings=Timings(time.perf_counter_ns() - start, backend, overhead),
        by_namespace=by_namespace,
        extra={"scope": "session", "contexts": contexts},
    )


def session_summary(by_namespace: bool = False) -> str:
    """Text form of :func:`session_summary_dict`."""
    return format_summary(
        session_summary_dict(by_namespace=by_namespace),
        title="flopscope Session Summary (all contexts)",
    )


def reset() -> None:
    """Forget everything the session ledger has counted (closed contexts' totals).

    Open contexts keep counting; their totals so far are dropped from the
    session view. Meant for test suites and long-lived interpreters that want
    a fresh ``budget_summary()``.
    """
    with _lock:
        _closed_aggregates.clear()
        for key in _closed_totals:
            _closed_totals[key] = 0
        _started_ns.clear()
        _started_ns.append(time.perf_counter_ns())
        live = list(_open)
    for ctx in live:
        ctx._mark_folded()
