"""ndarray-style methods of abstract arrays, as adapters onto registry entries.

An eager ``fnp.ndarray`` gets ``x.reshape(2, 3)``, ``x.transpose()``,
``x.swapaxes(0, 1)``... from NumPy itself. An abstract array gets them here:
each method turns NumPy's *method* calling convention (``x.reshape(2, 3)``
as well as ``x.reshape((2, 3))``, ``x.transpose(1, 0)`` as well as
``x.transpose((1, 0))``) into a call of the registry callable of the
matching *function* (``fnp.reshape(x, (2, 3))``), so the dry executor applies
that entry's shape rule, exactly as an ``fnp.reshape`` call in the planned
code would. All of these are free (SPEC.md section 2): nothing is recorded,
and the result keeps the data-flow sources of ``x``.

Three members have no NumPy function to route to and are derived here:
``view`` (a reinterpretation of the bytes), ``real`` / ``imag`` and
``fill`` (which only cuts the array's data-flow sources).

Computing methods (``x.sum()``, ``x @ w``, ``x.astype()``, ``x.copy()``...)
are not here: :mod:`flopscope.numpy._array_methods` installs them on both
array types from one table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from flopscope.exec.abstract import AbstractArray

__all__ = ["AbstractArrayMethods", "registry_callable"]

_builtin_type = type  # ``view`` has a parameter named ``type``, as NumPy's does


def registry_callable(name: str, method: str) -> Callable[..., Any]:
    """The public callable of registry entry ``name``, for method ``method``.

    Raises ``NotImplementedError`` naming the entry if the registry has none.
    Found once per entry (methods such as ``x.T`` are called in every layer).
    """
    built = _CALLABLES.get(name)
    if built is not None:
        return built
    from flopscope.exec.dispatch import build_callable
    from flopscope.registry import REGISTRY, Category

    op = REGISTRY.get(name)
    if op is None or op.category is Category.BLOCKED:
        raise NotImplementedError(
            f"x.{method}() cannot be planned yet: flopscope has no registry entry "
            f"for numpy.{name}"
        )
    built = _CALLABLES[name] = build_callable(op)
    return built


#: Entry name -> its public callable, as found by :func:`registry_callable`.
_CALLABLES: dict[str, Callable[..., Any]] = {}


def _shape_args(args: tuple) -> Any:
    """``f(2, 3)`` and ``f((2, 3))`` as the same shape argument (NumPy's method convention)."""
    if len(args) == 1:
        only = args[0]
        if only is None or not isinstance(only, (int, np.integer)):
            return only
    return args


class AbstractArrayMethods:
    """Mixin of :class:`~flopscope.exec.abstract.AbstractArray`: ndarray methods."""

    __slots__ = ()

    # -- views and reshapes, routed to their registry entries ----------------------
    def reshape(self, *shape: Any, order: str = "C", copy: bool | None = None) -> Any:
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        if not shape:
            raise TypeError("reshape() missing required argument 'shape' (pos 1)")
        extra = {} if copy is None else {"copy": copy}
        return registry_callable("reshape", "reshape")(self, _shape_args(shape), order=order, **extra)

    def transpose(self, *axes: Any) -> Any:
        """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
        spec = _shape_args(axes) if axes else None
        return registry_callable("transpose", "transpose")(self, spec)

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        return registry_callable("swapaxes", "swapaxes")(self, axis1, axis2)

    def squeeze(self, axis: Any = None) -> Any:
        return registry_callable("squeeze", "squeeze")(self, axis=axis)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        return registry_callable("diagonal", "diagonal")(self, offset, axis1, axis2)

    def repeat(self, repeats: Any, axis: Any = None) -> Any:
        return registry_callable("repeat", "repeat")(self, repeats, axis=axis)

    def take(self, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
        extra = {} if out is None else {"out": out}
        return registry_callable("take", "take")(self, indices, axis=axis, mode=mode, **extra)

    @property
    def T(self) -> Any:
        return registry_callable("transpose", "T")(self)

    @property
    def mT(self) -> Any:
        return registry_callable("matrix_transpose", "mT")(self)

    # -- members without a NumPy function of their own ----------------------------------
    def view(self, dtype: Any = None, type: Any = None) -> Any:
        """A reinterpretation of the bytes: the last axis scales by the itemsize ratio.

        Abstract arrays are treated as C-contiguous (their strides are not
        tracked), so a view NumPy would refuse for a non-contiguous last axis
        is planned anyway.
        """
        if dtype is None or _is_array_type(dtype):  # x.view() / x.view(np.ndarray)
            return self._derived(self.shape, self.dtype)
        new = np.dtype(dtype)
        old = self.dtype
        shape = self.shape
        if new.itemsize != old.itemsize:
            if not shape:
                raise ValueError(
                    "Changing the dtype of a 0d array is only supported if the itemsize is unchanged"
                )
            total = shape[-1] * old.itemsize
            if total % new.itemsize:
                raise ValueError(
                    "When changing to a smaller dtype, its size must be a divisor of the size "
                    "of original dtype" if new.itemsize < old.itemsize else
                    "When changing to a larger dtype, its size must be a divisor of the total "
                    "size in bytes of the last axis of the array."
                )
            shape = (*shape[:-1], total // new.itemsize)
        return self._derived(shape, new)

    @property
    def real(self) -> Any:
        return self._derived(self.shape, _real_dtype(self.dtype))

    @property
    def imag(self) -> Any:
        return self._derived(self.shape, _real_dtype(self.dtype))

    def fill(self, value: Any) -> None:
        """Set every element to ``value``: the array no longer depends on its inputs."""
        if getattr(value, "ndim", 0):
            raise ValueError("fill() takes a scalar value")
        self._fs_src = getattr(value, "_fs_src", None)

    def _derived(self, shape: tuple[int, ...], dtype: np.dtype) -> AbstractArray:
        """A free view of ``self`` with another shape / dtype, same data-flow sources."""
        return type(self)(shape, dtype, src=self._fs_src, bound=self.bound)


def _is_array_type(obj: Any) -> bool:
    return isinstance(obj, _builtin_type) and issubclass(obj, np.ndarray)


def _real_dtype(dtype: np.dtype) -> np.dtype:
    """Dtype of ``.real`` / ``.imag``: the component type of complex dtypes, else itself."""
    return np.empty(0, dtype=dtype).real.dtype
