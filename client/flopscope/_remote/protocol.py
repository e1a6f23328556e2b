"""The remote-execution wire protocol, as the client speaks it.

Specified in ``docs/remote.md`` (version :data:`PROTOCOL_VERSION`) and
implemented independently by the server (``flopscope.server.protocol``):
the client imports neither NumPy nor the server package.

A message is a ZeroMQ multipart message: frame 0 is a UTF-8 JSON object
(the header), further frames are raw byte buffers the header refers to by
index. Inside a header, a JSON object is always a *tagged value* with a
``"$"`` key (``ref``, ``tuple``, ``dict``, ``dtype``, ``buffer``...); lists,
strings, numbers, booleans and null stand for themselves.

This module holds the framing, and the value codec parameterized by two
callbacks: how a client-side proxy is written as a ``ref`` (encoding), and
how a ``ref`` from the server becomes a proxy (decoding). It has no state.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "PROTOCOL_VERSION",
    "MAX_DEPTH",
    "ValueEncoder",
    "ValueDecoder",
    "request_frames",
    "parse_reply",
    "BUFFER_FORMATS",
    "unflatten",
]

#: Version of the wire format this client speaks.
PROTOCOL_VERSION = 1
#: Deepest nesting of containers / tagged values the codec handles.
MAX_DEPTH = 64

#: struct format characters a raw buffer frame may carry, with their item size.
BUFFER_FORMATS = {
    "?": 1,
    "b": 1,
    "B": 1,
    "h": 2,
    "H": 2,
    "i": 4,
    "I": 4,
    "q": 8,
    "Q": 8,
    "e": 2,
    "f": 4,
    "d": 8,
}
_FLOAT_TAGS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_NATIVE_PREFIXES = ("@", "=", "<" if sys.byteorder == "little" else ">")


def request_frames(header: dict, buffers: Sequence[Any] = ()) -> list[Any]:
    """Frames of a request: the JSON header, then its data buffers."""
    header = {"v": PROTOCOL_VERSION, **header}
    return [json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8"), *buffers]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name} in a reply")


def parse_reply(frame: Any) -> dict:
    """The header of a reply (a JSON object), or ``ValueError``."""
    header = json.loads(bytes(frame).decode("utf-8"), parse_constant=_reject_constant)
    if not isinstance(header, dict):
        raise ValueError("reply header is not a JSON object")
    return header


# -- values: client -> server ------------------------------------------------------------


def _native_format(view: memoryview) -> str | None:
    """The protocol's format character for a buffer's item format, if it is one."""
    fmt = view.format
    if fmt[:1] in _NATIVE_PREFIXES:
        fmt = fmt[1:]
    if fmt in ("l", "L", "n", "N"):  # C long / size_t: name them by their size
        size = struct.calcsize(fmt)
        fmt = {8: "q", 4: "i"}[size] if fmt in ("l", "n") else {8: "Q", 4: "I"}[size]
    return fmt if fmt in BUFFER_FORMATS and struct.calcsize(fmt) == view.itemsize else None


class ValueEncoder:
    """Writes Python values as tagged JSON, collecting raw buffers.

    Parameters
    ----------
    ref_of:
        ``object -> handle`` for proxies of server objects, or ``None`` when
        the object is not a proxy (it is then encoded by value if possible).
    dtype_of:
        ``object -> dtype name`` for the client's dtype objects, or ``None``.
    """

    __slots__ = ("_ref_of", "_dtype_of", "buffers")

    def __init__(
        self, ref_of: Callable[[Any], int | None], dtype_of: Callable[[Any], str | None]
    ) -> None:
        self._ref_of = ref_of
        self._dtype_of = dtype_of
        self.buffers: list[Any] = []

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The JSON-able form of ``value``; ``TypeError`` if it cannot travel."""
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            return {
                "$": "float",
                "repr": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"),
            }
        if depth > MAX_DEPTH:
            raise ValueError(f"value nested deeper than {MAX_DEPTH} levels")
        handle = self._ref_of(value)
        if handle is not None:
            return {"$": "ref", "h": handle}
        if isinstance(value, list):
            return [self.encode(v, depth + 1) for v in value]
        if isinstance(value, tuple):
            return {"$": "tuple", "items": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {
                "$": "dict",
                "items": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
                ],
            }
        if isinstance(value, complex):
            return {"$": "complex", "re": self.encode(value.real), "im": self.encode(value.imag)}
        if isinstance(value, slice):
            return {
                "$": "slice",
                "start": self.encode(value.start, depth + 1),
                "stop": self.encode(value.stop, depth + 1),
                "step": self.encode(value.step, depth + 1),
            }
        if value is Ellipsis:
            return {"$": "ellipsis"}
        if isinstance(value, range):
            return list(value)
        name = self._dtype_of(value)
        if name is not None:
            return {"$": "dtype", "name": name}
        if isinstance(value, (bytes, bytearray)):
            self.buffers.append(bytes(value))
            return {"$": "bytes", "frame": len(self.buffers) - 1}
        return self._buffer(value)

    def _buffer(self, value: Any) -> Any:
        try:
            view = memoryview(value)
        except TypeError:
            raise TypeError(
                f"a {type(value).__name__} cannot be sent to a flopscope server: only numbers, "
                "strings, lists / tuples / dicts of them, flopscope arrays, dtypes and "
                "buffers of numbers (array.array, memoryview) can"
            ) from None
        fmt = _native_format(view)
        if fmt is None:
            raise TypeError(
                f"buffers of format {view.format!r} cannot be sent to a flopscope server"
            )
        data = view.cast("B") if view.c_contiguous else memoryview(view.tobytes())
        self.buffers.append(data)
        return {
            "$": "buffer",
            "frame": len(self.buffers) - 1,
            "format": fmt,
            "shape": list(view.shape),
        }


# -- values: server -> client ------------------------------------------------------------


_NAMEDTUPLES: dict[tuple[str, tuple[str, ...]], type] = {}


def _namedtuple_class(name: str, fields: list) -> type:
    key = (name, tuple(fields))
    cls = _NAMEDTUPLES.get(key)
    if cls is None:
        cls = _NAMEDTUPLES[key] = namedtuple(name, fields)
    return cls


def unflatten(flat: list, shape: Sequence[int]) -> Any:
    """Nested lists of ``shape`` from a flat list in C order (a scalar for shape ``()``)."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [unflatten(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def buffer_to_list(data: Any, fmt: str, shape: list[int], is_complex: bool) -> Any:
    """The nested-list value of an array sent as a raw buffer frame."""
    if fmt not in BUFFER_FORMATS:
        raise ValueError(f"unknown buffer format {fmt!r}")
    view = memoryview(data).cast("B")
    if 0 in shape:
        return _empty(shape)
    if not is_complex and fmt != "e":  # memoryview casts every other format natively
        return view.cast(fmt, list(shape)).tolist()
    flat = [item for (item,) in struct.iter_unpack(fmt, view)]
    if is_complex:
        flat = [complex(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    return unflatten(flat, shape)


def _empty(shape: Sequence[int]) -> list:
    if shape[0] == 0:
        return []
    return [_empty(shape[1:]) if len(shape) > 1 else [] for _ in range(shape[0])]


class ValueDecoder:
    """Reads tagged JSON values from the server.

    Parameters
    ----------
    proxy:
        ``ref value -> proxy object`` for ``{"$": "ref"}`` values.
    dtype:
        ``name -> client dtype object`` for ``{"$": "dtype"}`` values.
    record:
        ``(type name, fields dict) -> object`` for ``{"$": "record"}`` values.
    frames:
        Data frames of the reply.
    """

    __slots__ = ("_proxy", "_dtype", "_record", "_frames")

    def __init__(
        self,
        proxy: Callable[[dict], Any],
        dtype: Callable[[str], Any],
        record: Callable[[str, dict], Any],
        frames: Sequence[Any],
    ) -> None:
        self._proxy = proxy
        self._dtype = dtype
        self._record = record
        self._frames = frames

    def decode(self, value: Any, depth: int = 0) -> Any:
        """The Python value ``value`` stands for."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if depth > MAX_DEPTH:
            raise ValueError("reply nested too deeply")
        if isinstance(value, list):
            return [self.decode(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            raise ValueError(f"unexpected value {value!r} in a reply")
        tag = value.get("$")
        if tag == "ref":
            return self._proxy(value)
        if tag == "tuple":
            return tuple(self.decode(v, depth + 1) for v in value["items"])
        if tag == "namedtuple":
            cls = _namedtuple_class(value["name"], value["fields"])
            return cls(*(self.decode(v, depth + 1) for v in value["items"]))
        if tag == "dict":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in value["items"]}
        if tag == "record":
            fields = {name: self.decode(v, depth + 1) for name, v in value["fields"]}
            return self._record(value["type"], fields)
        if tag == "float":
            return _FLOAT_TAGS[value["repr"]]
        if tag == "complex":
            return complex(self.decode(value["re"]), self.decode(value["im"]))
        if tag == "dtype":
            return self._dtype(value["name"])
        if tag == "slice":
            return slice(*(self.decode(value[k], depth + 1) for k in ("start", "stop", "step")))
        if tag == "ellipsis":
            return Ellipsis
        if tag == "notimplemented":
            return NotImplemented
        if tag == "bytes":
            return bytes(self._frames[value["frame"]])
        if tag == "buffer":
            return buffer_to_list(
                self._frames[value["frame"]],
                value["format"],
                value["shape"],
                bool(value.get("complex")),
            )
        raise ValueError(f"unknown value tag {tag!r} in a reply")
