"""Tracing: every counted call becomes a node of a data-flow cost graph.

* :mod:`~flopscope.trace.record` — :class:`OpRecord`, one counted call, and the
  compact row layout executors append on the hot path;
* :mod:`~flopscope.trace.trace` — :class:`Trace`, the append-only store with a
  capped detailed log, readable as a :class:`networkx.DiGraph`;
* :mod:`~flopscope.trace.callsite` — finding the user's line behind a call;
* :mod:`~flopscope.trace.dot` — DOT / SVG rendering of cost graphs.
"""

from __future__ import annotations

from flopscope.trace.record import CallSite, OpRecord
from flopscope.trace.trace import Aggregate, Trace

__all__ = ["CallSite", "OpRecord", "Trace", "Aggregate"]
