"""Exceptions and warnings raised by flopscope.

Every error flopscope raises on purpose derives from :class:`FlopscopeError`, so
``except flops.FlopscopeError`` catches all of them. Where an error also has a
natural built-in meaning (a bad dtype is a ``TypeError``, an invalid symmetry
claim a ``ValueError``), it derives from that built-in too, so code written for
NumPy's exceptions keeps working.

This module sits below every other one: any layer may import it, and it
imports nothing from flopscope. Budget and time errors can draw the graph of
what ran (``to_dot``, ``_repr_html_``, ``__rich__``), but drawing is the trace
layer's job, so the trace layer installs those renderers here when it is
imported (:func:`register_renderer`) and an error only looks them up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    import networkx

__all__ = [
    "FlopscopeError",
    "BudgetExhaustedError",
    "TimeExhaustedError",
    "SymmetryError",
    "UnsupportedDtypeError",
    "ConcretizationError",
    "WeightsFileError",
    "GraphvizNotFoundError",
    "FlopscopeWarning",
    "SymmetryLossWarning",
    "NanInfWarning",
]


#: What each renderer kind is called with, and returns.
_RENDERER_KINDS = {
    "dot": "function(graph, title=..., **options) -> DOT text",
    "html": "function(error) -> HTML fragment (the error's _repr_html_)",
    "rich": "function(error) -> rich renderable (the error's __rich__)",
}
_RENDERERS: dict[str, Callable[..., Any]] = {}


def register_renderer(kind: str, function: Callable[..., Any]) -> None:
    """Install how errors draw themselves (called by the trace layer at import).

    ``kind`` is ``"dot"`` (called as ``function(graph, title=..., **options)``,
    returning DOT text), ``"html"`` (``function(error)``, returning the
    error's notebook display) or ``"rich"`` (``function(error)``, returning
    its terminal display). A later registration replaces an earlier one.
    """
    if kind not in _RENDERER_KINDS:
        expected = ", ".join(sorted(_RENDERER_KINDS))
        raise ValueError(f"unknown renderer kind {kind!r}; expected one of: {expected}")
    if not callable(function):
        raise TypeError(f"the {kind} renderer must be callable, got {type(function).__name__}")
    _RENDERERS[kind] = function


def _renderer(kind: str) -> Callable[..., Any]:
    function = _RENDERERS.get(kind)
    if function is None:  # only while flopscope itself is still being imported
        raise FlopscopeError(f"no {kind} renderer is installed yet (import flopscope first)")
    return function


class FlopscopeError(Exception):
    """Base class of every error flopscope raises deliberately."""

    def __reduce__(self) -> tuple:
        # Errors cross process boundaries (a harness running the budgeted code in a
        # subprocess): rebuild from the message and attributes, not by calling
        # __init__ again, whose parameters differ per class. The trace a refusal
        # carries (for drawing) holds live objects and stays behind.
        state = {k: v for k, v in self.__dict__.items() if k != "_trace"}
        return _restore_error, (type(self), self.args, state)


def _restore_error(cls: type, args: tuple, state: dict) -> BaseException:
    error = cls.__new__(cls)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    if "_trace" not in state and isinstance(error, BudgetExhaustedError):
        error._trace = None
    return error


class BudgetExhaustedError(FlopscopeError):
    """A counted operation would exceed the active FLOP budget.

    Raised *before* the operation runs: the budget, the operation log and every
    array are exactly as they were before the call.

    Attributes
    ----------
    op_name:
        Name of the refused operation (``"einsum"``, ``"linalg.svd"``...).
    flop_cost:
        Weighted cost the operation would have charged.
    analytical_cost:
        Its unweighted (analytical) cost.
    flops_used, flop_budget, flops_remaining:
        The state of the budget at the moment of refusal.
    record:
        The refused call as an :class:`~flopscope.trace.OpRecord` (not in the
        context's log, since it never ran).
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
        trace: Any = None,
    ) -> None:
        self.op_name = op_name
        self.flop_cost = flop_cost
        self.flops_remaining = flops_remaining
        self.flop_budget = flop_budget
        self.flops_used = flops_used
        self.analytical_cost = analytical_cost if analytical_cost is not None else flop_cost
        self.record = record
        self._trace = trace
        where = ""
        if record is not None and record.call_site is not None:
            where = f" at {record.call_site}"
        message = (
            f"{op_name}{where} would cost {flop_cost:,} FLOPs but only "
            f"{flops_remaining:,} remain"
        )
        if flop_budget is not None:
            message += f" (budget {flop_budget:,}, used {flops_used:,})"
        message += "; the operation was not executed."
        super().__init__(message)

    @property
    def graph(self) -> networkx.DiGraph:
        """Data-flow graph of what ran in the context, plus the refused node.

        The refused node carries ``refused=True`` so it can be highlighted.
        """
        if self._trace is None:
            raise FlopscopeError("this error was raised without a trace to draw")
        return self._trace.to_networkx(extra=self.record)

    def to_dot(self, **options: Any) -> str:
        """DOT text of :attr:`graph`, with the refused node highlighted.

        Drawn by :func:`flopscope.trace.dot.graph_to_dot`; ``options`` are its options.
        """
        return _renderer("dot")(self.graph, title=f"overrun at {self.op_name}", **options)

    def _repr_html_(self) -> str:
        """Notebook display (rendered by :func:`flopscope.trace.html.error_html`)."""
        return _renderer("html")(self)

    def __rich__(self) -> Any:
        """Terminal display with ``rich`` (:func:`flopscope.trace.html.error_rich`)."""
        return _renderer("rich")(self)


class TimeExhaustedError(FlopscopeError):
    """The cooperative wall-clock limit of a :class:`~flopscope.BudgetContext` passed.

    Checked before and after each counted call, so a single long NumPy call can
    overshoot the limit by its own duration before this is raised.

    Constructed as ``TimeExhaustedError(op_name, *, elapsed_s, limit_s)`` (the
    form harnesses use to report a limit they enforce themselves). The older
    form with one preformatted message, ``TimeExhaustedError(message)``, is
    still accepted; ``op_name``, ``elapsed_s`` and ``limit_s`` are then
    ``None`` unless given as keywords.

    Attributes
    ----------
    op_name:
        The operation at whose boundary the limit was found passed.
    elapsed_s, limit_s:
        Seconds elapsed in the context, and the context's limit.
    when:
        ``"before"`` or ``"after"`` the operation ran, if known.
    """

    def __init__(
        self,
        op_name: str | None = None,
        *,
        elapsed_s: float | None = None,
        limit_s: float | None = None,
        when: str | None = None,
        trace: Any = None,
    ) -> None:
        if elapsed_s is None and limit_s is None and op_name is not None and " " in op_name:
            # The preformatted-message form: ``TimeExhaustedError("wall-clock limit ...")``.
            message, op_name = op_name, None
        else:
            message = _time_message(op_name, elapsed_s, limit_s, when)
        self.op_name = op_name
        self.elapsed_s = elapsed_s
        self.limit_s = limit_s
        self.when = when
        self._trace = trace  # what ran before the limit passed, for drawing
        super().__init__(message)

    @property
    def graph(self) -> networkx.DiGraph:
        """Data-flow graph of what ran in the context before the limit passed."""
        if self._trace is None:
            raise FlopscopeError("this error was raised without a trace to draw")
        return self._trace.to_networkx()

    def _repr_html_(self) -> str:
        """Notebook display (rendered by :func:`flopscope.trace.html.error_html`)."""
        return _renderer("html")(self)

    def __rich__(self) -> Any:
        """Terminal display with ``rich`` (:func:`flopscope.trace.html.error_rich`)."""
        return _renderer("rich")(self)


def _time_message(
    op_name: str | None, elapsed_s: float | None, limit_s: float | None, when: str | None
) -> str:
    """The text flopscope has always given: ``wall-clock limit of 2s passed (2.013s elapsed) before exp``."""
    limit = "the wall-clock limit" if limit_s is None else f"wall-clock limit of {limit_s:g}s"
    elapsed = "" if elapsed_s is None else f" ({elapsed_s:.3f}s elapsed)"
    at = "" if op_name is None else f" {when or 'at'} {op_name}"
    return f"{limit} passed{elapsed}{at}"


class SymmetryError(FlopscopeError, ValueError):
    """An array does not have the symmetry it was declared to have."""


class UnsupportedDtypeError(FlopscopeError, TypeError):
    """A counted operation was asked to work on object, string or void data.

    Arithmetic on such arrays runs arbitrary Python per element, which no
    analytical formula can count, so counted operations refuse it.
    """


class ConcretizationError(FlopscopeError, TypeError):
    """An abstract (planned) array was asked for a concrete value.

    Raised by :func:`flopscope.plan` when the planned function needs data it
    cannot have: ``bool(x)``, ``float(x)``, ``x.item()``, data-dependent
    indexing or branching.
    """


class WeightsFileError(FlopscopeError, ValueError):
    """A weights file could not be read: not JSON, missing keys, bad values."""


class GraphvizNotFoundError(FlopscopeError, FileNotFoundError):
    """The Graphviz ``dot`` program, needed to render SVG/PNG/PDF, is not installed."""


class FlopscopeWarning(UserWarning):
    """Base class of flopscope's warnings."""


class SymmetryLossWarning(FlopscopeWarning):
    """An operation dropped symmetry that one of its inputs declared."""


class NanInfWarning(FlopscopeWarning):
    """A counted call produced NaN or infinity (``flops.configure(check_nan_inf=True)``)."""
