"""``flops.special``: counted :mod:`scipy.special` functions.

Elementwise: ``expit``, ``log_expit``, ``logit``, ``erf``, ``erfc``,
``erfinv``, ``erfcinv``, ``gamma``, ``gammaln``, ``digamma`` (alias ``psi``),
``ndtr``, ``ndtri``, ``log_ndtr``, ``xlogy``, ``xlog1py``: ``numel(output)``
FLOPs each. Reductions: ``logsumexp`` (4n + 2m), ``softmax`` (5n),
``log_softmax`` (5n + m); see :mod:`flopscope.cost.special` for the
derivations. Values, dtypes and errors are SciPy's; results are
``fnp.ndarray``. Operations are logged as ``special.<name>``.

The SciPy ufuncs themselves are counted too when they meet a flopscope array:
``scipy.special.expit(x)`` charges what ``flops.special.expit(x)`` charges.
Other :mod:`scipy.special` functions are not available here; declare a cost
for one with :func:`flopscope.register_ufunc`.
"""

from __future__ import annotations

from typing import Any

from flopscope.numpy._surface import populate

__all__ = populate(globals(), "flopscope.special", "flopscope.special")
psi = globals()["digamma"]  # SciPy's alias
__all__.append("psi")


def __getattr__(name: str) -> Any:  # noqa: F811  (replaces populate's module __getattr__)
    import scipy.special

    if not name.startswith("_") and hasattr(scipy.special, name):
        raise AttributeError(
            f"flops.special.{name} is not available: flopscope has no cost rule for "
            f"scipy.special.{name}. Declare one with flops.register_ufunc(scipy.special.{name}, "
            "cost=..., name=...) (ufuncs) or @flops.counted(cost=...) (functions); see "
            "docs/custom-ops.md."
        )
    raise AttributeError(f"module 'flopscope.special' has no attribute {name!r}")
