"""Names each public module passes through from NumPy unchanged.

Constants (``pi``, ``newaxis``...), dtypes and scalar types (``float32``...)
and type helpers (``finfo``, ``iinfo``, ``dtype``...) do no arithmetic on
arrays, so ``fnp`` exposes NumPy's own objects. Classes that would compute on
array data outside the count (``matrix``, ``vectorize``, ``poly1d``...) are
deliberately not passed through; see :mod:`flopscope.registry.blocked`.
"""

from __future__ import annotations

import importlib
import types

__all__ = ["passthrough_names", "WITHHELD_TYPES", "WITHHELD_BY_MODULE"]

#: Public NumPy classes of the top-level namespace that fnp does not pass through (and why).
WITHHELD_TYPES = {
    "ndarray": "fnp.ndarray is flopscope's own counted subclass",
    "matrix": "np.matrix arithmetic bypasses the count; use 2-D fnp arrays",
    "recarray": "record arrays hold non-numeric fields",
    "record": "record arrays hold non-numeric fields",
    "memmap": "memory-mapped files are file I/O",
    "vectorize": "runs arbitrary Python per element, which cannot be counted",
    "poly1d": "poly1d arithmetic bypasses the count; use fnp.polyval / polymul",
    "errstate": "floating-point error state is configuration, not computation",
    "nditer": "element-level iteration runs uncounted arithmetic in Python",
}

#: Classes withheld from submodules: flopscope provides its own counted versions.
WITHHELD_BY_MODULE = {
    "numpy": WITHHELD_TYPES,
    "numpy.random": {
        "Generator": "flopscope.numpy.random.Generator is the counted version",
        "RandomState": "flopscope.numpy.random.RandomState is the counted version",
    },
}

#: Extra non-class names passed through, per module.
_EXTRA = {
    "numpy.linalg": ("LinAlgError",),
}


def passthrough_names(module: str) -> list[str]:
    """Public names of NumPy module ``module`` that flopscope re-exports as they are."""
    real = importlib.import_module(module)
    withheld = WITHHELD_BY_MODULE.get(module, {})
    names = []
    for name in dir(real):
        if name.startswith("_") or name in withheld:
            continue
        value = getattr(real, name)
        if isinstance(value, types.ModuleType):
            continue
        if isinstance(value, type) or not callable(value):
            names.append(name)
    names.extend(n for n in _EXTRA.get(module, ()) if hasattr(real, n))
    return sorted(set(names))
