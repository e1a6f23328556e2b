"""Budget contexts: where counted calls are checked and charged.

Exactly one context is *active* for any running code. It is the innermost
explicit :class:`BudgetContext` entered with ``with``, or else the calling
thread's *default context* (budget ``FLOPSCOPE_DEFAULT_BUDGET``, 1e15 unless
set), created on first use. The active context lives in a
:class:`contextvars.ContextVar`, so threads and asyncio tasks never see each
other's explicit contexts.

The executors in :mod:`flopscope.exec` read and update a context's counters
directly (the ``_used``, ``_rows``... slots) on the hot path; everything else
goes through the public API below.
"""

from __future__ import annotations

import math
import threading
import time
from contextvars import ContextVar, Token
from typing import Any, Iterator

from flopscope._config import SETTINGS, default_budget, parse_flop_count
from flopscope.budget import session
from flopscope.budget.summary import Timings, format_summary, summary_dict
from flopscope.errors import BudgetExhaustedError
from flopscope.trace.callsite import warn_user
from flopscope.trace.record import (
    R_ANALYTICAL,
    ROW_WIDTH,
    OpRecord,
    row_to_record,
)
from flopscope.trace.trace import Aggregate, Trace

__all__ = ["BudgetContext", "current_context", "ACTIVE", "NAMESPACE"]

#: The explicit context entered in this thread / task, or the thread's default.
ACTIVE: ContextVar[BudgetContext | None] = ContextVar("flopscope_active_budget", default=None)
#: The dotted namespace path in effect, or None.
NAMESPACE: ContextVar[str | None] = ContextVar("flopscope_namespace", default=None)

_perf_ns = time.perf_counter_ns
_thread_defaults = threading.local()

#: Fraction of the budget at which a non-quiet context warns once.
WARN_FRACTION = 0.9


def _validate_multiplier(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"flop_multiplier must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"flop_multiplier must be positive and finite, got {value!r}")
    return float(value)


def _validate_time_limit(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"wall_time_limit_s must be a number of seconds or None, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"wall_time_limit_s must be positive and finite, got {value!r}")
    return float(value)


def validate_namespace(name: object) -> str:
    """Check a namespace label: a non-empty string of non-empty dot-separated parts."""
    if not isinstance(name, str):
        raise TypeError(f"namespace must be a string, got {type(name).__name__}")
    if not name or any(not part.strip() for part in name.split(".")):
        raise ValueError(f"namespace must be non-empty dot-separated names, got {name!r}")
    return name


class BudgetContext:
    """A FLOP budget for the code inside a ``with`` block.

    Parameters
    ----------
    flop_budget:
        FLOPs the block may spend, a positive whole number (``10**8`` or ``1e8``).
    flop_multiplier:
        Factor applied to every charge: ``charged = analytical x multiplier x weight``.
    quiet:
        When false (the default) the context warns once, with a
        :class:`~flopscope.errors.FlopscopeWarning`, when usage first passes 90%
        of the budget, and when its detailed log reaches
        ``flops.configure(max_log_records=...)``. ``quiet=True`` silences both.
    namespace:
        Dotted label recorded with every call in the block (nested under any
        namespace already in effect), e.g. ``"predict"``.
    wall_time_limit_s:
        Cooperative wall-clock limit, checked before and after each counted call;
        :class:`~flopscope.errors.TimeExhaustedError` when passed.

    Every counted call is checked *before* it runs: if its charge would take
    ``flops_used`` past ``flop_budget``, :class:`~flopscope.errors.BudgetExhaustedError`
    is raised and nothing changes (no charge, no log entry, no partial write).

    Explicit contexts do not nest: entering one while another is active in the
    same thread or task raises ``RuntimeError``. While one is active it
    replaces the default context. A context may be entered again after it
    exits; it keeps accumulating.
    """

    __slots__ = (
        "_budget", "_used", "_mult", "quiet", "_namespace", "_time_limit_s",
        "_deadline_ns", "trace", "_rows", "_cap", "_backend_ns", "_overhead_ns",
        "_elapsed_ns", "_entered_ns", "_created_ns", "_explicit", "_tokens",
        "_warn_at", "_overflow", "_fold_mark", "_fold_snapshot", "_fold_backend_ns", "_fold_overhead_ns", "_owner_thread", "__weakref__",
    )

    def __init__(
        self,
        flop_budget: int | float,
        flop_multiplier: float = 1.0,
        quiet: bool = False,
        namespace: str | None = None,
        wall_time_limit_s: float | None = None,
        *,
        _explicit: bool = True,
    ) -> None:
        self._budget = parse_flop_count(flop_budget, "flop_budget")
        self._mult = _validate_multiplier(flop_multiplier)
        self.quiet = bool(quiet)
        self._namespace = None if namespace is None else validate_namespace(namespace)
        self._time_limit_s = _validate_time_limit(wall_time_limit_s)
        self._deadline_ns: int | None = None
        self._used = 0
        self.trace = Trace(SETTINGS.max_log_records)
        self._rows = self.trace.rows
        self._overflow = self.trace._overflow
        cap = SETTINGS.max_log_records
        self._cap = cap if cap is not None else 1 << 62
        self._backend_ns = 0
        self._overhead_ns = 0
        self._elapsed_ns = 0
        self._entered_ns: int | None = None
        self._created_ns = _perf_ns()
        self._explicit = _explicit
        self._tokens: tuple[Token, Token | None] | None = None
        self._warn_at = self._budget if quiet else int(self._budget * WARN_FRACTION)
        self._fold_mark = 0
        self._fold_snapshot: dict = {}
        self._fold_backend_ns = 0
        self._fold_overhead_ns = 0
        self._owner_thread = threading.get_ident()

    # -- entering and leaving --------------------------------------------------
    def __enter__(self) -> BudgetContext:
        current = ACTIVE.get()
        if self._tokens is not None:
            raise RuntimeError("this BudgetContext is already active")
        if current is not None and current._explicit:
            raise RuntimeError(
                "Nested explicit BudgetContexts are not allowed: a BudgetContext "
                f"(budget {current._budget:,}) is already active. Use fnp.namespace(...) "
                "to attribute phases inside one budget."
            )
        ns_token = None
        if self._namespace is not None:
            outer = NAMESPACE.get()
            ns_token = NAMESPACE.set(self._namespace if outer is None else f"{outer}.{self._namespace}")
        self._tokens = (ACTIVE.set(self), ns_token)
        self._owner_thread = threading.get_ident()
        now = _perf_ns()
        self._entered_ns = now
        self._deadline_ns = None if self._time_limit_s is None else now + int(self._time_limit_s * 1e9)
        session.opened(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        tokens = self._tokens
        if tokens is None:
            raise RuntimeError("BudgetContext.__exit__ called without a matching __enter__")
        active_token, ns_token = tokens
        if ns_token is not None:
            NAMESPACE.reset(ns_token)
        ACTIVE.reset(active_token)
        self._tokens = None
        if self._entered_ns is not None:
            self._elapsed_ns += _perf_ns() - self._entered_ns
            self._entered_ns = None
        self._deadline_ns = None
        session.closed(self)

    # -- budget figures ---------------------------------------------------------
    @property
    def flop_budget(self) -> int:
        """FLOPs this context may spend."""
        return self._budget

    @property
    def flops_used(self) -> int:
        """FLOPs charged so far (weighted, integer)."""
        return self._used

    @property
    def flops_remaining(self) -> int:
        """``flop_budget - flops_used``."""
        return self._budget - self._used

    @property
    def flop_multiplier(self) -> float:
        return self._mult

    @property
    def namespace(self) -> str | None:
        """The namespace label given at construction."""
        return self._namespace

    @property
    def wall_time_limit_s(self) -> float | None:
        return self._time_limit_s

    @property
    def is_default(self) -> bool:
        """True for a thread's implicit default context."""
        return not self._explicit

    @property
    def analytical_flops_used(self) -> int:
        """Unweighted FLOPs of every call charged so far."""
        return sum(a.analytical for a in self.trace.aggregates())

    # -- timing -------------------------------------------------------------------
    def _wall_ns(self) -> int:
        if not self._explicit:
            return _perf_ns() - self._created_ns
        running = 0 if self._entered_ns is None else _perf_ns() - self._entered_ns
        return self._elapsed_ns + running

    def timings(self) -> Timings:
        """Wall, backend and overhead time so far, as one consistent snapshot."""
        return Timings(self._wall_ns(), self._backend_ns, self._overhead_ns)

    @property
    def wall_time_s(self) -> float:
        """Seconds spent inside the context (all entries, so far)."""
        return self._wall_ns() / 1e9

    @property
    def flopscope_backend_time_s(self) -> float:
        """Seconds spent inside the NumPy implementations of counted calls."""
        return self._backend_ns / 1e9

    @property
    def flopscope_overhead_time_s(self) -> float:
        """Seconds spent in flopscope's own dispatch and bookkeeping."""
        return self._overhead_ns / 1e9

    @property
    def residual_wall_time_s(self) -> float:
        """``wall_time_s - flopscope_backend_time_s - flopscope_overhead_time_s``."""
        return self.timings().residual_ns / 1e9

    # -- the log and the graph ------------------------------------------------------
    @property
    def op_log(self) -> list[OpRecord]:
        """One :class:`~flopscope.trace.OpRecord` per counted call, in order.

        Holds the first ``max_log_records`` calls (see :func:`flopscope.configure`);
        later calls are charged and summarized exactly but not listed.
        """
        return self.trace.records()

    @property
    def graph(self) -> Any:
        """The data-flow cost graph of what ran, as a :class:`networkx.DiGraph`."""
        return self.trace.to_networkx()

    def to_dot(self, **options: Any) -> str:
        """DOT text of :attr:`graph` (see :func:`flopscope.trace.dot.graph_to_dot`)."""
        from flopscope.trace.dot import graph_to_dot

        return graph_to_dot(self.graph, **options)

    def _repr_html_(self) -> str:
        """Notebook display (rendered by :func:`flopscope.trace.html.context_html`)."""
        from flopscope.trace.html import context_html

        return context_html(self)

    def __rich__(self) -> Any:
        """Terminal display with ``rich`` (:func:`flopscope.trace.html.context_rich`)."""
        from flopscope.trace.html import context_rich

        return context_rich(self)

    # -- summaries --------------------------------------------------------------------
    def summary_dict(self, by_namespace: bool = False) -> dict[str, Any]:
        """The context's figures as a dict (see :func:`flopscope.budget.summary.summary_dict`)."""
        return summary_dict(
            self.trace.aggregates(),
            flop_budget=self._budget,
            flops_used=self._used,
            timings=self.timings(),
            by_namespace=by_namespace,
            extra={"flop_multiplier": self._mult, "folded_calls": self.trace.folded_calls},
        )

    def summary(self, by_namespace: bool = False) -> str:
        """Human-readable summary: budget, usage by operation, timings."""
        return format_summary(self.summary_dict(by_namespace=by_namespace))

    # -- manual charging ------------------------------------------------------------------
    def deduct(
        self,
        op_name: str,
        *,
        flop_cost: int,
        shapes: tuple = (),
        subscripts: str | None = None,
    ) -> None:
        """Charge ``flop_cost`` analytical FLOPs for an operation flopscope cannot see.

        The charge goes through the same path as a counted call: multiplied by
        the multiplier and the op's weight, checked against the budget first
        (raising :class:`~flopscope.errors.BudgetExhaustedError` without
        charging), then logged.
        """
        from flopscope.exec.eager import charge_manual

        if isinstance(flop_cost, bool) or not isinstance(flop_cost, int) or flop_cost < 0:
            raise ValueError(f"flop_cost must be a non-negative int, got {flop_cost!r}")
        charge_manual(self, op_name, flop_cost, shapes, subscripts)

    # -- internal helpers used by executors --------------------------------------------
    def _refuse(self, row: tuple) -> BudgetExhaustedError:
        """Build the error for a call whose row would not fit (the row is not stored)."""
        record = row_to_record(row[:ROW_WIDTH - 1] + ({**(row[-1] or {}), "refused": True},))
        return BudgetExhaustedError(
            record.op_name,
            record.flop_cost,
            self._budget - self._used,
            flop_budget=self._budget,
            flops_used=self._used,
            analytical_cost=row[R_ANALYTICAL],
            record=record,
            trace=self.trace,
        )

    def _crossed_warning_threshold(self) -> None:
        """Called once when usage passes the warning threshold (non-quiet contexts)."""
        self._warn_at = self._budget + 1  # never again
        if not self.quiet:
            warn_user(
                f"flopscope: {self._used:,} of {self._budget:,} FLOPs used "
                f"({100 * self._used / self._budget:.1f}%)",
            )

    def _start_fold(self, op: str, namespace: str | None, code: Any, lasti: int) -> list:
        """A new per-site accumulator past the detail cap; warns once if not quiet."""
        trace = self.trace
        if not trace._overflow and not self.quiet:
            warn_user(
                f"flopscope: the operation log reached {len(trace.rows):,} records; later "
                "calls are charged exactly and summarized per call site, but not listed "
                "individually (flops.configure(max_log_records=...) changes the cap)",
            )
        return trace.start_fold(op, namespace, code, lasti)

    def _aggregates_since_fold(self) -> Iterator[Aggregate]:
        return self.trace.aggregates_since(self._fold_mark, self._fold_snapshot)

    def _time_since_fold(self) -> tuple[int, int]:
        return self._backend_ns - self._fold_backend_ns, self._overhead_ns - self._fold_overhead_ns

    def _mark_folded(self) -> None:
        self._fold_mark = len(self.trace.rows)
        self._fold_snapshot = self.trace.overflow_snapshot()
        self._fold_backend_ns = self._backend_ns
        self._fold_overhead_ns = self._overhead_ns

    def __repr__(self) -> str:
        kind = "BudgetContext" if self._explicit else "default BudgetContext"
        ns = f", namespace={self._namespace!r}" if self._namespace else ""
        return f"<{kind}: {self._used:,} of {self._budget:,} FLOPs used{ns}>"


def _default_context() -> BudgetContext:
    """The calling thread's default context, created on first use and made active."""
    ctx = getattr(_thread_defaults, "ctx", None)
    if ctx is None:
        ctx = BudgetContext(default_budget(), quiet=True, _explicit=False)
        _thread_defaults.ctx = ctx
        session.opened(ctx)
    ACTIVE.set(ctx)
    return ctx


def current_context() -> BudgetContext:
    """The active context: the explicit one in effect, else this thread's default."""
    ctx = ACTIVE.get()
    return ctx if ctx is not None else _default_context()

