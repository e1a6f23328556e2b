"""What a client may touch: the server's allow-lists.

Everything a request can reach is decided here, in one place:

* which dtypes a client may name or receive (:func:`dtype_of`,
  :func:`carriable`): booleans, integers, floats up to 64 bits and complex
  numbers up to 128 bits, the types the wire protocol carries; never
  ``object``, string, structured, datetime or extended-precision ones;
* which registry operations are withheld from clients although the library
  exports them (:data:`WITHHELD_OPS`), because they act on process-wide state;
* which methods and attributes of server-side objects a client may use
  (:func:`array_method_allowed`, :func:`array_attribute_allowed`,
  :data:`BUDGET_ATTRIBUTES`...).

There is deliberately no way to *set* an attribute: a client changes
server state only through counted operations, item assignment on its own
arrays, and the dedicated budget and namespace requests.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import numpy as np

from flopscope.errors import UnsupportedDtypeError
from flopscope.server.protocol import ProtocolError

__all__ = [
    "dtype_of",
    "WITHHELD_OPS",
    "PASSTHROUGH_TYPES",
    "array_method_allowed",
    "array_attribute_allowed",
    "registry_module_of",
    "class_methods",
    "ARRAY_DUNDERS",
    "BUDGET_ATTRIBUTES",
    "BUDGET_METHODS",
    "object_attribute_allowed",
    "carriable",
    "refusal",
    "RefusedDtypeError",
    "scalar_type_allowed",
    "exportable",
    "OBJECT_ATTRIBUTES_DENIED",
]

#: Registry entries the library exports but a shared server must not run for a client:
#: they replace or expose NumPy's process-wide random generator, which every session shares.
WITHHELD_OPS = {
    "random.set_bit_generator": "it would replace the random generator every session shares",
    "random.get_bit_generator": "it would hand out the random generator every session shares",
}

#: Pass-through NumPy classes a client may call, per public module (besides scalar types):
#: they describe types or make random bit streams, and compute nothing on arrays.
PASSTHROUGH_TYPES = {
    "numpy": frozenset({"dtype", "finfo", "iinfo"}),
    "numpy.random": frozenset({"MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64", "SeedSequence"}),
}

_MAX_DTYPE_NAME = 64

#: Kinds of dtype a session may create or receive, and the largest item size of each:
#: exactly what the wire protocol can carry (see ``BUFFER_FORMATS`` and complex pairs).
#: Object, string and structured arrays would run or hold arbitrary Python objects
#: (a budget context inside an object array is a way around the ledger), and
#: extended-precision and datetime values have no wire form.
_CARRIABLE_KINDS = {"b": 1, "i": 8, "u": 8, "f": 8, "c": 16}
_KIND_NAMES = {
    "O": "object",
    "V": "structured (void)",
    "S": "byte string",
    "U": "string",
    "T": "string",
    "M": "datetime",
    "m": "timedelta",
    "f": "extended-precision float",
    "c": "extended-precision complex",
}


#: The error for a dtype the server neither creates nor sends: the library's own
#: :class:`~flopscope.errors.UnsupportedDtypeError`, so code that catches a counted op
#: refusing string data in-process catches the server's earlier refusal of the same data.
RefusedDtypeError = UnsupportedDtypeError


def carriable(dtype: np.dtype) -> bool:
    """Whether arrays of ``dtype`` may exist in a session (the protocol can carry them)."""
    limit = _CARRIABLE_KINDS.get(dtype.kind)
    return limit is not None and dtype.itemsize <= limit and dtype.fields is None


def refusal(dtype: np.dtype) -> RefusedDtypeError:
    """The error for a dtype that is not :func:`carriable`."""
    kind = _KIND_NAMES.get(dtype.kind, dtype.kind)
    return RefusedDtypeError(
        f"{kind} dtype {dtype} is not supported by the flopscope server: a session's arrays "
        "are booleans, integers, floats up to 64 bits and complex numbers up to 128 bits"
    )


#: NumPy's abstract scalar types (``floating``, ``integer``...): names, not dtypes.
ABSTRACT_SCALAR_TYPES = frozenset(
    {
        np.generic,
        np.number,
        np.integer,
        np.signedinteger,
        np.unsignedinteger,
        np.inexact,
        np.floating,
        np.complexfloating,
        np.flexible,
        np.character,
    }
)


#: NumPy's scalar types by their names in the ``numpy`` namespace (read from its
#: ``__dict__``, so deprecated aliases such as ``np.object`` are not looked up).
SCALAR_TYPES = {
    name: value
    for name, value in vars(np).items()
    if isinstance(value, type) and issubclass(value, np.generic) and not name.startswith("_")
}


def dtype_of(name: str) -> Any:
    """The dtype or NumPy scalar type a client's ``{"$": "dtype"}`` value names.

    Scalar type names (``"float32"``, ``"floating"``) give the type itself, as
    ``fnp.float32`` is in the library; anything else must parse as a dtype.
    Only :func:`carriable` dtypes (and NumPy's abstract scalar types, which
    are names for tests such as ``issubdtype``) are accepted.
    """
    if len(name) > _MAX_DTYPE_NAME:
        raise ProtocolError("dtype name too long")
    scalar = SCALAR_TYPES.get(name)
    if scalar is not None:
        if scalar in ABSTRACT_SCALAR_TYPES:
            return scalar
        if issubclass(scalar, (np.object_, np.void, np.flexible)) or not carriable(
            np.dtype(scalar)
        ):
            raise refusal(np.dtype(scalar))
        return scalar
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError):
        raise ProtocolError(f"{name!r} is not a dtype") from None
    if not carriable(dtype):
        raise refusal(dtype)
    return dtype


def scalar_type_allowed(scalar: type) -> bool:
    """Whether NumPy scalar type ``scalar`` is offered to clients (abstract or carriable)."""
    if scalar in ABSTRACT_SCALAR_TYPES:
        return True
    if issubclass(scalar, (np.object_, np.void, np.flexible)):
        return False
    return carriable(np.dtype(scalar))


# -- arrays ------------------------------------------------------------------------------

#: Special methods a client may call on an array (operators come from the library's tables).
ARRAY_DUNDERS = frozenset(
    {
        "__getitem__",
        "__setitem__",
        "__len__",
        "__contains__",
        "__bool__",
        "__float__",
        "__int__",
        "__complex__",
        "__index__",
        "__repr__",
        "__str__",
        "__format__",
        "__copy__",
        "__deepcopy__",
        "__round__",
        "__abs__",
        "__neg__",
        "__pos__",
        "__invert__",
        "__divmod__",
        "__rdivmod__",
    }
)

#: Public ndarray members no client may use: file and pickle I/O, raw memory,
#: in-place reallocation, and flags that would make memory writable again.
ARRAY_DENIED = frozenset(
    {
        "tofile",
        "dump",
        "dumps",
        "ctypes",
        "data",
        "base",
        "flags",
        "setflags",
        "resize",
        "getfield",
        "setfield",
        "to_device",
        "device",
        "strides",
    }
)


@cache
def _operator_dunders() -> frozenset[str]:
    from flopscope.numpy import _array_methods as tables

    names = set()
    for stem in tables.BINARY_OPERATORS:
        names.update({f"__{stem}__", f"__r{stem}__", f"__i{stem}__"})
    names.update(f"__{stem}__" for stem in tables.COMPARISONS)
    names.update(f"__{stem}__" for stem in tables.UNARY_OPERATORS)
    return frozenset(names)


@cache
def _blocked_methods() -> frozenset[str]:
    from flopscope.registry import REGISTRY, Category

    return frozenset(
        op.attr
        for op in REGISTRY.values()
        if op.module == "numpy.ndarray" and op.category is Category.BLOCKED
    )


@lru_cache(maxsize=256)
def array_method_allowed(cls: type, name: str) -> bool:
    """Whether a client may call method ``name`` of an array of class ``cls``."""
    if name.startswith("_"):
        return name in ARRAY_DUNDERS or name in _operator_dunders()
    if name in ARRAY_DENIED or name in _blocked_methods():
        return False
    member = getattr(cls, name, None)
    return callable(member) and not isinstance(member, type)


@lru_cache(maxsize=256)
def array_attribute_allowed(cls: type, name: str) -> bool:
    """Whether a client may read attribute ``name`` (a property such as ``T``) of an array."""
    if name.startswith("_") or name in ARRAY_DENIED:
        return False
    member = getattr(cls, name, None)
    if member is None:
        return False
    # data descriptors of the class (T, real, imag, flat, shape...), never methods
    return hasattr(member, "__get__") and not callable(member)


# -- flopscope's own classes (random generators...) --------------------------------------


def registry_module_of(cls: type) -> str:
    """Registry module whose entries are the methods of flopscope class ``cls``.

    ``flopscope.numpy.random.Generator`` -> ``"numpy.random.Generator"``.
    """
    module = cls.__module__.removeprefix("flopscope.")
    return f"{module}.{cls.__qualname__}"


@cache
def class_methods(cls: type) -> frozenset[str]:
    """Methods a client may call on an instance of ``cls``: its (non-blocked) registry entries.

    Empty for classes that own no registry module.
    """
    from flopscope.registry import REGISTRY, Category

    module = registry_module_of(cls)
    return frozenset(
        op.attr
        for op in REGISTRY.values()
        if op.module == module and op.category is not Category.BLOCKED
    )


# -- budget contexts -----------------------------------------------------------------------

#: Read-only figures of a BudgetContext a client may read.
BUDGET_ATTRIBUTES = frozenset(
    {
        "flop_budget",
        "flops_used",
        "flops_remaining",
        "flop_multiplier",
        "namespace",
        "wall_time_limit_s",
        "is_default",
        "analytical_flops_used",
        "wall_time_s",
        "flopscope_backend_time_s",
        "flopscope_overhead_time_s",
        "residual_wall_time_s",
        "op_log",
        "quiet",
    }
)
#: BudgetContext methods a client may call (entering and leaving have their own requests).
BUDGET_METHODS = frozenset({"summary", "summary_dict", "deduct", "to_dot", "__repr__", "__str__"})


# -- other objects -------------------------------------------------------------------------


#: Public attributes of server objects no client may read: raw memory and native
#: handles (``PCG64().ctypes`` holds a heap address and C function pointers), locks.
OBJECT_ATTRIBUTES_DENIED = frozenset({"ctypes", "cffi", "capsule", "lock", "state_address"})


def object_attribute_allowed(obj: Any, name: str) -> bool:
    """Whether a client may read ``name`` of a server object that is not an array.

    Public data only (``finfo(...).eps``, a result object's fields): never a
    method, never anything private, never a native handle.
    """
    if name.startswith("_") or name in OBJECT_ATTRIBUTES_DENIED:
        return False
    try:
        value = getattr(obj, name)
    except AttributeError:
        return False
    return not callable(value)


#: Classes (besides arrays and flopscope's own) whose instances a client may hold by handle:
#: they describe types or make random bit streams.
_EXPORTABLE_NUMPY = (np.finfo, np.iinfo, np.random.BitGenerator, np.random.SeedSequence)


def exportable(obj: Any) -> bool:
    """Whether ``obj`` may stay on the server as a value a client holds by handle.

    Arrays of :func:`carriable` dtypes, flopscope's own objects with registry
    methods (random generators), ``SymmetryGroup``-like flopscope values, and
    NumPy's type descriptions and bit generators. Budget contexts and open
    namespaces are handed out only by their own requests (never by this
    test), and nothing else (locks, ctypes objects, modules, functions)
    ever reaches a client.
    """
    from flopscope.budget.context import BudgetContext

    if isinstance(obj, np.ndarray):
        return carriable(obj.dtype)
    if isinstance(obj, BudgetContext):
        return False
    if isinstance(obj, _EXPORTABLE_NUMPY):
        return True
    cls = type(obj)
    return cls.__module__.startswith("flopscope.") and not cls.__module__.startswith(
        ("flopscope.server", "flopscope.budget")
    )
