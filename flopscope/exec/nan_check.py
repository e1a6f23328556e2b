"""``flops.configure(check_nan_inf=True)``: warn when a counted call produces NaN or infinity.

Off by default (it reads every element of every result). When on, the eager
executor calls :func:`check_nan_inf` after each counted call; its time is
part of the call's ``flopscope_overhead_time_s``. The warning is a
:class:`~flopscope.errors.NanInfWarning` (a :class:`~flopscope.errors.FlopscopeWarning`)
naming the op, the user's call site and what appeared, so it can be filtered
or turned into an error with the :mod:`warnings` machinery.
"""

from __future__ import annotations

import warnings
from types import CodeType
from typing import Any

import numpy as np

from flopscope.errors import NanInfWarning
from flopscope.trace.callsite import line_of

__all__ = ["check_nan_inf", "nonfinite_kinds"]


def nonfinite_kinds(values: Any) -> list[str]:
    """Which of ``"NaN"``, ``"+inf"``, ``"-inf"`` appear in ``values`` (inexact arrays only)."""
    found: list[str] = []
    arrays = values if isinstance(values, (tuple, list)) else (values,)
    for value in arrays:
        if not isinstance(value, (np.ndarray, np.generic)):
            continue
        x = np.asarray(value).view(np.ndarray) if isinstance(value, np.ndarray) else np.asarray(value)
        if x.dtype.kind not in "fc" or x.size == 0:
            continue
        parts = (x.real, x.imag) if x.dtype.kind == "c" else (x,)
        for part in parts:
            if "NaN" not in found and np.isnan(part).any():
                found.append("NaN")
            if "+inf" not in found and np.isposinf(part).any():
                found.append("+inf")
            if "-inf" not in found and np.isneginf(part).any():
                found.append("-inf")
    return found


def check_nan_inf(op_name: str, result: Any, code: CodeType | None, lasti: int) -> None:
    """Warn (:class:`NanInfWarning`) if ``result`` holds NaN or infinities."""
    found = nonfinite_kinds(result)
    if not found:
        return
    if code is not None:
        filename, lineno = code.co_filename, line_of(code, lasti)
        where = f" at {filename}:{lineno} in {code.co_name}"
    else:
        filename, lineno, where = "<unknown>", 0, ""
    # module/registry left to their defaults: an explicit module=None makes
    # CPython drop the warning.
    warnings.warn_explicit(
        f"flopscope: {op_name}{where} produced {', '.join(found)}", NanInfWarning, filename, lineno
    )
