"""Per-op input generators: which arguments each registry entry is benchmarked with.

:func:`spec_for` finds the :class:`~calibration.inputs.core.InputSpec` of an
entry, trying in order:

1. :data:`~calibration.inputs.misc.UNMEASURABLE` -- deliberately not measured,
   with a reason;
2. the named specs of the family modules (``contractions``, ``linalg``,
   ``fft``, ``sorting``, ``polynomial``, ``window``, ``misc``);
3. ``linalg.<name>`` delegates reuse the spec of top-level ``<name>``;
4. prefix handlers: ``random.*``, ``stats.*``, ``testing.assert_*``;
5. generic handlers by registry kind: every elementwise ufunc, every reduction.

An entry none of these covers has no generator: the suite reports it as
skipped by name ("no input generator"), never drops it silently. To measure a
new op, add a row to the family module that fits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from calibration.inputs import (
    contractions, fft, linalg, misc, polynomial, sorting, special, window,
)
from calibration.inputs.core import ARRAY_DISTRIBUTIONS, FIXED, Case, Context, InputSpec, Maker
from calibration.inputs.random import random_spec
from calibration.inputs.reductions import reduction_spec
from calibration.inputs.ufuncs import ufunc_spec

__all__ = [
    "NAMED_SPECS", "NO_GENERATOR", "Resolution", "spec_for",
    "ARRAY_DISTRIBUTIONS", "FIXED", "Case", "Context", "InputSpec", "Maker",
]

#: Reason recorded for an entry no generator covers.
NO_GENERATOR = "no input generator (add one under calibration/inputs/)"


def _merge(*tables: dict[str, InputSpec]) -> dict[str, InputSpec]:
    merged: dict[str, InputSpec] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise RuntimeError(f"input generators defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


#: Every named spec, by registry name.
NAMED_SPECS: dict[str, InputSpec] = _merge(
    contractions.SPECS, linalg.SPECS, fft.SPECS, sorting.SPECS, polynomial.SPECS,
    window.SPECS, misc.SPECS, special.SPECS,
)


@dataclass(frozen=True)
class Resolution:
    """The spec found for an entry, or ``None`` and the reason there is none."""

    spec: InputSpec | None
    source: str


def spec_for(op: Any, category: str, float_dtype: np.dtype) -> Resolution:
    """The input spec of registry entry ``op`` placed in suite ``category``."""
    name = op.name
    if name in misc.UNMEASURABLE:
        return Resolution(None, misc.UNMEASURABLE[name])
    if name in NAMED_SPECS:
        return Resolution(NAMED_SPECS[name], "named")
    if name.startswith("linalg.") and name[len("linalg."):] in NAMED_SPECS:
        return Resolution(NAMED_SPECS[name[len("linalg."):]], "top-level twin")
    for handler in (random_spec, misc.stats_spec, misc.testing_spec):
        spec = handler(name)
        if spec is not None:
            return Resolution(spec, handler.__name__)
    kind = op.category.value
    if kind in ("counted_unary", "counted_binary") and isinstance(op.impl, np.ufunc):
        spec = ufunc_spec(name, op.impl, float_dtype, category)
        if spec is None:
            return Resolution(None, "ufunc without a numeric loop for this dtype")
        return Resolution(spec, "generic ufunc")
    if kind == "counted_reduction":
        return Resolution(reduction_spec(name), "generic reduction")
    return Resolution(None, NO_GENERATOR)
