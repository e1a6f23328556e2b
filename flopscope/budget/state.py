"""What this thread or task is doing, in one context variable read once per counted call.

Four things decide how a counted call is handled and recorded: the active
budget context, the namespace path, the planner tracing a
:func:`flopscope.plan` (if any), and whether the active context was only
inherited (a thread charged to the context it was started in). They live
together in one tuple in one :class:`contextvars.ContextVar`, :data:`STATE`,
so threads and asyncio tasks never see each other's, and the hot path reads
all four with a single ``STATE.get()`` (a context-variable read costs several
times a tuple subscript, and a counted call used to make three).

Code that sets or reads one of them uses its :class:`StateField`
(:data:`ACTIVE`, :data:`NAMESPACE`, :data:`PLANNING`, :data:`INHERITED`),
which offers a context variable's ``get`` / ``set`` / ``reset``. A field's
``set`` replaces the whole tuple, so its token's ``reset`` restores all four
as they were before it: the same as resetting that one field whenever sets
and resets nest, which they always do here (each comes from a ``with``
block or a ``try``/``finally``). The one set that is never reset, a thread's
default context made active on its first counted call
(:func:`flopscope.budget.context.default_context`), may therefore be undone
by the end of an enclosing block; the next call makes it active again (the
same context object: it is kept per thread).
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any, Generic, TypeVar

__all__ = ["STATE", "S_CONTEXT", "S_NAMESPACE", "S_PLANNER", "S_INHERITED", "StateField",
           "ACTIVE", "NAMESPACE", "PLANNING", "INHERITED"]

#: Positions in a :data:`STATE` tuple.
S_CONTEXT, S_NAMESPACE, S_PLANNER, S_INHERITED = range(4)

#: (active BudgetContext or None, namespace path or None, Planner or None, inherited?)
STATE: ContextVar[tuple[Any, str | None, Any, bool]] = ContextVar(
    "flopscope_state", default=(None, None, None, False))

T = TypeVar("T")


class StateField(Generic[T]):
    """One position of :data:`STATE`, with a :class:`~contextvars.ContextVar`'s interface."""

    __slots__ = ("name", "index")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index

    def get(self) -> T:
        """The field's value in this thread / task."""
        return STATE.get()[self.index]

    def set(self, value: T) -> Token:
        """Set the field; ``reset`` with the token restores the state before this call."""
        state = STATE.get()
        i = self.index
        return STATE.set((*state[:i], value, *state[i + 1:]))

    def reset(self, token: Token) -> None:
        """Restore the state as it was before the ``set`` that returned ``token``."""
        STATE.reset(token)

    def __repr__(self) -> str:
        return f"<StateField {self.name}={self.get()!r}>"


#: The explicit context entered in this thread / task, or the thread's default.
ACTIVE: StateField[Any] = StateField("active", S_CONTEXT)
#: The dotted namespace path in effect, or None.
NAMESPACE: StateField[str | None] = StateField("namespace", S_NAMESPACE)
#: The planner while :func:`flopscope.plan` traces a function, else None.
PLANNING: StateField[Any] = StateField("planning", S_PLANNER)
#: True where ACTIVE holds a context this thread was only *charged to* (started
#: inside it, or running a pool task submitted inside it) rather than one
#: entered with ``with`` in this flow of control: such a context may be
#: replaced by the thread's own explicit context.
INHERITED: StateField[bool] = StateField("inherited", S_INHERITED)
