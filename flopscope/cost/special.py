"""Costs of :mod:`scipy.special` functions (``flops.special``), FMA = 1.

Elementwise special functions
    ``expit``, ``logit``, ``erf``, ``erfinv``, ``gammaln``, ``xlogy``... are
    ufuncs. Like NumPy's transcendental ufuncs (``exp``, ``log``, ``tanh``),
    each costs **numel(output)** analytical FLOPs: one evaluation per output
    element. How much more an evaluation of ``erfinv`` costs than one of
    ``add`` is a property of its algorithm on real hardware, which is what the
    calibrated weight of ``special.<name>`` carries (SPEC §3); the analytical
    count stays one per element, as for every pointwise op.

Reductions built from passes (``n`` = numel(input), ``m`` = numel(output of
the reduction over ``axis``), so ``m = 1`` for ``axis=None``):

* ``logsumexp(a, axis)``: the stable evaluation
  ``log(sum(exp(a - max(a)))) + max(a)`` makes a max pass (n), a subtraction
  (n), an exponential (n), a sum (n), a logarithm (m) and an addition of the
  maximum back (m): **4n + 2m**. With weights ``b`` the exponentials are
  multiplied by ``b`` first (+n): **5n + 2m**. ``return_sign=True`` takes the
  sign of the m sums (+m).
* ``softmax(x, axis)``: max (n), subtract (n), exp (n), sum (n), divide each
  element by its slice's sum (n): **5n**.
* ``log_softmax(x, axis)``: max (n), subtract (n), exp (n), sum (n), log of
  the m sums (m), subtract the log from the shifted input (n): **5n + m**.

These count the passes of the textbook stable algorithm, whatever SciPy's
implementation does internally (it may add guards against overflow), so the
same call costs the same on every SciPy version.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import numel, reduced_shape, shape_of

__all__ = [
    "logsumexp_cost",
    "softmax_cost",
    "log_softmax_cost",
    "logsumexp_call_cost",
    "softmax_call_cost",
    "log_softmax_call_cost",
]


def logsumexp_cost(n: int, m: int = 1, *, weighted: bool = False, return_sign: bool = False) -> int:
    """FLOPs of ``logsumexp`` over ``n`` input elements giving ``m`` results.

    ``4n + 2m`` (max, subtract, exp, sum; log and add-back per result), plus
    ``n`` with weights ``b`` and ``m`` with ``return_sign``.

    >>> logsumexp_cost(1000, 10)
    4020
    """
    return 4 * n + 2 * m + (n if weighted else 0) + (m if return_sign else 0)


def softmax_cost(n: int) -> int:
    """FLOPs of ``softmax`` over ``n`` elements: ``5n`` (max, subtract, exp, sum, divide).

    >>> softmax_cost(1000)
    5000
    """
    return 5 * n


def log_softmax_cost(n: int, m: int = 1) -> int:
    """FLOPs of ``log_softmax`` over ``n`` elements in ``m`` slices: ``5n + m``.

    >>> log_softmax_cost(1000, 10)
    5010
    """
    return 5 * n + m


def _n_m(a: Any, axis: Any) -> tuple[int, int]:
    shape = tuple(shape_of(a))
    return numel(shape), numel(reduced_shape(shape, axis, False))


def logsumexp_call_cost(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
                        return_sign: bool = False, **_: Any) -> int:
    """Cost rule of ``scipy.special.logsumexp``: see :func:`logsumexp_cost`.

    With ``b``, ``n`` is the size of ``a`` broadcast against ``b``.
    """
    if b is not None:
        from flopscope.cost._shapes import broadcast_shapes

        shape = broadcast_shapes(tuple(shape_of(a)), tuple(shape_of(b)))
        n, m = numel(shape), numel(reduced_shape(shape, axis, False))
    else:
        n, m = _n_m(a, axis)
    return logsumexp_cost(n, m, weighted=b is not None, return_sign=bool(return_sign))


def softmax_call_cost(x: Any, axis: Any = None, **_: Any) -> int:
    """Cost rule of ``scipy.special.softmax``: ``5·numel(x)``."""
    n, _m = _n_m(x, axis)
    return softmax_cost(n)


def log_softmax_call_cost(x: Any, axis: Any = None, **_: Any) -> int:
    """Cost rule of ``scipy.special.log_softmax``: ``5·numel(x) + numel(reduced)``."""
    n, m = _n_m(x, axis)
    return log_softmax_cost(n, m)
