"""Measurement modes: what "the cost of one call" is measured in.

Every meter has ``measure(call, reset=None) -> float``, the cost of one call
of ``call`` in the meter's unit:

=============  ==============================  =====================================
mode           unit                            module
=============  ==============================  =====================================
``timing``     seconds                         :mod:`calibration.meters.timing`
``perf``       FP operations or instructions   :mod:`calibration.meters.perf`
``callgrind``  instructions (Ir)               :mod:`calibration.meters.callgrind`
=============  ==============================  =====================================

Which mode a run uses, and why, is decided by :mod:`calibration.modes`; the
worker builds its meter from the mode's JSON description with
:func:`build_meter`.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Protocol

from calibration.meters.counters import DifferentialMeter
from calibration.meters.timing import TimingMeter

__all__ = ["Meter", "build_meter"]


class Meter(Protocol):
    """Measures the cost of one call."""

    name: str
    unit: str

    def measure(self, call: Callable[[], Any], reset: Callable[[], Any] | None = None) -> float:
        ...


def build_meter(mode: dict[str, Any]) -> Meter:
    """The meter described by ``mode`` (``{"name": ..., options...}``, from the parent)."""
    name = mode["name"]
    if name == "timing":
        return TimingMeter(min_time=float(mode.get("min_time", 0.005)),
                           samples=int(mode.get("samples", 5)),
                           warmup=int(mode.get("warmup", 2)),
                           max_call=float(mode.get("max_call", 0.1)))
    if name == "perf":
        from calibration.meters.perf import EventSpec, PerfCounter

        events = [EventSpec(**event) for event in mode["events"]]
        unit = "FP operations" if mode.get("simd_weighted") else "instructions"
        return DifferentialMeter(PerfCounter(events), name="perf", unit=unit)
    if name == "callgrind":
        from calibration.meters.callgrind import OUT_TEMPLATE_ENV, CallgrindCounter

        template = os.environ.get(OUT_TEMPLATE_ENV, "")
        if not template:
            raise RuntimeError(f"callgrind mode: {OUT_TEMPLATE_ENV} is not set")
        counter = CallgrindCounter(template.replace("%p", str(os.getpid())))
        return DifferentialMeter(counter, name="callgrind", unit="instructions")
    raise ValueError(f"unknown measurement mode {name!r}")
