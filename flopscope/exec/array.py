"""``fnp.ndarray``: a NumPy array whose arithmetic is counted.

A thin subclass of :class:`numpy.ndarray`. It adds three slots the executors
set on every result: the ids of the graph nodes that produced it
(``_fs_src``), the plain array it views (``_fs_np``) and its interned shape and
dtype (``_fs_layout``, see :mod:`flopscope.exec.layout`). It routes
computation back through the registry:

* ``__array_ufunc__`` catches every ufunc applied to it (``np.exp(x)``,
  ``np.add.reduce(x)``...);
* ``__array_function__`` catches every NumPy API function (``np.sum(x)``,
  ``np.einsum(...)``, ``np.linalg.svd(x)``...);
* operators and computing methods (``x + y``, ``x @ w``, ``x.sum()``,
  ``x.dot(w)``) are installed by :func:`install_array_methods` from a table,
  so they take the same counted path as the ``fnp`` function of the same name.

Views made by NumPy itself (``x.T``, ``x[1:]``, ``x.reshape(...)``) keep the
subclass, and their ``.base`` chain leads back to the array holding
``_fs_src``, so data-flow edges survive them at no cost on the hot path.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flopscope.exec.layout import Layout, layout_of

__all__ = ["ndarray", "install_array_methods", "source_of", "view_source", "view_operand",
           "set_source", "settle", "UNSET"]

_np_ndarray = np.ndarray
#: ``_fs_src`` of an array NumPy made (a view such as ``x.T`` or ``x[1:]``, a copy):
#: no producer of its own; its data flow is that of the array it views (``x.base``).
UNSET = object()
_nd_shape = np.ndarray.shape
_nd_dtype = np.ndarray.dtype
_nd_strides = np.ndarray.strides


def _layout_setter(set_layout: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """A setter for a layout attribute that keeps ``_fs_np`` a view of the same elements."""

    def setter(self: Any, value: Any) -> None:
        set_layout(self, value)  # NumPy's setter: its errors and warnings unchanged
        if getattr(self, "_fs_src", UNSET) is not UNSET:
            self._fs_np = self._fs_layout = None

    return setter


class ndarray(np.ndarray):
    """A :class:`numpy.ndarray` whose arithmetic flopscope counts.

    Every ``fnp`` function returns one; plain NumPy arrays are accepted as
    inputs everywhere. It behaves exactly like a NumPy array, except that
    operators, computing methods and NumPy functions applied to it are
    charged to the active budget (or refused with a clear error).
    """

    __module__ = "flopscope.numpy"
    # _fs_src: node ids of the calls that produced this array. _fs_np: the plain
    # NumPy array this one views (what NumPy computed), so the executors hand
    # NumPy an operand without making a new view per call. _fs_layout: its
    # interned shape and dtype (flopscope.exec.layout). Slots, not an instance
    # dict: they are set on every result, on the hot path. Arrays NumPy makes
    # (x.T, x[1:]) have _fs_src UNSET (see __array_finalize__) and the other two
    # unset; an array whose _fs_src is not UNSET has the other two set as well,
    # to None where not yet worked out (see settle and set_source).
    __slots__ = ("_fs_src", "_fs_np", "_fs_layout")

    def __array_finalize__(self, obj: Any) -> None:
        # NumPy calls this for every array of this class it creates: the
        # executors' results (which then set all three slots) and the views and
        # copies NumPy makes itself (x.T, x[1:], copy.copy(x)), which keep
        # UNSET. So ``_fs_src`` is always set and the hot paths read it as a
        # plain attribute; reading an unset slot raises AttributeError inside
        # NumPy-made views' lookups, several times the cost of this call.
        self._fs_src = UNSET

    #: True on subclasses that carry declared symmetry (flopscope.symmetry); the
    #: executors then take their general path and consult the symmetry pass.
    _fs_symmetric = False

    # __array_ufunc__ and __array_function__ are installed by
    # flopscope.exec.routing.install_protocols (see there).

    def __repr__(self) -> str:
        return repr(self.view(_np_ndarray))

    # The attributes that change an array's layout in place. ``_fs_np`` and
    # ``_fs_layout`` must keep describing the array, so setting any of them
    # forgets both (settle works them out again). Reading them is NumPy's getter.
    shape = property(_nd_shape.__get__, _layout_setter(_nd_shape.__set__), doc=_nd_shape.__doc__)
    dtype = property(_nd_dtype.__get__, _layout_setter(_nd_dtype.__set__), doc=_nd_dtype.__doc__)
    strides = property(_nd_strides.__get__, _layout_setter(_nd_strides.__set__),
                       doc=_nd_strides.__doc__)


def source_of(x: ndarray) -> tuple[int, ...] | None:
    """Producer node ids of ``x``, looking through views NumPy made."""
    src = getattr(x, "_fs_src", UNSET)  # a subclass may skip __array_finalize__
    return view_source(x) if src is UNSET else src


def view_source(x: ndarray) -> tuple[int, ...] | None:
    """Producer node ids of ``x``, an array NumPy made (its ``_fs_src`` is UNSET).

    Those of the array it views: NumPy collapses chains of views, so
    ``x.base`` is the flopscope array the chain started from (or a plain
    array, or None for a copy: no producer).
    """
    base = x.base
    src = getattr(base, "_fs_src", None) if isinstance(base, ndarray) else None
    return None if src is UNSET else src


def view_operand(x: ndarray) -> tuple[tuple[int, ...] | None, np.ndarray, Layout]:
    """``(producer ids, plain view, layout)`` of an array NumPy made (``_fs_src`` UNSET).

    The executors' unwrapping of such an operand (``F.T``, ``B[:, o]``): the
    plain view is made of ``x`` itself, so it carries ``x``'s own flags. The
    producer lookup is :func:`view_source`'s, written inline: this runs once
    per view operand on the hot paths.
    """
    base = x.base
    src = getattr(base, "_fs_src", None) if isinstance(base, ndarray) else None
    plain = x.view(_np_ndarray)
    return None if src is UNSET else src, plain, layout_of(plain.shape, plain.dtype)


def set_source(x: Any, src: tuple[int, ...] | None) -> None:
    """Record that ``x`` now holds what the calls ``src`` produced (an ``out=`` target...).

    On a flopscope array it also resets ``_fs_np`` and ``_fs_layout``, which
    an array with ``_fs_src`` set must have (``x`` may be a NumPy-made view).
    """
    x._fs_src = src
    if isinstance(x, ndarray):
        x._fs_np = x._fs_layout = None


def settle(x: ndarray) -> Layout:
    """Work out ``x``'s plain view and layout where a general path left them None.

    Returns the layout; ``x._fs_np`` is set too. Called once per array: the
    answers stay on it.
    """
    plain = x._fs_np
    if plain is None:
        plain = x._fs_np = x.view(_np_ndarray)
    layout = x._fs_layout = layout_of(plain.shape, plain.dtype)
    return layout


def install_array_methods(
    cls: type, operators: dict[str, Callable[..., Any]], methods: dict[str, Callable[..., Any]]
) -> None:
    """Install operator dunders and computing methods on ``cls`` from tables.

    ``operators`` maps a dunder name (``"__add__"``) to a function of
    ``(self, other)``; ``methods`` maps a method name (``"sum"``) to a function
    whose first argument is the array.
    """
    for name, fn in {**operators, **methods}.items():
        setattr(cls, name, fn)
