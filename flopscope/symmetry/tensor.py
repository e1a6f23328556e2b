"""``SymmetricTensor``: an ``fnp.ndarray`` that carries validated symmetry groups.

A SymmetricTensor is an ordinary flopscope array (every operator, method and
NumPy function works and is counted) with one extra attribute,
:attr:`SymmetricTensor.symmetry`. Its class flag ``_fs_symmetric`` sends its
calls to the executors' general path, where the symmetry pass
(:mod:`flopscope.symmetry.hook`) charges costs from unique elements and gives
results the symmetry the propagation rules say they keep.

Views keep its symmetry only where the propagation rules say so:
``x.T``, ``x.mT``, ``x.transpose``, ``x.swapaxes``, ``x.reshape``,
``x.squeeze``, ``x[index]``, ``x.view()``, ``x.copy()`` and ``x.astype()``
apply the rules; any other view NumPy makes (``x.diagonal()``, stride
tricks) carries no symmetry.

**Writes void the claim.** The symmetry rests on a
:class:`~flopscope.symmetry.claims.Claim` shared by every view of the same
memory. Any write into that memory voids it (``x[i, j] = v``, a write
through ``x.T`` or a slice, ``out=``, in-place operators, ``np.copyto`` and
friends, and, through the claim's fingerprint, raw NumPy writes flopscope
cannot see), after which :attr:`SymmetricTensor.symmetry` is ``()`` and the
array is costed as a plain one. The exception is an ``out=`` call whose whole
result is symmetric by construction (``fnp.exp(S, out=S)``): the written
array carries the result's symmetry under a fresh claim.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import UNSET, set_source, source_of
from flopscope.symmetry import propagation as rules
from flopscope.symmetry.counting import unique_elements
from flopscope.symmetry.groups import Symmetry, describe
from flopscope.symmetry.claims import new_claim, void_overlapping

__all__ = ["SymmetricTensor", "symmetry_of", "attach", "set_symmetry", "void"]

_np_ndarray = np.ndarray


class SymmetricTensor(FArray):
    """A flopscope array whose data is symmetric under some permutations of its axes.

    Create one with :func:`flopscope.as_symmetric` (which checks the data) or
    get one from operations that produce symmetric results
    (``fnp.einsum('ij,ik->jk', X, X)``, :func:`flopscope.symmetrize`).

    Attributes
    ----------
    symmetry:
        The declared groups, a tuple of
        :class:`~flopscope.symmetry.SymmetryGroup` on disjoint axes.
    unique_elements:
        Number of distinct elements the symmetry leaves.
    """

    __module__ = "flopscope.symmetry"
    __slots__ = ("_symmetry", "_claim", "_fs_declared")
    _fs_symmetric = True

    def __array_finalize__(self, obj: Any) -> None:
        # NumPy calls this before it has finished shaping a new view (a transpose
        # is created with its parent's geometry, then permuted), so nothing here can
        # tell what the view is: symmetry is never inherited by default. The view
        # methods below, which know what they did, apply the propagation rules.
        # A view (it has a base) shares its parent's claim: the same memory; a
        # copy starts without one.
        self._symmetry = ()
        self._claim = getattr(obj, "_claim", None) if self.base is not None else None
        # Views and copies of a declared tensor stay declared (see propagation.warn_lost).
        self._fs_declared = getattr(obj, "_fs_declared", False)
        # Its producer: that of the array it was made from (UNSET: look at its base).
        src = getattr(obj, "_fs_src", None)
        if src is None or src is UNSET:
            self._fs_src = UNSET
        else:
            set_source(self, src)

    # -- metadata ---------------------------------------------------------------------------
    @property
    def symmetry(self) -> Symmetry:
        """The declared symmetry groups (a tuple of ``SymmetryGroup``); ``()`` once a write voided them."""
        symmetry = self._symmetry
        if symmetry:
            claim = self._claim
            if claim is None or not claim.holds():
                self._symmetry = symmetry = ()
        return symmetry

    @property
    def unique_elements(self) -> int:
        """Number of distinct elements: ``n(n+1)/2`` for an (n, n) symmetric matrix."""
        return unique_elements(self.shape, self.symmetry)

    def __repr__(self) -> str:
        text = repr(self.view(_np_ndarray))
        body = text[len("array("):-1].replace("\n", "\n" + " " * (len("SymmetricTensor(") - len("array(")))
        return f"SymmetricTensor({body}, symmetry={describe(self.symmetry)})"

    def __str__(self) -> str:
        # NumPy's printing slices the array (summaries of large arrays); print the data as is.
        return str(self.view(_np_ndarray))

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return _np_ndarray.shape.__get__(self)

    @shape.setter
    def shape(self, value: Any) -> None:
        old = _np_ndarray.shape.__get__(self)
        symmetry = self.symmetry
        _np_ndarray.shape.__set__(self, value)
        new = _np_ndarray.shape.__get__(self)
        self._symmetry, lost = rules.reshape_rule(old, new, symmetry)
        rules.warn_lost("setting .shape", lost, "the array", self)

    # -- views that follow the propagation rules ------------------------------------------------
    def __getitem__(self, index: Any) -> Any:
        result = _np_ndarray.__getitem__(self, index)
        if not isinstance(result, SymmetricTensor):
            return result
        symmetry, lost = rules.index_rule(self.shape, self.symmetry, index)
        rules.warn_lost("indexing", lost, "the array", self)
        return attach(result, symmetry)

    def __setitem__(self, index: Any, value: Any) -> None:
        _np_ndarray.__setitem__(self, index, value)
        void_overlapping(self)  # every view of this memory loses its claim

    def transpose(self, *axes: Any) -> Any:  # type: ignore[override]
        result = _np_ndarray.transpose(self, *axes)
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0] or ()
        perm = [int(a) % self.ndim for a in axes] if axes else list(range(self.ndim))[::-1]
        return attach(result, rules.transpose_rule(self.symmetry, perm))

    @property
    def T(self) -> Any:  # type: ignore[override]
        return self.transpose()

    @property
    def mT(self) -> Any:  # type: ignore[override]
        return self.swapaxes(-1, -2)

    def swapaxes(self, axis1: int, axis2: int) -> Any:  # type: ignore[override]
        result = _np_ndarray.swapaxes(self, axis1, axis2)
        perm = list(range(self.ndim))
        a, b = axis1 % self.ndim, axis2 % self.ndim
        perm[a], perm[b] = b, a
        return attach(result, rules.transpose_rule(self.symmetry, perm))

    def reshape(self, *shape: Any, order: str = "C", **kwargs: Any) -> Any:  # type: ignore[override]
        result = _np_ndarray.reshape(self, *shape, order=order, **kwargs)
        symmetry, lost = rules.reshape_rule(self.shape, result.shape, self.symmetry,
                                            _memory_order(self, order))
        rules.warn_lost("reshape", lost, "the array", self)
        return attach(result, symmetry)

    def squeeze(self, axis: Any = None) -> Any:  # type: ignore[override]
        result = _np_ndarray.squeeze(self, axis)
        symmetry, lost = rules.reshape_rule(self.shape, result.shape, self.symmetry)
        rules.warn_lost("squeeze", lost, "the array", self)
        return attach(result, symmetry)

    def view(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        result = _np_ndarray.view(self, *args, **kwargs)
        if (isinstance(result, SymmetricTensor) and result.shape == self.shape
                and result.dtype.itemsize == self.dtype.itemsize):
            result._symmetry = self.symmetry  # the same elements, bit for bit
        return result

    def flatten(self, order: str = "C") -> Any:  # type: ignore[override]
        return _flattened(self, FArray.flatten(self, order), order, "flatten")

    def ravel(self, order: str = "C") -> Any:  # type: ignore[override]
        return _flattened(self, FArray.ravel(self, order), order, "ravel")

    def copy(self, order: str = "K") -> Any:  # type: ignore[override]
        return attach(FArray.copy(self, order), self.symmetry)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return attach(FArray.astype(self, dtype, *args, **kwargs), self.symmetry)

    def __copy__(self) -> Any:
        return attach(_np_ndarray.__copy__(self), self.symmetry)

    def __deepcopy__(self, memo: dict) -> Any:
        return attach(_np_ndarray.__deepcopy__(self, memo), self.symmetry)

    # -- pickling: the groups travel with the data ------------------------------------------
    def __reduce__(self) -> tuple:
        constructor, args, state = _np_ndarray.__reduce__(self)
        return constructor, args, (state, self.symmetry, self._fs_declared)

    def __setstate__(self, state: Any) -> None:
        # Unpickled bytes were never checked here (a pickle can be written by hand),
        # so the groups are kept only if the data passes the charged check again.
        array_state, symmetry, *declared = state
        _np_ndarray.__setstate__(self, array_state)
        self._symmetry = ()
        self._claim = None
        self._fs_declared = bool(declared and declared[0])
        if symmetry:
            from flopscope.symmetry.api import checked_claim

            claim = checked_claim(self, symmetry)
            if claim is not None:
                self._symmetry, self._claim = symmetry, claim


def _memory_order(x: np.ndarray, order: str) -> str:
    if order == "A":
        return "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    return order


def _flattened(x: SymmetricTensor, result: Any, order: str, name: str) -> Any:
    _, lost = rules.reshape_rule(x.shape, (x.size,), x.symmetry, _memory_order(x, order))
    rules.warn_lost(name, lost, "the array", x)
    return result


# -- helpers shared by the pass, the API and the views ------------------------------------------


def symmetry_of(x: Any) -> Symmetry:
    """Declared symmetry of an argument: a SymmetricTensor's groups, an abstract
    array's ``tags["symmetry"]``, or ``()`` for anything else."""
    if isinstance(x, SymmetricTensor):
        return x.symmetry
    tags = getattr(x, "tags", None)
    if type(tags) is dict:
        return tags.get("symmetry", ())
    return ()


def attach(result: Any, symmetry: Symmetry) -> Any:
    """``result`` carrying ``symmetry``: a SymmetricTensor view, or a plain array if none.

    Works on flopscope arrays (a new view; the producer ids carry over), on
    abstract arrays of a plan (``tags["symmetry"]``), and elementwise on
    tuples and lists of results. Anything else is returned unchanged.
    """
    if isinstance(result, SymmetricTensor):
        if symmetry:
            result._symmetry = symmetry
            if result._claim is None:  # new memory (a copy, a computed result): claim it
                result._claim = new_claim(result)
            return result
        plain = result.view(FArray)
        src = source_of(result)
        if src is not None:
            set_source(plain, src)
        return plain
    if isinstance(result, _np_ndarray):
        if not symmetry or result.ndim == 0:
            return result
        view = result.view(SymmetricTensor)
        view._symmetry = symmetry
        view._claim = new_claim(view)
        return view
    tags = getattr(result, "tags", None)
    if type(tags) is dict:
        rest = {k: v for k, v in tags.items() if k != "symmetry"}
        result.tags = {**rest, "symmetry": symmetry} if symmetry else rest
        return result
    if type(result) in (tuple, list):
        return type(result)(attach(r, symmetry) for r in result)
    return result


def set_symmetry(x: Any, symmetry: Symmetry, op_name: str) -> bool:
    """Give the existing array ``x`` (an ``out=`` argument) the symmetry of what was written.

    A SymmetricTensor that loses groups this way warns (and True is
    returned); plain arrays cannot gain symmetry in place and are left as
    they are.
    """
    if isinstance(x, SymmetricTensor):
        # The executor has voided x's old claim (note_write); what was written is
        # symmetric by construction, so the whole of x gets a fresh claim.
        lost = [(g, "the values written into it are not symmetric in those axes")
                for g in x._symmetry
                if not all(rules.contains(symmetry, p) for p in g.generators(x.ndim))]
        x._symmetry = symmetry
        x._claim = new_claim(x) if symmetry else None
        rules.warn_lost(op_name, lost, "its out= array", x)
        return bool(lost)
    if type(getattr(x, "tags", None)) is dict:
        attach(x, symmetry)
    return False


def void(x: Any) -> None:
    """After an in-place rewrite of ``x`` (``x.sort()``): every view of its memory loses its claim."""
    void_overlapping(x)
