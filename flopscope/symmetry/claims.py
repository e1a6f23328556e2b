"""Symmetry claims, keyed by memory: what makes a discount stay honest after writes.

A :class:`Claim` records that the elements of one array (its region of memory) were found
(or computed to be) symmetric. Every :class:`~flopscope.symmetry.SymmetricTensor`
view of that memory (``S.T``, ``S[:, :]``, ``S.view()``) shares the one
claim object, so voiding it voids the symmetry of all of them at once.

Two mechanisms keep a claim true:

* **Writes flopscope sees** (``__setitem__`` on a SymmetricTensor, ``out=``
  of any counted call, in-place operators, the NumPy write functions routed
  through flopscope: ``copyto``, ``put``, ``place``, ``putmask``,
  ``put_along_axis``) reach :func:`void_overlapping` through
  :func:`flopscope.exec.writes.note_write`. It voids every live claim whose
  region may share memory with the written array, whichever view was used.
* **Writes flopscope cannot see** (raw NumPy on an alias: the plain array
  passed to ``as_symmetric``, ``np.asarray(S)``, ``S.flat``, ``S.fill``,
  ``S.base``) are caught by a fingerprint: a claim stores the SHA-256 of its
  region's bytes when made, and :meth:`Claim.holds` recomputes it each time a
  discount is about to be given (``symmetry_of``). Any change to the bytes
  voids the claim. Hashing is bookkeeping, not arithmetic on the user's
  values, so it is not charged (its time is measured in docs/symmetry.md).

A voided claim never comes back: symmetry is re-established only by a new,
charged check (``flops.as_symmetric``) or by an operation whose result is
symmetric by construction.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import weakref
from typing import Any

import numpy as np

__all__ = ["Claim", "new_claim", "void_overlapping", "owner_of", "one_call"]

_np_ndarray = np.ndarray

#: Live claims by the id of the object that owns their memory (see owner_of).
_LIVE: dict[int, weakref.WeakSet] = {}

#: Per thread: the number of the call being costed, and whether one is (see one_call).
_STATE = threading.local()
_COUNTER = itertools.count(1)


class one_call:
    """``with one_call():`` while the symmetry pass costs one call, verify each claim once.

    Inside, a claim whose fingerprint was already checked during the same
    call is trusted (no user code runs in between); outside, every
    :meth:`Claim.holds` recomputes the fingerprint.
    """

    __slots__ = ()

    def __enter__(self) -> None:
        _STATE.call = next(_COUNTER)

    def __exit__(self, *exc: Any) -> None:
        _STATE.call = 0


def owner_of(x: Any) -> Any:
    """The object at the end of ``x``'s ``.base`` chain: what owns its memory."""
    while True:
        base = getattr(x, "base", None)
        if base is None:
            return x
        x = base


def _digest(root: np.ndarray) -> bytes:
    if root.flags.c_contiguous:
        buf = root
    elif root.flags.f_contiguous:
        buf = root.T
    else:
        buf = np.ascontiguousarray(root)
    return hashlib.sha256(buf.reshape(-1).view(np.uint8)).digest()


class _Region:
    """The claimed elements as NumPy sees them, referencing the memory's owner but not the tensor.

    A claim must not hold the :class:`SymmetricTensor` it belongs to through an
    ndarray's ``.base``: NumPy arrays are invisible to Python's cycle collector,
    so tensor -> claim -> ndarray -> tensor would never be freed. This object
    (plain slots, which the collector does see) keeps the owner alive and
    describes the elements through ``__array_interface__``.
    """

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, x: np.ndarray) -> None:
        self.owner = owner_of(x)
        self.__array_interface__ = {
            "version": 3,
            "shape": x.shape,
            "strides": x.strides,
            "typestr": x.dtype.str,
            "data": (x.__array_interface__["data"][0], True),
        }

    def array(self) -> np.ndarray:
        return np.asarray(self)


class Claim:
    """That the claimed elements (``region``) are symmetric as declared; void once they may have changed."""

    __slots__ = ("region", "digest", "valid", "verified", "__weakref__")

    def __init__(self, x: np.ndarray) -> None:
        self.region = _Region(x)
        self.digest = _digest(self.region.array())
        self.valid = True
        self.verified = -1

    def holds(self) -> bool:
        """True while no write has (or may have) touched the claimed data."""
        call = getattr(_STATE, "call", 0)
        if self.valid and not (call and self.verified == call):
            if _digest(self.region.array()) != self.digest:
                self.valid = False
            self.verified = call
        return self.valid

    def void(self) -> None:
        self.valid = False


def new_claim(x: np.ndarray) -> Claim:
    """A claim on the current data of ``x`` (registered so writes can find it)."""
    claim = Claim(x)
    key = id(claim.region.owner)
    live = _LIVE.get(key)
    if live is None:
        if len(_LIVE) >= _PURGE_AT[0]:
            _purge()
        live = _LIVE[key] = weakref.WeakSet()
    live.add(claim)
    return claim


#: Purge dead entries when the registry reaches this size (doubled after each purge).
_PURGE_AT = [1024]


def _purge() -> None:
    """Drop the entries of owners none of whose claims is alive any more (amortized O(1))."""
    for key in [k for k, live in list(_LIVE.items()) if not live]:
        _LIVE.pop(key, None)
    _PURGE_AT[0] = max(1024, 2 * len(_LIVE))


def void_overlapping(target: Any) -> None:
    """Void every live claim whose data may share memory with ``target`` (the write listener)."""
    if not _LIVE or not isinstance(target, _np_ndarray):
        return
    key = id(owner_of(target))
    live = _LIVE.get(key)
    if live is None:
        return
    if not live:
        _LIVE.pop(key, None)
        return
    for claim in list(live):
        if claim.valid and np.may_share_memory(target, claim.region.array()):
            claim.valid = False
