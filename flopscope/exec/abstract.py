"""Abstract arrays: shape and dtype without data, for planning.

Inside :func:`flopscope.plan`, arrays are :class:`AbstractArray` objects. They
support what code does with arrays (operators, methods, ``.shape``, ``.T``,
static indexing, ``len()``, iteration over the first axis, ``fnp.*`` and
``np.*`` functions) by routing every operation through the same registry as
eager arrays, where the dry executor evaluates the op's shape rule instead of
running it. The ndarray-style methods live in
:mod:`flopscope.exec.abstract_methods`; operators and computing methods
(``+``, ``@``, ``.sum()``...) are installed from the same table as on
``fnp.ndarray`` (:mod:`flopscope.numpy._array_methods`).

Not every value an eager run handles is a flopscope array: a 0-d result of a
counted call is a NumPy scalar (``np.float64``), and NumPy's own methods on
scalars return plain ``numpy.ndarray`` objects. Arithmetic among such values
(and Python numbers) is NumPy's and is not counted; as soon as a flopscope
array takes part, it is. :class:`AbstractPlain` stands for those values and
follows the same rule, so a plan costs exactly what the eager run charges.

Asking for data (``bool(x)``, ``float(x)``, ``x.item()``, ``np.asarray(x)``,
an abstract value used as a Python index) raises
:class:`~flopscope.errors.ConcretizationError`, naming the operation, the
user's file and line, and where the value came from.
"""

from __future__ import annotations

import sys
from typing import Any, Iterator

import numpy as np

from flopscope.errors import ConcretizationError
from flopscope.exec.abstract_methods import AbstractArrayMethods
from flopscope.exec.shapes import ArraySpec
from flopscope.trace.record import CallSite
from flopscope.trace.callsite import user_frame

__all__ = ["AbstractArray", "AbstractPlain", "abstract_result", "counts", "new_abstract"]

#: What each way of asking for data is, and what to do instead.
_HINTS = {
    "branch": "use fnp.where / fnp.maximum / fnp.minimum instead of an `if` on array values, "
              "or pass a concrete array for that argument of the planned function",
    "scalar": "keep the value as an array (0-d arrays work everywhere an array does), "
              "or pass a concrete array for that argument of the planned function",
    "index": "index with arrays (x[idx] plans fine) rather than Python ints taken from "
             "array values, or pass a concrete array for that argument",
    "convert": "use flopscope.numpy functions on the array instead of converting it, "
               "or pass a concrete array for that argument of the planned function",
}


class AbstractArray(AbstractArrayMethods):
    """An array known only by its shape and dtype.

    Attributes
    ----------
    shape, dtype, ndim, size, itemsize, nbytes:
        As for a NumPy array. Assigning ``x.shape = ...`` reshapes in place,
        as NumPy does.
    bound:
        True if the shape may be an upper bound: a data-dependent size
        (``nonzero``, ``unique``, a boolean mask) or a result derived from one.
    tags:
        Annotations carried from the shape rule (symmetry...).
    """

    __slots__ = ("_shape", "dtype", "bound", "tags", "_fs_src")
    __array_priority__ = 1000.0

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: Any = np.float64,
        src: tuple[int, ...] | None = None,
        bound: bool = False,
        tags: dict[str, Any] | None = None,
    ) -> None:
        self._shape = tuple(map(int, shape))
        self.dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
        self._fs_src = src
        self.bound = bound
        self.tags = tags or {}

    # -- metadata --------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @shape.setter
    def shape(self, value: Any) -> None:
        # NumPy's in-place reshape: same rules as x.reshape(value).
        self._shape = self.reshape(value).shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self) -> int:
        size = 1
        for d in self._shape:
            size *= d
        return size

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes the array *would* occupy; nothing is allocated."""
        return self.size * self.dtype.itemsize

    @property
    def base(self) -> None:
        return None

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def __iter__(self) -> Iterator[AbstractArray]:
        if not self._shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._shape[0]):
            yield self[i]

    def __repr__(self) -> str:
        bound = ", bound=True" if self.bound else ""
        return f"AbstractArray(shape={self._shape}, dtype={self.dtype}{bound})"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

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
    def _concretize(self, what: str, hint: str) -> ConcretizationError:
        """The error for ``what`` (an operation needing this array's values)."""
        code, lasti = user_frame(sys._getframe(1))
        site = CallSite.from_code(code, lasti)
        lines = [
            f"{what} needs the values of an abstract array, but flops.plan computes no values",
            f"  at {site}" if site is not None else "  (call site unknown)",
            f"  the array: shape {self._shape}, {self.dtype}{_origin(self)}",
            f"hint: {_HINTS[hint]}.",
        ]
        return ConcretizationError("\n".join(lines))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._concretize("converting to a NumPy array (np.asarray / np.array)", "convert")

    def __bool__(self) -> bool:
        raise self._concretize("bool() (an `if`/`while` test, `and`, `or`, `not`)", "branch")

    def __float__(self) -> float:
        raise self._concretize("float()", "scalar")

    def __int__(self) -> int:
        raise self._concretize("int()", "scalar")

    def __complex__(self) -> complex:
        raise self._concretize("complex()", "scalar")

    def __index__(self) -> int:
        raise self._concretize(
            "using an array value as a Python index (range(), a slice bound, list[x])", "index"
        )

    def __contains__(self, value: Any) -> bool:
        raise self._concretize("an `in` test", "branch")

    def __format__(self, spec: str) -> str:
        if not spec:
            return repr(self)
        raise self._concretize(f"formatting with {{:{spec}}}", "scalar")

    def item(self, *args: Any) -> Any:
        raise self._concretize("item()", "scalar")

    def tolist(self) -> Any:
        raise self._concretize("tolist()", "convert")

    def tobytes(self, order: str = "C") -> bytes:
        raise self._concretize("tobytes()", "convert")


_object_new = object.__new__


def new_abstract(cls: type[AbstractArray], shape: tuple[int, ...], dtype: np.dtype,
                 src: tuple[int, ...] | None, bound: bool) -> AbstractArray:
    """An abstract array of class ``cls`` from checked parts, without converting them.

    ``shape`` must already be a tuple of Python ints and ``dtype`` a
    ``numpy.dtype`` (the dry executor normalizes them once per cached call
    signature); ``AbstractArray(...)`` converts both on every construction,
    which costs more than the rest of a planned call's bookkeeping.
    """
    x = _object_new(cls)
    x._shape = shape
    x.dtype = dtype
    x._fs_src = src
    x.bound = bound
    x.tags = {}
    return x


def _origin(x: AbstractArray) -> str:
    """", produced by <op> at <site>" for an array the active plan produced, else ""."""
    from flopscope.exec.state import PLANNING

    planner = PLANNING.get()
    if planner is None or not x._fs_src:
        return ""
    described = [planner.describe_node(node) for node in x._fs_src]
    described = [d for d in described if d]
    return ", produced by " + " and ".join(described) if described else ""


# -- values NumPy owns: scalars and plain arrays -------------------------------------------------

#: Operator stem -> the ufunc NumPy applies for it.
_PLAIN_ARITHMETIC = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "matmul": np.matmul,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "lshift": np.left_shift, "rshift": np.right_shift,
}
_PLAIN_COMPARISONS = {
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "eq": np.equal, "ne": np.not_equal,
}
_PLAIN_UNARY = {"neg": np.negative, "pos": np.positive, "abs": np.absolute, "invert": np.invert}
#: ndarray / scalar methods -> registry entry whose shape rule gives their result.
_PLAIN_METHODS = {
    **{name: name for name in (
        "sum", "mean", "var", "std", "max", "min", "prod", "all", "any", "argmax", "argmin",
        "cumsum", "cumprod", "clip", "round", "nonzero", "argsort", "searchsorted", "trace",
        "choose", "compress", "dot", "reshape", "transpose", "swapaxes", "squeeze", "diagonal",
        "repeat", "take",
    )},
    "conj": "conjugate", "conjugate": "conjugate", "copy": "ndarray.copy",
    "astype": "ndarray.astype", "flatten": "ndarray.flatten", "ravel": "ndarray.ravel",
}


def counts(x: Any) -> bool:
    """Whether operand ``x`` makes an operation counted: it is (or holds) a flopscope array."""
    from flopscope.exec.array import ndarray as FArray

    if isinstance(x, AbstractArray):
        return not isinstance(x, AbstractPlain)
    if isinstance(x, FArray):
        return True
    if isinstance(x, (list, tuple)):
        return any(counts(item) for item in x)
    if isinstance(x, dict):
        return any(counts(item) for item in x.values())
    return False


def _sources_of(values: Any) -> tuple[int, ...] | None:
    found: list[int] = []
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        else:
            src = getattr(v, "_fs_src", None)
            if src:
                found.extend(src)
    return tuple(dict.fromkeys(found)) or None


def _any_bound(values: Any) -> bool:
    return any(getattr(v, "bound", False) is True for v in values)


def abstract_result(spec: Any, src: tuple[int, ...] | None, bound: bool, scalar: bool,
                    plain: bool = False) -> Any:
    """Abstract values for a shape rule's result (specs, possibly nested).

    ``scalar``: 0-d results are NumPy scalars (:class:`AbstractPlain`), as
    NumPy returns them; else 0-d arrays. ``plain``: every result is NumPy's
    own (computed by NumPy on NumPy values, uncounted). ``bound``: an input
    was an upper bound, so every non-0-d result may be one too.
    """
    if isinstance(spec, ArraySpec):
        cls = AbstractPlain if plain or (scalar and not spec.shape) else AbstractArray
        return cls(spec.shape, spec.dtype, src=src, bound=spec.bound or (bound and bool(spec.shape)),
                   tags=dict(spec.tags))
    if isinstance(spec, tuple) and hasattr(spec, "_fields"):
        return type(spec)(*(abstract_result(s, src, bound, scalar, plain) for s in spec))
    if isinstance(spec, (tuple, list)):
        return type(spec)(abstract_result(s, src, bound, scalar, plain) for s in spec)
    return spec


def _numpy_owned(rule: Any, args: tuple, kwargs: dict) -> Any:
    """What NumPy computes on its own values: the rule's result as plain values, unrecorded."""
    values = (*args, *kwargs.values())
    return abstract_result(rule(*args, **kwargs), _sources_of(values), _any_bound(values),
                           scalar=True, plain=True)


def _ufunc_rule(ufunc: np.ufunc) -> Any:
    from flopscope.exec.shapes import ufunc_rule

    return _matmul_rule if ufunc is np.matmul else ufunc_rule(ufunc)


def _matmul_rule(x1: Any, x2: Any, /, **kwargs: Any) -> Any:
    """``matmul``'s shape rule, refusing 0-d operands with NumPy's error."""
    from flopscope.exec.shapes.contractions import matmul_shape

    for i, x in enumerate((x1, x2)):
        ndim = len(x.shape) if hasattr(x, "shape") else np.ndim(x)
        if ndim == 0:
            raise ValueError(
                f"matmul: Input operand {i} does not have enough dimensions (has 0, gufunc core "
                "with signature (n?,k),(k,m?)->(n?,m?) requires 1)"
            )
    return matmul_shape(x1, x2, **kwargs)


def _registry_op(func: Any) -> Any:
    """The registry entry behind NumPy function ``func``, or None."""
    from flopscope.exec.routing import FUNCTIONS

    return getattr(FUNCTIONS.get(func), "__flopscope_op__", None)


def _method_op(name: str) -> Any:
    from flopscope.registry import REGISTRY

    return REGISTRY.get(_PLAIN_METHODS[name])


class AbstractPlain(AbstractArray):
    """A value NumPy owns, known only by shape and dtype: a NumPy scalar or a plain ndarray.

    Eagerly, a counted call's 0-d result is a NumPy scalar (``np.float64``),
    and NumPy's methods on scalars (``s.reshape(1)``) return plain
    ``numpy.ndarray`` objects. Operators, NumPy functions and methods applied
    to such values and Python numbers are NumPy's own and uncounted; as soon
    as a flopscope array takes part, the operation is counted. Abstract plain
    values follow the same rule. ``fnp`` functions called on them are
    counted, as eagerly.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.shape:
            return f"AbstractPlain(scalar, dtype={self.dtype})"
        return f"AbstractPlain(shape={self.shape}, dtype={self.dtype})"

    __str__ = __repr__
    __hash__ = AbstractArray.__hash__

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if counts(inputs) or counts(kwargs):
            return AbstractArray.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)
        if method == "__call__":
            return _numpy_owned(_ufunc_rule(ufunc), inputs, kwargs)
        from flopscope.exec.shapes.ufunc_methods import rule_for

        return _numpy_owned(rule_for(ufunc, method), inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        op = _registry_op(func)
        if op is not None and op.shape is not None and not counts(args) and not counts(kwargs):
            return _numpy_owned(op.shape, args, kwargs)
        return AbstractArray.__array_function__(self, func, types, args, kwargs)

    @property
    def T(self) -> Any:
        return self.transpose()

    @property
    def mT(self) -> Any:
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return self.swapaxes(-1, -2)


def _plain_binary(stem: str, ufunc: np.ufunc, arithmetic: bool) -> None:
    """Install ``__<stem>__`` (and for arithmetic ``__r<stem>__``, ``__i<stem>__``).

    With a flopscope array on the other side the operation is counted, in
    NumPy's operand order: ``s - x`` is ``subtract(s, x)``, while a comparison
    ``s < x`` defers to the array's reflected one, ``greater(x, s)``, as
    NumPy values do.
    """
    forward_name, reflected_name = f"__{stem}__", f"__r{stem}__"

    scalar_refuses = stem == "matmul"  # NumPy scalars have no ``@``

    def forward(self: AbstractPlain, other: Any) -> Any:
        if scalar_refuses and not self.shape and not getattr(other, "shape", ()):
            return NotImplemented  # scalar @ scalar: a TypeError, as in NumPy
        if counts(other):
            if not arithmetic:
                return NotImplemented  # Python then asks the array: x.__gt__(s) for s < x
            return getattr(AbstractArray, forward_name)(self, other)
        if getattr(type(other), "__array_ufunc__", False) is None:
            return NotImplemented
        return _numpy_owned(_ufunc_rule(ufunc), (self, other), {})

    def reflected(self: AbstractPlain, other: Any) -> Any:
        if scalar_refuses and not self.shape:
            return NotImplemented
        if counts(other):
            return getattr(AbstractArray, reflected_name)(self, other)
        if getattr(type(other), "__array_ufunc__", False) is None:
            return NotImplemented
        return _numpy_owned(_ufunc_rule(ufunc), (other, self), {})

    def in_place(self: AbstractPlain, other: Any) -> Any:
        if counts(other) or not self.shape:  # a scalar rebinds: s += y is s = s + y
            return forward(self, other)
        result = _numpy_owned(_ufunc_rule(ufunc), (self, other), {"out": (self,)})
        self._fs_src = result._fs_src
        return self

    setattr(AbstractPlain, forward_name, forward)
    if arithmetic:
        setattr(AbstractPlain, reflected_name, reflected)
        setattr(AbstractPlain, f"__i{stem}__", in_place)


def _plain_unary(stem: str, ufunc: np.ufunc) -> None:
    def operator(self: AbstractPlain) -> Any:
        return _numpy_owned(_ufunc_rule(ufunc), (self,), {})

    setattr(AbstractPlain, f"__{stem}__", operator)


def _plain_method(name: str) -> None:
    def method(self: AbstractPlain, *args: Any, **kwargs: Any) -> Any:
        op = _method_op(name)
        if op is None or op.shape is None or counts(args) or counts(kwargs):
            return getattr(AbstractArray, name)(self, *args, **kwargs)
        if name in ("reshape", "transpose") and len(args) > 1:
            args = (args,)  # x.reshape(2, 3) is np.reshape(x, (2, 3))
        return _numpy_owned(op.shape, (self, *args), kwargs)

    method.__name__ = name
    setattr(AbstractPlain, name, method)


for _stem, _ufunc in _PLAIN_ARITHMETIC.items():
    _plain_binary(_stem, _ufunc, arithmetic=True)
for _stem, _ufunc in _PLAIN_COMPARISONS.items():
    _plain_binary(_stem, _ufunc, arithmetic=False)
for _stem, _ufunc in _PLAIN_UNARY.items():
    _plain_unary(_stem, _ufunc)
for _name in _PLAIN_METHODS:
    _plain_method(_name)


def _plain_divmod(self: AbstractPlain, other: Any) -> Any:
    if counts(other):
        return AbstractArray.__divmod__(self, other)
    return _numpy_owned(_ufunc_rule(np.divmod), (self, other), {})


def _plain_rdivmod(self: AbstractPlain, other: Any) -> Any:
    if counts(other):
        return AbstractArray.__rdivmod__(self, other)
    return _numpy_owned(_ufunc_rule(np.divmod), (other, self), {})


AbstractPlain.__divmod__ = _plain_divmod  # type: ignore[method-assign]
AbstractPlain.__rdivmod__ = _plain_rdivmod  # type: ignore[method-assign]
