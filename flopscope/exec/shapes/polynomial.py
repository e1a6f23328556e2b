"""Shape rules of NumPy's polynomial functions (``polyval``, ``polyfit``, ``roots``...).

Coefficient arrays are 1-D, highest power first. Three results have
data-dependent sizes and are planned at their upper bound (``bound=True``):

* ``polymul``: NumPy strips leading zero coefficients of both factors first,
  so the product has at most n1 + n2 − 1 coefficients;
* ``polydiv``: the remainder's (near-)zero leading coefficients are trimmed,
  so it has at most len(u) coefficients;
* ``roots``: leading and trailing zeros shrink the companion matrix (zero
  roots are appended back), so there are at most len(p) − 1 roots; their
  dtype is planned complex, as ``eigvals``'s is.

``polyfit(..., full=True)`` returns ``lstsq``'s residuals, planned as in
:func:`flopscope.exec.shapes.linalg.lstsq_shape`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from flopscope.cost import polynomial as cost
from flopscope.cost._shapes import broadcast_shapes, shape_of
from flopscope.exec.shapes import ArraySpec, is_arraylike, probe_dtype, spec_of

__all__ = [
    "polyval_shape", "polyadd_shape", "polysub_shape", "polymul_shape", "polydiv_shape",
    "polyder_shape", "polyint_shape", "poly_shape", "roots_shape", "polyfit_shape",
]


def _array(x: Any) -> Any:
    """``x`` for :func:`probe_dtype`: arrays (real or abstract) as they are, data as an array.

    A nested list would otherwise reach NumPy whole (probe_dtype only shrinks
    arrays), computing the full result and mismatching shrunken operands.
    """
    return x if is_arraylike(x) else np.asarray(x)


def _length(p: Any) -> int:
    shape = shape_of(p)
    return shape[0] if shape else 1


def polyval_shape(p: Any, x: Any) -> ArraySpec:
    cost.polyval_call_cost(p, x)
    shape = broadcast_shapes(shape_of(x), shape_of(p)[1:])
    return ArraySpec(shape, probe_dtype(np.polyval, _array(p), _array(x)))


def polyadd_shape(a1: Any, a2: Any) -> ArraySpec:
    dtype = probe_dtype(np.polyadd, _array(a1), _array(a2))
    return ArraySpec((max(_length(a1), _length(a2)),), dtype)


def polysub_shape(a1: Any, a2: Any) -> ArraySpec:
    dtype = probe_dtype(np.polysub, _array(a1), _array(a2))
    return ArraySpec((max(_length(a1), _length(a2)),), dtype)


def polymul_shape(a1: Any, a2: Any) -> ArraySpec:
    """At most n1 + n2 − 1 coefficients (leading zeros are stripped at run time)."""
    cost.polymul_call_cost(a1, a2)
    dtype = probe_dtype(np.polymul, _array(a1), _array(a2))
    return ArraySpec((_length(a1) + _length(a2) - 1,), dtype, bound=True)


def polydiv_shape(u: Any, v: Any) -> tuple[ArraySpec, ArraySpec]:
    """(quotient, remainder); the remainder's length is an upper bound."""
    nu, nv = _length(u), _length(v)
    q_dt, r_dt = probe_dtype(np.polydiv, _array(u), _array(v))
    return (ArraySpec((max(nu - nv + 1, 1),), q_dt), ArraySpec((nu,), r_dt, bound=True))


def polyder_shape(p: Any, m: Any = 1) -> ArraySpec:
    cost.polyder_call_cost(p, m)
    shape = shape_of(p)
    return ArraySpec((max(shape[0] - int(m), 0), *shape[1:]), probe_dtype(np.polyder, _array(p), m))


def polyint_shape(p: Any, m: Any = 1, k: Any = None) -> ArraySpec:
    cost.polyint_call_cost(p, m, k)
    shape = shape_of(p)
    return ArraySpec((shape[0] + int(m), *shape[1:]), probe_dtype(np.polyint, _array(p), m, k))


def poly_shape(seq_of_zeros: Any) -> ArraySpec:
    """r + 1 coefficients for r roots (a 0-d result, NumPy's 1.0, for none).

    Complex roots give complex coefficients (planned so), although NumPy
    returns real ones when the roots come in conjugate pairs (data-dependent).
    """
    cost.poly_call_cost(seq_of_zeros)
    shape = shape_of(seq_of_zeros) or (1,)
    if shape[0] == 0:
        return ArraySpec((), np.dtype(np.float64))
    dtype = probe_dtype(np.poly, _array(seq_of_zeros))
    if spec_of(seq_of_zeros).dtype.kind == "c":
        dtype = np.result_type(dtype, np.complex64)
    return ArraySpec((shape[0] + 1,), dtype)


def roots_shape(p: Any) -> ArraySpec:
    """At most len(p) − 1 roots, planned complex."""
    cost.roots_call_cost(p)
    n = _length(p)
    if n < 2:
        return ArraySpec((0,), np.dtype(np.float64))
    dtype = spec_of(p).dtype
    real = dtype if dtype.kind in "fc" else np.dtype(np.float64)
    return ArraySpec((n - 1,), np.result_type(real, np.complex64), bound=True)


def _polyfit_dtypes(x: Any, y: Any, w: Any, full: bool, cov: Any) -> Any:
    """Result dtypes of ``polyfit``, probed as a degree-0 fit (dtypes do not depend on deg).

    A degree-0 fit of one point has a rank-1 Vandermonde matrix, so the probe
    raises no RankWarning; ``cov`` is probed unscaled, which needs no residual.
    """
    x, y = _array(x), _array(y)
    w = None if w is None else _array(w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if full:
            return probe_dtype(np.polyfit, x, y, 0, full=True, w=w)
        if cov:
            return probe_dtype(np.polyfit, x, y, 0, w=w, cov="unscaled")
        return probe_dtype(np.polyfit, x, y, 0, w=w)


def polyfit_shape(x: Any, y: Any, deg: Any, rcond: Any = None, full: bool = False,
                  w: Any = None, cov: Any = False) -> Any:
    cost.polyfit_call_cost(x, y, deg, rcond, full, w, cov)
    m = shape_of(x)[0]
    y_shape = shape_of(y)
    order = int(deg) + 1
    columns = () if len(y_shape) == 1 else (y_shape[1],)
    dtypes = _polyfit_dtypes(x, y, w, bool(full), cov)
    if full:
        c_dt, resid_dt, rank_dt, s_dt, rcond_dt = dtypes
        nrhs = columns[0] if columns else 1
        resids = (ArraySpec((nrhs,), resid_dt, bound=True) if m > order
                  else ArraySpec((0,), resid_dt))
        return (ArraySpec((order, *columns), c_dt), resids, ArraySpec((), rank_dt),
                ArraySpec((min(m, order),), s_dt), ArraySpec((), rcond_dt))
    if cov:
        c_dt, v_dt = dtypes
        # NumPy scales a 2-D y's covariance per column, except unscaled (factor 1)
        v_columns = (1,) if columns and isinstance(cov, str) and cov == "unscaled" else columns
        return (ArraySpec((order, *columns), c_dt), ArraySpec((order, order, *v_columns), v_dt))
    return ArraySpec((order, *columns), dtypes)
