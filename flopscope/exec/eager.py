"""The eager executor: cost, check, run NumPy, record.

For each counted call the executor

1. unwraps flopscope arrays to plain NumPy views (collecting the ids of the
   nodes that produced them, their shapes and dtypes, and refusing object /
   string / void data);
2. runs the op's cost rule on the unwrapped arguments (analytical FLOPs) and
   applies the weight and multiplier exactly (:func:`flopscope.cost.charge_units`);
3. checks the time limit, then checks the budget and reserves the charge in
   one atomic step, raising *before* anything runs;
4. runs the NumPy implementation;
5. appends a row to the context's trace, and wraps array results as
   ``fnp.ndarray`` carrying the new node id.

If NumPy itself raises, the reservation is returned and nothing is recorded.
If the cost rule raises (bad shapes, say), the executor lets NumPy report
the error in its own words; see :func:`_numpy_error`.

Three wrapper factories produce the public callables of counted entries:
:func:`make_ufunc_wrapper` (a specialized path for elementwise ufunc calls,
the most frequent kind), :func:`make_reduction_wrapper` and
:func:`make_counted_wrapper` for everything else; zero-cost entries are
wrapped by :func:`flopscope.exec.free.make_free_wrapper`. All of them divert
to the dry executor when a plan is being traced. The argument and result
plumbing they share lives in :mod:`flopscope.exec.arguments`.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable

import numpy as np

from flopscope._config import SETTINGS as _SETTINGS
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.budget.context import ACTIVE, NAMESPACE, BudgetContext, default_context
from flopscope.cost import UNIT_BITS
from flopscope.cost import charge_factor as _factor
from flopscope.cost._shapes import broadcast_shapes, numel
from flopscope.errors import FlopscopeError
from flopscope.exec.arguments import (
    PY_NUMBERS,
    REFUSED_KINDS,
    check_dtypes,
    intern_shapes,
    keywords_from,
    positional_tail,
    refuse_dtype,
    restore_out,
    simple_params,
    unwrap,
    unwrap_out,
    wrap,
)
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import source_of
from flopscope.exec.hooks import SYMMETRY_PASS
from flopscope.exec.nan_check import check_nan_inf
from flopscope.exec.state import PLANNING
from flopscope.exec.writes import note_write
from flopscope.registry import Category, OpDef
from flopscope.trace.callsite import VERDICTS, user_frame
from flopscope.trace.trace import new_node_id

__all__ = [
    "make_ufunc_wrapper",
    "make_counted_wrapper",
    "make_reduction_wrapper",
]

_perf = time.perf_counter_ns
_thread = threading.get_ident
_getframe = sys._getframe
_np_ndarray = np.ndarray
_np_generic = np.generic
_asarray = np.asarray
_weights = ACTIVE_WEIGHTS
_NO_KWARGS: dict = {}

_FALLBACK = object()  # "not a fast-path call": the fast path's answer when it declines
_UNARY = object()  # marks the absent second operand of a one-operand fast call


def _numpy_error(op: OpDef, args: tuple, kwargs: dict, exc: Exception) -> None:
    """A cost rule rejected the arguments: surface NumPy's own error for them.

    The arguments are invalid for the cost rule (bad shapes, bad axis...).
    NumPy is asked to evaluate the same call so the user sees NumPy's own
    exception type and message; the budget is not touched. If NumPy accepts
    arguments the cost rule rejected, that is a flopscope bug, reported as one
    instead of returning an uncounted result.
    """
    try:
        op.impl(*args, **kwargs)
    except Exception as numpy_exc:
        raise numpy_exc.with_traceback(None) from None
    raise FlopscopeError(
        f"internal error: the cost rule of {op.name} rejected arguments NumPy accepts "
        f"({type(exc).__name__}: {exc}); please report this"
    ) from exc


def _execute(
    ctx: BudgetContext,
    op: OpDef,
    impl: Callable[..., Any],
    uargs: Any,
    ukwargs: dict,
    analytical: int,
    srcs: tuple,
    shapes: tuple,
    dtypes: tuple,
    params: dict | None,
    out: Any,
    uout: Any,
    t0: int,
    frame: Any,
    post: Callable[[Any], Any] | None = None,
    extra: dict | None = None,
    weight_name: str | None = None,
) -> Any:
    """Reserve, run, record: the steps every counted eager call shares.

    ``weight_name`` names the computation whose weight applies when it is not
    the op's own (an einsum with no summed index is an elementwise product:
    see ``OpDef.extras["weight_name"]``).

    The charge is exact (charge units, :mod:`flopscope.cost`) and is reserved
    *before* NumPy runs, in one step with the budget check, under the
    context's lock: threads sharing the context, a signal handler, or an op
    re-entered from NumPy (an argument's ``__index__``, ``__array__``...)
    always see the up-to-date total, so no interleaving takes ``flops_used``
    past ``flop_budget``. If NumPy raises, the reservation is returned and
    nothing is recorded.

    Rows are kept free of objects Python's cyclic garbage collector tracks, so
    the collector untracks them and never rescans the log (a log of tracked
    rows costs several microseconds per call at a million rows). Hence
    ``shapes``, ``dtypes`` and ``srcs`` arrive as tuples, and the nested
    ``shapes`` tuple is interned (:func:`intern_shapes`): a shared, long-lived
    object the collector untracks once. Past the log cap a call is folded
    straight into its per-site accumulator without building a row.
    """
    name = op.name
    weight = _weights.get(weight_name or name, 1.0)
    mult = ctx._mult
    units = analytical << UNIT_BITS if (weight == 1.0 and mult == 1.0) else analytical * _factor(weight, mult)
    # The user's call site: usually the caller's frame itself, found in one lookup.
    code = frame.f_code
    verdict = VERDICTS.get(id(code))
    if verdict is not None and not verdict[1]:
        lasti = frame.f_lasti
    else:
        code, lasti = user_frame(frame)
    deadline = ctx._deadline_ns
    if deadline is not None and t0 > deadline:
        raise ctx._time_error(name, "before")
    lock = ctx._lock
    lock.acquire()
    # From the read of _units to its write there is no call and no backward
    # jump: neither another thread (under the GIL) nor a signal handler can run
    # in between, and on free-threaded builds the lock serializes threads.
    used = ctx._units + units
    if used > ctx._limit_units:
        lock.release()
        row = (new_node_id(), name, NAMESPACE.get(), shapes, dtypes, params, analytical, units,
               used, t0 - ctx._created_ns, 0, 0, code, lasti, srcs, None, None, extra, _thread())
        raise ctx._refuse(row)
    ctx._units = used
    lock.release()
    t1 = _perf()
    try:
        result = impl(*uargs, **ukwargs) if ukwargs else impl(*uargs)
    except BaseException:
        with lock:
            ctx._units -= units
        raise
    t2 = _perf()
    if out is not None:
        note_write(uout)  # symmetry: void claims on memory the out= array shares
    node = new_node_id()
    if out is None and type(result) is _np_ndarray:
        result = result.view(FArray)
        result._fs_src = (node,)
        out_shape = result.shape
        out_dtype = result.dtype
    else:
        if out is None:
            result = wrap(result, (node,))
            first = result[0] if (isinstance(result, tuple) and result) else result
        else:
            result, first = restore_out(result, out, uout, (node,))
        out_shape = getattr(first, "shape", None)
        out_dtype = getattr(first, "dtype", None)
    if post is not None:
        result = post(result)
    if _SETTINGS.check_nan_inf:
        check_nan_inf(name, result, code, lasti)
    # One clock read closes the call's overhead for both the row and the context
    # (reading the clock costs ~80 ns here; the append below lands in residual time).
    t3 = _perf()
    overhead = (t1 - t0) + (t3 - t2)
    rows = ctx._rows
    if len(rows) < ctx._cap:
        rows.append((
            node, name, NAMESPACE.get(), intern_shapes(shapes, shapes), dtypes, params,
            analytical, units, used, t0 - ctx._created_ns, t2 - t1, overhead,
            code, lasti, srcs, out_shape, out_dtype, extra, _thread(),
        ))
    else:
        namespace = NAMESPACE.get()
        acc = ctx._overflow.get((name, namespace, id(code), lasti))
        if acc is None:
            acc = ctx._start_fold(name, namespace, code, lasti)
        acc[0] += 1
        acc[1] += analytical
        acc[2] += units
        acc[3] += t2 - t1
        acc[4] += overhead
    if used > ctx._warn_at:
        ctx._crossed_warning_threshold()
    ctx._backend_ns += t2 - t1
    ctx._overhead_ns += overhead
    if ctx._late:  # a thread still charging a context whose block has exited
        ctx._late_charge()
    if deadline is not None and t3 > deadline:
        raise ctx._time_error(name, "after")
    return result


# -- wrapper factories -------------------------------------------------------------------


def make_counted_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a counted, non-ufunc entry."""
    from flopscope.exec.dry import dry_call

    impl = op.impl
    cost_rule = op.cost
    name = op.name
    induces = bool(op.extras.get("induces_symmetry"))
    weight_name = op.extras.get("weight_name")
    out_position, tail = positional_tail(op)

    def counted(*args: Any, **kwargs: Any) -> Any:
        t0 = _perf()
        if out_position is not None and len(args) > out_position:
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        if PLANNING.get() is not None:
            return dry_call(op, args, kwargs)
        return _counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1), induces,
                             weight_name)

    return counted


def _counted_call(
    op: OpDef, impl: Callable[..., Any], cost_rule: Callable[..., int], name: str,
    args: tuple, kwargs: dict, t0: int, frame: Any, induces: bool = False,
    weight_of: Callable[..., str | None] | None = None,
) -> Any:
    """The general eager path: unwrap every argument, cost, then :func:`_execute`.

    ``weight_of`` (an entry's ``extras["weight_name"]``) maps the call's
    arguments to the op whose weight applies, or None for the entry's own.
    """
    ctx = ACTIVE.get() or default_context()
    srcs: list = []
    shapes: list = []
    dtypes: list = []
    symmetric = False
    uargs = list(args)
    for i, a in enumerate(uargs):
        t = type(a)
        if t is FArray:  # the common case, inline; everything else through unwrap()
            try:
                src = a._fs_src
            except AttributeError:
                src = source_of(a)
            if src:
                srcs.extend(src)
            a = uargs[i] = a.view(_np_ndarray)
            shapes.append(a.shape)
            dtypes.append(a.dtype)
        elif t is not str and t not in PY_NUMBERS:
            if getattr(a, "_fs_symmetric", False):
                symmetric = True
            uargs[i] = unwrap(a, srcs, shapes, dtypes)
    out = kwargs.get("out") if kwargs else None
    uout = None
    if kwargs:
        ukwargs = {k: (unwrap(v, srcs, shapes, dtypes) if k != "out" else v) for k, v in kwargs.items()}
        if out is not None:
            uout = ukwargs["out"] = unwrap_out(out, srcs)
    else:
        ukwargs = kwargs
    check_dtypes(name, dtypes)
    try:
        analytical = cost_rule(*uargs, **ukwargs)
    except Exception as exc:  # invalid arguments: let NumPy say so in its own words
        _numpy_error(op, uargs, ukwargs, exc)
    params = simple_params(name, args, kwargs) if (kwargs or (args and type(args[0]) is str)) else None
    post = extra = None
    if (symmetric or (induces and _repeats_an_array(args))) and SYMMETRY_PASS[0] is not None:
        analytical, post, extra = SYMMETRY_PASS[0](op, args, kwargs, analytical)
    weight_name = weight_of(*uargs, **ukwargs) if weight_of is not None else None
    return _execute(ctx, op, impl, uargs, ukwargs, analytical, tuple(srcs), tuple(shapes),
                    tuple(dtypes), params, out, uout, t0, frame, post, extra, weight_name)


def _repeats_an_array(args: tuple) -> bool:
    """True if the same array object appears at two positions of ``args``."""
    arrays = [a for a in args if isinstance(a, _np_ndarray)]
    if len(arrays) == 2:  # the common einsum call, without building a set
        return arrays[0] is arrays[1]
    return len(arrays) > 2 and len({id(a) for a in arrays}) < len(arrays)


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

    def counted_reduction(*args: Any, **kwargs: Any) -> Any:
        t0 = _perf()
        if out_position is not None and len(args) > out_position:
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        if PLANNING.get() is not None:
            return dry_call(op, args, kwargs)
        if args and type(args[0]) is FArray and "out" not in kwargs and "where" not in kwargs:
            for extra in args[1:]:
                if isinstance(extra, _np_ndarray):
                    break
            else:
                a = args[0]
                try:
                    srcs = a._fs_src
                except AttributeError:
                    srcs = source_of(a)
                x = a.view(_np_ndarray)
                dtype = x.dtype
                if dtype.kind in REFUSED_KINDS:
                    raise refuse_dtype(name, dtype)
                params = simple_params(name, (), kwargs) if kwargs else None
                if len(args) > 1:
                    params = {**(params or {}), "args": args[1:]}
                ctx = ACTIVE.get() or default_context()
                return _execute(ctx, op, method_impl, (x, *args[1:]), kwargs, x.size, srcs or (),
                                (x.shape,), (dtype,), params, None, None, t0, _getframe(1))
        return _counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1))

    return counted_reduction


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
    (``matmul``, ``vecdot``...) use their entry's cost rule. Calls with one or
    two operands that are flopscope arrays or Python numbers, and no keyword
    arguments (``x + y``, ``fnp.exp(x)``, ``x @ w``), take the fast path
    :func:`fast`; every other call takes :func:`general`. Both charge through
    :func:`_execute`.

    The returned function carries ``forward``, ``reflected`` and ``in_place``
    attributes: the ``__add__`` / ``__radd__`` / ``__iadd__`` forms, which go
    straight to the fast path and, like NumPy's operators, return
    ``NotImplemented`` for operands that opt out of ufuncs.
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
        ctx = ACTIVE.get() or default_context()
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
            _numpy_error(op, uargs, kwargs, exc)
        params = simple_params(name, (), kwargs) if kwargs else None
        post = extra = None
        if symmetric and SYMMETRY_PASS[0] is not None:
            call_kwargs = kwargs if out is None else {**kwargs, "out": out}
            analytical, post, extra = SYMMETRY_PASS[0](op, args, call_kwargs, analytical)
        weight_name = weight_of(*uargs) if weight_of is not None else None
        return _execute(ctx, op, ufunc, uargs, kwargs, analytical, tuple(srcs), tuple(shapes),
                        tuple(dtypes), params, out, uout, t0, frame, post, extra, weight_name)

    def fast(x: Any, y: Any, t0: int, frame: Any) -> Any:
        """One or two operands (``y`` is ``_UNARY`` for one); ``_FALLBACK`` if not plain."""
        tx = type(x)
        if tx is FArray:
            try:
                srcs = x._fs_src
            except AttributeError:
                srcs = source_of(x)
            x = x.view(_np_ndarray)
            shape = x.shape
            dtype = x.dtype
            if dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
            size = x.size
        elif tx in PY_NUMBERS:
            srcs = None
            shape = ()
            dtype = None
            size = 1
        else:
            return _FALLBACK
        if y is _UNARY:
            uargs = (x,)
            shapes = (shape,)
            dtypes = (dtype,)
        else:
            ty = type(y)
            if ty is FArray:
                try:
                    src_y = y._fs_src
                except AttributeError:
                    src_y = source_of(y)
                if src_y:
                    srcs = srcs + src_y if srcs else src_y
                y = y.view(_np_ndarray)
                shape_y = y.shape
                dtype_y = y.dtype
                if dtype_y.kind in REFUSED_KINDS:
                    raise refuse_dtype(name, dtype_y)
                if shape_y != shape and elementwise:
                    if not shape:
                        size = y.size
                    else:
                        try:
                            size = numel(broadcast_shapes(shape, shape_y))
                        except ValueError as exc:
                            _numpy_error(op, (x, y), {}, exc)
            elif ty in PY_NUMBERS:
                shape_y = ()
                dtype_y = None
            else:
                return _FALLBACK
            uargs = (x, y)
            shapes = (shape, shape_y)
            dtypes = (dtype, dtype_y)
        weight_name = None
        if not elementwise:
            try:
                size = cost_rule(*uargs)
            except Exception as exc:
                _numpy_error(op, uargs, {}, exc)
            if weight_of is not None:
                weight_name = weight_of(*uargs)
        ctx = ACTIVE.get() or default_context()
        return _execute(ctx, op, ufunc, uargs, _NO_KWARGS, size, srcs or (), shapes, dtypes,
                        None, None, None, t0, frame, None, None, weight_name)

    def counted_ufunc(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        t0 = _perf()
        if len(args) > nin:  # NumPy's positional out: fnp.sqrt(x, x), fnp.add(a, b, a)
            args, out = split_positional_out(args, nin, nout, out)
        if PLANNING.get() is not None:
            return dry_call(op, args, kwargs if out is None else {**kwargs, "out": out})
        if not kwargs and out is None and len(args) == nin and nin <= 2:
            result = fast(args[0], args[1] if nin == 2 else _UNARY, t0, _getframe(1))
            if result is not _FALLBACK:
                return result
        return general(t0, args, out, kwargs, _getframe(1))

    def forward(self: Any, other: Any) -> Any:
        t0 = _perf()
        if PLANNING.get() is None:
            result = fast(self, other, t0, _getframe(1))
            if result is not _FALLBACK:
                return result
        if _defers(other):
            return NotImplemented
        return counted_ufunc(self, other)

    def reflected(self: Any, other: Any) -> Any:
        t0 = _perf()
        if PLANNING.get() is None:
            result = fast(other, self, t0, _getframe(1))
            if result is not _FALLBACK:
                return result
        if _defers(other):
            return NotImplemented
        return counted_ufunc(other, self)

    def in_place(self: Any, other: Any) -> Any:
        return counted_ufunc(self, other, out=(self,))

    def unary(self: Any) -> Any:
        t0 = _perf()
        if PLANNING.get() is None:
            result = fast(self, _UNARY, t0, _getframe(1))
            if result is not _FALLBACK:
                return result
        return counted_ufunc(self)

    counted_ufunc.ufunc = ufunc  # type: ignore[attr-defined]
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

