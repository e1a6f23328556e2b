"""The eager executor's wrappers for general calls and reductions.

Three wrapper factories produce the public callables of counted entries:
:func:`flopscope.exec.eager_ufunc.make_ufunc_wrapper` (ufuncs and their
operators, the most frequent calls), :func:`make_reduction_wrapper` and
:func:`make_counted_wrapper` for everything else; zero-cost entries are wrapped
by :func:`flopscope.exec.free.make_free_wrapper`. All of them divert to the
dry executor when a plan is being traced.

Each counted call unwraps flopscope arrays to plain NumPy views (collecting
the ids of the nodes that produced them, their shapes and dtypes, and
refusing object / string / void data), runs the op's cost rule, and hands
over to :func:`flopscope.exec.execute.execute`, which charges, reserves, runs
NumPy and records. The argument and result plumbing lives in
:mod:`flopscope.exec.arguments`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import numpy as np

from flopscope.budget.state import S_PLANNER, STATE
from flopscope.cost._shapes import numel
from flopscope.exec.arguments import (
    NUMERIC_DTYPE_IDS,
    PY_NUMBERS,
    REFUSED_KINDS,
    check_dtypes,
    keywords_from,
    positional_tail,
    refuse_dtype,
    simple_params,
    unwrap,
    unwrap_out,
)
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import UNSET as _UNSET
from flopscope.exec.array import settle, view_operand
from flopscope.exec.eager_ufunc import make_ufunc_wrapper
from flopscope.exec.execute import COSTS, execute, numpy_error, remember_cost
from flopscope.exec.hooks import SYMMETRY_PASS
from flopscope.registry import OpDef
from flopscope.trace.intern import intern as _intern

__all__ = [
    "make_ufunc_wrapper",
    "make_counted_wrapper",
    "make_reduction_wrapper",
    "counted_call",
]

_perf = time.perf_counter_ns
_getframe = sys._getframe
_np_ndarray = np.ndarray


def make_counted_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a counted, non-ufunc entry.

    Entries whose cost depends on shapes, dtypes and scalar arguments alone
    (``extras["shape_only_cost"]``: ``einsum``, ``dot``, ``where``...) take a
    fast path for calls whose arguments are all flopscope arrays, strings and
    Python numbers, with no keywords (``fnp.einsum('ij,j->i', W, h)``,
    ``fnp.where(c, x, y)``): see :func:`make_known_calls`. Every other call
    takes :func:`counted_call`.
    """
    from flopscope.exec.dry import dry_call

    impl = op.impl
    cost_rule = op.cost
    name = op.name
    induces = bool(op.extras.get("induces_symmetry"))
    weight_name = op.extras.get("weight_name")
    shape_only = bool(op.extras.get("shape_only_cost"))
    out_position, tail = positional_tail(op)
    fast = make_known_calls(op, weight_name, out_position) if shape_only else None

    def counted(*args: Any, **kwargs: Any) -> Any:
        t0 = _perf()
        state = STATE.get()
        if fast is not None and not kwargs and state[S_PLANNER] is None:
            result = fast(args, t0, _getframe(1), state)
            if result is not _FALLBACK:
                return result
        if out_position is not None and len(args) > out_position:
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        if state[S_PLANNER] is not None:
            return dry_call(op, args, kwargs)
        return counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1), induces,
                             weight_name, shape_only)

    return counted


#: "Not a call the fast path takes": what it returns when it declines.
_FALLBACK = object()


def make_known_calls(op: OpDef, weight_of: Callable[..., str | None] | None,
                     out_position: int | None) -> Callable[[tuple, int, Any, tuple], Any]:
    """The fast path of a shape-only entry: what its calls cost, by argument layouts.

    A call's cost, weight name, recorded parameters and the interned shapes
    and dtypes of its row depend, for such an entry, on its arrays' layouts
    (:mod:`flopscope.exec.layout`) and its scalar arguments alone. They are
    worked out on a call's first occurrence (:func:`counted_call`'s steps:
    refused dtypes and rejected shapes raise there and are never stored) and
    looked up by ``(layout, ..., type, value, ...)`` afterwards, so a repeated
    call unwraps its arrays and goes straight to
    :func:`~flopscope.exec.execute.execute`.

    The returned function takes ``(args, t0, frame, state)`` (``state``: what
    :data:`~flopscope.budget.state.STATE` held at the call) and returns
    ``_FALLBACK`` for anything else: an argument that is not a flopscope array
    (a subclass with symmetry, a plain ndarray, a list), a string or a Python
    number; a positional ``out``; an einsum that repeats an array (the
    symmetry pass may discount it).
    """
    impl = op.impl
    cost_rule = op.cost
    name = op.name
    induces = bool(op.extras.get("induces_symmetry"))
    # A result that may be a view of its (single) array argument must carry that
    # array's own flags (a read-only array's view stays read-only): NumPy then gets
    # a view of the flopscope array, not the stored plain array.
    own_views = bool(op.extras.get("may_return_a_view"))
    max_args = out_position if out_position is not None else 1 << 30
    #: (layout or (type, value) of each argument, flattened) ->
    #: (interned shapes, interned dtypes, analytical FLOPs, weight name, params)
    known: dict[tuple, tuple] = {}

    def fast(args: tuple, t0: int, frame: Any, state: tuple) -> Any:
        if len(args) > max_args:
            return _FALLBACK
        key: tuple = ()
        srcs: tuple = ()
        uargs = []
        held = [] if induces else None  # the arrays themselves: is one given twice?
        arrays = 0
        for a in args:
            if type(a) is FArray:
                arrays += 1
                if held is not None:
                    held.append(a)
                src = a._fs_src
                if src is _UNSET:  # a view NumPy made (x.T, x[1:]): its base's producer
                    src, a, layout = view_operand(a)
                else:
                    layout = a._fs_layout
                    if layout is None:
                        layout = settle(a)
                    a = a._fs_np
                if src:
                    srcs += src
                key += (layout,)
            elif type(a) is str or type(a) in PY_NUMBERS:
                key += (type(a), a)  # 1, 1.0 and True are equal: the type tells them apart
            else:
                return _FALLBACK
            uargs.append(a)
        if own_views and arrays == 1:  # einsum('ij->ji', a), matrix_power(a, 1)...
            uargs = [a.view(_np_ndarray) if type(a) is FArray else u for a, u in zip(args, uargs)]
        if arrays > 1 and held is not None and SYMMETRY_PASS[0] is not None and (
                held[0] is held[1] if arrays == 2 else _given_twice(held)):
            return _FALLBACK
        entry = known.get(key)
        if entry is None:
            entry = learn(key, args, uargs)
        shapes, dtypes, analytical, weight_name, params = entry
        return execute(state, op, impl, uargs, _NO_KEYWORDS,
                       analytical, srcs, shapes, dtypes, params, None, None, t0, frame,
                       None, None, weight_name)

    def learn(key: tuple, args: tuple, uargs: list) -> tuple:
        """Work out and store the entry for ``key`` (raising, storing nothing, if invalid)."""
        shapes = tuple(a.shape for a in uargs if type(a) is _np_ndarray)
        dtypes = tuple(a.dtype for a in uargs if type(a) is _np_ndarray)
        check_dtypes(name, dtypes)
        try:
            analytical = cost_rule(*uargs)
        except Exception as exc:  # invalid arguments: let NumPy say so in its own words
            numpy_error(op, uargs, {}, exc)
        params = simple_params(name, args, {}) if args and type(args[0]) is str else None
        entry = (_intern(shapes, shapes), _intern(dtypes, dtypes), analytical,
                 weight_of(*uargs) if weight_of is not None else None, params)
        if len(known) >= _KNOWN_LIMIT:
            known.clear()
        known[key] = entry
        return entry

    return fast


#: Keywords of a fast-path call (none); shared, never mutated.
_NO_KEYWORDS: dict = {}
#: Distinct argument layouts a fast path remembers per entry before starting afresh.
_KNOWN_LIMIT = 4096


def counted_call(
    op: OpDef, impl: Callable[..., Any], cost_rule: Callable[..., int], name: str,
    args: tuple, kwargs: dict, t0: int, frame: Any, induces: bool = False,
    weight_of: Callable[..., str | None] | None = None, shape_only: bool = False,
) -> Any:
    """The general eager path: unwrap every argument, cost, then :func:`_execute`.

    ``weight_of`` (an entry's ``extras["weight_name"]``) maps the call's
    arguments to the op whose weight applies, or None for the entry's own.

    ``shape_only`` (an entry's ``extras["shape_only_cost"]``) says the cost
    rule and ``weight_of`` read nothing but the arrays' shapes and dtypes and
    the scalar arguments. Their answers, and the recorded parameters, are then
    cached per (op, operand layouts, scalar arguments), a layout being the
    interned (shape, dtype) a flopscope array carries: contraction cost rules
    take several times longer than the lookup. Calls with ``out=``, list or
    other array-like arguments, or unhashable parameters are not cached.
    """
    srcs: list = []
    shapes: list = []
    dtypes: list = []
    symmetric = False
    cacheable = shape_only
    plain_ok = shape_only and not op.extras.get("may_return_a_view")  # see below
    unwrapped = True  # every array argument unwrapped (and its dtype checked) inline
    scalars: tuple = ()
    layouts: tuple = ()  # of the flopscope arrays, the cache key (identity-hashed)
    uargs: list = []
    for a in args:
        if type(a) is FArray:  # the common case, inline; everything else through unwrap()
            src = a._fs_src
            if src is _UNSET:  # a view NumPy made (x.T, x[1:]): its base's producer
                src, a, layout = view_operand(a)
            else:
                layout = a._fs_layout
                if layout is None:
                    layout = settle(a)
                # The stored plain array only for shape-only ops whose result is never
                # a view of an argument: it does not carry the flopscope array's flags,
                # and copyto/put/fill_diagonal (or a view handed back) must meet a
                # read-only flag where NumPy would.
                a = a._fs_np if plain_ok else a.view(_np_ndarray)
            if src:
                srcs += src
            dtype = layout.dtype
            if id(dtype) not in NUMERIC_DTYPE_IDS and dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
            shapes.append(layout.shape)
            dtypes.append(dtype)
            layouts += (layout,)
        elif type(a) is str or type(a) in PY_NUMBERS:
            scalars += ((len(uargs), type(a), a),)  # 1, 1.0 and True are equal keys
        else:
            cacheable = unwrapped = False
            if getattr(a, "_fs_symmetric", False):
                symmetric = True
            a = unwrap(a, srcs, shapes, dtypes)
        uargs.append(a)
    out = kwargs.get("out") if kwargs else None
    uout = None
    if kwargs:
        ukwargs = {k: (unwrap(v, srcs, shapes, dtypes) if k != "out" else v) for k, v in kwargs.items()}
        if out is not None:
            cacheable = False
            uout = ukwargs["out"] = unwrap_out(out, srcs)
    else:
        ukwargs = kwargs
    if kwargs or not unwrapped:  # unwrap() does not check dtypes
        check_dtypes(name, dtypes)
    shapes_t = tuple(shapes)
    shapes_t = _intern(shapes_t, shapes_t)  # rows share one copy (see execute)
    dtypes_t = tuple(dtypes)
    key = hit = None
    if cacheable:  # every array is a flopscope array: its layout stands for shape and dtype
        key = (name, layouts, scalars, tuple(kwargs.items()) if kwargs else ())
        try:
            hit = COSTS.get(key)
        except TypeError:  # an unhashable parameter (an array passed by keyword...)
            key = None
    if hit is not None:
        analytical, weight_name, params = hit
    else:
        try:
            analytical = cost_rule(*uargs, **ukwargs)
        except Exception as exc:  # invalid arguments: let NumPy say so in its own words
            numpy_error(op, uargs, ukwargs, exc)
        params = (simple_params(name, args, kwargs)
                  if (kwargs or (args and type(args[0]) is str)) else None)
        weight_name = weight_of(*uargs, **ukwargs) if weight_of is not None else None
        if key is not None:
            remember_cost(key, (analytical, weight_name, params))
    post = extra = None
    if (symmetric or (induces and _repeats_an_array(args))) and SYMMETRY_PASS[0] is not None:
        analytical, post, extra = SYMMETRY_PASS[0](op, args, kwargs, analytical)
    return execute(STATE.get(), op, impl, uargs, ukwargs, analytical, tuple(srcs), shapes_t,
                    dtypes_t, params, out, uout, t0, frame, post, extra, weight_name)



def _repeats_an_array(args: tuple) -> bool:
    """True if the same array object appears at two positions of ``args``."""
    return _given_twice([a for a in args if isinstance(a, _np_ndarray)])


def _given_twice(arrays: list) -> bool:
    """True if one object appears twice in ``arrays`` (compared by identity)."""
    if len(arrays) == 2:  # the common einsum call, without building a set
        return arrays[0] is arrays[1]
    return len(arrays) > 2 and len(set(map(id, arrays))) < len(arrays)


def make_reduction_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a reduction (cost numel(input)), with a fast path.

    A call whose array is a flopscope array and whose other arguments are
    scalars (``fnp.sum(x)``, ``x.mean(axis=0)``) is costed as ``x.size``
    directly; anything else (``out=``, plain NumPy or list input) takes the
    general path with the entry's cost rule.
    """
    from flopscope.exec.dry import dry_call

    impl = op.impl
    cost_rule = op.cost
    name = op.name
    # For a plain ndarray, np.sum(x, ...) is defined as x.sum(...); the method
    # skips NumPy's Python-level dispatch (about 1 us), so the fast path uses it.
    method_impl = op.extras.get("ndarray_method", impl)
    out_position, tail = positional_tail(op)
    #: layout of the reduced array -> (interned shapes, dtypes of the row; numel)
    known: dict[Any, tuple] = {}

    def learn(layout: Any) -> tuple:
        """Work out and store the entry for ``layout`` (refusing object/string data)."""
        shapes, dtypes = (layout.shape,), (layout.dtype,)
        check_dtypes(name, dtypes)
        entry = (_intern(shapes, shapes), _intern(dtypes, dtypes), numel(layout.shape))
        if len(known) >= _KNOWN_LIMIT:
            known.clear()
        known[layout] = entry
        return entry

    def counted_reduction(*args: Any, **kwargs: Any) -> Any:
        t0 = _perf()
        if out_position is not None and len(args) > out_position:
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        state = STATE.get()
        if state[S_PLANNER] is not None:
            return dry_call(op, args, kwargs)
        if (args and type(args[0]) is FArray
                and (not kwargs or ("out" not in kwargs and "where" not in kwargs))
                and (len(args) == 1 or not _holds_an_array(args))):
            a = args[0]
            srcs = a._fs_src
            if srcs is _UNSET:  # a view NumPy made (x.T, x[1:]): its base's producer
                srcs, x, layout = view_operand(a)
            else:
                layout = a._fs_layout
                if layout is None:
                    layout = settle(a)
                x = a._fs_np  # read-only use
            entry = known.get(layout)
            if entry is None:
                entry = learn(layout)
            shapes, dtypes, size = entry
            params = _reduction_params(args, kwargs) if (kwargs or len(args) > 1) else None
            return execute(state, op, method_impl,
                           (x, *args[1:]) if len(args) > 1 else (x,), kwargs, size,
                           srcs or (), shapes, dtypes, params, None, None, t0, _getframe(1))
        return counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1))

    return counted_reduction


def _holds_an_array(args: tuple) -> bool:
    """True if an argument after the first (the array reduced) is an array (``out``...)."""
    for i in range(1, len(args)):
        if isinstance(args[i], _np_ndarray):
            return True
    return False


#: Shared, never-mutated params of reduction calls, by their arguments after the array
#: (with their types: 0 and False are equal keys) and keyword items.
_REDUCTION_PARAMS: dict[tuple, tuple | None] = {}


def _reduction_params(args: tuple, kwargs: dict) -> tuple | None:
    """The recorded parameters of ``fnp.sum(x, axis=0)`` or ``fnp.sum(x, 0)`` (cached)."""
    if len(args) == 1:  # keywords only, the common case: keyed by their items
        key: tuple = tuple(kwargs.items())
    else:  # (never equal to a tuple of keyword items: those start with a name)
        rest = args[1:]
        key = (rest, tuple(map(type, rest)), tuple(kwargs.items()))
    try:
        return _REDUCTION_PARAMS[key]
    except KeyError:
        if len(_REDUCTION_PARAMS) >= 4096:
            _REDUCTION_PARAMS.clear()
        params = _REDUCTION_PARAMS[key] = _params_of(args[1:], kwargs)
        return params
    except TypeError:  # an unhashable argument
        return _params_of(args[1:], kwargs)


def _params_of(rest: tuple, kwargs: dict) -> tuple | None:
    params = simple_params("", (), kwargs) if kwargs else None
    if rest:
        params = (*(params or ()), ("args", rest))
    return params
