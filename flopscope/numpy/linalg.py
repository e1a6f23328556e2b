"""``flopscope.numpy.linalg``: the counted ``numpy.linalg`` surface, generated from the registry."""

from __future__ import annotations

from flopscope.numpy._surface import populate as _populate

__all__ = _populate(globals(), "numpy.linalg", "flopscope.numpy.linalg")
