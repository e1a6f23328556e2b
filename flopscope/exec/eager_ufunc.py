"""The eager executor's wrapper for ufuncs: ``fnp.add``, ``a + b``, ``np.exp(x)``.

Ufunc calls are the most frequent counted calls in real code, most of them
on one or two flopscope arrays or Python numbers with no keywords. For those
the wrapper takes a *fast path*: :func:`~flopscope.exec.execute.execute`
specialised and written inline, so a call runs one Python frame of flopscope
code beyond its entry point. Everything else (keywords, ``out=``, lists,
symmetric operands, planning) takes the general path, which unwraps every
operand and ends in :func:`~flopscope.exec.execute.execute`.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable

import numpy as np

from flopscope._config import SETTINGS as _SETTINGS
from flopscope._weights import fill_factor
from flopscope.budget.context import active_state
from flopscope.budget.state import S_CONTEXT, S_NAMESPACE, S_PLANNER, STATE
from flopscope.cost._shapes import broadcast_shapes, numel
from flopscope.exec.arguments import (
    PY_NUMBERS,
    REFUSED_KINDS,
    refuse_dtype,
    simple_params,
    unwrap,
    unwrap_out,
)
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import UNSET as _UNSET
from flopscope.exec.array import settle, source_of, view_operand
from flopscope.exec.execute import (
    SERIALIZE,
    execute,
    fold_call,
    numpy_error,
    refund,
    refusal,
    wrap_other,
)
from flopscope.exec.hooks import SYMMETRY_PASS
from flopscope.exec.layout import layout_of
from flopscope.exec.nan_check import check_nan_inf
from flopscope.exec.writes import note_write
from flopscope.registry import Category, OpDef
from flopscope.trace.callsite import USER_CODE_IDS, user_frame
from flopscope.trace.intern import intern as _intern
from flopscope.trace.trace import new_node_id

__all__ = ["make_ufunc_wrapper"]

_perf = time.perf_counter_ns
_thread = threading.get_ident
_getframe = sys._getframe
_np_ndarray = np.ndarray
_np_generic = np.generic
_asarray = np.asarray

_FALLBACK = object()  # "not a fast-path call": the fast path's answer when it declines
_UNARY = object()  # marks the absent second operand of a one-operand fast call


def _ufunc_operand(x: Any, name: str, srcs: list) -> tuple[Any, tuple, Any]:
    """Unwrap one ufunc operand: (value to pass NumPy, its shape, its dtype or None).

    Python numbers stay Python numbers (NumPy treats them as weakly typed);
    lists and other array-likes are converted as the ufunc would convert them.
    """
    if isinstance(x, FArray):
        src = source_of(x)
        if src:
            srcs.extend(src)
        x = x.view(_np_ndarray)
        return x, x.shape, x.dtype
    if isinstance(x, _np_ndarray):
        return x, x.shape, x.dtype
    if type(x) in PY_NUMBERS:
        return x, (), None
    if isinstance(x, _np_generic):
        return x, (), x.dtype
    if x is None and name in ("equal", "not_equal"):
        return x, (), None  # ``x == None`` compares elementwise to None
    x = _asarray(unwrap(x, srcs))
    return x, x.shape, x.dtype


def make_ufunc_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a ufunc entry, plus its operator forms.

    Elementwise ufuncs cost numel(broadcast output); generalized ufuncs
    (``matmul``, ``vecdot``...) use their entry's cost rule, memoized (on
    the fast path) per operand layouts. Calls with one or two operands that are flopscope
    arrays, Python numbers or NumPy scalars, and no keyword arguments
    (``x + y``, ``fnp.exp(x)``, ``x @ w``, ``x / x.sum()``, ``x += y``), take
    the fast path ``fast``; every other call takes ``general``, which charges
    through :func:`~flopscope.exec.execute.execute`.

    The returned function carries ``forward``, ``reflected`` and ``in_place``
    attributes (the ``__add__`` / ``__radd__`` / ``__iadd__`` forms, which go
    straight to the fast path and, like NumPy's operators, return
    ``NotImplemented`` for operands that opt out of ufuncs), ``unary`` for
    one-operand ufuncs (``-x``), and ``routed``, which NumPy's
    ``__array_ufunc__`` protocol calls for ``np.exp(x)``.
    """
    from flopscope.exec.dry import dry_call
    from flopscope.exec.ufunc_args import split_positional_out

    ufunc = op.impl
    name = op.name
    cost_rule = op.cost
    nin = ufunc.nin
    weight_of = op.extras.get("weight_name")  # matmul: an inner dimension of 1 is a product
    nout = ufunc.nout
    elementwise = op.category in (Category.UNARY, Category.BINARY)

    def general(t0: int, args: tuple, out: Any, kwargs: dict, frame: Any) -> Any:
        srcs: list = []
        uargs, shapes, dtypes = [], [], []
        symmetric = False
        for x in args:
            if getattr(x, "_fs_symmetric", False):
                symmetric = True
            value, shape, dtype = _ufunc_operand(x, name, srcs)
            uargs.append(value)
            shapes.append(shape)
            dtypes.append(dtype)
        for dt in dtypes:
            if dt is not None and dt.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dt)
        uout = None
        if out is not None:
            uout = kwargs["out"] = unwrap_out(out, srcs)
        try:
            if len(uargs) != nin:
                raise TypeError("wrong number of arguments")
            if elementwise:
                all_shapes = list(shapes)
                if out is not None:
                    outs = uout if type(uout) is tuple else (uout,)
                    all_shapes.extend(o.shape for o in outs if o is not None)
                analytical = numel(broadcast_shapes(*all_shapes))
            else:
                analytical = cost_rule(*uargs, **kwargs)
        except Exception as exc:
            numpy_error(op, uargs, kwargs, exc)
        params = simple_params(name, (), kwargs) if kwargs else None
        post = extra = None
        if symmetric and SYMMETRY_PASS[0] is not None:
            call_kwargs = kwargs if out is None else {**kwargs, "out": out}
            analytical, post, extra = SYMMETRY_PASS[0](op, args, call_kwargs, analytical)
        weight_name = weight_of(*uargs) if weight_of is not None else None
        shapes_t = tuple(shapes)
        return execute(STATE.get(), op, ufunc, uargs, kwargs, analytical, tuple(srcs),
                       _intern(shapes_t, shapes_t), tuple(dtypes), params, out, uout, t0, frame,
                       post, extra, weight_name)

    #: What calls with these operand layouts cost and make (see flopscope.exec.layout):
    #: key -> [shapes, dtypes, analytical FLOPs, weight name, result layout or None,
    #: whether the result has the first operand's shape (so ``x op= y`` can write x)].
    known: dict[Any, list] = {}

    def fast(x: Any, y: Any, t0: int, frame: Any, state: tuple, into: Any = None) -> Any:
        """One or two operands (``y`` is ``_UNARY`` for one); ``_FALLBACK`` if not plain.

        ``state`` is what :data:`~flopscope.budget.state.STATE` held when the
        call started (the entry read it to rule out planning).

        ``into`` is ``x`` itself for an in-place operator (``x += y``): the
        result is written into ``x``'s memory and ``x`` is returned, provided
        the result has ``x``'s shape (anything else is left to the general
        path, where NumPy reports the error).

        Plain means each operand is an ``fnp.ndarray``, a Python number or a
        NumPy scalar, and there are no keywords: most calls in real code. This
        is :func:`~flopscope.exec.execute.execute` specialised to such calls
        and written inline, the steps in the same order (see there for why
        each is safe); what depends only on the operands' layouts comes from
        ``known``. Every line here runs on every such call: it is written for
        the fewest bytecodes.
        """
        if type(x) is FArray:
            srcs = x._fs_src
            if srcs is _UNSET:  # a view NumPy made (x.T, x[1:]): its base's producer
                srcs, x, key = view_operand(x)
            else:
                key = x._fs_layout
                if key is None:
                    key = settle(x)
                x = x._fs_np
        elif type(x) in PY_NUMBERS:
            srcs = ()
            key = type(x)  # NumPy types a Python number by its type, not its value
        elif isinstance(x, _np_generic):  # a NumPy scalar: a reduction's result, say
            srcs = ()
            key = x.dtype
        else:
            return _FALLBACK
        if y is _UNARY:
            pass
        elif type(y) is FArray:
            src_y = y._fs_src
            if src_y is _UNSET:
                src_y, y, layout_y = view_operand(y)
            else:
                layout_y = y._fs_layout
                if layout_y is None:
                    layout_y = settle(y)
                y = y._fs_np
            if src_y:
                srcs = srcs + src_y if srcs else src_y
            key = (key, layout_y)
        elif type(y) in PY_NUMBERS:
            key = (key, type(y))
        elif isinstance(y, _np_generic):
            key = (key, y.dtype)
        else:
            return _FALLBACK
        entry = known.get(key)
        if entry is None:
            entry = _learn(key, x, y)
        shapes, dtypes, size, weight_name, out_layout, keeps_shape = entry
        if into is not None and not keeps_shape:
            return _FALLBACK
        ctx = state[S_CONTEXT]
        if ctx is None:
            state = active_state()
            ctx = state[S_CONTEXT]
        factor = ctx._factors.get(weight_name)
        if factor is None:
            factor = fill_factor(ctx._factors, ctx._mult, weight_name)
        units = size * factor
        code = frame.f_code
        if id(code) in USER_CODE_IDS:
            lasti = frame.f_lasti
        else:
            code, lasti = user_frame(frame)
        if t0 > ctx._deadline_ns:
            raise ctx._time_error(name, "before")
        if SERIALIZE:
            ctx._lock.acquire()
        used = ctx._units + units
        if used > ctx._limit_units:
            if SERIALIZE:
                ctx._lock.release()
            raise refusal(ctx, name, shapes, dtypes, None, size, units, used, t0, code, lasti,
                          srcs or (), None)
        ctx._units = used
        if SERIALIZE:
            ctx._lock.release()
        t1 = _perf()
        try:
            if into is None:
                result = ufunc(x) if y is _UNARY else ufunc(x, y)
            else:  # into's own view: it, not x's stored plain array, carries its flags
                ufunc(x, y, out=into.view(_np_ndarray))
        except BaseException:
            refund(ctx, units)
            raise
        t2 = _perf()
        node = new_node_id()
        if into is not None:  # x += y: x's memory was written, x is the result
            note_write(x)
            result = into
            result._fs_src = (node,)
            result._fs_np = x
            result._fs_layout = out_layout = key[0]
        elif type(result) is _np_ndarray:
            plain = result
            result = plain.view(FArray)
            result._fs_src = (node,)
            result._fs_np = plain
            if out_layout is None:  # the first call with these layouts: the result's
                out_layout = entry[4] = layout_of(plain.shape, plain.dtype)
            result._fs_layout = out_layout
        else:  # a NumPy scalar (0-d operands), or a tuple (modf, divmod...)
            out_layout = None
            result, out_shape, out_dtype = wrap_other(result, node)
        if out_layout is not None:
            out_shape = out_layout.shape
            out_dtype = out_layout.dtype
        if _SETTINGS.check_nan_inf:
            check_nan_inf(name, result, code, lasti)
        t3 = _perf()
        if len(ctx._rows) < ctx._cap:
            ctx._rows.append((
                node, name, state[S_NAMESPACE], shapes, dtypes, None, size, units, used,
                t0, t2 - t1, t3, code, lasti, srcs or (), out_shape, out_dtype, None, _thread(),
            ))
        else:
            fold_call(ctx, name, state[S_NAMESPACE], code, lasti, size, units, t2 - t1,
                      t1 - t0 + t3 - t2)
        if used > ctx._attention:
            ctx._attend(used)
        if t3 > ctx._deadline_ns:
            raise ctx._time_error(name, "after")
        return result

    def _learn(key: Any, x: Any, y: Any) -> list:
        """The ``known`` entry for a call's operand layouts, worked out from the operands.

        Refused dtypes and shapes that do not broadcast raise here (NumPy's
        error, before anything is charged) and are never stored.
        """
        operands = (x,) if y is _UNARY else (x, y)
        shapes = tuple(() if type(v) in PY_NUMBERS else v.shape for v in operands)
        dtypes = tuple(None if type(v) in PY_NUMBERS else v.dtype for v in operands)
        for dtype in dtypes:
            if dtype is not None and dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
        shapes = _intern(shapes, shapes)
        dtypes = _intern(dtypes, dtypes)
        try:
            if elementwise:
                out_shape = broadcast_shapes(*shapes)
                size = numel(out_shape)
                weight_name = name
            else:  # a generalized ufunc (matmul...): its own cost rule and weight name
                size = cost_rule(*operands)
                out_shape = None  # known once NumPy has run
                weight_name = (weight_of(*operands) if weight_of is not None else None) or name
        except Exception as exc:
            numpy_error(op, operands, {}, exc)
        entry = [shapes, dtypes, size, weight_name, None, out_shape == shapes[0]]
        if len(known) >= 4096:
            known.clear()
        known[key] = entry
        return entry

    if nin == 2:

        def counted_ufunc(x: Any = _UNARY, y: Any = _UNARY, /, *more: Any, out: Any = None,
                          **kwargs: Any) -> Any:
            t0 = _perf()
            if more or kwargs or out is not None or y is _UNARY:
                args = (x, y, *more) if y is not _UNARY else ((x,) if x is not _UNARY else ())
                return _counted_ufunc_general(t0, args, out, kwargs, _getframe(1))
            state = STATE.get()
            if state[S_PLANNER] is None:
                result = fast(x, y, t0, _getframe(1), state)
                if result is not _FALLBACK:
                    return result
            return _counted_ufunc_general(t0, (x, y), None, kwargs, _getframe(1))

    else:

        def counted_ufunc(x: Any = _UNARY, /, *more: Any, out: Any = None,  # type: ignore[misc]
                          **kwargs: Any) -> Any:
            t0 = _perf()
            if more or kwargs or out is not None or x is _UNARY or nin != 1:
                args = (x, *more) if x is not _UNARY else ()
                return _counted_ufunc_general(t0, args, out, kwargs, _getframe(1))
            state = STATE.get()
            if state[S_PLANNER] is None:
                result = fast(x, _UNARY, t0, _getframe(1), state)
                if result is not _FALLBACK:
                    return result
            return _counted_ufunc_general(t0, (x,), None, kwargs, _getframe(1))

    def _counted_ufunc_general(t0: int, args: tuple, out: Any, kwargs: dict, frame: Any) -> Any:
        if len(args) > nin:  # NumPy's positional out: fnp.sqrt(x, x), fnp.add(a, b, a)
            args, out = split_positional_out(args, nin, nout, out)
        state = STATE.get()
        if state[S_PLANNER] is not None:
            return dry_call(op, args, kwargs if out is None else {**kwargs, "out": out})
        if not kwargs and out is None and len(args) == nin and nin <= 2:
            result = fast(args[0], args[1] if nin == 2 else _UNARY, t0, frame, state)
            if result is not _FALLBACK:
                return result
        return general(t0, args, out, kwargs, frame)

    def routed(inputs: tuple, kwargs: dict, t0: int, frame: Any) -> Any:
        """``np.exp(x)`` on an ``fnp.ndarray``: NumPy's ``__array_ufunc__`` hands the call over."""
        state = STATE.get()
        if not kwargs and len(inputs) == nin and nin <= 2 and state[S_PLANNER] is None:
            result = fast(inputs[0], inputs[1] if nin == 2 else _UNARY, t0, frame, state)
            if result is not _FALLBACK:
                return result
        out = kwargs.pop("out", None)
        return _counted_ufunc_general(t0, inputs, out, kwargs, frame)

    def forward(self: Any, other: Any) -> Any:
        t0 = _perf()
        state = STATE.get()
        if state[S_PLANNER] is None:
            result = fast(self, other, t0, _getframe(1), state)
            if result is not _FALLBACK:
                return result
        if _defers(other):
            return NotImplemented
        return counted_ufunc(self, other)

    def reflected(self: Any, other: Any) -> Any:
        t0 = _perf()
        state = STATE.get()
        if state[S_PLANNER] is None:
            result = fast(other, self, t0, _getframe(1), state)
            if result is not _FALLBACK:
                return result
        if _defers(other):
            return NotImplemented
        return counted_ufunc(other, self)

    def in_place(self: Any, other: Any) -> Any:
        t0 = _perf()
        state = STATE.get()
        if state[S_PLANNER] is None and type(self) is FArray:
            result = fast(self, other, t0, _getframe(1), state, self)
            if result is not _FALLBACK:
                return result
        return _counted_ufunc_general(t0, (self, other), (self,), {}, _getframe(1))

    def unary(self: Any) -> Any:
        t0 = _perf()
        state = STATE.get()
        if state[S_PLANNER] is None:
            result = fast(self, _UNARY, t0, _getframe(1), state)
            if result is not _FALLBACK:
                return result
        return counted_ufunc(self)

    counted_ufunc.ufunc = ufunc  # type: ignore[attr-defined]
    counted_ufunc.routed = routed  # type: ignore[attr-defined]
    if nin == 2:
        counted_ufunc.forward = forward  # type: ignore[attr-defined]
        counted_ufunc.reflected = reflected  # type: ignore[attr-defined]
        counted_ufunc.in_place = in_place  # type: ignore[attr-defined]
    elif nin == 1:
        counted_ufunc.unary = unary  # type: ignore[attr-defined]
    return counted_ufunc


def _defers(other: Any) -> bool:
    """NumPy's operator rule: an operand whose class sets ``__array_ufunc__ = None`` handles it."""
    return getattr(type(other), "__array_ufunc__", False) is None
