"""``numpy.fft``: every public callable, as ``fft.<name>`` entries.

Transforms are counted by :mod:`flopscope.cost.fft` (5n·⌈log2 n⌉ per complex
transform, half that for real ones, row-column sums for n-d ones); the
frequency and shift helpers are free. ``numpy.fft.test`` is blocked.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost import fft as cost
from flopscope.exec.shapes import fft as shapes
from flopscope.registry._core import Category, OpDef, register, register_numpy
from flopscope.registry.free import free_op

__all__ = ["register_all"]

_COMPLEX = "batch·5n·⌈log2 n⌉"
_REAL = "batch·⌈5n·⌈log2 n⌉/2⌉"
_ND = "Σ over axes of lines·(1-D cost); complex: 5N·Σ⌈log2 n_i⌉"
_ND_REAL = "real 1-D transforms on the last axis + complex ones on the half spectrum"

#: (attr, cost rule, shape rule, formula, notes)
_TRANSFORMS: list[tuple[str, Callable[..., int], Callable[..., Any], str, str]] = [
    ("fft", cost.fft_call_cost, shapes.fft_shape, _COMPLEX,
     "Radix-2 Cooley–Tukey count, n the length after n= pads/truncates; ⌈log2 n⌉ for any n."),
    ("ifft", cost.fft_call_cost, shapes.fft_shape, _COMPLEX,
     "As fft; the 1/n normalization is lower order."),
    ("rfft", cost.rfft_call_cost, shapes.rfft_shape, _REAL,
     "Half a complex transform of the real input length n."),
    ("irfft", cost.irfft_call_cost, shapes.irfft_shape, _REAL,
     "Half a complex transform of the real output length n (default 2·(m − 1))."),
    ("hfft", cost.irfft_call_cost, shapes.hfft_shape, _REAL,
     "An irfft of the conjugated input: real output length n."),
    ("ihfft", cost.rfft_call_cost, shapes.ihfft_shape, _REAL,
     "An rfft (conjugated): real input length n."),
    ("fft2", cost.fft2_call_cost, shapes.fft2_shape, _ND, "Row-column: fftn over axes (-2, -1)."),
    ("ifft2", cost.fft2_call_cost, shapes.fft2_shape, _ND, "Row-column: ifftn over axes (-2, -1)."),
    ("fftn", cost.fftn_call_cost, shapes.fftn_shape, _ND,
     "Row-column: the 1-D transforms along each axis times the number of lines along it."),
    ("ifftn", cost.fftn_call_cost, shapes.fftn_shape, _ND, "As fftn."),
    ("rfft2", cost.rfft2_call_cost, shapes.rfft2_shape, _ND_REAL, "rfftn over axes (-2, -1)."),
    ("irfft2", cost.irfft2_call_cost, shapes.irfft2_shape, _ND_REAL, "irfftn over axes (-2, -1)."),
    ("rfftn", cost.rfftn_call_cost, shapes.rfftn_shape, _ND_REAL,
     "A real transform along the last axis, complex ones along the others."),
    ("irfftn", cost.irfftn_call_cost, shapes.irfftn_shape, _ND_REAL,
     "Complex inverse transforms along all but the last axis, then a real one."),
]

#: Free helpers: attr -> shape rule.
_FREE = {
    "fftfreq": shapes.fftfreq_shape,
    "rfftfreq": shapes.rfftfreq_shape,
    "fftshift": shapes.shift_shape,
    "ifftshift": shapes.shift_shape,
}


def register_all() -> None:
    for attr, cost_rule, shape_rule, formula, notes in _TRANSFORMS:
        register_numpy(f"fft.{attr}", cost_rule, shape_rule, formula,
                       f"{notes} Derivation and conventions: flopscope.cost.fft.",
                       module="numpy.fft")
    for attr, shape_rule in _FREE.items():
        register(free_op(
            f"fft.{attr}", getattr(np.fft, attr), shape_rule, module="numpy.fft", attr=attr,
            notes="Sample frequencies / a rolled copy: no counted arithmetic.",
        ))
    register(OpDef(
        "fft.test", Category.BLOCKED, "numpy.fft", "test", numpy_func=np.fft.test,
        notes="running NumPy's own test suite is not computation on your arrays. Run "
              "`python -m pytest --pyargs numpy.fft` outside the budgeted code.",
    ))
