"""Linear-algebra costs (FMA = 1).

Truncated SVD (SPEC.md section 2): the top-k singular triplets of an m×n
matrix cost m·n·k, the cost of k passes of a matrix-vector-product based
method (each pass touches every entry once per requested component).
"""

from __future__ import annotations

import operator

__all__ = ["svd_cost"]


def svd_cost(m: int, n: int, k: int | None = None) -> int:
    """Analytical FLOPs of a rank-``k`` truncated SVD of an m×n matrix: m·n·k.

    >>> svd_cost(m=256, n=256, k=10)
    655360
    """
    m, n = operator.index(m), operator.index(n)
    if m < 0 or n < 0:
        raise ValueError(f"matrix dimensions must be non-negative, got m={m}, n={n}")
    if k is None:
        k = min(m, n)
    k = operator.index(k)
    if not 0 <= k <= min(m, n):
        raise ValueError(f"k must be between 0 and min(m, n) = {min(m, n)}, got {k}")
    return m * n * k
