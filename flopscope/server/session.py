"""A session: one connected client's budgets, arrays and execution context.

Each session owns

* a :class:`contextvars.Context` in which *all* of its calls run. The
  library keeps the active :class:`~flopscope.BudgetContext` and the
  namespace path in context variables, so a session's ``with
  BudgetContext(...)`` and ``with fnp.namespace(...)`` persist across its
  requests and are invisible to every other session, whichever worker
  thread serves them;
* its own default budget context, installed in that Context when the
  session opens (the library would otherwise create one per *thread*);
* a :class:`~flopscope.server.handles.HandleTable` of the objects its client
  refers to, a :class:`~flopscope.server.ledger.SessionLedger`, and its own
  legacy random state;
* scheduling state, shared by the server's I/O thread and the (single)
  worker serving it at any time, guarded by :attr:`Session.lock`.

The session is identified on the wire by a secret token (128 random bits)
and in logs by a short public id; the token is never logged.
"""

from __future__ import annotations

import contextvars
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from flopscope._config import default_budget
from flopscope.budget.context import ACTIVE, BudgetContext
from flopscope.server import policy
from flopscope.server.handles import HandleTable
from flopscope.server.ledger import SessionLedger
from flopscope.server.protocol import Request
from flopscope.server.rng import SessionRandomState

__all__ = ["Session", "SessionPolicy", "SessionReport", "QUOTA_PENALTY_S"]

#: Seconds a session refused for a memory or object quota waits for its reply and next turn.
QUOTA_PENALTY_S = 0.25


@dataclass(frozen=True)
class SessionPolicy:
    """What the server imposes on every session.

    Attributes
    ----------
    flop_multiplier:
        Multiplier of every budget context a session opens; a client may not
        ask for another.
    max_handles:
        Most objects one session may hold at once.
    max_memory_bytes:
        Most bytes of array memory one session may hold at once.
    max_pending:
        Most requests of one session queued or running at once.
    max_cpu_s:
        CPU seconds one request may use before it is interrupted.
    """

    flop_multiplier: float = 1.0
    max_handles: int = 1_000_000
    max_memory_bytes: int = 1 << 30
    max_pending: int = 8
    max_cpu_s: float = 10.0


@dataclass(frozen=True)
class SessionReport:
    """What a closing session counted, for its log line."""

    public_id: str
    reason: str
    requests: int
    flops_used: int
    analytical_flops_used: int
    calls: int
    peak_handles: int
    undelivered: int
    duration_s: float
    peak_bytes: int = 0
    refused: int = 0

    def __str__(self) -> str:
        return (
            f"session {self.public_id} closed ({self.reason}): {self.flops_used:,} FLOPs used "
            f"(analytical {self.analytical_flops_used:,}) in {self.calls:,} counted calls, "
            f"{self.requests:,} requests, peak {self.peak_handles:,} objects held "
            f"({self.peak_bytes:,} bytes), {self.refused:,} requests refused over quota, "
            f"{self.undelivered} replies undelivered, {self.duration_s:.1f} s"
        )


class Session:
    """One client's state on the server (see the module docstring)."""

    def __init__(self, policy: SessionPolicy, client: str = "unknown client") -> None:
        self.token = secrets.token_hex(16)
        self.public_id = secrets.token_hex(4)
        self.client = client
        self.policy = policy
        self.handles = HandleTable(policy.max_handles)
        self.ledger = SessionLedger()
        self.rng = SessionRandomState()
        self.context = contextvars.Context()
        self.default_context: BudgetContext = self.context.run(self._install_default_context)
        # Scheduling state: read and written under ``lock``.
        self.lock = threading.Lock()
        self.pending: deque[tuple[list[bytes], Request]] = deque()
        self.running = False
        self.serving = False  # a worker holds one of the session's requests
        self.deferred: list[tuple[list[bytes], list[Any]]] = []  # refusals over --max-pending
        # Seconds the session waits before its next reply and turn: set when the request
        # just served was refused for a quota or interrupted for its CPU time.
        self.penalty_s = 0.0
        self.closing = False
        self.seen_seq = 0
        self.done_seq = 0
        self.done_reply: list[Any] | None = None
        self.requests = 0
        self.refused = 0
        self.undelivered = 0
        self.opened_at = time.monotonic()
        self.last_seen = self.opened_at

    def _install_default_context(self) -> BudgetContext:
        ctx = BudgetContext(
            default_budget(),
            flop_multiplier=self.policy.flop_multiplier,
            quiet=True,
            _explicit=False,
        )
        ACTIVE.set(ctx)
        self.ledger.track(ctx)
        return ctx

    def resolve_value(self, handle: int) -> Any:
        """The object behind ``handle`` as a call argument: never a budget context or namespace.

        Contexts and namespaces are only ever the *target* of their own
        requests; as arguments they could be stored in a container or an
        array and come back under a second handle.
        """
        obj = self.handles.resolve(handle)
        if isinstance(obj, BudgetContext) or not (
            isinstance(obj, np.ndarray) or policy.exportable(obj)
        ):
            raise TypeError(f"a {type(obj).__name__} cannot be passed as an argument")
        return obj

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in this session's context (one caller at a time)."""
        return self.context.run(fn, *args)

    # -- budgets (called inside the session's context) -------------------------------------
    def new_budget(
        self,
        flop_budget: Any,
        flop_multiplier: Any,
        quiet: Any,
        namespace: Any,
        wall_time_limit_s: Any,
    ) -> BudgetContext:
        """A budget context for the client, with the server's multiplier."""
        fixed = self.policy.flop_multiplier
        multiplier: Any = fixed
        if flop_multiplier is not None:
            is_number = isinstance(flop_multiplier, (int, float)) and not isinstance(
                flop_multiplier, bool
            )
            if is_number and flop_multiplier != fixed:
                raise PermissionError(
                    f"flop_multiplier is fixed by the flopscope server at {fixed!r}; "
                    f"a client cannot ask for {flop_multiplier!r}"
                )
            if not is_number:
                multiplier = flop_multiplier  # let the library reject it as it would in-process
        ctx = BudgetContext(
            flop_budget,
            flop_multiplier=multiplier,
            quiet=bool(quiet),
            namespace=namespace,
            wall_time_limit_s=wall_time_limit_s,
        )
        self.ledger.track(ctx)
        return ctx

    def release(self, pairs: list[tuple[int, int]]) -> None:
        """Return issued handles; a context dropped by its client and not active is retired."""
        for handle, returned in pairs:
            obj = self.handles.release(handle, returned)
            if isinstance(obj, BudgetContext) and ACTIVE.get() is not obj:
                self.ledger.retire(obj)

    def close(self, reason: str) -> SessionReport:
        """Leave any open budget context, drop every object and report (inside the context)."""
        active = ACTIVE.get()
        if active is not None and not active.is_default:
            active.__exit__(None, None, None)
        flops, analytical, calls = self.ledger.totals()
        report = SessionReport(
            public_id=self.public_id,
            reason=reason,
            requests=self.requests,
            flops_used=flops,
            analytical_flops_used=analytical,
            calls=calls,
            peak_handles=self.handles.peak,
            undelivered=self.undelivered,
            duration_s=time.monotonic() - self.opened_at,
            peak_bytes=self.handles.peak_bytes,
            refused=self.refused,
        )
        self.handles.clear()
        return report

    def idle_for(self, now: float) -> float:
        """Seconds since the client was last heard from, or 0 while a request is in hand."""
        if self.running or self.pending:
            return 0.0
        return now - self.last_seen
