"""Checking data against a claimed symmetry, and projecting data onto one.

**Tolerance, per element pair.** Floating-point data that is symmetric in
exact arithmetic is often not bit-for-bit symmetric once computed (``X.T @ X``
may sum ``[j, k]`` and ``[k, j]`` in different orders). A claim is accepted
when every pair of elements ``a`` and ``b = a`` moved by a generator of the
claimed group satisfies, NumPy-``allclose``-style::

    a == b  (NaN matches only NaN, an infinity only the same infinity)
    or  |a - b| <= atol + rtol * max(|a|, |b|)      (both finite)

Each pair is judged against its own magnitude, so one huge entry elsewhere in
the array cannot widen the tolerance of every other pair.

**Bounds.** ``rtol`` defaults to, and may not exceed, ``sqrt(eps(dtype))``
(about 1.5e-8 for float64, 3.5e-4 for float32, 3.1e-2 for float16);
``atol`` defaults to 0 and may not exceed the same value. Negative, NaN or
larger values raise ``ValueError``: a tolerance that could be set to
infinity would let any claim through. (An absolute tolerance means what it
says: entries smaller than ``atol`` are never told apart, so ``atol`` is
kept at the size of rounding noise on data of magnitude 1.) Integer, boolean
and other exact dtypes are compared exactly; ``rtol`` and ``atol`` are still
validated (against float64's bound) but unused.

**Cost.** The check reads every element and is charged
(:func:`check_cost`): floating data pays numel (one absolute value per
element) plus 6 per exchanged pair (difference, its absolute value, the
larger magnitude, ``atol + rtol*m`` as one multiply-add, the comparison,
folding the verdict); exact dtypes pay 2 per pair (comparison, fold).

Checking a group needs only its generators (the swaps of the first block with
each other block): data unchanged by the generators is unchanged by every
permutation they compose.

A failed check names the axes swapped and the *position* of the first
violating pair in C order; it never reports the values or their difference,
which would let repeated checks measure the data for nothing.
"""

from __future__ import annotations

from math import isnan, prod, sqrt
from typing import Any, Sequence

import numpy as np

from flopscope.errors import SymmetryError
from flopscope.symmetry.groups import SymmetryGroup

__all__ = ["default_rtol", "max_tolerance", "validate_tolerances", "first_violation",
           "check_symmetry", "exchanged_pairs", "check_cost", "symmetrize_array"]


def max_tolerance(dtype: Any) -> float:
    """Upper bound of ``rtol`` and of ``atol``: ``sqrt(eps)`` of the dtype (of float64 if exact)."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        dtype = np.dtype(np.float64)
    return sqrt(float(np.finfo(dtype).eps))


def default_rtol(dtype: Any) -> float:
    """``sqrt(eps)`` of a floating or complex dtype; 0 (exact) for anything else."""
    return max_tolerance(dtype) if np.dtype(dtype).kind in "fc" else 0.0


def validate_tolerances(dtype: Any, rtol: Any = None, atol: Any = 0.0) -> tuple[float, float]:
    """``(rtol, atol)`` to use for data of ``dtype``; ``ValueError`` outside ``[0, max_tolerance]``."""
    bound = max_tolerance(dtype)
    values = {}
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is None and name == "rtol":
            values[name] = default_rtol(dtype)
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                          np.floating)):
            raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
        number = float(value)
        if isnan(number) or number < 0 or number > bound:
            raise ValueError(
                f"{name}={value!r} is outside [0, {bound:.3g}]: a symmetry check's tolerance may "
                f"not exceed sqrt(eps) of the data's dtype ({np.dtype(dtype)}); pass a smaller "
                f"{name} or symmetrize the data (flops.symmetrize)"
            )
        values[name] = number
    if np.dtype(dtype).kind not in "fc":
        return 0.0, 0.0
    return values["rtol"], values["atol"]


def _swap_text(group: SymmetryGroup, other: tuple[int, ...]) -> str:
    first = group.blocks[0]
    if len(first) == 1:
        return f"swapping axes {first[0]} and {other[0]}"
    return f"swapping axes {first} with {other}"


def _pair_ok(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise verdict for the pairs ``(a[i], b[i])`` (see the module docstring)."""
    if a.dtype.kind not in "fc":
        return a == b
    with np.errstate(invalid="ignore", over="ignore"):
        same = (a == b) | ((a != a) & (b != b))
        finite = np.isfinite(a) & np.isfinite(b)
        close = np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))
    return same | (finite & close)


def first_violation(data: np.ndarray, group: SymmetryGroup, rtol: float | None = None,
                    atol: float = 0.0) -> str | None:
    """Where ``data`` first fails ``group`` (axes and index, no values), or None if it does not."""
    rtol, atol = validate_tolerances(data.dtype, rtol, atol)
    ndim = data.ndim
    if not data.size:
        return None
    for other, gen in zip(group.blocks[1:], group.generators(ndim)):
        swapped = data.transpose(gen)
        ok = _pair_ok(data, swapped, rtol, atol)
        if ok.all():
            continue
        where = np.unravel_index(int(np.argmin(ok)), ok.shape)
        mirror = tuple(where[gen[a]] for a in range(ndim))
        rule = ("must match exactly" if data.dtype.kind not in "fc"
                else "differ by more than atol + rtol*max(|a|, |b|)")
        return (f"{_swap_text(group, other)} moves x{list(map(int, where))} onto "
                f"x{list(map(int, mirror))}, and the two {rule}")
    return None


def check_symmetry(data: np.ndarray, symmetry: Sequence[SymmetryGroup], rtol: float | None = None,
                   atol: float = 0.0) -> None:
    """Raise :class:`SymmetryError` naming the axes and the first failing index if ``data`` lacks ``symmetry``."""
    for group in symmetry:
        problem = first_violation(data, group, rtol, atol)
        if problem is not None:
            raise SymmetryError(f"the data is not symmetric under {group}: {problem}")


def exchanged_pairs(shape: Sequence[int], symmetry: Sequence[SymmetryGroup]) -> int:
    """Pairs of elements the generators of ``symmetry`` exchange: what a check must compare.

    Swapping two blocks (N values each) moves every element except those
    whose two block indices agree, numel/N of them, and pairs the rest:
    (numel - numel/N) / 2 pairs per generator, k - 1 generators per group.
    """
    numel = prod(shape)
    total = 0
    for group in symmetry:
        values = group.block_values(shape)
        if values:
            total += (group.degree - 1) * (numel - numel // values) // 2
    return total


def check_cost(shape: Sequence[int], symmetry: Sequence[SymmetryGroup], dtype: Any) -> int:
    """FLOPs of checking ``symmetry`` on data of ``shape`` and ``dtype``.

    Floating data: numel (|x| of every element, read once) + 6 per exchanged
    pair (difference, its absolute value, max of the two magnitudes,
    ``atol + rtol*m`` as one multiply-add, the comparison, folding the
    verdict). Exact data: 2 per pair (comparison, fold). An (n, n) float
    matrix: n^2 + 3n(n - 1).
    """
    pairs = exchanged_pairs(shape, symmetry)
    if np.dtype(dtype).kind in "fc":
        return prod(shape) + 6 * pairs
    return 2 * pairs


def _swap(ndim: int, first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    perm = list(range(ndim))
    for a, b in zip(first, second):
        perm[a], perm[b] = b, a
    return tuple(perm)


def symmetrize_array(data: np.ndarray, symmetry: Sequence[SymmetryGroup]) -> np.ndarray:
    """The average of ``data`` over every permutation of ``symmetry`` (a plain array).

    For one group of k blocks, S_k is the union of the cosets t_i S_(k-1), t_i
    the swap of block i with block k, so the average over S_k is the mean of the
    k swapped copies of the average over S_(k-1): k(k-1)/2 transposed
    additions instead of k!. Integer and boolean data average to float64.
    """
    dtype = data.dtype if data.dtype.kind in "fc" else np.dtype(np.float64)
    result = np.array(data, dtype=dtype)
    for group in symmetry:
        blocks = group.blocks
        for k in range(1, len(blocks)):
            total = result.copy()
            for i in range(k):
                total += result.transpose(_swap(data.ndim, blocks[i], blocks[k]))
            result = total / (k + 1)
    return result
