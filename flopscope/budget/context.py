"""Budget contexts: where counted calls are checked and charged.

Exactly one context is *active* for any running code. It is the innermost
explicit :class:`BudgetContext` entered with ``with``, or else the calling
thread's *default context* (budget ``FLOPSCOPE_DEFAULT_BUDGET``, 1e15 unless
set), created on first use. The active context lives in a context variable
(:mod:`flopscope.budget.state`), so threads and asyncio tasks never see each
other's explicit contexts.

The executors in :mod:`flopscope.exec` read and update a context's counters
directly (the ``_units``, ``_lock``, ``_rows``... slots) on the hot path; everything else
goes through the public API below.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any, Iterator

from flopscope._config import MAX_FLOP_BUDGET, SETTINGS, default_budget, parse_flop_count
from flopscope._weights import factor_table
from flopscope.budget import session, threads
from flopscope.budget.state import ACTIVE, INHERITED, NAMESPACE, STATE, FieldToken
from flopscope.cost import MAX_FACTOR, UNIT_BITS, charge_units, units_to_flops_ceil
from flopscope.budget.summary import Timings, format_summary, summary_dict
from flopscope.errors import BudgetExhaustedError, TimeExhaustedError
from flopscope.trace.callsite import user_frame, warn_user
from flopscope.trace.record import (
    R_ANALYTICAL,
    R_BACKEND_NS,
    R_END_NS,
    R_EXTRA,
    R_START_NS,
    R_WEIGHTED,
    OpRecord,
    row_to_record,
)
from flopscope.trace.intern import trim as trim_interned
from flopscope.trace.trace import Aggregate, Trace, new_node_id

__all__ = ["BudgetContext", "current_context", "default_context", "active_state", "ACTIVE",
           "INHERITED", "NAMESPACE", "NO_DEADLINE"]

#: The deadline of a context without a wall-time limit: later than any clock reading.
NO_DEADLINE = 1 << 63

_perf_ns = time.perf_counter_ns
_thread_defaults = threading.local()

#: Fraction of the budget at which a non-quiet context warns once.
WARN_FRACTION = 0.9


#: Longest cooperative wall-clock limit a context accepts (one year, in seconds).
MAX_WALL_TIME_LIMIT_S = 365.0 * 24 * 3600


def validate_multiplier(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"flop_multiplier must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"flop_multiplier must be positive and finite, got {value!r}")
    if value > MAX_FACTOR:
        raise ValueError(f"flop_multiplier must be at most {MAX_FACTOR:g}, got {value!r}")
    return float(value)


def _validate_time_limit(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"wall_time_limit_s must be a number of seconds or None, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"wall_time_limit_s must be positive and finite, got {value!r}")
    if value > MAX_WALL_TIME_LIMIT_S:
        raise ValueError(
            f"wall_time_limit_s must be at most {MAX_WALL_TIME_LIMIT_S:g} s (one year), got {value!r}"
        )
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

    Threads: work in a thread that has no explicit context of its own, started
    (or, for a thread pool, submitted) while this context is open, is charged
    to this context (see :mod:`flopscope.budget.threads`). Such a thread may
    still open an explicit context of its own, which then replaces it there.

    Charges are exact: the context accumulates ``analytical x multiplier x
    weight`` in charge units of ``2**-64`` FLOP (:mod:`flopscope.cost`) and
    reports :attr:`flops_used` rounded up. Check and charge are one atomic
    step taken *before* NumPy runs (a reservation, returned if NumPy raises):
    straight-line code no thread or signal handler can interleave with under
    the GIL, and under a lock shared by every thread charging this context on
    a free-threaded build (see :mod:`flopscope.exec.execute`).
    """

    __slots__ = (
        "_budget", "_units", "_limit_units", "_lock", "_mult", "quiet", "_namespace",
        "_time_limit_s", "_deadline_ns", "trace", "_rows", "_cap", "_time_mark",
        "_elapsed_ns", "_entered_ns", "_created_ns", "_explicit", "_tokens", "_warn_at",
        "_attention", "_overflow", "_fold_mark", "_fold_snapshot", "_fold_backend_ns",
        "_fold_overhead_ns", "_late", "_factors", "__weakref__",
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
        budget = parse_flop_count(flop_budget, "flop_budget")
        if budget > MAX_FLOP_BUDGET:
            raise ValueError(
                f"flop_budget must be at most {MAX_FLOP_BUDGET:,} (2**63 - 1), got {flop_budget!r}"
            )
        self._budget = budget
        self._mult = validate_multiplier(flop_multiplier)
        if not isinstance(quiet, bool):
            raise TypeError(f"quiet must be True or False, got {quiet!r}")
        self.quiet = quiet
        self._namespace = None if namespace is None else validate_namespace(namespace)
        self._time_limit_s = _validate_time_limit(wall_time_limit_s)
        # perf_counter_ns() past which calls are refused; NO_DEADLINE (never
        # reached) rather than None, so the hot path compares without a None test.
        self._deadline_ns = NO_DEADLINE
        self._units = 0  # exact charge so far, in charge units (2**-UNIT_BITS FLOP)
        self._limit_units = budget << UNIT_BITS
        # Re-entrant: a signal handler that runs a counted op while this thread
        # holds the lock (between acquire() returning and the next bytecode)
        # takes it again instead of deadlocking; see exec/execute.py. Under the GIL the
        # reservation needs no lock at all (it runs no call between read and write).
        self._lock = threading.RLock()
        self._late = False
        trim_interned()
        self._created_ns = _perf_ns()
        self.trace = Trace(SETTINGS.max_log_records, origin_ns=self._created_ns)
        self._rows = self.trace.rows
        self._overflow = self.trace._overflow
        cap = SETTINGS.max_log_records
        self._cap = cap if cap is not None else 1 << 62
        # (rows summed, their backend ns, their overhead ns): see _time_totals.
        self._time_mark = (0, 0, 0)
        # Charge units per analytical FLOP by weight name, for this multiplier;
        # shared with other contexts, emptied when the weights change.
        self._factors = factor_table(self._mult)
        self._elapsed_ns = 0
        self._entered_ns: int | None = None
        self._explicit = _explicit
        self._tokens: tuple[FieldToken, FieldToken, FieldToken | None] | None = None
        self._warn_at = self._limit_units if quiet else int(budget * WARN_FRACTION) << UNIT_BITS
        self._attention = self._warn_at
        self._fold_mark = 0
        self._fold_snapshot: dict = {}
        self._fold_backend_ns = 0
        self._fold_overhead_ns = 0

    # -- entering and leaving --------------------------------------------------
    def __enter__(self) -> BudgetContext:
        if self._tokens is not None:
            raise RuntimeError("this BudgetContext is already active")
        if not self._explicit:
            raise RuntimeError("a thread's default BudgetContext cannot be entered with 'with'")
        current = ACTIVE.get()
        # A context this thread merely inherited (charged to, as a thread started
        # inside it) may be replaced here by the thread's own explicit context.
        if current is not None and current._explicit and not INHERITED.get():
            raise RuntimeError(
                "Nested explicit BudgetContexts are not allowed: a BudgetContext "
                f"(budget {current._budget:,}) is already active. Use fnp.namespace(...) "
                "to attribute phases inside one budget."
            )
        # Everything that can fail is computed before anything is installed.
        outer = NAMESPACE.get()
        namespace = None
        if self._namespace is not None:
            namespace = self._namespace if outer is None else f"{outer}.{self._namespace}"
        now = _perf_ns()
        deadline = NO_DEADLINE if self._time_limit_s is None else now + int(self._time_limit_s * 1e9)
        active_token = ACTIVE.set(self)
        try:
            inherited_token = INHERITED.set(False)
            ns_token = NAMESPACE.set(namespace) if namespace is not None else None
            self._tokens = (active_token, inherited_token, ns_token)
            self._entered_ns = now
            self._deadline_ns = deadline
            self._set_late(False)
            session.opened(self)
        except BaseException:
            self._uninstall()
            raise
        return self

    def _uninstall(self) -> None:
        """Undo :meth:`__enter__`'s installation; safe on a partial install."""
        tokens = self._tokens
        self._tokens = None
        self._deadline_ns = NO_DEADLINE
        if tokens is None:
            return
        active_token, inherited_token, ns_token = tokens
        try:
            if ns_token is not None:
                NAMESPACE.reset(ns_token)
            INHERITED.reset(inherited_token)
        finally:
            ACTIVE.reset(active_token)

    def __exit__(self, *exc_info: object) -> None:
        if self._tokens is None:
            raise RuntimeError("BudgetContext.__exit__ called without a matching __enter__")
        try:
            self._uninstall()
        finally:
            if self._entered_ns is not None:
                self._elapsed_ns += _perf_ns() - self._entered_ns
                self._entered_ns = None
            # Threads started inside the block may outlive it and keep charging
            # this context; their later charges go straight to the session ledger.
            self._set_late(True)
            session.closed(self)

    # -- budget figures ---------------------------------------------------------
    @property
    def flop_budget(self) -> int:
        """FLOPs this context may spend."""
        return self._budget

    @property
    def flops_used(self) -> int:
        """FLOPs charged so far: the exact weighted total, rounded up to a whole FLOP."""
        return units_to_flops_ceil(self._units)

    @property
    def flops_remaining(self) -> int:
        """``flop_budget - flops_used``."""
        return self._budget - units_to_flops_ceil(self._units)

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
        backend, overhead = self._time_totals()
        return Timings(self._wall_ns(), backend, overhead)

    def _time_totals(self) -> tuple[int, int]:
        """Backend and overhead ns of every call so far.

        Summed from the rows when asked, not accumulated per call (two fewer
        read-modify-writes on the hot path); rows only grow, so a mark makes
        each row summed once. Calls past the log cap add their folded totals.
        """
        rows = self._rows
        done, backend, overhead = self._time_mark
        count = len(rows)
        if count > done:
            for i in range(done, count):
                row = rows[i]
                backend += row[R_BACKEND_NS]
                overhead += row[R_END_NS] - row[R_START_NS] - row[R_BACKEND_NS]
            self._time_mark = (count, backend, overhead)
        for acc in self._overflow.values():
            backend += acc[3]
            overhead += acc[4]
        return backend, overhead

    @property
    def wall_time_s(self) -> float:
        """Seconds spent inside the context (all entries, so far)."""
        return self._wall_ns() / 1e9

    @property
    def flopscope_backend_time_s(self) -> float:
        """Seconds spent inside the NumPy implementations of counted calls."""
        return self._time_totals()[0] / 1e9

    @property
    def flopscope_overhead_time_s(self) -> float:
        """Seconds spent in flopscope's own dispatch and bookkeeping."""
        return self._time_totals()[1] / 1e9

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
            flops_used=units_to_flops_ceil(self._units),
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

        The charge goes through the same steps as a counted call: multiplied by
        the multiplier and the op's weight, checked against the budget and
        reserved in one atomic step (raising
        :class:`~flopscope.errors.BudgetExhaustedError` without charging), then
        logged.
        """
        from flopscope._weights import ACTIVE_WEIGHTS

        if not isinstance(op_name, str) or not op_name:
            raise TypeError(f"op_name must be a non-empty string, got {op_name!r}")
        if isinstance(flop_cost, bool) or not isinstance(flop_cost, int) or flop_cost < 0:
            raise ValueError(f"flop_cost must be a non-negative int, got {flop_cost!r}")
        t0 = _perf_ns()
        shapes = tuple(tuple(int(d) for d in s) for s in shapes)
        params = (("subscripts", subscripts),) if subscripts else None
        units = charge_units(flop_cost, self._mult, ACTIVE_WEIGHTS.get(op_name, 1.0))
        code, lasti = user_frame(sys._getframe(1))
        if t0 > self._deadline_ns:
            raise self._time_error(op_name, "before")

        def row(cumulative: int, end_ns: int) -> tuple:
            return (new_node_id(), op_name, NAMESPACE.get(), shapes, (None,) * len(shapes),
                    params, flop_cost, units, cumulative, t0, 0, end_ns,
                    code, lasti, (), None, None, None, threading.get_ident())

        with self._lock:
            used = self._units + units
            if used <= self._limit_units:
                self._units = used
        if used > self._limit_units:
            raise self._refuse(row(used, t0))
        self.trace.add(row(used, _perf_ns()))
        if used > self._attention:
            self._attend(used)

    # -- internal helpers used by executors --------------------------------------------
    def _time_error(self, op_name: str, when: str) -> TimeExhaustedError:
        """The error for a call found past the wall-clock limit ``when`` ("before"/"after") it ran."""
        return TimeExhaustedError(op_name, elapsed_s=self._wall_ns() / 1e9,
                                  limit_s=self._time_limit_s, when=when, trace=self.trace)

    def _refuse(self, row: tuple) -> BudgetExhaustedError:
        """Build the error for a call whose row would not fit (the row is not stored)."""
        tags = {**(row[R_EXTRA] or {}), "refused": True}
        record = row_to_record(row[:R_EXTRA] + (tags,) + row[R_EXTRA + 1:], self._created_ns)
        used = units_to_flops_ceil(self._units)
        return BudgetExhaustedError(
            record.op_name,
            units_to_flops_ceil(row[R_WEIGHTED]),  # the record keeps the exact figure
            self._budget - used,
            flop_budget=self._budget,
            flops_used=used,
            analytical_cost=row[R_ANALYTICAL],
            record=record,
            trace=self.trace,
        )

    def _set_late(self, late: bool) -> None:
        self._late = late
        self._attention = -1 if late else self._warn_at

    def _attend(self, used: int) -> None:
        """A charge took usage past ``_attention``: the warning threshold, or -1 when late.

        One comparison on the hot path covers both rare events: usage first
        passing the warning threshold, and a thread charging this context
        after its block exited.
        """
        if used > self._warn_at:
            self._crossed_warning_threshold()
        if self._late:
            self._late_charge()

    def _crossed_warning_threshold(self) -> None:
        """Called once when usage passes the warning threshold (non-quiet contexts)."""
        self._warn_at = self._limit_units + 1  # never again
        self._attention = -1 if self._late else self._warn_at
        if not self.quiet:
            used = units_to_flops_ceil(self._units)
            warn_user(
                f"flopscope: {used:,} of {self._budget:,} FLOPs used "
                f"({100 * used / self._budget:.1f}%)",
            )

    def _late_charge(self) -> None:
        """A thread charged this context after its block exited: bring the ledger up to date."""
        session.fold_late(self)

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
        backend, overhead = self._time_totals()
        return backend - self._fold_backend_ns, overhead - self._fold_overhead_ns

    def _mark_folded(self) -> None:
        self._fold_mark = len(self.trace.rows)
        self._fold_snapshot = self.trace.overflow_snapshot()
        self._fold_backend_ns, self._fold_overhead_ns = self._time_totals()

    def __repr__(self) -> str:
        kind = "BudgetContext" if self._explicit else "default BudgetContext"
        ns = f", namespace={self._namespace!r}" if self._namespace else ""
        return f"<{kind}: {self.flops_used:,} of {self._budget:,} FLOPs used{ns}>"


def default_context() -> BudgetContext:
    """The context charged when none is active here; made active for what follows.

    A thread started while an explicit context was open is charged to that
    context (:mod:`flopscope.budget.threads` records it on the thread);
    otherwise this is the thread's own default context, created on first use.
    """
    inherited = threads.inherited_context()
    if inherited is not None:
        ctx, namespace = inherited
        ACTIVE.set(ctx)
        INHERITED.set(True)
        if namespace is not None and NAMESPACE.get() is None:
            NAMESPACE.set(namespace)
        return ctx
    return own_default_context()


def active_state() -> tuple:
    """:data:`~flopscope.budget.state.STATE` after :func:`default_context`: for a hot path
    that found no context in the state it read."""
    default_context()
    return STATE.get()


def own_default_context() -> BudgetContext:
    """This thread's own default context (created on first use), made active."""
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
    return ctx if ctx is not None else default_context()

