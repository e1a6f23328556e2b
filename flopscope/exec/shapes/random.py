"""Shape rules of random sampling: what a draw returns, without drawing.

Each rule takes the sampling call's arguments as NumPy does and returns the
:class:`~flopscope.exec.shapes.ArraySpec` of the result (``None`` for the
in-place ``shuffle``). Shapes come from the same :data:`~flopscope.cost.random.SAMPLERS`
rows the cost rules use, so a planned draw and an eager draw always agree.
Dtypes: a ``dtype=`` argument when the function takes one (``integers``,
``randint``, ``random``, ``standard_normal``...), else the row's default
(float64, or int64 for counts and integers); ``choice`` and ``permutation``
keep the dtype of the population they draw from.
"""

from __future__ import annotations

import copy
import operator
from typing import Any, Callable, Mapping

import numpy as np

from flopscope.cost._shapes import normalize_axis, shape_of
from flopscope.cost.random import (
    LEGACY_SAMPLERS,
    SAMPLERS,
    Parameters,
    Sampler,
    choice_population,
    draw_shape,
    size_shape,
)
from flopscope.exec.shapes import ArraySpec, spec_of

__all__ = ["sampling_shape_rule", "no_result", "spawn_shape"]

_FLOAT = np.dtype(np.float64)
_INT = np.dtype(np.int64)


def _draw_spec(sampler: Sampler, call: Mapping[str, Any]) -> ArraySpec:
    shape = draw_shape(sampler, call)
    if call.get("out") is not None:
        return ArraySpec(shape, np.dtype(call["out"].dtype))
    dtype = call["dtype"] if "dtype" in call else sampler.dtype
    return ArraySpec(shape, np.dtype(dtype))


def _dims_spec(call: Mapping[str, Any], legacy: bool) -> ArraySpec:
    return ArraySpec(tuple(operator.index(d) for d in call["args"]), _FLOAT)


def _permutation_spec(call: Mapping[str, Any], legacy: bool) -> ArraySpec:
    x = call["x"]
    if isinstance(x, (int, np.integer)):
        return ArraySpec((max(int(x), 0),), _INT)
    spec = spec_of(x)
    if legacy and not spec.shape:
        raise IndexError("x must be an integer or at least 1-dimensional")
    normalize_axis(call.get("axis", 0), len(spec.shape))
    return spec


def _shuffle_spec(call: Mapping[str, Any], legacy: bool) -> None:
    return None  # shuffles in place and returns None


def _permuted_spec(call: Mapping[str, Any], legacy: bool) -> ArraySpec:
    out = call.get("out")
    return spec_of(call["x"] if out is None else out)


def _choice_spec(call: Mapping[str, Any], legacy: bool) -> ArraySpec:
    a, size, axis = call["a"], call.get("size"), call.get("axis", 0)
    choice_population(a, axis, legacy=legacy)  # validates a as NumPy does
    picked = () if size is None else size_shape(size)
    shape = shape_of(a)
    if not shape:  # an integer population: indices
        return ArraySpec(picked, _INT)
    dtype = spec_of(a).dtype
    if legacy:
        return ArraySpec(picked, dtype)
    ax = normalize_axis(axis, len(shape))
    return ArraySpec(shape[:ax] + picked + shape[ax + 1:], dtype)


def _bytes_spec(call: Mapping[str, Any], legacy: bool) -> ArraySpec:
    # A Python bytes object of `length` bytes; NumPy's counterpart is a bytes_ scalar.
    return ArraySpec((), np.dtype(f"S{max(operator.index(call['length']), 0)}"))


_SPECIAL_SPECS: dict[str, Callable[[Mapping[str, Any], bool], Any]] = {
    "rand": _dims_spec,
    "randn": _dims_spec,
    "permutation": _permutation_spec,
    "shuffle": _shuffle_spec,
    "permuted": _permuted_spec,
    "choice": _choice_spec,
    "bytes": _bytes_spec,
}


def sampling_shape_rule(name: str, parameters: Parameters, *, legacy: bool) -> Callable[..., Any]:
    """The shape rule of sampling function ``name`` (``legacy``: RandomState semantics)."""
    bind = parameters.bind
    special = _SPECIAL_SPECS.get(name)
    if special is not None:
        def rule(*args: Any, **kwargs: Any) -> Any:
            return special(bind(args, kwargs), legacy)
    else:
        sampler = (LEGACY_SAMPLERS if legacy else SAMPLERS)[name]

        def rule(*args: Any, **kwargs: Any) -> Any:
            return _draw_spec(sampler, bind(args, kwargs))

    rule.__name__ = f"{name}_shape"
    return rule


# -- state management: nothing is drawn, so a plan reads state but never changes it --------


def no_result(*args: Any, **kwargs: Any) -> None:
    """Shape rule of ``seed`` / ``set_state`` / ``set_bit_generator``: None, and no effect."""
    return None


def spawn_shape(owner: Any, n_children: int) -> list:
    """Shape rule of ``Generator.spawn``: the children a real call would return.

    They are spawned from a copy of the bit generator, so planning leaves the
    original's spawn counter (and hence later real children) unchanged.
    """
    bit_generator = copy.deepcopy(owner.bit_generator)
    return [type(owner)(child) for child in bit_generator.spawn(n_children)]
