"""Shape rules: abstract evaluation of registry callables.

A shape rule takes a call's arguments, exactly as NumPy would (array
arguments may be real arrays or abstract ones; only ``.shape``, ``.dtype``
and ``.ndim`` are read), and returns the result's :class:`ArraySpec`, or a
tuple / namedtuple / list of them for multi-output calls. Nothing is
computed and no array of the result's size is allocated.

Three generic tools cover most callables:

* **broadcast + dtype resolution** for ufuncs (:func:`ufunc_rule`);
* **dtype probes** (:func:`probe_dtype`): run the real NumPy function on a
  1-element-per-axis stand-in of each input to learn the result dtype, which
  never depends on sizes; the shape comes from the rule itself;
* **view probes** (:func:`view_rule`): for functions that only ever return a
  view (``reshape``, ``transpose``, slicing...), run NumPy on a zero-stride
  stand-in of the full shape. A zero-stride array of any shape occupies one
  element of memory, and a view of it is a view, so the result's exact
  shape comes for free.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, normalize_axes, numel, reduced_shape, shape_of

__all__ = [
    "ArraySpec",
    "spec_of",
    "is_arraylike",
    "probe_dtype",
    "ufunc_rule",
    "reduction_rule",
    "cumulative_rule",
    "view_rule",
    "same_as_first",
    "bind_arguments",
]


@dataclass(frozen=True, slots=True)
class ArraySpec:
    """Shape and dtype of an array that is planned, not computed.

    ``bound`` marks a data-dependent size planned at its upper bound
    (``nonzero``, ``unique``, boolean masks).
    """

    shape: tuple[int, ...]
    dtype: np.dtype
    bound: bool = False
    tags: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return numel(self.shape)


def is_arraylike(x: Any) -> bool:
    """True for arrays and abstract arrays (anything with shape and dtype)."""
    return (hasattr(x, "shape") and hasattr(x, "dtype")
            and not isinstance(x, (np.generic, type)))  # scalar types such as np.float32 too


def spec_of(x: Any) -> ArraySpec:
    """The :class:`ArraySpec` of an array, abstract array, scalar or nested list."""
    if is_arraylike(x):
        return ArraySpec(tuple(x.shape), np.dtype(x.dtype))
    arr = np.asarray(x)
    return ArraySpec(arr.shape, arr.dtype)


def _stand_in(x: Any) -> Any:
    """A 1-element-per-axis array with ``x``'s dtype and ndim (scalars unchanged)."""
    if is_arraylike(x):
        return np.ones((1,) * len(x.shape), dtype=x.dtype)
    if isinstance(x, (list, tuple)) and any(is_arraylike(i) for i in x):
        return type(x)(_stand_in(i) for i in x)
    return x


def _freeze(x: Any) -> Any:
    """A hashable key standing for ``x`` as far as result dtypes go (TypeError if none)."""
    if is_arraylike(x):
        return ("array", np.dtype(x.dtype).str, len(x.shape))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_freeze(i) for i in x))
    if isinstance(x, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in x.items()))
    return (type(x), x)


_PROBE_CACHE_SIZE = 4096
_PROBED: dict[Any, Any] = {}


def _probe(impl: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    small_args = tuple(_stand_in(a) for a in args)
    small_kwargs = {k: _stand_in(v) for k, v in kwargs.items()}
    # The stand-ins are tiny (var(ddof=1) of one element...): their warnings are not the user's.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = impl(*small_args, **small_kwargs)
    if isinstance(result, tuple):
        return tuple(np.asarray(r).dtype for r in result)
    return np.asarray(result).dtype


def probe_dtype(impl: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Result dtype(s) of ``impl(*args, **kwargs)``, learned from tiny stand-ins.

    Each array argument is replaced by an array of ones of the same dtype and
    ndim with every axis of length 1; ``out=`` is dropped. Cached on the
    arguments' dtypes, ndims and scalar parameters (with their types: NumPy
    promotes ``1.0`` and ``np.float64(1.0)`` differently); calls with
    unhashable parameters are probed every time.
    """
    kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    try:
        key = (impl, _freeze(args), _freeze(kwargs))
        hash(key)
    except TypeError:
        return _probe(impl, args, kwargs)
    dtype = _PROBED.get(key)
    if dtype is None:
        dtype = _probe(impl, args, kwargs)
        if len(_PROBED) < _PROBE_CACHE_SIZE:
            _PROBED[key] = dtype
    return dtype


def bind_arguments(fn: Callable[..., Any], args: tuple, kwargs: dict) -> dict[str, Any]:
    """Arguments of a call to ``fn`` by parameter name, defaults applied."""
    bound = _signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


@lru_cache(maxsize=None)
def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(fn)


def _python_scalar_dtype(x: Any) -> Any:
    """What ``ufunc.resolve_dtypes`` expects for an operand (Python scalars stay weak)."""
    if is_arraylike(x) or isinstance(x, np.generic):
        return np.dtype(x.dtype)
    if type(x) is bool:  # NumPy takes a Python bool as a (strong) bool_, not as a weak scalar
        return np.dtype(bool)
    if type(x) in (int, float, complex):
        return type(x)
    return np.asarray(x).dtype


def ufunc_rule(ufunc: np.ufunc) -> Callable[..., Any]:
    """Shape rule of an elementwise ufunc call: broadcast shape, NumPy's dtype resolution."""

    def rule(*args: Any, out: Any = None, dtype: Any = None, **kwargs: Any) -> Any:
        shapes = [shape_of(a) for a in args]  # never np.shape(): it dispatches on abstract arrays
        shape = broadcast_shapes(*shapes)
        if dtype is not None:
            dtypes = (np.dtype(dtype),) * ufunc.nout
        else:
            resolved = ufunc.resolve_dtypes(
                tuple(_python_scalar_dtype(a) for a in args) + (None,) * ufunc.nout
            )
            dtypes = resolved[ufunc.nin:]
        if out is not None:
            outs = out if isinstance(out, tuple) else (out,)
            _check_outputs(ufunc, shape, dtypes, outs, kwargs.get("casting", "same_kind"))
            shape = broadcast_shapes(shape, *(tuple(o.shape) for o in outs if o is not None))
        specs = tuple(ArraySpec(shape, dt) for dt in dtypes)
        return specs[0] if ufunc.nout == 1 else specs

    return rule


def _check_outputs(ufunc: np.ufunc, shape: tuple, dtypes: tuple, outs: tuple, casting: str) -> None:
    """NumPy's checks on ``out=``: the result broadcasts to each output and casts to its dtype."""
    for out, dt in zip(outs, dtypes):
        if out is None:
            continue
        if not np.can_cast(dt, out.dtype, casting=casting):  # NumPy checks this first
            raise TypeError(
                f"Cannot cast ufunc '{ufunc.__name__}' output from {dt!r} to {np.dtype(out.dtype)!r} "
                f"with casting rule {casting!r}"
            )
        out_shape = tuple(out.shape)
        try:
            fits = broadcast_shapes(shape, out_shape) == out_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"non-broadcastable output operand with shape {out_shape} doesn't match the "
                f"broadcast shape {shape}"
            )


def reduction_rule(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Shape rule of an ``axis`` / ``keepdims`` reduction (``sum``, ``mean``, ``argmax``...)."""

    def rule(*args: Any, **kwargs: Any) -> ArraySpec:
        named = bind_arguments(impl, args, kwargs)
        a = named.get("a", args[0] if args else None)
        keepdims = named.get("keepdims", False)
        keepdims = bool(keepdims) if keepdims is not np._NoValue else False
        shape = reduced_shape(tuple(a.shape), named.get("axis"), keepdims)
        if 0 in tuple(a.shape):
            # Empty input: NumPy's answer depends on more than shapes (max over a zero-length
            # axis raises, sum gives its identity). Run it on empty stand-ins: no data to copy.
            return _run_on_stand_ins(impl, args, kwargs)
        return ArraySpec(shape, probe_dtype(impl, *args, **kwargs))

    return rule


def _run_on_stand_ins(impl: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """Specs of ``impl``'s result on zero-stride stand-ins of the arguments (NumPy's errors raise)."""
    kwargs = {k: _zero_stride(v) for k, v in kwargs.items() if k != "out"}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = impl(*(_zero_stride(a) for a in args), **kwargs)
    return _specs_of_result(result)


def cumulative_rule(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Shape rule of ``cumsum``-like ops: same shape, or flattened when ``axis`` is None."""

    def rule(*args: Any, **kwargs: Any) -> ArraySpec:
        named = bind_arguments(impl, args, kwargs)
        a = named.get("a", named.get("x", args[0] if args else None))
        axis = named.get("axis")
        shape = tuple(a.shape)
        if axis is None and len(shape) != 1:
            shape = (numel(shape),)
        else:
            normalize_axes(axis, len(shape))
        return ArraySpec(shape, probe_dtype(impl, *args, **kwargs))

    return rule


def _zero_stride(x: Any) -> Any:
    if is_arraylike(x) and not isinstance(x, np.ndarray):
        return np.lib.stride_tricks.as_strided(
            np.zeros(1, dtype=x.dtype), shape=tuple(x.shape), strides=(0,) * len(x.shape)
        )
    if isinstance(x, np.ndarray):
        return np.lib.stride_tricks.as_strided(
            np.zeros(1, dtype=x.dtype), shape=x.shape, strides=(0,) * x.ndim
        )
    if isinstance(x, (list, tuple)) and any(is_arraylike(i) for i in x):
        return type(x)(_zero_stride(i) for i in x)
    return x


def _specs_of_result(result: Any) -> Any:
    if isinstance(result, np.ndarray) or isinstance(result, np.generic):
        return ArraySpec(tuple(np.shape(result)), np.asarray(result).dtype)
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*(_specs_of_result(r) for r in result))
    if isinstance(result, (tuple, list)):
        return type(result)(_specs_of_result(r) for r in result)
    return result


def view_rule(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Shape rule of a function that always returns views (``reshape``, ``transpose``...).

    Runs ``impl`` on zero-stride stand-ins of the full shapes: exact shapes,
    one element of memory. Only for functions that never copy their input.
    """

    def rule(*args: Any, **kwargs: Any) -> Any:
        return _specs_of_result(
            impl(*(_zero_stride(a) for a in args), **{k: _zero_stride(v) for k, v in kwargs.items()})
        )

    return rule


def same_as_first(*args: Any, **_: Any) -> ArraySpec:
    """Shape rule of an op whose result has its first argument's shape and dtype."""
    return spec_of(args[0])
