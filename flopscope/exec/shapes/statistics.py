"""Shape rules of descriptive statistics: ``average``, ``cov``, histograms, ``bincount``...

Two results have sizes set by the data rather than the shapes:

* ``histogram`` with an estimator name for ``bins`` (``'auto'``...): the
  estimator picks the bin count from the values; planning refuses with a
  :class:`~flopscope.errors.ConcretizationError` (give an integer or edges);
* ``bincount``: one bin per value up to the largest. Small integer dtypes
  bound it (planned at that bound, marked ``bound``); for wider dtypes there
  is no useful bound and planning refuses. On a concrete array the exact
  length is read from the data (a maximum, no result-sized allocation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.cost._shapes import reduced_shape, shape_of
from flopscope.cost.statistics import (
    bins_spec,
    cov_geometry,
    histogramdd_bins,
    histogram2d_bins,
    sample_geometry,
)
from flopscope.errors import ConcretizationError
from flopscope.exec.shapes import ArraySpec, bind_arguments, is_arraylike, probe_dtype, spec_of

__all__ = [
    "average_shape", "ptp_shape", "cov_shape", "corrcoef_shape", "histogram_shape",
    "histogram_bin_edges_shape", "histogramdd_shape", "histogram2d_shape", "bincount_shape",
]


def average_shape(*args: Any, **kwargs: Any) -> Any:
    """``average``: the reduced shape; with ``returned=True`` also the weight sums."""
    named = bind_arguments(np.average, args, kwargs)
    keepdims = named["keepdims"]
    keepdims = False if keepdims is np._NoValue else bool(keepdims)
    shape = reduced_shape(shape_of(named["a"]), named["axis"], keepdims)
    dtypes = probe_dtype(np.average, *args, **kwargs)
    if named["returned"]:
        return tuple(ArraySpec(shape, dt) for dt in dtypes)
    return ArraySpec(shape, dtypes)


def ptp_shape(a: Any, axis: Any = None, out: Any = None, keepdims: Any = np._NoValue) -> ArraySpec:
    """``ptp``: the reduced shape, the input's dtype."""
    keep = False if keepdims is np._NoValue else bool(keepdims)
    return ArraySpec(reduced_shape(shape_of(a), axis, keep), spec_of(a).dtype)


def cov_shape(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
              fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> ArraySpec:
    """``cov``: p × p for p variables, squeezed (a single variable gives a 0-d result)."""
    p, _ = cov_geometry(m, y, rowvar)
    if p == 0:
        return ArraySpec((0, 0), np.dtype(np.float64))
    shape = () if p == 1 else (p, p)
    return ArraySpec(shape, probe_dtype(np.cov, m, y, rowvar, dtype=dtype))


def corrcoef_shape(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> ArraySpec:
    """``corrcoef``: p × p, or 0-d for a single variable."""
    p, _ = cov_geometry(x, y, rowvar)
    if p == 0:
        return ArraySpec((0, 0), np.dtype(np.float64))
    shape = () if p == 1 else (p, p)
    return ArraySpec(shape, probe_dtype(np.corrcoef, x, y, rowvar, dtype=dtype))


def _data_dependent_bins(name: str, bins: str) -> ConcretizationError:
    return ConcretizationError(
        f"{name} with bins={bins!r} chooses the number of bins from the data, so its result "
        "shape cannot be planned; pass an integer number of bins or an array of edges"
    )


def _bin_count(name: str, bins: Any) -> int:
    count, _, estimator = bins_spec(bins)
    if estimator is not None:
        raise _data_dependent_bins(name, bins)
    return count


def histogram_shape(a: Any, bins: Any = 10, range: Any = None, density: Any = None,
                    weights: Any = None) -> tuple[ArraySpec, ArraySpec]:
    """``histogram``: (counts of the bins, bins + 1 edges)."""
    count = _bin_count("histogram", bins)
    hist_dtype, edge_dtype = probe_dtype(np.histogram, a, bins, range, density, weights)
    return ArraySpec((count,), hist_dtype), ArraySpec((count + 1,), edge_dtype)


def histogram_bin_edges_shape(a: Any, bins: Any = 10, range: Any = None,
                              weights: Any = None) -> ArraySpec:
    """``histogram_bin_edges``: bins + 1 edges."""
    count = _bin_count("histogram_bin_edges", bins)
    return ArraySpec((count + 1,), probe_dtype(np.histogram_bin_edges, a, bins, range, weights))


def _one_point(x: Any) -> Any:
    """A one-point stand-in for histogram data: the dtype and the number of coordinates kept."""
    if is_arraylike(x):
        return np.ones((1,) + tuple(x.shape[1:2]), dtype=x.dtype)
    if isinstance(x, (list, tuple)) and any(is_arraylike(i) for i in x):
        return [np.ones(1, dtype=np.dtype(i.dtype) if is_arraylike(i) else np.asarray(i).dtype)
                for i in x]
    return x


def _edges_stand_in(bins: Any) -> Any:
    """Bins with abstract edge arrays replaced by increasing edges of the same length and dtype."""
    if is_arraylike(bins) and not isinstance(bins, np.ndarray):
        shape = tuple(bins.shape)
        edges = np.arange(shape[-1] if shape else 1)
        return np.broadcast_to(edges, shape).astype(bins.dtype) if shape else np.asarray(
            1, dtype=bins.dtype)
    if isinstance(bins, (list, tuple)):
        return type(bins)(_edges_stand_in(b) for b in bins)
    return bins


def _probe_histogram(impl: Any, data: tuple, bins: Any, range_: Any, density: Any,
                     weights: Any) -> list[np.dtype]:
    """Result dtypes of a multi-dimensional histogram, from a one-point call of ``impl``."""
    points = tuple(_one_point(d) for d in data)
    w = None if weights is None else np.ones(1, dtype=spec_of(weights).dtype)
    with np.errstate(all="ignore"):
        result = impl(*points, bins=_edges_stand_in(bins), range=range_, density=density,
                      weights=w)
    flat = [result[0], *result[1]] if isinstance(result[1], list) else list(result)
    return [np.asarray(r).dtype for r in flat]


def histogramdd_shape(sample: Any, bins: Any = 10, range: Any = None, density: Any = None,
                      weights: Any = None) -> tuple[ArraySpec, list[ArraySpec]]:
    """``histogramdd``: (counts of shape (b_1, ..., b_D), a list of the D edge arrays)."""
    _, dims = sample_geometry(sample)
    counts, _ = histogramdd_bins(bins, dims)
    dtypes = _probe_histogram(np.histogramdd, (sample,), bins, range, density, weights)
    hist = ArraySpec(tuple(counts), dtypes[0])
    return hist, [ArraySpec((b + 1,), dt) for b, dt in zip(counts, dtypes[1:])]


def histogram2d_shape(x: Any, y: Any, bins: Any = 10, range: Any = None, density: Any = None,
                      weights: Any = None) -> tuple[ArraySpec, ArraySpec, ArraySpec]:
    """``histogram2d``: (counts of shape (bx, by), x edges, y edges)."""
    counts, _ = histogramdd_bins(histogram2d_bins(bins), 2)
    h_dt, x_dt, y_dt = _probe_histogram(np.histogram2d, (x, y), bins, range, density, weights)
    return (ArraySpec(tuple(counts), h_dt), ArraySpec((counts[0] + 1,), x_dt),
            ArraySpec((counts[1] + 1,), y_dt))


def bincount_shape(x: Any, /, weights: Any = None, minlength: int = 0) -> ArraySpec:
    """``bincount``: max(x) + 1 bins (at least ``minlength``); bounded for small integer dtypes."""
    spec = spec_of(x)
    dtype = np.dtype(np.intp) if weights is None else np.dtype(np.float64)
    if not is_arraylike(x) or isinstance(x, np.ndarray):  # concrete data: read the length
        values = np.asarray(x)
        length = int(values.max()) + 1 if values.size else 0
        return ArraySpec((max(length, int(minlength)),), dtype)
    kind, bits = spec.dtype.kind, 8 * spec.dtype.itemsize
    if kind == "b" or (kind in "iu" and bits <= 16):
        top = 2 if kind == "b" else int(np.iinfo(spec.dtype).max) + 1
        return ArraySpec((max(top, int(minlength)),), dtype, bound=True)
    raise ConcretizationError(
        f"bincount returns max(x) + 1 bins, which depends on the values of a {spec.dtype} "
        "array; planning needs a concrete array, a dtype of at most 16 bits, or a "
        "different formulation (a histogram with a fixed number of bins)"
    )
