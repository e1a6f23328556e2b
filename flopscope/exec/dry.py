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
from typing import Any, Iterator

import numpy as np

from flopscope._config import SETTINGS
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.budget.context import NAMESPACE
from flopscope.cost import UNIT_BITS, charge_units, units_to_flops_ceil
from flopscope.cost.reduction import reduction_call_cost
from flopscope.errors import ConcretizationError
from flopscope.exec.abstract import AbstractArray, AbstractPlain, abstract_result
from flopscope.exec.arguments import simple_params
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

__all__ = ["Planner", "dry_call", "ZERO_D_ARRAY_RESULTS", "SCALAR_FREE_RESULTS", "ARRAY_MAKERS"]

_PY_NUMBERS = (int, float, complex, bool)
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
        self.trace = Trace(SETTINGS.max_log_records)
        self.units = 0  # exact weighted total, in charge units (see flopscope.cost)
        self.analytical_flops = 0
        self.multiplier = flop_multiplier
        self.bound = False  # some call's size or cost is an upper bound
        self.started_ns = time.perf_counter_ns()
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
        x = AbstractArray(shape, dtype, src=(node,), bound=bound, tags=tags)
        self.trace.sources[node] = InputSource(node, label, x.shape, str(x.dtype))
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
            return row_to_record(rows[at])
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
        if src is None:
            base = getattr(x, "base", None)
            src = getattr(base, "_fs_src", None) if base is not None else None
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


def _params(op: OpDef, args: tuple, kwargs: dict) -> dict | None:
    """The scalar parameters an eager call of ``op`` would record."""
    if op.kind == "ufunc":
        return simple_params(op.name, (), kwargs) if kwargs else None
    if (op.cost is reduction_call_cost and len(args) > 1 and is_arraylike(args[0])
            and "out" not in kwargs
            and "where" not in kwargs and not any(is_arraylike(a) for a in args[1:])):
        params = simple_params(op.name, (), kwargs) if kwargs else None
        return {**(params or {}), "args": args[1:]}
    if kwargs or (args and type(args[0]) is str):
        return simple_params(op.name, args, kwargs)
    return None


# -- the executor ---------------------------------------------------------------------------


def dry_call(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Evaluate ``op`` abstractly: cost and shape from metadata, nothing computed.

    A counted call is charged to the active :class:`Planner` and recorded as
    a row laid out as the eager executor lays out its rows (after the same
    symmetry pass); a free call only passes its inputs' producers on to its
    results.
    """
    counted = _COUNTED[op.category]
    analytical, spec = _evaluate(op, args, kwargs, counted)
    inputs = _describe(op, args, kwargs)
    scalar = _scalar_results(op, args, kwargs)
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
    post = None
    extra: dict[str, Any] = {}
    symmetry_pass = SYMMETRY_PASS[0]
    if symmetry_pass is not None and _symmetry_applies(op, args):
        analytical, post, tags = symmetry_pass(op, args, kwargs, analytical)
        extra.update(tags or {})
    planner: Planner = PLANNING.get()
    if inputs.bound or _any_bound(spec):
        extra["bound"] = planner.bound = True
    weight_of = op.extras.get("weight_name")
    weight_name = (weight_of(*args, **kwargs) if weight_of is not None else None) or op.name
    charged = charge_units(analytical, planner.multiplier, ACTIVE_WEIGHTS.get(weight_name, 1.0))
    planner.units += charged
    planner.analytical_flops += analytical
    node = new_node_id()
    code, lasti = user_frame(sys._getframe(1))
    out_shape, out_dtype = _first_output(spec, kwargs.get("out"))
    planner.record((
        node, op.name, NAMESPACE.get(), tuple(inputs.shapes), tuple(inputs.dtypes),
        _params(op, args, kwargs), analytical, charged, planner.units,
        time.perf_counter_ns() - planner.started_ns, 0, 0, code, lasti, tuple(inputs.srcs),
        out_shape, out_dtype, extra or None, None,
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
