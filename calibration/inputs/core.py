"""Building blocks of the input generators: cases, specs, value distributions.

An :class:`InputSpec` says how to call one registry entry for the benchmark:
a ``build`` function turns a :class:`Maker` (one size, one value distribution,
the run's dtypes and a seeded RNG) into a :class:`Case` -- the positional and
keyword arguments the entry's ``impl`` and ``cost`` rule are both called with.

Sizes come from a *ladder* of at least two scales per op, so a fixed per-call
cost shows up as a size dependence instead of masquerading as a per-FLOP cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = [
    "ARRAY_DISTRIBUTIONS",
    "FIXED",
    "Case",
    "InputSpec",
    "Context",
    "Maker",
    "Domain",
    "DEFAULT_DOMAIN",
]

#: Value distributions for ops that take array data (see :meth:`Maker.values`).
ARRAY_DISTRIBUTIONS: tuple[str, ...] = ("uniform", "normal", "logspread")

#: The single "distribution" of ops whose inputs are parameters, not data (windows, draws).
FIXED: tuple[str, ...] = ("fixed",)

#: A closed interval of input values, ``(low, high)``.
Domain = tuple[float, float]

DEFAULT_DOMAIN: Domain = (-100.0, 100.0)


@dataclass(frozen=True)
class Case:
    """One benchmark call: ``impl(*args, **kwargs)``, costed as ``cost(*args, **kwargs)``.

    ``reset`` (optional) restores state an in-place op consumed (``x.sort()``
    sorts its input); it runs before every measured call and its own cost is
    measured separately and subtracted.
    """

    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    reset: Callable[[], None] | None = None


@dataclass(frozen=True)
class Context:
    """Per-run settings a generator needs: dtypes and a seeded RNG."""

    float_dtype: np.dtype
    rng: np.random.Generator

    @property
    def complex_dtype(self) -> np.dtype:
        return np.result_type(self.float_dtype, np.complex64)


@dataclass(frozen=True)
class InputSpec:
    """How to benchmark one op.

    Attributes
    ----------
    build:
        ``Maker -> Case``.
    ladder:
        Scales (elements, matrix order, transform length... as ``build`` reads
        ``maker.n``), smallest first; at least two.
    distributions:
        Value distributions to run (:data:`ARRAY_DISTRIBUTIONS` or :data:`FIXED`).
    min_size:
        Smallest scale ``build`` accepts (quick runs divide the ladder).
    preallocate:
        Whether the worker may pass a pre-allocated ``out=`` when the op accepts one.
    """

    build: Callable[["Maker"], Case]
    ladder: tuple[int, ...]
    distributions: tuple[str, ...] = ARRAY_DISTRIBUTIONS
    min_size: int = 2
    preallocate: bool = True

    def __post_init__(self) -> None:
        if len(self.ladder) < 2 or list(self.ladder) != sorted(set(self.ladder)):
            raise ValueError(f"a ladder needs two or more increasing sizes, got {self.ladder}")

    def sizes(self, divisor: int = 1) -> tuple[int, ...]:
        """The ladder divided by ``divisor`` (quick runs), floored at ``min_size``, deduplicated."""
        scaled = [max(self.min_size, size // divisor) for size in self.ladder]
        return tuple(sorted(set(scaled)))


class Maker:
    """Makes the arrays of one case: scale ``n``, distribution ``dist``, the run's dtypes."""

    def __init__(self, n: int, dist: str, ctx: Context) -> None:
        if dist not in ARRAY_DISTRIBUTIONS and dist not in FIXED:
            raise ValueError(f"unknown value distribution {dist!r}")
        self.n = int(n)
        self.dist = dist
        self.ctx = ctx

    @property
    def float_dtype(self) -> np.dtype:
        return self.ctx.float_dtype

    @property
    def complex_dtype(self) -> np.dtype:
        return self.ctx.complex_dtype

    # -- raw values -------------------------------------------------------------------

    def _unit(self, size: int) -> np.ndarray:
        return self.ctx.rng.random(size)

    def values(self, shape: int | tuple[int, ...], domain: Domain = DEFAULT_DOMAIN) -> np.ndarray:
        """Float64 values in ``domain`` drawn from this maker's distribution.

        ``uniform``: uniform over the domain. ``normal``: Gaussian centred on the
        domain with a sixth of its width as standard deviation, clipped into it.
        ``logspread``: magnitudes spread log-uniformly over four decades (random
        sign when the domain contains 0), exercising both tiny and large inputs.
        ``fixed`` behaves as ``uniform``.
        """
        lo, hi = float(domain[0]), float(domain[1])
        if not lo < hi:
            raise ValueError(f"empty domain {domain}")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        size = int(np.prod(shape, dtype=np.int64))
        rng = self.ctx.rng
        if self.dist == "normal":
            x = rng.normal((lo + hi) / 2, (hi - lo) / 6, size)
        elif self.dist == "logspread":
            decades = 10.0 ** rng.uniform(-4.0, 0.0, size)
            if lo < 0.0 < hi:
                x = np.where(rng.random(size) < 0.5, lo, hi) * decades
            else:
                x = lo + (hi - lo) * decades
        else:
            x = lo + (hi - lo) * self._unit(size)
        return np.clip(x, lo, hi).reshape(shape)

    # -- arrays of the run's dtypes ---------------------------------------------------

    def vec(self, n: int | None = None, domain: Domain = DEFAULT_DOMAIN) -> np.ndarray:
        """A float vector of length ``n`` (default: the scale)."""
        return self.values(self.n if n is None else n, domain).astype(self.float_dtype)

    def arr(self, shape: tuple[int, ...], domain: Domain = DEFAULT_DOMAIN) -> np.ndarray:
        """A float array of ``shape``."""
        return self.values(shape, domain).astype(self.float_dtype)

    def mat(self, rows: int | None = None, cols: int | None = None,
            domain: Domain = (-1.0, 1.0)) -> np.ndarray:
        """A float matrix, square of order ``n`` by default."""
        rows = self.n if rows is None else rows
        cols = rows if cols is None else cols
        return self.arr((rows, cols), domain)

    def square(self, n: int | None = None) -> np.ndarray:
        """A well-conditioned square matrix (diagonally shifted, so invertible)."""
        n = self.n if n is None else n
        a = self.values((n, n), (-1.0, 1.0))
        return (a + n * np.eye(n)).astype(self.float_dtype)

    def spd(self, n: int | None = None) -> np.ndarray:
        """A symmetric positive definite matrix of order ``n``."""
        n = self.n if n is None else n
        a = self.values((n, n), (-1.0, 1.0))
        return (a @ a.T + n * np.eye(n)).astype(self.float_dtype)

    def cvec(self, n: int | None = None, domain: Domain = DEFAULT_DOMAIN) -> np.ndarray:
        """A complex vector; real and imaginary parts from the distribution."""
        n = self.n if n is None else n
        z = self.values(n, domain) + 1j * self.values(n, domain)
        return z.astype(self.complex_dtype)

    def carr(self, shape: tuple[int, ...], domain: Domain = DEFAULT_DOMAIN) -> np.ndarray:
        """A complex array of ``shape``."""
        z = self.values(shape, domain) + 1j * self.values(shape, domain)
        return z.astype(self.complex_dtype)

    def ints(self, shape: int | tuple[int, ...] | None = None, low: int = -1000,
             high: int = 1000) -> np.ndarray:
        """int64 values in ``[low, high)`` following the distribution."""
        shape = self.n if shape is None else shape
        x = np.floor(self.values(shape, (float(low), float(high))))
        return np.clip(x, low, high - 1).astype(np.int64)
