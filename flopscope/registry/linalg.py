"""``numpy.linalg``: every public callable, as ``linalg.<name>`` entries.

Costs are in :mod:`flopscope.cost.linalg` (derivations and sources there),
shapes in :mod:`flopscope.exec.shapes.linalg`. The namespace's mirrors of
top-level functions (``matmul``, ``outer``, ``tensordot``, ``vecdot``,
``trace``, ``cross``) are entries of their own with the contraction rules
where those exist; ``diagonal`` and ``matrix_transpose`` are free views.
``LinAlgError`` passes through (:mod:`flopscope.registry.passthrough`) and
``numpy.linalg.test`` is blocked.

``svd`` takes one flopscope extension, the keyword ``k`` (see :func:`svd`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.cost import contractions
from flopscope.cost import linalg as cost
from flopscope.exec.shapes import contractions as contraction_shapes
from flopscope.exec.shapes import linalg as shapes
from flopscope.exec.shapes import view_rule
from flopscope.registry._core import Category, OpDef, register
from flopscope.registry.free import free_op

__all__ = ["svd", "register_all"]

_np_svd = np.linalg.svd


def svd(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
    *,
    k: int | None = None,
) -> Any:
    """``numpy.linalg.svd``, with an optional top-k truncation (flopscope extension).

    Parameters
    ----------
    a, full_matrices, compute_uv, hermitian:
        As for :func:`numpy.linalg.svd`.
    k:
        Keyword only. If given, return only the ``k`` largest singular
        triplets: ``SVDResult(U[..., :, :k], S[..., :k], Vh[..., :k, :])``
        (or ``S[..., :k]`` with ``compute_uv=False``), 0 ≤ k ≤ min(m, n).
        The values are exactly those of NumPy's SVD (computed with the same
        flags and sliced), so signs agree with ``numpy.linalg.svd``. The call
        is charged m·n·k FLOPs per matrix (SPEC.md §2, ``flops.svd_cost(m, n, k)``),
        the cost model of an iterative top-k method; the wall time is that of
        the full decomposition NumPy runs.
    """
    if k is None:
        return _np_svd(a, full_matrices, compute_uv, hermitian)
    _, m, n = cost.matrix_stack(a)
    k = cost.check_svd_k(k, m, n)
    result = _np_svd(a, full_matrices, compute_uv, hermitian)
    # Copies, so the full factors are not kept alive by views of them.
    if not compute_uv:
        return result[..., :k].copy()
    u, s, vh = result
    return shapes.SVDResult(u[..., :, :k].copy(), s[..., :k].copy(), vh[..., :k, :].copy())


_GVL = "Golub & Van Loan, Matrix Computations, 4th ed."
_TB = "Trefethen & Bau, Numerical Linear Algebra"

#: (attr, implementation, cost rule, shape rule, formula, notes)
_ENTRIES: list[tuple[str, Callable[..., Any], Callable[..., int], Callable[..., Any], str, str]] = [
    ("cholesky", np.linalg.cholesky, cost.cholesky_call_cost, shapes.cholesky_shape,
     "batch·⌈n³/6⌉",
     f"Cholesky: half of LU since one triangle is computed; {_GVL} §4.2 (n³/3 classic "
     f"flops); {_TB} Lecture 23."),
    ("det", np.linalg.det, cost.det_call_cost, shapes.det_shape, "batch·⌈n³/3⌉",
     f"LU with partial pivoting; {_GVL} Alg. 3.4.1 (2n³/3 classic flops)."),
    ("slogdet", np.linalg.slogdet, cost.slogdet_call_cost, shapes.slogdet_shape,
     "batch·⌈n³/3⌉",
     f"LU with partial pivoting; the n logarithms are lower order. {_GVL} Alg. 3.4.1."),
    ("inv", np.linalg.inv, cost.inv_call_cost, shapes.inv_shape, "batch·(⌈n³/3⌉ + n³)",
     f"NumPy solves A·X = I with LAPACK gesv: LU (n³/3) plus n forward/back substitutions "
     f"(n² each). {_GVL} §3.1, §3.4."),
    ("solve", np.linalg.solve, cost.solve_call_cost, shapes.solve_shape,
     "batch·(⌈n³/3⌉ + nrhs·n²)",
     f"LU (n³/3) plus a forward and a back substitution per right-hand side (n²); "
     f"{_GVL} §3.1, §3.4."),
    ("tensorsolve", np.linalg.tensorsolve, cost.tensorsolve_call_cost, shapes.tensorsolve_shape,
     "⌈N³/3⌉ + N², N = prod(b.shape)",
     "NumPy flattens to an N×N system with one right-hand side: solve_cost(N, 1)."),
    ("tensorinv", np.linalg.tensorinv, cost.tensorinv_call_cost, shapes.tensorinv_shape,
     "⌈N³/3⌉ + N³, N = prod(a.shape[ind:])",
     "NumPy flattens to an N×N matrix and inverts it: inv_cost(N)."),
    ("qr", np.linalg.qr, cost.qr_call_cost, shapes.qr_shape,
     "batch·⌈(3H(m,n,k) + [Q])/3⌉, H(m,c,k) = 2mck − (m+c)k² + 2k³/3",
     f"Householder QR (R: n²(m − n/3) for m ≥ n), plus backward accumulation of Q for "
     f"'reduced' (mk² − k³/3) or 'complete' (2(m²k − mk² + k³/3)); {_GVL} Alg. 5.2.1, §5.1; "
     f"{_TB} Lecture 10."),
    ("eig", np.linalg.eig, cost.eig_call_cost, shapes.eig_shape, "batch·⌈79n³/6⌉",
     f"Francis QR to Schur form with Q (25n³ classic flops, {_GVL} §7.5.6), eigenvectors of T "
     "by back substitution (n³/6) and back-transformation Q·Y (n³/2)."),
    ("eigvals", np.linalg.eigvals, cost.eigvals_call_cost, shapes.eigvals_shape, "batch·5n³",
     f"Francis QR, Schur form only: 10n³ classic flops ({_GVL} §7.5.6)."),
    ("eigh", np.linalg.eigh, cost.eigh_call_cost, shapes.eigh_shape, "batch·⌈9n³/2⌉",
     f"Symmetric QR with accumulated Q: about 9n³ classic flops ({_GVL} §8.3)."),
    ("eigvalsh", np.linalg.eigvalsh, cost.eigvalsh_call_cost, shapes.eigvalsh_shape,
     "batch·⌈2n³/3⌉",
     f"Symmetric QR, eigenvalues only: tridiagonalization, 4n³/3 classic flops ({_GVL} §8.3; "
     f"{_TB} Lecture 26)."),
    ("svd", svd, cost.svd_call_cost, shapes.svd_shape,
     "batch·(values: ⌈2MN² − 2N³/3⌉; thin: ⌈min(7MN² + 4N³, full)⌉; full: ⌈2M²N + 4MN² "
     "+ 9N³/2⌉); with k=: batch·m·n·k (top-k truncated SVD, flopscope extension)",
     f"Golub–Reinsch SVD by the call's flags ({_GVL} Fig. 8.6.1, M = max(m, n), N = min(m, n)); "
     "hermitian=True is charged as eigh / eigvalsh, which NumPy then runs. The keyword k "
     "returns the top-k triplets (U[..., :, :k], S[..., :k], Vh[..., :k, :]) at m·n·k per "
     "matrix (SPEC.md §2)."),
    ("svdvals", np.linalg.svdvals, cost.svdvals_call_cost, shapes.svdvals_shape,
     "batch·⌈2MN² − 2N³/3⌉",
     f"Singular values only: Golub–Kahan bidiagonalization ({_GVL} Fig. 8.6.1; {_TB} Lecture 31)."),
    ("lstsq", np.linalg.lstsq, cost.lstsq_call_cost, shapes.lstsq_shape,
     "2MN² + 4N³ + nrhs·(MN + N²)",
     f"SVD-based least squares (LAPACK gelsd): Σ and V ({_GVL} Fig. 8.6.1 'Σ, V'), then Uᵀb and "
     "V·Σ⁺ per right-hand side."),
    ("pinv", np.linalg.pinv, cost.pinv_call_cost, shapes.pinv_shape,
     "batch·(svd_thin(m, n) + m·n·min(m, n))",
     "Thin SVD (eigh if hermitian) then the product V·Σ⁺·Uᵀ, as NumPy computes it."),
    ("matrix_rank", np.linalg.matrix_rank, cost.matrix_rank_call_cost, shapes.matrix_rank_shape,
     "batch·⌈2MN² − 2N³/3⌉ (numel below 2-D)",
     "Singular values (eigvalsh if hermitian), then a count above the tolerance."),
    ("cond", np.linalg.cond, cost.cond_call_cost, shapes.cond_shape,
     "p ∈ {None, ±2}: batch·svdvals; else batch·(inv + 2·matrix_norm)",
     "As NumPy computes it: extreme singular values, or ‖A‖·‖A⁻¹‖ via inv."),
    ("matrix_power", np.linalg.matrix_power, cost.matrix_power_call_cost,
     shapes.matrix_power_shape, "batch·((bit_length(|p|) + popcount(|p|) − 2)·n³ [+ inv if p < 0])",
     "NumPy's right-to-left binary powering (Knuth TAOCP vol. 2 §4.6.3): one squaring per bit "
     "after the lowest and one product per further set bit, n³ each."),
    ("multi_dot", np.linalg.multi_dot, cost.multi_dot_call_cost, shapes.multi_dot_shape,
     "Σ p_i·p_k·p_j over the optimal chain order",
     "Matrix-chain dynamic programme (CLRS §15.2); NumPy's multi_dot executes the same order "
     "(same programme and tie-break), so the charged order is the one that runs."),
    ("norm", np.linalg.norm, cost.norm_call_cost, shapes.norm_shape,
     "numel(x) (2·numel for a general vector p); matrix 2, −2, 'nuc': batch·svdvals",
     "One operation per element (FMA for squares, add of |x|, comparison for ±inf); a general "
     "p adds the power. Matrix 2-norms and the nuclear norm use the SVD, as in NumPy."),
    ("matrix_norm", np.linalg.matrix_norm, cost.matrix_norm_call_cost, shapes.matrix_norm_shape,
     "batch·m·n; ord 2, −2, 'nuc': batch·svdvals", "norm over the last two axes."),
    ("vector_norm", np.linalg.vector_norm, cost.vector_norm_call_cost, shapes.vector_norm_shape,
     "numel(x) (2·numel for a general p)",
     "One operation per element; a general p adds the power."),
    # mirrors of top-level functions
    ("matmul", np.linalg.matmul, contractions.matmul_call_cost, contraction_shapes.matmul_shape,
     "batch·m·k·n", "numpy.matmul; costed as its einsum (FMA = 1)."),
    ("outer", np.linalg.outer, cost.linalg_outer_call_cost, shapes.outer_shape,
     "numel(x1)·numel(x2)", "numpy.outer for 1-D operands; one product per output element."),
    ("tensordot", np.linalg.tensordot, contractions.tensordot_call_cost,
     contraction_shapes.tensordot_shape, "numel(a)·numel(b)/Π(summed axes)",
     "numpy.tensordot; costed as its einsum (FMA = 1)."),
    ("vecdot", np.linalg.vecdot, contractions.vecdot_call_cost, contraction_shapes.vecdot_shape,
     "numel(broadcast(x1, x2))", "numpy.vecdot; one multiply-add per element."),
    ("trace", np.linalg.trace, cost.linalg_trace_call_cost, shapes.trace_shape,
     "batch·len(diagonal)",
     "numpy.trace over the last two axes: one add per diagonal entry (cost.counting.trace_cost)."),
    ("cross", np.linalg.cross, cost.linalg_cross_call_cost, shapes.cross_shape,
     "6 per pair of 3-vectors",
     "Each component a_i·b_j − a_j·b_i is a product and a fused multiply-add "
     "(cost.counting.cross_cost)."),
]


def register_all() -> None:
    for attr, impl, cost_rule, shape_rule, formula, notes in _ENTRIES:
        # Every rule above reads shapes and scalar arguments only (never data), so the
        # eager executor looks repeated calls up by layouts instead of re-deriving them.
        register(OpDef(
            f"linalg.{attr}", Category.CUSTOM, "numpy.linalg", attr, impl=impl, cost=cost_rule,
            shape=shape_rule, formula=formula, numpy_func=getattr(np.linalg, attr), notes=notes,
            # matrix_power(a, 1) returns a itself, as NumPy does.
            extras={"shape_only_cost": True, "may_return_a_view": attr == "matrix_power"},
        ))
    for attr in ("diagonal", "matrix_transpose"):
        fn = getattr(np.linalg, attr)
        register(free_op(f"linalg.{attr}", fn, view_rule(fn), module="numpy.linalg", attr=attr,
                         notes="A view of the input: no arithmetic."))
    register(OpDef(
        "linalg.test", Category.BLOCKED, "numpy.linalg", "test", numpy_func=np.linalg.test,
        notes="running NumPy's own test suite is not computation on your arrays. Run "
              "`python -m pytest --pyargs numpy.linalg` outside the budgeted code.",
    ))
