"""Abstract arrays: shape and dtype without data, for planning.

Inside :func:`flopscope.plan`, arrays are :class:`AbstractArray` objects. They
support what code does with arrays (operators, methods, ``.shape``, ``.T``,
static indexing, ``len()``, iteration over the first axis, ``fnp.*`` and
``np.*`` functions) by routing every operation through the same registry as
eager arrays, where the dry executor evaluates the op's shape rule instead of
running it. Asking for data (``bool(x)``, ``float(x)``, ``x.item()``,
``np.asarray(x)``) raises :class:`~flopscope.errors.ConcretizationError`.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from flopscope.errors import ConcretizationError
from flopscope.trace.callsite import user_frame

__all__ = ["AbstractArray"]


class AbstractArray:
    """An array known only by its shape and dtype.

    Attributes
    ----------
    shape, dtype, ndim, size:
        As for a NumPy array.
    bound:
        True if a dimension is a data-dependent size planned at its upper bound.
    """

    __slots__ = ("shape", "dtype", "bound", "tags", "_fs_src")
    __array_priority__ = 1000.0

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: Any = np.float64,
        src: tuple[int, ...] | None = None,
        bound: bool = False,
        tags: dict[str, Any] | None = None,
    ) -> None:
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self._fs_src = src
        self.bound = bound
        self.tags = tags or {}

    # -- metadata --------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        size = 1
        for d in self.shape:
            size *= d
        return size

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def T(self) -> AbstractArray:
        from flopscope import numpy as fnp

        return fnp.transpose(self)

    @property
    def mT(self) -> AbstractArray:
        from flopscope import numpy as fnp

        return fnp.matrix_transpose(self)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[AbstractArray]:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def __repr__(self) -> str:
        bound = ", bound=True" if self.bound else ""
        return f"AbstractArray(shape={self.shape}, dtype={self.dtype}{bound})"

    # -- NumPy protocols ----------------------------------------------------------
    # __array_ufunc__ and __array_function__ are installed by
    # flopscope.exec.routing.install_protocols.

    def __getitem__(self, index: Any) -> Any:
        from flopscope.exec.indexing import getitem

        return getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        from flopscope.exec.indexing import setitem

        setitem(self, index, value)

    # -- concretization: every way of asking for data is an error ------------------
    def _concretize(self, what: str) -> ConcretizationError:
        import sys

        code, line = user_frame(sys._getframe(2))
        where = f" at {code.co_filename}:{line}" if code is not None else ""
        return ConcretizationError(
            f"{what} needs the data of an abstract array {self.shape} {self.dtype}{where}, "
            "but flops.plan computes nothing. Pass a concrete array for that argument of "
            "the planned function, or restructure the code so the decision does not "
            "depend on array values."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._concretize("converting to a NumPy array (np.asarray)")

    def __bool__(self) -> bool:
        raise self._concretize("bool() (an if/while test or `and`/`or`)")

    def __float__(self) -> float:
        raise self._concretize("float()")

    def __int__(self) -> int:
        raise self._concretize("int()")

    def __complex__(self) -> complex:
        raise self._concretize("complex()")

    def __index__(self) -> int:
        raise self._concretize("using an array as an index")

    def item(self, *args: Any) -> Any:
        raise self._concretize("item()")

    def tolist(self) -> Any:
        raise self._concretize("tolist()")

    def __hash__(self) -> int:
        return id(self)
