"""Per-session state for NumPy's legacy global random generator.

``fnp.random.seed``, ``fnp.random.randn`` and the other legacy functions draw
from NumPy's one process-wide ``RandomState``, exactly as NumPy does, so that
results are bit-identical to NumPy's. On a server that state would be shared
by every session: one client's ``seed(0)`` would change another's draws.

:class:`SessionRandomState` keeps each session's own generator state and
swaps it into NumPy's global generator for the duration of each legacy
random call, under one process-wide lock. Draws therefore depend only on the
session's own calls, and equal what the same calls give in-process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["SessionRandomState"]

#: Serializes every use of NumPy's global RandomState by the server.
_GLOBAL_RNG_LOCK = threading.Lock()


class SessionRandomState:
    """One session's legacy random state (initially seeded from fresh OS entropy)."""

    __slots__ = ("_state",)

    def __init__(self) -> None:
        self._state: Any = np.random.RandomState().get_state()

    def run(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` with this session's state as NumPy's global random state."""
        with _GLOBAL_RNG_LOCK:
            np.random.set_state(self._state)
            try:
                return fn()
            finally:
                self._state = np.random.get_state()
