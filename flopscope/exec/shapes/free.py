"""Shape rules of free operations: creation, views, copies, joins, selections, metadata.

Every rule takes the NumPy call's arguments and returns the result's
:class:`~flopscope.exec.shapes.ArraySpec` (or a tuple / list of them, or, for
metadata queries and formatting, the plain answer) without allocating an
array of the result's size:

* view-only functions (``reshape``, ``flip``, ``split``...) use
  :func:`flopscope.exec.shapes.view_rule` through :func:`views`;
* metadata queries (``shape``, ``result_type``...) use :func:`metadata`;
* formatting (``array2string``...) uses :func:`concrete`, which needs real
  values and refuses abstract ones;
* everything that allocates a new array has an explicit rule below.

Where a result's size depends on the *values* of an argument (a boolean
condition, deleted positions), a concrete argument gives the exact size and
an abstract one an upper bound marked ``bound``; where no bound exists
(``repeat`` counts), an abstract argument is a
:class:`~flopscope.errors.ConcretizationError`.
"""

from __future__ import annotations

import math
import operator
import sys
from typing import Any, Callable, Sequence

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, normalize_axis, numel, shape_of
from flopscope.errors import ConcretizationError
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.shapes import ArraySpec, bind_arguments, is_arraylike, spec_of, view_rule
from flopscope.trace.callsite import line_of, user_frame

__all__ = [
    # builders
    "views",
    "metadata",
    "concrete",
    "in_place",
    "require_values",
    # creation
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
    "frombuffer",
    "fromiter",
    "fromstring",
    "from_dlpack",
    "tri",
    "indices",
    "diag_indices",
    "diag_indices_from",
    "tril_indices",
    "triu_indices",
    "tril_indices_from",
    "triu_indices_from",
    "mask_indices",
    "ix_",
    "meshgrid",
    # copies and joins
    "ravel",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "row_stack",
    "column_stack",
    "dstack",
    "block",
    "append",
    "insert",
    "delete",
    "tile",
    "repeat",
    "resize",
    "require",
    "same_shape",
    "real_part",
    "diag",
    "diagflat",
    "triangle",
    "tril_count",
    "datetime_as_string",
    # selections
    "compress",
    "extract",
    "take",
    "take_along_axis",
    "ravel_multi_index",
    "unravel_index",
    # value-dependent metadata
    "min_scalar_type",
    "shares_memory",
    "may_share_memory",
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
    rows = operator.index(N)
    return ArraySpec((rows, operator.index(M) if M is not None else rows), np.dtype(dtype))


def identity(n: int, dtype: Any = None, **_: Any) -> ArraySpec:
    n = operator.index(n)
    return ArraySpec((n, n), np.dtype(dtype if dtype is not None else float))


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
    base = _nested_spec(obj)
    shape = (1,) * max(ndmin - len(base.shape), 0) + base.shape
    return ArraySpec(shape, np.dtype(dtype) if dtype is not None else base.dtype)


def _nested_spec(obj: Any) -> ArraySpec:
    """Spec of ``np.array(obj)`` where ``obj`` may nest (abstract) arrays in lists and tuples.

    Elements must agree in shape, as NumPy requires; the dtype is the result
    type of the elements' dtypes (Python scalars as NumPy discovers them).
    """
    if is_arraylike(obj) or not isinstance(obj, (list, tuple)) or not _holds_array(obj):
        return spec_of(obj)
    elements = [_nested_spec(x) for x in obj]
    shapes = {e.shape for e in elements}
    if len(shapes) > 1:
        raise ValueError(
            "setting an array element with a sequence. The requested array has an "
            f"inhomogeneous shape after 1 dimensions: its elements have shapes {sorted(shapes)}"
        )
    shape = elements[0].shape if elements else ()
    return ArraySpec((len(elements), *shape), np.result_type(*(e.dtype for e in elements)))


def _holds_array(obj: Any) -> bool:
    return any(is_arraylike(x) or (isinstance(x, (list, tuple)) and _holds_array(x)) for x in obj)


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


# ---------------------------------------------------------------------------------------
# Helpers shared by the rules below
# ---------------------------------------------------------------------------------------


def _contains_abstract(x: Any) -> bool:
    if isinstance(x, AbstractArray):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_abstract(i) for i in x)
    return False


def require_values(value: Any, what: str) -> None:
    """Refuse to plan a call whose result depends on the *values* of an abstract array.

    ``what`` names the argument (``"np.repeat(repeats=...)"``). The error names
    the user's line, like every :class:`~flopscope.errors.ConcretizationError`.
    """
    if not _contains_abstract(value):
        return
    code, lasti = user_frame(sys._getframe(1))
    where = f" at {code.co_filename}:{line_of(code, lasti)}" if code is not None else ""
    raise ConcretizationError(
        f"{what} needs the values of an abstract array{where}: they decide the shape of the "
        "result, and flops.plan computes nothing. Pass a concrete array for that argument."
    )


def _plain(x: Any) -> Any:
    """``x`` with flopscope arrays viewed as plain NumPy arrays (recursing into lists).

    Rules that run a NumPy function on concrete arguments use this so the call
    does not route back into flopscope through ``__array_function__``.
    """
    if isinstance(x, np.ndarray) and type(x) is not np.ndarray:
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)) and any(isinstance(i, (np.ndarray, list, tuple)) for i in x):
        return type(x)(_plain(i) for i in x)
    return x


def _values(x: Any, what: str) -> np.ndarray:
    """The concrete values of an index-like argument as a plain array."""
    require_values(x, what)
    return np.asarray(_plain(x))


def _with_ndim(spec: ArraySpec, ndim: int) -> ArraySpec:
    """``spec`` with ones prepended up to ``ndim`` axes (``np.array(x, ndmin=ndim)``)."""
    missing = ndim - spec.ndim
    return spec if missing <= 0 else ArraySpec((1,) * missing + spec.shape, spec.dtype)


def _spec_list(arrays: Sequence[Any]) -> list[ArraySpec]:
    return [spec_of(a) for a in arrays]


def _axis_or_flat(spec: ArraySpec, axis: Any) -> tuple[list[int], int]:
    """Shape (as a list) and axis an ``axis=None``-flattens function works on."""
    if axis is None:
        return [spec.size], 0
    return list(spec.shape), normalize_axis(axis, spec.ndim)


# ---------------------------------------------------------------------------------------
# Generic rule builders
# ---------------------------------------------------------------------------------------


def views(impl: Callable[..., Any], *value_params: str) -> Callable[..., Any]:
    """:func:`view_rule` for ``impl``, refusing abstract values for ``value_params``.

    ``view_rule`` replaces every array argument by a zero-stride stand-in,
    which is right for the arrays being viewed but would silently read zeros
    from an index argument such as ``np.split``'s ``indices_or_sections``.
    """
    inner = view_rule(impl)
    if not value_params:
        return inner

    def rule(*args: Any, **kwargs: Any) -> Any:
        named = bind_arguments(impl, args, kwargs)
        for param in value_params:
            require_values(named.get(param), f"{impl.__name__}({param}=...)")
        return inner(*args, **kwargs)

    return rule


def metadata(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Rule of a query that reads only shapes and dtypes (``np.shape``, ``np.result_type``).

    The query runs on zero-stride stand-ins, which carry the exact shape,
    dtype and ndim of each argument in one element of memory; its answer (an
    int, a tuple, a dtype, a bool) is returned as it is.
    """
    return view_rule(impl)


def concrete(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Rule of a function whose answer depends on values (formatting: ``np.array2string``).

    With concrete arguments it simply runs ``impl`` (the answer is a string or
    a number, never an array of the result's size); an abstract argument is a
    :class:`~flopscope.errors.ConcretizationError`.
    """

    def rule(*args: Any, **kwargs: Any) -> Any:
        require_values((args, tuple(kwargs.values())), f"{impl.__name__}()")
        return impl(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})

    return rule


def in_place(*args: Any, **kwargs: Any) -> None:
    """Rule of an in-place writer (``np.put``, ``np.copyto``...): NumPy returns ``None``."""
    return None


# ---------------------------------------------------------------------------------------
# Metadata that depends on more than shapes
# ---------------------------------------------------------------------------------------


def min_scalar_type(a: Any) -> np.dtype:
    """An array's own dtype, except for 0-d input, whose *value* decides."""
    if isinstance(a, AbstractArray):
        if a.ndim == 0:
            require_values(a, "min_scalar_type()")
        return np.dtype(a.dtype)
    return np.min_scalar_type(_plain(a))


def shares_memory(a: Any, b: Any, max_work: Any = None) -> bool:
    """Memory overlap is a property of real buffers, which a plan does not have."""
    require_values((a, b), "shares_memory() / may_share_memory()")
    return bool(np.shares_memory(_plain(a), _plain(b), max_work=max_work))


def may_share_memory(a: Any, b: Any, max_work: Any = None) -> bool:
    require_values((a, b), "shares_memory() / may_share_memory()")
    return bool(np.may_share_memory(_plain(a), _plain(b), max_work=max_work))


# ---------------------------------------------------------------------------------------
# Joins and copies
# ---------------------------------------------------------------------------------------


def append(arr: Any, values: Any, axis: Any = None) -> ArraySpec:
    """Flat concatenation for ``axis=None``, else :func:`concatenate` of the two."""
    a, v = spec_of(arr), spec_of(values)
    if axis is None:
        return ArraySpec((a.size + v.size,), _join_dtype([a, v], None))
    return concatenate([a, v], axis=axis)


def column_stack(tup: Sequence[Any]) -> ArraySpec:
    """1-D inputs become columns ``(n, 1)``, 0-d inputs ``(1, 1)``; joined on axis 1."""
    specs = []
    for s in _spec_list(tup):
        if s.ndim < 2:
            s = ArraySpec((s.size, 1) if s.ndim == 1 else (1, 1), s.dtype)
        specs.append(s)
    return concatenate(specs, axis=1)


def _at_least_3d(s: ArraySpec) -> ArraySpec:
    if s.ndim == 0:
        return ArraySpec((1, 1, 1), s.dtype)
    if s.ndim == 1:
        return ArraySpec((1, s.shape[0], 1), s.dtype)
    if s.ndim == 2:
        return ArraySpec(s.shape + (1,), s.dtype)
    return s


def dstack(tup: Sequence[Any]) -> ArraySpec:
    """``atleast_3d`` of each input, joined on axis 2."""
    return concatenate([_at_least_3d(s) for s in _spec_list(tup)], axis=2)


def row_stack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> ArraySpec:
    """Deprecated alias of ``vstack``."""
    return vstack(tup, dtype=dtype, casting=casting)


def block(arrays: Any) -> ArraySpec:
    """``np.block``: nested lists joined innermost-last, leaves promoted to a common ndim.

    With lists nested ``depth`` deep and leaves of at most ``n`` dimensions,
    the result has ``max(depth, n)`` dimensions; the innermost lists join
    along the last axis, the next ones along the second-to-last, and so on.
    """

    def depth_of(x: Any, index: str) -> int:
        if type(x) is tuple:
            raise TypeError(
                f"{index} is a tuple. Only lists can be used to arrange blocks, and np.block "
                "does not allow implicit conversion from tuple to ndarray."
            )
        if type(x) is not list:
            return 0
        if not x:
            raise ValueError(f"List at {index} cannot be empty")
        depths = {depth_of(item, f"{index}[{i}]") for i, item in enumerate(x)}
        if len(depths) != 1:
            raise ValueError("List depths are mismatched.")
        return depths.pop() + 1

    def leaves(x: Any) -> list[ArraySpec]:
        return [s for item in x for s in leaves(item)] if type(x) is list else [spec_of(x)]

    depth = depth_of(arrays, "arrays")
    ndim = max([depth] + [s.ndim for s in leaves(arrays)])

    def build(x: Any, level: int) -> ArraySpec:
        if level < depth:
            return concatenate([build(item, level + 1) for item in x], axis=-(depth - level))
        return _with_ndim(spec_of(x), ndim)

    return build(arrays, 0)


def tile(A: Any, reps: Any) -> ArraySpec:
    """Each axis multiplied by its repetition count; the shorter of the two is padded with 1s."""
    s = spec_of(A)
    tup = tuple(operator.index(r) for r in reps) if isinstance(reps, (list, tuple)) else (
        operator.index(reps),
    )
    ndim = max(len(tup), s.ndim)
    tup = (1,) * (ndim - len(tup)) + tup
    base = (1,) * (ndim - s.ndim) + s.shape
    return ArraySpec(tuple(b * t for b, t in zip(base, tup)), s.dtype)


def repeat(a: Any, repeats: Any, axis: Any = None) -> ArraySpec:
    """The repeated axis grows to ``sum(repeats)``; the counts must be concrete."""
    s = spec_of(a)
    shape, ax = _axis_or_flat(s, axis)
    counts = _values(repeats, "repeat(repeats=...)")
    if counts.ndim > 1:
        raise ValueError("repeats must be a scalar or a 1-d array")
    if np.any(counts < 0):
        raise ValueError("repeats may not contain negative values.")
    n = shape[ax]
    if counts.size == 1:
        shape[ax] = n * int(counts.reshape(()))
    elif counts.size == n:
        shape[ax] = int(counts.sum())
    else:
        raise ValueError(
            f"operands could not be broadcast together with shape ({n},) ({counts.size},)"
        )
    return ArraySpec(tuple(shape), s.dtype)


def resize(a: Any, new_shape: Any) -> ArraySpec:
    return ArraySpec(shape_arg(new_shape), spec_of(a).dtype)


def require(a: Any, dtype: Any = None, requirements: Any = None, **_: Any) -> ArraySpec:
    s = spec_of(a)
    return ArraySpec(s.shape, np.dtype(dtype) if dtype is not None else s.dtype)


def same_shape(a: Any, *args: Any, **kwargs: Any) -> ArraySpec:
    """Rule of a copy with its first argument's shape and dtype (``roll``)."""
    return spec_of(a)


def real_part(val: Any) -> ArraySpec:
    """``np.real`` / ``np.imag``: the input's shape, the real counterpart of its dtype."""
    s = spec_of(val)
    return ArraySpec(s.shape, np.empty(0, dtype=s.dtype).real.dtype)


def datetime_as_string(arr: Any, unit: Any = None, timezone: Any = "naive",
                       casting: str = "same_kind") -> ArraySpec:
    s = spec_of(arr)
    probe = np.zeros((1,) * s.ndim, dtype=s.dtype)
    dtype = np.datetime_as_string(probe, unit=unit, timezone=timezone, casting=casting).dtype
    return ArraySpec(s.shape, dtype)


# ---------------------------------------------------------------------------------------
# Selections and deletions (sizes may depend on values)
# ---------------------------------------------------------------------------------------


def compress(condition: Any, a: Any, axis: Any = None, out: Any = None) -> ArraySpec:
    """Length of the selected axis: the number of true entries of a concrete condition.

    For an abstract condition it is planned at its upper bound (every entry
    true, up to the axis length) and marked as a bound.
    """
    s = spec_of(a)
    shape, ax = _axis_or_flat(s, axis)
    if isinstance(condition, AbstractArray):
        shape[ax] = min(condition.size, shape[ax])
        return ArraySpec(tuple(shape), s.dtype, bound=True)
    cond = np.asarray(_plain(condition))
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    shape[ax] = int(np.count_nonzero(cond))
    return ArraySpec(tuple(shape), s.dtype)


def extract(condition: Any, arr: Any) -> ArraySpec:
    """As many elements as ``condition`` has non-zero entries (a bound if it is abstract)."""
    s = spec_of(arr)
    if isinstance(condition, AbstractArray):
        return ArraySpec((min(condition.size, s.size),), s.dtype, bound=True)
    return ArraySpec((int(np.count_nonzero(_plain(condition))),), s.dtype)


def delete(arr: Any, obj: Any, axis: Any = None) -> ArraySpec:
    """The axis shrinks by the number of distinct positions ``obj`` names.

    An abstract integer ``obj`` deletes at least one position when it is not
    empty, so the result is planned at ``n - 1`` and marked as a bound; an
    abstract boolean ``obj`` may delete nothing (planned at ``n``).
    """
    s = spec_of(arr)
    shape, ax = _axis_or_flat(s, axis)
    n = shape[ax]
    if isinstance(obj, slice):
        shape[ax] = n - len(range(*obj.indices(n)))
        return ArraySpec(tuple(shape), s.dtype)
    if isinstance(obj, AbstractArray):
        if obj.dtype != np.bool_ and obj.size:
            shape[ax] = n - 1
        return ArraySpec(tuple(shape), s.dtype, bound=True)
    idx = np.asarray(_plain(obj))
    if idx.dtype == np.bool_:
        if idx.shape != (n,):
            raise ValueError(
                "boolean array argument obj to delete must be one dimensional and match the "
                f"axis length of {n}"
            )
        shape[ax] = n - int(np.count_nonzero(idx))
        return ArraySpec(tuple(shape), s.dtype)
    if idx.size == 0:
        return ArraySpec(tuple(shape), s.dtype)
    if idx.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    if np.any((idx < -n) | (idx >= n)):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for axis {ax} with size {n}")
    shape[ax] = n - len(np.unique(np.where(idx < 0, idx + n, idx)))
    return ArraySpec(tuple(shape), s.dtype)


def insert(arr: Any, obj: Any, values: Any, axis: Any = None) -> ArraySpec:
    """The axis grows by the number of insertions, following NumPy's two cases.

    Several insertion points insert one slice each. A single insertion point
    inserts ``values`` as a block: ``values`` is promoted to ``arr``'s ndim
    and, for a scalar ``obj``, its first axis is moved to ``axis``, whose
    length then is the number of inserted slices.
    """
    s = spec_of(arr)
    shape, ax = _axis_or_flat(s, axis)
    ndim = len(shape)
    n = shape[ax]
    bound = False
    if isinstance(obj, slice):
        scalar, count = False, len(range(*obj.indices(n)))
    elif isinstance(obj, AbstractArray):
        if obj.ndim > 1:
            raise ValueError("index array argument obj to insert must be one dimensional or scalar")
        scalar, count = obj.ndim == 0, obj.size
        bound = obj.dtype == np.bool_
    else:
        idx = np.asarray(_plain(obj))
        if idx.dtype == np.bool_:
            if idx.ndim != 1:
                raise ValueError("boolean array argument obj to insert must be one dimensional")
            scalar, count = False, int(np.count_nonzero(idx))
        elif idx.ndim > 1:
            raise ValueError("index array argument obj to insert must be one dimensional or scalar")
        else:
            scalar, count = idx.ndim == 0, idx.size
            if count == 1 and not -n <= int(idx.reshape(())) <= n:
                raise IndexError(
                    f"index {obj} is out of bounds for axis {ax} with size {n}"
                )
    if count == 1 and not bound:
        block_shape = _with_ndim(spec_of(values), ndim).shape
        if scalar:  # NumPy moves the first axis of ``values`` to ``axis``
            block_shape = block_shape[1:ax + 1] + block_shape[:1] + block_shape[ax + 1:]
        count = block_shape[ax]
    shape[ax] = n + count
    return ArraySpec(tuple(shape), s.dtype, bound=bound)


def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> ArraySpec:
    """The indexed axis replaced by the shape of ``indices`` (all of ``a`` when ``axis=None``)."""
    s, i = spec_of(a), spec_of(indices)
    if axis is None:
        return ArraySpec(i.shape, s.dtype)
    ax = normalize_axis(axis, s.ndim)
    return ArraySpec(s.shape[:ax] + i.shape + s.shape[ax + 1:], s.dtype)


def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> ArraySpec:
    """``indices``' length on ``axis``, the broadcast of both shapes elsewhere."""
    s, i = spec_of(arr), spec_of(indices)
    if i.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if i.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        return ArraySpec(i.shape, s.dtype)
    ax = normalize_axis(axis, s.ndim)
    if i.ndim != s.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    shape = tuple(
        i.shape[d] if d == ax else broadcast_shapes((s.shape[d],), (i.shape[d],))[0]
        for d in range(s.ndim)
    )
    return ArraySpec(shape, s.dtype)


# ---------------------------------------------------------------------------------------
# Diagonals and triangles
# ---------------------------------------------------------------------------------------


def _diagonal_length(rows: int, cols: int, k: int) -> int:
    return max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols))


def diag(v: Any, k: int = 0) -> ArraySpec:
    """1-D input: an ``(n + |k|)``-square matrix; 2-D input: its ``k``-th diagonal."""
    s = spec_of(v)
    k = operator.index(k)
    if s.ndim == 1:
        n = s.shape[0] + abs(k)
        return ArraySpec((n, n), s.dtype)
    if s.ndim == 2:
        return ArraySpec((_diagonal_length(*s.shape, k),), s.dtype)
    raise ValueError("Input must be 1- or 2-d.")


def diagflat(v: Any, k: int = 0) -> ArraySpec:
    s = spec_of(v)
    n = s.size + abs(operator.index(k))
    return ArraySpec((n, n), s.dtype)


def diag_indices(n: int, ndim: int = 2) -> tuple[ArraySpec, ...]:
    return (ArraySpec((operator.index(n),), np.dtype(int)),) * operator.index(ndim)


def diag_indices_from(arr: Any) -> tuple[ArraySpec, ...]:
    s = spec_of(arr)
    if s.ndim < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(s.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(s.shape[0], s.ndim)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = float, **_: Any) -> ArraySpec:
    n = operator.index(N)
    return ArraySpec((n, operator.index(M) if M is not None else n), np.dtype(dtype))


def triangle(m: Any, k: int = 0) -> ArraySpec:
    """``tril`` / ``triu``: the input's shape, a 1-D input broadcast to a square matrix."""
    s = spec_of(m)
    if s.ndim == 0:
        raise TypeError("tri() missing 1 required positional argument: 'N'")
    mask = s.shape[-2:] if s.ndim >= 2 else (s.shape[0], s.shape[0])
    return ArraySpec(broadcast_shapes(s.shape, mask), s.dtype)


def tril_count(n: int, k: int, m: int) -> int:
    """Number of entries ``(i, j)`` of an ``n x m`` matrix with ``j - i <= k``.

    Row ``i`` holds ``clip(i + k + 1, 0, m)`` of them: none before row
    ``lo = -k``, a full row from ``hi = m - k - 1`` on, an arithmetic series
    in between.
    """
    lo = min(max(0, -k), n)
    hi = min(max(lo, m - k - 1), n)
    between = (hi - lo) * (lo + hi - 1) // 2 + (hi - lo) * (k + 1)
    return between + (n - hi) * m


def _triangle_indices(count: int) -> tuple[ArraySpec, ArraySpec]:
    spec = ArraySpec((count,), np.dtype(np.intp))
    return spec, spec


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple[ArraySpec, ArraySpec]:
    n, k = operator.index(n), operator.index(k)
    m = n if m is None else operator.index(m)
    return _triangle_indices(tril_count(n, k, m))


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple[ArraySpec, ArraySpec]:
    n, k = operator.index(n), operator.index(k)
    m = n if m is None else operator.index(m)
    return _triangle_indices(n * m - tril_count(n, k - 1, m))


def _two_d(arr: Any) -> ArraySpec:
    s = spec_of(arr)
    if s.ndim != 2:
        raise ValueError("input array must be 2-d")
    return s


def tril_indices_from(arr: Any, k: int = 0) -> tuple[ArraySpec, ArraySpec]:
    s = _two_d(arr)
    return tril_indices(s.shape[0], k, s.shape[1])


def triu_indices_from(arr: Any, k: int = 0) -> tuple[ArraySpec, ArraySpec]:
    s = _two_d(arr)
    return triu_indices(s.shape[0], k, s.shape[1])


def mask_indices(n: int, mask_func: Callable[..., Any], k: int = 0) -> tuple[ArraySpec, ArraySpec]:
    """Exact for the triangle masks (``triu`` / ``tril``); any other mask is a bound of n²."""
    n, k = operator.index(n), operator.index(k)
    # NumPy's function itself, or flopscope's wrapper of it (which records it as __wrapped__)
    funcs = (mask_func, getattr(mask_func, "__wrapped__", None))
    if np.tril in funcs:
        return _triangle_indices(tril_count(n, k, n))
    if np.triu in funcs:
        return _triangle_indices(n * n - tril_count(n, k - 1, n))
    spec = ArraySpec((n * n,), np.dtype(np.intp), bound=True)
    return spec, spec


# ---------------------------------------------------------------------------------------
# Index grids and index arithmetic
# ---------------------------------------------------------------------------------------


def indices(dimensions: Any, dtype: Any = int, sparse: bool = False) -> Any:
    """Dense: one ``(N, *dimensions)`` array; sparse: N arrays, each long on one axis."""
    dims = tuple(operator.index(d) for d in dimensions)
    dt = np.dtype(dtype)
    if not sparse:
        return ArraySpec((len(dims),) + dims, dt)
    ndim = len(dims)
    return tuple(
        ArraySpec((1,) * i + (d,) + (1,) * (ndim - i - 1), dt) for i, d in enumerate(dims)
    )


def ix_(*args: Any) -> tuple[ArraySpec, ...]:
    """One open-mesh array per sequence; a boolean sequence selects its true positions."""
    out = []
    for k, seq in enumerate(args):
        bound = False
        if isinstance(seq, AbstractArray):
            length, dtype = seq.size, seq.dtype
            if seq.ndim != 1:
                raise ValueError("Cross index must be 1 dimensional")
            if dtype == np.bool_:
                dtype, bound = np.dtype(np.intp), True
        else:
            values = np.asarray(_plain(seq))
            if values.ndim != 1:
                raise ValueError("Cross index must be 1 dimensional")
            length, dtype = values.size, values.dtype
            if dtype == np.bool_:
                length, dtype = int(np.count_nonzero(values)), np.dtype(np.intp)
        if length == 0:
            dtype = np.dtype(np.intp)
        shape = (1,) * k + (length,) + (1,) * (len(args) - k - 1)
        out.append(ArraySpec(shape, np.dtype(dtype), bound=bound))
    return tuple(out)


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> tuple:
    """Each input flattened and laid along its own axis; ``'xy'`` swaps the first two axes."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    specs = _spec_list(xi)
    ndim = len(specs)
    lengths = [s.size for s in specs]
    if indexing == "xy" and ndim > 1:
        lengths[0], lengths[1] = lengths[1], lengths[0]
    shapes = []
    for i in range(ndim):
        axis = i if indexing == "ij" or ndim < 2 or i > 1 else 1 - i
        shapes.append((1,) * axis + (specs[i].size,) + (1,) * (ndim - axis - 1))
    if not sparse:
        full = tuple(lengths)
        shapes = [full] * ndim
    return tuple(ArraySpec(shape, s.dtype) for shape, s in zip(shapes, specs))


def ravel_multi_index(multi_index: Any, dims: Any, mode: Any = "raise",
                      order: str = "C") -> ArraySpec:
    """The broadcast shape of the index arrays, as ``intp``."""
    dims = shape_arg(dims)
    specs = _spec_list(multi_index)
    if len(specs) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    return ArraySpec(broadcast_shapes(*(s.shape for s in specs)), np.dtype(np.intp))


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple[ArraySpec, ...]:
    """One ``intp`` array of ``indices``' shape per dimension of ``shape``."""
    spec = ArraySpec(spec_of(indices).shape, np.dtype(np.intp))
    return (spec,) * len(shape_arg(shape))


# ---------------------------------------------------------------------------------------
# Creation from buffers, iterables and strings
# ---------------------------------------------------------------------------------------


def _element_shape(dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    """Subarray dtypes (``'(3,)f8'``) add trailing axes: (extra axes, element dtype)."""
    dt = np.dtype(dtype)
    return dt.shape, dt.base


def frombuffer(buffer: Any, dtype: Any = float, count: int = -1, offset: int = 0,
               **_: Any) -> ArraySpec:
    """``count`` elements, or as many as fit in the buffer after ``offset``."""
    extra, base = _element_shape(float if dtype is None else dtype)
    itemsize = np.dtype(float if dtype is None else dtype).itemsize
    nbytes = memoryview(buffer).nbytes
    if offset < 0 or offset > nbytes:
        raise ValueError("offset must be non-negative and no greater than buffer length "
                         f"({nbytes})")
    available = nbytes - offset
    if count < 0:
        if itemsize == 0 or available % itemsize:
            raise ValueError("buffer size must be a multiple of element size")
        count = available // itemsize
    elif count * itemsize > available:
        raise ValueError("buffer is smaller than requested size")
    return ArraySpec((count,) + extra, base)


def fromiter(iter: Any, dtype: Any, count: int = -1, **_: Any) -> ArraySpec:
    """``count`` elements, or ``len(iter)`` for a sized iterable."""
    extra, base = _element_shape(dtype)
    if count < 0:
        if not hasattr(iter, "__len__"):
            raise ConcretizationError(
                "fromiter() over an iterator of unknown length cannot be planned without "
                "consuming it; pass count= (flops.plan computes nothing)"
            )
        count = len(iter)
    return ArraySpec((count,) + extra, base)


def fromstring(string: Any, dtype: Any = float, count: int = -1, *, sep: str = "",
               like: Any = None) -> ArraySpec:
    """Text parsing: ``count`` values, else at most one per ``sep``-separated token (a bound)."""
    if sep == "":
        raise ValueError("The binary mode of fromstring is removed, use frombuffer instead")
    if isinstance(string, bytes):
        string = string.decode("latin-1")
    if count >= 0:
        return ArraySpec((count,), np.dtype(dtype))
    separator = sep.strip()
    tokens = string.split(separator) if separator else string.split()
    return ArraySpec((len(tokens),), np.dtype(dtype), bound=True)


def from_dlpack(x: Any, /, *, device: Any = None, copy: Any = None) -> ArraySpec:
    return spec_of(x)
