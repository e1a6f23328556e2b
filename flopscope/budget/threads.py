"""Threads are charged to the explicit context that was open when they started.

SPEC.md section 4: work in a thread that has no explicit context of its own,
started while an explicit context is open, is charged to that context. A
:class:`contextvars.ContextVar` alone cannot say this (a new thread starts
with an empty context), so on import this module wraps two standard-library
entry points, once per process:

* :meth:`threading.Thread.start` records on the thread object the context
  charged where ``start()`` is called (and the namespace in effect). The
  thread's first counted call finds it (:func:`inherited_context`) and is
  charged there. This covers plain threads, ``threading.Timer`` and the
  workers of any pool built on ``threading``.
* :meth:`concurrent.futures.ThreadPoolExecutor.submit` (also behind ``map``
  and ``loop.run_in_executor``) runs each task charged to the context of the
  code that *submitted* it, not to whatever the worker inherited when it was
  spawned: a pool created before a context is opened still charges work
  submitted inside it, and work submitted outside any explicit context runs on
  the worker's own default context.

``asyncio.to_thread`` needs nothing: it copies the caller's contextvars.

Edge cases, documented in docs/budgets.md and tested in
tests/test_concurrency.py:

* a thread that outlives the ``with`` block keeps being charged to that
  context (the budget still refuses an overrun; the session ledger sees the
  late charges);
* a thread may open its own explicit context, which replaces the inherited
  one in that thread until it exits (``asyncio.to_thread`` is different: it
  carries the caller's contextvars, so opening a context there is nesting);
* threads created outside :mod:`threading` (``_thread.start_new_thread``, C
  extensions) and other processes are not covered: they run on their own
  default context (threads) or are not counted at all (processes).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from flopscope.budget.context import BudgetContext

__all__ = ["inherited_context", "charged_here", "install"]

#: Attribute set on a Thread object: ``(context, namespace)`` charged at start().
_ATTR = "_flopscope_charged_to"


def inherited_context() -> tuple[BudgetContext, str | None] | None:
    """``(context, namespace)`` the current thread was started under, if any."""
    return getattr(threading.current_thread(), _ATTR, None)


def charged_here() -> tuple[BudgetContext, str | None] | None:
    """The explicit context work at this point is charged to, with its namespace; or None."""
    from flopscope.budget.context import ACTIVE, NAMESPACE

    ctx = ACTIVE.get()
    if ctx is None:
        return inherited_context()
    return (ctx, NAMESPACE.get()) if ctx._explicit else None


class _ChargedTask:
    """A pool task that runs charged to the submitter's context (or the worker's own default)."""

    __slots__ = ("charged", "fn")

    def __init__(self, charged: tuple[BudgetContext, str | None] | None, fn: Callable[..., Any]):
        self.charged = charged
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from flopscope.budget.context import ACTIVE, INHERITED, NAMESPACE, own_default_context

        if self.charged is None:
            ctx, namespace = own_default_context(), None
        else:
            ctx, namespace = self.charged
        active_token = ACTIVE.set(ctx)
        inherited_token = INHERITED.set(self.charged is not None)
        ns_token = NAMESPACE.set(namespace)
        try:
            return self.fn(*args, **kwargs)
        finally:
            NAMESPACE.reset(ns_token)
            INHERITED.reset(inherited_token)
            ACTIVE.reset(active_token)


def install() -> None:
    """Wrap ``Thread.start`` and ``ThreadPoolExecutor.submit`` (idempotent)."""
    if getattr(threading.Thread.start, "_flopscope", False):
        return
    original_start = threading.Thread.start
    original_submit = ThreadPoolExecutor.submit

    def start(self: threading.Thread) -> None:
        charged = charged_here()
        if charged is not None:
            setattr(self, _ATTR, charged)
        original_start(self)

    def submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return original_submit(self, _ChargedTask(charged_here(), fn), *args, **kwargs)

    start.__doc__ = original_start.__doc__
    submit.__doc__ = original_submit.__doc__
    start._flopscope = True  # type: ignore[attr-defined]
    threading.Thread.start = start  # type: ignore[method-assign]
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]


install()
