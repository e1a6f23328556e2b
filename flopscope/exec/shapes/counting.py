"""Shape rules of the operations that look free but compute (:mod:`flopscope.cost.counting`).

Most are elementwise (the broadcast of their array arguments) or change one
axis by a known amount (``diff``, ``convolve``, ``packbits``...). Dtypes come
from NumPy itself on one-element stand-ins
(:func:`~flopscope.exec.shapes.probe_dtype`), except where the rule is
simpler to state than to probe.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, normalize_axes, normalize_axis, numel, shape_of
from flopscope.cost.counting import (
    convolution_length,
    cross_call_cost,
    diff_call_cost,
    gradient_call_cost,
    unpacked_length,
)
from flopscope.exec.shapes import ArraySpec, bind_arguments, probe_dtype, spec_of
from flopscope.exec.shapes.free import linspace as linspace_shape

__all__ = [
    "elementwise_rule", "scalar_rule", "trace_shape", "diff_shape", "ediff1d_shape",
    "gradient_shape", "convolve_shape", "correlate_shape", "interp_shape", "cross_shape",
    "trapezoid_shape", "vander_shape", "linspace_shape", "logspace_shape", "geomspace_shape",
    "packbits_shape", "unpackbits_shape", "real_if_close_shape",
]

_NO_VALUE = np._NoValue


def elementwise_rule(impl: Callable[..., Any], *arrays: str) -> Callable[..., ArraySpec]:
    """Shape rule of an elementwise ``impl``: the broadcast of the parameters named in ``arrays``
    (and of ``out=``), NumPy's result dtype."""

    def rule(*args: Any, **kwargs: Any) -> ArraySpec:
        named = bind_arguments(impl, args, kwargs)
        operands = [named[name] for name in (*arrays, "out") if name in named]
        shape = broadcast_shapes(*(shape_of(x) for x in operands
                                   if x is not None and x is not _NO_VALUE))
        return ArraySpec(shape, probe_dtype(impl, *args, **kwargs))

    rule.__doc__ = f"Shape rule of ``{impl.__name__}``: the broadcast of {', '.join(arrays)}."
    return rule


def scalar_rule(*args: Any, **kwargs: Any) -> ArraySpec:
    """Predicates answering one Python ``bool`` (``allclose``, ``array_equal``...)."""
    return ArraySpec((), np.dtype(bool))


def trace_shape(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
                out: Any = None) -> ArraySpec:
    """``trace``: the input's shape without ``axis1`` and ``axis2``."""
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    axes = {normalize_axis(axis1, len(shape)), normalize_axis(axis2, len(shape))}
    rest = tuple(d for i, d in enumerate(shape) if i not in axes)
    return ArraySpec(rest, probe_dtype(np.trace, a, offset, axis1, axis2, dtype))


def diff_shape(a: Any, n: int = 1, axis: int = -1, prepend: Any = _NO_VALUE,
               append: Any = _NO_VALUE) -> ArraySpec:
    """``diff``: the axis (lengthened by ``prepend`` / ``append``) shortened by n."""
    if n == 0:
        return spec_of(a)
    diff_call_cost(a, n, axis, prepend, append)  # NumPy's argument errors
    shape = list(shape_of(a))
    ax = normalize_axis(axis, len(shape))
    for extra in (prepend, append):
        if extra is not _NO_VALUE:
            extra_shape = shape_of(extra)
            shape[ax] += extra_shape[ax] if extra_shape else 1
    shape[ax] = max(shape[ax] - n, 0)
    kwargs = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not _NO_VALUE}
    return ArraySpec(tuple(shape), probe_dtype(np.diff, a, 1, axis, **kwargs))


def ediff1d_shape(ary: Any, to_end: Any = None, to_begin: Any = None) -> ArraySpec:
    """``ediff1d``: n − 1 differences between the ``to_begin`` and ``to_end`` values."""
    spec = spec_of(ary)
    length = max(spec.size - 1, 0)
    for extra in (to_begin, to_end):
        if extra is not None:
            length += numel(shape_of(extra))
    return ArraySpec((length,), spec.dtype)


def gradient_shape(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """``gradient``: one array of ``f``'s shape per axis (a bare array for a single axis)."""
    gradient_call_cost(f, *varargs, axis=axis, edge_order=edge_order)  # NumPy's argument errors
    spec = spec_of(f)
    if spec.dtype.kind == "M":
        dtype = np.dtype(spec.dtype.str.replace("M", "m"))
    elif spec.dtype.kind in "fcm":
        dtype = spec.dtype
    else:
        dtype = np.dtype(np.float64)
    axes = normalize_axes(axis, spec.ndim)
    outputs = tuple(ArraySpec(spec.shape, dtype) for _ in axes)
    return outputs[0] if len(outputs) == 1 else outputs


def _signal(x: Any) -> int:
    shape = shape_of(x)
    return shape[0] if shape else 1


def convolve_shape(a: Any, v: Any, mode: Any = "full") -> ArraySpec:
    """``convolve``: full n + m − 1, same max(n, m), valid max(n, m) − min(n, m) + 1."""
    length = convolution_length(_signal(a), _signal(v), mode)
    return ArraySpec((length,), probe_dtype(np.convolve, a, v, mode))


def correlate_shape(a: Any, v: Any, mode: Any = "valid") -> ArraySpec:
    """``correlate``: as :func:`convolve_shape` (default mode ``'valid'``)."""
    length = convolution_length(_signal(a), _signal(v), mode)
    return ArraySpec((length,), probe_dtype(np.correlate, a, v, mode))


def interp_shape(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
                 period: Any = None) -> ArraySpec:
    """``interp``: one value per query, float (complex for complex ``fp``)."""
    return ArraySpec(shape_of(x), probe_dtype(np.interp, x, xp, fp, left, right, period))


def cross_shape(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                axis: Any = None) -> ArraySpec:
    """``cross``: the broadcast batch, plus a 3-vector axis at ``axisc`` unless both are 2-D."""
    cross_call_cost(a, b, axisa, axisb, axisc, axis)  # NumPy's argument errors
    if axis is not None:
        axisa = axisb = axisc = axis
    sa, sb = shape_of(a), shape_of(b)
    ia, ib = normalize_axis(axisa, len(sa)), normalize_axis(axisb, len(sb))
    shape = broadcast_shapes(sa[:ia] + sa[ia + 1:], sb[:ib] + sb[ib + 1:])
    if 3 in (sa[ia], sb[ib]):
        ic = normalize_axis(axisc, len(shape) + 1)
        shape = shape[:ic] + (3,) + shape[ic:]
    return ArraySpec(shape, np.promote_types(spec_of(a).dtype, spec_of(b).dtype))


def trapezoid_shape(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> ArraySpec:
    """``trapezoid``: ``y``'s shape without ``axis``."""
    shape = shape_of(y)
    ax = normalize_axis(axis, len(shape))
    return ArraySpec(shape[:ax] + shape[ax + 1:], probe_dtype(np.trapezoid, y, x, dx, axis))


def vander_shape(x: Any, N: Any = None, increasing: bool = False) -> ArraySpec:
    """``vander``: len(x) × N (square by default)."""
    spec = spec_of(x)
    if spec.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    columns = spec.shape[0] if N is None else operator.index(N)
    if columns < 0:
        raise ValueError("negative dimensions are not allowed")
    return ArraySpec((spec.shape[0], columns), np.promote_types(spec.dtype, int))


def _with_samples(batch: tuple[int, ...], num: int, axis: int) -> tuple[int, ...]:
    ax = normalize_axis(axis, len(batch) + 1)
    return batch[:ax] + (num,) + batch[ax:]


def logspace_shape(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                   base: Any = 10.0, dtype: Any = None, axis: int = 0) -> ArraySpec:
    """``logspace``: ``num`` samples at ``axis`` in the broadcast of the endpoints and base."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    batch = broadcast_shapes(shape_of(start), shape_of(stop), shape_of(base))
    return ArraySpec(_with_samples(batch, num, axis),
                     probe_dtype(np.logspace, start, stop, 2, endpoint, base, dtype))


def geomspace_shape(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                    dtype: Any = None, axis: int = 0) -> ArraySpec:
    """``geomspace``: ``num`` samples inserted at ``axis`` into the broadcast of the endpoints."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    batch = broadcast_shapes(shape_of(start), shape_of(stop))
    return ArraySpec(_with_samples(batch, num, axis),
                     probe_dtype(np.geomspace, start, stop, 2, endpoint, dtype))


def packbits_shape(a: Any, /, axis: Any = None, bitorder: str = "big") -> ArraySpec:
    """``packbits``: eight elements per byte along ``axis`` (the flattened input for ``None``)."""
    shape = shape_of(a)
    if axis is None:
        return ArraySpec((-(-numel(shape) // 8),), np.dtype(np.uint8))
    ax = normalize_axis(axis, len(shape))
    return ArraySpec(shape[:ax] + (-(-shape[ax] // 8),) + shape[ax + 1:], np.dtype(np.uint8))


def unpackbits_shape(a: Any, /, axis: Any = None, count: Any = None,
                     bitorder: str = "big") -> ArraySpec:
    """``unpackbits``: eight bits per byte along ``axis``, trimmed or padded to ``count``."""
    shape = shape_of(a)
    if axis is None:
        return ArraySpec((unpacked_length(numel(shape), count),), np.dtype(np.uint8))
    ax = normalize_axis(axis, len(shape))
    length = unpacked_length(shape[ax], count)
    return ArraySpec(shape[:ax] + (length,) + shape[ax + 1:], np.dtype(np.uint8))


def real_if_close_shape(a: Any, tol: Any = 100) -> ArraySpec:
    """``real_if_close``: the input's shape; for complex input the dtype depends on the values.

    NumPy returns the real part when every imaginary part is negligible, so a
    planned complex input keeps its complex dtype, tagged as data dependent.
    """
    spec = spec_of(a)
    if spec.dtype.kind == "c":
        return ArraySpec(spec.shape, spec.dtype, tags={"data_dependent_dtype": True})
    return spec


