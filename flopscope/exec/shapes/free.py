"""Shape rules of free operations: creation, copies, joins and dtype changes.

View-only operations (``reshape``, ``transpose``, ``squeeze``...) use the
generic :func:`flopscope.exec.shapes.view_rule`; the rules here cover the
free operations that allocate a new array, where running NumPy even on a
zero-stride stand-in would allocate the full result.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from flopscope.cost._shapes import normalize_axis, numel, shape_of
from flopscope.exec.shapes import ArraySpec, is_arraylike, spec_of

__all__ = [
    "shape_arg",
    "filled",
    "full",
    "like",
    "full_like",
    "eye",
    "identity",
    "arange",
    "linspace",
    "array",
    "copy",
    "astype",
    "ravel",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
]


def shape_arg(shape: Any) -> tuple[int, ...]:
    """A ``shape=`` argument (int or sequence of ints) as a tuple, validated like NumPy."""
    if isinstance(shape, (int, np.integer)):
        dims: Sequence[Any] = (shape,)
    else:
        dims = tuple(shape)
    out = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in out):
        raise ValueError("negative dimensions are not allowed")
    return out


def filled(shape: Any, dtype: Any = float, order: str = "C", *, device: Any = None,
           like: Any = None) -> ArraySpec:
    """``zeros`` / ``ones`` / ``empty``."""
    return ArraySpec(shape_arg(shape), np.dtype(dtype if dtype is not None else float))


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **_: Any) -> ArraySpec:
    if dtype is None:
        dtype = spec_of(fill_value).dtype if not is_arraylike(fill_value) else fill_value.dtype
    return ArraySpec(shape_arg(shape), np.dtype(dtype))


def like(prototype: Any, dtype: Any = None, order: str = "K", subok: bool = True,
         shape: Any = None, **_: Any) -> ArraySpec:
    """``zeros_like`` / ``ones_like`` / ``empty_like``."""
    base = spec_of(prototype)
    return ArraySpec(
        shape_arg(shape) if shape is not None else base.shape,
        np.dtype(dtype) if dtype is not None else base.dtype,
    )


def full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, **_: Any) -> ArraySpec:
    return like(a, dtype=dtype, shape=shape)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = float, **_: Any) -> ArraySpec:
    return ArraySpec((operator.index(N), operator.index(M if M is not None else N)), np.dtype(dtype))


def identity(n: int, dtype: Any = None, **_: Any) -> ArraySpec:
    return ArraySpec((operator.index(n), operator.index(n)), np.dtype(dtype if dtype is not None else float))


def arange(*args: Any, dtype: Any = None, **_: Any) -> ArraySpec:
    """Length ``ceil((stop - start) / step)``, clipped at 0, as NumPy computes it."""
    if len(args) == 1:
        start, stop, step = 0, args[0], 1
    elif len(args) == 2:
        (start, stop), step = args, 1
    else:
        start, stop, step = args[:3]
    if step == 0:
        raise ZeroDivisionError("division by zero (arange step of 0)")
    length = max(int(math.ceil((stop - start) / step)), 0)
    result_dtype = np.arange(start, start, step, dtype=dtype).dtype
    return ArraySpec((length,), result_dtype)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, **_: Any) -> Any:
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    bshape = np.broadcast_shapes(shape_of(start), shape_of(stop))
    shape = list(bshape)
    shape.insert(normalize_axis(axis, len(bshape) + 1), num)
    result_dtype = np.dtype(dtype) if dtype is not None else np.result_type(
        spec_of(start).dtype, spec_of(stop).dtype, float
    )
    spec = ArraySpec(tuple(shape), result_dtype)
    return (spec, ArraySpec(bshape, result_dtype)) if retstep else spec


def array(obj: Any, dtype: Any = None, *args: Any, ndmin: int = 0, **kwargs: Any) -> ArraySpec:
    """``array`` / ``asarray`` / ``ascontiguousarray``...: shape of the object, optional dtype."""
    base = spec_of(obj)
    shape = (1,) * max(ndmin - len(base.shape), 0) + base.shape
    return ArraySpec(shape, np.dtype(dtype) if dtype is not None else base.dtype)


def copy(a: Any, *args: Any, **kwargs: Any) -> ArraySpec:
    return spec_of(a)


def astype(x: Any, dtype: Any, /, *args: Any, **kwargs: Any) -> ArraySpec:
    return ArraySpec(spec_of(x).shape, np.dtype(dtype))


def ravel(a: Any, order: str = "C") -> ArraySpec:
    base = spec_of(a)
    return ArraySpec((numel(base.shape),), base.dtype)


def _join_dtype(arrays: Sequence[Any], dtype: Any) -> np.dtype:
    if dtype is not None:
        return np.dtype(dtype)
    return np.result_type(*(spec_of(a).dtype for a in arrays))


def concatenate(arrays: Sequence[Any], axis: Any = 0, out: Any = None, *, dtype: Any = None,
                casting: str = "same_kind") -> ArraySpec:
    specs = [spec_of(a) for a in arrays]
    if not specs:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        return ArraySpec((sum(s.size for s in specs),), _join_dtype(arrays, dtype))
    ndim = specs[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    ax = normalize_axis(axis, ndim)
    for i, s in enumerate(specs[1:], 1):
        if s.ndim != ndim:
            raise ValueError(
                "all the input array dimensions except for the concatenation axis must match "
                f"exactly, but along dimension 0, the array at index 0 has {ndim} dimension(s) "
                f"and the array at index {i} has {s.ndim} dimension(s)"
            )
        for d in range(ndim):
            if d != ax and s.shape[d] != specs[0].shape[d]:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {d}, the array at index 0 has size "
                    f"{specs[0].shape[d]} and the array at index {i} has size {s.shape[d]}"
                )
    shape = list(specs[0].shape)
    shape[ax] = sum(s.shape[ax] for s in specs)
    return ArraySpec(tuple(shape), _join_dtype(arrays, dtype))


def stack(arrays: Sequence[Any], axis: int = 0, out: Any = None, *, dtype: Any = None,
          casting: str = "same_kind") -> ArraySpec:
    specs = [spec_of(a) for a in arrays]
    if not specs:
        raise ValueError("need at least one array to stack")
    if any(s.shape != specs[0].shape for s in specs):
        raise ValueError("all input arrays must have the same shape")
    shape = list(specs[0].shape)
    shape.insert(normalize_axis(axis, len(shape) + 1), len(specs))
    return ArraySpec(tuple(shape), _join_dtype(arrays, dtype))


def _at_least(spec: ArraySpec, n: int) -> ArraySpec:
    shape = spec.shape
    if len(shape) >= n:
        return spec
    if n == 2:
        shape = (1,) * (2 - len(shape)) + shape
    else:
        shape = (1,) * (1 - len(shape)) + shape
    return ArraySpec(shape, spec.dtype)


def hstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> ArraySpec:
    specs = [_at_least(spec_of(a), 1) for a in tup]
    axis = 0 if specs and specs[0].ndim == 1 else 1
    return concatenate(specs, axis=axis, dtype=dtype)


def vstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> ArraySpec:
    return concatenate([_at_least(spec_of(a), 2) for a in tup], axis=0, dtype=dtype)
