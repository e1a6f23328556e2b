"""``flops.stats``: SciPy-backed ``pdf`` / ``cdf`` / ``ppf`` of eight distributions.

One entry per (distribution, method), named ``stats.<dist>.<method>``
(``stats.norm.pdf``), living in the ``flopscope.stats`` module as attributes
of one object per distribution (``flops.stats.norm.pdf``). Values are
``scipy.stats.<dist>.<method>``'s, with SciPy's parameters (``loc``,
``scale``, and the shape parameters ``s`` of ``lognorm`` and ``a``, ``b`` of
``truncnorm``); costs and their derivations are in :mod:`flopscope.cost.stats`.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from flopscope.cost.stats import OPS_PER_ELEMENT, stats_call_cost
from flopscope.exec.shapes.stats import stats_shape_rule
from flopscope.registry._core import Category, OpDef, register

__all__ = ["register_all", "STATS_OPS"]

#: (distribution, method) -> registry entry, filled by register_all.
STATS_OPS: dict[tuple[str, str], OpDef] = {}


def _scipy_method(dist: str, method: str) -> Callable[..., Any]:
    """``scipy.stats.<dist>.<method>``, imported on first call (scipy.stats takes ~0.4 s to load)."""

    def impl(*args: Any, **kwargs: Any) -> Any:
        scipy_stats = importlib.import_module("scipy.stats")
        return getattr(getattr(scipy_stats, dist), method)(*args, **kwargs)

    impl.__name__ = impl.__qualname__ = method
    impl.__doc__ = (
        f"{method} of scipy.stats.{dist}, with SciPy's parameters and values "
        f"(see scipy.stats.{dist})."
    )
    return impl


def register_all() -> None:
    for (dist, method), per_element in OPS_PER_ELEMENT.items():
        impl = _scipy_method(dist, method)
        STATS_OPS[(dist, method)] = register(OpDef(
            f"stats.{dist}.{method}", Category.CUSTOM, "flopscope.stats", f"{dist}.{method}",
            impl=impl, cost=stats_call_cost(dist, method), shape=stats_shape_rule(dist, method),
            formula=f"{per_element}·numel(output)", numpy_func=None,
            notes=f"Values of scipy.stats.{dist}.{method}; {per_element} elementwise operations "
                  "per output element, derived in flopscope.cost.stats.",
        ))
