"""Costs of the operations that look free but compute.

``trace``, ``diff``, ``gradient``, ``convolve``, ``interp``, ``cross``,
``trapezoid``, ``vander``, the sample-spacing functions (``logspace``,
``geomspace``),
bit packing, and the compound elementwise functions (``isclose``, ``sinc``,
``i0``, ``nan_to_num``, ``unwrap``...): each does arithmetic on every element
even when it reads like bookkeeping.

How the counts are made
-----------------------
In FMA units (SPEC.md section 2), one FLOP per arithmetic operation,
comparison, test or selection on one element, with a product that is
immediately added to something counted once (a fused multiply-add).

* A function NumPy writes as a sequence of ufunc and reduction calls is
  charged what that sequence costs in flopscope: each elementwise step
  ``numel(its output)``, each reduction ``numel(its input)``. The derivation
  in each docstring lists the steps, so the count can be checked against
  NumPy's source line by line, and a user who writes the same steps with
  ``fnp`` pays the same.
* A function NumPy implements as one C loop (``convolve``, ``interp``,
  ``packbits``) is charged the operation count of that loop.
* Arithmetic on Python or 0-d scalars (step sizes, tolerances) is not
  charged; a complex element counts as one element, as in every other
  flopscope formula. Where NumPy processes real and imaginary parts in two
  separate passes, both passes are charged.
* Creation. Filling an array with constants, copies or an evenly spaced
  progression is free (SPEC.md section 2 lists ``arange`` as free creation):
  ``zeros``, ``full``, ``eye``, ``array``, ``arange`` **and** ``linspace``,
  which computes the same progression as ``arange`` and so is charged the
  same, nothing. Creation that evaluates a function per element is charged
  that function: ``logspace`` a power per sample (what ``base **
  fnp.linspace(...)`` costs), ``geomspace`` a power and a sign per sample
  plus its endpoint logarithms.
* Extra work whose extent depends on the data (masked corrections) is charged
  at its upper bound; recovery paths that only run on NaN input are not
  charged (their tests are).
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from flopscope.cost._shapes import (
    broadcast_shapes,
    ceil_log2,
    normalize_axes,
    normalize_axis,
    numel,
    shape_of,
)
from flopscope.cost.sorting import sort_cost

__all__ = [
    # formulas
    "trace_cost", "diff_cost", "ediff1d_cost", "gradient_cost", "convolve_cost",
    "correlate_cost", "interp_cost", "cross_cost", "trapezoid_cost", "vander_cost",
    "edges_linspace_cost", "logspace_cost", "geomspace_cost", "packbits_cost", "unpackbits_cost",
    "clip_cost", "round_cost", "fix_cost", "nan_to_num_cost", "angle_cost", "sinc_cost",
    "i0_cost", "unwrap_cost", "isclose_cost", "allclose_cost", "array_equal_cost",
    "array_equiv_cost", "iscomplex_cost", "isreal_cost", "isneginf_cost", "isposinf_cost",
    "real_if_close_cost",
    # cost rules
    "trace_call_cost", "diff_call_cost", "ediff1d_call_cost", "gradient_call_cost",
    "convolve_call_cost", "correlate_call_cost", "interp_call_cost", "cross_call_cost",
    "trapezoid_call_cost", "vander_call_cost", "logspace_call_cost",
    "geomspace_call_cost", "packbits_call_cost", "unpackbits_call_cost", "clip_call_cost",
    "round_call_cost", "fix_call_cost", "nan_to_num_call_cost", "angle_call_cost",
    "sinc_call_cost", "i0_call_cost", "unwrap_call_cost", "isclose_call_cost",
    "allclose_call_cost", "array_equal_call_cost", "array_equiv_call_cost",
    "iscomplex_call_cost", "isreal_call_cost", "isneginf_call_cost", "isposinf_call_cost",
    "real_if_close_call_cost",
    # helpers shared with the shape rules
    "diagonal_length", "convolution_length", "unpacked_length",
]

_NO_VALUE = np._NoValue


def _dtype(x: Any) -> np.dtype:
    dtype = getattr(x, "dtype", None)
    return np.dtype(dtype) if dtype is not None else np.asarray(x).dtype


def _size(x: Any) -> int:
    return numel(shape_of(x))


def _bshape(*xs: Any) -> tuple[int, ...]:
    """Broadcast shape of the array-like arguments that are given (``None`` / no-value skipped)."""
    return broadcast_shapes(*(shape_of(x) for x in xs if x is not None and x is not _NO_VALUE))


# == sums and differences along an axis ==================================================


def diagonal_length(rows: int, cols: int, offset: int) -> int:
    """Length of the ``offset`` diagonal of a ``rows`` × ``cols`` matrix (0 if it misses)."""
    if offset >= 0:
        return max(0, min(rows, cols - offset))
    return max(0, min(rows + offset, cols))


def trace_cost(diagonal: int, batch: int = 1) -> int:
    """``trace``: the sum of a diagonal of length d, d FLOPs per matrix (a reduction of its input).

    >>> trace_cost(256)
    256
    """
    return batch * diagonal


def trace_call_cost(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
                    out: Any = None) -> int:
    """Cost rule of ``trace`` and ``ndarray.trace``."""
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = normalize_axis(axis1, len(shape)), normalize_axis(axis2, len(shape))
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rows, cols = shape[ax1], shape[ax2]
    batch = numel(shape) // (rows * cols) if rows * cols else 0
    return trace_cost(diagonal_length(rows, cols, int(offset)), batch)


def diff_cost(length: int, n: int = 1, slices: int = 1) -> int:
    """``diff`` of order n along an axis of ``length``: Σ_{k=1..n} (length − k) per slice.

    Each order is one subtraction (``not_equal`` for booleans) per element
    of its output, which is one shorter than its input.

    >>> diff_cost(10, n=2)               # 9 + 8
    17
    """
    return slices * sum(max(length - k, 0) for k in range(1, n + 1))


def _extension_length(extra: Any, axis: int, ndim: int) -> int:
    if extra is _NO_VALUE:
        return 0
    shape = shape_of(extra)
    if not shape:
        return 1
    if len(shape) != ndim:
        raise ValueError("all the input arrays must have same number of dimensions")
    return shape[axis]


def diff_call_cost(a: Any, n: int = 1, axis: int = -1, prepend: Any = _NO_VALUE,
                   append: Any = _NO_VALUE) -> int:
    """Cost rule of ``diff``: ``prepend`` / ``append`` lengthen the axis first."""
    if n == 0:
        return 0
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    shape = shape_of(a)
    if not shape:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = normalize_axis(axis, len(shape))
    length = (shape[ax] + _extension_length(prepend, ax, len(shape))
              + _extension_length(append, ax, len(shape)))
    slices = numel(shape[:ax] + shape[ax + 1:])
    return diff_cost(length, n, slices)


def ediff1d_cost(n: int) -> int:
    """``ediff1d`` of n values: n − 1 subtractions (``to_begin`` / ``to_end`` padding is free).

    >>> ediff1d_cost(100)
    99
    """
    return max(n - 1, 0)


def ediff1d_call_cost(ary: Any, to_end: Any = None, to_begin: Any = None) -> int:
    """Cost rule of ``ediff1d``."""
    return ediff1d_cost(_size(ary))


def gradient_cost(shape: Sequence[int], axes: Sequence[int] | None = None, *,
                  edge_order: int = 1, coordinate_axes: Sequence[int] = ()) -> int:
    """``gradient`` of an array of ``shape`` along ``axes`` (default: all).

    Per axis of length n, with N = numel(shape) and s = N / n slices:

    * uniform spacing (a scalar or no spacing): central differences
      ``(f[i+1] − f[i−1]) / 2h`` inside (2 per element), one-sided
      ``(f[1] − f[0]) / h`` at both edges (2 per element) for
      ``edge_order=1``: **2N**; second-order edges ``a·f0 + b·f1 + c·f2``
      (one product and two fused multiply-adds, 3 per element): **2N + 2s**;
    * coordinates (a 1-D array of n positions, ``coordinate_axes``): the
      spacings and NumPy's test for equal spacing (3 per interval, 3(n − 1)),
      the three weights of every interior point (a, b, c: 4 + 3 + 3 = 10,
      10(n − 2)), the interior ``a·f[i−1] + b·f[i] + c·f[i+1]`` (3 per
      element) and the edges (2 or 3 per element as above):
      **3(n − 1) + 10(n − 2) + 3(N − 2s) + 4s** (``edge_order=1``) or
      **... + 6s** (``edge_order=2``). Equally spaced coordinates make NumPy
      fall back to the uniform formula, which the charge does not assume.

    >>> gradient_cost((100,))
    200
    """
    shape = tuple(shape)
    axes = range(len(shape)) if axes is None else axes
    total = 0
    big_n = numel(shape)
    for axis in axes:
        n = shape[axis]
        s = big_n // n if n else 0
        second = edge_order != 1
        if axis in coordinate_axes:
            weights = 3 * max(n - 1, 0) + 10 * max(n - 2, 0)
            total += weights + 3 * (big_n - 2 * s) + (6 if second else 4) * s
        else:
            total += 2 * big_n + (2 * s if second else 0)
    return total


def gradient_call_cost(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> int:
    """Cost rule of ``gradient``."""
    shape = shape_of(f)
    axes = normalize_axes(axis, len(shape))
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis")
    coordinate_axes = []
    if len(varargs) == len(axes) and not (len(varargs) == 1 and not shape_of(varargs[0])):
        for ax, spacing in zip(axes, varargs):
            spacing_shape = shape_of(spacing)
            if len(spacing_shape) > 1:
                raise ValueError("distances must be either scalars or 1d")
            if spacing_shape:
                if spacing_shape[0] != shape[ax]:
                    raise ValueError("when 1d, distances must match the length of the "
                                     "corresponding dimension")
                coordinate_axes.append(ax)
    elif len(varargs) > 1 or (len(varargs) == 1 and shape_of(varargs[0])):
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    for ax in axes:
        if shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
    return gradient_cost(shape, axes, edge_order=edge_order, coordinate_axes=coordinate_axes)


# == convolution and interpolation ======================================================

_MODES = {"valid": 0, "same": 1, "full": 2, 0: 0, 1: 1, 2: 2}


def _mode(mode: Any) -> int:
    try:
        return _MODES[mode]
    except (KeyError, TypeError):
        raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})") from None


def convolution_length(n: int, m: int, mode: Any) -> int:
    """Output length of ``convolve`` / ``correlate`` of lengths n and m in ``mode``."""
    code = _mode(mode)
    if code == 2:
        return n + m - 1
    if code == 1:
        return max(n, m)
    return max(n, m) - min(n, m) + 1


def _overlap_prefix(k: int, n: int, m: int) -> int:
    """Σ over full-output positions i < k of the overlap min(i + 1, s, n + m − 1 − i)."""
    s, big = min(n, m), max(n, m)
    k = max(0, min(k, n + m - 1))

    def tri(j: int) -> int:
        return j * (j + 1) // 2

    rising = tri(min(k, s - 1))
    plateau = s * max(0, min(k, big) - (s - 1))
    falling = tri(s - 1) - tri(n + m - 1 - k) if k > big else 0
    return rising + plateau + falling


def convolve_cost(n: int, m: int, mode: Any = "full") -> int:
    """Direct convolution of lengths n and m: one multiply-add per overlapping pair.

    NumPy convolves directly (no FFT): output position i of the full result
    sums min(i + 1, s, n + m − 1 − i) products, s = min(n, m), a trapezoid
    that sums to n·m over the full output. ``'valid'`` keeps the
    max(n, m) − s + 1 positions of full overlap, s·(max(n, m) − s + 1);
    ``'same'`` keeps max(n, m) positions centred on the full output (the
    trapezoid is symmetric, so either centring convention gives the same
    sum).

    >>> convolve_cost(100, 10)
    1000
    >>> convolve_cost(100, 10, "valid")
    910
    """
    code = _mode(mode)
    if n <= 0 or m <= 0:
        return 0
    length = convolution_length(n, m, code)
    start = (n + m - 1 - length) // 2
    return _overlap_prefix(start + length, n, m) - _overlap_prefix(start, n, m)


def correlate_cost(n: int, m: int, mode: Any = "valid") -> int:
    """Cross-correlation: the same products as :func:`convolve_cost` (default mode ``'valid'``).

    >>> correlate_cost(100, 10)
    910
    """
    return convolve_cost(n, m, mode)


def _signal_length(x: Any, name: str) -> int:
    shape = shape_of(x)
    if len(shape) > 1:
        raise ValueError("object too deep for desired array")
    length = shape[0] if shape else 1
    if length == 0:
        raise ValueError(f"{name} cannot be empty")
    return length


def convolve_call_cost(a: Any, v: Any, mode: Any = "full") -> int:
    """Cost rule of ``convolve``."""
    return convolve_cost(_signal_length(a, "a"), _signal_length(v, "v"), mode)


def correlate_call_cost(a: Any, v: Any, mode: Any = "valid") -> int:
    """Cost rule of ``correlate``."""
    return correlate_cost(_signal_length(a, "a"), _signal_length(v, "v"), mode)


def interp_cost(n_points: int, n_table: int, periodic: bool = False) -> int:
    """``interp`` of ``n_points`` queries in a table of ``n_table`` samples.

    NumPy's C loop, per query: a NaN test (1), a binary search for the
    bracketing interval (⌈log2(n_table + 1)⌉ comparisons, as for
    ``searchsorted``), a test for an exact hit (1) and the interpolation
    ``slope·(x − xp[j]) + fp[j]`` (a subtraction and a fused multiply-add,
    2). Slopes ``(fp[j+1] − fp[j]) / (xp[j+1] − xp[j])`` cost 3 each: NumPy
    precomputes all n_table − 1 of them when the table is no longer than the
    queries, else computes one per query. A one-sample table costs two
    comparisons per query. ``period=`` first reduces the queries and the
    table modulo the period (n_points + n_table), sorts the table
    (n_table·⌈log2 n_table⌉) and pads it by two (2).

    >>> interp_cost(1000, 100)           # 1000·(7 + 4) + 3·99
    11297
    """
    extra = 0
    if periodic:
        extra = n_points + n_table + sort_cost(n_table) + 2
        n_table += 2
    if n_table == 1:
        return extra + 2 * n_points
    slopes = 3 * min(n_table - 1, n_points)
    return extra + n_points * (ceil_log2(n_table + 1) + 4) + slopes


def interp_call_cost(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
                     period: Any = None) -> int:
    """Cost rule of ``interp``."""
    xp_shape, fp_shape = shape_of(xp), shape_of(fp)
    if len(xp_shape) > 1 or len(fp_shape) > 1:
        raise ValueError("object too deep for desired array")
    n_table = xp_shape[0] if xp_shape else 1
    if n_table == 0:
        raise ValueError("array of sample points is empty")
    if (fp_shape[0] if fp_shape else 1) != n_table:
        raise ValueError("fp and xp are not of the same length.")
    if period is not None and period == 0:
        raise ValueError("period must be a non-zero value")
    return interp_cost(_size(x), n_table, periodic=period is not None)


# == small fixed-size products ============================================================

#: ``cross`` per output vector, by the lengths of the two input vectors.
_CROSS_OPS = {(2, 2): 2, (3, 3): 6, (2, 3): 5, (3, 2): 5}


def cross_cost(vectors: int, a_dim: int = 3, b_dim: int = 3) -> int:
    """``cross`` of ``vectors`` pairs of 2- or 3-vectors.

    3 × 3: each component ``a_i·b_j − a_j·b_i`` is a product and a fused
    multiply-add, 6 per pair. 2 × 2 (a scalar ``a0·b1 − a1·b0``): 2.
    Mixed 2 × 3 or 3 × 2 (the 2-vector's z taken as 0): two single products,
    one negation and one two-term component, 5.

    >>> cross_cost(1000)
    6000
    """
    if (a_dim, b_dim) not in _CROSS_OPS:
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    return vectors * _CROSS_OPS[(a_dim, b_dim)]


def cross_call_cost(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                    axis: Any = None) -> int:
    """Cost rule of ``cross``."""
    if axis is not None:
        axisa = axisb = axis
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        raise ValueError("At least one array has zero dimension")
    ia, ib = normalize_axis(axisa, len(sa)), normalize_axis(axisb, len(sb))
    batch = broadcast_shapes(sa[:ia] + sa[ia + 1:], sb[:ib] + sb[ib + 1:])
    return cross_cost(numel(batch), sa[ia], sb[ib])


def trapezoid_cost(n: int, slices: int = 1, x_slices: int = 0) -> int:
    """``trapezoid`` over n samples: 4 FLOPs per interval, plus the spacings of ``x``.

    NumPy evaluates ``(d·(y[1:] + y[:-1]) / 2).sum()``: per interval an
    addition, a product with the spacing, a halving and the sum (4). Sample
    positions ``x`` add one subtraction per interval of each of its
    ``x_slices`` slices (``diff(x)``; 1 for a 1-D ``x``).

    >>> trapezoid_cost(101)
    400
    """
    intervals = max(n - 1, 0)
    return 4 * intervals * slices + intervals * x_slices


def trapezoid_call_cost(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> int:
    """Cost rule of ``trapezoid``."""
    shape = shape_of(y)
    if not shape:
        raise IndexError("list assignment index out of range")
    ax = normalize_axis(axis, len(shape))
    n = shape[ax]
    slices = numel(shape[:ax] + shape[ax + 1:])
    x_slices = 0
    if x is not None:
        x_shape = shape_of(x)
        x_slices = 1 if len(x_shape) == 1 else numel(x_shape) // max(x_shape[ax], 1)
    return trapezoid_cost(n, slices, x_slices)


def vander_cost(n: int, columns: int) -> int:
    """``vander``: the powers x^1..x^(N−1) by ``multiply.accumulate``, n·(N − 1).

    A cumulative product costs numel(input) (the reduction convention),
    here the n × (N − 1) block of copies of x; the column of ones is free.

    >>> vander_cost(100, 5)
    400
    """
    return n * max(columns - 1, 0)


def vander_call_cost(x: Any, N: Any = None, increasing: bool = False) -> int:
    """Cost rule of ``vander``."""
    shape = shape_of(x)
    if len(shape) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    columns = shape[0] if N is None else int(N)
    if columns < 0:
        raise ValueError("negative dimensions are not allowed")
    return vander_cost(shape[0], columns)


# == sample spacing =========================================================================


def edges_linspace_cost(num: int) -> int:
    """The arithmetic of the ``linspace`` NumPy runs *inside* ``histogram`` for its edges.

    Per edge a scaling and a shift, ``arange(num)·step + start`` (2), plus the
    difference, the step and NumPy's zero-step test (3). A user's own
    ``fnp.linspace`` is free creation (see "Creation" below); this is part of
    ``histogram``'s documented formula, unchanged.

    >>> edges_linspace_cost(11)          # 11·2 + 3
    25
    """
    return 2 * num + (3 if num > 1 else 1)


def logspace_cost(num: int, batch_shape: Sequence[int] = (), *, endpoint: bool = True,
                  base_shape: Sequence[int] = ()) -> int:
    """``logspace``: ``base ** linspace(start, stop, num)``, one power per sample.

    The exponents are an evenly spaced progression, free creation like
    ``arange`` and ``linspace``; each sample then takes a power (1), exactly
    what ``base ** fnp.linspace(...)`` is charged.

    >>> logspace_cost(50)                # 50 powers
    50
    """
    return num * numel(broadcast_shapes(tuple(batch_shape), tuple(base_shape)))


def logspace_call_cost(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                       base: Any = 10.0, dtype: Any = None, axis: int = 0) -> int:
    """Cost rule of ``logspace``."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    return logspace_cost(num, _bshape(start, stop), endpoint=endpoint,
                         base_shape=shape_of(base))


def geomspace_cost(num: int, batch_shape: Sequence[int] = (), *, endpoint: bool = True) -> int:
    """``geomspace``: sign and log of the endpoints, a :func:`logspace_cost`, the sign back.

    Per pair of endpoints: NumPy's zero tests and their ``any`` (4), the sign,
    two divisions by it and two ``log10`` (5). Per sample: the power of the
    logspace (1), then a multiplication by the sign (1).

    >>> geomspace_cost(50)               # 9 + 50 + 50
    109
    """
    batch = numel(tuple(batch_shape))
    return 9 * batch + logspace_cost(num, batch_shape, endpoint=endpoint) + num * batch


def geomspace_call_cost(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                        dtype: Any = None, axis: int = 0) -> int:
    """Cost rule of ``geomspace``."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    return geomspace_cost(num, _bshape(start, stop), endpoint=endpoint)


# == bits ======================================================================================


def packbits_cost(bits: int) -> int:
    """``packbits``: one shift-and-or per input element, numel(input).

    >>> packbits_cost(800)
    800
    """
    return bits


def unpackbits_cost(bits: int) -> int:
    """``unpackbits``: one shift-and-mask per output bit, numel(output).

    >>> unpackbits_cost(800)
    800
    """
    return bits


def packbits_call_cost(a: Any, /, axis: Any = None, bitorder: str = "big") -> int:
    """Cost rule of ``packbits``."""
    kind = _dtype(a).kind
    if kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    shape = shape_of(a)
    if axis is not None:
        normalize_axis(axis, len(shape))
    return packbits_cost(numel(shape))


def unpacked_length(length: int, count: Any) -> int:
    """Length of an unpacked axis of ``length`` bytes given ``count`` (NumPy's rules)."""
    bits = 8 * length
    if count is None:
        return bits
    count = int(count)
    if count < 0:
        if -count > bits:
            raise ValueError("-count larger than number of elements")
        return bits + count
    return count


def unpackbits_call_cost(a: Any, /, axis: Any = None, count: Any = None,
                         bitorder: str = "big") -> int:
    """Cost rule of ``unpackbits``."""
    if _dtype(a) != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    shape = shape_of(a)
    if axis is None:
        return unpackbits_cost(unpacked_length(numel(shape), count))
    ax = normalize_axis(axis, len(shape))
    others = numel(shape[:ax] + shape[ax + 1:])
    return unpackbits_cost(others * unpacked_length(shape[ax], count))


# == compound elementwise functions ===========================================================


def clip_cost(size: int) -> int:
    """``clip``: NumPy's one ``clip`` ufunc (or one ``minimum`` / ``maximum``), numel(output).

    >>> clip_cost(1000)
    1000
    """
    return size


def clip_call_cost(a: Any, a_min: Any = _NO_VALUE, a_max: Any = _NO_VALUE, out: Any = None, *,
                   min: Any = _NO_VALUE, max: Any = _NO_VALUE, **kwargs: Any) -> int:
    """Cost rule of ``clip`` and ``ndarray.clip`` (without bounds NumPy still makes a pass)."""
    return clip_cost(numel(_bshape(a, a_min, a_max, min, max, out)))


def round_cost(size: int, decimals: int = 0, kind: str = "f") -> int:
    """``round`` / ``around`` to ``decimals`` places, per element of dtype ``kind``.

    ``decimals=0`` is one ``rint``; otherwise NumPy scales by 10^decimals,
    rounds and scales back (3). Integers are returned unchanged for
    ``decimals ≥ 0`` (0). NumPy rounds a complex array's real and imaginary
    parts in two passes (×2).

    >>> round_cost(1000, decimals=2)
    3000
    """
    if kind in "biu" and decimals >= 0:
        return 0
    per_element = 1 if decimals == 0 else 3
    return size * per_element * (2 if kind == "c" else 1)


def round_call_cost(a: Any, decimals: int = 0, out: Any = None) -> int:
    """Cost rule of ``round``, ``around`` and ``ndarray.round``."""
    return round_cost(numel(_bshape(a, out)), int(decimals), _dtype(a).kind)


def fix_cost(size: int) -> int:
    """``fix``: NumPy's ``trunc``, one per element.

    >>> fix_cost(10)
    10
    """
    return size


def fix_call_cost(x: Any, out: Any = None) -> int:
    """Cost rule of ``fix``."""
    return fix_cost(numel(_bshape(x, out)))


#: ``nan_to_num`` per real component: ``isnan`` (1), ``isposinf`` (``isinf``,
#: ``signbit``, its inversion and a logical and: 4), ``isneginf`` (3) and the
#: three masked replacements (3).
_NAN_TO_NUM_OPS = 11


def nan_to_num_cost(size: int, kind: str = "f") -> int:
    """``nan_to_num``: 11 per real value, 22 per complex value, 0 for non-float data.

    Per real component NumPy computes the NaN, +inf and −inf masks and makes
    three masked replacements; see :data:`_NAN_TO_NUM_OPS`. A complex array's
    real and imaginary parts are processed in two passes. Integer and boolean
    arrays are returned as they are.

    >>> nan_to_num_cost(100)
    1100
    """
    if kind not in "fc":
        return 0
    return size * _NAN_TO_NUM_OPS * (2 if kind == "c" else 1)


def nan_to_num_call_cost(x: Any, copy: bool = True, nan: Any = 0.0, posinf: Any = None,
                         neginf: Any = None) -> int:
    """Cost rule of ``nan_to_num``."""
    return nan_to_num_cost(_size(x), _dtype(x).kind)


def angle_cost(size: int, deg: bool = False) -> int:
    """``angle``: ``arctan2(imag, real)`` per element (1), and a scaling for ``deg=True`` (1).

    >>> angle_cost(10, deg=True)
    20
    """
    return size * (2 if deg else 1)


def angle_call_cost(z: Any, deg: bool = False) -> int:
    """Cost rule of ``angle``."""
    return angle_cost(_size(z), bool(deg))


def sinc_cost(size: int) -> int:
    """``sinc``: ``y = where(πx, πx, eps); sin(y) / y``: π·x, the select, sin, the division (4).

    >>> sinc_cost(10)
    40
    """
    return 4 * size


def sinc_call_cost(x: Any) -> int:
    """Cost rule of ``sinc``."""
    return sinc_cost(_size(x))


#: ``i0`` per element: see :func:`i0_cost`.
_I0_OPS = 2 + max(2 + 2 * 29 + 2 + 2, 2 + 2 * 24 + 2 + 4)


def i0_cost(size: int) -> int:
    """``i0``, the modified Bessel function of order 0: 66 per element.

    NumPy (coefficients from the Cephes library, Moshier 1989) takes |x| and
    tests |x| ≤ 8 (2), then evaluates one of two Chebyshev series by
    Clenshaw's recurrence ``b0 = x·b1 − b2 + c_k`` (Clenshaw, "Chebyshev series
    for mathematical functions", NPL Mathematical Tables vol. 5, 1962): a fused
    multiply-add and an addition, 2 per coefficient after the first:

    * |x| ≤ 8: argument x/2 − 2 (2), 30 coefficients (2·29), result
      0.5·(b0 − b2) (2), times exp(x) (2): 64;
    * |x| > 8: argument 32/x − 2 (2), 25 coefficients (2·24), result (2),
      times exp(x), divided by sqrt(x) (4): 56.

    Which branch an element takes depends on its value, so every element is
    charged the longer one: 2 + 64 = 66.

    >>> i0_cost(10)
    660
    """
    return _I0_OPS * size


def i0_call_cost(x: Any) -> int:
    """Cost rule of ``i0``."""
    if _dtype(x).kind == "c":
        raise TypeError("i0 not supported for complex values")
    return i0_cost(_size(x))


def unwrap_cost(differences: int, boundary_ambiguous: bool = True) -> int:
    """``unwrap``: 14 FLOPs per difference along the axis (10 without the boundary fix).

    Per difference: ``diff`` (1); ``mod(dd − low, period) + low`` (3); the
    fix of values landing exactly on the lower boundary, a masked copy under
    ``(ddmod == low) & (dd > 0)`` (4, skipped by NumPy for integer data with
    an odd period); the correction ``ddmod − dd`` (1); zeroing small jumps,
    a masked copy under ``abs(dd) < discont`` (3); its cumulative sum (1)
    and the addition to the phases (1).

    >>> unwrap_cost(99)
    1386
    """
    return differences * (14 if boundary_ambiguous else 10)


def unwrap_call_cost(p: Any, discont: Any = None, axis: int = -1, *,
                     period: Any = 2 * np.pi) -> int:
    """Cost rule of ``unwrap``."""
    shape = shape_of(p)
    ax = normalize_axis(axis, len(shape))
    differences = numel(shape[:ax] + (max(shape[ax] - 1, 0),) + shape[ax + 1:])
    dtype = np.result_type(_dtype(p), period)
    ambiguous = not (np.issubdtype(dtype, np.integer) and int(period) % 2 == 1)
    return unwrap_cost(differences, ambiguous)


def isclose_cost(size: int, equal_nan: bool = False) -> int:
    """``isclose``: 9 per element of the broadcast inputs, 13 with ``equal_nan``.

    NumPy computes ``(|x − y| ≤ atol + rtol·|y|) & isfinite(y) | (x == y)``:
    subtraction, two absolute values, a fused multiply-add for the
    tolerance, the comparison, ``isfinite``, the and, the equality and the
    or (9); ``equal_nan`` adds ``isnan(x) & isnan(y)`` or-ed in (4).

    >>> isclose_cost(100)
    900
    """
    return size * (13 if equal_nan else 9)


def isclose_call_cost(a: Any, b: Any, rtol: Any = 1e-05, atol: Any = 1e-08,
                      equal_nan: bool = False) -> int:
    """Cost rule of ``isclose``."""
    return isclose_cost(numel(_bshape(a, b, rtol, atol)), bool(equal_nan))


def allclose_cost(size: int, equal_nan: bool = False) -> int:
    """``allclose``: :func:`isclose_cost` and an ``all`` over its result (1 per element).

    >>> allclose_cost(100)
    1000
    """
    return isclose_cost(size, equal_nan) + size


def allclose_call_cost(a: Any, b: Any, rtol: Any = 1e-05, atol: Any = 1e-08,
                       equal_nan: bool = False) -> int:
    """Cost rule of ``allclose``."""
    return allclose_cost(numel(_bshape(a, b, rtol, atol)), bool(equal_nan))


def array_equal_cost(size: int, equal_nan: bool = False, same_shape: bool = True) -> int:
    """``array_equal``: 0 for different shapes, 2 per element, 7 with NaN-aware comparison.

    Different shapes: NumPy answers False without looking at the data.
    Otherwise the elementwise equality and an ``all`` (2). With
    ``equal_nan=True`` on NaN-capable data: both NaN masks, their equality
    and its ``all``, the inverted mask, then the equality of the non-NaN
    values and its ``all`` (charged at their upper bound): 7.

    >>> array_equal_cost(100)
    200
    """
    if not same_shape:
        return 0
    return size * (7 if equal_nan else 2)


def array_equal_call_cost(a1: Any, a2: Any, equal_nan: bool = False) -> int:
    """Cost rule of ``array_equal``."""
    s1, s2 = shape_of(a1), shape_of(a2)
    nan_capable = _dtype(a1).kind in "fcmM" or _dtype(a2).kind in "fcmM"
    return array_equal_cost(numel(s1), bool(equal_nan) and nan_capable, s1 == s2)


def array_equiv_cost(size: int) -> int:
    """``array_equiv``: the equality of the broadcast inputs and an ``all``, 2 per element.

    Inputs that do not broadcast cost nothing (NumPy answers False).

    >>> array_equiv_cost(100)
    200
    """
    return 2 * size


def array_equiv_call_cost(a1: Any, a2: Any) -> int:
    """Cost rule of ``array_equiv``."""
    try:
        shape = broadcast_shapes(shape_of(a1), shape_of(a2))
    except ValueError:
        return 0
    return array_equiv_cost(numel(shape))


def iscomplex_cost(size: int, complex_input: bool = True) -> int:
    """``iscomplex``: ``imag != 0`` for complex input (1 per element); real input is free.

    >>> iscomplex_cost(10), iscomplex_cost(10, complex_input=False)
    (10, 0)
    """
    return size if complex_input else 0


def iscomplex_call_cost(x: Any) -> int:
    """Cost rule of ``iscomplex``."""
    return iscomplex_cost(_size(x), _dtype(x).kind == "c")


def isreal_cost(size: int) -> int:
    """``isreal``: ``imag(x) == 0``, 1 per element (NumPy compares even for real input).

    >>> isreal_cost(10)
    10
    """
    return size


def isreal_call_cost(x: Any) -> int:
    """Cost rule of ``isreal``."""
    return isreal_cost(_size(x))


def isneginf_cost(size: int) -> int:
    """``isneginf``: ``isinf(x) & signbit(x)``, 3 per element.

    >>> isneginf_cost(10)
    30
    """
    return 3 * size


def isposinf_cost(size: int) -> int:
    """``isposinf``: ``isinf(x) & ~signbit(x)``, 4 per element.

    >>> isposinf_cost(10)
    40
    """
    return 4 * size


def _check_infinity_input(x: Any) -> None:
    if _dtype(x).kind == "c":
        raise TypeError(f"This operation is not supported for {_dtype(x)} values because "
                        "it would be ambiguous.")


def isneginf_call_cost(x: Any, out: Any = None) -> int:
    """Cost rule of ``isneginf``."""
    _check_infinity_input(x)
    return isneginf_cost(numel(_bshape(x, out)))


def isposinf_call_cost(x: Any, out: Any = None) -> int:
    """Cost rule of ``isposinf``."""
    _check_infinity_input(x)
    return isposinf_cost(numel(_bshape(x, out)))


def real_if_close_cost(size: int, complex_input: bool = True) -> int:
    """``real_if_close``: ``all(|imag| < tol)`` for complex input, 3 per element; real is free.

    >>> real_if_close_cost(10)
    30
    """
    return 3 * size if complex_input else 0


def real_if_close_call_cost(a: Any, tol: Any = 100) -> int:
    """Cost rule of ``real_if_close``."""
    return real_if_close_cost(_size(a), _dtype(a).kind == "c")
