"""Bounding the CPU time of one request: a watchdog that interrupts overlong requests.

Python cannot stop a thread from outside, but it can *raise an exception in
it*: ``PyThreadState_SetAsyncExc`` makes the target thread raise
:class:`RequestCPULimitError` at its next bytecode. A watchdog thread reads
each running request's thread CPU clock (``time.pthread_getcpuclockid``)
every :data:`POLL_S` seconds and interrupts requests past the limit with
:class:`CPULimitInterrupt`, a ``BaseException`` so that no ``except
Exception`` on the way (a library falling back after an error) swallows it;
it is raised again for every further ``limit`` seconds a request keeps
running. The server turns it into a :class:`RequestCPULimitError` reply;
whatever the library had charged before the interruption stays charged and
in the session's ledger.

Limits of the mechanism (written in ``docs/remote.md``): the exception is
raised when the thread next runs Python bytecode, so a single long NumPy
kernel finishes first (those are bounded by the FLOP budget, which is
checked before they start); the check runs every :data:`POLL_S` seconds,
so a request may overrun its limit by about that much.
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass, field

__all__ = ["RequestCPULimitError", "CPULimitInterrupt", "Watchdog", "POLL_S"]

#: Seconds between two looks at the running requests' CPU clocks.
POLL_S = 0.05

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int
_NULL = ctypes.py_object()  # "no exception": clears one still pending


class RequestCPULimitError(RuntimeError):
    """A request used more CPU time than the server allows one request (the client's error)."""


class CPULimitInterrupt(BaseException):
    """Raised inside a request's thread by the watchdog (never sent as such)."""


@dataclass
class _Running:
    clock: int
    started: float
    label: str
    interrupted: int = field(default=0)


class Watchdog:
    """Interrupts requests that use more than ``limit_s`` CPU seconds (see the module docstring)."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="flopscope-watchdog", daemon=True)
        self.interrupted = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def begin(self, label: str) -> None:
        """The calling thread starts serving a request (``label`` names it in errors)."""
        ident = threading.get_ident()
        clock = time.pthread_getcpuclockid(ident)
        with self._lock:
            self._running[ident] = _Running(clock, time.clock_gettime(clock), label)

    def end(self) -> None:
        """The calling thread is done with its request; an interruption not yet raised is voided."""
        ident = threading.get_ident()
        with self._lock:
            entry = self._running.pop(ident, None)
            if entry is not None and entry.interrupted:
                _set_async_exc(ident, _NULL)  # clears an interruption not yet raised

    def _watch(self) -> None:
        while not self._stop.wait(POLL_S):
            with self._lock:
                for ident, entry in self._running.items():
                    try:
                        used = time.clock_gettime(entry.clock) - entry.started
                    except OSError:  # the thread is gone
                        continue
                    if used > self.limit_s * (entry.interrupted + 1):
                        entry.interrupted += 1
                        self.interrupted += 1
                        _set_async_exc(ident, CPULimitInterrupt)

    def error(self) -> RequestCPULimitError:
        """The error reported to the client of an interrupted request."""
        return RequestCPULimitError(
            f"the request used more than {self.limit_s:g} CPU seconds, the server's limit per "
            "request, and was interrupted (FLOPs counted before the interruption stay charged)"
        )
