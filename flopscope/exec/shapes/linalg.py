"""Shape rules of ``numpy.linalg``: output shapes and dtypes from input metadata.

Every rule takes the NumPy call's arguments and returns :class:`ArraySpec`
objects, in the same container NumPy returns (``SVDResult``, ``EighResult``,
``QRResult``, ``SlogdetResult``, ``EigResult`` or a plain tuple). Dtypes come
from :func:`probe_dtype` (NumPy run on one-element stand-ins); shapes are
computed here. Validation reuses the cost rules' helpers, so a plan raises
the same error types NumPy would.

Two outputs depend on data, and are planned as follows:

* ``eig`` / ``eigvals`` of a real matrix return real arrays when every
  eigenvalue is real and complex ones otherwise; they are planned complex
  (the general case; a real plan would be wrong whenever a pair is complex).
* ``lstsq`` returns residuals only when the matrix has full column rank and
  more rows than columns: planned at their upper bound (one per right-hand
  side) with ``bound=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost import linalg as cost
from flopscope.cost._shapes import broadcast_shapes, reduced_shape, shape_of
from flopscope.exec.shapes import ArraySpec, is_arraylike, probe_dtype, spec_of
from flopscope.exec.shapes import contractions as contraction_shapes

__all__ = [
    "cholesky_shape", "det_shape", "slogdet_shape", "inv_shape", "solve_shape",
    "tensorsolve_shape", "tensorinv_shape", "qr_shape", "eig_shape", "eigvals_shape",
    "eigh_shape", "eigvalsh_shape", "svd_shape", "svdvals_shape", "lstsq_shape", "pinv_shape",
    "matrix_rank_shape", "cond_shape", "matrix_power_shape", "multi_dot_shape", "norm_shape",
    "matrix_norm_shape", "vector_norm_shape", "outer_shape", "trace_shape", "cross_shape",
    "SVDResult", "EigResult", "EighResult", "QRResult", "SlogdetResult",
]

# NumPy's result namedtuples, taken from NumPy's own results so that plans
# return exactly the types eager calls do (their module is private).
_I = np.eye(1)
SVDResult = type(np.linalg.svd(_I))
EigResult = type(np.linalg.eig(_I))
EighResult = type(np.linalg.eigh(_I))
QRResult = type(np.linalg.qr(_I))
SlogdetResult = type(np.linalg.slogdet(_I))
del _I


def _complex(dtype: np.dtype) -> np.dtype:
    """The complex dtype of the same precision (complex input unchanged)."""
    return np.result_type(dtype, np.complex64)


def _array(x: Any) -> Any:
    """``x`` for :func:`probe_dtype`: arrays (real or abstract) as they are, data as an array.

    A nested list would otherwise reach NumPy whole (probe_dtype only shrinks
    arrays), computing the full result and mismatching shrunken operands.
    """
    return x if is_arraylike(x) else np.asarray(x)


# -- one matrix in, same-shaped or reduced outputs ------------------------------------------


def cholesky_shape(a: Any, /, *, upper: bool = False) -> ArraySpec:
    cost.square_stack(a)
    return ArraySpec(shape_of(a), probe_dtype(np.linalg.cholesky, _array(a), upper=upper))


def inv_shape(a: Any) -> ArraySpec:
    cost.square_stack(a)
    return ArraySpec(shape_of(a), probe_dtype(np.linalg.inv, _array(a)))


def det_shape(a: Any) -> ArraySpec:
    cost.square_stack(a)
    return ArraySpec(shape_of(a)[:-2], probe_dtype(np.linalg.det, _array(a)))


def slogdet_shape(a: Any) -> Any:
    cost.square_stack(a)
    batch = shape_of(a)[:-2]
    sign, logabsdet = probe_dtype(np.linalg.slogdet, _array(a))
    return SlogdetResult(ArraySpec(batch, sign), ArraySpec(batch, logabsdet))


def matrix_power_shape(a: Any, n: Any) -> ArraySpec:
    cost.matrix_power_call_cost(a, n)  # validates squareness and the exponent
    return ArraySpec(shape_of(a), probe_dtype(np.linalg.matrix_power, _array(a), n))


def cond_shape(x: Any, p: Any = None) -> ArraySpec:
    cost.cond_call_cost(x, p)
    return ArraySpec(shape_of(x)[:-2], probe_dtype(np.linalg.cond, _array(x), p))


def pinv_shape(a: Any, rcond: Any = None, hermitian: bool = False, **kwargs: Any) -> ArraySpec:
    _, m, n = cost.matrix_stack(a)
    return ArraySpec((*shape_of(a)[:-2], n, m),
                     probe_dtype(np.linalg.pinv, _array(a), rcond, hermitian, **kwargs))


def matrix_rank_shape(A: Any, tol: Any = None, hermitian: bool = False,
                      **kwargs: Any) -> ArraySpec:
    dtype = probe_dtype(np.linalg.matrix_rank, _array(A), tol, hermitian, **kwargs)
    shape = shape_of(A)
    return ArraySpec(shape[:-2] if len(shape) >= 2 else (), dtype)


# -- solves ---------------------------------------------------------------------------------------


def solve_shape(a: Any, b: Any) -> ArraySpec:
    cost.solve_call_cost(a, b)
    a_shape, b_shape = shape_of(a), shape_of(b)
    if len(b_shape) == 1:
        shape = a_shape[:-1]
    else:
        shape = (*broadcast_shapes(a_shape[:-2], b_shape[:-2]), *b_shape[-2:])
    return ArraySpec(tuple(shape), probe_dtype(np.linalg.solve, _array(a), _array(b)))


def tensorsolve_shape(a: Any, b: Any, axes: Any = None) -> ArraySpec:
    cost.tensorsolve_call_cost(a, b, axes)
    a_shape, b_ndim = shape_of(a), len(shape_of(b))
    order = list(range(len(a_shape)))
    if axes is not None:  # NumPy moves the listed axes to the end, in order (as given)
        for k in axes:
            order.remove(k)
            order.append(k)
    moved = tuple(a_shape[i] for i in order)
    return ArraySpec(moved[b_ndim:], probe_dtype(np.linalg.tensorsolve, _array(a), _array(b)))


def tensorinv_shape(a: Any, ind: int = 2) -> ArraySpec:
    cost.tensorinv_call_cost(a, ind)
    shape = shape_of(a)
    return ArraySpec(shape[ind:] + shape[:ind], probe_dtype(np.linalg.tensorinv, _array(a), ind))


def lstsq_shape(a: Any, b: Any, rcond: Any = None) -> tuple[ArraySpec, ...]:
    """(x, residuals, rank, singular values); residuals planned at their upper bound."""
    cost.lstsq_call_cost(a, b, rcond)
    m, n = shape_of(a)
    b_shape = shape_of(b)
    nrhs = 1 if len(b_shape) == 1 else b_shape[1]
    x_dt, resid_dt, rank_dt, s_dt = probe_dtype(np.linalg.lstsq, _array(a), _array(b), rcond)
    x = ArraySpec((n,) if len(b_shape) == 1 else (n, nrhs), x_dt)
    # NumPy returns residuals only for full column rank with m > n: data-dependent.
    resids = ArraySpec((nrhs,), resid_dt, bound=True) if m > n else ArraySpec((0,), resid_dt)
    return (x, resids, ArraySpec((), rank_dt), ArraySpec((min(m, n),), s_dt))


# -- factorizations -------------------------------------------------------------------------


def qr_shape(a: Any, mode: str = "reduced") -> Any:
    batch_shape = shape_of(a)[:-2]
    _, m, n = cost.matrix_stack(a)
    canonical = cost.qr_mode(mode)
    k = min(m, n)
    if canonical == "economic":
        return ArraySpec((*batch_shape, m, n), probe_dtype(np.linalg.qr, _array(a), "r"))
    if canonical == "r":
        return ArraySpec((*batch_shape, k, n), probe_dtype(np.linalg.qr, _array(a), "r"))
    if canonical == "raw":
        h_dt, tau_dt = probe_dtype(np.linalg.qr, _array(a), "raw")
        return (ArraySpec((*batch_shape, n, m), h_dt), ArraySpec((*batch_shape, k), tau_dt))
    cols = m if canonical == "complete" and m > n else k
    q_dt, r_dt = probe_dtype(np.linalg.qr, _array(a), canonical)
    return QRResult(ArraySpec((*batch_shape, m, cols), q_dt),
                    ArraySpec((*batch_shape, cols, n), r_dt))


def eigvals_shape(a: Any) -> ArraySpec:
    """Planned complex: NumPy returns real only when every eigenvalue is (data-dependent)."""
    shape = shape_of(a)
    cost.square_stack(a)
    return ArraySpec(shape[:-1], _complex(probe_dtype(np.linalg.eigvals, _array(a))))


def eig_shape(a: Any) -> Any:
    """Planned complex, like :func:`eigvals_shape`."""
    shape = shape_of(a)
    cost.square_stack(a)
    w_dt, v_dt = probe_dtype(np.linalg.eig, _array(a))
    return EigResult(ArraySpec(shape[:-1], _complex(w_dt)), ArraySpec(shape, _complex(v_dt)))


def eigvalsh_shape(a: Any, UPLO: str = "L") -> ArraySpec:
    shape = shape_of(a)
    cost.square_stack(a)
    return ArraySpec(shape[:-1], probe_dtype(np.linalg.eigvalsh, _array(a), UPLO))


def eigh_shape(a: Any, UPLO: str = "L") -> Any:
    shape = shape_of(a)
    cost.square_stack(a)
    w_dt, v_dt = probe_dtype(np.linalg.eigh, _array(a), UPLO)
    return EighResult(ArraySpec(shape[:-1], w_dt), ArraySpec(shape, v_dt))


def svd_shape(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
    *,
    k: int | None = None,
) -> Any:
    """``SVDResult(U, S, Vh)`` or ``S``; with ``k`` the top-k factors."""
    batch_shape = shape_of(a)[:-2]
    _, m, n = cost.matrix_stack(a)
    if hermitian and m != n:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    if k is not None:
        rank = cost.check_svd_k(k, m, n)
        u_cols, v_rows = rank, rank
    else:
        rank = min(m, n)
        u_cols, v_rows = (m, n) if full_matrices else (rank, rank)
    if not compute_uv:
        dtype = probe_dtype(np.linalg.svd, _array(a), compute_uv=False, hermitian=hermitian)
        return ArraySpec((*batch_shape, rank), dtype)
    u_dt, s_dt, vh_dt = probe_dtype(np.linalg.svd, _array(a), full_matrices, True, hermitian)
    return SVDResult(
        ArraySpec((*batch_shape, m, u_cols), u_dt),
        ArraySpec((*batch_shape, rank), s_dt),
        ArraySpec((*batch_shape, v_rows, n), vh_dt),
    )


def svdvals_shape(x: Any, /) -> ArraySpec:
    batch_shape = shape_of(x)[:-2]
    _, m, n = cost.matrix_stack(x)
    return ArraySpec((*batch_shape, min(m, n)), probe_dtype(np.linalg.svdvals, _array(x)))


# -- products ---------------------------------------------------------------------------------


def multi_dot_shape(arrays: Any, *, out: Any = None) -> ArraySpec:
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        return contraction_shapes.dot_shape(arrays[0], arrays[1])
    shapes = [shape_of(x) for x in arrays]
    dims = cost.chain_dims(shapes)
    first_vector, last_vector = len(shapes[0]) == 1, len(shapes[-1]) == 1
    shape = (() if first_vector else (dims[0],)) + (() if last_vector else (dims[-1],))
    return ArraySpec(shape, probe_dtype(np.linalg.multi_dot, [_array(x) for x in arrays]))


def outer_shape(x1: Any, x2: Any, /) -> ArraySpec:
    cost.linalg_outer_call_cost(x1, x2)
    return contraction_shapes.outer_shape(x1, x2)


def trace_shape(x: Any, /, *, offset: int = 0, dtype: Any = None) -> ArraySpec:
    cost.linalg_trace_call_cost(x, offset=offset)
    result_dtype = probe_dtype(np.linalg.trace, _array(x), offset=offset, dtype=dtype)
    return ArraySpec(shape_of(x)[:-2], result_dtype)


def cross_shape(x1: Any, x2: Any, /, *, axis: int = -1) -> ArraySpec:
    cost.linalg_cross_call_cost(x1, x2, axis=axis)
    # A one-element stand-in cannot probe cross (it needs 3-vectors): use two real ones.
    d1, d2 = spec_of(x1).dtype, spec_of(x2).dtype
    dtype = np.linalg.cross(np.ones(3, d1), np.ones(3, d2)).dtype
    shape = broadcast_shapes(shape_of(x1), shape_of(x2))
    return ArraySpec(shape, dtype)


# -- norms ------------------------------------------------------------------------------------


def norm_shape(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> ArraySpec:
    shape = shape_of(x)
    cost.norm_cost(shape, ord, axis)  # validates ord and axis
    axes = cost.norm_axes(shape, ord, axis)
    dtype = probe_dtype(np.linalg.norm, _array(x), ord, axis, keepdims)
    if axes is None:
        return ArraySpec((1,) * len(shape) if keepdims else (), dtype)
    return ArraySpec(reduced_shape(shape, axes, bool(keepdims)), dtype)


def matrix_norm_shape(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> ArraySpec:
    return norm_shape(x, ord, (-2, -1), keepdims)


def vector_norm_shape(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                      ord: Any = 2) -> ArraySpec:
    shape = shape_of(x)
    cost.vector_norm_call_cost(x, axis=axis, ord=ord)
    dtype = probe_dtype(np.linalg.vector_norm, _array(x), axis=axis, keepdims=keepdims, ord=ord)
    return ArraySpec(reduced_shape(shape, axis, bool(keepdims)), dtype)
