"""Choosing the measurement mode, and saying why.

``--mode auto`` (the default) uses ``perf`` when hardware counters are usable
*and* can be weighted by SIMD width, as the methodology asks; otherwise
``timing``, with the reason perf was not used. Unweighted instruction counts
(the generic ``instructions`` event) are used only on request
(``--mode perf``), and reported as such. ``callgrind`` is never chosen
automatically: it is deterministic but slow (``--mode callgrind``).

Asking for a mode that cannot run here is an error that names the reason; the
suite never measures with counters it has found unusable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MODES", "ModeChoice", "ModeUnavailableError", "choose_mode"]

MODES: tuple[str, ...] = ("auto", "timing", "perf", "callgrind")


class ModeUnavailableError(RuntimeError):
    """The requested measurement mode cannot run on this machine."""


@dataclass(frozen=True)
class ModeChoice:
    """The mode a run uses, the reason, the worker's options and what the probes found."""

    name: str
    reason: str
    options: dict[str, Any] = field(default_factory=dict)
    probes: dict[str, str] = field(default_factory=dict)

    def worker_spec(self) -> dict[str, Any]:
        """The JSON the worker builds its meter from."""
        return {"name": self.name, **self.options}


def choose_mode(requested: str, dtype: str, timing: dict[str, Any]) -> ModeChoice:
    """Decide the mode for ``requested`` (one of :data:`MODES`)."""
    if requested not in MODES:
        raise ValueError(f"unknown mode {requested!r}; choose from {', '.join(MODES)}")
    if requested == "callgrind":
        from calibration.meters import callgrind

        ok, why = callgrind.probe()
        if not ok:
            raise ModeUnavailableError(f"callgrind mode is not available: {why}")
        return ModeChoice("callgrind", f"requested (--mode callgrind); {why}",
                          probes={"callgrind": why})

    from calibration.meters import perf

    found = perf.probe(dtype)
    probes = {"perf": found.reason}
    if requested == "perf":
        if not found.usable:
            raise ModeUnavailableError(f"perf mode is not available: {found.reason}")
        return ModeChoice("perf", f"requested (--mode perf); {found.reason}",
                          found.to_json(), probes)
    if requested == "auto" and found.usable and found.simd_weighted:
        return ModeChoice("perf", f"chosen automatically: {found.reason}", found.to_json(), probes)
    if requested == "timing":
        reason = "requested (--mode timing)"
    elif found.usable:
        reason = (f"perf counters are usable but not SIMD-weighted ({found.description}); "
                  "timing chosen (force with --mode perf)")
    else:
        reason = f"perf not used: {found.reason}"
    return ModeChoice("timing", reason, dict(timing), probes)
