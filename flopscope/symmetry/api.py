"""Declaring, testing and imposing symmetry: ``as_symmetric``, ``is_symmetric``, ``symmetrize``.

``as_symmetric`` checks every element pair before it accepts a claim, and
that check is charged: it runs as the counted ``is_symmetric`` operation
(it shows in the log, and is refused before reading anything if the budget
cannot pay it). It returns the same data as a view, under a claim that any
later write voids (:mod:`flopscope.symmetry.claims`). ``is_symmetric`` and
``symmetrize`` are counted operations too (registry entries ``is_symmetric``
and ``symmetrize``, see :func:`is_symmetric_call_cost` and
:func:`symmetrize_call_cost`).

Inside :func:`flopscope.plan`, arrays are abstract: ``as_symmetric`` records
the claim on the abstract array (there is no data to check), ``symmetrize``
plans its cost and marks its result, and ``is_symmetric`` answers an
abstract scalar (branching on it raises
:class:`~flopscope.errors.ConcretizationError`, as for ``allclose``).
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from flopscope.errors import UnsupportedDtypeError
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import source_of
from flopscope.exec.dispatch import build_callable
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import lookup
from flopscope.symmetry.groups import Symmetry, SymmetryGroup, parse_symmetry
from flopscope.symmetry.claims import Claim, new_claim
from flopscope.symmetry.tensor import SymmetricTensor, attach, symmetry_of
from flopscope.symmetry.validate import (
    check_cost,
    check_symmetry,
    first_violation,
    symmetrize_array,
    validate_tolerances,
)

__all__ = [
    "as_symmetric",
    "is_symmetric",
    "symmetrize",
    "symmetrize_call_cost",
    "is_symmetric_call_cost",
    "checked_claim",
]

_REFUSED_KINDS = frozenset("OSUVT")


def _is_abstract(x: Any) -> bool:
    return type(getattr(x, "tags", None)) is dict and not isinstance(x, np.ndarray)


def _all_axes(shape: tuple[int, ...], what: str) -> Symmetry:
    """The default claim: every axis exchangeable with every other."""
    if len(shape) < 2 or len(set(shape)) != 1:
        raise ValueError(
            f"{what} without a symmetry argument means full symmetry in every axis, which needs "
            f"at least two axes of equal length; the array has shape {shape}. Pass the "
            "symmetric axes, e.g. symmetry=(0, 1)"
        )
    return (SymmetryGroup(*range(len(shape))),)


def _resolve(x: Any, symmetry: Any, what: str) -> Symmetry:
    shape = tuple(x.shape)
    if symmetry is None:
        return symmetry_of(x) or _all_axes(shape, what)
    return parse_symmetry(symmetry, shape)


def as_symmetric(data: Any, symmetry: Any = None, *, rtol: float | None = None,
                 atol: float = 0.0) -> SymmetricTensor:
    """Declare that ``data`` is symmetric; returns it as a :class:`SymmetricTensor` (no copy).

    Parameters
    ----------
    data:
        An array (NumPy, flopscope, or anything ``numpy.asarray`` accepts).
    symmetry:
        ``(0, 1)``; ``(0, 1, 2)``; ``((0, 1), (2, 3))`` for a block symmetry;
        a list of those for several groups; or :class:`SymmetryGroup` objects
        (see :mod:`flopscope.symmetry.groups`). ``None`` means every axis.
        Replaces any symmetry ``data`` already declares.
    rtol, atol:
        Tolerance of the check, per pair of exchanged elements ``a``, ``b``:
        ``|a - b| <= atol + rtol * max(|a|, |b|)``. ``rtol`` defaults to
        sqrt(eps) of the dtype, ``atol`` to 0; neither may exceed sqrt(eps)
        (``ValueError``). Exact dtypes are compared exactly. See
        :mod:`flopscope.symmetry.validate`.

    The check is charged to the active budget as an ``is_symmetric`` call
    (``numel + 6·pairs`` for floating data, ``2·pairs`` for exact dtypes)
    and refused with :class:`~flopscope.errors.BudgetExhaustedError`,
    before reading the data, if it does not fit.

    Raises
    ------
    SymmetryError
        The data is not symmetric as claimed (the message names the axes and
        the index of the first failing pair, not the values), or the claimed
        axes have different lengths.
    ValueError
        ``rtol`` or ``atol`` negative, NaN or above its bound.
    """
    if _is_abstract(data):
        groups = _resolve(data, symmetry, "as_symmetric")
        validate_tolerances(data.dtype, rtol, atol)
        _counted("is_symmetric")(data, groups, rtol=rtol, atol=atol)  # planned like the eager check
        return attach(type(data)(data.shape, data.dtype, src=getattr(data, "_fs_src", None),
                                 bound=getattr(data, "bound", False),
                                 tags={**data.tags, "symmetry_declared": True}), groups)
    array = data if isinstance(data, np.ndarray) else np.asarray(data)
    if array.dtype.kind in _REFUSED_KINDS:
        raise UnsupportedDtypeError(f"as_symmetric does not accept arrays of dtype {array.dtype}")
    groups = _resolve(array, symmetry, "as_symmetric")
    rtol, atol = validate_tolerances(array.dtype, rtol, atol)
    plain = array.view(np.ndarray)
    if not _counted("is_symmetric")(plain, groups, rtol=rtol, atol=atol):
        check_symmetry(plain, groups, rtol, atol)  # (already paid for) say where it fails
    result = array.view(SymmetricTensor)
    result._symmetry = groups
    result._claim = new_claim(result)
    result._fs_declared = True  # the user's claim: losing it later is worth a warning
    if isinstance(array, FArray):
        src = source_of(array)
        if src is not None:
            result._fs_src = src
    return result


def is_symmetric(x: Any, symmetry: Any = None, *, rtol: float | None = None, atol: float = 0.0) -> bool:
    """Whether the data of ``x`` has ``symmetry`` (default: its declared groups, else every axis).

    A counted operation (``is_symmetric``, see :func:`is_symmetric_call_cost`).
    Uses the same per-pair tolerance as :func:`as_symmetric` (and the same
    bounds on ``rtol`` and ``atol``). Returns False without charging when
    the claimed axes cannot be symmetric at all (different lengths, fewer than two axes). Inside
    :func:`flopscope.plan` the answer is an abstract scalar: using it in an
    ``if`` raises :class:`~flopscope.errors.ConcretizationError`.
    """
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    try:
        groups = _resolve(x if hasattr(x, "shape") else np.asarray(x), symmetry, "is_symmetric")
    except ValueError:
        return False
    validate_tolerances(x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype, rtol, atol)
    answer = _counted("is_symmetric")(x, groups, rtol=rtol, atol=atol)
    return bool(answer) if isinstance(answer, np.bool_) else answer  # (abstract in a plan)


def checked_claim(x: np.ndarray, symmetry: Symmetry) -> Claim | None:
    """A claim on ``x`` if its data passes the charged check for ``symmetry``, else None."""
    if symmetry and _counted("is_symmetric")(x.view(np.ndarray), symmetry):
        return new_claim(x)
    return None


def symmetrize(x: Any, symmetry: Any = None) -> SymmetricTensor:
    """The average of ``x`` over the permutations of ``symmetry``: the nearest symmetric array.

    ``symmetry`` defaults to ``x``'s declared groups, else every axis. A
    counted operation (``symmetrize``, numel(x) FLOPs, see
    :func:`symmetrize_call_cost`); the result is a :class:`SymmetricTensor`.
    Integer and boolean data average to float64.
    """
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    groups = _resolve(x, symmetry, "symmetrize")
    result = attach(_counted("symmetrize")(x, groups), groups)
    if isinstance(result, SymmetricTensor):
        result._fs_declared = True  # imposed by the user: losing it later is worth a warning
    elif type(getattr(result, "tags", None)) is dict:
        result.tags["symmetry_declared"] = True
    return result


def _counted(name: str) -> Any:
    """The counted callable of registry entry ``name`` (built once, then cached)."""
    return build_callable(lookup(name))


# -- the registry entries' rules (see flopscope.registry.einsum_path) -----------------------------
# The entries take the same arguments as the public functions; called directly (or through the
# counted callables, which pass plain arrays) ``symmetry=None`` means every axis.


def symmetrize_call_cost(x: Any, symmetry: Any = None) -> int:
    """numel(x): each element is scaled by 1/|orbit| and added into its orbit's mean, one FMA.

    The mean of an orbit of m elements is sum(x_e / m), m multiply-adds; the
    orbits partition the array, so the total is numel(x).
    """
    _resolve(x, symmetry, "symmetrize")
    return prod(tuple(x.shape))


def symmetrize_impl(x: Any, symmetry: Any = None) -> np.ndarray:
    return symmetrize_array(np.asarray(x), _resolve(x, symmetry, "symmetrize"))


def symmetrize_shape(x: Any, symmetry: Any = None) -> ArraySpec:
    _resolve(x, symmetry, "symmetrize")  # (the public symmetrize marks the result's symmetry)
    dtype = np.dtype(x.dtype) if np.dtype(x.dtype).kind in "fc" else np.dtype(np.float64)
    return ArraySpec(tuple(x.shape), dtype)


def is_symmetric_call_cost(x: Any, symmetry: Any = None, rtol: float | None = None,
                           atol: float = 0.0) -> int:
    """Checking costs what :func:`flopscope.symmetry.validate.check_cost` derives.

    Floating data: numel (|x| of each element) + 6 per exchanged pair
    (difference, its absolute value, max magnitude, ``atol + rtol*m``,
    comparison, fold); exact dtypes: 2 per exchanged pair. An (n, n) float
    matrix: n^2 + 3n(n - 1).
    """
    return check_cost(tuple(x.shape), _resolve(x, symmetry, "is_symmetric"), x.dtype)


def is_symmetric_impl(x: Any, symmetry: Any = None, rtol: float | None = None,
                      atol: float = 0.0) -> bool:
    data = np.asarray(x)
    # a NumPy bool scalar, so the call's record has the shape and dtype a plan gives it
    return np.bool_(all(first_violation(data, g, rtol, atol) is None
                        for g in _resolve(x, symmetry, "is_symmetric")))


def is_symmetric_shape(x: Any, symmetry: Any = None, rtol: float | None = None,
                       atol: float = 0.0) -> ArraySpec:
    _resolve(x, symmetry, "is_symmetric")
    return ArraySpec((), np.dtype(bool))
