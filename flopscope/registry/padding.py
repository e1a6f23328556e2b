"""``pad``: free for the copying modes, counted for the modes that compute (see cost)."""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import shape_of
from flopscope.cost.padding import pad_call_cost, pad_widths
from flopscope.exec.shapes import ArraySpec, spec_of
from flopscope.registry._core import Category, OpDef, register

__all__ = ["register_all"]


def _pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    if callable(mode):
        pad_call_cost(array, pad_width, mode)  # raises the explanatory TypeError
    return np.pad(array, pad_width, mode, **kwargs)


_pad.__doc__ = np.pad.__doc__


def _pad_shape(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> ArraySpec:
    spec = spec_of(array)
    widths = pad_widths(pad_width, len(shape_of(array)))
    return ArraySpec(tuple(d + a + b for d, (a, b) in zip(spec.shape, widths)), spec.dtype)


def register_all() -> None:
    register(OpDef(
        "pad", Category.CUSTOM, "numpy", "pad", impl=_pad, cost=pad_call_cost, shape=_pad_shape,
        formula="0 for copying modes; per padded side stat_length·lines (median ×3); "
                "linear_ramp: padded elements",
        numpy_func=np.pad,
        notes="constant/edge/reflect/symmetric/wrap/empty copy values (free); maximum, "
              "minimum, mean, median compute a statistic per line; a callable mode is refused.",
    ))
