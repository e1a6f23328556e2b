"""Arguments in, results out: what every executor path does around a NumPy call.

* :func:`unwrap` turns flopscope arrays into plain NumPy views (so NumPy's
  own dispatch never re-enters flopscope), collecting the producer node ids
  that become data-flow edges, and the shapes and dtypes a record keeps;
* :func:`wrap` / :func:`restore_out` turn NumPy's results back into
  ``fnp.ndarray`` carrying the id of the call that produced them (and hand
  ``out=`` arrays back as the caller's own objects);
* :func:`simple_params` picks the scalar parameters worth recording;
* :func:`positional_tail` / :func:`keywords_from` move a positional ``out``
  (``np.round(x, 1, out)``) to keywords so every path sees it;
* :func:`check_dtypes` refuses object, string and void data, whose
  arithmetic runs arbitrary Python that no formula can count.

Pure helpers with no budget or registry state: the eager executor
(:mod:`flopscope.exec.eager`), the free-op wrapper (:mod:`flopscope.exec.free`)
and the dry executor (:mod:`flopscope.exec.dry`) share them.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np

from flopscope.errors import UnsupportedDtypeError
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import set_source, source_of

if TYPE_CHECKING:  # pragma: no cover - for annotations only (registry imports exec)
    from flopscope.registry import OpDef

__all__ = [
    "REFUSED_KINDS", "NUMERIC_DTYPE_IDS", "PY_NUMBERS", "SIMPLE_PARAM_TYPES", "refuse_dtype", "check_dtypes",
    "unwrap", "wrap", "restore_out", "unwrap_out", "simple_params",
    "positional_tail", "keywords_from", "parameter_position",
]

_np_ndarray = np.ndarray

#: dtype kinds whose arithmetic runs arbitrary Python (object), or that are not
#: numbers at all (bytes, str, void, variable-width strings).
REFUSED_KINDS = frozenset("OSUVT")
#: ids of NumPy's built-in numeric dtypes (native byte order). These descriptors
#: are static singletons shared by every array of that type, so an identity test
#: accepts the common dtypes without reading ``dtype.kind``; any other dtype is
#: checked by kind.
NUMERIC_DTYPE_IDS = frozenset(
    id(np.dtype(code)) for code in "?bBhHiIlLqQefdgFDG"
)
PY_NUMBERS = frozenset((int, float, complex, bool))
SIMPLE_PARAM_TYPES = (int, float, str, bool, type(None), np.integer, np.floating)

#: Bound of the shared-params cache below.
_PARAMS_LIMIT = 65536


def refuse_dtype(op_name: str, dtype: np.dtype) -> UnsupportedDtypeError:
    return UnsupportedDtypeError(
        f"{op_name} does not accept arrays of dtype {dtype}: arithmetic on object, "
        "string or void data runs arbitrary Python that flopscope cannot count. "
        "Convert to a numeric dtype first (x.astype(float))."
    )


# -- unwrapping arguments, wrapping results ------------------------------------------


def _holds_arrays(seq: list | tuple) -> bool:
    for item in seq:
        if isinstance(item, (_np_ndarray, list, tuple)):
            return True
    return False


def unwrap(x: Any, srcs: list, shapes: list | None = None, dtypes: list | None = None) -> Any:
    """``x`` with flopscope arrays replaced by plain NumPy views (recursing into lists).

    Producer node ids are appended to ``srcs``; shapes and dtypes of array
    arguments to ``shapes`` / ``dtypes`` when given.
    """
    if isinstance(x, FArray):
        src = source_of(x)
        if src:
            srcs.extend(src)
        x = x.view(_np_ndarray)
        if shapes is not None:
            shapes.append(x.shape)
            dtypes.append(x.dtype)
        return x
    if isinstance(x, _np_ndarray):
        if shapes is not None:
            shapes.append(x.shape)
            dtypes.append(x.dtype)
        return x
    t = type(x)
    if (t is list or t is tuple) and _holds_arrays(x):
        return t(unwrap(item, srcs, shapes, dtypes) for item in x)
    return x


def wrap(result: Any, src: tuple[int, ...] | None) -> Any:
    """Plain NumPy arrays in ``result`` (recursing into tuples and lists) as ``fnp.ndarray``."""
    t = type(result)
    if t is _np_ndarray:
        wrapped = result.view(FArray)
        wrapped._fs_src = src
        wrapped._fs_np = result
        wrapped._fs_layout = None
        return wrapped
    if t is tuple:
        return tuple(wrap(item, src) for item in result)
    if isinstance(result, tuple) and hasattr(result, "_fields"):  # namedtuple results
        return t(*(wrap(item, src) for item in result))
    if t is list:
        return [wrap(item, src) for item in result]
    return result


def check_dtypes(op_name: str, dtypes: list) -> None:
    for dt in dtypes:
        if dt.kind in REFUSED_KINDS:
            raise refuse_dtype(op_name, dt)


#: Parameters as rows record them: ``((name, value), ...)``, a tuple so that the
#: collector can stop tracking the row (see flopscope.trace.record.R_PARAMS).
RowParams = tuple

_SUBSCRIPT_PARAMS: dict[str, RowParams] = {}


def _subscript_params(subscripts: str) -> RowParams:
    """One shared ``(("subscripts", ...),)`` per distinct string."""
    params = _SUBSCRIPT_PARAMS.get(subscripts)
    if params is None:
        if len(_SUBSCRIPT_PARAMS) >= _PARAMS_LIMIT:
            _SUBSCRIPT_PARAMS.clear()
        params = _SUBSCRIPT_PARAMS[subscripts] = (("subscripts", subscripts.replace(" ", "")),)
    return params


def simple_params(op_name: str, args: tuple, kwargs: dict) -> RowParams | None:
    """Scalar parameters worth recording, as ``((name, value), ...)`` (see ``RowParams``).

    Never arrays: a log must not pin memory.
    """
    params = _subscript_params(args[0]) if args and type(args[0]) is str else None
    if not kwargs:
        return params
    picked = [] if params is None else list(params)
    for key, value in kwargs.items():
        if key == "out":
            continue
        if isinstance(value, SIMPLE_PARAM_TYPES) or (
            type(value) is tuple and all(isinstance(v, SIMPLE_PARAM_TYPES) for v in value)
        ):
            picked.append((key, value))
    return tuple(picked) if picked else None


def restore_out(result: Any, out: Any, uout: Any, src: tuple[int, ...]) -> tuple[Any, Any]:
    """Return the caller's own ``out=`` objects in place of their unwrapped views."""
    if type(out) is tuple:
        mapping = {id(u): o for u, o in zip(uout, out)}
        for o in out:
            if isinstance(o, FArray):
                set_source(o, src)
        if type(result) is tuple:
            restored = tuple(mapping.get(id(r), r) for r in result)
            return restored, restored[0]
        restored = mapping.get(id(result), result)
        return restored, restored
    if isinstance(out, FArray):
        set_source(out, src)
    restored = out if result is uout else wrap(result, src)
    return restored, restored


def unwrap_out(out: Any, srcs: list) -> Any:
    """Unwrap an ``out=`` argument (array or tuple of arrays/None); ``out`` does not feed edges."""
    scratch: list = []
    if type(out) is tuple:
        return tuple(unwrap(o, scratch) for o in out)
    return unwrap(out, scratch)


def positional_tail(op: OpDef) -> tuple[int | None, tuple[str, ...]]:
    """Where ``out`` can be passed positionally, and the parameter names from there on.

    ``np.round(x, 1, out)`` passes ``out`` by position; the executor moves such
    trailing positional arguments to keywords (their parameter names) so that
    ``out`` is recognised, unwrapped and returned as the caller's own array.
    ``(None, ())`` when the signature has no positional ``out``.
    """
    fn = op.numpy_func if op.numpy_func is not None else op.impl
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None, ()
    names = [p.name for p in params]
    if "out" not in names:
        return None, ()
    position = names.index("out")
    tail = params[position:]
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in tail):
        tail = [p for p in tail if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        if not tail or tail[0].name != "out":
            return None, ()
    return position, tuple(p.name for p in tail)


def keywords_from(args: tuple, kwargs: dict, position: int, names: tuple[str, ...]) -> tuple:
    """Move ``args[position:]`` into ``kwargs`` under ``names``."""
    moved = dict(zip(names, args[position:]))
    if len(args) - position > len(names) or moved.keys() & kwargs.keys():
        return args, kwargs  # let NumPy report the bad call itself
    return args[:position], {**kwargs, **moved}


def parameter_position(op: OpDef, name: str) -> int | None:
    """Position of parameter ``name`` in the entry's NumPy signature, if positional."""
    try:
        names = list(inspect.signature(op.impl).parameters)
    except (TypeError, ValueError):
        return None
    return names.index(name) if name in names else None
