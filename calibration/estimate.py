"""A rough duration estimate of a run, printed before it starts.

The model: every worker pays a start-up (Python, NumPy, SciPy, flopscope;
several seconds more under valgrind) and its reference measurement; every
sample (op x size x distribution) pays input construction plus what its meter
does with the call. Call durations are guessed per category at the top rung
of its ladder (:data:`TOP_RUNG_SECONDS`) and scaled down tenfold per rung
below. The progress bar refines the estimate from the actual pace.
"""

from __future__ import annotations

from typing import Any

from calibration.inventory import Inventory
from calibration.runner import RunSettings, plan_jobs

__all__ = ["TOP_RUNG_SECONDS", "estimate_seconds", "format_duration"]

#: Guessed duration of one call at the top rung of each category's ladder (seconds, one core).
TOP_RUNG_SECONDS: dict[str, float] = {
    "pointwise": 3e-3, "reductions": 1.5e-3, "linalg": 1.2e-2, "linalg_delegates": 4e-3,
    "fft": 6e-3, "sorting": 2e-2, "random": 6e-3, "polynomial": 6e-3, "contractions": 3e-3,
    "misc": 6e-3, "window": 8e-3, "bitwise": 2e-3, "complex": 6e-3,
}

_WORKER_START = {"timing": 1.8, "perf": 1.8, "callgrind": 12.0}
_SAMPLE_OVERHEAD = {"timing": 0.008, "perf": 0.008, "callgrind": 0.2}
_SLOWDOWN = {"timing": 1.0, "perf": 1.0, "callgrind": 150.0}
_COUNTER_CALLS = 2 + 3 + 2 * (1 + 3)  # probes, warm-up, two rounds of k1 = 1 and k2 = 3 calls


def _call_seconds(category: str, rung: int, rungs: int, divisor: int) -> float:
    top = TOP_RUNG_SECONDS.get(category, 5e-3) / max(divisor, 1)
    return top / 10 ** (rungs - 1 - rung)


def _sample_seconds(mode: str, options: dict[str, Any], call: float) -> float:
    overhead = _SAMPLE_OVERHEAD[mode]
    if mode == "timing":
        min_time = float(options.get("min_time", 0.005))
        samples = int(options.get("samples", 5))
        warmup = int(options.get("warmup", 2))
        return overhead + (warmup + 3) * call + samples * max(min_time, call)
    return overhead + _COUNTER_CALLS * call * _SLOWDOWN[mode]


def estimate_seconds(inventory: Inventory, settings: RunSettings, mode: str,
                     options: dict[str, Any]) -> float:
    """Estimated wall-clock seconds of a run."""
    jobs = plan_jobs(inventory, settings.repeats, settings.chunk_size, settings.seed)
    reference = 6 * _sample_seconds(mode, options, 1e-4)
    total = len(jobs) * (_WORKER_START[mode] + reference)
    for op in inventory.measured:
        sizes = op.spec.sizes(settings.size_divisor)
        for rung in range(len(sizes)):
            call = _call_seconds(op.category, rung, len(sizes), settings.size_divisor)
            total += (settings.repeats * len(op.spec.distributions)
                      * _sample_seconds(mode, options, call))
    return total


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"14 min 30 s"``, ``"4 h 08 min"``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
