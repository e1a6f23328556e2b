"""Selection costs: ``partition``, ``median``, ``percentile``, ``quantile``, and ``nan*`` forms.

The unit: selecting order statistics
------------------------------------
NumPy finds order statistics with *introselect* (Musser, "Introspective
sorting and selection algorithms", Software: Practice and Experience 27(8),
1997): quickselect with median-of-3 pivots and a linear-time fallback.
Quickselect (Hoare's FIND) finds the element of rank k among n with, on
average over random inputs,

    2n + 2(n+1)·H_n − 2(k+2)·H_k − 2(n−k+3)·H_{n−k+1} + 6

comparisons, H_m the harmonic numbers (Knuth, "Mathematical analysis of
algorithms", Proc. IFIP Congress 1971; selection in general: *The Art of
Computer Programming* vol. 3, §5.3.3). That is about 2n for an extreme rank,
2(1 + ln 2)·n ≈ 3.39n for the median, and 3n averaged over all ranks (the
formula solves quickselect's recurrence exactly; tests/test_sorting.py
checks it). flopscope charges that rank-average, **3n for the first rank** of a
slice. Asked for several ranks at once, NumPy selects them in turn, each
search confined to the part of the slice that earlier pivots left; we charge
**one further linear pass, n, per additional rank**. Finally, selection never
costs more than sorting the slice outright, so the charge is capped at the
sort cost:

    selection_cost(n, r) = min((2 + r)·n, n·⌈log2 n⌉)      (r ≥ 1 ranks)

The cap also covers short slices, which NumPy finishes by insertion sort.

Data-dependent work
-------------------
Counts never depend on values (SPEC.md section 2). Where NumPy's work
depends on the data, the charge follows one rule throughout flopscope's
custom formulas: extra work of data-dependent *extent* (masked updates, the
non-NaN part of a slice) is charged at its upper bound, and recovery paths
that only run on NaN input are not charged (their tests are).

Per-op formulas (n: slice length, s: number of slices, q: number of requested
quantiles) are derived in each function's docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import ceil_log2, normalize_axes, numel, shape_of
from flopscope.cost.sorting import slice_geometry, sort_cost

__all__ = [
    "selection_cost",
    "partition_cost",
    "median_cost",
    "quantile_cost",
    "percentile_cost",
    "nanmedian_cost",
    "nanquantile_cost",
    "nanpercentile_cost",
    "partition_call_cost",
    "argpartition_call_cost",
    "median_call_cost",
    "quantile_call_cost",
    "percentile_call_cost",
    "nanmedian_call_cost",
    "nanquantile_call_cost",
    "nanpercentile_call_cost",
    "INTERPOLATING_METHODS",
    "DISCRETE_METHODS",
]

#: ``method=`` values of ``quantile`` that interpolate between two order statistics.
INTERPOLATING_METHODS = frozenset({
    "averaged_inverted_cdf", "interpolated_inverted_cdf", "hazen", "weibull", "linear",
    "median_unbiased", "normal_unbiased", "midpoint",
})
#: ``method=`` values that pick one order statistic per quantile.
DISCRETE_METHODS = frozenset({"inverted_cdf", "closest_observation", "lower", "higher", "nearest"})

#: Per requested quantile, interpolating methods: the virtual index (1), its floor
#: and successor (2), three range tests with their ``any`` reductions (6), the
#: interpolation weight γ (1), the tests ``γ ≥ 0.5`` and ``1 − γ`` (2).
_Q_INDEX_INTERPOLATING = 12
#: Per requested quantile, discrete methods: scale by n−1 and round (2).
_Q_INDEX_DISCRETE = 2
#: Per requested quantile: NumPy's range check ``0 ≤ q ≤ 1`` (2).
_Q_VALIDATE = 2
#: Per slice, NaN-capable data: test the largest selected value for NaN (1) and
#: reduce those tests with ``any`` (1). The copy made only when one is NaN is not charged.
_NAN_CHECK = 2
#: Per element of a slice, ``nan*`` functions: ``isnan`` (1), ``nonzero`` of the
#: mask (1), and compacting the non-NaN values (1, charged at its upper bound).
_NAN_REMOVAL = 3
#: Slices shorter than this take NumPy's masked-array branch in ``nanmedian``.
_NANMEDIAN_SMALL = 600


# -- formulas -------------------------------------------------------------------------


def selection_cost(n: int, ranks: int = 1) -> int:
    """Find ``ranks`` order statistics in one slice of ``n``: min((2 + r)·n, n·⌈log2 n⌉).

    See the module docstring for the derivation (introselect, Knuth's
    quickselect average of 3n for the first rank, n per further rank, capped
    at the sort cost).

    >>> selection_cost(1000)
    3000
    >>> selection_cost(8, ranks=3)      # 5·8 = 40 > 8·3 = 24: sorting is cheaper
    24
    """
    if n <= 1 or ranks <= 0:
        return 0
    return min((2 + ranks) * n, sort_cost(n))


def partition_cost(n: int, kth: int = 1, slices: int = 1) -> int:
    """``partition`` / ``argpartition`` with ``kth`` ranks: slices · selection_cost(n, kth).

    >>> partition_cost(1000, kth=1, slices=10)
    30000
    """
    return slices * selection_cost(n, kth)


def median_cost(n: int, slices: int = 1, nan_aware: bool = True) -> int:
    """``median`` of ``slices`` slices of ``n`` values.

    NumPy partitions each slice at the middle rank (the two middle ranks when
    n is even) and, for NaN-capable dtypes, also at the last position, which
    brings any NaN to the end; then it averages the m = 1 or 2 middle values
    (a mean of m values costs m, the reduction convention) and tests the last
    value for NaN (:data:`_NAN_CHECK`). Per slice::

        selection_cost(n, m + [nan_aware]) + m + 2·[nan_aware]

    An empty slice costs nothing (NumPy returns NaN without selecting).

    >>> median_cost(1001)                # 4·1001 + 1 + 2
    4007
    """
    if n <= 0:
        return 0
    middle = 2 if n % 2 == 0 else 1
    per_slice = selection_cost(n, middle + int(nan_aware)) + middle + _NAN_CHECK * nan_aware
    return slices * per_slice


def _quantile_core(n: int, q: int, slices: int, interpolate: bool, nan_aware: bool,
                   weighted: bool) -> int:
    """``numpy.quantile``'s work after argument validation (see :func:`quantile_cost`)."""
    if weighted:
        per_slice = sort_cost(n) + 3 * n + q * (ceil_log2(n + 1) + 1) + 4
        core = slices * per_slice
    elif interpolate:
        ranks = min(2 * q + 2, n)
        core = slices * selection_cost(n, ranks) + 3 * q * slices + _Q_INDEX_INTERPOLATING * q
    else:
        core = slices * selection_cost(n, min(q + int(nan_aware), n)) + _Q_INDEX_DISCRETE * q
    return core + _NAN_CHECK * slices * nan_aware


def quantile_cost(n: int, q: int = 1, slices: int = 1, *, method: str = "linear",
                  nan_aware: bool = True, weighted: bool = False,
                  weights_size: int = 0) -> int:
    """``quantile`` of ``q`` probabilities over ``slices`` slices of ``n`` values.

    Unweighted (Hyndman & Fan, "Sample quantiles in statistical packages",
    The American Statistician 50(4), 1996, give the methods):

    * interpolating methods (``linear``, the default, and the other
      continuous ones) partition each slice at the two order statistics
      around every virtual index plus the first and last positions, at most
      min(2q + 2, n) ranks, then interpolate each output with
      ``a + (b − a)·γ`` and ``b − (b − a)·(1 − γ)`` under a mask: 3 FLOPs per
      output (one subtraction, two fused multiply-adds);
    * discrete methods (``lower``, ``higher``, ``nearest``,
      ``inverted_cdf``, ``closest_observation``) select q ranks (plus the
      NaN sentinel) and take them: no arithmetic per output.

    Per requested quantile the index arithmetic costs 12 (interpolating) or 2
    (discrete) FLOPs, and NumPy's range check ``0 ≤ q ≤ 1`` costs 2.

    Weighted (``weights=``, only ``method='inverted_cdf'``): each slice is
    argsorted (n·⌈log2 n⌉), its weights accumulated, normalised and scanned
    for zeros (3n), each quantile located by binary search and clipped
    (⌈log2(n+1)⌉ + 1), plus four per-slice tests; the weights are checked
    for negatives (2 per weight).

    NaN-capable data add :data:`_NAN_CHECK` (2) per slice.

    >>> quantile_cost(1000, q=1)         # 6·1000 + 3 + 12 + 2 + 2
    6019
    """
    core = _quantile_core(n, q, slices, method not in DISCRETE_METHODS, nan_aware, weighted)
    return core + _Q_VALIDATE * q + 2 * weights_size


def percentile_cost(n: int, q: int = 1, slices: int = 1, *, method: str = "linear",
                    nan_aware: bool = True, weighted: bool = False,
                    weights_size: int = 0) -> int:
    """``percentile``: :func:`quantile_cost` plus one division by 100 per requested percentile.

    >>> percentile_cost(1000, q=1)
    6020
    """
    return q + quantile_cost(n, q, slices, method=method, nan_aware=nan_aware,
                             weighted=weighted, weights_size=weights_size)


def nanmedian_cost(n: int, slices: int = 1, *, flattened: bool = True,
                   nan_aware: bool = True) -> int:
    """``nanmedian`` of ``slices`` slices of ``n`` values, following NumPy's branches.

    * ``flattened`` (``axis=None`` or 1-D input) and slices of 600 or more:
      each slice has its NaNs removed (:data:`_NAN_REMOVAL` = 3 per value)
      and the median of what remains is taken; the remaining count is data
      dependent, so that median is charged at its upper bound
      ``selection_cost(n, 3) + 2 + 2`` (two middle ranks plus the sentinel,
      a mean of two, the NaN check);
    * otherwise (slices shorter than 600) NumPy masks the NaNs and uses the
      masked-array median, which sorts: per element a NaN test, a fill of the
      masked values and a count of the valid ones (3); per slice a sort and
      11 FLOPs: the middle ranks' index arithmetic (half count, parity test
      and comparison, lower rank and the choice between them: 5), the masked
      test and mean of the two middle values (2 + 2), the final fill and the
      count of all-NaN slices (2); NaN-capable data add a halving (the mean
      is a sum then a division) and the NaN check (1 + 2).

    NumPy runs the same steps on integer data (whose NaN tests all fail);
    ``nan_aware=False`` drops what only NaN-capable dtypes get: the NaN
    sentinel rank, the halving and the NaN check.

    An empty array costs nothing (NumPy returns ``nanmean`` of it).

    >>> nanmedian_cost(1000)             # 3·1000 + 5·1000 + 2 + 2
    8004
    """
    if n <= 0 or slices <= 0:
        return 0
    if flattened or n >= _NANMEDIAN_SMALL:
        ranks = 2 + int(nan_aware)
        return slices * (_NAN_REMOVAL * n + selection_cost(n, ranks) + 2 + _NAN_CHECK * nan_aware)
    return 3 * n * slices + slices * (sort_cost(n) + 11 + (1 + _NAN_CHECK) * nan_aware)


def nanquantile_cost(n: int, q: int = 1, slices: int = 1, *, method: str = "linear",
                     nan_aware: bool = True, weighted: bool = False,
                     weights_size: int = 0) -> int:
    """``nanquantile``: per slice, remove NaNs, then a one-slice :func:`quantile_cost`.

    NumPy processes each slice on its own (``apply_along_axis`` over a 1-D
    helper), so the per-quantile index arithmetic is repeated per slice. NaN
    removal costs :data:`_NAN_REMOVAL` (3) per value, one more with weights
    (their compaction); the quantile of the remaining values is charged at
    its upper bound, as if none were NaN. An empty array costs nothing.

    >>> nanquantile_cost(1000, q=1)      # 3000 + (6000 + 3 + 12 + 2) + 2
    9019
    """
    if n <= 0 or slices <= 0:
        return 0
    interpolate = method not in DISCRETE_METHODS
    removal = (_NAN_REMOVAL + int(weighted)) * n
    per_slice = removal + _quantile_core(n, q, 1, interpolate, nan_aware, weighted)
    return slices * per_slice + _Q_VALIDATE * q + 2 * weights_size


def nanpercentile_cost(n: int, q: int = 1, slices: int = 1, *, method: str = "linear",
                       nan_aware: bool = True, weighted: bool = False,
                       weights_size: int = 0) -> int:
    """``nanpercentile``: :func:`nanquantile_cost` plus one division by 100 per percentile."""
    return q + nanquantile_cost(n, q, slices, method=method, nan_aware=nan_aware,
                                weighted=weighted, weights_size=weights_size)


# -- cost rules: NumPy call arguments -> formulas -------------------------------------


def _reduced_geometry(a: Any, axis: Any) -> tuple[int, int]:
    """``(n, slices)`` for a reduction over ``axis`` (int, tuple or None), as ``_ureduce`` does."""
    shape = shape_of(a)
    axes = normalize_axes(axis, len(shape))
    n = numel(tuple(shape[i] for i in axes))
    return n, (numel(shape) // n if n else 0)


def _nan_capable(a: Any) -> bool:
    return np.dtype(getattr(a, "dtype", None) or np.asarray(a).dtype).kind in "fcmM"


def _q_count(q: Any) -> int:
    shape = shape_of(q)
    if len(shape) > 2:
        raise ValueError("q must be a scalar or 1d")
    return numel(shape)


def _check_method(method: str, weights: Any) -> None:
    if method not in INTERPOLATING_METHODS and method not in DISCRETE_METHODS:
        raise ValueError(f"{method!r} is not a valid method")
    if weights is not None and method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")


def _check_real(a: Any) -> None:
    if np.dtype(getattr(a, "dtype", None) or np.asarray(a).dtype).kind == "c":
        raise TypeError("a must be an array of real numbers")


def _kth_count(kth: Any) -> int:
    return numel(shape_of(kth))


def partition_call_cost(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect",
                        order: Any = None) -> int:
    """Cost rule of ``partition``, ``argpartition`` and ``ndarray.partition``."""
    n, slices = slice_geometry(shape_of(a), axis)
    return partition_cost(n, _kth_count(kth), slices)


def argpartition_call_cost(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect",
                           order: Any = None) -> int:
    """Cost rule of ``argpartition`` and ``ndarray.argpartition`` (a 0-d input is one index)."""
    if not shape_of(a):
        return 0
    return partition_call_cost(a, kth, axis, kind, order)


def median_call_cost(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
                     keepdims: bool = False) -> int:
    """Cost rule of ``median``."""
    n, slices = _reduced_geometry(a, axis)
    return median_cost(n, slices, _nan_capable(a))


def _quantile_args(a: Any, q: Any, axis: Any, method: str,
                   weights: Any) -> tuple[int, int, int, int]:
    _check_real(a)
    _check_method(method, weights)
    n, slices = _reduced_geometry(a, axis)
    weights_size = numel(shape_of(weights)) if weights is not None else 0
    return n, _q_count(q), slices, weights_size


def quantile_call_cost(a: Any, q: Any, axis: Any = None, out: Any = None,
                       overwrite_input: bool = False, method: str = "linear",
                       keepdims: bool = False, *, weights: Any = None) -> int:
    """Cost rule of ``quantile``."""
    n, nq, slices, wsize = _quantile_args(a, q, axis, method, weights)
    return quantile_cost(n, nq, slices, method=method, nan_aware=_nan_capable(a),
                         weighted=weights is not None, weights_size=wsize)


def percentile_call_cost(a: Any, q: Any, axis: Any = None, out: Any = None,
                         overwrite_input: bool = False, method: str = "linear",
                         keepdims: bool = False, *, weights: Any = None) -> int:
    """Cost rule of ``percentile``."""
    n, nq, slices, wsize = _quantile_args(a, q, axis, method, weights)
    return percentile_cost(n, nq, slices, method=method, nan_aware=_nan_capable(a),
                           weighted=weights is not None, weights_size=wsize)


def _flattened(a: Any, axis: Any) -> bool:
    """Whether NumPy's nan-reductions take their one-slice branch."""
    shape = shape_of(a)
    return axis is None or len(shape) == 1


def nanmedian_call_cost(a: Any, axis: Any = None, out: Any = None,
                        overwrite_input: bool = False, keepdims: Any = np._NoValue) -> int:
    """Cost rule of ``nanmedian``."""
    n, slices = _reduced_geometry(a, axis)
    return nanmedian_cost(n, slices, flattened=_flattened(a, axis), nan_aware=_nan_capable(a))


def nanquantile_call_cost(a: Any, q: Any, axis: Any = None, out: Any = None,
                          overwrite_input: bool = False, method: str = "linear",
                          keepdims: Any = np._NoValue, *, weights: Any = None) -> int:
    """Cost rule of ``nanquantile``."""
    n, nq, slices, wsize = _quantile_args(a, q, axis, method, weights)
    return nanquantile_cost(n, nq, slices, method=method, nan_aware=_nan_capable(a),
                            weighted=weights is not None, weights_size=wsize)


def nanpercentile_call_cost(a: Any, q: Any, axis: Any = None, out: Any = None,
                            overwrite_input: bool = False, method: str = "linear",
                            keepdims: Any = np._NoValue, *, weights: Any = None) -> int:
    """Cost rule of ``nanpercentile``."""
    n, nq, slices, wsize = _quantile_args(a, q, axis, method, weights)
    return nanpercentile_cost(n, nq, slices, method=method, nan_aware=_nan_capable(a),
                              weighted=weights is not None, weights_size=wsize)
