"""Inputs for ``misc`` and ``complex`` ops, ``flops.stats`` and ``fnp.testing``.

``misc`` gathers the "looks free but computes" functions (``trace``,
``histogram``, ``diff``, ``clip``...), statistics (``median``, ``cov``...)
and the rest; each gets the array shapes its cost formula is written for.
``flops.stats`` distribution functions and ``fnp.testing`` comparisons are
handled by prefix (:func:`stats_spec`, :func:`testing_spec`), so new entries of
those families are measured without an edit here.
"""

from __future__ import annotations

import operator

import numpy as np

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import ELEMENTS, SORT

__all__ = ["SPECS", "UNMEASURABLE", "stats_spec", "testing_spec"]


def _one(mk: Maker) -> Case:
    return Case((mk.vec(),))


def _pair(mk: Maker) -> Case:
    return Case((mk.vec(), mk.vec()))


def _equal_pair_of(x: np.ndarray) -> Case:
    return Case((x, x.copy()))


def _equal_pair(mk: Maker) -> Case:
    return _equal_pair_of(mk.vec())


def _rows_of_three(mk: Maker) -> Case:
    rows = max(1, mk.n // 3)
    return Case((mk.arr((rows, 3)), mk.arr((rows, 3))))


def _interp(mk: Maker) -> Case:
    xp = np.linspace(-100.0, 100.0, 1_000)
    return Case((mk.vec(), xp, np.sin(xp / 10.0)))


def _where(mk: Maker) -> Case:
    x, y = mk.vec(), mk.vec()
    return Case((x > 0, x, y))


def _convolve(mk: Maker) -> Case:
    return Case((mk.vec(), mk.vec(64)))


def _cov(mk: Maker) -> Case:
    return Case((mk.arr((8, mk.n)),))


def _with_infinities(mk: Maker) -> Case:
    x = mk.vec()
    marks = mk.ctx.rng.random(x.size)
    x[marks < 0.01] = np.inf
    x[marks > 0.99] = -np.inf
    return Case((x,))


def _square_side(mk: Maker) -> int:
    return max(2, int(mk.n ** 0.5))


def _symmetric(mk: Maker) -> Case:
    a = mk.mat(_square_side(mk))
    return Case((a + a.T,))


def _spec(build, ladder=ELEMENTS, **kw) -> InputSpec:  # type: ignore[no-untyped-def]
    return InputSpec(build, ladder, **kw)


SPECS: dict[str, InputSpec] = {
    "trace": _spec(lambda mk: Case((mk.mat(_square_side(mk)),))),
    "diff": _spec(_one),
    "ediff1d": _spec(_one),
    "gradient": _spec(_one),
    "cumulative_trapezoid": _spec(_one),
    "trapezoid": _spec(_one),
    "clip": _spec(lambda mk: Case((mk.vec(), -50.0, 50.0))),
    "where": _spec(_where),
    "nan_to_num": _spec(_one),
    "around": _spec(lambda mk: Case((mk.vec(), 2))),
    "round": _spec(lambda mk: Case((mk.vec(), 2))),
    "fix": _spec(_one),
    "sinc": _spec(_one),
    "i0": _spec(_one),
    "unwrap": _spec(_one),
    "ptp": _spec(_one),
    "average": _spec(_one),
    "median": _spec(_one, SORT),
    "nanmedian": _spec(_one, SORT),
    "percentile": _spec(lambda mk: Case((mk.vec(), 90.0)), SORT),
    "nanpercentile": _spec(lambda mk: Case((mk.vec(), 90.0)), SORT),
    "quantile": _spec(lambda mk: Case((mk.vec(), 0.9)), SORT),
    "nanquantile": _spec(lambda mk: Case((mk.vec(), 0.9)), SORT),
    "cov": _spec(_cov, min_size=16),
    "corrcoef": _spec(_cov, min_size=16),
    "histogram": _spec(lambda mk: Case((mk.vec(),), {"bins": 64})),
    "histogram_bin_edges": _spec(lambda mk: Case((mk.vec(),), {"bins": 64})),
    "histogram2d": _spec(lambda mk: Case((mk.vec(), mk.vec()), {"bins": 32})),
    "histogramdd": _spec(lambda mk: Case((mk.arr((max(1, mk.n // 3), 3)),), {"bins": 16})),
    "bincount": _spec(lambda mk: Case((mk.ints(mk.n, 0, 1_000),))),
    "digitize": _spec(lambda mk: Case((mk.vec(), np.linspace(-100.0, 100.0, 64)))),
    "interp": _spec(_interp),
    "cross": _spec(_rows_of_three, min_size=3),
    "convolve": _spec(_convolve, min_size=64),
    "correlate": _spec(_convolve, min_size=64),
    "allclose": _spec(_equal_pair),
    "isclose": _spec(_pair),
    "array_equal": _spec(_equal_pair),
    "array_equiv": _spec(_equal_pair),
    "count_nonzero": _spec(_one),
    "nonzero": _spec(_one),
    "flatnonzero": _spec(_one),
    "argwhere": _spec(_one),
    "vander": _spec(lambda mk: Case((mk.vec(), 8))),
    "pad": _spec(lambda mk: Case((mk.vec(), 16), {"mode": "mean"})),
    "is_symmetric": _spec(_symmetric),
    "symmetrize": _spec(lambda mk: Case((mk.mat(_square_side(mk)),))),
    "isposinf": _spec(_with_infinities),
    "isneginf": _spec(_with_infinities),
    "packbits": _spec(lambda mk: Case((mk.vec() > 0.0,))),
    "unpackbits": _spec(lambda mk: Case((mk.ints(mk.n, 0, 256).astype(np.uint8),))),
    "linspace": _spec(lambda mk: Case((0.0, 1.0, mk.n)), distributions=("uniform",)),
    "logspace": _spec(lambda mk: Case((0.0, 1.0, mk.n)), distributions=("uniform",)),
    "geomspace": _spec(lambda mk: Case((1.0, 10.0, mk.n)), distributions=("uniform",)),
    # complex numbers
    "angle": _spec(lambda mk: Case((mk.cvec(),))),
    "real": _spec(lambda mk: Case((mk.cvec(),))),
    "imag": _spec(lambda mk: Case((mk.cvec(),))),
    "conj": _spec(lambda mk: Case((mk.cvec(),))),
    "iscomplex": _spec(lambda mk: Case((mk.cvec(),))),
    "isreal": _spec(lambda mk: Case((mk.cvec(),))),
    "real_if_close": _spec(lambda mk: Case(((mk.vec() + 1e-20j).astype(mk.complex_dtype),))),
    "sort_complex": _spec(lambda mk: Case((mk.cvec(),)), SORT),
}

#: Ops deliberately not measured, with the reason shown in the report.
UNMEASURABLE: dict[str, str] = {
    "testing.assert_approx_equal":
        "compares two scalars in Python; a per-FLOP weight of a one-FLOP call is not meaningful",
    "einsum_path":
        "a planning query charged a nominal 1 FLOP; a per-FLOP weight of path finding is not "
        "meaningful",
}

_PROBABILITY = (1e-3, 1.0 - 1e-3)

#: Shape parameters of SciPy distributions that have them (others take none).
STATS_SHAPES: dict[str, tuple[float, ...]] = {
    "lognorm": (0.5,), "truncnorm": (-1.0, 2.0), "gamma": (2.0,), "beta": (2.0, 3.0),
    "t": (5.0,), "chi2": (3.0,), "weibull_min": (1.5,), "pareto": (3.0,),
}


def _stats_domain(dist: str, method: str, shapes: tuple[float, ...]) -> tuple[float, float]:
    if method in ("ppf", "isf"):
        return _PROBABILITY
    if dist == "truncnorm":
        return shapes[0], shapes[1]
    if dist in ("lognorm", "gamma", "chi2", "weibull_min", "expon"):
        return 1e-3, 10.0
    if dist in ("beta", "uniform"):
        return 1e-3, 1.0 - 1e-3
    if dist == "pareto":
        return 1.0, 10.0
    return -5.0, 5.0


def stats_spec(name: str) -> InputSpec | None:
    """``stats.<dist>.<method>``: the method on ``n`` points of its support; shape parameters
    from :data:`STATS_SHAPES` (a distribution with shapes missing there gets no generator)."""
    import scipy.stats

    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "stats":
        return None
    dist, method = parts[1], parts[2]
    declared = getattr(getattr(scipy.stats, dist, None), "shapes", None)
    if declared and dist not in STATS_SHAPES:
        return None
    shapes = STATS_SHAPES.get(dist, ()) if declared else ()
    domain = _stats_domain(dist, method, shapes)
    return InputSpec(lambda mk: Case((mk.vec(domain=domain), *shapes)), ELEMENTS)


def testing_spec(name: str) -> InputSpec | None:
    """``testing.assert_*`` comparisons: two arrays that pass the assertion."""
    if not name.startswith("testing.assert_"):
        return None
    helper = name.split(".", 1)[1]

    def build(mk: Maker) -> Case:
        x = mk.vec()
        if helper == "assert_array_less":
            return Case((x, x + 1.0))
        if helper == "assert_array_compare":
            return Case((operator.eq, x, x.copy()))
        return _equal_pair_of(x)

    return InputSpec(build, ELEMENTS, preallocate=False)
