"""Counter modes (``perf``, ``callgrind``): events per call by differencing two loops.

A counted region always includes a constant: entering and leaving the region,
the Python loop around the calls. Running the op ``k1`` and then ``k2`` times
and dividing the difference of the two counts by ``k2 - k1`` cancels every
such constant and leaves the cost of one call.

What does not cancel is warm-up: lazy initialisation on a first call, and
CPython's adaptive interpreter, which rewrites the bytecode of the loop and
the call while they run their first few times. So warm-up calls run first,
the garbage collector is paused, and the differential estimate is repeated
until two consecutive estimates agree within ``tolerance`` (at most
``max_rounds`` rounds; the median of the rounds is taken).
"""

from __future__ import annotations

import gc
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Protocol

__all__ = ["RegionCounter", "DifferentialMeter"]

Call = Callable[[], Any]


class RegionCounter(Protocol):
    """Counts events (instructions, FP operations) while a function runs."""

    def count(self, region: Call, label: str) -> float:
        """Events counted while ``region()`` runs; ``label`` names the region."""
        ...


def _repeat(call: Call, reset: Call | None, k: int) -> Call:
    if reset is None:
        def region() -> None:
            for _ in range(k):
                call()
    else:
        def region() -> None:
            for _ in range(k):
                reset()
                call()
    return region


@dataclass
class DifferentialMeter:
    """Events per call from ``(count(k2 calls) - count(k1 calls)) / (k2 - k1)``."""

    counter: RegionCounter
    name: str
    unit: str
    k1: int = 1
    k2: int = 3
    warmup: int = 3
    tolerance: float = 0.01
    max_rounds: int = 4

    def __post_init__(self) -> None:
        if not 0 < self.k1 < self.k2:
            raise ValueError(f"need 0 < k1 < k2, got k1={self.k1}, k2={self.k2}")

    def _round(self, call: Call, reset: Call | None) -> float:
        low = self.counter.count(_repeat(call, reset, self.k1), f"k={self.k1}")
        high = self.counter.count(_repeat(call, reset, self.k2), f"k={self.k2}")
        return (high - low) / (self.k2 - self.k1)

    def _per_call(self, call: Call, reset: Call | None) -> float:
        rounds = [self._round(call, reset)]
        while len(rounds) < self.max_rounds:
            rounds.append(self._round(call, reset))
            previous, latest = rounds[-2], rounds[-1]
            if abs(latest - previous) <= self.tolerance * max(abs(latest), 1.0):
                return latest
        return statistics.median(rounds[1:])

    def measure(self, call: Call, reset: Call | None = None) -> float:
        """Events per call of ``call`` (net of ``reset``)."""
        for _ in range(self.warmup):
            if reset is not None:
                reset()
            call()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            per_call = self._per_call(call, reset)
            if reset is not None:
                per_call -= self._per_call(reset, None)
        finally:
            if was_enabled:
                gc.enable()
        return max(per_call, 0.0)
