"""Relaying warnings raised while serving a request back to the client that made it.

A warning raised by a session's call (the 90% budget warning, a
``SymmetryLossWarning``, NumPy's ``RuntimeWarning`` for a division by zero)
belongs to that session's client, which re-issues it locally so its own
warning filters decide what to show. :func:`install` routes every warning
through :func:`warnings.showwarning` (the server's filter is "always"; the
client's filters do the de-duplication) to the list of the request being
served, which :func:`capture` sets per request. Warnings raised outside any
request are logged.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flopscope.server.protocol import warning_payload

__all__ = ["install", "capture"]

_CAPTURED: ContextVar[list[dict] | None] = ContextVar("flopscope_server_warnings", default=None)
_MAX_PER_REQUEST = 100
_log = logging.getLogger("flopscope.server")


def _showwarning(
    message: Any,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    captured = _CAPTURED.get()
    if captured is None:
        _log.warning("%s:%s: %s: %s", filename, lineno, category.__name__, message)
    elif len(captured) < _MAX_PER_REQUEST:
        captured.append(warning_payload(message, category))


def install() -> None:
    """Send every warning of this process to the request being served (call once, at start-up)."""
    warnings.simplefilter("always")
    warnings.showwarning = _showwarning


@contextmanager
def capture() -> Iterator[list[dict]]:
    """Collect the warnings raised in this context (a request being served)."""
    captured: list[dict] = []
    token = _CAPTURED.set(captured)
    try:
        yield captured
    finally:
        _CAPTURED.reset(token)
