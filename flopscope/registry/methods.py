"""``fnp.ndarray`` methods that are not a NumPy function of the same name.

Methods that compute and mirror a function (``x.sum()`` is ``np.sum(x)``) are
routed to that function's entry by :mod:`flopscope.numpy._array_methods`.
The entries here are the rest: copies that should carry data-flow edges
(``x.copy()``, ``x.astype()``, ``x.flatten()``), computed in-place methods
(``x.sort()``, in :mod:`flopscope.registry.sorting`), and blocked file I/O
(``x.tofile()``, ``x.dump()``), which the surface installs on ``fnp.ndarray``
as attributes whose lookup raises ``AttributeError`` with the reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.exec.shapes import ArraySpec, spec_of
from flopscope.exec.shapes import free as rules
from flopscope.registry._core import Category, OpDef, register
from flopscope.registry.blocked import BLOCKED
from flopscope.registry.free import free_op

__all__ = ["register_all"]


def _astype_method_shape(a: Any, dtype: Any, *args: Any, **kwargs: Any) -> ArraySpec:
    return ArraySpec(spec_of(a).shape, np.dtype(dtype))


_FREE_METHODS = {
    "copy": (np.ndarray.copy, rules.copy),
    "astype": (np.ndarray.astype, _astype_method_shape),
    "flatten": (np.ndarray.flatten, rules.ravel),
    "ravel": (np.ndarray.ravel, rules.ravel),
}

#: Methods writing files: blocked for the same reason as ``numpy.save``.
_BLOCKED_METHODS = {
    "tofile": BLOCKED["numpy"]["save"],
    "dump": BLOCKED["numpy"]["save"],
}


def register_all() -> None:
    for name, (impl, shape) in _FREE_METHODS.items():
        register(free_op(f"ndarray.{name}", impl, shape, module="numpy.ndarray", attr=name))
    for name, reason in _BLOCKED_METHODS.items():
        register(OpDef(f"ndarray.{name}", Category.BLOCKED, "numpy.ndarray", name, notes=reason))
