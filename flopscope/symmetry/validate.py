"""Checking data against a claimed symmetry, and projecting data onto one.

**Tolerance.** Floating-point data that is symmetric in exact arithmetic is
often not bit-for-bit symmetric once computed (``X.T @ X`` sums its products
in an order that may differ between ``[j, k]`` and ``[k, j]``). A claim is
accepted when every exchanged pair of elements differs by at most::

    atol + rtol * max|x|        rtol = sqrt(eps(dtype)), atol = 0 by default

(about 1.5e-8 for float64, 3.5e-4 for float32, 3.1e-2 for float16), measured
against the largest finite magnitude in the array so that tiny entries next to
large ones are not held to a relative standard they cannot meet. Integer,
boolean and other exact dtypes must match exactly. NaN matches only NaN.

Checking a group needs only its generators (the swaps of the first block with
each other block): data unchanged by the generators is unchanged by every
permutation they compose.
"""

from __future__ import annotations

from math import prod, sqrt
from typing import Any, Sequence

import numpy as np

from flopscope.errors import SymmetryError
from flopscope.symmetry.groups import SymmetryGroup

__all__ = ["default_rtol", "first_violation", "check_symmetry", "exchanged_pairs", "check_cost",
           "symmetrize_array"]


def default_rtol(dtype: np.dtype) -> float:
    """``sqrt(eps)`` of a floating or complex dtype; 0 (exact) for anything else."""
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return sqrt(float(np.finfo(dtype).eps))
    return 0.0


def _swap_text(group: SymmetryGroup, other: tuple[int, ...]) -> str:
    first = group.blocks[0]
    if len(first) == 1:
        return f"swapping axes {first[0]} and {other[0]}"
    return f"swapping axes {first} with {other}"


def _value(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


def first_violation(data: np.ndarray, group: SymmetryGroup, rtol: float | None = None,
                    atol: float = 0.0) -> str | None:
    """Why ``data`` is not symmetric under ``group`` (the worst pair), or None if it is."""
    ndim = data.ndim
    floating = data.dtype.kind in "fc"
    if rtol is None:
        rtol = default_rtol(data.dtype)
    tol = 0.0
    if floating and data.size:
        with np.errstate(invalid="ignore"):
            magnitude = np.abs(data)
            finite = magnitude[np.isfinite(magnitude)]
        tol = atol + rtol * (float(finite.max()) if finite.size else 0.0)
    for other, gen in zip(group.blocks[1:], group.generators(ndim)):
        swapped = data.transpose(gen)
        if floating:
            with np.errstate(invalid="ignore", over="ignore"):
                diff = np.abs(data - swapped)
                same = (data == swapped) | (np.isnan(data) & np.isnan(swapped))
            diff = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
            if not diff.size:
                continue
            worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
            amount = float(diff[worst])
            if amount <= tol:
                continue
            bound = (f"the {data.dtype} tolerance is {tol:.3g} (rtol {rtol:.3g} x max|x|"
                     f"{' + atol' if atol else ''})")
            detail = f"a difference of {amount:.6g}; {bound}"
        else:
            mismatch = data != swapped
            if not mismatch.any():
                continue
            worst = np.unravel_index(int(np.argmax(mismatch)), mismatch.shape)
            detail = f"{data.dtype} data must match exactly"
        mirror = tuple(worst[gen[a]] for a in range(ndim))
        return (f"{_swap_text(group, other)} moves x{list(map(int, worst))} = {_value(data[worst])!r} "
                f"onto x{list(map(int, mirror))} = {_value(data[mirror])!r}, {detail}")
    return None


def check_symmetry(data: np.ndarray, symmetry: Sequence[SymmetryGroup], rtol: float | None = None,
                   atol: float = 0.0) -> None:
    """Raise :class:`SymmetryError` naming the axes and the difference if ``data`` lacks ``symmetry``."""
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
    """FLOPs of checking ``symmetry`` on data of ``shape`` and ``dtype`` (``is_symmetric``).

    Floating data: the tolerance needs max|x| (an absolute value and a
    comparison per element, 2 numel), then each exchanged pair is subtracted,
    its absolute value compared with the tolerance, and the verdict folded
    into the answer (4 per pair). Exact data: a comparison and the fold
    (2 per pair).
    """
    pairs = exchanged_pairs(shape, symmetry)
    if np.dtype(dtype).kind in "fc":
        return 2 * prod(shape) + 4 * pairs
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
