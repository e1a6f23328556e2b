"""Checks made around a client's call so that nothing it receives is unsafe or unaffordable.

Before a counted call runs, its result is *predicted* with the registry's
shape rule (the same rule :func:`flopscope.plan` uses, which allocates
nothing): a result whose dtype the server does not carry (``longdouble``,
``complex256``, datetime, strings, structured...) or whose size would take
the session past its memory quota is refused **before** the call runs, so
nothing is charged. Free calls are checked after they run (they charge
nothing either way), and every result is checked once more when it is
exported (:class:`flopscope.server.handlers.Exporter`).

After a call runs, :func:`fresh` makes sure no result holds bytes the
call did not write: NumPy's ``empty``, ``empty_like``, the ``ndarray``
constructor, ``pad(mode="empty")`` and ufuncs called with ``where=`` but no
``out=`` return memory whose unwritten bytes are whatever the allocator
recycled, on a shared server possibly another session's released data. The
server gives those bytes a defined value (zero), which is one of the results
NumPy allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from flopscope.exec.shapes import ArraySpec
from flopscope.registry import Category, OpDef
from flopscope.server import policy
from flopscope.server.protocol import ProtocolError

__all__ = [
    "MemoryQuotaError",
    "predict",
    "check_prediction",
    "zero_filled",
    "zero_unwritten",
    "FRESH_MEMORY",
]


class MemoryQuotaError(ProtocolError, MemoryError):
    """A result would take the session past the memory the server lets it hold."""


_COUNTED = (Category.UNARY, Category.BINARY, Category.REDUCTION, Category.CUSTOM)
_ELEMENTWISE = (Category.UNARY, Category.BINARY)


def op_of(fn: Any) -> OpDef | None:
    """The registry entry of a surface callable or array method, if it has one."""
    op = getattr(fn, "__flopscope_op__", None)
    if op is None:
        op = getattr(getattr(fn, "__func__", None), "__flopscope_op__", None)
    return op if isinstance(op, OpDef) else None


def _specs(value: Any) -> list[ArraySpec]:
    if isinstance(value, ArraySpec):
        return [value]
    if isinstance(value, tuple):
        return [s for v in value for s in _specs(v)]
    return []


def predict(op: OpDef | None, args: tuple, kwargs: dict) -> list[ArraySpec] | None:
    """The result specs of a counted call from its shape rule; None when unknown or free.

    A shape rule that cannot answer (invalid arguments, an unusual form)
    gives None: the call then runs, NumPy raises its own error, and the
    exported result is still checked.
    """
    if op is None or op.category not in _COUNTED or op.shape is None:
        return None
    try:
        return _specs(op.shape(*args, **kwargs))
    except Exception:  # the library raises NumPy's error for the same call
        return None


def nbytes(spec: ArraySpec) -> int:
    return math.prod(spec.shape) * spec.dtype.itemsize


def check_prediction(specs: list[ArraySpec] | None, held: int, limit: int) -> None:
    """Refuse, before anything runs, a result of an unsupported dtype or one over the quota."""
    if not specs:
        return
    for spec in specs:
        if not policy.carriable(np.dtype(spec.dtype)):
            raise policy.refusal(np.dtype(spec.dtype))
    needed = sum(nbytes(s) for s in specs)
    if held + needed > limit:
        raise quota_error(held, needed, limit)


def quota_error(held: int, needed: int, limit: int, *, ran: bool = False) -> MemoryQuotaError:
    """The error for ``needed`` more bytes that do not fit (``ran``: refused after running)."""
    outcome = "" if ran else " (nothing was run or charged)"
    return MemoryQuotaError(
        f"this session holds {held:,} bytes of arrays and this request needs {needed:,} more; "
        f"the server's limit per session is {limit:,} bytes{outcome}. "
        "Drop references to arrays you no longer need"
    )


# -- fresh memory ---------------------------------------------------------------------------


def _plain(array: np.ndarray) -> np.ndarray:
    """A base-class view, so that writing to it goes to NumPy, not through flopscope."""
    return array.view(np.ndarray)


def _zero(result: Any) -> Any:
    if isinstance(result, np.ndarray) and result.flags.writeable:
        np.ndarray.fill(_plain(result), 0)
    return result


def _like(wrapper: Callable[..., Any], fn: Any) -> Callable[..., Any]:
    """``wrapper`` standing for ``fn``: same registry entry, so it is predicted the same way."""
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    op = getattr(fn, "__flopscope_op__", None)
    if op is not None:
        wrapper.__flopscope_op__ = op  # type: ignore[attr-defined]
    return wrapper


def zero_filled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (``empty``, ``empty_like``) with its uninitialized result set to zero."""

    def fresh(*args: Any, **kwargs: Any) -> Any:
        return _zero(fn(*args, **kwargs))

    return _like(fresh, fn)


def _constructor(cls: type) -> Callable[..., Any]:
    """The ``ndarray`` constructor: zeroed unless it wraps a caller's buffer."""

    def construct(*args: Any, **kwargs: Any) -> Any:
        result = cls(*args, **kwargs)
        if kwargs.get("buffer") is None and len(args) < 3:
            _zero(result)
        return result

    return _like(construct, cls)


def _pad(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``pad`` with ``mode="empty"`` realized as zeros (``mode="constant"``, same cost rule)."""

    def pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
        if isinstance(mode, str) and mode == "empty":
            mode = "constant"
        return fn(array, pad_width, mode, **kwargs)

    return _like(pad, fn)


#: Surface keys whose results are uninitialized memory in NumPy, and how each is made fresh.
FRESH_MEMORY: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "numpy:empty": zero_filled,
    "numpy:empty_like": zero_filled,
    "numpy:ndarray": _constructor,
    "numpy:pad": _pad,
}


def zero_unwritten(op: OpDef | None, args: tuple, kwargs: dict, result: Any) -> Any:
    """Zero the elements an elementwise ufunc left unwritten (``where=`` without ``out=``).

    Only arrays the call allocated are touched: an output the caller passed
    (``out=`` or positionally) keeps its unwritten elements, as in NumPy.
    """
    if op is None or op.category not in _ELEMENTWISE:
        return result
    where = kwargs.get("where", True)
    if kwargs.get("out") is not None or (isinstance(where, bool) and where):
        return result
    given = {id(a) for a in args if isinstance(a, np.ndarray)}
    outputs = result if isinstance(result, tuple) else (result,)
    for out in outputs:
        if isinstance(out, np.ndarray) and out.flags.writeable and id(out) not in given:
            mask = np.broadcast_to(np.asarray(where, dtype=bool), out.shape)
            np.copyto(_plain(out), 0, where=~mask)
    return result
