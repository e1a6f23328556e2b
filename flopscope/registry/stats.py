"""``flops.stats``: SciPy-backed distribution functions with counted costs.

Values come from :mod:`scipy.stats`; costs from :mod:`flopscope.cost.stats`.
Entries are named ``stats.<dist>.<method>`` and live in the ``flopscope.stats``
module as attributes of one object per distribution (``flops.stats.norm.pdf``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import scipy.stats

from flopscope.cost._shapes import broadcast_shapes, shape_of
from flopscope.cost.stats import OPS_PER_ELEMENT, stats_call_cost
from flopscope.exec.shapes import ArraySpec, spec_of
from flopscope.registry._core import Category, OpDef, register

__all__ = ["register_all", "STATS_OPS"]

#: (distribution, method) -> registry entry, filled by register_all.
STATS_OPS: dict[tuple[str, str], OpDef] = {}


def _shape_rule(dist: str, method: str) -> Callable[..., Any]:
    def rule(x: Any, *params: Any, **kw_params: Any) -> ArraySpec:
        shapes = [shape_of(x), *(shape_of(p) for p in params), *(shape_of(p) for p in kw_params.values())]
        dtype = np.result_type(spec_of(x).dtype, np.float64)
        return ArraySpec(broadcast_shapes(*shapes), dtype)

    return rule


def register_all() -> None:
    for (dist, method), per_element in OPS_PER_ELEMENT.items():
        impl = getattr(getattr(scipy.stats, dist), method)
        op = register(OpDef(
            f"stats.{dist}.{method}", Category.CUSTOM, "flopscope.stats", f"{dist}.{method}",
            impl=impl, cost=stats_call_cost(dist, method), shape=_shape_rule(dist, method),
            formula=f"{per_element}·numel(output)", numpy_func=None,
            notes=f"scipy.stats.{dist}.{method}; derivation in flopscope.cost.stats.",
        ))
        STATS_OPS[(dist, method)] = op
