"""The Array API standard's entry points for ``flopscope.numpy``.

* ``fnp.__array_api_version__``: the standard's revision, NumPy's own.
* ``fnp.__array_namespace_info__()``: the inspection namespace
  (``capabilities``, ``default_device``, ``default_dtypes``, ``devices``,
  ``dtypes``). flopscope runs NumPy on the CPU with NumPy's dtypes and default
  dtypes, so every answer is NumPy's; the class is NumPy's, renamed into this
  module. Nothing here touches array data, so it is free.
* ``x.__array_namespace__()`` on a flopscope array returns
  ``flopscope.numpy``, so array-API-generic code (``xp =
  x.__array_namespace__()``) keeps computing with counted functions.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["__array_api_version__", "__array_namespace_info__", "array_namespace"]

__array_api_version__: str = np.__array_api_version__


class __array_namespace_info__(np.__array_namespace_info__):  # noqa: N801 - the standard's name
    """The Array API inspection namespace of ``flopscope.numpy`` (NumPy's answers: CPU, NumPy dtypes)."""

    __module__ = "flopscope.numpy"


def array_namespace(self: Any, *, api_version: str | None = None) -> ModuleType:
    """``x.__array_namespace__()``: the namespace of flopscope arrays, ``flopscope.numpy``.

    ``api_version`` is checked as NumPy checks it (a ``ValueError`` for a
    revision NumPy does not support).
    """
    np.ndarray.__array_namespace__(self.view(np.ndarray), api_version=api_version)
    import flopscope.numpy

    return flopscope.numpy
