"""``flops.stats``: counted, SciPy-backed probability distributions.

``flops.stats.norm.pdf(x, loc=0, scale=1)``, ``.cdf(...)``, ``.ppf(q, ...)``
return SciPy's values as ``fnp.ndarray`` and charge the per-distribution
costs derived in :mod:`flopscope.cost.stats`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flopscope.exec.dispatch import build_callable
from flopscope.registry.stats import STATS_OPS

__all__ = sorted({dist for dist, _ in STATS_OPS})


def _distribution(dist: str) -> Any:
    methods = {method: build_callable(op) for (d, method), op in STATS_OPS.items() if d == dist}
    namespace = SimpleNamespace(**methods)
    namespace.__doc__ = f"Counted scipy.stats.{dist}: methods {', '.join(sorted(methods))}."
    return namespace


globals().update({dist: _distribution(dist) for dist in __all__})
