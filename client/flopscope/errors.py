"""Exceptions and warnings of flopscope, as the client raises them.

The same classes, names and hierarchy as the library's ``flopscope.errors``:
an error the server raises arrives here as the class of the same name, so
``except flops.BudgetExhaustedError`` works unchanged. Errors that also have
a built-in meaning keep it (an unsupported dtype is a ``TypeError``, a bad
symmetry claim a ``ValueError``).

Three classes are the client's own: :class:`ServerUnavailableError` (no
server answers), :class:`ProtocolError` (the server refused a malformed
request) and :class:`SessionError` (the session is gone: closed, expired or
the server restarted).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FlopscopeError",
    "BudgetExhaustedError",
    "TimeExhaustedError",
    "SymmetryError",
    "UnsupportedDtypeError",
    "ConcretizationError",
    "WeightsFileError",
    "FlopscopeWarning",
    "SymmetryLossWarning",
    "ServerUnavailableError",
    "ProtocolError",
    "SessionError",
]


class FlopscopeError(Exception):
    """Base class of every error flopscope raises deliberately."""


class BudgetExhaustedError(FlopscopeError):
    """A counted operation would exceed the active FLOP budget; it was not executed.

    Attributes: ``op_name``, ``flop_cost`` (weighted cost it would have
    charged), ``analytical_cost``, ``flops_used``, ``flop_budget``,
    ``flops_remaining`` (the budget at the moment of refusal) and ``record``
    (the refused call as an :class:`~flopscope.OpRecord`).
    """

    def __init__(
        self,
        op_name: str,
        flop_cost: int,
        flops_remaining: int,
        *,
        flop_budget: int | None = None,
        flops_used: int | None = None,
        analytical_cost: int | None = None,
        record: Any = None,
        message: str | None = None,
    ) -> None:
        self.op_name = op_name
        self.flop_cost = flop_cost
        self.flops_remaining = flops_remaining
        self.flop_budget = flop_budget
        self.flops_used = flops_used
        self.analytical_cost = analytical_cost if analytical_cost is not None else flop_cost
        self.record = record
        if message is None:
            message = (
                f"{op_name} would cost {flop_cost:,} FLOPs but only {flops_remaining:,} "
                "remain; the operation was not executed."
            )
        super().__init__(message)

    @property
    def graph(self) -> Any:
        """Not available in the client: the cost graph lives on the server (and needs networkx)."""
        raise FlopscopeError(
            "the cost graph of an overrun is not available through flopscope-client"
        )

    def to_dot(self, **options: Any) -> str:
        """Not available in the client (see :attr:`graph`)."""
        raise FlopscopeError(
            "the cost graph of an overrun is not available through flopscope-client"
        )


class TimeExhaustedError(FlopscopeError):
    """The cooperative wall-clock limit of a :class:`~flopscope.BudgetContext` passed.

    Constructed as ``TimeExhaustedError(op_name, *, elapsed_s, limit_s)`` (the
    form harnesses use to report a limit they enforce themselves), as in the
    full library; the one-message form ``TimeExhaustedError(message)`` (how
    errors reported by the server are rebuilt) is accepted too.
    """

    def __init__(
        self,
        op_name: str | None = None,
        *,
        elapsed_s: float | None = None,
        limit_s: float | None = None,
        when: str | None = None,
    ) -> None:
        if elapsed_s is None and limit_s is None and op_name is not None and " " in op_name:
            message, op_name = op_name, None  # a preformatted message
        else:
            limit = "the wall-clock limit" if limit_s is None else f"wall-clock limit of {limit_s:g}s"
            elapsed = "" if elapsed_s is None else f" ({elapsed_s:.3f}s elapsed)"
            at = "" if op_name is None else f" {when or 'at'} {op_name}"
            message = f"{limit} passed{elapsed}{at}"
        self.op_name = op_name
        self.elapsed_s = elapsed_s
        self.limit_s = limit_s
        self.when = when
        super().__init__(message)


class SymmetryError(FlopscopeError, ValueError):
    """An array does not have the symmetry it was declared to have."""


class UnsupportedDtypeError(FlopscopeError, TypeError):
    """A counted operation was asked to work on object, string or void data."""


class ConcretizationError(FlopscopeError, TypeError):
    """An abstract (planned) array was asked for a concrete value."""


class WeightsFileError(FlopscopeError, ValueError):
    """A weights file could not be read."""


class FlopscopeWarning(UserWarning):
    """Base class of flopscope's warnings."""


class SymmetryLossWarning(FlopscopeWarning):
    """An operation dropped symmetry that one of its inputs declared."""


class ServerUnavailableError(FlopscopeError, ConnectionError):
    """No flopscope server answered (not started, wrong address, or it stopped)."""


class ProtocolError(FlopscopeError, ValueError):
    """The server refused a request as malformed (or sent a reply this client cannot read)."""


class SessionError(ProtocolError):
    """The session is gone: closed, timed out, or the server restarted."""
