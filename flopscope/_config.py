"""Process-wide settings, changed with :func:`flopscope.configure`.

Settings are read on the dispatch hot path as plain attributes of one object,
:data:`SETTINGS`, so changing them is immediate and reading them is cheap.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields
from typing import Any

__all__ = [
    "Settings", "SETTINGS", "configure", "parse_flop_count", "default_budget", "MAX_FLOP_BUDGET",
]

DEFAULT_BUDGET = 10**15
#: Largest budget a context accepts: 2**63 - 1 FLOPs (about 9.2e18), so every
#: figure a budget reports fits a signed 64-bit integer.
MAX_FLOP_BUDGET = 2**63 - 1


@dataclass
class Settings:
    """flopscope's process-wide settings.

    Attributes
    ----------
    max_log_records:
        How many calls a budget context (or plan) keeps in full detail, as
        :class:`~flopscope.trace.OpRecord` rows and graph nodes. Calls past the
        cap are still charged exactly and aggregated per (operation, namespace,
        call site), so totals and summaries stay exact while memory stays
        bounded in long runs. ``None`` keeps everything.
    symmetry_warnings:
        Emit :class:`~flopscope.errors.SymmetryLossWarning` when an operation
        drops declared symmetry.
    check_nan_inf:
        After each counted call, warn when its result holds NaN or infinity.
        Off by default: it costs a pass over every result.
    """

    max_log_records: int | None = 100_000
    symmetry_warnings: bool = True
    check_nan_inf: bool = False


SETTINGS = Settings()


def configure(**options: Any) -> dict[str, Any]:
    """Change process-wide settings; returns the previous values of those changed.

    >>> import flopscope as flops
    >>> old = flops.configure(max_log_records=1000)
    >>> _ = flops.configure(**old)  # restore

    Unknown option names raise ``TypeError``; bad values raise ``ValueError``.
    """
    known = {f.name for f in fields(Settings)}
    previous: dict[str, Any] = {}
    for name, value in options.items():
        if name not in known:
            raise TypeError(f"configure() got an unknown option {name!r}; known: {sorted(known)}")
        if name == "max_log_records" and value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"max_log_records must be a non-negative int or None, got {value!r}")
        if name in ("symmetry_warnings", "check_nan_inf") and not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    for name, value in options.items():
        previous[name] = getattr(SETTINGS, name)
        setattr(SETTINGS, name, value)
    return previous


def parse_flop_count(value: object, what: str) -> int:
    """Validate a FLOP count given by a user (a budget) and return it as an int.

    Accepts ints and integral floats such as ``1e8``; rejects bools, NaN,
    infinities, fractions and non-positive values with a message naming
    ``what``.
    """
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number of FLOPs, got {value!r}")
    if isinstance(value, int):
        count = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite, got {value!r}")
        if value != int(value):
            raise ValueError(f"{what} must be a whole number of FLOPs, got {value!r}")
        count = int(value)
    else:
        try:
            import numbers

            if isinstance(value, numbers.Integral):
                count = int(value)
            elif isinstance(value, numbers.Real):
                return parse_flop_count(float(value), what)
            else:
                raise TypeError
        except TypeError:
            raise TypeError(f"{what} must be a number of FLOPs, got {type(value).__name__}") from None
    if count <= 0:
        raise ValueError(f"{what} must be positive, got {value!r}")
    return count


def default_budget() -> int:
    """Budget of the global default context: ``FLOPSCOPE_DEFAULT_BUDGET`` or 1e15."""
    raw = os.environ.get("FLOPSCOPE_DEFAULT_BUDGET", "").strip()
    if not raw:
        return DEFAULT_BUDGET
    try:
        number: object = int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(
                f"FLOPSCOPE_DEFAULT_BUDGET must be a number such as 1e15, got {raw!r}"
            ) from None
    return parse_flop_count(number, "FLOPSCOPE_DEFAULT_BUDGET")
