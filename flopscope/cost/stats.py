"""Costs of ``flops.stats``: ``pdf``, ``cdf`` and ``ppf`` of eight distributions.

**Convention.** A distribution function costs, per output element, the
number of elementwise operations of a short standard formula for it, written
as a straight-line program of ``fnp`` primitives:

* ``+ − × ÷``, negation, comparisons, ``&``, ``where``, ``abs``, ``sign``,
  ``minimum`` / ``maximum``: 1 each; a product that is added (``a·b + c``) is
  one fused multiply-add, 1 (FMA = 1);
* the special functions ``exp``, ``log``, ``erfc``, ``erfcinv``, ``tan``,
  ``arctan``: 1 each;
* constants (π, √2, ½, 1/√(2π)...) are folded for free, but the parameters
  (``loc``, ``scale``, ``s``, ``a``, ``b``) broadcast with ``x`` like any
  array, so work on them is counted per element;
* a piecewise definition pays for its case selection (a comparison and a
  ``where`` per boundary); ``ppf`` is evaluated on its domain 0 ≤ q ≤ 1, as
  its formula is (out-of-domain ``q`` gives NaN through the special function).

The output has the broadcast shape of ``x`` (or ``q``) and the parameters;
cost = ops per element × numel(output). Values come from :mod:`scipy.stats`,
whatever algorithm it uses; the count is of the formula below.

**Derivations** (z = (x − loc)/scale: a subtraction and a division, 2;
Φ(t) = ½·erfc(−t/√2), Φ⁻¹(p) = −√2·erfcinv(2p)):

========= ====== ===================================================================== =====
dist      method formula, as counted                                                   ops
========= ====== ===================================================================== =====
norm      pdf    exp(−½·z·z) / (√(2π)·scale): z 2, z·z 1, ×(−½) 1, exp 1, √(2π)·scale  7
                 1, ÷ 1
norm      cdf    ½·erfc(−z/√2): z 2, ×(−1/√2) 1, erfc 1, ×½ 1                           5
norm      ppf    loc + scale·(−√2·erfcinv(2q)): 2q 1, erfcinv 1, ×(−√2) 1, FMA 1        4
expon     pdf    where(x ≥ loc, exp(−z)/scale, 0): −z = (loc − x)/scale 2, exp 1, ÷scale 6
                 1, ≥ 1, where 1
expon     cdf    1 − exp(min(−z, 0)): −z 2, min 1, exp 1, 1 − e 1 (z < 0 gives 0)      5
expon     ppf    loc − scale·log(1 − q): 1 − q 1, log 1, FMA 1                          3
uniform   pdf    where(0 ≤ d ≤ scale, 1/scale, 0), d = x − loc: d 1, ≥ 1, ≤ 1, & 1,     6
                 1/scale 1, where 1
uniform   cdf    min(max(z, 0), 1): z 2, max 1, min 1                                  4
uniform   ppf    loc + scale·q: FMA 1                                                  1
laplace   pdf    exp(−|z|) / (2·scale): z 2, abs 1, neg 1, exp 1, 2·scale 1, ÷ 1        7
laplace   cdf    where(z < 0, t, 1 − t), t = ½·exp(−|z|): z 2, abs 1, neg 1, exp 1,     9
                 ×½ 1, 1 − t 1, < 1, where 1
laplace   ppf    loc − scale·sign(u)·log(1 − 2|u|), u = q − ½: u 1, abs 1, FMA 1, log 1, 7
                 sign 1, × 1, FMA 1
logistic  pdf    e / (scale·(1 + e)²), e = exp(−z): −z 2, exp 1, 1 + e 1, square 1,    7
                 ×scale 1, ÷ 1
logistic  cdf    1 / (1 + exp(−z)): −z 2, exp 1, 1 + e 1, 1/ 1                          5
logistic  ppf    loc + scale·log(q / (1 − q)): 1 − q 1, ÷ 1, log 1, FMA 1               4
cauchy    pdf    scale / (π·(d² + scale²)), d = x − loc: d 1, scale² 1, FMA d·d + 1,    5
                 ×π 1, ÷ 1
cauchy    cdf    ½ + arctan(z)/π: z 2, arctan 1, FMA 1                                 4
cauchy    ppf    loc + scale·tan(π·q − π/2): FMA 1, tan 1, FMA 1                        3
lognorm   pdf    where(d > 0, exp(−½w²) / (√(2π)·s·d), 0), d = x − loc,                 12
                 w = log(d/scale)/s: d 1, ÷scale 1, log 1, ÷s 1, w·w 1, ×(−½) 1,
                 exp 1, s·d 1, ×√(2π) 1, ÷ 1, > 1, where 1
lognorm   cdf    ½·erfc(−log(max(y, 0))/(s√2)), y = z (log 0 = −inf gives 0): z 2,      8
                 max 1, log 1, ÷s 1, ×(−1/√2) 1, erfc 1, ×½ 1
lognorm   ppf    loc + scale·exp(s·Φ⁻¹(q)): 2q 1, erfcinv 1, ×(−√2) 1, ×s 1, exp 1,     6
                 FMA 1
truncnorm pdf    where(a ≤ z ≤ b, exp(−½z²) / (√(π/2)·scale·Z'), 0) with               17
                 Z' = erfc(−b/√2) − erfc(−a/√2) = 2(Φ(b) − Φ(a)): z 2, z·z 1, ×(−½) 1,
                 exp 1, Z' 5 (2 scalings, 2 erfc, −), ×scale 1, ×√(π/2) 1, ÷ 1,
                 ≥ 1, ≤ 1, & 1, where 1
truncnorm cdf    (erfc(−c/√2) − erfc(−a/√2)) / Z', c = min(max(z, a), b): z 2, clip 2,  13
                 ×(−1/√2) 1, erfc 1, Z' 5 (shares erfc(−a/√2)), − 1, ÷ 1
truncnorm ppf    loc + scale·(−√2·erfcinv(erfc(−a/√2) + q·Z')): Z' 5, FMA 1,            9
                 erfcinv 1, ×(−√2) 1, FMA 1
========= ====== ===================================================================== =====

The normalization of ``truncnorm`` by Φ(b) − Φ(a) is the Z' term (5 per
element: ``a`` and ``b`` broadcast like ``x``); its factor ½ cancels against
the ½ of Φ, or folds into the constant √(π/2) = √(2π)/2.
"""

from __future__ import annotations

from typing import Any, Callable

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of

__all__ = ["OPS_PER_ELEMENT", "SHAPE_PARAMETERS", "stats_cost", "stats_arguments"]

#: (distribution, method) -> counted elementwise operations per output element.
OPS_PER_ELEMENT: dict[tuple[str, str], int] = {
    ("norm", "pdf"): 7, ("norm", "cdf"): 5, ("norm", "ppf"): 4,
    ("expon", "pdf"): 6, ("expon", "cdf"): 5, ("expon", "ppf"): 3,
    ("uniform", "pdf"): 6, ("uniform", "cdf"): 4, ("uniform", "ppf"): 1,
    ("laplace", "pdf"): 7, ("laplace", "cdf"): 9, ("laplace", "ppf"): 7,
    ("logistic", "pdf"): 7, ("logistic", "cdf"): 5, ("logistic", "ppf"): 4,
    ("cauchy", "pdf"): 5, ("cauchy", "cdf"): 4, ("cauchy", "ppf"): 3,
    ("lognorm", "pdf"): 12, ("lognorm", "cdf"): 8, ("lognorm", "ppf"): 6,
    ("truncnorm", "pdf"): 17, ("truncnorm", "cdf"): 13, ("truncnorm", "ppf"): 9,
}

#: Shape parameters of each distribution, in SciPy's positional order (before loc, scale).
SHAPE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "norm": (), "expon": (), "uniform": (), "laplace": (), "logistic": (), "cauchy": (),
    "lognorm": ("s",), "truncnorm": ("a", "b"),
}


def stats_cost(dist: str, method: str, shape: tuple[int, ...]) -> int:
    """FLOPs of ``flops.stats.<dist>.<method>`` with an output of ``shape``.

    >>> stats_cost("norm", "pdf", (1000,))
    7000
    >>> stats_cost("truncnorm", "cdf", (10, 10))
    1300
    """
    try:
        per_element = OPS_PER_ELEMENT[(dist, method)]
    except KeyError:
        raise ValueError(
            f"flops.stats has no {dist}.{method}; counted: "
            + ", ".join(f"{d}.{m}" for d, m in OPS_PER_ELEMENT)
        ) from None
    return per_element * numel(tuple(shape))


def stats_arguments(dist: str, method: str, args: tuple, kwargs: dict) -> list[Any]:
    """The array arguments of a call ``<dist>.<method>(x, *shape_params, loc, scale)``.

    Binds as SciPy does (every argument may be positional) and raises
    ``TypeError`` for missing, repeated or unknown arguments.
    """
    first = "q" if method == "ppf" else "x"
    names = (first, *SHAPE_PARAMETERS[dist], "loc", "scale")
    required = names[:-2]
    if len(args) > len(names):
        raise TypeError(f"{dist}.{method}() takes at most {len(names)} arguments "
                        f"({len(args)} given)")
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{dist}.{method}() got an unexpected keyword argument {key!r}")
        if key in values:
            raise TypeError(f"{dist}.{method}() got multiple values for argument {key!r}")
        values[key] = value
    missing = [name for name in required if name not in values]
    if missing:
        raise TypeError(f"{dist}.{method}() missing required argument {missing[0]!r}")
    return list(values.values())


def stats_call_cost(dist: str, method: str) -> Callable[..., int]:
    """The cost rule of ``flops.stats.<dist>.<method>``, taking SciPy's arguments."""
    per_element = OPS_PER_ELEMENT[(dist, method)]

    def rule(*args: Any, **kwargs: Any) -> int:
        values = stats_arguments(dist, method, args, kwargs)
        return per_element * numel(broadcast_shapes(*(shape_of(v) for v in values)))

    rule.__name__ = f"{dist}_{method}_call_cost"
    return rule
