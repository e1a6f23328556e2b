"""Window functions: ``bartlett``, ``blackman``, ``hamming``, ``hanning``, ``kaiser``.

Costs: the per-sample count of each window's closed form times its length
(:mod:`flopscope.cost.window`, which also fixes the cost of one Bessel I0
evaluation for ``kaiser``); shapes: :mod:`flopscope.exec.shapes.window`.
"""

from __future__ import annotations

from typing import Any, Callable

from flopscope.cost import window as cost
from flopscope.exec.shapes import window as shapes
from flopscope.registry._core import register_numpy

__all__ = ["register_all"]

#: (name, cost rule, shape rule, formula, notes)
_ENTRIES: list[tuple[str, Callable[..., int], Callable[..., Any], str, str]] = [
    ("bartlett", cost.bartlett_call_cost, shapes.window_shape, "2M + 1",
     "1 − c·|2n − (M − 1)|: an abs and an FMA per sample, c once."),
    ("hanning", cost.hanning_call_cost, shapes.window_shape, "3M + 1",
     "0.5 − 0.5·cos(c·n): a multiply, a cosine and an FMA per sample, c once."),
    ("hamming", cost.hamming_call_cost, shapes.window_shape, "3M + 1",
     "0.54 − 0.46·cos(c·n): a multiply, a cosine and an FMA per sample, c once."),
    ("blackman", cost.blackman_call_cost, shapes.window_shape, "6M + 1",
     "0.42 − 0.5·cos(c·n) + 0.08·cos(2c·n): two multiplies, two cosines, two FMAs per sample."),
    ("kaiser", cost.kaiser_call_cost, shapes.kaiser_shape,
     f"{5 + cost.I0_COST}M + {cost.I0_COST + 2}",
     f"I0(β·√(1 − (c·n − 1)²))/I0(β): 5 operations and one I0 ({cost.I0_COST}, Cephes' "
     "Chebyshev series by Clenshaw's recurrence) per sample, plus I0(β) once."),
]


def register_all() -> None:
    for name, cost_rule, shape_rule, formula, notes in _ENTRIES:
        register_numpy(name, cost_rule, shape_rule, f"{formula} (M > 1 samples; 0 otherwise)", notes)
