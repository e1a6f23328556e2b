"""The remote-execution wire protocol, as the server speaks it.

The protocol is specified in ``docs/remote.md`` (version :data:`PROTOCOL_VERSION`).
The client package implements the same specification in its own module
(``flopscope/_remote/protocol.py`` of ``flopscope-client``); the two share a
document, not code, because the client must import neither NumPy nor this
package.

In short: a message is a ZeroMQ multipart message whose first frame is a
UTF-8 JSON object (the *header*) and whose further frames are raw byte
buffers referenced from it. Values inside headers are plain JSON, except that
a JSON object always carries a ``"$"`` key naming a *tag* (``ref``, ``tuple``,
``dtype``, ``buffer``...), so no JSON object is ever ambiguous. Nothing is
ever unpickled: the only decoders are :func:`json.loads` and
:func:`numpy.frombuffer` over an allow-listed set of dtypes.

This module holds the framing, the limits, header validation and the value
codec. It knows nothing of sessions: resolving a handle and issuing one are
callbacks supplied by the caller (see :class:`ValueDecoder`,
:class:`ValueEncoder`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flopscope.errors import FlopscopeError

__all__ = [
    "PROTOCOL_VERSION",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "MAX_DEPTH",
    "ProtocolError",
    "Request",
    "parse_request",
    "reply_frames",
    "error_payload",
    "ValueDecoder",
    "ValueEncoder",
    "BUFFER_FORMATS",
]

#: Version of the wire format; a client speaking another version is refused at ``hello``.
PROTOCOL_VERSION = 1
#: Default limit on the total size of one inbound message (all frames), in bytes.
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of tagged values / containers accepted in a header.
MAX_DEPTH = 64
#: Most frames one message may carry (header included).
MAX_FRAMES = 1024

#: struct-module format character -> NumPy dtype, for raw buffer frames (native byte order).
BUFFER_FORMATS: dict[str, np.dtype] = {
    "?": np.dtype(np.bool_),
    "b": np.dtype(np.int8),
    "B": np.dtype(np.uint8),
    "h": np.dtype(np.int16),
    "H": np.dtype(np.uint16),
    "i": np.dtype(np.int32),
    "I": np.dtype(np.uint32),
    "q": np.dtype(np.int64),
    "Q": np.dtype(np.uint64),
    "e": np.dtype(np.float16),
    "f": np.dtype(np.float32),
    "d": np.dtype(np.float64),
}
#: dtype -> (format character, is_complex) for sending array data back.
_FORMAT_OF: dict[np.dtype, tuple[str, bool]] = {
    dt: (ch, False) for ch, dt in BUFFER_FORMATS.items()
}
_FORMAT_OF[np.dtype(np.complex64)] = ("f", True)
_FORMAT_OF[np.dtype(np.complex128)] = ("d", True)

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ProtocolError(FlopscopeError, ValueError):
    """A message that does not follow the wire protocol (bad framing, JSON, field or tag)."""


# -- requests ---------------------------------------------------------------------------


@dataclass(slots=True)
class Request:
    """One parsed request.

    ``frames`` are the data frames that followed the header (buffers that
    ``{"$": "buffer"}`` / ``{"$": "bytes"}`` values point into).
    """

    id: int | None
    op: str
    session: str | None = None
    seq: int | None = None
    args: dict[str, Any] = field(default_factory=dict)
    release: list[tuple[int, int]] = field(default_factory=list)
    frames: Sequence[memoryview] = ()


def _reject_constant(name: str) -> Any:
    raise ProtocolError(
        f"non-standard JSON constant {name} (send non-finite floats as tagged values)"
    )


def _loads(raw: memoryview | bytes) -> Any:
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"header is not UTF-8: {exc}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"header is not valid JSON: {exc}") from None


def _int_field(header: dict, name: str, *, required: bool) -> int | None:
    value = header.get(name)
    if value is None:
        if required:
            raise ProtocolError(f"missing integer field {name!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ProtocolError(f"field {name!r} must be a non-negative integer, got {value!r}")
    return value


def _release_list(value: Any) -> list[tuple[int, int]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError("'release' must be a list of [handle, count] pairs")
    pairs = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in item)
        ):
            raise ProtocolError(f"bad release entry {item!r}: expected [handle, count] >= 1")
        pairs.append((item[0], item[1]))
    return pairs


def message_size(frames: Sequence[Any]) -> int:
    """Total byte size of a multipart message."""
    return sum(len(f) for f in frames)


def parse_request(frames: Sequence[memoryview], max_bytes: int) -> Request:
    """Validate and parse the frames of one request (routing envelope already removed).

    Raises :class:`ProtocolError` for anything malformed; the error's message
    is safe to send back to the client.
    """
    if not frames:
        raise ProtocolError("empty message")
    if len(frames) > MAX_FRAMES:
        raise ProtocolError(f"message has {len(frames)} frames; at most {MAX_FRAMES} are accepted")
    size = message_size(frames)
    if size > max_bytes:
        raise ProtocolError(
            f"message of {size:,} bytes exceeds the server's limit of {max_bytes:,} bytes"
        )
    header = _loads(frames[0])
    if not isinstance(header, dict):
        raise ProtocolError("header must be a JSON object")
    version = header.get("v")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            f"protocol version {version!r} is not supported; "
            f"this server speaks version {PROTOCOL_VERSION}"
        )
    op = header.get("op")
    if not isinstance(op, str) or not op:
        raise ProtocolError("missing string field 'op'")
    session = header.get("session")
    if session is not None and not isinstance(session, str):
        raise ProtocolError("field 'session' must be a string")
    args = header.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError("field 'args' must be a JSON object")
    return Request(
        id=_int_field(header, "id", required=False),
        op=op,
        session=session,
        seq=_int_field(header, "seq", required=False),
        args=args,
        release=_release_list(header.get("release")),
        frames=frames[1:],
    )


def request_id_of(frames: Sequence[memoryview]) -> int | None:
    """Best-effort id of a request that failed to parse, so its error reply can be matched."""
    try:
        header = json.loads(bytes(frames[0]).decode("utf-8"), parse_constant=_reject_constant)
        value = header.get("id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    except Exception:  # anything unreadable simply has no id
        return None


# -- replies ------------------------------------------------------------------------------


def _dumps(header: dict) -> bytes:
    return json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")


def reply_frames(
    request_id: int | None,
    *,
    result: Any = None,
    error: dict | None = None,
    buffers: Sequence[Any] = (),
    warnings: Sequence[dict] = (),
    extra: dict | None = None,
) -> list[Any]:
    """Frames of a reply: the JSON header, then the data buffers it references."""
    header: dict[str, Any] = {"v": PROTOCOL_VERSION, "id": request_id, "ok": error is None}
    if error is None:
        header["result"] = result
    else:
        header["error"] = error
    if warnings:
        header["warnings"] = list(warnings)
    if extra:
        header.update(extra)
    return [_dumps(header), *buffers]


def class_path(cls: type) -> list[str]:
    """``[module, qualname]`` of a class, as errors and warnings are named on the wire."""
    return [cls.__module__, cls.__qualname__]


#: A memory address as a default ``repr`` shows it (``<... object at 0x7f...>``).
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def scrub(text: str) -> str:
    """``text`` without the process's memory addresses (reprs and messages can name them)."""
    return _ADDRESS.sub("", text)


def error_payload(exc: BaseException, attrs: dict | None = None) -> dict:
    """The ``error`` object of a reply: the exception's MRO names, message and attributes."""
    mro = [class_path(c) for c in type(exc).__mro__ if c not in (object, BaseException)]
    payload: dict[str, Any] = {"mro": mro, "message": scrub(str(exc))}
    if attrs:
        payload["attrs"] = attrs
    return payload


def warning_payload(message: Warning | str, category: type[Warning]) -> dict:
    """A relayed warning: its category's MRO names and its text."""
    mro = [class_path(c) for c in category.__mro__ if c not in (object, BaseException, Exception)]
    return {"mro": mro, "message": scrub(str(message))}


# -- values: client -> server --------------------------------------------------------------


class ValueDecoder:
    """Turns tagged JSON values (and data frames) from a client into Python objects.

    Parameters
    ----------
    resolve:
        ``handle -> object`` for ``{"$": "ref"}`` values; raises
        :class:`ProtocolError` for handles the session does not hold.
    dtype_of:
        ``name -> dtype or scalar type`` for ``{"$": "dtype"}`` values;
        raises :class:`ProtocolError` for names the server does not allow.
    frames:
        Data frames of the request.
    """

    __slots__ = ("_resolve", "_dtype_of", "_frames")

    def __init__(
        self,
        resolve: Callable[[int], Any],
        dtype_of: Callable[[str], Any],
        frames: Sequence[memoryview],
    ) -> None:
        self._resolve = resolve
        self._dtype_of = dtype_of
        self._frames = frames

    @property
    def data_bytes(self) -> int:
        """Total size of the request's data frames."""
        return sum(len(f) for f in self._frames)

    def decode(self, value: Any, depth: int = 0) -> Any:
        """The Python object ``value`` stands for."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if depth > MAX_DEPTH:
            raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, list):
            return [self.decode(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return self._tagged(value, depth + 1)
        raise ProtocolError(
            f"unexpected JSON value {value!r}"
        )  # pragma: no cover - json gives no others

    def decode_args(self, args: Any, kwargs: Any) -> tuple[tuple, dict]:
        """Positional and keyword arguments of a call."""
        if not isinstance(args, list):
            raise ProtocolError("'args' must be a list")
        if not isinstance(kwargs, dict) or "$" in kwargs:
            raise ProtocolError("'kwargs' must be a JSON object of names to values")
        return (
            tuple(self.decode(a) for a in args),
            {str(k): self.decode(v) for k, v in kwargs.items()},
        )

    def _frame(self, index: Any) -> memoryview:
        if (
            isinstance(index, bool)
            or not isinstance(index, int)
            or not 0 <= index < len(self._frames)
        ):
            raise ProtocolError(
                f"reference to data frame {index!r}, but the message has {len(self._frames)}"
            )
        return self._frames[index]

    def _tagged(self, obj: dict, depth: int) -> Any:
        tag = obj.get("$")
        if tag == "ref":
            handle = obj.get("h")
            if isinstance(handle, bool) or not isinstance(handle, int):
                raise ProtocolError("a ref needs an integer handle 'h'")
            return self._resolve(handle)
        if tag == "tuple":
            return tuple(self.decode(v, depth) for v in _list(obj, "items"))
        if tag == "dict":
            items = _list(obj, "items")
            out = {}
            for pair in items:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProtocolError("dict items must be [key, value] pairs")
                key = self.decode(pair[0], depth)
                try:
                    out[key] = self.decode(pair[1], depth)
                except TypeError:
                    raise ProtocolError("dict key is not hashable") from None
            return out
        if tag == "float":
            name = obj.get("repr")
            if name not in _NON_FINITE:
                raise ProtocolError(f"tagged float must be 'nan', 'inf' or '-inf', got {name!r}")
            return _NON_FINITE[name]
        if tag == "complex":
            re, im = obj.get("re"), obj.get("im")
            return complex(self._real(re), self._real(im))
        if tag == "slice":
            return slice(*(self._slice_part(obj.get(k), depth) for k in ("start", "stop", "step")))
        if tag == "ellipsis":
            return Ellipsis
        if tag == "dtype":
            name = obj.get("name")
            if not isinstance(name, str):
                raise ProtocolError("a dtype needs a string 'name'")
            return self._dtype_of(name)
        if tag == "buffer":
            return self._buffer(obj)
        if tag == "bytes":
            return bytes(self._frame(obj.get("frame")))
        raise ProtocolError(f"unknown value tag {tag!r}")

    def _real(self, value: Any) -> float:
        if isinstance(value, dict) and value.get("$") == "float":
            return self._tagged(value, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtocolError("complex parts must be numbers")
        return float(value)

    def _slice_part(self, value: Any, depth: int) -> Any:
        part = self.decode(value, depth)
        if part is not None and not isinstance(part, int) and not hasattr(part, "__index__"):
            raise ProtocolError("slice bounds must be integers or null")
        return part

    def _buffer(self, obj: dict) -> np.ndarray:
        fmt = obj.get("format")
        dtype = BUFFER_FORMATS.get(fmt) if isinstance(fmt, str) else None
        if dtype is None:
            raise ProtocolError(
                f"unsupported buffer format {fmt!r}; supported: {''.join(BUFFER_FORMATS)}"
            )
        shape = obj.get("shape")
        if not isinstance(shape, list) or any(
            isinstance(d, bool) or not isinstance(d, int) or d < 0 for d in shape
        ):
            raise ProtocolError("a buffer needs a 'shape' list of non-negative integers")
        data = self._frame(obj.get("frame"))
        expected = math.prod(shape) * dtype.itemsize
        if len(data) != expected:
            raise ProtocolError(
                f"buffer of {len(data)} bytes does not match shape {shape} of {dtype}"
            )
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def _list(obj: dict, key: str) -> list:
    value = obj.get(key)
    if not isinstance(value, list):
        raise ProtocolError(f"tag {obj.get('$')!r} needs a list {key!r}")
    return value


# -- values: server -> client ----------------------------------------------------------------


class ValueEncoder:
    """Turns results into tagged JSON values, collecting data buffers on the way.

    Parameters
    ----------
    export:
        ``object -> header dict`` for objects that stay on the server (arrays,
        generators, budget contexts...): issues a handle and returns the
        ``{"$": "ref", ...}`` value describing it.
    """

    __slots__ = ("_export", "buffers")

    def __init__(self, export: Callable[[Any], dict]) -> None:
        self._export = export
        self.buffers: list[Any] = []

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The JSON-able form of ``value``."""
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$": "float", "repr": _float_repr(value)}
        if depth > MAX_DEPTH:
            raise ValueError(f"result nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, np.ndarray):
            return self._export(value)
        if isinstance(value, np.generic):
            return self._scalar(value, depth)
        if isinstance(value, complex):
            return {"$": "complex", "re": self.encode(value.real), "im": self.encode(value.imag)}
        if isinstance(value, (np.dtype, type)) and _is_dtype_like(value):
            return {"$": "dtype", "name": dtype_name(value)}
        if isinstance(value, tuple):
            items = [self.encode(v, depth + 1) for v in value]
            fields = getattr(value, "_fields", None)
            if fields is not None:
                return {
                    "$": "namedtuple",
                    "name": type(value).__name__,
                    "fields": list(fields),
                    "items": items,
                }
            return {"$": "tuple", "items": items}
        if isinstance(value, list):
            return [self.encode(v, depth + 1) for v in value]
        if isinstance(value, (dict, Mapping)):  # records hold read-only mappings
            return {
                "$": "dict",
                "items": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
                ],
            }
        if value is NotImplemented:
            return {"$": "notimplemented"}
        if value is Ellipsis:
            return {"$": "ellipsis"}
        if isinstance(value, slice):
            return {
                "$": "slice",
                **{k: self.encode(getattr(value, k), depth + 1) for k in ("start", "stop", "step")},
            }
        if isinstance(value, (bytes, bytearray)):
            self.buffers.append(bytes(value))
            return {"$": "bytes", "frame": len(self.buffers) - 1}
        if _is_flopscope_record(value):
            return {
                "$": "record",
                "type": type(value).__name__,
                "fields": [
                    [f.name, self.encode(getattr(value, f.name), depth + 1)]
                    for f in dataclasses.fields(value)
                ],
            }
        return self._export(value)

    def _scalar(self, value: np.generic, depth: int) -> Any:
        if value.dtype not in _FORMAT_OF:
            # longdouble, datetime, bytes, void...: no wire form (and ``item()`` of a
            # longdouble is a longdouble again, which would recurse forever)
            raise TypeError(f"a NumPy {value.dtype} scalar cannot be sent to a flopscope client")
        return self.encode(value.item(), depth)

    def encode_array_data(self, array: np.ndarray) -> Any:
        """An array's values: a raw buffer frame where the dtype allows, else nested JSON lists."""
        fmt = _FORMAT_OF.get(array.dtype)
        if fmt is None:
            return self.encode(array.tolist())
        char, is_complex = fmt
        data = np.ascontiguousarray(array)
        if is_complex:
            data = data.view(BUFFER_FORMATS[char]).reshape(*array.shape, 2)
        self.buffers.append(data.tobytes())
        return {
            "$": "buffer",
            "frame": len(self.buffers) - 1,
            "format": char,
            "shape": list(array.shape),
            "complex": is_complex,
        }


def _is_flopscope_record(value: Any) -> bool:
    """flopscope's own dataclass instances (``OpRecord``, ``CallSite``...) travel by value."""
    return (
        dataclasses.is_dataclass(value)
        and not isinstance(value, type)
        and type(value).__module__.startswith("flopscope.")
    )


def _float_repr(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _is_dtype_like(value: Any) -> bool:
    return isinstance(value, np.dtype) or (
        isinstance(value, type) and issubclass(value, np.generic)
    )


@functools.lru_cache(maxsize=1024)
def dtype_name(value: np.dtype | type) -> str:
    """Wire name of a dtype or scalar type: ``"float64"``, ``"floating"``, ``"<U5"`` (memoized)."""
    if isinstance(value, type):
        if value.__module__ == "numpy" and getattr(np, value.__name__, None) is value:
            return value.__name__
        value = np.dtype(value)
    try:
        if np.dtype(value.name) == value:
            return value.name
    except TypeError:
        pass
    return value.str
