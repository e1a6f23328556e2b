"""Generic inputs for elementwise ufuncs (``pointwise``, ``bitwise``, ``complex``).

Every unary or binary ufunc of the registry is benchmarked without a per-op
entry: the input dtypes are the first of these that NumPy resolves a loop for
(so the measured loop is the one users hit):

* ``complex`` category: complex inputs;
* all inputs of the run's float dtype;
* a float then an int64 (``ldexp``);
* all int64 (integer-only ufuncs: ``bitwise_and``, ``gcd``, shifts...).

Input values stay inside each ufunc's domain (:data:`FLOAT_DOMAINS`,
:data:`INT_DOMAINS`), so no measurement times the NaN or overflow path by
accident. A ufunc with no numeric loop (``isnat``) gets no generator and is
reported as skipped.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from calibration.inputs.core import DEFAULT_DOMAIN, Case, Domain, InputSpec, Maker
from calibration.inputs.ladders import ELEMENTS

__all__ = ["FLOAT_DOMAINS", "INT_DOMAINS", "ufunc_spec", "input_kinds"]

_POSITIVE: Domain = (1e-2, 1e2)
_EXP_SAFE: Domain = (-50.0, 50.0)
_DIVISOR: Domain = (0.5, 100.0)

#: Float input domains per ufunc (one per input); others use ``DEFAULT_DOMAIN``.
FLOAT_DOMAINS: dict[str, tuple[Domain, ...]] = {
    "log": (_POSITIVE,), "log2": (_POSITIVE,), "log10": (_POSITIVE,), "sqrt": (_POSITIVE,),
    "log1p": ((-0.99, 100.0),),
    "arcsin": ((-1.0, 1.0),), "arccos": ((-1.0, 1.0),), "arctanh": ((-0.999, 0.999),),
    "arccosh": ((1.0, 100.0),),
    "exp": (_EXP_SAFE,), "exp2": (_EXP_SAFE,), "expm1": (_EXP_SAFE,),
    "sinh": (_EXP_SAFE,), "cosh": (_EXP_SAFE,),
    "power": ((0.1, 10.0), (-4.0, 4.0)), "float_power": ((0.1, 10.0), (-4.0, 4.0)),
    "divide": (DEFAULT_DOMAIN, _DIVISOR), "floor_divide": (DEFAULT_DOMAIN, _DIVISOR),
    "remainder": (DEFAULT_DOMAIN, _DIVISOR), "fmod": (DEFAULT_DOMAIN, _DIVISOR),
    "divmod": (DEFAULT_DOMAIN, _DIVISOR),
    "ldexp": (DEFAULT_DOMAIN, (-10.0, 10.0)),
}

_INT_DEFAULT: tuple[int, int] = (-(1 << 30), 1 << 30)

#: Integer input ranges ``[low, high)`` per ufunc (one per input).
INT_DOMAINS: dict[str, tuple[tuple[int, int], ...]] = {
    "left_shift": ((0, 1 << 20), (0, 32)),
    "right_shift": ((0, 1 << 40), (0, 32)),
    "gcd": ((1, 1 << 20), (1, 1 << 20)),
    "lcm": ((1, 1 << 15), (1, 1 << 15)),
    "bitwise_count": ((0, 1 << 50),),
    "ldexp": ((-10, 10), (-10, 10)),
}

_COMPLEX_DOMAIN: Domain = (-10.0, 10.0)


def _resolves(ufunc: np.ufunc, dtypes: Sequence[np.dtype]) -> bool:
    try:
        ufunc.resolve_dtypes((*dtypes, *([None] * ufunc.nout)))
    except (TypeError, ValueError):
        return False
    return True


def input_kinds(ufunc: np.ufunc, float_dtype: np.dtype,
                prefer_complex: bool) -> tuple[str, ...] | None:
    """Kinds (``"f"``, ``"c"``, ``"i"``) of the inputs to benchmark ``ufunc`` with, or ``None``."""
    nin = ufunc.nin
    complex_dtype = np.result_type(float_dtype, np.complex64)
    by_kind = {"f": float_dtype, "c": complex_dtype, "i": np.dtype(np.int64)}
    candidates: list[tuple[str, ...]] = []
    if prefer_complex:
        candidates.append(("c",) * nin)
    candidates.append(("f",) * nin)
    if nin == 2:
        candidates.append(("f", "i"))
    candidates.append(("i",) * nin)
    for kinds in candidates:
        if _resolves(ufunc, [by_kind[k] for k in kinds]):
            return kinds
    return None


def _domain(table: dict[str, tuple[Any, ...]], name: str, index: int, default: Any) -> Any:
    domains = table.get(name)
    return domains[index] if domains and index < len(domains) else default


def ufunc_spec(name: str, ufunc: np.ufunc, float_dtype: np.dtype,
               category: str) -> InputSpec | None:
    """Spec benchmarking elementwise ``ufunc`` on ``n``-element vectors, or ``None``."""
    kinds = input_kinds(ufunc, float_dtype, prefer_complex=category == "complex")
    if kinds is None:
        return None

    def build(mk: Maker) -> Case:
        inputs = []
        for index, kind in enumerate(kinds):
            if kind == "c":
                inputs.append(mk.cvec(domain=_COMPLEX_DOMAIN))
            elif kind == "i":
                low, high = _domain(INT_DOMAINS, name, index, _INT_DEFAULT)
                inputs.append(mk.ints(mk.n, low, high))
            else:
                inputs.append(mk.vec(domain=_domain(FLOAT_DOMAINS, name, index, DEFAULT_DOMAIN)))
        return Case(tuple(inputs))

    return InputSpec(build, ELEMENTS)
