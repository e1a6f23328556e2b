"""``flopscope.numpy``: the counted NumPy surface (``import flopscope.numpy as fnp``).

Every callable here is generated from :mod:`flopscope.registry`: it behaves
like the NumPy function of the same name (same results, dtypes and errors)
and, before running, computes its FLOP cost from shapes, checks it against
the active budget and records it. Free operations (creation, views) cost 0;
blocked ones (file I/O, configuration) raise ``AttributeError`` explaining
why and what to do instead.
"""

from __future__ import annotations

from flopscope.budget.namespace import namespace
from flopscope.budget.session import session_summary as budget_summary
from flopscope.budget.session import session_summary_dict as budget_summary_dict
from flopscope.exec.array import ndarray
from flopscope.numpy._array_api import __array_api_version__, __array_namespace_info__
from flopscope.numpy._array_api import array_namespace as _array_namespace
from flopscope.numpy._surface import populate as _populate

__all__ = _populate(globals(), "numpy", "flopscope.numpy") + [
    "__array_api_version__", "__array_namespace_info__",
    "ndarray", "namespace", "budget_summary", "budget_summary_dict",
    "linalg", "fft", "random", "testing", "lib",
]


from flopscope.numpy import fft, lib, linalg, random, testing  # noqa: E402  (submodules use the surface)

ndarray.__array_namespace__ = _array_namespace  # type: ignore[method-assign]  # Array API: x.__array_namespace__() is fnp
