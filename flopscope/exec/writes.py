"""One hook for writes the executors can see: :func:`note_write`.

The executors call ``note_write(target)`` after NumPy has written into an
existing array (an ``out=`` argument, the target of ``np.copyto`` /
``np.put`` / ``np.place`` / ``np.putmask`` / ``np.put_along_axis``...).
Layers above the executors register a listener (:func:`set_write_listener`);
:mod:`flopscope.symmetry` uses it to void symmetry claims on any array that
shares memory with ``target``. The hook lives here, not there, so that the
executors never import the packages built on top of them.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["note_write", "set_write_listener"]

_LISTENER: list[Callable[[Any], None] | None] = [None]


def set_write_listener(fn: Callable[[Any], None] | None) -> None:
    """Install ``fn(target)``, called for every write :func:`note_write` reports."""
    _LISTENER[0] = fn


def note_write(target: Any) -> None:
    """Report that the memory of ``target`` (an array, or a tuple of arrays/None) was written."""
    listener = _LISTENER[0]
    if listener is None or target is None:
        return
    if type(target) is tuple:
        for t in target:
            if t is not None:
                listener(t)
    else:
        listener(target)
