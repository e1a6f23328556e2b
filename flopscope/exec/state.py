"""Interpreter selection: which executor handles a call.

A call is executed eagerly unless a plan is being traced in the current
thread / task, in which case :data:`PLANNING` holds the tracing
:class:`~flopscope.exec.dry.Planner` and every registry callable diverts to
the dry executor. It is one field of :data:`flopscope.budget.state.STATE`,
which the hot paths read once per call for the planner, the active context
and the namespace together.
"""

from __future__ import annotations

from flopscope.budget.state import PLANNING, S_PLANNER, STATE

__all__ = ["PLANNING", "STATE", "S_PLANNER"]
