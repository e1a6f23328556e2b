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
from flopscope._weights import fill_factor
from flopscope.budget.context import ACTIVE, NAMESPACE, BudgetContext, default_context
from flopscope.cost._shapes import broadcast_shapes, numel
from flopscope.errors import FlopscopeError
from flopscope.exec.arguments import (
    NUMERIC_DTYPE_IDS,
    PY_NUMBERS,
    REFUSED_KINDS,
    check_dtypes,
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
from flopscope.trace.callsite import USER_CODE_IDS, VERDICTS, user_frame
from flopscope.trace.intern import intern as _intern
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
#: Whether the reservation needs the context's lock: only without a GIL (see _execute).
SERIALIZE = not getattr(sys, "_is_gil_enabled", lambda: True)()
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

    The elementwise fast path of :func:`make_ufunc_wrapper` is this function
    specialised (no ``out=``, no parameters, no symmetry), written inline
    there; a change to the steps below is a change to both.

    **Charge.** Exact, in charge units (:mod:`flopscope.cost`): analytical
    FLOPs times the context's cached factor for the weight name
    (:func:`flopscope._weights.factor_table`), reserved *before* NumPy runs in
    one step with the budget check. From the read of ``ctx._units`` to its
    write there is no call and no backward jump, so under the GIL neither
    another thread nor a signal handler can run in between (CPython switches
    threads and runs handlers only at those points); on a free-threaded build
    the context's lock serializes the step. No interleaving takes
    ``flops_used`` past ``flop_budget``. If NumPy raises, the reservation is
    returned and nothing is recorded.

    **Row.** One tuple in the layout of :mod:`flopscope.trace.record`. Rows
    hold only objects Python's cyclic collector can untrack (ints, strings,
    dtypes, code objects, tuples of those), so the collector stops scanning
    them after their first collection; the ``shapes`` tuple is interned
    (:mod:`flopscope.trace.intern`) so a row does not keep its own copy. Past the log
    cap a call is folded straight into its per-site accumulator.

    **Time.** Four clock reads: entry (``t0``), either side of NumPy, and
    exit; backend and overhead time are summed from the rows when read
    (:meth:`BudgetContext.timings`).
    """
    name = op.name
    key = weight_name or name
    factor = ctx._factors.get(key)
    if factor is None:
        factor = fill_factor(ctx._factors, ctx._mult, key)
    units = analytical * factor
    # The user's call site: usually the caller's frame itself, found in one lookup.
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
        raise ctx._refuse((new_node_id(), name, NAMESPACE.get(), shapes, dtypes, params,
                           analytical, units, used, t0 - ctx._created_ns, 0, 0, code, lasti,
                           srcs, None, None, extra, _thread()))
    ctx._units = used
    if SERIALIZE:
        ctx._lock.release()
    t1 = _perf()
    try:
        result = impl(*uargs, **ukwargs) if ukwargs else impl(*uargs)
    except BaseException:
        _refund(ctx, units)
        raise
    t2 = _perf()
    if out is not None:
        note_write(uout)  # symmetry: void claims on memory the out= array shares
    node = new_node_id()
    if out is not None:
        result, first = restore_out(result, out, uout, (node,))
        out_shape = getattr(first, "shape", None)
        out_dtype = getattr(first, "dtype", None)
    elif type(result) is _np_ndarray:
        result = result.view(FArray)
        result._fs_src = (node,)
        out_shape = result.shape
        out_dtype = result.dtype
    else:
        result, out_shape, out_dtype = _wrap_other(result, node)
    if post is not None:
        result = post(result)
    if _SETTINGS.check_nan_inf:
        check_nan_inf(name, result, code, lasti)
    t3 = _perf()
    if len(ctx._rows) < ctx._cap:
        ctx._rows.append((
            node, name, NAMESPACE.get(), _intern(shapes, shapes), dtypes, params,
            analytical, units, used, t0 - ctx._created_ns, t2 - t1, t1 - t0 + t3 - t2,
            code, lasti, srcs, out_shape, out_dtype, extra, _thread(),
        ))
    else:
        _fold(ctx, name, code, lasti, analytical, units, t2 - t1, t1 - t0 + t3 - t2)
    if used > ctx._attention:
        ctx._attend(used)
    if t3 > ctx._deadline_ns:
        raise ctx._time_error(name, "after")
    return result


def _wrap_other(result: Any, node: int) -> tuple[Any, Any, Any]:
    """A result that is not one plain ndarray (a NumPy scalar, a tuple of arrays), wrapped,
    with the shape and dtype of its first element for the record."""
    if isinstance(result, _np_generic):  # the common case: a reduction to a scalar
        return result, (), result.dtype
    result = wrap(result, (node,))
    first = result[0] if (isinstance(result, tuple) and result) else result
    return result, getattr(first, "shape", None), getattr(first, "dtype", None)


def _refund(ctx: BudgetContext, units: int) -> None:
    """Return a reservation whose call did not run (NumPy raised)."""
    if SERIALIZE:
        with ctx._lock:
            ctx._units -= units
    else:
        ctx._units -= units


def _fold(ctx: BudgetContext, name: str, code: Any, lasti: int, analytical: int, units: int,
          backend_ns: int, overhead_ns: int) -> None:
    """Past the log cap: add a call to its (op, namespace, call site) accumulator."""
    namespace = NAMESPACE.get()
    acc = ctx._overflow.get((name, namespace, id(code), lasti))
    if acc is None:
        acc = ctx._start_fold(name, namespace, code, lasti)
    acc[0] += 1
    acc[1] += analytical
    acc[2] += units
    acc[3] += backend_ns
    acc[4] += overhead_ns


# -- wrapper factories -------------------------------------------------------------------


def make_counted_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a counted, non-ufunc entry."""
    from flopscope.exec.dry import dry_call

    impl = op.impl
    cost_rule = op.cost
    name = op.name
    induces = bool(op.extras.get("induces_symmetry"))
    weight_name = op.extras.get("weight_name")
    shape_only = bool(op.extras.get("shape_only_cost"))
    out_position, tail = positional_tail(op)

    def counted(*args: Any, **kwargs: Any) -> Any:
        t0 = _perf()
        if out_position is not None and len(args) > out_position:
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        if PLANNING.get() is not None:
            return dry_call(op, args, kwargs)
        return _counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1), induces,
                             weight_name, shape_only)

    return counted


def _counted_call(
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
    cached per (op, shapes, dtypes, scalar arguments): contraction cost rules
    take several times longer than the lookup. Calls with ``out=``, list or
    other array-like arguments, or unhashable parameters are not cached.
    """
    ctx = ACTIVE.get() or default_context()
    srcs: list = []
    shapes: list = []
    dtypes: list = []
    symmetric = False
    cacheable = shape_only
    unwrapped = True  # every array argument unwrapped (and its dtype checked) inline
    scalars: tuple = ()
    uargs: list = []
    for a in args:
        if type(a) is FArray:  # the common case, inline; everything else through unwrap()
            try:
                src = a._fs_src
            except AttributeError:
                src = source_of(a)
            if src:
                srcs += src
            a = a.view(_np_ndarray)
            dtype = a.dtype
            if id(dtype) not in NUMERIC_DTYPE_IDS and dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
            shapes.append(a.shape)
            dtypes.append(dtype)
        elif type(a) is str or type(a) in PY_NUMBERS:
            scalars += ((len(uargs), a),)
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
    dtypes_t = tuple(dtypes)
    key = hit = None
    if cacheable:
        key = (name, shapes_t, dtypes_t, scalars, tuple(kwargs.items()) if kwargs else ())
        try:
            hit = _COSTS.get(key)
        except TypeError:  # an unhashable parameter (an array passed by keyword...)
            key = None
    if hit is not None:
        analytical, weight_name, params = hit
    else:
        try:
            analytical = cost_rule(*uargs, **ukwargs)
        except Exception as exc:  # invalid arguments: let NumPy say so in its own words
            _numpy_error(op, uargs, ukwargs, exc)
        params = (simple_params(name, args, kwargs)
                  if (kwargs or (args and type(args[0]) is str)) else None)
        weight_name = weight_of(*uargs, **ukwargs) if weight_of is not None else None
        if key is not None:
            if len(_COSTS) >= _COSTS_LIMIT:
                _COSTS.clear()
            _COSTS[key] = (analytical, weight_name, params)
    post = extra = None
    if (symmetric or (induces and _repeats_an_array(args))) and SYMMETRY_PASS[0] is not None:
        analytical, post, extra = SYMMETRY_PASS[0](op, args, kwargs, analytical)
    return _execute(ctx, op, impl, uargs, ukwargs, analytical, tuple(srcs), shapes_t,
                    dtypes_t, params, out, uout, t0, frame, post, extra, weight_name)


#: Cached (analytical, weight name, params) of shape-only cost rules (see _counted_call).
_COSTS: dict[tuple, tuple] = {}
_COSTS_LIMIT = 4096


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
        if (args and type(args[0]) is FArray
                and (not kwargs or ("out" not in kwargs and "where" not in kwargs))
                and (len(args) == 1 or not _holds_an_array(args))):
            a = args[0]
            try:
                srcs = a._fs_src
            except AttributeError:
                srcs = source_of(a)
            x = a.view(_np_ndarray)
            dtype = x.dtype
            if id(dtype) not in NUMERIC_DTYPE_IDS and dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
            params = _reduction_params(args, kwargs) if (kwargs or len(args) > 1) else None
            return _execute(ACTIVE.get() or default_context(), op, method_impl,
                            (x, *args[1:]) if len(args) > 1 else (x,), kwargs, x.size,
                            srcs or (), (x.shape,), (dtype,), params, None, None, t0,
                            _getframe(1))
        return _counted_call(op, impl, cost_rule, name, args, kwargs, t0, _getframe(1))

    return counted_reduction


def _holds_an_array(args: tuple) -> bool:
    for extra in args:
        if isinstance(extra, _np_ndarray):
            return True
    return False


#: Shared, never-mutated params of reduction calls, by their keyword items.
_REDUCTION_PARAMS: dict[tuple, dict | None] = {}


def _reduction_params(args: tuple, kwargs: dict) -> dict | None:
    """The recorded parameters of ``fnp.sum(x, axis=0)``-style calls (cached per keywords)."""
    if len(args) == 1:
        try:
            return _REDUCTION_PARAMS[tuple(kwargs.items())]
        except KeyError:
            params = _REDUCTION_PARAMS[tuple(kwargs.items())] = simple_params("", (), kwargs)
            if len(_REDUCTION_PARAMS) > 4096:
                _REDUCTION_PARAMS.clear()
            return params
        except TypeError:  # an unhashable keyword value
            pass
    params = simple_params("", (), kwargs) if kwargs else None
    if len(args) > 1:
        params = {**(params or {}), "args": args[1:]}
    return params


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
        """One or two operands (``y`` is ``_UNARY`` for one); ``_FALLBACK`` if not plain.

        Plain means each operand is an ``fnp.ndarray`` or a Python number and
        there are no keywords: most calls in real code. This is
        :func:`_execute` specialised to such calls and written inline, the
        steps in the same order (see there for why each is safe). Every line
        here runs on every such call: it is written for the fewest bytecodes.
        """
        if type(x) is FArray:
            try:
                srcs = x._fs_src
            except AttributeError:
                srcs = source_of(x)
            x = x.view(_np_ndarray)
            shape = x.shape
            dtype = x.dtype
            if id(dtype) not in NUMERIC_DTYPE_IDS and dtype.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype)
            size = x.size
        elif type(x) in PY_NUMBERS:
            srcs = shape = ()
            dtype = None
            size = 1
        else:
            return _FALLBACK
        if y is _UNARY:
            shapes = (shape,)
            shapes = _intern(shapes, shapes)
            dtypes = (dtype,)
            dtypes = _intern(dtypes, dtypes)
            out_shape = shapes[0]
        elif type(y) is FArray:
            try:
                src_y = y._fs_src
            except AttributeError:
                src_y = source_of(y)
            if src_y:
                srcs = srcs + src_y if srcs else src_y
            y = y.view(_np_ndarray)
            shape_y = y.shape
            dtype_y = y.dtype
            if id(dtype_y) not in NUMERIC_DTYPE_IDS and dtype_y.kind in REFUSED_KINDS:
                raise refuse_dtype(name, dtype_y)
            shapes = (shape, shape_y)
            shapes = _intern(shapes, shapes)
            dtypes = (dtype, dtype_y)
            dtypes = _intern(dtypes, dtypes)
            if shape_y == shape:
                out_shape = shapes[0]
            else:
                out_shape = None  # read from the result
                if elementwise:
                    try:
                        size = numel(broadcast_shapes(shape, shape_y))
                    except ValueError as exc:
                        _numpy_error(op, (x, y), {}, exc)
        elif type(y) in PY_NUMBERS:
            shapes = (shape, ())
            shapes = _intern(shapes, shapes)
            dtypes = (dtype, None)
            dtypes = _intern(dtypes, dtypes)
            out_shape = shapes[0]
        else:
            return _FALLBACK
        ctx = ACTIVE.get() or default_context()
        if elementwise:
            factor = ctx._factors.get(name)
            if factor is None:
                factor = fill_factor(ctx._factors, ctx._mult, name)
        else:  # a generalized ufunc (matmul...): its own cost rule and weight name
            out_shape = None
            size, factor = _gufunc_charge(ctx, (x,) if y is _UNARY else (x, y), shapes, dtypes)
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
            raise ctx._refuse((new_node_id(), name, NAMESPACE.get(), shapes, dtypes, None, size,
                               units, used, t0 - ctx._created_ns, 0, 0, code, lasti,
                               srcs or (), None, None, None, _thread()))
        ctx._units = used
        if SERIALIZE:
            ctx._lock.release()
        t1 = _perf()
        try:
            result = ufunc(x) if y is _UNARY else ufunc(x, y)
        except BaseException:
            _refund(ctx, units)
            raise
        t2 = _perf()
        node = new_node_id()
        if type(result) is _np_ndarray:
            result = result.view(FArray)
            result._fs_src = (node,)
            out_dtype = result.dtype
            if out_shape is None:
                out_shape = result.shape
        else:  # a NumPy scalar (0-d operands), or a tuple (modf, divmod...)
            result, out_shape, out_dtype = _wrap_other(result, node)
        if _SETTINGS.check_nan_inf:
            check_nan_inf(name, result, code, lasti)
        t3 = _perf()
        if len(ctx._rows) < ctx._cap:
            ctx._rows.append((
                node, name, NAMESPACE.get(), shapes, dtypes, None, size, units, used,
                t0 - ctx._created_ns, t2 - t1, t1 - t0 + t3 - t2, code, lasti, srcs or (),
                out_shape, out_dtype, None, _thread(),
            ))
        else:
            _fold(ctx, name, code, lasti, size, units, t2 - t1, t1 - t0 + t3 - t2)
        if used > ctx._attention:
            ctx._attend(used)
        if t3 > ctx._deadline_ns:
            raise ctx._time_error(name, "after")
        return result

    def _gufunc_charge(ctx: BudgetContext, uargs: tuple, shapes: tuple,
                       dtypes: tuple) -> tuple[int, int]:
        """(analytical FLOPs, charge factor) of a generalized ufunc call (``x @ w``).

        Its cost rule and weight name read shapes only: cached like the
        contractions of :func:`_counted_call`.
        """
        hit = _COSTS.get((name, shapes, dtypes))
        if hit is None:
            try:
                size = cost_rule(*uargs)
            except Exception as exc:
                _numpy_error(op, uargs, {}, exc)
            weight_name = weight_of(*uargs) if weight_of is not None else None
            if len(_COSTS) >= _COSTS_LIMIT:
                _COSTS.clear()
            _COSTS[(name, shapes, dtypes)] = (size, weight_name, None)
        else:
            size, weight_name, _ = hit
        key = weight_name or name
        factor = ctx._factors.get(key)
        if factor is None:
            factor = fill_factor(ctx._factors, ctx._mult, key)
        return size, factor

    if nin == 2:

        def counted_ufunc(x: Any = _UNARY, y: Any = _UNARY, /, *more: Any, out: Any = None,
                          **kwargs: Any) -> Any:
            t0 = _perf()
            if more or kwargs or out is not None or y is _UNARY:
                args = (x, y, *more) if y is not _UNARY else ((x,) if x is not _UNARY else ())
                return _counted_ufunc_general(t0, args, out, kwargs, _getframe(1))
            if PLANNING.get() is None:
                result = fast(x, y, t0, _getframe(1))
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
            if PLANNING.get() is None:
                result = fast(x, _UNARY, t0, _getframe(1))
                if result is not _FALLBACK:
                    return result
            return _counted_ufunc_general(t0, (x,), None, kwargs, _getframe(1))

    def _counted_ufunc_general(t0: int, args: tuple, out: Any, kwargs: dict, frame: Any) -> Any:
        if len(args) > nin:  # NumPy's positional out: fnp.sqrt(x, x), fnp.add(a, b, a)
            args, out = split_positional_out(args, nin, nout, out)
        if PLANNING.get() is not None:
            return dry_call(op, args, kwargs if out is None else {**kwargs, "out": out})
        if not kwargs and out is None and len(args) == nin and nin <= 2:
            result = fast(args[0], args[1] if nin == 2 else _UNARY, t0, frame)
            if result is not _FALLBACK:
                return result
        return general(t0, args, out, kwargs, frame)

    def routed(inputs: tuple, kwargs: dict, t0: int, frame: Any) -> Any:
        """``np.exp(x)`` on an ``fnp.ndarray``: NumPy's ``__array_ufunc__`` hands the call over."""
        if not kwargs and len(inputs) == nin and nin <= 2 and PLANNING.get() is None:
            result = fast(inputs[0], inputs[1] if nin == 2 else _UNARY, t0, frame)
            if result is not _FALLBACK:
                return result
        out = kwargs.pop("out", None)
        return _counted_ufunc_general(t0, inputs, out, kwargs, frame)

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

