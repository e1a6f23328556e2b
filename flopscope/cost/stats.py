"""Costs of ``flops.stats`` distribution functions.

Convention: a distribution function costs, per output element, the number of
counted elementwise operations of the shortest standard formula written with
``fnp`` primitives (FMA = 1, a special function such as ``exp`` or ``erfc``
counts 1). The output has the broadcast shape of ``x`` (or ``q``) and the
distribution's parameters. Derivations, with z = (x - loc) / scale:

normal distribution
    pdf: z (subtract, divide) = 2; z·z = 1; ×(-1/2) = 1; exp = 1;
    ×1/√(2π) = 1; ÷scale = 1  ->  **7** per element.
    cdf: z = 2; ×(-1/√2) = 1; erfc = 1; ×1/2 = 1  ->  **5**.
    ppf: ×2 = 1; erfcinv = 1; ×(-√2) = 1; ×scale, +loc = 2  ->  **5**.
"""

from __future__ import annotations

from typing import Any

from flopscope.cost._shapes import broadcast_shapes, numel, shape_of

__all__ = ["OPS_PER_ELEMENT", "distribution_cost", "stats_call_cost"]

#: (distribution, method) -> counted elementwise operations per output element.
OPS_PER_ELEMENT: dict[tuple[str, str], int] = {
    ("norm", "pdf"): 7,
    ("norm", "cdf"): 5,
    ("norm", "ppf"): 5,
}


def distribution_cost(dist: str, method: str, shape: tuple[int, ...]) -> int:
    """Cost of ``flops.stats.<dist>.<method>`` producing an output of ``shape``."""
    return OPS_PER_ELEMENT[(dist, method)] * numel(tuple(shape))


def stats_call_cost(dist: str, method: str):
    """Cost rule of ``flops.stats.<dist>.<method>(x, *params, **params)``."""
    per_element = OPS_PER_ELEMENT[(dist, method)]

    def rule(x: Any, *params: Any, **kw_params: Any) -> int:
        shapes = [shape_of(x), *(shape_of(p) for p in params), *(shape_of(p) for p in kw_params.values())]
        return per_element * numel(broadcast_shapes(*shapes))

    return rule
