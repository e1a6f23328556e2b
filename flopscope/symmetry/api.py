"""Declaring, testing and imposing symmetry: ``as_symmetric``, ``is_symmetric``, ``symmetrize``.

``as_symmetric`` is free, like ``asarray``: it looks at the data only to
refuse a false claim (raising :class:`~flopscope.errors.SymmetryError`) and
returns the same data as a view. ``is_symmetric`` and ``symmetrize`` compute
something the caller receives, so they are counted operations (registry
entries ``is_symmetric`` and ``symmetrize``, see
:func:`is_symmetric_call_cost` and :func:`symmetrize_call_cost`).

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
from flopscope.symmetry.tensor import SymmetricTensor, attach, symmetry_of
from flopscope.symmetry.validate import check_cost, check_symmetry, first_violation, symmetrize_array

__all__ = [
    "as_symmetric",
    "is_symmetric",
    "symmetrize",
    "symmetrize_call_cost",
    "is_symmetric_call_cost",
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
        Tolerance of the check: exchanged elements may differ by
        ``atol + rtol * max|data|``; ``rtol`` defaults to sqrt(eps) of the
        dtype (exact for integers). See :mod:`flopscope.symmetry.validate`.

    Raises
    ------
    SymmetryError
        The data is not symmetric as claimed (the message names the axes, the
        worst pair of elements and their difference), or the claimed axes have
        different lengths.
    """
    if _is_abstract(data):
        groups = _resolve(data, symmetry, "as_symmetric")
        return attach(type(data)(data.shape, data.dtype, src=getattr(data, "_fs_src", None),
                                 bound=getattr(data, "bound", False),
                                 tags={**data.tags, "symmetry_declared": True}), groups)
    array = data if isinstance(data, np.ndarray) else np.asarray(data)
    if array.dtype.kind in _REFUSED_KINDS:
        raise UnsupportedDtypeError(f"as_symmetric does not accept arrays of dtype {array.dtype}")
    groups = _resolve(array, symmetry, "as_symmetric")
    plain = array.view(np.ndarray)
    check_symmetry(plain, groups, rtol, atol)
    result = array.view(SymmetricTensor)
    result._symmetry = groups
    result._fs_declared = True  # the user's claim: losing it later is worth a warning
    if isinstance(array, FArray):
        src = source_of(array)
        if src is not None:
            result._fs_src = src
    return result


def is_symmetric(x: Any, symmetry: Any = None, *, rtol: float | None = None, atol: float = 0.0) -> bool:
    """Whether the data of ``x`` has ``symmetry`` (default: its declared groups, else every axis).

    A counted operation (``is_symmetric``, see :func:`is_symmetric_call_cost`).
    Returns False without charging when the claimed axes cannot be symmetric
    at all (different lengths, fewer than two axes). Inside
    :func:`flopscope.plan` the answer is an abstract scalar: using it in an
    ``if`` raises :class:`~flopscope.errors.ConcretizationError`.
    """
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    try:
        groups = _resolve(x if hasattr(x, "shape") else np.asarray(x), symmetry, "is_symmetric")
    except ValueError:
        return False
    return _counted("is_symmetric")(x, groups, rtol=rtol, atol=atol)


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

    Floating data: 2 numel (max|x| for the tolerance) + 4 per exchanged pair
    (difference, absolute value, comparison, folding the verdict); exact
    dtypes: 2 per exchanged pair. An (n, n) float matrix: 2n^2 + 2n(n - 1).
    """
    return check_cost(tuple(x.shape), _resolve(x, symmetry, "is_symmetric"), x.dtype)


def is_symmetric_impl(x: Any, symmetry: Any = None, rtol: float | None = None,
                      atol: float = 0.0) -> bool:
    data = np.asarray(x)
    return all(first_violation(data, g, rtol, atol) is None
               for g in _resolve(x, symmetry, "is_symmetric"))


def is_symmetric_shape(x: Any, symmetry: Any = None, rtol: float | None = None,
                       atol: float = 0.0) -> ArraySpec:
    _resolve(x, symmetry, "is_symmetric")
    return ArraySpec((), np.dtype(bool))
