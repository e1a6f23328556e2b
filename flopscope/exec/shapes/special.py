"""Shape rules of ``flops.special`` (SciPy's special functions).

Elementwise functions use the ufunc rule (broadcast shape, the ufunc's own
dtype resolution), with :mod:`scipy.special` imported on first use.
``logsumexp`` reduces over ``axis`` like a NumPy reduction; ``softmax`` and
``log_softmax`` keep their input's shape. Dtypes come from SciPy itself,
probed on one-element stand-ins.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from flopscope.cost._shapes import broadcast_shapes, reduced_shape, shape_of
from flopscope.exec.shapes import ArraySpec, probe_dtype, ufunc_rule

__all__ = ["special_ufunc_rule", "logsumexp_shape", "softmax_shape", "log_softmax_shape"]


def _special(name: str) -> Any:
    return getattr(importlib.import_module("scipy.special"), name)


def special_ufunc_rule(name: str) -> Callable[..., Any]:
    """Shape rule of the ufunc ``scipy.special.<name>``, resolved on first use."""
    rule: list[Callable[..., Any]] = []

    def special_rule(*args: Any, **kwargs: Any) -> Any:
        if not rule:
            rule.append(ufunc_rule(_special(name)))
        return rule[0](*args, **kwargs)

    special_rule.__name__ = f"{name}_shape"
    return special_rule


def logsumexp_shape(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
                    return_sign: bool = False) -> Any:
    """The reduced (broadcast with ``b``) shape; a second array for ``return_sign``."""
    shape = tuple(shape_of(a))
    if b is not None:
        shape = broadcast_shapes(shape, tuple(shape_of(b)))
    out = reduced_shape(shape, axis, bool(keepdims))
    dtype = probe_dtype(_special("logsumexp"), a, axis=None, b=b, return_sign=return_sign)
    if return_sign:
        return ArraySpec(out, dtype[0]), ArraySpec(out, dtype[1])
    return ArraySpec(out, dtype)


def softmax_shape(x: Any, axis: Any = None) -> ArraySpec:
    """The input's shape, in SciPy's floating result dtype."""
    shape = tuple(shape_of(x))
    reduced_shape(shape, axis, False)  # validates axis like SciPy (AxisError)
    return ArraySpec(shape, probe_dtype(_special("softmax"), x))


def log_softmax_shape(x: Any, axis: Any = None) -> ArraySpec:
    """The input's shape, in SciPy's floating result dtype."""
    shape = tuple(shape_of(x))
    reduced_shape(shape, axis, False)
    return ArraySpec(shape, probe_dtype(_special("log_softmax"), x))
