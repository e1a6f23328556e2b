"""Timing mode: wall-clock cost per call, with warm-up and loop calibration.

The cost of one call is measured as the best (minimum) of ``samples`` timed
loops of ``k`` calls each, ``k`` chosen so a loop lasts at least ``min_time``
seconds. The minimum is the estimate least disturbed by other processes: noise
on a shared machine only ever adds time. ``warmup`` untimed calls run first
(page faults, lazy initialisation, caches, branch predictors). The garbage
collector is paused while timing.

Slow ops do not climb their whole size ladder: a size whose calls would take
more than ``max_call`` seconds (extrapolated from the size below) is not
measured. This keeps a few slow functions (SciPy's ``truncnorm`` on a million
points) from taking minutes of the run; calls that long carry no fixed cost
worth a second size.

When a case has a ``reset`` (an in-place op that must start from the same
input every call), loops of ``reset(); call()`` and of ``reset()`` alone are
timed and the difference is the call's cost.
"""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["TimingMeter"]

Call = Callable[[], Any]


def _loop(call: Call, reset: Call | None, k: int) -> float:
    """Seconds for ``k`` calls (each preceded by ``reset`` if given)."""
    clock = time.perf_counter
    if reset is None:
        start = clock()
        for _ in range(k):
            call()
        return clock() - start
    start = clock()
    for _ in range(k):
        reset()
        call()
    return clock() - start


@dataclass(frozen=True)
class TimingMeter:
    """Wall-clock seconds per call.

    Attributes
    ----------
    min_time:
        Minimum duration of one timed loop, seconds.
    samples:
        Timed loops per measurement; the fastest counts.
    warmup:
        Untimed calls before timing.
    max_loop:
        Upper bound on calls per loop.
    max_call:
        Seconds per call above which larger sizes are not measured (see above).
    """

    min_time: float = 0.005
    samples: int = 5
    warmup: int = 2
    max_loop: int = 1_000_000
    max_call: float = 0.1

    name = "timing"
    unit = "seconds"

    def _calls_per_loop(self, call: Call, reset: Call | None) -> int:
        one = _loop(call, reset, 1)
        if one <= 0.0:
            return self.max_loop
        return max(1, min(self.max_loop, math.ceil(self.min_time / one)))

    def _best(self, call: Call, reset: Call | None, k: int) -> float:
        return min(_loop(call, reset, k) for _ in range(self.samples)) / k

    def measure(self, call: Call, reset: Call | None = None) -> float:
        """Seconds per call of ``call`` (net of ``reset``)."""
        for _ in range(self.warmup):
            if reset is not None:
                reset()
            call()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            k = self._calls_per_loop(call, reset)
            per_call = self._best(call, reset, k)
            if reset is not None:
                per_call -= self._best(reset, None, k)
        finally:
            if was_enabled:
                gc.enable()
        return max(per_call, 0.0)
