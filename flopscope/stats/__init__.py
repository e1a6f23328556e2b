"""``flops.stats``: counted, SciPy-backed probability distributions.

``flops.stats.<dist>.pdf(x, ...)``, ``.cdf(x, ...)`` and ``.ppf(q, ...)`` for
``norm``, ``expon``, ``uniform``, ``laplace``, ``logistic``, ``cauchy``,
``lognorm`` (shape ``s``) and ``truncnorm`` (bounds ``a``, ``b``), each with
``loc`` and ``scale``, exactly as in :mod:`scipy.stats`. They return SciPy's
values (``fnp.ndarray`` for array results, a scalar where SciPy returns one)
and charge the per-element costs derived in :mod:`flopscope.cost.stats`.
"""

from __future__ import annotations

from typing import Any, Callable

from flopscope.cost.stats import SHAPE_PARAMETERS
from flopscope.exec.dispatch import build_callable
from flopscope.registry.stats import STATS_OPS

__all__ = sorted({dist for dist, _ in STATS_OPS})


class Distribution:
    """The counted functions of one distribution: ``pdf``, ``cdf``, ``ppf``."""

    def __init__(self, name: str, methods: dict[str, Callable[..., Any]]) -> None:
        self.name = name
        self.methods = tuple(sorted(methods))
        for method, fn in methods.items():
            setattr(self, method, fn)

    def __getattr__(self, method: str) -> Any:
        # Only reached for names not set in __init__: SciPy's other methods.
        if method.startswith("_") or method in ("name", "methods"):
            raise AttributeError(method)
        raise AttributeError(
            f"flops.stats.{self.name}.{method} is not available: flopscope counts "
            f"{', '.join(self.methods)}; scipy.stats.{self.name}.{method} has no cost rule, "
            "and running it uncounted would escape the budget"
        )

    def __repr__(self) -> str:
        params = ", ".join((*SHAPE_PARAMETERS[self.name], "loc", "scale"))
        return f"<flops.stats.{self.name}({params}): counted {', '.join(self.methods)}>"


def _distribution(dist: str) -> Distribution:
    return Distribution(dist, {method: build_callable(op)
                               for (d, method), op in STATS_OPS.items() if d == dist})


globals().update({dist: _distribution(dist) for dist in __all__})


def __getattr__(name: str) -> Any:
    import scipy.stats

    if not name.startswith("_") and hasattr(scipy.stats, name):
        raise AttributeError(
            f"flops.stats.{name} is not available: flopscope counts the distributions "
            f"{', '.join(__all__)}; scipy.stats.{name} has no cost rule"
        )
    raise AttributeError(f"module 'flopscope.stats' has no attribute {name!r}")
