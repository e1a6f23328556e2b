"""Descriptive statistics costs: ``average``, ``ptp``, ``cov``, ``corrcoef``, histograms, ``bincount``.

Counts follow the conventions of :mod:`flopscope.cost.counting`: NumPy's
sequence of ufunc and reduction calls, each elementwise step
``numel(output)``, each reduction ``numel(input)``, a product immediately
summed counted once (FMA = 1), data-dependent extents charged at their upper
bound, NaN-only recovery paths not charged, scalar arithmetic free. The
selection and sort units come from :mod:`flopscope.cost.selection` and
:mod:`flopscope.cost.sorting`.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from flopscope.cost._shapes import ceil_log2, normalize_axes, numel, shape_of
from flopscope.cost.counting import edges_linspace_cost
from flopscope.cost.selection import percentile_cost
from flopscope.cost.sorting import sort_cost

__all__ = [
    "average_cost", "ptp_cost", "cov_cost", "corrcoef_cost", "bincount_cost",
    "histogram_bin_edges_cost", "histogram_cost", "histogramdd_cost", "histogram2d_cost",
    "estimated_bins",
    "average_call_cost", "ptp_call_cost", "cov_call_cost", "corrcoef_call_cost",
    "bincount_call_cost", "histogram_bin_edges_call_cost", "histogram_call_cost",
    "histogramdd_call_cost", "histogram2d_call_cost",
    "BIN_ESTIMATORS", "HISTOGRAM_BLOCK",
    "bins_spec", "cov_geometry", "histogramdd_bins", "histogram2d_bins", "sample_geometry",
]

#: NumPy's ``bins=`` estimator names.
BIN_ESTIMATORS = frozenset({"auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"})
#: ``histogram`` processes its data in blocks of this many values.
HISTOGRAM_BLOCK = 65536


def _dtype(x: Any) -> np.dtype:
    dtype = getattr(x, "dtype", None)
    return np.dtype(dtype) if dtype is not None else np.asarray(x).dtype


# == averages and spreads ===================================================================


def average_cost(n: int, slices: int = 1, *, weighted: bool = False,
                 weights_size: int | None = None) -> int:
    """``average`` over ``slices`` groups of ``n`` values.

    Unweighted it is ``mean``: n·slices (the reduction convention).
    Weighted: Σ a·w is one fused multiply-add per value (n·slices), Σ w one
    addition per weight (``weights_size``, n·slices for full-shape weights,
    n for 1-D weights along the axis), NumPy's zero test on the weight sums
    and its ``any`` (2 per sum: weights_size / n sums), and a division per
    output (slices).

    >>> average_cost(100, 10, weighted=True, weights_size=100)   # 1000 + 100 + 2 + 10
    1112
    """
    size = n * slices
    if not weighted:
        return size
    w = size if weights_size is None else weights_size
    sums = w // n if n else 0
    return size + w + 2 * sums + slices


def _reduced_geometry(shape: tuple[int, ...], axis: Any) -> tuple[int, int]:
    axes = normalize_axes(axis, len(shape))
    n = numel(tuple(shape[i] for i in axes))
    kept = tuple(d for i, d in enumerate(shape) if i not in axes)
    return n, numel(kept)


def average_call_cost(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
                      keepdims: Any = np._NoValue) -> int:
    """Cost rule of ``average``."""
    shape = shape_of(a)
    n, slices = _reduced_geometry(shape, axis)
    if weights is None:
        return average_cost(n, slices)
    w_shape = shape_of(weights)
    if w_shape != shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        axes = normalize_axes(axis, len(shape))
        if w_shape != tuple(shape[ax] for ax in axes):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
    return average_cost(n, slices, weighted=True, weights_size=numel(w_shape))


def ptp_cost(n: int, slices: int = 1) -> int:
    """``ptp``: a ``max`` and a ``min`` reduction (2 per value) and their difference (1 per output).

    >>> ptp_cost(100, 10)
    2010
    """
    return 2 * n * slices + slices


def ptp_call_cost(a: Any, axis: Any = None, out: Any = None, keepdims: Any = np._NoValue) -> int:
    """Cost rule of ``ptp``."""
    n, slices = _reduced_geometry(shape_of(a), axis)
    return ptp_cost(n, slices)


# == covariance and correlation ================================================================


def cov_cost(variables: int, observations: int, *, fweights: bool = False,
             aweights: bool = False, ddof: int = 1, complex_data: bool = False) -> int:
    """``cov`` of p = ``variables`` rows of N = ``observations`` each: p²N + 2pN + p².

    Unweighted: the p means (pN), centring (pN), the product X·Xᴴ (p²N
    multiply-adds; NumPy computes all p² entries with ``dot``) and the
    normalisation (p²). Complex data add the conjugation of X (pN).

    Weights add, with w the combined weight vector: the checks on
    ``fweights`` (integrality by ``around`` and equality, its ``all``, the
    negativity test and its ``any``: 5N) and on ``aweights`` (negativity and
    ``any``: 2N), their product when both are given (N), the weighted mean's
    Σw, zero test and division instead of a plain mean (N + 2 + p), the
    correction Σ(w·aweights) when ``aweights`` and ``ddof ≠ 0`` (2N), and
    X·w before the product (pN).

    >>> cov_cost(10, 1000)               # 100 000 + 20 000 + 100
    120100
    """
    p, n = variables, observations
    if p == 0:
        return 0
    total = p * p * n + 2 * p * n + p * p + (p * n if complex_data else 0)
    if fweights or aweights:
        total += 5 * n * fweights + 2 * n * aweights + n * (fweights and aweights)
        total += n + 2 + p + p * n
        if aweights and ddof != 0:
            total += 2 * n
    return total


def cov_geometry(m: Any, y: Any, rowvar: bool) -> tuple[int, int]:
    """(variables, observations) of ``cov(m, y, rowvar)``, with NumPy's shape checks."""

    shape = shape_of(m)
    if len(shape) > 2:
        raise ValueError("m has more than 2 dimensions")
    p, n = (1,) * (2 - len(shape)) + shape
    if not rowvar and len(shape) != 1:
        p, n = n, p
    if p == 0:  # NumPy returns an empty matrix before looking at y
        return 0, n
    if y is not None:
        shape_y = shape_of(y)
        if len(shape_y) > 2:
            raise ValueError("y has more than 2 dimensions")
        two_y = (1,) * (2 - len(shape_y)) + shape_y
        if not rowvar and two_y[0] != 1:
            two_y = two_y[::-1]
        if two_y[1] != n:
            raise ValueError("all the input array dimensions except for the concatenation "
                             "axis must match exactly")
        p += two_y[0]
    return p, n


def _cov_dtype(m: Any, y: Any, dtype: Any) -> np.dtype:
    if dtype is not None:
        return np.dtype(dtype)
    parts = [_dtype(m)] + ([_dtype(y)] if y is not None else [])
    return np.result_type(*parts, np.float64)


def cov_call_cost(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False,
                  ddof: Any = None, fweights: Any = None, aweights: Any = None, *,
                  dtype: Any = None) -> int:
    """Cost rule of ``cov``."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    p, n = cov_geometry(m, y, rowvar)
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is not None:
            w_shape = shape_of(w)
            if len(w_shape) > 1:
                raise RuntimeError(f"cannot handle multidimensional {name}")
            if (w_shape[0] if w_shape else 1) != n:
                raise RuntimeError(f"incompatible numbers of samples and {name}")
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    return cov_cost(p, n, fweights=fweights is not None, aweights=aweights is not None,
                    ddof=ddof, complex_data=_cov_dtype(m, y, dtype).kind == "c")


def corrcoef_cost(variables: int, observations: int, *, complex_data: bool = False) -> int:
    """``corrcoef``: :func:`cov_cost`, then p square roots and three passes over the p² matrix.

    The standard deviations ``sqrt(diag(c))`` (p), the divisions by them
    along rows and columns (2p²) and the clip to [−1, 1] (p², another p²
    for the imaginary part of complex data). A single variable gives a 0-d
    covariance that NumPy divides by itself (1).

    >>> corrcoef_cost(10, 1000)          # 120 100 + 10 + 300
    120410
    """
    p = variables
    base = cov_cost(p, observations, complex_data=complex_data)
    if p == 0:
        return base
    if p == 1:
        return base + 1
    return base + p + (4 if complex_data else 3) * p * p


def corrcoef_call_cost(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> int:
    """Cost rule of ``corrcoef``."""
    p, n = cov_geometry(x, y, rowvar)
    return corrcoef_cost(p, n, complex_data=_cov_dtype(x, y, dtype).kind == "c")


# == counting ==================================================================================


def bincount_cost(n: int) -> int:
    """``bincount`` of n non-negative integers: 2n.

    One pass finds the extent of the values (NumPy's min/max scan, which
    sizes the output and rejects negatives), one adds 1 (or the weight) to
    each value's bin.

    >>> bincount_cost(1000)
    2000
    """
    return 2 * n


def bincount_call_cost(x: Any, /, weights: Any = None, minlength: int = 0) -> int:
    """Cost rule of ``bincount``."""
    shape = shape_of(x)
    if len(shape) > 1:
        raise ValueError("object too deep for desired array")
    if weights is not None and shape_of(weights) != shape:
        raise ValueError("The weights and list don't have the same length.")
    if operator.index(minlength) < 0:
        raise ValueError("'minlength' must not be negative")
    return bincount_cost(numel(shape))


# == histograms ================================================================================


def estimated_bins(n: int, estimator: str) -> int:
    """The bin count charged for the per-bin work of a ``bins=`` estimator on n values.

    NumPy's estimators choose a bin width from the data, so the number of
    bins is data dependent. The count used for the O(bins) part of the cost
    is, per estimator: ``sqrt`` ⌈√n⌉, ``sturges`` ⌈log2 n⌉ + 1, ``rice``
    ⌈2·n^(1/3)⌉ (their counts for data of positive range), ``stone`` its
    search limit max(100, ⌊√n⌋), and for the width-based ``auto``, ``fd``,
    ``scott`` and ``doane`` the bound max(⌈2√n⌉, ⌈log2 n⌉ + 1) that
    ``auto`` always respects. ``fd``, ``scott`` and ``doane`` can exceed it on
    unusual data (a tiny interquartile range); only the O(bins) bookkeeping
    is affected, the per-value work does not depend on the bin count.

    >>> estimated_bins(10000, "sqrt"), estimated_bins(10000, "auto")
    (100, 200)
    """
    if n <= 0:
        return 1
    sturges = ceil_log2(n) + 1 if n > 1 else 1
    if estimator == "sqrt":
        return math.isqrt(n - 1) + 1
    if estimator == "sturges":
        return sturges
    if estimator == "rice":
        return max(1, math.ceil(2 * n ** (1 / 3) - 1e-9))
    if estimator == "stone":
        return max(100, math.isqrt(n))
    return max(2 * (math.isqrt(n - 1) + 1), sturges)


def _estimator_cost(n: int, estimator: str) -> int:
    """Cost of computing the bin width with ``estimator`` on n values (range given)."""
    ptp = 2 * n  # max and min
    if estimator in ("sqrt", "sturges", "rice"):
        return ptp
    if estimator == "scott":
        return n  # std, a reduction
    if estimator == "doane":
        # std, mean, centring, scaling, cube, mean of the cubes, range
        return 8 * n if n > 2 else 0
    fd = percentile_cost(n, 2) if n else 0  # the interquartile range, as for float data
    if estimator == "fd":
        return fd
    if estimator == "auto":
        return fd + 2 * ptp  # fd, sturges and sqrt widths
    if estimator == "stone":
        limit = max(100, math.isqrt(n))
        trials = sum(histogram_cost(n, k, range_given=True) + 2 * k for k in range(1, limit + 1))
        return ptp + trials if n > 1 else ptp
    raise ValueError(f"{estimator!r} is not a valid estimator for `bins`")


def histogram_bin_edges_cost(n: int, bins: int = 10, *, range_given: bool = False,
                             explicit_edges: bool = False, estimator: str | None = None) -> int:
    """Bin edges for ``histogram`` of n values with ``bins`` bins.

    * ``bins`` an integer: the data range by ``min`` and ``max`` (2n, free
      with ``range=``), ``linspace`` of the bins + 1 edges
      (:func:`~flopscope.cost.counting.edges_linspace_cost`) and NumPy's check that
      they increase (a comparison per bin and its ``any``: 2·bins);
    * ``bins`` an array of edges: only the increase check (2·bins);
    * ``bins`` an estimator name: the data range (2n, or with ``range=``
      the filter of values inside it: two comparisons, an and and its
      reduction, 4n), the estimator's own statistics (range, standard
      deviation, interquartile range...; see the source), then as for an
      integer with ``estimated_bins(n, estimator)`` bins.

    >>> histogram_bin_edges_cost(1000, 10)      # 2000 + (22 + 3) + 20
    2045
    """
    if explicit_edges:
        return 2 * bins
    data_range = 0 if (range_given and estimator is None) else (4 * n if range_given else 2 * n)
    if n == 0:
        data_range = 0
    width = 0
    if estimator is not None:
        width = _estimator_cost(n, estimator)
        bins = estimated_bins(n, estimator)
    return data_range + width + edges_linspace_cost(bins + 1) + 2 * bins


#: Per value, uniform bins: the range test (two comparisons, an and, and the
#: reduction deciding whether to filter: 4); the bin coordinate
#: ``(x − first) / width · bins`` (3); the corrections for values on the last
#: edge and for rounding at bin edges (four tests, the shifted index, an and,
#: and three masked updates charged at their upper bound: 9); ``bincount`` (2).
_UNIFORM_PER_VALUE = 4 + 3 + 9 + 2


def _blocks(n: int) -> list[int]:
    full, rest = divmod(n, HISTOGRAM_BLOCK)
    return [HISTOGRAM_BLOCK] * full + ([rest] if rest else [])


def _count_cost(n: int, bins: int, *, explicit_edges: bool, weighted: bool,
                complex_weights: bool) -> int:
    """Counting n values into ``bins`` bins (after the edges are known)."""
    blocks = _blocks(n)
    if not explicit_edges:
        per_value = _UNIFORM_PER_VALUE + (2 if complex_weights else 0)
        return per_value * n + bins * len(blocks) * (2 if complex_weights else 1)
    edges = bins + 1
    total = bins  # the counts are differences of cumulative counts
    for size in blocks:
        # sort (argsort when weighted), binary search of every edge, accumulate
        total += sort_cost(size) + edges * ceil_log2(size + 1) + edges
        if weighted:
            total += size  # cumulative sum of the sorted weights
    return total


def histogram_cost(n: int, bins: int = 10, *, range_given: bool = False,
                   explicit_edges: bool = False, estimator: str | None = None,
                   weighted: bool = False, density: bool = False,
                   complex_weights: bool = False) -> int:
    """``histogram`` of n values into ``bins`` bins.

    The edges (:func:`histogram_bin_edges_cost`), then the counting:

    * equal-width bins (an integer or an estimator): 18 per value
      (:data:`_UNIFORM_PER_VALUE`: the range test, the bin coordinate, the
      edge corrections at their upper bound and ``bincount``) plus the
      accumulation of each block's counts (bins per block of 65 536 values);
      complex weights count twice;
    * explicit edges: NumPy sorts each block of 65 536 values (its
      n·⌈log2 n⌉; an argsort and a cumulative sum of the weights when
      weighted), binary-searches every edge in it (⌈log2(size + 1)⌉ each) and
      accumulates, then differences the cumulative counts (bins).

    ``density=True`` adds the bin widths, the division by them, the total
    and the division by it (4·bins).

    >>> histogram_cost(1000, 10)         # 2045 + 18 000 + 10
    20055
    """
    edges = histogram_bin_edges_cost(n, bins, range_given=range_given,
                                     explicit_edges=explicit_edges, estimator=estimator)
    if estimator is not None:
        bins = estimated_bins(n, estimator)
    counting = _count_cost(n, bins, explicit_edges=explicit_edges, weighted=weighted,
                           complex_weights=complex_weights)
    return edges + counting + (4 * bins if density else 0)


def bins_spec(bins: Any) -> tuple[int, bool, str | None]:
    """(bin count, explicit edges?, estimator) of a ``bins=`` argument."""
    if isinstance(bins, str):
        if bins not in BIN_ESTIMATORS:
            raise ValueError(f"{bins!r} is not a valid estimator for `bins`")
        return 0, False, bins
    shape = shape_of(bins)
    if not shape:
        try:
            count = operator.index(bins)
        except TypeError:
            raise TypeError("`bins` must be an integer, a string, or an array") from None
        if count < 1:
            raise ValueError("`bins` must be positive, when an integer")
        return count, False, None
    if len(shape) > 1:
        raise ValueError("`bins` must be 1d, when an array")
    return max(shape[0] - 1, 0), True, None


def _histogram_args(a: Any, bins: Any, weights: Any) -> tuple[int, int, bool, str | None]:
    shape = shape_of(a)
    if weights is not None and shape_of(weights) != shape:
        raise ValueError("weights should have the same shape as a.")
    count, explicit, estimator = bins_spec(bins)
    if estimator is not None and weights is not None:
        raise TypeError("Automated estimation of the number of bins is not supported for "
                        "weighted data")
    return numel(shape), count, explicit, estimator


def histogram_bin_edges_call_cost(a: Any, bins: Any = 10, range: Any = None,
                                  weights: Any = None) -> int:
    """Cost rule of ``histogram_bin_edges``."""
    n, count, explicit, estimator = _histogram_args(a, bins, weights)
    return histogram_bin_edges_cost(n, count, range_given=range is not None,
                                    explicit_edges=explicit, estimator=estimator)


def histogram_call_cost(a: Any, bins: Any = 10, range: Any = None, density: Any = None,
                        weights: Any = None) -> int:
    """Cost rule of ``histogram``."""
    n, count, explicit, estimator = _histogram_args(a, bins, weights)
    complex_weights = weights is not None and _dtype(weights).kind == "c"
    return histogram_cost(n, count, range_given=range is not None, explicit_edges=explicit,
                          estimator=estimator, weighted=weights is not None,
                          density=bool(density), complex_weights=complex_weights)


def histogramdd_cost(n: int, bins: Sequence[int], *, ranges_given: Sequence[bool] = (),
                     explicit_edges: Sequence[bool] = (), density: bool = False) -> int:
    """``histogramdd`` of n points in D = len(bins) dimensions.

    Per dimension i with b_i bins: the edges (the data range, 2n unless
    ``range=`` gives it, and ``linspace`` of b_i + 1 edges; or, for explicit
    edges, NumPy's increase check, 2·b_i), their widths (b_i), a binary search
    of every point among the edges (⌈log2(b_i + 2)⌉ each), and the fix of
    points on the last edge (a test and a masked decrement, 2n). Then the
    flat bin index (one multiply-add per point and dimension, D·n) and
    ``bincount`` (2n). ``density=True`` divides the Π b_i counts by the
    total and by each dimension's widths: (D + 2)·Π b_i.

    >>> histogramdd_cost(1000, [10, 10])   # 2·1000 + 2·1000 + 2·(2000 + 25 + 10 + 4000 + 2000)
    20070
    """
    dims = len(bins)
    ranges_given = tuple(ranges_given) or (False,) * dims
    explicit_edges = tuple(explicit_edges) or (False,) * dims
    total = dims * n + 2 * n
    for b, ranged, explicit in zip(bins, ranges_given, explicit_edges):
        if explicit:
            total += 2 * b
        else:
            total += (0 if ranged or n == 0 else 2 * n) + edges_linspace_cost(b + 1)
        total += b + n * ceil_log2(b + 2) + 2 * n
    if density:
        total += (dims + 2) * numel(tuple(bins))
    return total


def histogram2d_cost(n: int, bins: Sequence[int] = (10, 10), **options: Any) -> int:
    """``histogram2d``: :func:`histogramdd_cost` with two dimensions."""
    return histogramdd_cost(n, bins, **options)


def sample_geometry(sample: Any) -> tuple[int, int]:
    """(points, dimensions) of a ``histogramdd`` sample: an (N, D) array or D arrays of N."""
    shape = getattr(sample, "shape", None)
    if shape is not None:
        if len(shape) > 2:
            raise ValueError(f"too many values to unpack (expected 2, got {len(shape)})")
        if len(shape) == 2:
            return shape[0], shape[1]
        return (shape[0] if shape else 1), 1
    shapes = [shape_of(s) for s in sample]
    if shapes and all(len(s) == 1 for s in shapes):
        lengths = {s[0] for s in shapes}
        if len(lengths) > 1:
            raise ValueError("setting an array element with a sequence. The requested array "
                             "has an inhomogeneous shape after 1 dimensions.")
        return shapes[0][0], len(shapes)
    if shapes and all(not s for s in shapes):
        return len(shapes), 1
    raise ValueError("sample must be an (N, D) array or a sequence of D arrays of length N")


def histogramdd_bins(bins: Any, dims: int) -> tuple[list[int], list[bool]]:
    if isinstance(bins, (list, tuple)) or (shape_of(bins) and not isinstance(bins, str)):
        items = list(bins) if isinstance(bins, (list, tuple)) else [bins[i]
                                                                    for i in range(len(bins))]
        if len(items) != dims:
            raise ValueError("The dimension of bins must be equal to the dimension of the "
                             "sample x.")
    else:
        items = [bins] * dims
    counts, explicit = [], []
    for i, item in enumerate(items):
        shape = shape_of(item)
        if not shape:
            try:
                count = operator.index(item)
            except TypeError:
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from None
            if count < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            counts.append(count)
            explicit.append(False)
        elif len(shape) == 1:
            counts.append(max(shape[0] - 1, 0))
            explicit.append(True)
        else:
            raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    return counts, explicit


def _dd_ranges(range_: Any, dims: int) -> list[bool]:
    if range_ is None:
        return [False] * dims
    if len(range_) != dims:
        raise ValueError("range argument must have one entry per dimension")
    return [r is not None for r in range_]


def histogramdd_call_cost(sample: Any, bins: Any = 10, range: Any = None, density: Any = None,
                          weights: Any = None) -> int:
    """Cost rule of ``histogramdd``."""
    n, dims = sample_geometry(sample)
    counts, explicit = histogramdd_bins(bins, dims)
    return histogramdd_cost(n, counts, ranges_given=_dd_ranges(range, dims),
                            explicit_edges=explicit, density=bool(density))


def histogram2d_bins(bins: Any) -> Any:
    """NumPy's reading of ``histogram2d``'s ``bins``: one spec for both axes, or one per axis."""
    try:
        count = len(bins)
    except TypeError:
        count = 1
    if count not in (1, 2):
        return [bins, bins]
    return bins


def histogram2d_call_cost(x: Any, y: Any, bins: Any = 10, range: Any = None,
                          density: Any = None, weights: Any = None) -> int:
    """Cost rule of ``histogram2d``."""
    sx, sy = shape_of(x), shape_of(y)
    nx = sx[0] if sx else 1
    if nx != (sy[0] if sy else 1):
        raise ValueError("x and y must have the same length.")
    counts, explicit = histogramdd_bins(histogram2d_bins(bins), 2)
    return histogram2d_cost(nx, counts, ranges_given=_dd_ranges(range, 2),
                            explicit_edges=explicit, density=bool(density))
