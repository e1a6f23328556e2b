"""The dry executor: cost and shape, never compute.

While :func:`flopscope.plan` traces a function, every registry callable lands
here instead of in the eager executor. A counted call gets the same cost rule
and weighting as an eager call and a row in the planner's trace; its result is
an :class:`~flopscope.exec.abstract.AbstractArray` built from the op's shape
rule. A free call records nothing and passes its inputs' producer ids on.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from flopscope._config import SETTINGS
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.budget.context import NAMESPACE
from flopscope.cost import weighted_cost
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.shapes import ArraySpec, is_arraylike
from flopscope.exec.state import PLANNING
from flopscope.registry import OpDef
from flopscope.trace.callsite import user_frame
from flopscope.trace.trace import Trace, new_node_id

__all__ = ["Planner", "dry_call", "to_abstract"]


class Planner:
    """State of one :func:`flopscope.plan` trace: its rows and running totals."""

    def __init__(self, flop_multiplier: float = 1.0) -> None:
        self.trace = Trace(SETTINGS.max_log_records)
        self.flops = 0
        self.analytical_flops = 0
        self.multiplier = flop_multiplier
        self.started_ns = time.perf_counter_ns()


def _collect(x: Any, srcs: list, shapes: list, dtypes: list) -> None:
    """Gather producer ids, shapes and dtypes of array arguments (recursing into lists)."""
    if is_arraylike(x):
        src = getattr(x, "_fs_src", None)
        if src is None:
            base = getattr(x, "base", None)
            src = getattr(base, "_fs_src", None) if base is not None else None
        if src:
            srcs.extend(src)
        shapes.append(tuple(x.shape))
        dtypes.append(np.dtype(x.dtype))
    elif isinstance(x, (list, tuple)):
        for item in x:
            _collect(item, srcs, shapes, dtypes)


def to_abstract(spec: Any, src: tuple[int, ...] | None) -> Any:
    """Turn a shape rule's result (specs, possibly nested) into abstract arrays."""
    if isinstance(spec, ArraySpec):
        return AbstractArray(spec.shape, spec.dtype, src=src, bound=spec.bound, tags=dict(spec.tags))
    if isinstance(spec, tuple) and hasattr(spec, "_fields"):
        return type(spec)(*(to_abstract(s, src) for s in spec))
    if isinstance(spec, (tuple, list)):
        return type(spec)(to_abstract(s, src) for s in spec)
    return spec


def _first_spec(spec: Any) -> ArraySpec | None:
    if isinstance(spec, ArraySpec):
        return spec
    if isinstance(spec, (tuple, list)) and spec:
        return _first_spec(spec[0])
    return None


def _any_bound(spec: Any) -> bool:
    if isinstance(spec, ArraySpec):
        return spec.bound
    if isinstance(spec, (tuple, list)):
        return any(_any_bound(s) for s in spec)
    return False


def dry_call(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Evaluate ``op`` abstractly: cost and shape from metadata, nothing computed."""
    planner: Planner = PLANNING.get()
    srcs: list = []
    shapes: list = []
    dtypes: list = []
    for a in args:
        _collect(a, srcs, shapes, dtypes)
    for k, v in kwargs.items():
        if k != "out":
            _collect(v, srcs, shapes, dtypes)
    if op.shape is None:
        raise NotImplementedError(f"{op.name} has no shape rule, so it cannot be planned yet")
    spec = op.shape(*args, **kwargs)
    if not op.category.counted:
        return _finish_out(to_abstract(spec, tuple(dict.fromkeys(srcs)) or None), kwargs)
    analytical = op.cost(*args, **kwargs)
    charged = weighted_cost(analytical, planner.multiplier, ACTIVE_WEIGHTS.get(op.name, 1.0))
    planner.flops += charged
    planner.analytical_flops += analytical
    node = new_node_id()
    code, line = user_frame(sys._getframe(2))
    first = _first_spec(spec)
    params = None
    if args and isinstance(args[0], str):
        params = {"subscripts": args[0].replace(" ", "")}
    extra = {"bound": True} if _any_bound(spec) else None
    planner.trace.add((
        node, op.name, NAMESPACE.get(), tuple(shapes), tuple(dtypes), params, analytical,
        charged, planner.flops, time.perf_counter_ns() - planner.started_ns, 0, 0, code, line,
        tuple(srcs), first.shape if first else None, first.dtype if first else None, extra,
    ))
    return _finish_out(to_abstract(spec, (node,)), kwargs)


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
    return out[0] if isinstance(out, tuple) and len(out) == 1 else out
