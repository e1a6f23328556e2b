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
``reset`` restores that field alone, whatever was set since: leaving a
namespace block must never undo a budget context entered inside it (were
blocks left out of order by hand, a whole-state restore would let the
calls that follow escape that context's budget).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Generic, TypeVar

__all__ = ["STATE", "S_CONTEXT", "S_NAMESPACE", "S_PLANNER", "S_INHERITED", "StateField",
           "FieldToken", "ACTIVE", "NAMESPACE", "PLANNING", "INHERITED"]

#: Positions in a :data:`STATE` tuple.
S_CONTEXT, S_NAMESPACE, S_PLANNER, S_INHERITED = range(4)

#: (active BudgetContext or None, namespace path or None, Planner or None, inherited?)
STATE: ContextVar[tuple[Any, str | None, Any, bool]] = ContextVar(
    "flopscope_state", default=(None, None, None, False))

T = TypeVar("T")


class FieldToken:
    """What :meth:`StateField.set` returns: the field's previous value, for one ``reset``."""

    __slots__ = ("index", "old_value", "used")

    def __init__(self, index: int, old_value: Any) -> None:
        self.index = index
        self.old_value = old_value
        self.used = False

    def __repr__(self) -> str:
        return f"<FieldToken {self.index} old={self.old_value!r}{' used' if self.used else ''}>"


class StateField(Generic[T]):
    """One position of :data:`STATE`, with a :class:`~contextvars.ContextVar`'s interface."""

    __slots__ = ("name", "index")

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index

    def get(self) -> T:
        """The field's value in this thread / task."""
        return STATE.get()[self.index]

    def set(self, value: T) -> FieldToken:
        """Set the field; ``reset`` with the token puts its previous value back."""
        state = STATE.get()
        i = self.index
        STATE.set((*state[:i], value, *state[i + 1:]))
        return FieldToken(i, state[i])

    def reset(self, token: FieldToken) -> None:
        """Put back the value this field had before the ``set`` that returned ``token``.

        Only this field: the others keep what was set since. One step, so no
        signal handler can see a state in between. A token is good for one
        reset, of the field that made it (RuntimeError / ValueError otherwise).
        """
        if token.index != self.index:
            raise ValueError(f"{token!r} was made by another field than {self.name}")
        if token.used:
            raise RuntimeError(f"{token!r} has already been used once")
        token.used = True
        state = STATE.get()
        i = self.index
        STATE.set((*state[:i], token.old_value, *state[i + 1:]))

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
