"""FFT costs: 5n·⌈log2 n⌉ per complex transform of length n (SPEC.md §2).

Conventions
-----------
* **Complex transforms** (``fft``, ``ifft``): 5n·⌈log2 n⌉ per transform of
  length n, times the number of transforms (the batch: the product of the
  other axes' lengths). 5n·log2 n is the classic count of a radix-2
  Cooley–Tukey FFT — n/2·log2 n butterflies, each one complex multiply
  (6 real flops) and two complex adds (4) — used as the conventional FFT
  flop count (C. Van Loan, *Computational Frameworks for the Fast Fourier
  Transform*, SIAM, 1992, §1.4; FFTW's benchmark "mflops" use the same
  5n·log2 n). It is the figure the SPEC fixes; it is not re-derived in FMA
  units.
* **Non-powers of two** use ⌈log2 n⌉ all the same: NumPy's pocketfft uses
  mixed-radix and Bluestein algorithms whose cost is within a small factor
  of the power-of-two count, and rounding up keeps costs integral and
  monotone in n. A transform of length 1 costs 0.
* **The length** n is the transform length after the ``n=`` / ``s=``
  argument pads or truncates the input, and costs are charged as if that
  padding / truncation happened before any transform.
* **Real transforms** (``rfft``, ``irfft``, ``hfft``, ``ihfft``) cost half
  a complex transform of the same (real-side) length, rounded up:
  ⌈5n·⌈log2 n⌉ / 2⌉. A length-n real transform is computed as a complex
  transform of length n/2 plus O(n) twiddling; ``irfft`` / ``hfft`` are
  charged by their real output length, ``rfft`` / ``ihfft`` by their real
  input length.
* **n-dimensional transforms** (``fft2``, ``fftn``, ``rfftn``...) are
  row-column algorithms: the sum over the transformed axes of the 1-D
  transforms along that axis, each times the number of lines along it (the
  product of the other axes' lengths in the output). For a complex transform
  of lengths n_1…n_d that is 5N·Σ⌈log2 n_i⌉ with N = Π n_i (≈ 5N·log2 N).
  ``rfftn`` / ``irfftn`` do the real transform on the last axis and complex
  ones, on the half-length spectrum, along the others.
* **Normalization** (``norm=``) scales by 1/n or 1/√n: one multiply per
  output element, a lower-order term, not charged.
* ``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift`` are free.
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

from flopscope.cost._shapes import ceil_log2, normalize_axis, numel, shape_of

__all__ = [
    "fft_cost", "ifft_cost", "rfft_cost", "irfft_cost", "hfft_cost", "ihfft_cost",
    "fftn_cost", "ifftn_cost", "rfftn_cost", "irfftn_cost",
    "fft2_cost", "ifft2_cost", "rfft2_cost", "irfft2_cost",
    "fft_call_cost", "rfft_call_cost", "irfft_call_cost",
    "fftn_call_cost", "rfftn_call_cost", "irfftn_call_cost",
    "fft2_call_cost", "rfft2_call_cost", "irfft2_call_cost",
    "transform_axes", "transform_lengths", "transform_length", "check_norm",
]

_NORMS = (None, "backward", "ortho", "forward")


# -- per-transform counts ------------------------------------------------------------------


def transform_length(n: Any) -> int:
    """A transform length: an integer ≥ 1, else NumPy's ValueError."""
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _batch(batch: Any) -> int:
    batch = operator.index(batch)
    if batch < 0:
        raise ValueError(f"batch must be non-negative, got {batch}")
    return batch


def _complex_1d(n: int) -> int:
    """One complex transform of length n: 5n·⌈log2 n⌉."""
    return 5 * n * ceil_log2(n)


def _real_1d(n: int) -> int:
    """One real transform of (real-side) length n: ⌈5n·⌈log2 n⌉ / 2⌉."""
    return -(-_complex_1d(n) // 2)


def fft_cost(n: int, batch: int = 1) -> int:
    """``batch`` complex FFTs of length n: batch · 5n·⌈log2 n⌉.

    >>> fft_cost(1024)
    51200
    >>> fft_cost(1000, batch=3)
    150000
    """
    return _batch(batch) * _complex_1d(transform_length(n))


def ifft_cost(n: int, batch: int = 1) -> int:
    """Inverse complex FFTs: the same as :func:`fft_cost`."""
    return fft_cost(n, batch)


def rfft_cost(n: int, batch: int = 1) -> int:
    """``batch`` real FFTs of real length n: batch · ⌈5n·⌈log2 n⌉ / 2⌉.

    >>> rfft_cost(1024)
    25600
    >>> rfft_cost(5)
    38
    """
    return _batch(batch) * _real_1d(transform_length(n))


def irfft_cost(n: int, batch: int = 1) -> int:
    """Inverse real FFTs with real *output* length n: :func:`rfft_cost`."""
    return rfft_cost(n, batch)


def hfft_cost(n: int, batch: int = 1) -> int:
    """FFTs of Hermitian-symmetric signals, real output length n (an ``irfft``).

    The same as :func:`rfft_cost`.
    """
    return rfft_cost(n, batch)


def ihfft_cost(n: int, batch: int = 1) -> int:
    """Inverse of :func:`hfft_cost`, real input length n (an ``rfft``): :func:`rfft_cost`."""
    return rfft_cost(n, batch)


# -- n-dimensional transforms ------------------------------------------------------------------


def _lines_cost(out_shape: Sequence[int], steps: Sequence[tuple[int, int, bool]]) -> int:
    """Row-column cost: each step (axis, n, real) transforms every line along ``axis``.

    The number of lines is the product of the other axes of ``out_shape``.
    """
    total = 0
    for axis, n, real in steps:
        lines = numel(tuple(d for i, d in enumerate(out_shape) if i != axis))
        total += lines * (_real_1d(n) if real else _complex_1d(n))
    return total


def _lengths(s: Sequence[int]) -> tuple[int, ...]:
    lengths = tuple(transform_length(n) for n in s)
    if not lengths:
        raise ValueError("s must contain at least one transform length")
    return lengths


def fftn_cost(s: Sequence[int], batch: int = 1) -> int:
    """``batch`` complex n-d FFTs of lengths ``s``: batch · 5N·Σ⌈log2 n_i⌉, N = Π n_i.

    >>> fftn_cost((64, 64))
    245760
    """
    lengths = _lengths(s)
    out = (_batch(batch), *lengths)
    return _lines_cost(out, [(i + 1, n, False) for i, n in enumerate(lengths)])


def ifftn_cost(s: Sequence[int], batch: int = 1) -> int:
    """Inverse complex n-d FFTs: the same as :func:`fftn_cost`."""
    return fftn_cost(s, batch)


def rfftn_cost(s: Sequence[int], batch: int = 1) -> int:
    """``batch`` real n-d FFTs of real lengths ``s``.

    A real transform of length s[-1] along the last axis for each of the
    Π s[:-1] lines, then complex transforms along the other axes over the
    half spectrum (last axis s[-1]//2 + 1).

    >>> rfftn_cost((64, 64))
    124800
    """
    lengths = _lengths(s)
    out = (_batch(batch), *lengths[:-1], lengths[-1] // 2 + 1)
    last = len(lengths)
    steps = [(last, lengths[-1], True)] + [(i + 1, n, False) for i, n in enumerate(lengths[:-1])]
    return _lines_cost(out, steps)


def irfftn_cost(s: Sequence[int], batch: int = 1) -> int:
    """Inverse real n-d FFTs with real output lengths ``s``: the same as :func:`rfftn_cost`."""
    return rfftn_cost(s, batch)


def _two(s: Sequence[int]) -> Sequence[int]:
    if len(s) != 2:
        raise ValueError(f"a 2-D transform needs two lengths, got {tuple(s)}")
    return s


def fft2_cost(s: Sequence[int], batch: int = 1) -> int:
    """2-D complex FFTs of lengths ``s = (n1, n2)``: :func:`fftn_cost`."""
    return fftn_cost(_two(s), batch)


def ifft2_cost(s: Sequence[int], batch: int = 1) -> int:
    """2-D inverse complex FFTs: :func:`fftn_cost`."""
    return fftn_cost(_two(s), batch)


def rfft2_cost(s: Sequence[int], batch: int = 1) -> int:
    """2-D real FFTs of real lengths ``s = (n1, n2)``: :func:`rfftn_cost`."""
    return rfftn_cost(_two(s), batch)


def irfft2_cost(s: Sequence[int], batch: int = 1) -> int:
    """2-D inverse real FFTs with real output lengths ``s``: :func:`rfftn_cost`."""
    return rfftn_cost(_two(s), batch)


# -- argument handling shared with the shape rules -------------------------------------------


def check_norm(norm: Any) -> None:
    """NumPy's ValueError for a ``norm=`` other than None, 'backward', 'ortho', 'forward'."""
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')


def transform_axes(shape: Sequence[int], s: Any, axes: Any) -> tuple[list[int], list[Any]]:
    """NumPy's n-d argument rules: the (normalized) axes and the requested lengths.

    Lengths are as given (None or -1 mean "the default for that axis"); with
    neither ``s`` nor ``axes`` every axis is transformed; with only ``s`` the
    last len(s) axes are.
    """
    ndim = len(shape)
    if axes is None:
        count = ndim if s is None else len(s)
        axes_list = list(range(ndim - count, ndim))
        if count > ndim:
            raise ValueError(f"s has {count} lengths for an array of {ndim} dimensions")
    else:
        axes_list = [normalize_axis(a, ndim) for a in axes]
    requested = [None] * len(axes_list) if s is None else list(s)
    if len(requested) != len(axes_list):
        raise ValueError("Shape and axes have different lengths.")
    return axes_list, requested


def transform_lengths(shape: Sequence[int], s: Any, axes: Any, inverse_real: bool = False
                      ) -> tuple[list[int], list[int]]:
    """Axes and transform lengths of an n-d call, with NumPy's defaults.

    A missing length (``s`` None, or an entry None / -1) is the input's
    length along that axis, except the last axis of an inverse real
    transform, whose default output length is 2·(m − 1).
    """
    axes_list, requested = transform_axes(shape, s, axes)
    lengths = []
    for i, (axis, n) in enumerate(zip(axes_list, requested, strict=True)):
        if n is None or n == -1:
            if inverse_real and i == len(axes_list) - 1 and (s is None or n is None):
                n = 2 * (shape[axis] - 1)
            else:
                n = shape[axis]
        lengths.append(transform_length(n))
    return axes_list, lengths


def _out_shape(shape: Sequence[int], axes: Sequence[int], lengths: Sequence[int]) -> list[int]:
    out = list(shape)
    for axis, n in zip(axes, lengths, strict=True):
        out[axis] = n
    return out


# -- cost rules: NumPy call arguments -> formula -------------------------------------------------


def _axis_and_batch(a: Any, axis: Any) -> tuple[tuple[int, ...], int, int]:
    shape = shape_of(a)
    ax = normalize_axis(axis, len(shape))
    batch = numel(tuple(d for i, d in enumerate(shape) if i != ax))
    return shape, ax, batch


def fft_call_cost(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> int:
    """Cost rule of ``fft`` / ``ifft``: batch · 5n·⌈log2 n⌉."""
    check_norm(norm)
    shape, ax, batch = _axis_and_batch(a, axis)
    return fft_cost(shape[ax] if n is None else n, batch)


def rfft_call_cost(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> int:
    """Cost rule of ``rfft`` / ``ihfft``: real input length n (default: the axis length)."""
    check_norm(norm)
    shape, ax, batch = _axis_and_batch(a, axis)
    return rfft_cost(shape[ax] if n is None else n, batch)


def irfft_call_cost(a: Any, n: Any = None, axis: int = -1, norm: Any = None,
                    out: Any = None) -> int:
    """Cost rule of ``irfft`` / ``hfft``: real output length n (default 2·(m − 1))."""
    check_norm(norm)
    shape, ax, batch = _axis_and_batch(a, axis)
    return irfft_cost(2 * (shape[ax] - 1) if n is None else n, batch)


def _nd_call_cost(a: Any, s: Any, axes: Any, norm: Any, real: bool, inverse: bool) -> int:
    check_norm(norm)
    shape = shape_of(a)
    axes_list, lengths = transform_lengths(shape, s, axes, inverse_real=real and inverse)
    out = _out_shape(shape, axes_list, lengths)
    steps = [(axis, n, False) for axis, n in zip(axes_list, lengths, strict=True)]
    if real:
        last_axis = axes_list[-1]
        out[last_axis] = lengths[-1] // 2 + 1
        steps[-1] = (last_axis, lengths[-1], True)
    return _lines_cost(out, steps)


def fftn_call_cost(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
                   out: Any = None) -> int:
    """Cost rule of ``fftn`` / ``ifftn``."""
    return _nd_call_cost(a, s, axes, norm, real=False, inverse=False)


def rfftn_call_cost(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
                    out: Any = None) -> int:
    """Cost rule of ``rfftn``."""
    return _nd_call_cost(a, s, axes, norm, real=True, inverse=False)


def irfftn_call_cost(a: Any, s: Any = None, axes: Any = None, norm: Any = None,
                     out: Any = None) -> int:
    """Cost rule of ``irfftn``."""
    return _nd_call_cost(a, s, axes, norm, real=True, inverse=True)


def fft2_call_cost(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
                   out: Any = None) -> int:
    """Cost rule of ``fft2`` / ``ifft2``."""
    return _nd_call_cost(a, s, axes, norm, real=False, inverse=False)


def rfft2_call_cost(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
                    out: Any = None) -> int:
    """Cost rule of ``rfft2``."""
    return _nd_call_cost(a, s, axes, norm, real=True, inverse=False)


def irfft2_call_cost(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None,
                     out: Any = None) -> int:
    """Cost rule of ``irfft2``."""
    return _nd_call_cost(a, s, axes, norm, real=True, inverse=True)
