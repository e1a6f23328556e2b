"""Budgets through the server: ``BudgetContext``, namespaces and summaries.

A :class:`BudgetContext` here is a handle on a context the server holds
for this session. Entering and leaving it, and every figure read from it,
are requests; the FLOPs are counted and checked on the server, where the
client cannot reach them. The session summary (``flops.budget_summary()``)
covers this session only: everything counted through this connection.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from flopscope._remote.callsite import caller_site
from flopscope._remote.connection import Connection, RemoteHandle, current, register_proxy_kind
from flopscope.errors import FlopscopeError

__all__ = [
    "BudgetContext",
    "SummaryText",
    "namespace",
    "budget_summary",
    "budget_summary_dict",
    "budget_live",
    "configure",
]


class SummaryText(str):
    """A summary's text: a ``str`` whose ``repr`` is the text itself (as in the library)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _figure(name: str, doc: str) -> property:
    def read(self: BudgetContext) -> Any:
        return self._conn.request("getattr", {"target": self._cell[0], "name": name})

    return property(read, doc=doc)


class BudgetContext(RemoteHandle):
    """A FLOP budget for the code inside a ``with`` block, held and enforced by the server.

    The parameters are the library's. ``flop_multiplier`` is fixed by the
    server: leave it out (or pass the server's value); any other value is
    refused with ``PermissionError``.
    """

    __slots__ = ()
    __module__ = "flopscope"

    def __new__(
        cls,
        flop_budget: int | float,
        flop_multiplier: float | None = None,
        quiet: bool = False,
        namespace: str | None = None,
        wall_time_limit_s: float | None = None,
    ) -> BudgetContext:
        values: dict[str, Any] = {
            "flop_budget": flop_budget,
            "namespace": namespace,
            "wall_time_limit_s": wall_time_limit_s,
        }
        if flop_multiplier is not None:
            values["flop_multiplier"] = flop_multiplier
        return current().request(
            "budget_new", {"quiet": bool(quiet)}, values=values, site=caller_site()
        )

    @classmethod
    def _from_ref(cls, conn: Connection, ref: dict) -> BudgetContext:
        return object.__new__(cls)

    def __enter__(self) -> BudgetContext:
        self._conn.request("budget_enter", {"target": self._cell[0]}, site=caller_site())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._conn.request("budget_exit", {"target": self._cell[0]}, site=caller_site())

    flop_budget = _figure("flop_budget", "FLOPs this context may spend.")
    flops_used = _figure("flops_used", "FLOPs charged so far (weighted).")
    flops_remaining = _figure("flops_remaining", "flop_budget - flops_used.")
    flop_multiplier = _figure(
        "flop_multiplier", "Multiplier applied to every charge (the server's)."
    )
    namespace = _figure("namespace", "The namespace label given at construction.")
    wall_time_limit_s = _figure("wall_time_limit_s", "Cooperative wall-clock limit, or None.")
    is_default = _figure("is_default", "True for the session's default context.")
    quiet = _figure("quiet", "Whether the 90% warning is silenced.")
    analytical_flops_used = _figure("analytical_flops_used", "Unweighted FLOPs charged so far.")
    wall_time_s = _figure(
        "wall_time_s", "Seconds spent inside the context (measured by the server)."
    )
    flopscope_backend_time_s = _figure("flopscope_backend_time_s", "Seconds inside NumPy kernels.")
    flopscope_overhead_time_s = _figure(
        "flopscope_overhead_time_s", "Seconds of flopscope bookkeeping."
    )
    residual_wall_time_s = _figure("residual_wall_time_s", "The rest of the wall time.")
    op_log = _figure("op_log", "One OpRecord per counted call, in order.")

    def summary(self, by_namespace: bool = False) -> SummaryText:
        """Human-readable summary: budget, usage by operation, timings."""
        text = self._conn.call(
            "method", self, (), {"by_namespace": by_namespace}, caller_site(), name="summary"
        )
        return SummaryText(text)

    def summary_dict(self, by_namespace: bool = False) -> dict[str, Any]:
        """The context's figures as a dict (the library's keys)."""
        return self._conn.call(
            "method", self, (), {"by_namespace": by_namespace}, caller_site(), name="summary_dict"
        )

    def deduct(
        self, op_name: str, *, flop_cost: int, shapes: tuple = (), subscripts: str | None = None
    ) -> None:
        """Charge ``flop_cost`` analytical FLOPs for work flopscope cannot see (checked first)."""
        self._conn.call(
            "method",
            self,
            (op_name,),
            {"flop_cost": flop_cost, "shapes": shapes, "subscripts": subscripts},
            caller_site(),
            name="deduct",
        )

    def to_dot(self, **options: Any) -> str:
        """DOT text of the context's cost graph, drawn by the server."""
        return self._conn.call("method", self, (), options, caller_site(), name="to_dot")

    @property
    def graph(self) -> Any:
        """Not available in the client: the graph is a networkx object (use :meth:`to_dot`)."""
        raise FlopscopeError(
            "the cost graph is not available through flopscope-client; use to_dot()"
        )

    def __repr__(self) -> str:
        return self._conn.call("method", self, (), {}, caller_site(), name="__repr__")


register_proxy_kind("budget", BudgetContext._from_ref)


@contextmanager
def namespace(name: str) -> Iterator[str]:
    """Record counted calls inside the block under ``<enclosing path>.name``; yields the path."""
    conn = current()
    opened, path = conn.request("namespace_enter", values={"name": name}, site=caller_site())
    try:
        yield path
    finally:
        conn.request("namespace_exit", {"target": opened._cell[0]})


def budget_summary(by_namespace: bool = False) -> SummaryText:
    """Everything this session counted, as the summary table (not printed)."""
    return SummaryText(
        current().request("summary", {"by_namespace": bool(by_namespace), "text": True})
    )


def budget_summary_dict(by_namespace: bool = False) -> dict[str, Any]:
    """Everything this session counted, as the summary dict."""
    return current().request("summary", {"by_namespace": bool(by_namespace), "text": False})


def configure(**options: Any) -> dict[str, Any]:
    """Refused: settings belong to the server, which serves every session with the same ones."""
    raise PermissionError(
        "flopscope settings are the server's (it serves every session with them); "
        "flopscope-client cannot change them"
    )


class _LiveLine:
    """A one-line live view of the session's usage, refreshed by a background thread."""

    def __init__(self, refresh_per_second: float, stream: TextIO) -> None:
        self._interval = 1.0 / max(refresh_per_second, 0.1)
        self._stream = stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flopscope-live", daemon=True)

    def refresh(self) -> None:
        """Redraw the line now."""
        data = budget_summary_dict()
        top = ", ".join(
            f"{name} {entry['flop_cost']:,}" for name, entry in list(data["operations"].items())[:3]
        )
        self._stream.write(
            f"\rflopscope: {data['flops_used']:,} FLOPs in {data['calls']:,} calls  {top}"
        )
        self._stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.refresh()
            except Exception:  # a display must never break the program
                return

    def __enter__(self) -> _LiveLine:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        try:
            self.refresh()
        finally:
            self._stream.write("\n")


@contextmanager
def budget_live(refresh_per_second: float = 4.0, console: TextIO | None = None) -> Iterator[Any]:
    """Show the session's usage on one live line (stderr, or ``console``) while the block runs.

    The library draws a rich table; the client, which depends on nothing but
    pyzmq, draws a line of text.
    """
    with _LiveLine(refresh_per_second, console if console is not None else sys.stderr) as live:
        yield live
