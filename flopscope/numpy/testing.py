"""``flopscope.numpy.testing``: the counted ``numpy.testing`` surface, generated from the registry."""

from __future__ import annotations

from flopscope.numpy._surface import populate as _populate

__all__ = _populate(globals(), "numpy.testing", "flopscope.numpy.testing")
