"""Cost of ``pad``: free data movement, except the modes that compute.

``constant``, ``edge``, ``reflect``, ``symmetric``, ``wrap`` and ``empty`` only
copy values, like the other free operations: 0 FLOPs. The statistic modes
compute, per padded axis, one statistic over each 1-D line of the array
along that axis:

* ``maximum``, ``minimum``, ``mean``: a reduction over ``stat_length``
  values (the whole axis by default) for each side that is padded, i.e.
  ``stat_length`` FLOPs per line per padded side;
* ``median``: a selection over the same values, charged 3·stat_length
  (introselect's expected comparisons, :mod:`flopscope.cost.selection`);
* ``linear_ramp``: one multiply-add per padded element.

Axes are padded one after another, so the lines of a later axis include the
padding already added along earlier axes, as NumPy does it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from flopscope.cost._shapes import numel, shape_of

__all__ = ["pad_cost", "pad_call_cost", "pad_widths"]

FREE_MODES = frozenset({"constant", "edge", "reflect", "symmetric", "wrap", "empty"})
STAT_MODES = {"maximum": 1, "minimum": 1, "mean": 1, "median": 3}


def pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``pad_width`` broadcast to ``ndim`` (before, after) pairs, as NumPy reads it."""
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (ndim, 2))
    if (widths < 0).any():
        raise ValueError("index can't contain negative values")
    return [(int(a), int(b)) for a, b in widths]


def _stat_lengths(stat_length: Any, ndim: int) -> list[tuple[int | None, int | None]]:
    if stat_length is None:
        return [(None, None)] * ndim
    lengths = np.broadcast_to(np.asarray(stat_length, dtype=np.intp), (ndim, 2))
    return [(int(a), int(b)) for a, b in lengths]


def pad_cost(
    shape: Sequence[int], pad_width: Any, mode: str = "constant", stat_length: Any = None
) -> int:
    """Analytical FLOPs of ``numpy.pad`` on an array of ``shape``.

    >>> pad_cost((4, 5), 1)            # constant: a copy
    0
    >>> pad_cost((4,), (2, 3), "mean")  # mean of 4 values for each side
    8
    """
    shape = list(shape)
    if mode in FREE_MODES:
        return 0
    widths = pad_widths(pad_width, len(shape))
    total = 0
    if mode == "linear_ramp":
        padded = [d + a + b for d, (a, b) in zip(shape, widths)]
        return numel(padded) - numel(shape)
    if mode not in STAT_MODES:
        raise ValueError(f"mode {mode!r} is not supported")
    factor = STAT_MODES[mode]
    for axis, ((before, after), (len_before, len_after)) in enumerate(
        zip(widths, _stat_lengths(stat_length, len(shape)))
    ):
        n = shape[axis]
        lines = numel(shape) // n if n else 0
        for width, length in ((before, len_before), (after, len_after)):
            if width:
                used = n if length is None else min(length, n)
                total += factor * used * lines
        shape[axis] = n + before + after
    return total


def pad_call_cost(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> int:
    """Cost rule of ``pad``; a callable ``mode`` is refused (it runs user code per line)."""
    if callable(mode):
        raise TypeError(
            "flopscope does not support pad with a callable mode: it would run Python on "
            "plain arrays uncounted. Pad with a built-in mode and apply the function with "
            "counted fnp operations."
        )
    return pad_cost(shape_of(array), pad_width, mode, kwargs.get("stat_length"))
