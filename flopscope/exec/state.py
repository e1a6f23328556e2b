"""Interpreter selection: which executor handles a call.

A call is executed eagerly unless a plan is being traced in the current
thread / task, in which case :data:`PLANNING` holds the tracing
:class:`~flopscope.exec.dry.Planner` and every registry callable diverts to
the dry executor. One context-variable read per call decides.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["PLANNING"]

#: The active planner while :func:`flopscope.plan` traces a function, else None.
PLANNING: ContextVar[Any] = ContextVar("flopscope_planning", default=None)
