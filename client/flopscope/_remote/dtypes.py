"""Dtypes without NumPy: named tokens the server understands.

``fnp.float32``, ``x.dtype`` and ``fnp.dtype("int8")`` are :class:`DType`
objects. They compare equal to each other by name, and to the strings and
Python types NumPy accepts (``x.dtype == "float64"``, ``x.dtype ==
float``); passed to a function they travel as ``{"$": "dtype"}`` and the
server turns them back into NumPy's dtype or scalar type. Calling one
(``fnp.float32(1.5)``) runs NumPy's scalar constructor on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["DType", "dtype_token", "wire_name", "set_caller"]

#: Python types that name a NumPy dtype, as NumPy reads them.
_PYTHON_TYPES = {float: "float64", int: "int64", bool: "bool", complex: "complex128", str: "str_"}
_BYTE_ORDER_CHARS = "<>=|"

#: Calls a NumPy scalar type remotely: set by the surface module (avoids an import cycle).
_call_scalar_type: Callable[..., Any] | None = None


def set_caller(caller: Callable[..., Any]) -> None:
    """Install how ``DType.__call__`` reaches the server."""
    global _call_scalar_type
    _call_scalar_type = caller


class DType:
    """A NumPy dtype or scalar type, by name (see the module docstring)."""

    __slots__ = ("name", "str", "itemsize", "kind", "char", "abstract")

    def __init__(self, name: str, info: dict | None = None) -> None:
        info = info or {}
        self.name = str(info.get("name", name))
        self.str = str(info.get("str", name))
        self.itemsize = info.get("itemsize")
        self.kind = info.get("kind")
        self.char = info.get("char")
        self.abstract = bool(info.get("abstract", False))

    @property
    def type(self) -> DType:
        """The scalar type (this token stands for both)."""
        return self

    def _aliases(self) -> set[str]:
        names = {self.name, self.str, self.str.lstrip(_BYTE_ORDER_CHARS)}
        if self.char:
            names.add(self.char)
        return names

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self.name == other.name
        if isinstance(other, type) and other in _PYTHON_TYPES:
            return _PYTHON_TYPES[other] in (self.name, f"{self.name}_")
        if isinstance(other, str):
            return other in self._aliases() or other.lstrip(_BYTE_ORDER_CHARS) in self._aliases()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"dtype('{self.name}')"

    def __str__(self) -> str:
        return self.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _call_scalar_type is None:  # pragma: no cover - installed at import
            raise RuntimeError("flopscope-client is not initialized")
        return _call_scalar_type(self, args, kwargs)


def wire_name(value: Any) -> str | None:
    """The dtype name ``value`` stands for on the wire, or None if it is not a dtype."""
    if isinstance(value, DType):
        return value.name
    if isinstance(value, type):
        return _PYTHON_TYPES.get(value)
    return None


def dtype_token(name: str, table: dict[str, Any]) -> DType:
    """The :class:`DType` for wire name ``name``, described by the manifest's dtype ``table``."""
    info = table.get(name)
    if info is None:
        for key, candidate in table.items():
            if candidate.get("name") == name or candidate.get("str") == name:
                return DType(key, candidate)
    return DType(name, info)
