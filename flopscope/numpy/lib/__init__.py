"""``flopscope.numpy.lib``: only :mod:`flopscope.numpy.lib.stride_tricks`.

NumPy's ``numpy.lib`` is a package of implementation modules whose functions
compute uncounted; flopscope exposes the one public submodule that only builds
views. Every other name explains itself with an ``AttributeError``.
"""

from __future__ import annotations

from typing import Any

from flopscope.numpy.lib import stride_tricks
from flopscope.registry.passthrough import withheld_reason

__all__ = ["stride_tricks"]


def __getattr__(name: str) -> Any:
    from flopscope.numpy._surface import blocked_message

    if name.startswith("_"):
        raise AttributeError(f"module 'flopscope.numpy.lib' has no attribute {name!r}")
    reason = withheld_reason("numpy", "lib") or ""
    raise AttributeError(blocked_message("flopscope.numpy.lib", name, reason))
