"""Argument checks of the public cost queries (``flops.accounting.<op>_cost``).

A cost query answers from dimensions, so a dimension must be a non-negative
integer (``int`` or a NumPy integer). The checks are driven by each query's
annotations, so a new ``*_cost`` function is checked as soon as it is
exported:

=========================================  ===========================================
annotation                                  accepted
=========================================  ===========================================
``int`` (``| None``)                        a non-negative integer (or ``None``)
``Sequence[int]``, ``tuple[int, ...]``,     a sequence of non-negative integers (a bare
``Shape``                                   integer too, where the query allows one)
``Sequence[Sequence[int]]``                 a sequence of such shapes
``bool``                                    ``True`` / ``False`` (NumPy bools too)
anything else (``str``, ``float``, ``Any``)  passed through to the query
=========================================  ===========================================

Errors: a negative, fractional (``2.5``), integral float (``3.0``) or boolean
dimension is a :class:`ValueError`; a value that is not a number at all
(``"3"``, ``None`` where no default allows it, an object) is a
:class:`TypeError`, as is a non-boolean flag. Parameters that are signed by
nature (``decimals``, ``ddof``, ``power``, axes) are only checked to be
integers.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from typing import Any, Callable

import numpy as np

__all__ = ["check_dimension", "validated"]

#: Integer parameters that may be negative (they are not sizes).
#: (``degree`` is -1 for an empty polynomial; the polynomial queries check it themselves.)
_SIGNED = frozenset({"decimals", "ddof", "power", "axis", "axes", "coordinate_axes", "degree"})
_DIM = {"int", "int | None"}
_DIMS = {"Sequence[int]", "tuple[int, ...]", "Shape", "Sequence[int] | None",
         "tuple[int, ...] | None"}
_SHAPES = {"Sequence[Sequence[int]]"}
_FLAG = {"bool"}


def check_dimension(value: Any, what: str, *, signed: bool = False) -> int:
    """``value`` as an ``int`` if it is a valid dimension; ``ValueError`` / ``TypeError`` otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{what} must be an integer dimension, got the bool {value!r}")
    if isinstance(value, (int, np.integer)):
        if value < 0 and not signed:
            raise ValueError(f"{what} must be a non-negative integer, got {value}")
        return int(value)
    if isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be an integer dimension, got the non-integer {value!r}")
    raise TypeError(f"{what} must be an integer dimension, got {type(value).__name__} {value!r}")


def _check_dims(value: Any, what: str, signed: bool) -> None:
    if isinstance(value, (int, np.integer, bool, np.bool_, numbers.Real)) and not isinstance(value, str):
        check_dimension(value, what, signed=signed)
        return
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a sequence of integer dimensions, got {type(value).__name__} {value!r}")
    for i, dim in enumerate(value):
        check_dimension(dim, f"{what}[{i}]", signed=signed)


def _check_shapes(value: Any, what: str) -> None:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a sequence of shapes, got {type(value).__name__} {value!r}")
    for i, shape in enumerate(value):
        _check_dims(shape, f"{what}[{i}]", False)


def _checker(annotation: str, name: str, default: Any) -> Callable[[Any, str], None] | None:
    signed = name in _SIGNED
    if annotation in _DIM:
        def dim(value: Any, what: str) -> None:
            if value is None and ("None" in annotation or default is None):
                return
            check_dimension(value, what, signed=signed)
        return dim
    if annotation in _DIMS:
        def dims(value: Any, what: str) -> None:
            if value is None and ("None" in annotation or default is None):
                return
            _check_dims(value, what, signed)
        return dims
    if annotation in _SHAPES:
        return lambda value, what: _check_shapes(value, what)
    if annotation in _FLAG:
        def flag(value: Any, what: str) -> None:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{what} must be True or False, got {value!r}")
        return flag
    return None


def validated(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its arguments checked by annotation before it runs (see the module doc)."""
    signature = inspect.signature(fn)
    checks: dict[str, Callable[[Any, str], None]] = {}
    for name, param in signature.parameters.items():
        annotation = param.annotation if isinstance(param.annotation, str) else getattr(
            param.annotation, "__name__", "")
        check = _checker(annotation, name, param.default)
        if check is not None:
            checks[name] = check
    if fn.__name__ == "pointwise_cost":  # shapes= is annotated Any: a list of input shapes
        checks["shapes"] = lambda v, what: v is None or _check_shapes(v, what)
    query = fn.__name__

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{query}(): {exc}") from None
        for name, value in bound.arguments.items():
            check = checks.get(name)
            if check is not None:
                check(value, f"{query}(): {name}")
        return fn(*args, **kwargs)

    return checked
