"""The arithmetic that turns measurements into weights (pure functions, no I/O).

Every measurement is a :class:`Sample`: an op called at one size with one value
distribution, its analytical FLOPs ``F`` and its cost ``C`` per call in the
meter's unit (seconds, FP operations, instructions).

Reference (measured by every worker before and after its ops):

* ``dispatch`` -- the per-call fixed cost of NumPy's ufunc layer. ``np.abs``
  does no floating-point arithmetic (it clears a sign bit), so on next to
  nothing (1, 8 and 64 elements) its cost is the dispatch; the intercept at
  zero elements of a line through those points is taken.
* ``unit`` -- ``np.add``'s cost per analytical FLOP once dispatch is removed:
  the median over sizes of ``(C_add - dispatch) / F_add``.

Each size's cost is the lowest of the worker's measurements of it (before and
after), as noise only adds cost. The references of all workers of a repeat are
then pooled (:func:`pool_references`, the median of each): a single worker's
reference caught in a burst of load would otherwise rescale a whole category.

Per op and per repeat (seeds: weight = max(alpha_raw - overhead, 0)):

* ``alpha_raw`` = median over samples of ``C / (F * unit)``: cost per FLOP
  relative to ``np.add``;
* each sample's net cost per FLOP is ``(C - d) / (F * unit)``, where ``d`` is
  the ufunc dispatch cost for every category except the BLAS-backed ones
  (``linalg``, ``linalg_delegates``, ``contractions``), which bypass the ufunc
  layer and get ``d = 0``;
* ``weight`` = ``max(median net cost per FLOP, 0)``, and ``overhead`` =
  ``alpha_raw - median net cost per FLOP``: the dispatch cost, amortised over
  the op's FLOPs, that the subtraction actually removed, so that
  ``weight = max(alpha_raw - overhead, 0)`` holds exactly. (Taking the two
  medians separately would pair the alpha of one size with the overhead of
  another: dispatch amortises over the FLOPs of each size differently.)

Across repeats the weight is the median of the per-repeat weights; the spread
is their range relative to that median. By construction ``np.add`` weighs 1.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from calibration.categories import BLAS_BACKED

__all__ = [
    "Sample", "Reference", "RepeatEstimate", "OpEstimate", "MeasurementError",
    "fit_line", "fit_reference", "pool_references", "overhead_source", "estimate_repeat",
    "combine_repeats",
    "alpha_by_size", "relative_difference", "median_relative_difference",
]


class MeasurementError(ValueError):
    """Measurements that cannot give a weight (non-positive reference, no samples...)."""


@dataclass(frozen=True)
class Sample:
    """One measurement: cost ``value`` per call of an op with ``flops`` analytical FLOPs."""

    size: int
    dist: str
    flops: int
    value: float

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "Sample":
        return cls(int(data["size"]), str(data["dist"]), int(data["flops"]),  # type: ignore[arg-type]
                   float(data["value"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Reference:
    """Ufunc dispatch cost per call and ``np.add``'s net cost per FLOP (meter units)."""

    dispatch: float
    unit: float


@dataclass(frozen=True)
class RepeatEstimate:
    """One repeat's estimate for one op."""

    alpha_raw: float
    overhead: float
    weight: float


@dataclass(frozen=True)
class OpEstimate:
    """An op's estimate over all repeats."""

    weight: float
    alpha_raw: float
    overhead: float
    per_repeat: tuple[float, ...]
    spread: float


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``(intercept, slope)`` of ``y = intercept + slope * x``."""
    if len(xs) != len(ys) or not xs:
        raise MeasurementError("fit_line needs as many x as y values, at least one")
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    return mean_y - slope * mean_x, slope


def _lowest_per_size(samples: Sequence[Sample]) -> list[Sample]:
    best: dict[int, Sample] = {}
    for sample in samples:
        if sample.size not in best or sample.value < best[sample.size].value:
            best[sample.size] = sample
    return [best[size] for size in sorted(best)]


def fit_reference(add: Sequence[Sample], tiny_abs: Sequence[Sample]) -> Reference:
    """The :class:`Reference` from ``np.add`` samples and ``np.abs`` samples on tiny arrays."""
    if not add or not tiny_abs:
        raise MeasurementError("the reference needs np.add and np.abs samples")
    add, tiny_abs = _lowest_per_size(add), _lowest_per_size(tiny_abs)
    intercept, _ = fit_line([s.flops for s in tiny_abs], [s.value for s in tiny_abs])
    dispatch = min(max(intercept, 0.0), min(s.value for s in tiny_abs))
    unit = statistics.median((s.value - dispatch) / s.flops for s in add)
    if not unit > 0:
        raise MeasurementError(
            f"np.add's cost per FLOP net of dispatch is {unit!r}, not positive: the "
            "measurements are unusable (is the meter counting anything?)")
    return Reference(dispatch, unit)


def pool_references(references: Sequence[Reference]) -> Reference:
    """One reference from several workers': the median dispatch and the median unit."""
    if not references:
        raise MeasurementError("no reference to pool")
    return Reference(statistics.median(r.dispatch for r in references),
                     statistics.median(r.unit for r in references))


def overhead_source(category: str) -> str:
    """What is subtracted from ops of ``category``, in words."""
    return "none (BLAS-backed)" if category in BLAS_BACKED else "ufunc dispatch (np.abs)"


def estimate_repeat(samples: Sequence[Sample], category: str, ref: Reference) -> RepeatEstimate:
    """alpha_raw, overhead and weight of one op from one repeat's samples."""
    if not samples:
        raise MeasurementError("no samples")
    if any(s.flops <= 0 for s in samples):
        raise MeasurementError("a sample has no analytical FLOPs")
    dispatch = 0.0 if category in BLAS_BACKED else ref.dispatch
    alpha = statistics.median(s.value / (s.flops * ref.unit) for s in samples)
    net = statistics.median((s.value - dispatch) / (s.flops * ref.unit) for s in samples)
    return RepeatEstimate(alpha, alpha - net, max(net, 0.0))


def combine_repeats(repeats: Sequence[RepeatEstimate]) -> OpEstimate:
    """Median over repeats, with the relative range of the per-repeat weights as spread."""
    if not repeats:
        raise MeasurementError("no repeats to combine")
    weights = tuple(r.weight for r in repeats)
    weight = statistics.median(weights)
    width = max(weights) - min(weights)
    spread = width / weight if weight > 0 else (0.0 if width == 0 else float("inf"))
    return OpEstimate(
        weight=weight,
        alpha_raw=statistics.median(r.alpha_raw for r in repeats),
        overhead=statistics.median(r.overhead for r in repeats),
        per_repeat=weights,
        spread=spread,
    )


def alpha_by_size(samples: Iterable[tuple[Sample, Reference]]) -> list[dict[str, float]]:
    """Median alpha_raw per size (over distributions and repeats), smallest size first."""
    grouped: dict[int, list[tuple[int, float]]] = {}
    for sample, ref in samples:
        grouped.setdefault(sample.size, []).append(
            (sample.flops, sample.value / (sample.flops * ref.unit)))
    rows = []
    for size in sorted(grouped):
        pairs = grouped[size]
        rows.append({"size": size, "flops": int(statistics.median(f for f, _ in pairs)),
                     "alpha_raw": statistics.median(a for _, a in pairs)})
    return rows


def relative_difference(a: float, b: float) -> float:
    """``|a - b|`` relative to their mean; 0 when both are 0."""
    mean = (abs(a) + abs(b)) / 2
    return 0.0 if mean == 0 else abs(a - b) / mean


def median_relative_difference(
    a: Mapping[str, float], b: Mapping[str, float]
) -> tuple[float, dict[str, float]]:
    """Median relative difference over the ops both tables weigh, and the per-op values."""
    common = sorted(a.keys() & b.keys())
    if not common:
        raise MeasurementError("the two weight tables have no op in common")
    per_op = {name: relative_difference(a[name], b[name]) for name in common}
    return statistics.median(per_op.values()), per_op
