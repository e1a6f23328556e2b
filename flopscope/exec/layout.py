"""Interned array layouts: what a ufunc's charge depends on, known before NumPy runs.

A ufunc call's charge, its row's shapes and dtypes, and the shape and dtype
of its result depend on the operands' shapes and dtypes alone (and, for a
Python number, on its type: NumPy treats it as weakly typed). Reading them
from two arrays, checking the dtypes and interning the tuples costs more than
the rest of a tiny call's bookkeeping, and it is the same work every time a
loop repeats a call.

So every array an executor returns carries its :class:`Layout` (the
``_fs_layout`` slot of ``fnp.ndarray``): one shared object per distinct
(shape, dtype), compared by identity. The ufunc fast path looks a call up by
its operands' layouts (``(layout_x, layout_y)``; a Python number contributes
its type, a NumPy scalar its dtype) in a table the wrapper keeps per ufunc,
and finds everything derived from them at once: interned shapes and dtypes,
analytical FLOPs, weight name, and the layout of the result, which the result
then carries. A layout in a key is held by the table, so its identity cannot
be reused while the entry exists.
"""

from __future__ import annotations

from typing import Any

from flopscope.trace.intern import intern

__all__ = ["Layout", "layout_of", "LIMIT"]

#: Distinct layouts kept before the table is emptied (arrays keep their own).
LIMIT = 1 << 14


class Layout:
    """The shape and dtype of arrays, one shared object per distinct pair.

    Equality and hashing are by identity (``object``'s): that is what makes a
    lookup keyed by layouts cheap. Build them with :func:`layout_of`.
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"Layout({self.shape}, {self.dtype})"


_LAYOUTS: dict[tuple, Layout] = {}


def layout_of(shape: tuple[int, ...], dtype: Any) -> Layout:
    """The shared :class:`Layout` of arrays of ``shape`` and ``dtype``."""
    key = (shape, dtype)
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= LIMIT:
            _LAYOUTS.clear()  # safe: arrays and lookup tables keep the layouts they hold
        layout = _LAYOUTS[key] = Layout(intern(shape, shape), dtype)
    return layout
