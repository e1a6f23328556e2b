"""Size ladders: the scales each kind of op is measured at.

Every ladder has three rungs spanning about two decades of analytical FLOPs,
so a per-call fixed cost is visible as a size dependence. The rungs were
chosen so that a single call stays between microseconds and tens of
milliseconds on a current core, which keeps the full suite under the 20-minute
budget (``python -m calibration plan`` prints the estimate).
"""

from __future__ import annotations

__all__ = [
    "ELEMENTS", "MATRIX", "SMALL_MATRIX", "FFT", "FFT_SIDE", "DRAWS", "SORT", "DEGREE",
    "SERIES", "WINDOW", "TINY",
]

#: Elementwise ops and reductions: number of elements (80 KB, 800 KB, 8 MB in float64).
ELEMENTS: tuple[int, ...] = (10_000, 100_000, 1_000_000)

#: Dense linear algebra and matrix products: matrix order.
MATRIX: tuple[int, ...] = (48, 96, 192)

#: Products whose cost grows with the fourth power of the scale (``kron``): matrix order.
SMALL_MATRIX: tuple[int, ...] = (8, 16, 32)

#: One-dimensional transforms: transform length.
FFT: tuple[int, ...] = (4_096, 32_768, 262_144)

#: Two- and n-dimensional transforms: side of the square input.
FFT_SIDE: tuple[int, ...] = (64, 181, 512)

#: Random sampling: number of values drawn.
DRAWS: tuple[int, ...] = (10_000, 100_000, 300_000)

#: Sorting, searching and set operations: number of keys.
SORT: tuple[int, ...] = (10_000, 100_000, 300_000)

#: Polynomial root finding and construction from roots: degree.
DEGREE: tuple[int, ...] = (16, 32, 64)

#: Polynomial products and divisions, convolutions: series length.
SERIES: tuple[int, ...] = (256, 1_024, 4_096)

#: Window functions: window length.
WINDOW: tuple[int, ...] = (10_000, 100_000, 1_000_000)

#: The dispatch-overhead reference (``np.abs`` on next to nothing): number of elements.
TINY: tuple[int, ...] = (1, 8, 64)
