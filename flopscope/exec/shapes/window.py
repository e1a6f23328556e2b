"""Shape rules of the window functions: one sample per point NumPy generates.

``window_length`` (shared with the cost rules) reproduces NumPy's sample
count, including float ``M``; the dtype is that of ``numpy.array([0.0, M])``,
which NumPy uses for the computation (float64 unless M is, say, a
``longdouble``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost.window import window_length
from flopscope.exec.shapes import ArraySpec

__all__ = ["window_shape", "kaiser_shape"]


def window_shape(M: Any) -> ArraySpec:
    """``bartlett`` / ``blackman`` / ``hamming`` / ``hanning``."""
    return ArraySpec((window_length(M),), np.array([0.0, M]).dtype)


def kaiser_shape(M: Any, beta: Any) -> ArraySpec:
    """``kaiser``."""
    return ArraySpec((window_length(M, kaiser=True),), np.array([0.0, M, beta]).dtype)
