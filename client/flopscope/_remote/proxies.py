"""Proxies of server objects: ``fnp.ndarray`` handles and other remote objects.

An array proxy holds a handle plus the array's shape and dtype, so
``x.shape``, ``x.ndim``, ``len(x)`` cost nothing; everything else is a
request. Its values come back only when asked for: ``x.tolist()``,
``float(x)``, ``x.item()``, ``print(x)``. Operators and methods are sent as
the same operator or method on the server's ``fnp.ndarray``, so they are
counted exactly as in-process (``x + 1`` is ``fnp.add``, ``x @ w`` is
``fnp.matmul``, ``x.sum()`` is ``fnp.sum``), and when the server's operator
returns ``NotImplemented`` Python's usual fallback happens here too.

Objects of flopscope's own classes (``fnp.random.Generator``,
``RandomState``) get a proxy class of the same name whose methods are the
class's registry entries; other results (``finfo(...)``) are generic
proxies whose public data attributes can be read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from flopscope._remote.callsite import caller_site
from flopscope._remote.connection import Connection, RemoteHandle, current, register_proxy_kind

__all__ = ["ndarray", "array_class", "RemoteObject", "remote_class", "reset_classes"]

#: Operators of ``fnp.ndarray`` (each gets its reflected and in-place forms).
_BINARY = (
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "and",
    "or",
    "xor",
    "lshift",
    "rshift",
)
_COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne")
_UNARY = ("neg", "pos", "abs", "invert")
_CONVERSIONS = ("bool", "float", "int", "index", "complex", "repr", "str", "copy")


def _remote_method(name: str) -> Callable[..., Any]:
    def method(self: RemoteHandle, *args: Any, **kwargs: Any) -> Any:
        return self._conn.call("method", self, args, kwargs, caller_site(), name=name)

    method.__name__ = name
    return method


class ndarray(RemoteHandle):
    """A flopscope array living on the server (``fnp.ndarray``).

    Made by ``fnp`` functions, operators and methods; never constructed
    directly. See the module docstring for what travels when.
    """

    __slots__ = ("shape", "dtype", "_type")
    __module__ = "flopscope.numpy"
    __array_ufunc__ = None  # NumPy (if the user has it) defers to our reflected operators
    __hash__ = None  # type: ignore[assignment]  # arrays are unhashable, as in NumPy

    shape: tuple[int, ...]

    def __new__(cls, *args: Any, **kwargs: Any) -> ndarray:
        raise TypeError("flopscope arrays are made by fnp functions (fnp.array, fnp.zeros, ...)")

    @classmethod
    def _from_ref(cls, conn: Connection, ref: dict) -> ndarray:
        array = object.__new__(array_class(ref.get("type", "ndarray")))
        array.shape = tuple(ref.get("shape", ()))
        array.dtype = conn._dtype(ref.get("dtype", "float64"))
        array._type = ref.get("type", "ndarray")
        return array

    # -- metadata, locally -------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        size = 1
        for dim in self.shape:
            size *= dim
        return size

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * (self.dtype.itemsize or 0)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[Any]:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    # -- values, on request -----------------------------------------------------------------
    def tolist(self) -> Any:
        """The array's values as nested Python lists (a scalar for a 0-d array)."""
        conn = self._conn
        return conn.request(
            "fetch", {"target": self._cell[0], "json": conn.byteorder != sys.byteorder}
        )

    def __getitem__(self, key: Any) -> Any:
        return self._conn.call("method", self, (key,), {}, caller_site(), name="__getitem__")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._conn.call("method", self, (key, value), {}, caller_site(), name="__setitem__")

    def __contains__(self, value: Any) -> bool:
        return self._conn.call("method", self, (value,), {}, caller_site(), name="__contains__")

    def __round__(self, ndigits: int | None = None) -> Any:
        args = () if ndigits is None else (ndigits,)
        return self._conn.call("method", self, args, {}, caller_site(), name="__round__")

    def __format__(self, spec: str) -> str:
        return self._conn.call("method", self, (spec,), {}, caller_site(), name="__format__")

    def __deepcopy__(self, memo: dict) -> ndarray:
        return self._conn.call("method", self, (), {}, caller_site(), name="copy")

    def __reduce__(self) -> Any:
        raise TypeError(
            "flopscope-client arrays live on the server and cannot be pickled; "
            "send x.tolist() instead"
        )

    # -- everything else the server's ndarray offers --------------------------------------
    def _members(self) -> dict[str, Any]:
        arrays = self._conn.manifest.get("arrays", {})
        return arrays.get(self._type) or arrays.get("ndarray", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        members = self._members()
        if name in members.get("methods", ()):
            return _remote_method(name).__get__(self, type(self))
        if name in members.get("properties", ()):
            return self._conn.request("getattr", {"target": self._cell[0], "name": name})
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        members = self._members()
        return sorted(
            set(object.__dir__(self))
            | set(members.get("methods", ()))
            | set(members.get("properties", ()))
        )


def _install_operators(cls: type) -> None:
    names = (
        [f"__{s}__" for s in _BINARY]
        + [f"__r{s}__" for s in _BINARY]
        + [f"__i{s}__" for s in _BINARY]
    )
    names += [f"__{s}__" for s in _COMPARISONS + _UNARY + _CONVERSIONS]
    names += ["__divmod__", "__rdivmod__"]
    for name in names:
        setattr(cls, name, _remote_method(name))


_install_operators(ndarray)


_ARRAY_CLASSES: dict[str, type] = {"ndarray": ndarray}


def array_class(name: str) -> type:
    """The proxy class for server arrays of class ``name`` (a subclass of :class:`ndarray`)."""
    cls = _ARRAY_CLASSES.get(name)
    if cls is None:
        cls = _ARRAY_CLASSES[name] = type(
            name,
            (ndarray,),
            {
                "__slots__": (),
                "__module__": "flopscope",
                "__doc__": f"A flopscope {name} living on the server (a subclass of fnp.ndarray).",
            },
        )
    return cls


class RemoteObject(RemoteHandle):
    """A server object that is not an array: methods by class, public data attributes by request."""

    __slots__ = ("_type_name",)
    _methods: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._methods:
            return _remote_method(name).__get__(self, type(self))
        return self._conn.request("getattr", {"target": self._cell[0], "name": name})

    def __repr__(self) -> str:
        return self._conn.call("method", self, (), {}, caller_site(), name="__repr__")

    def __str__(self) -> str:
        return self._conn.call("method", self, (), {}, caller_site(), name="__str__")

    def __reduce__(self) -> Any:
        raise TypeError("objects living on a flopscope server cannot be pickled")


#: class key ("numpy.random.Generator") -> proxy class, for the current connection's manifest.
_CLASSES: dict[str, type] = {}


def remote_class(key: str, conn: Connection | None = None) -> type:
    """The proxy class for server class ``key`` (a registry module of methods).

    Calling it constructs the object on the server: ``fnp.random.RandomState(0)``.
    """
    cls = _CLASSES.get(key)
    if cls is not None:
        return cls
    entry = (conn or current()).manifest.get("classes", {}).get(key, {})
    module, _, name = key.rpartition(".")
    constructor = f"{module}:{name}"

    def __new__(klass: type, *args: Any, **kwargs: Any) -> Any:
        return current().call("call", None, args, kwargs, caller_site(), fn=constructor)

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__new__": __new__,
        "__module__": f"flopscope.{module}",
        "__qualname__": entry.get("name", name),
        "__doc__": f"Counted {name}, living on the flopscope server; charged as in-process.",
        "_methods": frozenset(entry.get("methods", ())),
    }
    for method in entry.get("methods", ()):
        namespace[method] = _remote_method(method)
    cls = _CLASSES[key] = type(entry.get("name", name), (RemoteObject,), namespace)
    return cls


def reset_classes() -> None:
    """Forget the proxy classes (a new connection may offer other methods)."""
    _CLASSES.clear()


def _object_from_ref(conn: Connection, ref: dict) -> RemoteObject:
    key = ref.get("class")
    cls = remote_class(key, conn) if key else RemoteObject
    obj = object.__new__(cls)
    obj._type_name = ref.get("type", "object")
    return obj


register_proxy_kind("array", ndarray._from_ref)
register_proxy_kind("object", _object_from_ref)
