"""Generic inputs for reductions (``sum``, ``var``, ``cumprod``, ``nanmax``...).

A reduction is measured over a whole contiguous vector (``axis=None``), the
case its ``numel(input)`` cost describes most directly. Products use values
close to 1 so a million-element product neither overflows nor sinks into
subnormals (which would time the slow path); ``nan*`` reductions get 1% NaNs,
the data they exist for.
"""

from __future__ import annotations

import numpy as np

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import ELEMENTS

__all__ = ["reduction_spec"]

_NEAR_ONE = (0.999, 1.001)


def reduction_spec(name: str) -> InputSpec:
    """Spec benchmarking reduction ``name`` on an ``n``-element vector."""
    domain = _NEAR_ONE if "prod" in name else (-100.0, 100.0)
    with_nans = name.startswith("nan")

    def build(mk: Maker) -> Case:
        x = mk.vec(domain=domain)
        if with_nans:
            x[mk.ctx.rng.random(x.size) < 0.01] = np.nan
        return Case((x,))

    return InputSpec(build, ELEMENTS)
