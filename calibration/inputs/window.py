"""Inputs for window functions (``window``): a window of length ``n``.

Windows take no array data, so they run with the single ``fixed`` distribution.
"""

from __future__ import annotations

from calibration.inputs.core import FIXED, Case, InputSpec
from calibration.inputs.ladders import WINDOW

__all__ = ["SPECS"]

_KAISER_BETA = 14.0

SPECS: dict[str, InputSpec] = {
    name: InputSpec(lambda mk: Case((mk.n,)), WINDOW, distributions=FIXED)
    for name in ("bartlett", "blackman", "hamming", "hanning")
}
SPECS["kaiser"] = InputSpec(lambda mk: Case((mk.n, _KAISER_BETA)), WINDOW, distributions=FIXED)
