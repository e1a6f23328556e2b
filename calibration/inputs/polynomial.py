"""Inputs for polynomial helpers (``polynomial``).

Evaluation and fitting run over ``n`` sample points with a fixed degree;
products and divisions over length-``n`` coefficient series; root finding and
construction from roots over degree ``n`` (their cost is cubic / quadratic in
it). Coefficients stay in ``[-1, 1]`` and points in ``[-1, 1]`` so evaluation
neither overflows nor underflows.
"""

from __future__ import annotations

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import DEGREE, ELEMENTS, SERIES

__all__ = ["SPECS"]

_UNIT = (-1.0, 1.0)
_EVAL_DEGREE = 8


def _coefficients(mk: Maker, n: int | None = None):  # type: ignore[no-untyped-def]
    return mk.vec(n, domain=_UNIT)


def _series_pair(mk: Maker) -> Case:
    return Case((_coefficients(mk), _coefficients(mk)))


SPECS: dict[str, InputSpec] = {
    "polyval": InputSpec(
        lambda mk: Case((_coefficients(mk, _EVAL_DEGREE + 1), mk.vec(domain=_UNIT))), ELEMENTS),
    "polyfit": InputSpec(
        lambda mk: Case((mk.vec(domain=_UNIT), mk.vec(domain=_UNIT), _EVAL_DEGREE)), ELEMENTS,
        min_size=32),
    "polyadd": InputSpec(_series_pair, ELEMENTS),
    "polysub": InputSpec(_series_pair, ELEMENTS),
    "polyder": InputSpec(lambda mk: Case((_coefficients(mk),)), ELEMENTS),
    "polyint": InputSpec(lambda mk: Case((_coefficients(mk),)), ELEMENTS),
    "polymul": InputSpec(_series_pair, SERIES),
    "polydiv": InputSpec(
        lambda mk: Case((_coefficients(mk), _coefficients(mk, max(2, mk.n // 2)))), SERIES,
        min_size=4),
    "roots": InputSpec(lambda mk: Case((_coefficients(mk, mk.n + 1),)), DEGREE, min_size=3),
    "poly": InputSpec(lambda mk: Case((mk.vec(domain=_UNIT),)), DEGREE, min_size=3),
}
