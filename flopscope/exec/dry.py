"""The dry executor: cost and shape, never compute.

While :func:`flopscope.plan` traces a function, every registry callable lands
in :func:`dry_call` instead of the eager executor (the wrappers check
:data:`~flopscope.exec.state.PLANNING`). A counted call gets the same cost
rule, weight and rounding as an eager call and a row in the planner's trace,
laid out exactly like an eager row; its result is an
:class:`~flopscope.exec.abstract.AbstractArray` built from the op's shape
rule. A free call records nothing and passes its inputs' producer ids on, so
data-flow edges run through reshapes and views as they do eagerly.

This module knows nothing about plans as users see them
(:mod:`flopscope.planning`): it is the abstract-evaluation half of the split,
the eager executor (:mod:`flopscope.exec.eager`) the concrete half.
"""

from __future__ import annotations

import sys
import time
from array import array
from bisect import bisect_right
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from flopscope._config import SETTINGS
from flopscope._weights import factor_table, fill_factor
from flopscope.budget.state import S_NAMESPACE, S_PLANNER, STATE
from flopscope.cost import UNIT_BITS, units_to_flops_ceil
from flopscope.cost.reduction import reduction_call_cost
from flopscope.errors import ConcretizationError
from flopscope.exec.abstract import AbstractArray, AbstractPlain, abstract_result, new_abstract
from flopscope.exec.arguments import simple_params
from flopscope.exec.array import UNSET
from flopscope.exec.hooks import SYMMETRY_PASS
from flopscope.exec.shapes import ArraySpec, is_arraylike
from flopscope.exec.state import PLANNING
from flopscope.registry import Category, OpDef
from flopscope.trace.callsite import user_frame
from flopscope.trace.record import (
    R_CODE,
    R_CUMULATIVE,
    R_ID,
    R_LINE,
    R_NAMESPACE,
    R_OP,
    CallSite,
    OpRecord,
    row_to_record,
)
from flopscope.trace.trace import InputSource, Trace, new_node_id

__all__ = [
    "Planner", "dry_call", "clear_cache", "ZERO_D_ARRAY_RESULTS", "SCALAR_FREE_RESULTS",
    "ARRAY_MAKERS",
]

_PY_NUMBERS = (int, float, complex, bool)
_DTYPE_NAMES: dict[np.dtype, str] = {}
_COUNTED = {category: category.counted for category in Category}


class Planner:
    """The state of one trace: its rows, running totals and input placeholders.

    Parameters
    ----------
    flop_multiplier:
        Factor applied to every charge, as :class:`~flopscope.BudgetContext`'s.

    The trace keeps ``flops.configure(max_log_records=...)`` detailed rows;
    later calls are folded into per-site totals, exactly as in a budget
    context. Each folded call still keeps its cumulative cost (8 bytes), so
    :meth:`first_overrun` stays exact at any length.
    """

    def __init__(self, flop_multiplier: float = 1.0) -> None:
        self.started_ns = time.perf_counter_ns()
        self.trace = Trace(SETTINGS.max_log_records, origin_ns=self.started_ns)
        self.units = 0  # exact weighted total, in charge units (see flopscope.cost)
        self.analytical_flops = 0
        self.multiplier = flop_multiplier
        self.bound = False  # some call's size or cost is an upper bound
        #: weight name -> charge units per analytical FLOP at this multiplier, shared
        #: with eager contexts and emptied whenever the weights change
        self.factors = factor_table(flop_multiplier)
        # Calls past the detail cap: cumulative cost and (op, namespace, code, lasti) index.
        self._folded_cumulative: Any = array("q")
        self._folded_site = array("l")
        self._site_keys: list[tuple] = []
        self._site_numbers: dict[tuple, int] = {}

    @property
    def flops(self) -> int:
        """Weighted FLOPs planned so far, rounded up to a whole FLOP."""
        return units_to_flops_ceil(self.units)

    # -- activation ------------------------------------------------------------
    @contextmanager
    def active(self) -> Iterator[Planner]:
        """Route every registry callable in this thread / task to this planner."""
        token = PLANNING.set(self)
        try:
            yield self
        finally:
            PLANNING.reset(token)

    # -- inputs and rows ---------------------------------------------------------
    def input(self, label: str, shape: tuple[int, ...], dtype: Any, bound: bool = False,
              tags: dict[str, Any] | None = None) -> AbstractArray:
        """A placeholder for an input of the planned function: a source node of the graph.

        ``tags`` carries annotations such as a declared ``symmetry``.
        """
        node = new_node_id()
        shape = tuple(map(int, shape))
        dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
        x = new_abstract(AbstractArray, shape, dtype, (node,), bound)
        if tags:
            x.tags = tags
        name = _DTYPE_NAMES.get(dtype)
        if name is None:  # str(dtype) takes microseconds; a plan has a few distinct dtypes
            name = _DTYPE_NAMES[dtype] = str(dtype)
        self.trace.sources[node] = InputSource(node, label, shape, name)
        return x

    def record(self, row: tuple) -> None:
        """Store a counted call's row (or fold it, past the detail cap)."""
        trace = self.trace
        if trace.cap is None or len(trace.rows) < trace.cap:
            trace.rows.append(row)
            return
        trace.fold(row)
        key = (row[R_OP], row[R_NAMESPACE], id(row[R_CODE]), row[R_LINE])
        number = self._site_numbers.get(key)
        if number is None:
            number = self._site_numbers[key] = len(self._site_keys)
            self._site_keys.append((row[R_OP], row[R_NAMESPACE], row[R_CODE], row[R_LINE]))
        cumulative = units_to_flops_ceil(row[R_CUMULATIVE])  # whole FLOPs: 8 bytes a call
        try:
            self._folded_cumulative.append(cumulative)
        except OverflowError:  # beyond int64: keep Python ints from here on
            self._folded_cumulative = list(self._folded_cumulative)
            self._folded_cumulative.append(cumulative)
        self._folded_site.append(number)

    # -- reading ---------------------------------------------------------------------
    def first_overrun(self, budget: int) -> OpRecord | None:
        """The call at which a run charged against ``budget`` would be refused, if any.

        An eager run refuses the first counted call whose charge takes the
        total past ``budget`` (``used + cost > budget``): the first row whose
        cumulative cost exceeds it.
        """
        if self.flops <= budget:
            return None
        rows = self.trace.rows
        # units > budget * 2**UNIT_BITS exactly when the rounded-up total exceeds budget.
        at = bisect_right(rows, budget << UNIT_BITS, key=lambda row: row[R_CUMULATIVE])
        if at < len(rows):
            return row_to_record(rows[at], self.started_ns)
        at = bisect_right(self._folded_cumulative, budget)
        op, namespace, code, lasti = self._site_keys[self._folded_site[at]]
        cumulative = self._folded_cumulative[at]
        previous = self._folded_cumulative[at - 1] if at else (
            units_to_flops_ceil(rows[-1][R_CUMULATIVE]) if rows else 0)
        return OpRecord(
            op_name=op, namespace=namespace, subscripts=None, shapes=(),
            flop_cost=cumulative - previous, cumulative=cumulative,
            flopscope_context_start_offset_s=0.0, flopscope_backend_duration_s=0.0,
            flopscope_overhead_duration_s=0.0, call_site=CallSite.from_code(code, lasti),
            tags={"folded": True},
        )

    def describe_node(self, node: int) -> str:
        """``"<op> at <site>"`` for a node of this plan, or the input's label; ``""`` if unknown.

        Used by error messages only (a linear scan).
        """
        source = self.trace.sources.get(node)
        if source is not None:
            return f"the planned function's input {source.label!r}"
        for row in reversed(self.trace.rows):
            if row[R_ID] == node:
                site = CallSite.from_code(row[R_CODE], row[R_LINE])
                return f"{row[R_OP]}" + (f" at {site}" if site else "")
        return ""


# -- NumPy scalar or 0-d array? --------------------------------------------------------------
#
# NumPy returns most 0-d results as scalars (np.float64), and arithmetic on
# scalars is NumPy's own, uncounted eagerly; 0-d *arrays* stay fnp arrays,
# whose arithmetic is counted. A plan must make the same distinction to cost
# what an eager run charges. The tables below are the exceptions to two rules:
# counted calls return scalars, free calls return what they were given.
# tests/test_plan_registry.py checks them against NumPy for every entry.

#: Counted operations whose 0-d results are 0-d arrays.
ZERO_D_ARRAY_RESULTS: frozenset[str] = frozenset({"where", "tensordot", "linalg.tensordot"})
#: Free operations whose 0-d results are scalars even from arrays (``np.take(x, 0)``).
SCALAR_FREE_RESULTS: frozenset[str] = frozenset({"take"})
#: Free operations that make arrays even from scalars (``np.asarray(s)``).
ARRAY_MAKERS: frozenset[str] = frozenset({
    "array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "require", "copy",
    "broadcast_to", "roll", "zeros_like", "ones_like", "empty_like", "full_like",
})


def _scalar_results(op: OpDef, args: tuple, kwargs: dict) -> bool:
    """Whether NumPy returns this call's 0-d results as scalars (see the tables above)."""
    if "out" in kwargs:
        return False
    if _COUNTED[op.category]:
        return op.name not in ZERO_D_ARRAY_RESULTS
    if op.name in SCALAR_FREE_RESULTS:
        return True
    first = next((a for a in args if is_arraylike(a)), None)
    return isinstance(first, AbstractPlain) and not first.shape and op.name not in ARRAY_MAKERS


def _first_spec(spec: Any) -> ArraySpec | None:
    if isinstance(spec, ArraySpec):
        return spec
    if isinstance(spec, (tuple, list)) and spec:
        return _first_spec(spec[0])
    return None


def _first_output(spec: Any, out: Any) -> tuple[Any, Any]:
    """Shape and dtype of the (first) result: the ``out=`` array's when given, as eagerly."""
    first_out = out[0] if isinstance(out, tuple) and out else out
    if is_arraylike(first_out):
        return tuple(first_out.shape), first_out.dtype
    first = _first_spec(spec)
    return (first.shape, first.dtype) if first is not None else (None, None)


def _any_bound(spec: Any) -> bool:
    if isinstance(spec, ArraySpec):
        return spec.bound
    if isinstance(spec, (tuple, list)):
        return any(_any_bound(s) for s in spec)
    return False


# -- describing arguments as the eager executor records them ---------------------------------


class _Inputs:
    """Producer ids, shapes and dtypes of a call's arguments, and whether any is a bound."""

    __slots__ = ("srcs", "shapes", "dtypes", "bound")

    def __init__(self) -> None:
        self.srcs: list[int] = []
        self.shapes: list[tuple] = []
        self.dtypes: list[Any] = []
        self.bound = False

    def array(self, x: Any) -> None:
        src = getattr(x, "_fs_src", None)
        if src is None or src is UNSET:  # a view NumPy made: its base's producer
            base = getattr(x, "base", None)
            src = getattr(base, "_fs_src", None) if base is not None else None
            if src is UNSET:
                src = None
        if src:
            self.srcs.extend(src)
        if getattr(x, "bound", False) is True:
            self.bound = True
        self.shapes.append(tuple(x.shape))
        self.dtypes.append(x.dtype)

    def collect(self, x: Any) -> None:
        """Record array arguments, recursing into lists and tuples (as ``unwrap`` does).

        NumPy scalars are not recorded (eagerly they are not arrays), but
        their producers still feed the call.
        """
        if isinstance(x, AbstractPlain) and not x.shape:
            if x._fs_src:
                self.srcs.extend(x._fs_src)
        elif is_arraylike(x):
            self.array(x)
        elif isinstance(x, (list, tuple)):
            for item in x:
                self.collect(item)

    def operand(self, x: Any) -> None:
        """Record a ufunc operand: Python numbers and NumPy scalars as 0-d (as eager does)."""
        if is_arraylike(x):
            self.array(x)
        elif isinstance(x, np.generic):
            self.shapes.append(())
            self.dtypes.append(x.dtype)
        elif isinstance(x, _PY_NUMBERS) or x is None:
            self.shapes.append(())
            self.dtypes.append(None)
        else:  # a list or other array-like, converted as the ufunc would convert it
            converted = np.asarray(x)
            self.shapes.append(converted.shape)
            self.dtypes.append(converted.dtype)


def _describe(op: OpDef, args: tuple, kwargs: dict) -> _Inputs:
    inputs = _Inputs()
    if op.kind == "ufunc":
        for a in args:
            inputs.operand(a)
        return inputs
    for a in args:
        inputs.collect(a)
    for key, value in kwargs.items():
        if key != "out":
            inputs.collect(value)
    return inputs


def _params(op: OpDef, args: tuple, kwargs: dict) -> tuple | None:
    """The scalar parameters an eager call of ``op`` would record (``((name, value), ...)``)."""
    if op.kind == "ufunc":
        return simple_params(op.name, (), kwargs) if kwargs else None
    if (op.cost is reduction_call_cost and len(args) > 1 and is_arraylike(args[0])
            and "out" not in kwargs
            and "where" not in kwargs and not any(is_arraylike(a) for a in args[1:])):
        params = simple_params(op.name, (), kwargs) if kwargs else None
        return (*(params or ()), ("args", args[1:]))
    if kwargs or (args and type(args[0]) is str):
        return simple_params(op.name, args, kwargs)
    return None


# -- the per-signature cache ------------------------------------------------------------------
#
# Everything dry_call derives from a call, except its data-flow sources and
# its row's node id, time and call site, is a function of the operation and
# of its arguments' classes, shapes, dtypes, bound flags and scalar values:
# the analytical cost (cost rules of contractions take 0.3-0.7 us), the
# result spec (shape rules resolve dtypes, some probe NumPy), the recorded
# shapes, dtypes and parameters, the weight name, whether 0-d results are
# scalars. A planned loop repeats the same few signatures, so these are kept
# per key (see _freeze for what a key holds). A call is evaluated afresh,
# and not stored, when some argument cannot be keyed (a concrete array, a
# callable, a generator, an object of the user's), when it passes ``out=``
# (the out array is written), when an array carries tags (a symmetry claim:
# the symmetry pass prices it), when an einsum-like op sees one array at two
# positions (the symmetry pass again), for user-declared operations (their
# rules are the user's code), and when evaluating the rules made counted
# calls of their own. The weight and the multiplier are applied per call,
# after the cache: a weights change is honoured by the next call.

_CACHE_LIMIT = 8192
#: key -> entry (E_* positions below); cleared when full.
_CACHE: dict[tuple, tuple] = {}
E_OP, E_ANALYTICAL, E_SPEC, E_SHAPES, E_DTYPES, E_PARAMS, E_WEIGHT, E_SCALAR = range(8)
E_OUT_SHAPE, E_OUT_DTYPE, E_BOUND, E_MARK_BOUND, E_RESULT = range(8, 13)

_NO = object()  # a value that cannot be part of a key
#: id(op) -> (op, counted, cacheable, induces_symmetry, is_ufunc)
_OP_FLAGS: dict[int, tuple] = {}
_ATOMS = frozenset({int, bool, str, type(None)})  # equal values are the same value


def clear_cache() -> None:
    """Forget every cached call signature (tests use it to compare cold and warm plans)."""
    _CACHE.clear()


def _op_flags(op: OpDef) -> tuple:
    flags = _OP_FLAGS.get(id(op))
    if flags is None or flags[0] is not op:
        extras = op.extras
        flags = _OP_FLAGS[id(op)] = (
            op, _COUNTED[op.category], op.shape is not None and not extras.get("declared"),
            bool(extras.get("induces_symmetry")) and op.kind != "ufunc", op.kind == "ufunc",
        )
    return flags


def _freeze(a: Any, srcs: list) -> Any:
    """The key of argument ``a`` (``_NO`` if it has none); abstract arrays add their producers.

    Abstract arrays are keyed by class (scalar or array), shape, dtype and
    bound flag; Python and NumPy scalars by type and value (floats equal as
    numbers but not as values, ``0.0`` / ``-0.0`` and NaN, by their repr);
    dtypes and types by themselves; tuples and lists by their items.
    """
    t = type(a)
    if t is AbstractArray or t is AbstractPlain:
        if a.tags:
            return _NO
        src = a._fs_src
        if src:
            srcs.extend(src)
        return (t, a._shape, a.dtype, a.bound)
    if t in _ATOMS:
        return (t, a)
    if t is float:
        return (t, a) if a == a and a != 0.0 else (t, repr(a))
    if t is tuple or t is list:
        items = []
        for item in a:
            k = _freeze(item, srcs)
            if k is _NO:
                return _NO
            items.append(k)
        return (t, tuple(items))
    if t is complex or isinstance(a, np.generic):
        return (t, repr(a))
    if isinstance(a, np.dtype):
        return (np.dtype, a)
    if t is type:
        return (type, a)
    return _NO


def _keywords_key(kwargs: dict, srcs: list, ufunc: bool, append: Callable[[Any], None]) -> bool:
    """Append the key of a call's keyword arguments; False if they have none (or pass ``out=``)."""
    if "out" in kwargs:
        return False
    append(_NO)  # the keywords follow
    target = [] if ufunc else srcs  # a ufunc's keyword arguments feed no edges (as eagerly)
    for name, value in kwargs.items():
        k = _freeze(value, target)
        if k is _NO:
            return False
        append(name)
        append(k)
    return True


def _analyse(op: OpDef, args: tuple, kwargs: dict, counted: bool) -> tuple[tuple, _Inputs]:
    """Evaluate a call's rules: its cache entry (E_* layout) and its described inputs."""
    analytical, spec = _evaluate(op, args, kwargs, counted)
    inputs = _describe(op, args, kwargs)
    scalar = _scalar_results(op, args, kwargs)
    bound = inputs.bound
    result = None  # (class, shape, dtype, bound) when the result is one array without tags
    if isinstance(spec, ArraySpec) and not spec.tags and "out" not in kwargs:
        cls = AbstractPlain if scalar and not spec.shape else AbstractArray
        shape = tuple(int(d) for d in spec.shape)
        result = (cls, shape, np.dtype(spec.dtype), spec.bound or (bound and bool(shape)))
    if not counted:
        return (op, 0, spec, None, None, None, None, scalar, None, None, bound, bound,
                result), inputs
    weight_of = op.extras.get("weight_name")
    weight_name = (weight_of(*args, **kwargs) if weight_of is not None else None) or op.name
    out_shape, out_dtype = _first_output(spec, kwargs.get("out"))
    return (op, analytical, spec, tuple(inputs.shapes), tuple(inputs.dtypes),
            _params(op, args, kwargs), weight_name, scalar, out_shape, out_dtype,
            bound, bound or _any_bound(spec), result), inputs


# -- the executor ---------------------------------------------------------------------------


def dry_call(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Evaluate ``op`` abstractly: cost and shape from metadata, nothing computed.

    A counted call is charged to the active :class:`Planner` and recorded as
    a row laid out as the eager executor lays out its rows (after the same
    symmetry pass); a free call only passes its inputs' producers on to its
    results. Calls repeating a signature take their cost and shapes from the
    cache above.
    """
    flags = _OP_FLAGS.get(id(op))
    if flags is None or flags[0] is not op:
        flags = _op_flags(op)
    _, counted, cacheable, induces, ufunc = flags
    if not cacheable or (induces and _repeats(args)):
        return _dry_call_uncached(op, args, kwargs, counted)
    # The key: one part per argument (_freeze; its common cases inline, for speed), then
    # the keywords. Producers of the arguments are collected on the way, in call order.
    srcs: list = []
    parts: list = [id(op)]
    append = parts.append
    for a in args:
        t = type(a)
        if t is AbstractArray or t is AbstractPlain:
            if a.tags:
                return _dry_call_uncached(op, args, kwargs, counted)
            src = a._fs_src
            if src:
                srcs.extend(src)
            append((t, a._shape, a.dtype, a.bound))
        elif t is int or t is float and a == a and a != 0.0:
            append((t, a))
        else:
            k = _freeze(a, srcs)
            if k is _NO:
                return _dry_call_uncached(op, args, kwargs, counted)
            append(k)
    if kwargs and not _keywords_key(kwargs, srcs, ufunc, append):
        return _dry_call_uncached(op, args, kwargs, counted)
    key = tuple(parts)
    entry = _CACHE.get(key)
    state = STATE.get()
    planner: Planner = state[S_PLANNER]
    if entry is None or entry[E_OP] is not op:
        calls = len(planner.trace.rows) + len(planner._folded_site)
        entry, _ = _analyse(op, args, kwargs, counted)
        # Stored only if the rules made no calls of their own and the result is arrays only
        # (a concrete value, a generator or None may be state the call hands out or changes).
        if (len(planner.trace.rows) + len(planner._folded_site) == calls
                and _arrays_only(entry[E_SPEC])):
            if len(_CACHE) >= _CACHE_LIMIT:
                _CACHE.clear()
            _CACHE[key] = entry
    result = entry[E_RESULT]
    if not counted:
        src = tuple(dict.fromkeys(srcs)) or None
        if result is None:
            return abstract_result(entry[E_SPEC], src, entry[E_BOUND], entry[E_SCALAR])
        cls, shape, dtype, bound = result
        return new_abstract(cls, shape, dtype, src, bound)
    analytical = entry[E_ANALYTICAL]
    factor = planner.factors.get(entry[E_WEIGHT])
    if factor is None:
        factor = fill_factor(planner.factors, planner.multiplier, entry[E_WEIGHT])
    charged = analytical * factor
    units = planner.units = planner.units + charged
    planner.analytical_flops += analytical
    extra = None
    if entry[E_MARK_BOUND]:
        extra = {"bound": True}
        planner.bound = True
    node = new_node_id()
    code, lasti = user_frame(sys._getframe(1))
    params = entry[E_PARAMS]
    now = time.perf_counter_ns()  # a planned call runs nothing: it starts and ends now
    row = (
        node, op.name, state[S_NAMESPACE], entry[E_SHAPES], entry[E_DTYPES],
        params, analytical, charged, units,
        now, 0, now, code, lasti, tuple(srcs),
        entry[E_OUT_SHAPE], entry[E_OUT_DTYPE], extra, None,
    )
    trace = planner.trace
    if trace.cap is None or len(trace.rows) < trace.cap:
        trace.rows.append(row)
    else:
        planner.record(row)
    if result is None:
        return abstract_result(entry[E_SPEC], (node,), entry[E_BOUND], entry[E_SCALAR])
    cls, shape, dtype, bound = result
    return new_abstract(cls, shape, dtype, (node,), bound)


def _arrays_only(spec: Any) -> bool:
    """Whether a shape rule's result is array specs only (possibly in tuples and lists)."""
    if isinstance(spec, ArraySpec):
        return True
    if isinstance(spec, (tuple, list)) and spec:
        return all(_arrays_only(s) for s in spec)
    return False


def _repeats(args: tuple) -> bool:
    """Whether one abstract array sits at two positions (einsum-like ops then price symmetry)."""
    seen: set[int] = set()
    for a in args:
        if isinstance(a, AbstractArray):
            if id(a) in seen:
                return True
            seen.add(id(a))
    return False


def _dry_call_uncached(op: OpDef, args: tuple, kwargs: dict, counted: bool) -> Any:
    """:func:`dry_call` for a call the cache does not serve (see above); same rows, same results."""
    entry, inputs = _analyse(op, args, kwargs, counted)
    spec, scalar = entry[E_SPEC], entry[E_SCALAR]
    if not counted:
        srcs = tuple(dict.fromkeys(inputs.srcs)) or None
        result = _finish_out(abstract_result(spec, srcs, inputs.bound, scalar), kwargs)
        symmetry_pass = SYMMETRY_PASS[0]
        if symmetry_pass is not None and args and (
                getattr(args[0], "_fs_symmetric", False)
                or (isinstance(args[0], AbstractArray) and args[0].tags.get("symmetry"))):
            _, post, _ = symmetry_pass(op, args, kwargs, 0)
            result = post(result) if post is not None else result
        return result
    analytical = entry[E_ANALYTICAL]
    post = None
    extra: dict[str, Any] = {}
    symmetry_pass = SYMMETRY_PASS[0]
    if symmetry_pass is not None and _symmetry_applies(op, args):
        analytical, post, tags = symmetry_pass(op, args, kwargs, analytical)
        extra.update(tags or {})
    state = STATE.get()
    planner: Planner = state[S_PLANNER]
    if entry[E_MARK_BOUND]:
        extra["bound"] = planner.bound = True
    factor = planner.factors.get(entry[E_WEIGHT])
    if factor is None:
        factor = fill_factor(planner.factors, planner.multiplier, entry[E_WEIGHT])
    charged = analytical * factor
    planner.units += charged
    planner.analytical_flops += analytical
    node = new_node_id()
    code, lasti = user_frame(sys._getframe(1))
    now = time.perf_counter_ns()  # a planned call runs nothing: it starts and ends now
    planner.record((
        node, op.name, state[S_NAMESPACE], entry[E_SHAPES], entry[E_DTYPES], entry[E_PARAMS],
        analytical, charged, planner.units,
        now, 0, now, code, lasti, tuple(inputs.srcs),
        entry[E_OUT_SHAPE], entry[E_OUT_DTYPE], extra or None, None,
    ))
    result = _finish_out(abstract_result(spec, (node,), inputs.bound, scalar), kwargs)
    return post(result) if post is not None else result


def _symmetry_applies(op: OpDef, args: tuple) -> bool:
    """When the eager executor runs the symmetry pass: a symmetric positional argument, or
    (einsum-like entries) the same array at two positions."""
    if any(getattr(a, "_fs_symmetric", False) or (
            isinstance(a, AbstractArray) and a.tags.get("symmetry")) for a in args):
        return True
    if op.kind == "ufunc" or not op.extras.get("induces_symmetry"):
        return False
    seen: set[int] = set()
    for a in args:
        if isinstance(a, (np.ndarray, AbstractArray)):
            if id(a) in seen:
                return True
            seen.add(id(a))
    return False


def _evaluate(op: OpDef, args: tuple, kwargs: dict, counted: bool) -> tuple[int, Any]:
    """The op's analytical cost and abstract result; errors carry a note naming the call."""
    if op.shape is None:
        raise NotImplementedError(
            f"{op.qualified_name} cannot be planned: it has no shape rule in the registry"
        )
    try:
        return (op.cost(*args, **kwargs) if counted else 0), op.shape(*args, **kwargs)
    except ConcretizationError:
        raise
    except Exception as exc:
        code, lasti = user_frame(sys._getframe(1))
        site = CallSite.from_code(code, lasti)
        exc.add_note(f"flops.plan: raised planning {op.name}" + (f" at {site}" if site else ""))
        raise


def _finish_out(result: Any, kwargs: dict) -> Any:
    """With ``out=``, NumPy returns the out array: return it, now produced by this call."""
    out = kwargs.get("out")
    if out is None:
        return result
    outs = out if isinstance(out, tuple) else (out,)
    results = result if isinstance(result, tuple) else (result,)
    for o, r in zip(outs, results):
        if isinstance(o, AbstractArray):
            o._fs_src = r._fs_src if isinstance(r, AbstractArray) else None
            o.bound = getattr(r, "bound", False)
    return out[0] if isinstance(out, tuple) and len(out) == 1 else out
