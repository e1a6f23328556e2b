"""Polynomial costs (``numpy.poly``, ``polyval``, ``polyfit``, ``roots``...), FMA = 1.

Convention: **exact counts of the algorithm NumPy runs**, one FLOP per
multiply-add, add, multiply or divide on coefficient data. These routines are
short loops with fixed trip counts, so their exact counts are as easy to state
as leading terms. Where a routine calls linear algebra (``polyfit`` a least
squares solve, ``roots`` and ``poly`` of a matrix an eigenvalue problem) that
part is charged by :mod:`flopscope.cost.linalg`, whose convention is leading
order. Dtype conversions NumPy performs on the way in (``x + 0.0``) and
data-dependent trimming of (near-)zero leading coefficients are not charged.

Sizes are coefficient counts: a polynomial of degree d has d + 1
coefficients, highest power first, as in NumPy.

==========  ==============================================  ====================================
function    cost                                            algorithm
==========  ==============================================  ====================================
polyval     len(p) · numel(x)                               Horner: an FMA per coefficient per point
polyadd     max(n1, n2)                                     one add per output coefficient
polysub     max(n1, n2)                                     one subtract per output coefficient
polymul     n1 · n2                                         full convolution
polydiv     1 + max(nu − nv + 1, 0) · (nv + 1)              long division (one reciprocal, then per
                                                            quotient term a multiply and nv FMAs)
polyder     Σ_{j<m} max(n − 1 − j, 0)                       one multiply per surviving coefficient
polyint     Σ_{j<m} (n + j) = m·n + m(m − 1)/2              one divide per coefficient
poly        r(r + 1) [+ eigvals_cost(r) for a matrix]       r convolutions with a linear factor
roots       (n − 1) + eigvals_cost(n − 1)                   companion matrix, then its eigenvalues
polyfit     see :func:`polyfit_cost`                        scaled Vandermonde least squares
==========  ==============================================  ====================================

Sources: D. E. Knuth, *The Art of Computer Programming*, vol. 2, 3rd ed.,
§4.6.1 (division) and §4.6.4 (Horner's rule); A. Edelman, H. Murakami,
"Polynomial roots from companion matrix eigenvalues", Math. Comp. 64 (1995);
the NumPy source of each function for what runs.
"""

from __future__ import annotations

import operator
from typing import Any

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of
from flopscope.cost.linalg import eigvals_cost, inv_cost, lstsq_cost

__all__ = [
    "polyval_cost", "polyadd_cost", "polysub_cost", "polymul_cost", "polydiv_cost",
    "polyder_cost", "polyint_cost", "poly_cost", "roots_cost", "polyfit_cost",
    "polyval_call_cost", "polyadd_call_cost", "polysub_call_cost", "polymul_call_cost",
    "polydiv_call_cost", "polyder_call_cost", "polyint_call_cost", "poly_call_cost",
    "roots_call_cost", "polyfit_call_cost",
]


def _count(value: Any, name: str) -> int:
    value = operator.index(value)
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def polyval_cost(degree: int, points: int) -> int:
    """Evaluating a degree-``degree`` polynomial at ``points`` points: (degree + 1)·points.

    Horner's rule as NumPy runs it: ``y = y·x + p_i`` for each of the
    degree + 1 coefficients, one FMA per coefficient per point. An empty
    coefficient array (degree −1) costs 0.

    >>> polyval_cost(3, 100)
    400
    """
    degree = operator.index(degree)
    if degree < -1:
        raise ValueError(f"degree must be at least -1 (no coefficients), got {degree}")
    return (degree + 1) * _count(points, "points")


def polyadd_cost(n1: int, n2: int) -> int:
    """Adding polynomials of n1 and n2 coefficients: max(n1, n2).

    NumPy pads the shorter one with zeros and adds elementwise.

    >>> polyadd_cost(3, 5)
    5
    """
    return max(_count(n1, "n1"), _count(n2, "n2"))


def polysub_cost(n1: int, n2: int) -> int:
    """Subtracting polynomials of n1 and n2 coefficients: max(n1, n2)."""
    return polyadd_cost(n1, n2)


def polymul_cost(n1: int, n2: int) -> int:
    """Multiplying polynomials of n1 and n2 coefficients: n1·n2.

    NumPy convolves the coefficient arrays: every pair of coefficients is
    multiplied and accumulated once.

    >>> polymul_cost(3, 4)
    12
    """
    return _count(n1, "n1") * _count(n2, "n2")


def polydiv_cost(nu: int, nv: int) -> int:
    """Dividing a polynomial of ``nu`` coefficients by one of ``nv``: 1 + q·(nv + 1).

    Long division as NumPy runs it: one reciprocal of the divisor's leading
    coefficient, then for each of the q = max(nu − nv + 1, 0) quotient terms
    one multiply (the term) and nv FMAs (subtracting its multiple of the
    divisor).

    >>> polydiv_cost(5, 2)
    13
    """
    nu, nv = _count(nu, "nu"), _count(nv, "nv")
    if nv == 0:
        raise ValueError("the divisor must have at least one coefficient")
    return 1 + max(nu - nv + 1, 0) * (nv + 1)


def polyder_cost(n: int, m: int = 1) -> int:
    """The m-th derivative of a polynomial of n coefficients: Σ_{j<m} max(n − 1 − j, 0).

    Each differentiation multiplies every coefficient but the constant by its
    power and drops the constant.

    >>> polyder_cost(5, 2)
    7
    """
    n = _count(n, "n")
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    return sum(max(n - 1 - j, 0) for j in range(m))


def polyint_cost(n: int, m: int = 1) -> int:
    """The m-th antiderivative of a polynomial of n coefficients: m·n + m(m − 1)/2.

    Each integration divides every coefficient by its new power and appends
    the integration constant, so the j-th one divides n + j coefficients.

    >>> polyint_cost(5, 2)
    11
    """
    n = _count(n, "n")
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    return m * n + m * (m - 1) // 2


def poly_cost(r: int, matrix: bool = False) -> int:
    """Coefficients of the monic polynomial with ``r`` given roots: r(r + 1).

    NumPy multiplies out (x − z_1)…(x − z_r) by convolving the running
    product (j coefficients) with [1, −z_j]: 2j multiply-adds, Σ 2j = r(r + 1).
    Given an r×r matrix instead, its eigenvalues are the roots:
    ``eigvals_cost(r)`` more.

    >>> poly_cost(4)
    20
    """
    r = _count(r, "r")
    return r * (r + 1) + (eigvals_cost(r) if matrix else 0)


def roots_cost(n: int) -> int:
    """Roots of a polynomial of n coefficients: (n − 1) + eigvals_cost(n − 1).

    NumPy builds the (n−1)×(n−1) companion matrix (n − 1 divides by the
    leading coefficient) and returns its eigenvalues (Edelman & Murakami
    1995). Leading and trailing zero coefficients shrink the problem at run
    time; the cost is charged at the full size so it depends on shapes only.

    >>> roots_cost(4)
    138
    """
    degree = _count(n, "n") - 1
    if degree < 1:
        return 0
    return degree + eigvals_cost(degree)


def polyfit_cost(points: int, degree: int, nrhs: int = 1, weighted: bool = False,
                 cov: bool | str = False) -> int:
    """Least-squares fit of a degree-``degree`` polynomial to ``points`` points.

    With m = points, c = degree + 1 unknowns and k = ``nrhs`` data columns,
    NumPy's steps and their counts:

    * Vandermonde matrix by repeated multiplication: m·(c − 1);
    * (``weighted``) scaling its rows and the data by the weights: m·c + m·k;
    * column norms, Σ a_ij² (m·c FMAs) and c square roots, then dividing
      every entry by its column's norm (m·c): 2·m·c + c;
    * the least-squares solve: ``lstsq_cost(m, c, k)``;
    * unscaling the coefficients: c·k;
    * (``cov``) the covariance: AᵀA (c·c·m), its inverse ``inv_cost(c)``, the
      outer product of the scales and the division by it (2c²), and the
      scaling by the residual factor, c² per data column (c² once for
      ``cov="unscaled"``, whose factor is 1).

    >>> polyfit_cost(100, 3)
    4980
    """
    m, k = _count(points, "points"), _count(nrhs, "nrhs")
    c = operator.index(degree) + 1
    if c < 1:
        raise ValueError("expected deg >= 0")
    total = m * (c - 1) + 2 * m * c + c + lstsq_cost(m, c, k) + c * k
    if weighted:
        total += m * c + m * k
    if cov:
        factor_columns = 1 if isinstance(cov, str) and cov == "unscaled" else k
        total += c * c * m + inv_cost(c) + 2 * c * c + c * c * factor_columns
    return total


# -- cost rules: NumPy call arguments -> formula ---------------------------------------------------


def _coefficients(p: Any) -> int:
    """Number of coefficients of a coefficient array (its first axis; a scalar is one)."""
    shape = shape_of(p)
    return shape[0] if shape else 1


def polyval_call_cost(p: Any, x: Any) -> int:
    """Cost rule of ``polyval``: len(p) FMAs per point of broadcast(x, p[0])."""
    p_shape = shape_of(p)
    if not p_shape:
        raise TypeError("iteration over a 0-d array")
    points = numel(broadcast_shapes(shape_of(x), p_shape[1:]))
    return p_shape[0] * points


def polyadd_call_cost(a1: Any, a2: Any) -> int:
    """Cost rule of ``polyadd``."""
    return polyadd_cost(_coefficients(a1), _coefficients(a2))


def polysub_call_cost(a1: Any, a2: Any) -> int:
    """Cost rule of ``polysub``."""
    return polysub_cost(_coefficients(a1), _coefficients(a2))


def _one_d(p: Any) -> int:
    shape = shape_of(p)
    if len(shape) > 1:
        raise ValueError("Polynomial must be 1d only.")
    return shape[0] if shape else 1


def polymul_call_cost(a1: Any, a2: Any) -> int:
    """Cost rule of ``polymul`` (1-D coefficient arrays)."""
    return polymul_cost(_one_d(a1), _one_d(a2))


def polydiv_call_cost(u: Any, v: Any) -> int:
    """Cost rule of ``polydiv``."""
    return polydiv_cost(_coefficients(u), _coefficients(v))


def _trailing(p: Any) -> int:
    """Elements per coefficient (1 for the usual 1-D coefficient array)."""
    return numel(shape_of(p)[1:])


def polyder_call_cost(p: Any, m: Any = 1) -> int:
    """Cost rule of ``polyder``."""
    if not shape_of(p):
        raise TypeError("len() of unsized object")
    return polyder_cost(_coefficients(p), int(m)) * _trailing(p)


def polyint_call_cost(p: Any, m: Any = 1, k: Any = None) -> int:
    """Cost rule of ``polyint``."""
    if not shape_of(p):
        raise TypeError("len() of unsized object")
    return polyint_cost(_coefficients(p), int(m)) * _trailing(p)


def poly_call_cost(seq_of_zeros: Any) -> int:
    """Cost rule of ``poly``: roots given as a 1-D array, or a square matrix's eigenvalues."""
    shape = shape_of(seq_of_zeros) or (1,)
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        return poly_cost(shape[0], matrix=True)
    if len(shape) == 1:
        return poly_cost(shape[0])
    raise ValueError("input must be 1d or non-empty square 2d array.")


def roots_call_cost(p: Any) -> int:
    """Cost rule of ``roots`` (charged for the full companion matrix)."""
    shape = shape_of(p) or (1,)
    if len(shape) != 1:
        raise ValueError("Input must be a rank-1 array.")
    return roots_cost(shape[0])


def polyfit_call_cost(x: Any, y: Any, deg: Any, rcond: Any = None, full: bool = False,
                      w: Any = None, cov: Any = False) -> int:
    """Cost rule of ``polyfit``."""
    x_shape, y_shape = shape_of(x), shape_of(y)
    degree = int(deg)
    if degree < 0:
        raise ValueError("expected deg >= 0")
    if len(x_shape) != 1:
        raise TypeError("expected 1D vector for x")
    if x_shape[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if not 1 <= len(y_shape) <= 2:
        raise TypeError("expected 1D or 2D array for y")
    if x_shape[0] != y_shape[0]:
        raise TypeError("expected x and y to have same length")
    nrhs = y_shape[1] if len(y_shape) == 2 else 1
    if full or not cov:
        cov = False
    return polyfit_cost(x_shape[0], degree, nrhs, weighted=w is not None,
                        cov=cov if isinstance(cov, str) else bool(cov))
