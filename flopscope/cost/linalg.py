"""Linear-algebra costs, in FMA units (one fused multiply-add = 1 FLOP).

Conventions
-----------
* **Counting.** A multiply-add ``a·b + c`` is 1; a lone add, subtract,
  multiply, divide or square root is 1 as well. Counts quoted in the classic
  convention (Golub & Van Loan count an add and a multiply separately) are
  halved: in these dense kernels additions and multiplications come in pairs,
  so ``2N`` classic flops are ``N`` multiply-adds.
* **Leading-order terms only.** Each formula keeps the highest-degree terms
  in the problem dimensions, the ones the cited sources give (solve:
  ``n³/3 + nrhs·n²``), and drops lower-order ones (pivot bookkeeping, the
  ``n`` divisions by pivots, the ``n`` square roots of Cholesky). Lower-order
  terms depend on blocking and implementation details no source fixes; the
  leading terms do not.
* **Integers.** A per-matrix count with a fractional coefficient is rounded
  *up* (``⌈n³/6⌉``), so no non-empty problem costs 0, then multiplied by the
  batch size.
* **Batches.** Stacked inputs ``(..., m, n)`` cost the per-matrix count times
  the number of matrices (the broadcast batch for two-operand calls).
* **Iterative algorithms** (eigenvalues, SVD) have no exact count: their
  iteration counts depend on the data. They use the standard estimates of
  Golub & Van Loan, which assume about two QR sweeps per eigenvalue or
  singular value, with or without accumulating vectors as the call's flags
  require. Costs never depend on data: deterministic from shapes.
* **NumPy's algorithm where it matters.** ``inv`` is charged as NumPy runs it
  (LAPACK ``gesv`` with the identity as right-hand side); ``matrix_power``
  counts NumPy's repeated squarings; ``multi_dot`` charges the optimal chain
  order, which is the order NumPy executes; ``pinv``, ``cond``,
  ``matrix_rank`` and ``norm`` build on the SVD exactly where NumPy calls it.

Sources
-------
* [GVL] G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed., Johns
  Hopkins University Press, 2013.
* [TB] L. N. Trefethen, D. Bau, *Numerical Linear Algebra*, SIAM, 1997.
* [CLRS] Cormen, Leiserson, Rivest, Stein, *Introduction to Algorithms*,
  3rd ed., MIT Press, 2009, §15.2 (matrix-chain multiplication).
* [Knuth] D. E. Knuth, *The Art of Computer Programming*, vol. 2, 3rd ed.,
  §4.6.3 (the right-to-left binary method for powers).

Table (per matrix, FMA units; m×n with M = max(m, n), N = min(m, n))
---------------------------------------------------------------------

=====================  ================================================  ==========================
op                     formula                                           source
=====================  ================================================  ==========================
cholesky               n³/6                                              GVL §4.2; TB L23
det, slogdet           n³/3 (LU with partial pivoting)                   GVL Alg. 3.4.1; TB L21
solve                  n³/3 + nrhs·n²                                    GVL §3.1, §3.4
inv                    n³/3 + n·n² = 4n³/3 (gesv with B = I)             GVL §3.4; NumPy source
tensorsolve/tensorinv  solve(N, 1) / inv(N) on the flattened square      NumPy source
qr                     H(m,n,k) [+ H(m,k,k) reduced | H(m,m,k) complete] GVL §5.2.2, §5.1; TB L10
eigvalsh / eigh        2n³/3 / 9n³/2                                     GVL §8.3 (symmetric QR)
eigvals / eig          5n³ / 79n³/6                                      GVL §7.5.6, §7.6 (derived)
svd (values)           2MN² − 2N³/3                                      GVL Fig. 8.6.1; TB L31
svd (thin U, V)        min(7MN² + 4N³, full)                             GVL Fig. 8.6.1
svd (full U, V)        2M²N + 4MN² + 9N³/2                               GVL Fig. 8.6.1
svd(k=…)               m·n·k (truncated, SPEC.md §2)                     SPEC.md
lstsq                  2MN² + 4N³ + nrhs·(MN + N²)                       GVL Fig. 8.6.1 ("Σ, V")
pinv                   svd(thin) + m·n·N                                 NumPy source
matrix_rank, svdvals   svd(values)                                       NumPy source
cond                   svd(values) | inv + 2·matrix_norm                 NumPy source
matrix_power           (⌊log2 p⌋ + popcount(p) − 1)·n³ [+ inv if p < 0]  Knuth §4.6.3; NumPy source
multi_dot              optimal matrix-chain cost                         CLRS §15.2
trace, cross           the top-level ``trace`` / ``cross`` formulas      flopscope.cost.counting
norms                  numel(x) (2·numel for a general p); 2, −2, 'nuc'  NumPy source
                       matrix norms: svd(values) per matrix
=====================  ================================================  ==========================

where H(m, c, k) = 2mck − (m + c)k² + 2k³/3 is the cost of applying k
Householder reflectors to an m×c block (see :func:`qr_cost`).

Each ``<op>_cost`` below is a cost query (exported by ``flops.accounting``);
each ``<op>_call_cost`` adapts a NumPy call's arguments to it and is the cost
rule the registry uses.
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from flopscope.cost import counting
from flopscope.cost._shapes import broadcast_shapes, normalize_axis, numel, shape_of
from flopscope.cost.contractions import dot_cost, outer_cost

__all__ = [
    # cost queries
    "cholesky_cost", "det_cost", "slogdet_cost", "solve_cost", "inv_cost",
    "tensorsolve_cost", "tensorinv_cost", "qr_cost", "eig_cost", "eigvals_cost",
    "eigh_cost", "eigvalsh_cost", "svd_cost", "svdvals_cost", "lstsq_cost", "pinv_cost",
    "matrix_rank_cost", "cond_cost", "matrix_power_cost", "multi_dot_cost", "norm_cost",
    "matrix_norm_cost", "vector_norm_cost",
    # helpers shared with the shape rules
    "multi_dot_order", "check_svd_k", "matrix_stack", "square_stack", "two_d", "qr_mode",
    "chain_dims", "norm_axes",
    # cost rules
    "cholesky_call_cost", "det_call_cost", "slogdet_call_cost", "solve_call_cost",
    "inv_call_cost", "tensorsolve_call_cost", "tensorinv_call_cost", "qr_call_cost",
    "eig_call_cost", "eigvals_call_cost", "eigh_call_cost", "eigvalsh_call_cost",
    "svd_call_cost", "svdvals_call_cost", "lstsq_call_cost", "pinv_call_cost",
    "matrix_rank_call_cost", "cond_call_cost", "matrix_power_call_cost",
    "multi_dot_call_cost", "norm_call_cost", "matrix_norm_call_cost",
    "vector_norm_call_cost", "linalg_outer_call_cost", "linalg_trace_call_cost",
    "linalg_cross_call_cost",
]

LinAlgError = np.linalg.LinAlgError
_INF = float("inf")


# -- small helpers ---------------------------------------------------------------------


def _ceil_div(num: int, den: int) -> int:
    """⌈num / den⌉ for integers (exact, no floating point)."""
    return -(-num // den)


def _dim(value: Any, name: str) -> int:
    """A non-negative integer dimension, or the error NumPy-style code would raise."""
    value = operator.index(value)
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def _batch(batch: Any) -> int:
    return _dim(batch, "batch")


def matrix_stack(a: Any) -> tuple[int, int, int]:
    """(batch, m, n) of a stack of matrices ``(..., m, n)``; NumPy's error if not 2-D."""
    shape = shape_of(a)
    if len(shape) < 2:
        raise LinAlgError(
            f"{len(shape)}-dimensional array given. Array must be at least two-dimensional"
        )
    return numel(shape[:-2]), shape[-2], shape[-1]


def square_stack(a: Any) -> tuple[int, int]:
    """(batch, n) of a stack of square matrices ``(..., n, n)``."""
    batch, m, n = matrix_stack(a)
    if m != n:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return batch, n


def two_d(a: Any) -> tuple[int, int]:
    """(m, n) of a 2-D array; NumPy's LinAlgError otherwise."""
    shape = shape_of(a)
    if len(shape) != 2:
        raise LinAlgError(
            f"{len(shape)}-dimensional array given. Array must be two-dimensional"
        )
    return shape[0], shape[1]


# -- factorizations and solves -----------------------------------------------------------


def cholesky_cost(n: int, batch: int = 1) -> int:
    """Cholesky factorization of an n×n symmetric positive-definite matrix: ⌈n³/6⌉.

    Derivation: each of the n − j + 1 entries L[i, j], i ≥ j, of column j
    is a_ij minus the dot product of rows i and j of L over the j − 1
    columns already computed, j − 1 multiply-adds;
    Σ_j (n − j + 1)(j − 1) = (n³ − n)/6 ≈ n³/6 (GVL §4.2 counts n³/3 classic
    flops, half of LU because only one triangle is computed; TB Lecture 23).

    >>> cholesky_cost(6)
    36
    """
    n = _dim(n, "n")
    return _batch(batch) * _ceil_div(n**3, 6)


def _lu(n: int) -> int:
    """LU with partial pivoting, n×n: ⌈n³/3⌉ (GVL Alg. 3.4.1: 2n³/3 classic flops).

    Step k updates the trailing (n−k)×(n−k) block with one multiply-add per
    entry: Σ_k (n − k)² ≈ n³/3.
    """
    return _ceil_div(n**3, 3)


def det_cost(n: int, batch: int = 1) -> int:
    """Determinant of an n×n matrix via LU with partial pivoting: ⌈n³/3⌉.

    The product of the n pivots is a lower-order term (GVL §3.4; TB Lecture 21).

    >>> det_cost(3)
    9
    """
    return _batch(batch) * _lu(_dim(n, "n"))


def slogdet_cost(n: int, batch: int = 1) -> int:
    """Sign and log-determinant of an n×n matrix: LU, ⌈n³/3⌉.

    The n logarithms of the pivots and their sum are lower-order terms.

    >>> slogdet_cost(3)
    9
    """
    return _batch(batch) * _lu(_dim(n, "n"))


def solve_cost(n: int, nrhs: int = 1, batch: int = 1) -> int:
    """Solving A X = B, A n×n, B with ``nrhs`` columns: ⌈n³/3⌉ + nrhs·n².

    LU with partial pivoting (n³/3) followed, per right-hand side, by a
    forward substitution with the unit lower triangle and a back substitution
    with the upper one, n²/2 multiply-adds each (GVL §3.1: n² classic flops
    per triangular solve; LAPACK ``gesv``).

    >>> solve_cost(100, nrhs=1)
    343334
    """
    n, nrhs = _dim(n, "n"), _dim(nrhs, "nrhs")
    return _batch(batch) * (_lu(n) + nrhs * n * n)


def inv_cost(n: int, batch: int = 1) -> int:
    """Inverse of an n×n matrix as NumPy computes it: ⌈n³/3⌉ + n³ = ⌈4n³/3⌉.

    NumPy's ``inv`` calls LAPACK ``gesv`` with the identity as right-hand
    side, i.e. ``solve`` with n right-hand sides: n³/3 + n·n². (LAPACK's
    ``getri``, which exploits the identity's zeros, would need n³; NumPy
    does not use it.)

    >>> inv_cost(3)
    36
    """
    n = _dim(n, "n")
    return solve_cost(n, n, batch)


def tensorsolve_cost(n: int) -> int:
    """``tensorsolve`` with ``n = prod(b.shape)`` unknowns: ``solve_cost(n, 1)``.

    NumPy reshapes ``a`` to an n×n matrix and ``b`` to a vector, then solves.
    """
    return solve_cost(n, 1)


def tensorinv_cost(n: int) -> int:
    """``tensorinv`` of a tensor that flattens to n×n, n = prod(a.shape[ind:]): ``inv_cost(n)``."""
    return inv_cost(n)


def _householder_times3(m: int, c: int, k: int) -> int:
    """3·H(m, c, k): applying k Householder reflectors (lengths m, m−1, …) to an m×c block.

    Reflector j (0-based) acts on an (m−j)×(c−j) block: w = vᵀA and
    A −= v·wᵀ, 2(m−j)(c−j) multiply-adds. Σ_{j<k} 2(m−j)(c−j) =
    2mck − (m+c)k² + 2k³/3 to leading order; returned times 3 to stay integral.
    """
    return 6 * m * c * k - 3 * (m + c) * k * k + 2 * k**3


_QR_MODES = {
    "reduced": "reduced", "complete": "complete", "r": "r", "raw": "raw",
    # deprecated spellings NumPy still accepts
    "f": "reduced", "full": "reduced", "e": "economic", "economic": "economic",
}


def qr_mode(mode: Any) -> str:
    """NumPy's ``qr`` mode: 'reduced', 'complete', 'r', 'raw' or the deprecated 'economic'.

    'f' / 'full' mean 'reduced'; 'e' means 'economic' (the packed reflectors,
    like 'raw' without tau).
    """
    canonical = _QR_MODES.get(mode) if isinstance(mode, str) else None
    if canonical is None:
        raise ValueError(f"Unrecognized mode '{mode}'")
    return canonical


def qr_cost(m: int, n: int, mode: str = "reduced", batch: int = 1) -> int:
    """Householder QR of an m×n matrix, k = min(m, n) reflectors, by ``mode``.

    * triangularization (every mode): H(m, n, k); for m ≥ n that is
      n²(m − n/3) (GVL Alg. 5.2.1: 2n²(m − n/3) classic flops; TB Lecture 10);
    * ``'reduced'`` also forms the thin Q (m×k) by backward accumulation
      (GVL §5.1): H(m, k, k), i.e. mk² − k³/3;
    * ``'complete'`` forms the full m×m Q: H(m, m, k), i.e.
      2(m²k − mk² + k³/3) (GVL §5.1: 4(m²n − mn² + n³/3) classic flops);
      when m ≤ n this is the reduced Q;
    * ``'r'``, ``'raw'`` and the deprecated ``'economic'`` form no Q.

    H(m, c, k) = 2mck − (m + c)k² + 2k³/3. The total is rounded up once.

    >>> qr_cost(6, 3)
    90
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    canonical = qr_mode(mode)
    k = min(m, n)
    total3 = _householder_times3(m, n, k)
    if canonical == "reduced" or (canonical == "complete" and m <= n):
        total3 += _householder_times3(m, k, k)
    elif canonical == "complete":
        total3 += _householder_times3(m, m, k)
    return _batch(batch) * _ceil_div(total3, 3)


# -- eigenvalues -------------------------------------------------------------------------


def eigvalsh_cost(n: int, batch: int = 1) -> int:
    """Eigenvalues of an n×n symmetric / Hermitian matrix: ⌈2n³/3⌉.

    Symmetric QR algorithm (GVL §8.3, Alg. 8.3.3): Householder
    tridiagonalization, 4n³/3 classic flops, dominates; the implicit QR
    sweeps on the tridiagonal matrix are O(n²) without vectors. TB Lecture 26
    gives the same 4n³/3.

    >>> eigvalsh_cost(3)
    18
    """
    n = _dim(n, "n")
    return _batch(batch) * _ceil_div(2 * n**3, 3)


def eigh_cost(n: int, batch: int = 1) -> int:
    """Eigenvalues and eigenvectors of an n×n symmetric / Hermitian matrix: ⌈9n³/2⌉.

    GVL §8.3 (Alg. 8.3.3): about 9n³ classic flops when the orthogonal
    factor is accumulated (tridiagonalization, forming Q, and applying about
    two QR sweeps' rotations per eigenvalue to it).

    >>> eigh_cost(3)
    122
    """
    n = _dim(n, "n")
    return _batch(batch) * _ceil_div(9 * n**3, 2)


def eigvals_cost(n: int, batch: int = 1) -> int:
    """Eigenvalues of a general n×n matrix: 5n³.

    The practical (Francis double-shift) QR algorithm, Hessenberg reduction
    included, computing the real Schur form T only: about 10n³ classic flops
    (GVL §7.5.6, Alg. 7.5.2 with its standard two-iterations-per-eigenvalue
    estimate).

    >>> eigvals_cost(3)
    135
    """
    n = _dim(n, "n")
    return _batch(batch) * 5 * n**3


def eig_cost(n: int, batch: int = 1) -> int:
    """Eigenvalues and right eigenvectors of a general n×n matrix: ⌈79n³/6⌉.

    * Schur form T and its orthogonal factor Q: 25n³ classic flops
      (GVL §7.5.6), i.e. 25n³/2;
    * an eigenvector y_k of T by back substitution on the leading
      (k−1)×(k−1) triangle of T − λ_k·I: k²/2 multiply-adds, Σ_k k²/2 = n³/6
      (GVL §7.6);
    * back-transformation X = Q·Y with Y upper triangular: Σ_k n·k = n³/2.

    Total 25n³/2 + n³/6 + n³/2 = 79n³/6 (LAPACK ``geev``: ``hseqr`` + ``trevc``).

    >>> eig_cost(3)
    356
    """
    n = _dim(n, "n")
    return _batch(batch) * _ceil_div(79 * n**3, 6)


# -- the SVD and what builds on it -----------------------------------------------------------


def check_svd_k(k: Any, m: int, n: int) -> int:
    """Validate the truncation rank ``k`` of an m×n SVD: an integer in [0, min(m, n)]."""
    try:
        k = operator.index(k)
    except TypeError:
        raise TypeError(f"k must be an integer, got {type(k).__name__}") from None
    if not 0 <= k <= min(m, n):
        raise ValueError(f"k must be between 0 and min(m, n) = {min(m, n)}, got {k}")
    return k


def _svd_values(m: int, n: int) -> int:
    """Singular values only: ⌈2MN² − 2N³/3⌉ (Golub–Kahan bidiagonalization dominates).

    GVL Fig. 8.6.1 ("Σ" row, Golub–Reinsch): 4MN² − 4N³/3 classic flops;
    TB Lecture 31 gives the same for the bidiagonalization. The bidiagonal
    QR / dqds phase is O(N²).
    """
    big, small = max(m, n), min(m, n)
    return _ceil_div(6 * big * small**2 - 2 * small**3, 3)


def _svd_full_times2(m: int, n: int) -> int:
    """2·cost of Σ, U (M×M) and V: GVL Fig. 8.6.1 "Σ, U, V": 4M²N + 8MN² + 9N³ classic."""
    big, small = max(m, n), min(m, n)
    return 4 * big * big * small + 8 * big * small**2 + 9 * small**3


def _svd_thin_times2(m: int, n: int) -> int:
    """2·cost of Σ, thin U (M×N) and V: GVL Fig. 8.6.1 "Σ, U1, V": 14MN² + 8N³ classic.

    Near-square matrices (M < 1.31·N) would be charged more for the thin
    factors than for the full ones by that row; since the full factors
    contain the thin ones, the cheaper of the two is charged.
    """
    big, small = max(m, n), min(m, n)
    return min(14 * big * small**2 + 8 * small**3, _svd_full_times2(m, n))


def svd_cost(
    m: int,
    n: int,
    k: int | None = None,
    *,
    compute_uv: bool = True,
    full_matrices: bool = True,
    batch: int = 1,
) -> int:
    """Analytical FLOPs of the SVD of an m×n matrix (FMA = 1).

    With ``k`` (flopscope's truncated SVD, SPEC.md §2): the top-k singular
    triplets cost **m·n·k**, the cost of k passes of a matrix-vector-product
    method over the matrix (each pass touches every entry once per
    component). ``compute_uv`` and ``full_matrices`` do not change it.

    Without ``k``: the full decomposition as ``numpy.linalg.svd`` computes it
    with the same flags, by the Golub–Reinsch counts of GVL Fig. 8.6.1
    (M = max(m, n), N = min(m, n), classic flops halved):

    * ``compute_uv=False`` (values only): 2MN² − 2N³/3;
    * ``full_matrices=False`` (thin U): min(7MN² + 4N³, full);
    * ``full_matrices=True`` (the default): 2M²N + 4MN² + 9N³/2.

    So ``svd_cost(m, n)`` answers what ``fnp.linalg.svd(a)`` charges for an
    m×n ``a`` with NumPy's defaults.

    >>> svd_cost(m=256, n=256, k=10)
    655360
    >>> svd_cost(4, 4, compute_uv=False)
    86
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    batch = _batch(batch)
    if k is not None:
        return batch * m * n * check_svd_k(k, m, n)
    if not compute_uv:
        return batch * _svd_values(m, n)
    times2 = _svd_full_times2(m, n) if full_matrices else _svd_thin_times2(m, n)
    return batch * _ceil_div(times2, 2)


def svdvals_cost(m: int, n: int, batch: int = 1) -> int:
    """Singular values of an m×n matrix: ``svd_cost(m, n, compute_uv=False)``.

    >>> svdvals_cost(4, 4)
    86
    """
    return _batch(batch) * _svd_values(_dim(m, "m"), _dim(n, "n"))


def lstsq_cost(m: int, n: int, nrhs: int = 1) -> int:
    """Least squares min ||A X − B|| for A m×n, B with ``nrhs`` columns, via the SVD.

    NumPy calls LAPACK ``gelsd`` (SVD-based). The SVD needs Σ and V only —
    U's reflectors are applied to B as they are generated — GVL Fig. 8.6.1
    "Σ, V": 4MN² + 8N³ classic flops, 2MN² + 4N³ here. Each right-hand side
    then costs Uᵀb (M·N) and V·Σ⁺·(Uᵀb) (N²). M = max(m, n), N = min(m, n)
    (the underdetermined case works on Aᵀ).

    >>> lstsq_cost(10, 3, 1)
    327
    """
    m, n, nrhs = _dim(m, "m"), _dim(n, "n"), _dim(nrhs, "nrhs")
    big, small = max(m, n), min(m, n)
    return 2 * big * small**2 + 4 * small**3 + nrhs * (big * small + small * small)


def pinv_cost(m: int, n: int, hermitian: bool = False, batch: int = 1) -> int:
    """Pseudo-inverse of an m×n matrix as NumPy computes it.

    Thin SVD (or, with ``hermitian=True``, ``eigh``), then V·Σ⁺·Uᵀ: an
    (n×N)(N×m) product, m·n·N multiply-adds (N = min(m, n); the diagonal
    scaling is lower order).

    >>> pinv_cost(3, 3)
    311
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    if hermitian:
        if m != n:
            raise LinAlgError("Last 2 dimensions of the array must be square")
        factor = eigh_cost(n)
    else:
        factor = svd_cost(m, n, full_matrices=False)
    return _batch(batch) * (factor + m * n * min(m, n))


def matrix_rank_cost(m: int, n: int, hermitian: bool = False, batch: int = 1) -> int:
    """Rank of an m×n matrix: its singular values (``eigvalsh`` when ``hermitian``).

    Counting the values above the tolerance is lower order.

    >>> matrix_rank_cost(4, 4)
    86
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    if hermitian:
        if m != n:
            raise LinAlgError("Last 2 dimensions of the array must be square")
        return eigvalsh_cost(n, batch)
    return svdvals_cost(m, n, batch)


def _vector_norm_factor(ord: Any) -> int:
    """FLOPs per element of a vector norm of order ``ord`` (see :func:`vector_norm_cost`)."""
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord is None or ord in (2, 1, 0, _INF, -_INF):
        return 1
    return 2


def _matrix_norm_per_matrix(m: int, n: int, ord: Any) -> int:
    """FLOPs of one matrix norm of order ``ord`` (see :func:`matrix_norm_cost`)."""
    if isinstance(ord, str):
        if ord in ("fro", "f"):
            return m * n
        if ord == "nuc":
            return _svd_values(m, n)
    elif ord is None or ord in (1, -1, _INF, -_INF):
        return m * n
    elif ord in (2, -2):
        return _svd_values(m, n)
    raise ValueError("Invalid norm order for matrices.")


def vector_norm_cost(shape: Sequence[int], ord: Any = 2) -> int:
    """Vector norms over any axes of an array of ``shape``.

    One pass over the data, one operation per element: a multiply-add for
    Σ|x|² (``ord`` 2 / None), an add of |x| for ord 1 (taking |x| clears a
    sign bit), a comparison for ±inf, a test for 0. Any other p costs two
    per element: the power |x|^p and the accumulation. The final root per
    norm is lower order. The axes do not matter: every element enters one
    norm.

    >>> vector_norm_cost((100,))
    100
    >>> vector_norm_cost((100,), ord=3)
    200
    """
    return numel(tuple(shape)) * _vector_norm_factor(ord)


def matrix_norm_cost(m: int, n: int, ord: Any = "fro", batch: int = 1) -> int:
    """A matrix norm of an m×n matrix.

    * ``'fro'`` (and None): Σ|a_ij|², m·n multiply-adds;
    * 1, −1, ±inf: absolute column / row sums, m·n (the max / min over the
      n sums is lower order);
    * 2, −2, ``'nuc'``: the singular values, ``svdvals_cost(m, n)``
      (NumPy computes the SVD for these).

    >>> matrix_norm_cost(4, 4, ord=2)
    86
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    return _batch(batch) * _matrix_norm_per_matrix(m, n, ord)


def norm_axes(shape: tuple[int, ...], ord: Any, axis: Any) -> tuple[int, ...] | None:
    """The axes ``numpy.linalg.norm`` reduces over; None for its flattened 2-norm fast path."""
    ndim = len(shape)
    if axis is None:
        if ord is None or (isinstance(ord, str) and ord in ("f", "fro") and ndim == 2) or (
            not isinstance(ord, str) and ord == 2 and ndim == 1
        ):
            return None
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        return tuple(normalize_axis(a, ndim) for a in axis)
    try:
        axis = int(axis)  # NumPy converts with int(), so 1.0 is accepted
    except Exception:
        raise TypeError("'axis' must be None, an integer or a tuple of integers") from None
    return (normalize_axis(axis, ndim),)


def norm_cost(shape: Sequence[int], ord: Any = None, axis: Any = None) -> int:
    """``numpy.linalg.norm`` of an array of ``shape``, with NumPy's ``ord`` / ``axis`` rules.

    * no ``axis`` and ``ord`` None (or 'fro' on 2-D, 2 on 1-D): the 2-norm of
      the flattened array, numel multiply-adds;
    * one axis (or a 1-D array): :func:`vector_norm_cost`;
    * two axes (or a 2-D array): :func:`matrix_norm_cost` for each matrix.

    >>> norm_cost((10, 10))
    100
    >>> norm_cost((10, 4, 4), ord=2, axis=(1, 2))
    860
    """
    shape = tuple(shape)
    axes = norm_axes(shape, ord, axis)
    if axes is None:
        return numel(shape)
    if len(axes) == 1:
        return vector_norm_cost(shape, ord)
    if len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError("Duplicate axes given.")
        m, n = shape[axes[0]], shape[axes[1]]
        batch = numel(tuple(d for i, d in enumerate(shape) if i not in axes))
        return matrix_norm_cost(m, n, ord, batch)
    raise ValueError("Improper number of dimensions to norm.")


def cond_cost(m: int, n: int, p: Any = None, batch: int = 1) -> int:
    """Condition number of an m×n matrix in the ``p`` norm, as NumPy computes it.

    * p None, 2, −2: the ratio of extreme singular values, ``svdvals_cost(m, n)``;
    * other p (square only): ``inv_cost(n)`` plus the norm of the matrix and
      of its inverse, 2·``matrix_norm_cost(n, n, p)``.

    >>> cond_cost(3, 3, p=1)
    54
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        return svdvals_cost(m, n, batch)
    if m != n:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    per_matrix = inv_cost(n) + 2 * _matrix_norm_per_matrix(n, n, p)
    return _batch(batch) * per_matrix


def _power_matmuls(power: int) -> int:
    """Matrix products NumPy's ``matrix_power`` performs for exponent |power|.

    Right-to-left binary method (Knuth §4.6.3): one squaring per bit after the
    lowest, one multiplication into the result per set bit after the first:
    (bit_length − 1) + (popcount − 1). |power| ≤ 1 needs none.
    """
    p = abs(power)
    if p <= 1:
        return 0
    return p.bit_length() + bin(p).count("1") - 2


def matrix_power_cost(n: int, power: int, batch: int = 1) -> int:
    """A_n×n raised to the integer ``power`` as NumPy computes it.

    (bit_length(|p|) + popcount(|p|) − 2) matrix products of n³ each
    (:func:`_power_matmuls`), plus ``inv_cost(n)`` first when p < 0.
    p = 0 (an identity) and p = ±1 need no product.

    >>> matrix_power_cost(10, 5)
    3000
    """
    n = _dim(n, "n")
    power = operator.index(power)
    per_matrix = _power_matmuls(power) * n**3 + (inv_cost(n) if power < 0 else 0)
    return _batch(batch) * per_matrix


# -- multi_dot: the matrix-chain order ----------------------------------------------------


def _chain_tables(dims: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
    """Matrix-chain dynamic programme (CLRS §15.2) for matrices dims[i]×dims[i+1].

    ``cost[i][j]`` is the cheapest way to form A_i…A_j, ``split[i][j]`` the k
    of its last product (A_i…A_k)(A_{k+1}…A_j). Ties go to the smallest k,
    as in NumPy's ``multi_dot``, so both pick the same order.
    """
    count = len(dims) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            best, best_k = None, i
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or q < best:
                    best, best_k = q, k
            cost[i][j], split[i][j] = best, best_k
    return cost, split


def chain_dims(shapes: Sequence[Sequence[int]]) -> list[int]:
    """The chain dimensions p_0 … p_n of ``multi_dot``'s operands (1-D ends promoted)."""
    shapes = [tuple(s) for s in shapes]
    if len(shapes[0]) == 1:
        shapes[0] = (1, shapes[0][0])
    if len(shapes[-1]) == 1:
        shapes[-1] = (shapes[-1][0], 1)
    for s in shapes:
        if len(s) != 2:
            raise LinAlgError(f"{len(s)}-dimensional array given. Array must be two-dimensional")
    for left, right in zip(shapes, shapes[1:], strict=False):
        if left[1] != right[0]:
            raise ValueError(
                f"shapes {left} and {right} not aligned: {left[1]} (dim 1) != {right[0]} (dim 0)"
            )
    return [s[0] for s in shapes] + [shapes[-1][1]]


def multi_dot_order(shapes: Sequence[Sequence[int]]) -> Any:
    """The optimal parenthesization of ``multi_dot`` over operands of ``shapes``.

    Nested pairs of operand indices: ``((0, 1), 2)`` means (A₀A₁)A₂.
    NumPy's ``multi_dot`` evaluates the same order (same dynamic programme,
    same tie-break; for three operands its closed-form comparison agrees).

    >>> multi_dot_order([(10, 100), (100, 5), (5, 50)])
    ((0, 1), 2)
    """
    if len(shapes) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(shapes) == 2:
        return (0, 1)
    _, split = _chain_tables(chain_dims(shapes))

    def build(i: int, j: int) -> Any:
        if i == j:
            return i
        k = split[i][j]
        return (build(i, k), build(k + 1, j))

    return build(0, len(shapes) - 1)


def multi_dot_cost(shapes: Sequence[Sequence[int]]) -> int:
    """``multi_dot`` of operands with ``shapes``: the cost of the optimal chain order.

    Each product of a p×q and a q×r matrix is p·q·r multiply-adds; the
    matrix-chain dynamic programme (CLRS §15.2) finds the order minimizing
    their sum, and NumPy executes that order. A 1-D first (last) operand is a
    row (column) vector. Two operands are a plain ``dot``.

    >>> multi_dot_cost([(10, 100), (100, 5), (5, 50)])
    7500
    """
    if len(shapes) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(shapes) == 2:
        return dot_cost(tuple(shapes[0]), tuple(shapes[1]))
    cost, _ = _chain_tables(chain_dims(shapes))
    return cost[0][len(shapes) - 1]


# -- cost rules: NumPy call arguments -> formula ---------------------------------------------


def cholesky_call_cost(a: Any, /, *, upper: bool = False) -> int:
    """Cost rule of ``linalg.cholesky``."""
    batch, n = square_stack(a)
    return cholesky_cost(n, batch)


def det_call_cost(a: Any) -> int:
    """Cost rule of ``linalg.det``."""
    batch, n = square_stack(a)
    return det_cost(n, batch)


def slogdet_call_cost(a: Any) -> int:
    """Cost rule of ``linalg.slogdet``."""
    batch, n = square_stack(a)
    return slogdet_cost(n, batch)


def inv_call_cost(a: Any) -> int:
    """Cost rule of ``linalg.inv``."""
    batch, n = square_stack(a)
    return inv_cost(n, batch)


def solve_call_cost(a: Any, b: Any) -> int:
    """Cost rule of ``linalg.solve``: b is one vector if 1-D, else a stack of (n, nrhs)."""
    a_shape, b_shape = shape_of(a), shape_of(b)
    _, n = square_stack(a)
    if len(b_shape) == 1:
        if b_shape[0] != n:
            raise ValueError(f"solve: b has {b_shape[0]} rows, a is {n}×{n}")
        return solve_cost(n, 1, numel(a_shape[:-2]))
    if len(b_shape) < 2 or b_shape[-2] != n:
        raise ValueError(f"solve: b of shape {b_shape} does not match a of shape {a_shape}")
    batch = numel(broadcast_shapes(a_shape[:-2], b_shape[:-2]))
    return solve_cost(n, b_shape[-1], batch)


def tensorsolve_call_cost(a: Any, b: Any, axes: Any = None) -> int:
    """Cost rule of ``linalg.tensorsolve``: a solve with prod(b.shape) unknowns."""
    a_shape, b_shape = shape_of(a), shape_of(b)
    n = numel(b_shape)
    if numel(a_shape) != n * n:
        raise LinAlgError(
            "Input arrays must satisfy the requirement "
            "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])"
        )
    return tensorsolve_cost(n)


def tensorinv_call_cost(a: Any, ind: int = 2) -> int:
    """Cost rule of ``linalg.tensorinv``: an inverse of the flattened square matrix."""
    shape = shape_of(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    n = numel(shape[ind:])
    if numel(shape[:ind]) != n:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return tensorinv_cost(n)


def qr_call_cost(a: Any, mode: str = "reduced") -> int:
    """Cost rule of ``linalg.qr``."""
    batch, m, n = matrix_stack(a)
    return qr_cost(m, n, mode, batch)


def eig_call_cost(a: Any) -> int:
    """Cost rule of ``linalg.eig``."""
    batch, n = square_stack(a)
    return eig_cost(n, batch)


def eigvals_call_cost(a: Any) -> int:
    """Cost rule of ``linalg.eigvals``."""
    batch, n = square_stack(a)
    return eigvals_cost(n, batch)


def eigh_call_cost(a: Any, UPLO: str = "L") -> int:
    """Cost rule of ``linalg.eigh``."""
    batch, n = square_stack(a)
    return eigh_cost(n, batch)


def eigvalsh_call_cost(a: Any, UPLO: str = "L") -> int:
    """Cost rule of ``linalg.eigvalsh``."""
    batch, n = square_stack(a)
    return eigvalsh_cost(n, batch)


def svd_call_cost(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
    *,
    k: int | None = None,
) -> int:
    """Cost rule of ``linalg.svd`` (with flopscope's ``k=`` truncation).

    ``hermitian=True`` makes NumPy use ``eigh`` (``eigvalsh`` without vectors);
    it is charged as such. With ``k`` the truncated cost m·n·k applies.
    """
    batch, m, n = matrix_stack(a)
    if k is not None:
        return svd_cost(m, n, k, batch=batch)
    if hermitian:
        if m != n:
            raise LinAlgError("Last 2 dimensions of the array must be square")
        return eigh_cost(n, batch) if compute_uv else eigvalsh_cost(n, batch)
    return svd_cost(m, n, compute_uv=compute_uv, full_matrices=full_matrices, batch=batch)


def svdvals_call_cost(x: Any, /) -> int:
    """Cost rule of ``linalg.svdvals``."""
    batch, m, n = matrix_stack(x)
    return svdvals_cost(m, n, batch)


def lstsq_call_cost(a: Any, b: Any, rcond: Any = None) -> int:
    """Cost rule of ``linalg.lstsq`` (2-D ``a``; ``b`` a vector or an (m, nrhs) matrix)."""
    m, n = two_d(a)
    b_shape = shape_of(b)
    if len(b_shape) == 1:
        b_shape = (b_shape[0], 1)
    if len(b_shape) != 2:
        raise LinAlgError(f"{len(b_shape)}-dimensional array given. Array must be two-dimensional")
    if b_shape[0] != m:
        raise LinAlgError("Incompatible dimensions")
    return lstsq_cost(m, n, b_shape[1])


def pinv_call_cost(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> int:
    """Cost rule of ``linalg.pinv``."""
    batch, m, n = matrix_stack(a)
    return pinv_cost(m, n, hermitian, batch)


def matrix_rank_call_cost(A: Any, tol: Any = None, hermitian: bool = False, *,
                          rtol: Any = None) -> int:
    """Cost rule of ``linalg.matrix_rank``; below 2-D NumPy only tests for a nonzero entry."""
    shape = shape_of(A)
    if len(shape) < 2:
        return numel(shape)
    batch, m, n = matrix_stack(A)
    return matrix_rank_cost(m, n, hermitian, batch)


def cond_call_cost(x: Any, p: Any = None) -> int:
    """Cost rule of ``linalg.cond``."""
    batch, m, n = matrix_stack(x)
    return cond_cost(m, n, p, batch)


def matrix_power_call_cost(a: Any, n: Any) -> int:
    """Cost rule of ``linalg.matrix_power``."""
    batch, size = square_stack(a)
    try:
        power = operator.index(n)
    except TypeError:
        raise TypeError("exponent must be an integer") from None
    return matrix_power_cost(size, power, batch)


def multi_dot_call_cost(arrays: Sequence[Any], *, out: Any = None) -> int:
    """Cost rule of ``linalg.multi_dot``."""
    return multi_dot_cost([shape_of(x) for x in arrays])


def norm_call_cost(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> int:
    """Cost rule of ``linalg.norm``."""
    return norm_cost(shape_of(x), ord, axis)


def matrix_norm_call_cost(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> int:
    """Cost rule of ``linalg.matrix_norm`` (the last two axes)."""
    return norm_cost(shape_of(x), ord, (-2, -1))


def vector_norm_call_cost(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                          ord: Any = 2) -> int:
    """Cost rule of ``linalg.vector_norm``."""
    shape = shape_of(x)
    if axis is not None:
        axes = axis if isinstance(axis, tuple) else (axis,)
        for ax in axes:
            normalize_axis(ax, len(shape))
    return vector_norm_cost(shape, ord)


def linalg_outer_call_cost(x1: Any, x2: Any, /) -> int:
    """Cost rule of ``linalg.outer`` (1-D operands only): numel(x1)·numel(x2)."""
    s1, s2 = shape_of(x1), shape_of(x2)
    if len(s1) != 1 or len(s2) != 1:
        raise ValueError(
            "Input arrays must be one-dimensional, but they are "
            f"x1.ndim={len(s1)} and x2.ndim={len(s2)}."
        )
    return outer_cost(s1, s2)


def linalg_trace_call_cost(x: Any, /, *, offset: int = 0, dtype: Any = None) -> int:
    """Cost rule of ``linalg.trace``: ``trace`` over the last two axes (``trace_cost``)."""
    return counting.trace_call_cost(x, offset, -2, -1)


def linalg_cross_call_cost(x1: Any, x2: Any, /, *, axis: int = -1) -> int:
    """Cost rule of ``linalg.cross``: ``cross`` of 3-vectors only (``cross_cost``, 6 each)."""
    s1, s2 = shape_of(x1), shape_of(x2)
    if not s1 or not s2:
        raise np.exceptions.AxisError(axis, 0)
    if s1[normalize_axis(axis, len(s1))] != 3 or s2[normalize_axis(axis, len(s2))] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors")
    return counting.cross_call_cost(x1, x2, axis=axis)
