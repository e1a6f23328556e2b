"""Reserve, run, record: the steps every counted eager call ends with.

The wrappers of :mod:`flopscope.exec.eager` (general calls, reductions) and
:mod:`flopscope.exec.eager_ufunc` (ufuncs and operators) unwrap arguments and
find the analytical cost; :func:`execute` then

1. turns the cost into an exact charge (charge units, :mod:`flopscope.cost`),
   using the context's cached charge factor for the weight name;
2. finds the user's call site;
3. checks the wall-time limit, then checks the budget and reserves the charge
   in one atomic step, raising *before* anything runs;
4. runs the NumPy implementation (returning the reservation if it raises);
5. wraps array results as ``fnp.ndarray`` carrying the new node id and
   appends one row to the context's trace (or folds it past the log cap).

If the cost rule rejects the arguments (bad shapes, say), :func:`numpy_error`
lets NumPy report the error in its own words. Costs of shape-only rules are
memoized in :data:`COSTS` (see :func:`flopscope.exec.eager.counted_call`).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable

import numpy as np

from flopscope._config import SETTINGS as _SETTINGS
from flopscope._weights import fill_factor
from flopscope.budget.context import NAMESPACE, BudgetContext, active_state
from flopscope.budget.state import S_CONTEXT, S_NAMESPACE
from flopscope.errors import FlopscopeError
from flopscope.exec.arguments import restore_out, wrap
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.nan_check import check_nan_inf
from flopscope.exec.writes import note_write
from flopscope.registry import OpDef
from flopscope.trace.callsite import USER_CODE_IDS, user_frame
from flopscope.trace.trace import new_node_id

__all__ = ["execute", "numpy_error", "refusal", "wrap_other", "refund", "fold_call",
           "remember_cost", "COSTS", "SERIALIZE"]

_perf = time.perf_counter_ns
_thread = threading.get_ident
_np_ndarray = np.ndarray
_np_generic = np.generic

#: Whether the reservation needs the context's lock: only without a GIL (see execute).
SERIALIZE = not getattr(sys, "_is_gil_enabled", lambda: True)()

#: Memoized (analytical, weight name, params) of shape-only cost rules, by
#: (op name, shapes, dtypes, scalar arguments, keywords); bounded.
COSTS: dict[tuple, tuple] = {}
_COSTS_LIMIT = 4096


def remember_cost(key: tuple, value: tuple) -> None:
    """Store a shape-only cost in :data:`COSTS`, emptying it first if it is full."""
    if len(COSTS) >= _COSTS_LIMIT:
        COSTS.clear()
    COSTS[key] = value


def numpy_error(op: OpDef, args: tuple, kwargs: dict, exc: Exception) -> None:
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


def execute(
    state: tuple,
    op: OpDef,
    impl: Callable[..., Any],
    uargs: Any,
    ukwargs: dict,
    analytical: int,
    srcs: tuple,
    shapes: tuple,
    dtypes: tuple,
    params: tuple | None,
    out: Any,
    uout: Any,
    t0: int,
    frame: Any,
    post: Callable[[Any], Any] | None = None,
    extra: dict | None = None,
    weight_name: str | None = None,
) -> Any:
    """Reserve, run, record: the steps every counted eager call shares.

    ``state`` is what :data:`flopscope.budget.state.STATE` held when the call
    started (the wrapper read it to rule out planning): the active context,
    or None for this thread's default, and the namespace the row records.

    ``weight_name`` names the computation whose weight applies when it is not
    the op's own (an einsum with no summed index is an elementwise product:
    see ``OpDef.extras["weight_name"]``).

    The elementwise fast path of :func:`flopscope.exec.eager_ufunc.make_ufunc_wrapper`
    is this function specialised (no ``out=``, no parameters, no symmetry),
    written inline there; a change to the steps below is a change to both.

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
    dtypes, code objects, tuples of those; ``params`` too is a tuple of
    pairs, since one dict keeps a tuple tracked for life), so the collector
    stops scanning them once it has seen them. The caller passes ``shapes`` interned
    (:mod:`flopscope.trace.intern`) so a row does not keep its own copy; the
    fast paths find it interned in their tables. Past the log
    cap a call is folded straight into its per-site accumulator.

    **Time.** Four clock reads: entry (``t0``), either side of NumPy, and
    exit; backend and overhead time are summed from the rows when read
    (:meth:`BudgetContext.timings`).
    """
    ctx = state[S_CONTEXT]
    if ctx is None:
        state = active_state()
        ctx = state[S_CONTEXT]
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
        raise refusal(ctx, name, shapes, dtypes, params, analytical, units, used, t0, code,
                      lasti, srcs, extra)
    ctx._units = used
    if SERIALIZE:
        ctx._lock.release()
    t1 = _perf()
    try:
        result = impl(*uargs, **ukwargs) if ukwargs else impl(*uargs)
    except BaseException:
        refund(ctx, units)
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
        plain = result
        result = plain.view(FArray)
        result._fs_src = (node,)
        result._fs_np = plain
        result._fs_layout = None  # worked out if a fast path meets it (array.settle)
        out_shape = plain.shape
        out_dtype = plain.dtype
    elif isinstance(result, _np_generic):  # a reduction to a scalar: returned as NumPy's
        out_shape = ()
        out_dtype = result.dtype
    else:
        result, out_shape, out_dtype = wrap_other(result, node)
    if post is not None:
        result = post(result)
    if _SETTINGS.check_nan_inf:
        check_nan_inf(name, result, code, lasti)
    t3 = _perf()
    if len(ctx._rows) < ctx._cap:
        ctx._rows.append((
            node, name, state[S_NAMESPACE], shapes, dtypes, params,
            analytical, units, used, t0, t2 - t1, t3,
            code, lasti, srcs, out_shape, out_dtype, extra, _thread(),
        ))
    else:
        fold_call(ctx, name, state[S_NAMESPACE], code, lasti, analytical, units, t2 - t1,
                  t1 - t0 + t3 - t2)
    if used > ctx._attention:
        ctx._attend(used)
    if t3 > ctx._deadline_ns:
        raise ctx._time_error(name, "after")
    return result


def refusal(ctx: BudgetContext, name: str, shapes: tuple, dtypes: tuple, params: tuple | None,
            analytical: int, units: int, used: int, t0: int, code: Any, lasti: int,
            srcs: tuple, extra: dict | None) -> Exception:
    """The error for a call whose charge would pass the budget (its row is not stored)."""
    return ctx._refuse((new_node_id(), name, NAMESPACE.get(), shapes, dtypes, params,
                        analytical, units, used, t0, 0, t0, code, lasti,
                        srcs, None, None, extra, _thread()))


def wrap_other(result: Any, node: int) -> tuple[Any, Any, Any]:
    """A result that is not one plain ndarray (a NumPy scalar, a tuple of arrays), wrapped,
    with the shape and dtype of its first element for the record."""
    if isinstance(result, _np_generic):  # the common case: a reduction to a scalar
        return result, (), result.dtype
    result = wrap(result, (node,))
    first = result[0] if (isinstance(result, tuple) and result) else result
    return result, getattr(first, "shape", None), getattr(first, "dtype", None)


def refund(ctx: BudgetContext, units: int) -> None:
    """Return a reservation whose call did not run (NumPy raised)."""
    if SERIALIZE:
        with ctx._lock:
            ctx._units -= units
    else:
        ctx._units -= units


def fold_call(ctx: BudgetContext, name: str, namespace: str | None, code: Any, lasti: int,
              analytical: int, units: int, backend_ns: int, overhead_ns: int) -> None:
    """Past the log cap: add a call to its (op, namespace, call site) accumulator."""
    acc = ctx._overflow.get((name, namespace, id(code), lasti))
    if acc is None:
        acc = ctx._start_fold(name, namespace, code, lasti)
    acc[0] += 1
    acc[1] += analytical
    acc[2] += units
    acc[3] += backend_ns
    acc[4] += overhead_ns


# -- wrapper factories -------------------------------------------------------------------
