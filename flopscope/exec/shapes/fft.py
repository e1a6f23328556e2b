"""Shape rules of ``numpy.fft``.

The output replaces each transformed axis by its transform length: n for
complex transforms and inverse real ones, n//2 + 1 for forward real ones
(the half spectrum). Dtypes follow NumPy 2's pocketfft, which keeps the
input's precision (float32 in, complex64 out); they are probed with the
corresponding 1-D function on a one-element stand-in, since the dtype never
depends on lengths.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost import fft as cost
from flopscope.cost._shapes import normalize_axis, shape_of
from flopscope.exec.shapes import ArraySpec, is_arraylike, probe_dtype, spec_of

__all__ = [
    "fft_shape", "rfft_shape", "irfft_shape", "hfft_shape", "ihfft_shape",
    "fftn_shape", "rfftn_shape", "irfftn_shape", "fft2_shape", "rfft2_shape", "irfft2_shape",
    "fftfreq_shape", "rfftfreq_shape", "shift_shape",
]


def _one_d(a: Any, axis: Any, n: Any, default: Any, out_length: Any, probe: Any,
           norm: Any) -> ArraySpec:
    """1-D transform along ``axis``: the axis becomes ``out_length(n)``."""
    cost.check_norm(norm)
    shape = list(shape_of(a))
    ax = normalize_axis(axis, len(shape))
    length = default(shape[ax]) if n is None else n
    shape[ax] = out_length(cost.transform_length(length))
    return ArraySpec(tuple(shape), probe(a))


def _same(n: int) -> int:
    return n


def _half(n: int) -> int:
    return n // 2 + 1


def _twice_minus_one(m: int) -> int:
    return 2 * (m - 1)


def _array(x: Any) -> Any:
    """``x`` for :func:`probe_dtype`: arrays (real or abstract) as they are, data as an array.

    A nested list would otherwise reach NumPy whole (probe_dtype only shrinks
    arrays), computing the full result and mismatching shrunken operands.
    """
    return x if is_arraylike(x) else np.asarray(x)


def _complex_dtype(a: Any) -> np.dtype:
    return probe_dtype(np.fft.fft, _array(a))


def _real_forward_dtype(a: Any) -> np.dtype:
    return probe_dtype(np.fft.rfft, _array(a))


def _real_inverse_dtype(a: Any) -> np.dtype:
    return probe_dtype(np.fft.irfft, _array(a), 2)


def fft_shape(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
              out: Any = None) -> ArraySpec:
    """``fft`` / ``ifft``: length n, complex."""
    return _one_d(a, axis, n, _same, _same, _complex_dtype, norm)


def rfft_shape(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
               out: Any = None) -> ArraySpec:
    """``rfft``: the half spectrum, n//2 + 1 complex values."""
    return _one_d(a, axis, n, _same, _half, _real_forward_dtype, norm)


def ihfft_shape(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
                out: Any = None) -> ArraySpec:
    """``ihfft``: like ``rfft``."""
    return _one_d(a, axis, n, _same, _half, lambda x: probe_dtype(np.fft.ihfft, _array(x)), norm)


def irfft_shape(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
                out: Any = None) -> ArraySpec:
    """``irfft``: n real values, by default 2·(m − 1)."""
    return _one_d(a, axis, n, _twice_minus_one, _same, _real_inverse_dtype, norm)


def hfft_shape(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
               out: Any = None) -> ArraySpec:
    """``hfft``: like ``irfft``."""
    return _one_d(a, axis, n, _twice_minus_one, _same,
                  lambda x: probe_dtype(np.fft.hfft, _array(x), 2), norm)


def _nd(a: Any, s: Any, axes: Any, norm: Any, real: bool, inverse: bool) -> ArraySpec:
    cost.check_norm(norm)
    shape = list(shape_of(a))
    axes_list, lengths = cost.transform_lengths(shape, s, axes, inverse_real=real and inverse)
    for axis, n in zip(axes_list, lengths, strict=True):
        shape[axis] = n
    if not real:
        dtype = _complex_dtype(a) if axes_list else spec_of(a).dtype
    elif inverse:
        dtype = _real_inverse_dtype(a)
    else:
        shape[axes_list[-1]] = lengths[-1] // 2 + 1
        dtype = _real_forward_dtype(a)
    return ArraySpec(tuple(shape), dtype)


def fftn_shape(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
               out: Any = None) -> ArraySpec:
    """``fftn`` / ``ifftn``."""
    return _nd(a, s, axes, norm, real=False, inverse=False)


def rfftn_shape(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
                out: Any = None) -> ArraySpec:
    """``rfftn``: half spectrum along the last transformed axis."""
    return _nd(a, s, axes, norm, real=True, inverse=False)


def irfftn_shape(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
                 out: Any = None) -> ArraySpec:
    """``irfftn``: real output, last transformed axis by default 2·(m − 1)."""
    return _nd(a, s, axes, norm, real=True, inverse=True)


def fft2_shape(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
               out: Any = None) -> ArraySpec:
    """``fft2`` / ``ifft2``."""
    return _nd(a, s, axes, norm, real=False, inverse=False)


def rfft2_shape(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
                out: Any = None) -> ArraySpec:
    """``rfft2``."""
    return _nd(a, s, axes, norm, real=True, inverse=False)


def irfft2_shape(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
                 out: Any = None) -> ArraySpec:
    """``irfft2``."""
    return _nd(a, s, axes, norm, real=True, inverse=True)


# -- free helpers ---------------------------------------------------------------------------


def _sample_count(n: Any) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise ValueError("n should be an integer")
    return int(n)


def fftfreq_shape(n: Any, d: Any = 1.0, device: Any = None) -> ArraySpec:
    """``fftfreq``: n sample frequencies."""
    count = _sample_count(n)
    return ArraySpec((count,), probe_dtype(np.fft.fftfreq, 1, d))


def rfftfreq_shape(n: Any, d: Any = 1.0, device: Any = None) -> ArraySpec:
    """``rfftfreq``: n//2 + 1 non-negative sample frequencies."""
    count = _sample_count(n)
    return ArraySpec((count // 2 + 1,), probe_dtype(np.fft.rfftfreq, 1, d))


def shift_shape(x: Any, axes: Any = None) -> ArraySpec:
    """``fftshift`` / ``ifftshift``: a rolled copy, same shape and dtype."""
    spec = spec_of(x)
    if axes is not None:
        for axis in (axes,) if isinstance(axes, (int, np.integer)) else axes:
            normalize_axis(axis, len(spec.shape))
    return ArraySpec(spec.shape, spec.dtype)
