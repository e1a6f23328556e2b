"""Names each public module passes through from NumPy, and names it withholds.

Constants (``pi``, ``newaxis``...), dtypes and scalar types (``float32``...)
and type helpers (``finfo``, ``iinfo``, ``dtype``...) do no arithmetic on
arrays, so ``fnp`` exposes NumPy's own objects. So do three submodules that
hold only types (``exceptions``, ``dtypes``, ``typing``).

Everything else NumPy exports that is neither a registry callable nor passed
through is **withheld**: classes whose objects would compute on array data
outside the count (``matrix``, ``vectorize``, ``poly1d``...) and submodules
full of uncounted functions (``emath``, ``ma``...). Looking one up raises
``AttributeError`` with the reason, exactly like a blocked function (see
:mod:`flopscope.registry.blocked`).

NumPy's index-expression helpers (``r_``, ``c_``, ``mgrid``, ``ogrid``) pass
through behind a thin proxy that returns flopscope arrays, so arithmetic on
what they build is counted like any other array's.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

import numpy as np

from flopscope.exec.arguments import unwrap, wrap
from flopscope.registry._core import loaded_members

__all__ = [
    "passthrough_names",
    "passthrough_value",
    "WITHHELD_TYPES",
    "WITHHELD_MODULES",
    "WITHHELD_BY_MODULE",
    "AVAILABLE_NOTES",
    "PASSTHROUGH_MODULES",
    "INDEX_HELPERS",
    "withheld_reason",
]

#: Public NumPy classes of the top-level namespace that fnp does not pass through (and why).
WITHHELD_TYPES: dict[str, str] = {
    "ndarray": "fnp.ndarray is flopscope's own counted subclass of numpy.ndarray; use it instead.",
    "matrix": (
        "numpy.matrix arithmetic (where * is a matrix product) bypasses flopscope's count. "
        "Use 2-D fnp arrays with @ / fnp.matmul."
    ),
    "recarray": (
        "record arrays hand out plain NumPy field arrays whose arithmetic is not counted. "
        "Keep each field in its own fnp array."
    ),
    "record": (
        "record scalars belong to record arrays, whose field arithmetic is not counted. "
        "Keep each field in its own fnp array."
    ),
    "memmap": (
        "memory-mapped arrays are file I/O, which is not available inside a FLOP budget. "
        "Load the data before the budgeted code runs and pass it in."
    ),
    "vectorize": (
        "it runs arbitrary Python for every element, which flopscope cannot count. Express "
        "the computation with whole-array fnp operations."
    ),
    "poly1d": (
        "poly1d arithmetic and evaluation bypass flopscope's count. Use the counted "
        "polynomial functions (fnp.polyval, fnp.polymul...) on coefficient arrays."
    ),
    "nditer": (
        "element-by-element iteration hands values to Python, where arithmetic is not "
        "counted. Use whole-array fnp operations (or fnp.ndindex for index tuples)."
    ),
}

#: Names near the blocked ones that *are* available, and why (listed in docs/blocked.md).
AVAILABLE_NOTES: dict[str, str] = {
    "fnp.errstate": (
        "allowed and free: NumPy's own context manager (`with fnp.errstate(divide='raise')`). "
        "In NumPy 2 it changes floating-point error handling only inside the block and only "
        "for the current thread or task, so it cannot leak into code outside it; it changes "
        "how errors surface, never what is computed or counted. `seterr`, `geterr`, "
        "`seterrcall` and `geterrcall` stay blocked: they change process-wide state that "
        "outlives the call."
    ),
    "fnp.lib.stride_tricks": (
        "available: `as_strided` and `sliding_window_view` build views (free, like "
        "`reshape`); arithmetic on the windows is counted. The rest of `numpy.lib` "
        "(implementation modules) stays withheld: looking a name up explains why."
    ),
}

#: Submodules that fnp does not expose, per public module (and why).
WITHHELD_MODULES: dict[str, dict[str, str]] = {
    "numpy": {
        "emath": (
            "numpy.emath's functions compute uncounted. Use the counted fnp functions "
            "(fnp.sqrt, fnp.log...) on complex input where a complex result is needed."
        ),
        "ma": (
            "masked-array arithmetic bypasses flopscope's count. Keep a boolean mask "
            "alongside an fnp array and use fnp.where."
        ),
        "char": (
            "string operations have no place in a FLOP budget: flopscope counts numeric "
            "arrays only. Process strings before the budgeted code runs."
        ),
        "strings": (
            "string operations have no place in a FLOP budget: flopscope counts numeric "
            "arrays only. Process strings before the budgeted code runs."
        ),
        "rec": (
            "record arrays hand out plain NumPy field arrays whose arithmetic is not "
            "counted. Keep each field in its own fnp array."
        ),
        "lib": (
            "numpy.lib holds NumPy's implementation modules, whose functions compute "
            "uncounted. Use the fnp function of the same name (fnp.lib.stride_tricks, "
            "whose functions only build views, is available)."
        ),
        "core": (
            "numpy.core is NumPy's private implementation package (deprecated as public). "
            "Use the fnp function of the same name."
        ),
        "ctypeslib": (
            "ctypes interoperability exposes raw memory to foreign code, outside any "
            "budget. Convert data before the budgeted code runs."
        ),
        "f2py": (
            "compiling Fortran extensions is a build step, not computation. Run f2py "
            "outside the budgeted code."
        ),
        "polynomial": (
            "numpy.polynomial's classes (Polynomial, Chebyshev...) evaluate and multiply "
            "uncounted. Use the counted functions fnp.polyval, polyfit, polymul, polyadd, "
            "polysub, polydiv, polyder, polyint, poly and roots on coefficient arrays "
            "(highest degree first, as numpy.polyval takes them)."
        ),
    },
    "numpy.random": {
        "mtrand": (
            "numpy.random.mtrand is NumPy's legacy sampler, uncounted. Use the counted "
            "fnp.random functions or fnp.random.default_rng()."
        ),
        "bit_generator": (
            "numpy.random.bit_generator is an implementation module. Use "
            "fnp.random.SeedSequence and the bit generator classes of fnp.random."
        ),
    },
    "numpy.testing": {
        "overrides": (
            "NumPy's override-protocol test helpers are test-suite infrastructure. Use the "
            "fnp.testing assertions."
        ),
        "extbuild": (
            "building C extensions is a build step, not computation. Run it outside the "
            "budgeted code."
        ),
    },
}

#: Every withheld name, per public module: classes first, then submodules.
WITHHELD_BY_MODULE: dict[str, dict[str, str]] = {
    "numpy": {**WITHHELD_TYPES, **WITHHELD_MODULES["numpy"]},
    "numpy.random": {
        "Generator": "flopscope.numpy.random.Generator is the counted version; use it instead.",
        "RandomState": (
            "flopscope.numpy.random.RandomState is the counted version; use it instead."
        ),
        **WITHHELD_MODULES["numpy.random"],
    },
    "numpy.testing": dict(WITHHELD_MODULES["numpy.testing"]),
}

#: Submodules passed through: they hold only types and exceptions.
PASSTHROUGH_MODULES: dict[str, tuple[str, ...]] = {
    "numpy": ("exceptions", "dtypes", "typing"),
}

#: Index-expression helpers, passed through behind :class:`IndexHelper`.
INDEX_HELPERS = frozenset({"r_", "c_", "mgrid", "ogrid"})

#: Extra non-class names passed through, per module.
_EXTRA = {
    "numpy.linalg": ("LinAlgError",),
}


def withheld_reason(module: str, name: str) -> str | None:
    """Why ``module.name`` is withheld, or ``None`` if it is not."""
    return WITHHELD_BY_MODULE.get(module, {}).get(name)


def passthrough_names(module: str) -> list[str]:
    """Public names of NumPy module ``module`` that flopscope re-exports as they are.

    Classes and non-callable objects (constants, dtype tables, index helpers)
    that are not withheld, plus the type-only submodules of
    :data:`PASSTHROUGH_MODULES`. Functions never pass through: a function is a
    registry entry or it is unavailable.
    """
    real = importlib.import_module(module)
    withheld = WITHHELD_BY_MODULE.get(module, {})
    names = []
    for name, value in loaded_members(real):
        if name.startswith("_") or name in withheld:
            continue
        if isinstance(value, types.ModuleType):
            continue
        if isinstance(value, type) or not callable(value):
            names.append(name)
    names.extend(n for n in _EXTRA.get(module, ()) if hasattr(real, n))
    names.extend(n for n in PASSTHROUGH_MODULES.get(module, ()) if hasattr(real, n))
    return sorted(set(names))


class IndexHelper:
    """A NumPy index-expression helper (``r_``, ``c_``, ``mgrid``, ``ogrid``) for fnp.

    ``fnp.r_[a, 0, b]`` and ``fnp.mgrid[0:3, 0:4]`` build the same arrays as
    NumPy's helpers, free of charge, but return them as flopscope arrays
    carrying their inputs' producers, so later arithmetic on them is counted.
    ``numpy.matrix`` results (``r_['r', ...]``) are refused: their arithmetic
    would bypass the count.
    """

    __slots__ = ("_helper", "_name")

    def __init__(self, helper: Any, name: str) -> None:
        self._helper = helper
        self._name = name

    def __getitem__(self, key: Any) -> Any:
        srcs: list = []
        result = self._helper[unwrap(key, srcs)]
        if isinstance(result, np.matrix):
            raise TypeError(
                f"fnp.{self._name}[...] with a matrix directive ('r' / 'c') would build a "
                f"numpy.matrix: {WITHHELD_TYPES['matrix']}"
            )
        return wrap(result, tuple(dict.fromkeys(srcs)) or None)

    def __len__(self) -> int:
        return len(self._helper)

    def __repr__(self) -> str:
        return f"<flopscope index helper fnp.{self._name}>"


def passthrough_value(module: str, name: str) -> Any:
    """The object flopscope exports for pass-through name ``name`` of ``module``."""
    value = getattr(importlib.import_module(module), name)
    if module == "numpy" and name in INDEX_HELPERS:
        return IndexHelper(value, name)
    return value
