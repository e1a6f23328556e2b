"""``flopscope.numpy.lib.stride_tricks``: ``as_strided`` and ``sliding_window_view`` as free views."""

from __future__ import annotations

from flopscope.numpy._surface import populate as _populate

__all__ = _populate(globals(), "numpy.lib.stride_tricks", "flopscope.numpy.lib.stride_tricks")
