"""The suite's 13 categories and the mapping from registry entries to them.

The categories are the seeds' (``docs/calibration.md`` lists them); the
registry has its own, coarser notion (``counted_unary``, ``counted_custom``...)
and one family module per kind of callable. A registry entry is placed in a
suite category by the first matching rule of this ordered list:

1. **by name** -- explicit tables for names whose family does not say it all:
   the generalized-ufunc products (``matmul``, ``vecdot``, ``matvec``,
   ``vecmat``) are contractions; complex-number helpers are ``complex``;
   window functions, polynomial helpers and sort/search/set operations are
   ``window``, ``polynomial`` and ``sorting``.
2. **by public module** -- ``numpy.linalg``: ``linalg_delegates`` when NumPy
   also exports the attribute at top level (``np.linalg.matmul`` is the
   array-API twin of ``np.matmul``), else ``linalg``; ``numpy.fft``: ``fft``;
   ``numpy.random`` and ``numpy.random.Generator``: ``random``;
   ``numpy.polynomial``: ``polynomial``.
3. **by family** -- the module defining the entry's cost rule
   (``flopscope/cost/<family>.py`` or a closure in
   ``flopscope/registry/<family>.py``), through :data:`FAMILY_CATEGORY`.
4. **by registry category** -- elementwise entries are ``pointwise``, or
   ``bitwise`` when the ufunc has integer loops only; reductions are
   ``reductions``.
5. everything else counted is ``misc``.

Free entries (zero FLOPs) are not placed in a category: the suite emits them at
weight 0.0 without measuring them. Blocked entries are not callable and are left
out. Entries registered later are placed by the same rules, so new families are
picked up without editing this module, as long as their names, modules or cost
modules say what they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CATEGORIES",
    "BLAS_BACKED",
    "FAMILY_CATEGORY",
    "Placement",
    "place",
    "family_of",
    "is_integer_only_ufunc",
]

#: The suite categories, in the seeds' order.
CATEGORIES: tuple[str, ...] = (
    "pointwise", "reductions", "linalg", "linalg_delegates", "fft", "sorting", "random",
    "polynomial", "contractions", "misc", "window", "bitwise", "complex",
)

#: Categories whose ops call BLAS/LAPACK rather than the ufunc machinery: no dispatch
#: overhead is subtracted from their weights (the seeds' rule).
BLAS_BACKED: frozenset[str] = frozenset({"linalg", "linalg_delegates", "contractions"})

#: Cost-rule family (last component of the module defining the cost rule) -> category.
#: ``pointwise`` is absent: elementwise entries are split by rule 4.
FAMILY_CATEGORY: dict[str, str] = {
    "reduction": "reductions",
    "reductions": "reductions",
    "contractions": "contractions",
    "einsum": "contractions",
    "linalg": "linalg",
    "fft": "fft",
    "sorting": "sorting",
    "sets": "sorting",
    "setops": "sorting",
    "searching": "sorting",
    "selection": "sorting",
    "random": "random",
    "polynomial": "polynomial",
    "polynomials": "polynomial",
    "window": "window",
    "windows": "window",
    "bitwise": "bitwise",
    "complex": "complex",
    "stats": "misc",
    "statistics": "misc",
    "counting": "misc",
    "testing": "misc",
}

_BY_NAME: dict[str, frozenset[str]] = {
    "contractions": frozenset({"matmul", "vecdot", "matvec", "vecmat"}),
    "complex": frozenset({
        "conjugate", "conj", "angle", "real", "imag", "iscomplex", "isreal",
        "iscomplexobj", "isrealobj", "real_if_close", "sort_complex",
    }),
    "window": frozenset({"bartlett", "blackman", "hamming", "hanning", "kaiser"}),
    "polynomial": frozenset({
        "poly", "polyadd", "polyder", "polydiv", "polyfit", "polyint", "polymul",
        "polysub", "polyval", "roots",
    }),
    "sorting": frozenset({
        "sort", "argsort", "ndarray.sort", "ndarray.partition", "partition", "argpartition",
        "lexsort",
        "searchsorted", "unique", "unique_all", "unique_counts", "unique_inverse",
        "unique_values", "in1d", "isin", "intersect1d", "setdiff1d", "setxor1d", "union1d",
    }),
}

_BY_MODULE_PREFIX: tuple[tuple[str, str], ...] = (
    ("numpy.fft", "fft"),
    ("numpy.random", "random"),
    ("numpy.polynomial", "polynomial"),
)

_INTEGER_CHARS = frozenset("?bBhHiIlLqQnNpP")
_FLOAT_CHARS = frozenset("efdgFDG")


@dataclass(frozen=True)
class Placement:
    """Where an entry goes and which rule put it there (shown in plans and reports)."""

    category: str
    rule: str


def family_of(op: Any) -> str:
    """The family of ``op``: the last module component of its cost rule's definition.

    Cost rules live in ``flopscope/cost/<family>.py`` (or are closures in
    ``flopscope/registry/<family>.py``); ``""`` when that cannot be told.
    """
    rule = op.cost
    while hasattr(rule, "func"):  # functools.partial and friends
        rule = rule.func
    module = getattr(rule, "__module__", "") or ""
    for prefix in ("flopscope.cost.", "flopscope.registry."):
        if module.startswith(prefix):
            return module[len(prefix):].split(".")[0]
    return ""


def is_integer_only_ufunc(ufunc: Any) -> bool:
    """True for a ufunc with integer/bool loops only (``bitwise_and``, ``gcd``, ``invert``)."""
    if not isinstance(ufunc, np.ufunc):
        return False
    inputs = [sig.split("->")[0] for sig in ufunc.types]
    has_int = any(chars and set(chars) <= _INTEGER_CHARS for chars in inputs)
    has_float = any(set(chars) & _FLOAT_CHARS for chars in inputs)
    return has_int and not has_float


def place(op: Any) -> Placement | None:
    """Suite category of registry entry ``op``; ``None`` for free and blocked entries."""
    if not op.category.counted:
        return None
    for category, names in _BY_NAME.items():
        if op.name in names:
            return Placement(category, "by name")
    if op.module == "numpy.linalg":
        twin = getattr(np, op.attr.split(".")[0], None)
        if callable(twin):
            return Placement("linalg_delegates", "numpy.linalg, also a top-level NumPy callable")
        return Placement("linalg", "module numpy.linalg")
    for prefix, category in _BY_MODULE_PREFIX:
        if op.module == prefix or op.module.startswith(prefix + "."):
            return Placement(category, f"module {prefix}")
    family = family_of(op)
    if family in FAMILY_CATEGORY:
        return Placement(FAMILY_CATEGORY[family], f"cost family {family!r}")
    kind = op.category.value
    if kind in ("counted_unary", "counted_binary"):
        if is_integer_only_ufunc(op.impl):
            return Placement("bitwise", "elementwise, integer loops only")
        return Placement("pointwise", "elementwise")
    if kind == "counted_reduction":
        return Placement("reductions", "registry category counted_reduction")
    return Placement("misc", "no more specific rule")
