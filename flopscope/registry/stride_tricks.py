"""``numpy.lib.stride_tricks``: strided views (0 FLOPs).

``as_strided`` and ``sliding_window_view`` build a new view of the same
memory from a shape and strides: no element is read or written, so they cost
nothing, like ``reshape`` or ``broadcast_to``. Their results are flopscope
arrays, so arithmetic on the windows is counted as usual; a write through a
view reaches the base array exactly as through any other view.

They are the only public functions of ``numpy.lib``; the rest of the package
(implementation modules) stays withheld (see
:mod:`flopscope.registry.passthrough`).
"""

from __future__ import annotations

import numpy.lib.stride_tricks as _st

from flopscope.exec.shapes import view_rule
from flopscope.registry.free import free_op
from flopscope.registry._core import register

__all__ = ["STRIDE_TRICKS", "register_all"]

#: attribute -> why it is free (the note shown in the reference).
STRIDE_TRICKS: dict[str, str] = {
    "as_strided": (
        "A view with the given shape and strides over the input's memory; reads nothing. "
        "As in NumPy, no bounds are checked: strides that leave the buffer read "
        "arbitrary memory."
    ),
    "sliding_window_view": (
        "A read-only view of every window of the given shape; reads nothing until the "
        "windows are used, and what is then computed on them is counted."
    ),
}


def register_all() -> None:
    for attr, notes in STRIDE_TRICKS.items():
        fn = getattr(_st, attr)
        register(free_op(
            f"lib.stride_tricks.{attr}", fn, view_rule(fn),
            module="numpy.lib.stride_tricks", attr=attr, notes=notes,
        ))
