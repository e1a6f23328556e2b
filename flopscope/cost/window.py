"""Window-function costs (``bartlett``, ``blackman``, ``hamming``, ``hanning``, ``kaiser``).

Convention: the exact operation count of each window's closed form, per
sample, times the number of samples L NumPy generates (L = M for an
integer M), plus the constants computed once per window. Every add,
subtract, multiply, divide, multiply-add, absolute value, square root and
elementary-function call (``cos``, ``exp``) counts 1 — the same unit the
pointwise ufuncs use; calibrated weights then price a cosine above an
add. The sample index n is generated (``arange``), not computed, so it is
free. A window NumPy returns without arithmetic (``[]`` for M < 1, ``[1.]``
for M = 1) costs 0.

With c a per-window constant (one divide to form it) and n = 0, …, L − 1:

=========  ==========================================  ==============  ==============
window     closed form                                 per sample      cost
=========  ==========================================  ==============  ==============
bartlett   1 − c·|2n − (L − 1)|, c = 1/(L − 1)          abs, FMA: 2     2L + 1
hanning    0.5 − 0.5·cos(c·n), c = 2π/(L − 1)           mul, cos, FMA   3L + 1
hamming    0.54 − 0.46·cos(c·n)                         mul, cos, FMA   3L + 1
blackman   0.42 − 0.5·cos(c·n) + 0.08·cos(2c·n)         2 mul, 2 cos,   6L + 1
                                                        2 FMA: 6
kaiser     I0(β·√(1 − (c·n − 1)²)) / I0(β),             see below       69L + 66
           c = 2/(L − 1)
=========  ==========================================  ==============  ==============

**Kaiser.** Per sample: t = c·n − 1 (FMA), 1 − t² (FMA), the square root,
the product with β, one I0 evaluation, and the multiply by the precomputed
1/I0(β): 5 + I0_COST. Per window: c (1), I0(β) (I0_COST) and its
reciprocal (1): I0_COST + 2.

**The Bessel function I0.** NumPy's ``i0`` follows Cephes (S. L. Moshier):
after |x| (1), for x ≤ 8 it maps the argument, y = x/2 − 2 (1 FMA), sums a
30-term Chebyshev series by Clenshaw's recurrence — 29 steps of
``b0 = y·b1 − b2 + a_i``, one FMA and one add each (58) — finishes with
0.5·(b0 − b2) (2) and multiplies by exp(x) (exp 1, product 1): 64 in all.
Above 8 the 25-term series and the extra 1/√x cost 57. Which branch runs
depends on the data, so every evaluation is charged the larger: **I0_COST = 64**.

Sources: the window definitions in A. V. Oppenheim, R. W. Schafer,
*Discrete-Time Signal Processing*, 3rd ed., §7.5 (and NumPy's documentation
of each function); C. W. Clenshaw, "A note on the summation of Chebyshev
series", MTAC 9 (1955); S. L. Moshier, *Methods and Programs for
Mathematical Functions* (Cephes), 1989, for I0.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "I0_COST", "window_length",
    "bartlett_cost", "blackman_cost", "hamming_cost", "hanning_cost", "kaiser_cost",
    "bartlett_call_cost", "blackman_call_cost", "hamming_call_cost", "hanning_call_cost",
    "kaiser_call_cost",
]

#: FLOPs charged per evaluation of the modified Bessel function I0 (see the module docstring).
I0_COST = 64

#: Per-sample cost of each cosine-sum / triangular window's closed form.
_PER_SAMPLE = {"bartlett": 2, "hanning": 3, "hamming": 3, "blackman": 6}
#: Per-window constants: forming c (one divide).
_SETUP = 1


def window_length(M: Any, kaiser: bool = False) -> int:
    """Number of samples NumPy returns for a window of nominal length ``M``.

    NumPy accepts a float M. The cosine and triangular windows sample
    ``arange(1 − M, M, 2)`` (⌈M − 1/2⌉ points), the Kaiser window
    ``arange(0, M)`` (⌈M⌉ points); M == 1 gives one sample, M < 1 none
    (except Kaiser, whose arange decides).
    """
    value = float(M)
    if value == 1:
        return 1
    if kaiser:
        return max(math.ceil(value), 0)
    if value < 1:
        return 0
    return max(math.ceil(value - 0.5), 0)


def _cosine_window_cost(name: str, M: Any) -> int:
    """Per-sample count times the samples, plus the constant; 0 when NumPy does no arithmetic."""
    if float(M) <= 1:  # NumPy returns [] or [1.] directly
        return 0
    return _PER_SAMPLE[name] * window_length(M) + _SETUP


def bartlett_cost(M: int) -> int:
    """Bartlett (triangular) window of M samples: 2M + 1 (0 for M ≤ 1).

    >>> bartlett_cost(100)
    201
    """
    return _cosine_window_cost("bartlett", M)


def hanning_cost(M: int) -> int:
    """Hann window of M samples: 3M + 1 (0 for M ≤ 1).

    >>> hanning_cost(100)
    301
    """
    return _cosine_window_cost("hanning", M)


def hamming_cost(M: int) -> int:
    """Hamming window of M samples: 3M + 1 (0 for M ≤ 1).

    >>> hamming_cost(100)
    301
    """
    return _cosine_window_cost("hamming", M)


def blackman_cost(M: int) -> int:
    """Blackman window of M samples: 6M + 1 (0 for M ≤ 1).

    >>> blackman_cost(100)
    601
    """
    return _cosine_window_cost("blackman", M)


def kaiser_cost(M: int, beta: float = 0.0) -> int:
    """Kaiser window of M samples: (5 + I0_COST)·M + I0_COST + 2 = 69M + 66 (0 for M = 1 or M ≤ 0).

    ``beta`` does not change the count (every I0 evaluation is charged the
    larger of its two branches).

    >>> kaiser_cost(100, 14.0)
    6966
    """
    length = window_length(M, kaiser=True)
    if float(M) == 1 or length == 0:  # NumPy returns [1.] or [] directly
        return 0
    return (5 + I0_COST) * length + I0_COST + 2


# -- cost rules --------------------------------------------------------------------------------


def bartlett_call_cost(M: Any) -> int:
    """Cost rule of ``bartlett``."""
    return bartlett_cost(M)


def hanning_call_cost(M: Any) -> int:
    """Cost rule of ``hanning``."""
    return hanning_cost(M)


def hamming_call_cost(M: Any) -> int:
    """Cost rule of ``hamming``."""
    return hamming_cost(M)


def blackman_call_cost(M: Any) -> int:
    """Cost rule of ``blackman``."""
    return blackman_cost(M)


def kaiser_call_cost(M: Any, beta: Any) -> int:
    """Cost rule of ``kaiser``."""
    return kaiser_cost(M, beta)
