"""Serving a session's requests: decode the arguments, run, encode the result.

:func:`serve` runs inside the session's :class:`contextvars.Context` (the
server calls it through :meth:`Session.run`), so every library call made
here sees the session's own budget context and namespace. Each request kind
(``call``, ``method``, ``getattr``, ``fetch``, the budget and namespace
requests, ``summary``, ``release``) has one handler below; what a handler
may reach is decided by :mod:`flopscope.server.policy`.

Counted operations are executed by the ordinary flopscope library,
unchanged: the budget check, the refusal of an unaffordable call *before*
it runs, the charge and the trace are all the library's. The server adds
no accounting of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from flopscope._config import default_budget
from flopscope.budget.context import ACTIVE, BudgetContext
from flopscope.budget.namespace import namespace as library_namespace
from flopscope.errors import BudgetExhaustedError
from flopscope.server import guard, policy, relay
from flopscope.server.callsite import trampoline
from flopscope.server.handles import HandleLimitError
from flopscope.server.manifest import Surface
from flopscope.server.protocol import (
    ProtocolError,
    Request,
    ValueDecoder,
    ValueEncoder,
    dtype_name,
    error_payload,
    reply_frames,
    scrub,
)
from flopscope.server.session import QUOTA_PENALTY_S, Session

__all__ = ["serve", "SESSION_OPS"]

_log = logging.getLogger("flopscope.server")


@dataclass(frozen=True, slots=True)
class Encoded:
    """A handler result that is already in wire form (array data)."""

    value: Any


@dataclass(slots=True)
class Call:
    """Everything a handler needs for one request."""

    session: Session
    args: dict[str, Any]
    decoder: ValueDecoder
    encoder: ValueEncoder
    surface: Surface
    exporter: Exporter

    def string(self, name: str) -> str:
        value = self.args.get(name)
        if not isinstance(value, str) or not value:
            raise ProtocolError(f"request needs a string argument {name!r}")
        return value

    def target(self) -> Any:
        handle = self.args.get("target")
        if isinstance(handle, bool) or not isinstance(handle, int):
            raise ProtocolError("request needs an integer 'target' handle")
        return self.session.handles.resolve(handle)

    def call_args(self) -> tuple[tuple, dict]:
        # Uploaded data becomes arrays of the session: it must fit in the memory quota.
        handles, limit = self.session.handles, self.session.policy.max_memory_bytes
        uploaded = self.decoder.data_bytes
        if uploaded and handles.held_bytes + uploaded > limit:
            raise guard.quota_error(handles.held_bytes, uploaded, limit)
        return self.decoder.decode_args(self.args.get("args", []), self.args.get("kwargs", {}))

    def site(self) -> Callable[..., Any]:
        return trampoline(self.args.get("site"))


class Exporter:
    """How results that stay on the server are described: a handle plus what the client needs.

    Only :func:`policy.exportable` objects get a handle, plus the budget
    context or namespace that the request at hand created (:meth:`grant`):
    a context, a namespace or a native object that comes back any other way
    (out of an object array, as an attribute...) is refused, so a client can
    never hold a second handle to a context, nor one the ledger has retired.
    """

    __slots__ = ("session", "granted", "issued")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.granted: Any = None
        self.issued: list[int] = []

    def grant(self, obj: Any) -> Any:
        """Allow this request to hand out ``obj`` (a context or namespace it just created)."""
        self.granted = obj
        return obj

    def __call__(self, obj: Any) -> dict:
        if obj is self.granted and obj is not None:
            kind = "budget" if isinstance(obj, BudgetContext) else "object"
        elif not policy.exportable(obj):
            if isinstance(obj, np.ndarray):
                raise policy.refusal(obj.dtype)
            raise TypeError(f"a {type(obj).__name__} cannot be handed to a flopscope client")
        elif isinstance(obj, np.ndarray):
            kind = "array"
            handles, limit = self.session.handles, self.session.policy.max_memory_bytes
            extra = handles.bytes_of(obj)
            if handles.held_bytes + extra > limit:
                raise guard.quota_error(handles.held_bytes, extra, limit, ran=True)
        else:
            kind = "object"
        handle = self.session.handles.issue(obj)
        self.issued.append(handle)
        ref: dict[str, Any] = {"$": "ref", "h": handle, "type": type(obj).__name__, "kind": kind}
        if kind == "array":
            ref.update(shape=list(obj.shape), dtype=dtype_name(obj.dtype))
        elif kind == "object" and policy.class_methods(type(obj)):
            ref["class"] = policy.registry_module_of(type(obj))
        return ref


# -- handlers ----------------------------------------------------------------------------


def _guarded(c: Call, fn: Any, args: tuple, kwargs: dict, run: Callable[[], Any]) -> Any:
    """Run a client's call with the server's checks before (prediction) and after (fresh memory)."""
    op = guard.op_of(fn)
    handles = c.session.handles
    guard.check_prediction(
        guard.predict(op, args, kwargs), handles.held_bytes, c.session.policy.max_memory_bytes
    )
    return guard.zero_unwritten(op, args, kwargs, run())


def _call(c: Call) -> Any:
    key = c.string("fn")
    fn = c.surface.functions.get(key)
    if fn is None:
        raise ProtocolError(f"the server has no function {key!r}")
    args, kwargs = c.call_args()
    run = c.site()
    if key in c.surface.legacy_random:
        return _guarded(
            c, fn, args, kwargs, lambda: c.session.rng.run(lambda: run(fn, args, kwargs))
        )
    return _guarded(c, fn, args, kwargs, lambda: run(fn, args, kwargs))


def _has(obj: Any, name: str) -> bool:
    """Whether ``obj`` has ``name``, without running it (a denied property is never evaluated)."""
    if hasattr(type(obj), name):
        return True
    try:
        return name in vars(obj)
    except TypeError:  # no __dict__
        return False


def _denied(obj: Any, name: str) -> PermissionError:
    return PermissionError(
        f"{type(obj).__name__}.{name} is not available through a flopscope server"
    )


def _method_allowed(obj: Any, name: str) -> bool:
    if isinstance(obj, np.ndarray):
        return policy.array_method_allowed(type(obj), name)
    if isinstance(obj, BudgetContext):
        return name in policy.BUDGET_METHODS
    return name in ("__repr__", "__str__") or name in policy.class_methods(type(obj))


def _method(c: Call) -> Any:
    obj, name = c.target(), c.string("name")
    if not _method_allowed(obj, name):
        if not _has(obj, name):
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")
        raise _denied(obj, name)
    args, kwargs = c.call_args()
    method = getattr(obj, name)
    result = _guarded(c, method, args, kwargs, lambda: c.site()(method, args, kwargs))
    if isinstance(result, str) and not isinstance(obj, np.ndarray):
        return scrub(result)
    return result


def _attribute_allowed(obj: Any, name: str) -> bool:
    if isinstance(obj, np.ndarray):
        return policy.array_attribute_allowed(type(obj), name)
    if isinstance(obj, BudgetContext):
        return name in policy.BUDGET_ATTRIBUTES
    return policy.object_attribute_allowed(obj, name)


def _getattr(c: Call) -> Any:
    obj, name = c.target(), c.string("name")
    if not _attribute_allowed(obj, name):
        if not _has(obj, name):
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")
        raise _denied(obj, name)
    return getattr(obj, name)


def _fetch(c: Call) -> Encoded:
    obj = c.target()
    if not isinstance(obj, np.ndarray):
        raise TypeError(f"only arrays have values to fetch, not {type(obj).__name__}")
    if c.args.get("json"):
        return Encoded(c.encoder.encode(obj.tolist()))
    return Encoded(c.encoder.encode_array_data(obj))


def _budget(c: Call) -> BudgetContext:
    ctx = c.target()
    if not isinstance(ctx, BudgetContext):
        raise ProtocolError("target is not a budget context")
    return ctx


def _budget_new(c: Call) -> BudgetContext:
    a = c.args
    return c.exporter.grant(
        c.session.new_budget(
            c.decoder.decode(a.get("flop_budget")),
            c.decoder.decode(a.get("flop_multiplier")),
            a.get("quiet", False),
            c.decoder.decode(a.get("namespace")),
            c.decoder.decode(a.get("wall_time_limit_s")),
        )
    )


def _budget_enter(c: Call) -> None:
    ctx = _budget(c)
    if not c.session.ledger.is_live(ctx):
        # Unreachable through handles (a retired context is never handed out again);
        # kept so that no route can charge a context the ledger no longer reads.
        raise ProtocolError("this budget context was released; open a new one")
    ctx.__enter__()


def _budget_exit(c: Call) -> None:
    _budget(c).__exit__(None, None, None)


class _OpenNamespace:
    """A namespace a client entered and has not left yet (its generator context manager)."""

    __slots__ = ("manager", "path")

    def __init__(self, name: Any) -> None:
        self.manager = library_namespace(name)
        self.path = self.manager.__enter__()


def _namespace_enter(c: Call) -> tuple[Any, str]:
    opened = _OpenNamespace(c.decoder.decode(c.args.get("name")))
    return c.exporter.grant(opened), opened.path


def _namespace_exit(c: Call) -> None:
    opened = c.target()
    if not isinstance(opened, _OpenNamespace):
        raise ProtocolError("target is not an open namespace")
    opened.manager.__exit__(None, None, None)


def _summary(c: Call) -> Any:
    by_namespace = bool(c.args.get("by_namespace", False))
    if c.args.get("text"):
        return c.session.ledger.summary(default_budget(), by_namespace)
    return c.session.ledger.summary_dict(default_budget(), by_namespace)


def _release(c: Call) -> None:
    return None  # the releases themselves travel in every request's "release" field


#: Request kinds served inside a session, and their handlers.
SESSION_OPS: dict[str, Callable[[Call], Any]] = {
    "call": _call,
    "method": _method,
    "getattr": _getattr,
    "fetch": _fetch,
    "budget_new": _budget_new,
    "budget_enter": _budget_enter,
    "budget_exit": _budget_exit,
    "namespace_enter": _namespace_enter,
    "namespace_exit": _namespace_exit,
    "summary": _summary,
    "release": _release,
}


# -- serving ---------------------------------------------------------------------------------


def _error_attrs(exc: BaseException, encoder: ValueEncoder) -> dict[str, Any] | None:
    if isinstance(exc, BudgetExhaustedError):
        return {
            name: encoder.encode(getattr(exc, name))
            for name in (
                "op_name",
                "flop_cost",
                "flops_remaining",
                "flop_budget",
                "flops_used",
                "analytical_cost",
                "record",
            )
        }
    if type(exc).__module__ == "builtins" and all(
        a is None or isinstance(a, (str, int, float, bool)) for a in exc.args
    ):
        return {"args": encoder.encode(list(exc.args))}
    return None


def _by_value_only(obj: Any) -> dict:
    raise TypeError(f"{type(obj).__name__} cannot travel by value")


def error_reply(request_id: int | None, exc: BaseException, warnings: list[dict] = ()) -> list[Any]:
    """Reply frames reporting ``exc``."""
    encoder = ValueEncoder(_by_value_only)
    try:
        attrs = _error_attrs(exc, encoder)
    except Exception:  # an error's extras are optional
        attrs = None
    return reply_frames(request_id, error=error_payload(exc, attrs), warnings=warnings)


def serve(session: Session, request: Request, surface: Surface) -> list[Any]:
    """Serve one request of ``session`` (call inside its context) and return the reply frames.

    What the request charged is measured on the context that was active when
    it started (a request cannot change the active context and then compute:
    entering and leaving are requests of their own) and logged at DEBUG
    level, one line per charging request, so that an operator can check the
    closing line's total against the sum of the calls.
    """
    ctx = ACTIVE.get()
    before = ctx.flops_used if ctx is not None else 0
    try:
        return _serve(session, request, surface)
    finally:
        if ctx is not None and not session.ledger.is_live(ctx):
            # Defence in depth: every context a session can charge is in its ledger.
            _log.warning("session %s: an untracked context was charged", session.public_id)
            session.ledger.track(ctx)
        after = ctx.flops_used if ctx is not None else 0
        if after != before:
            _log.debug(
                "session %s request %s (%s): charged %d FLOPs",
                session.public_id,
                request.seq,
                request.op,
                after - before,
            )


def _serve(session: Session, request: Request, surface: Surface) -> list[Any]:
    handler = SESSION_OPS.get(request.op)
    with relay.capture() as warnings:
        try:
            session.release(request.release)
            if handler is None:
                raise ProtocolError(f"unknown request kind {request.op!r}")
            decoder = ValueDecoder(session.resolve_value, policy.dtype_of, request.frames)
            exporter = Exporter(session)
            encoder = ValueEncoder(exporter)
            call = Call(session, request.args, decoder, encoder, surface, exporter)
            result = handler(call)
        except Exception as exc:  # every failure becomes an error reply
            if isinstance(exc, (guard.MemoryQuotaError, HandleLimitError)):
                session.penalty_s = QUOTA_PENALTY_S
            _log.debug(
                "session %s: %s failed: %s: %s",
                session.public_id,
                request.op,
                type(exc).__name__,
                exc,
            )
            return error_reply(request.id, exc, warnings)
        try:
            value = result.value if isinstance(result, Encoded) else encoder.encode(result)
            return reply_frames(
                request.id, result=value, buffers=encoder.buffers, warnings=warnings
            )
        except Exception as exc:  # a result the protocol cannot carry, or over a quota
            for handle in exporter.issued:  # the client never learns these handles
                session.handles.release(handle, 1)
            if isinstance(exc, (guard.MemoryQuotaError, HandleLimitError)):
                session.penalty_s = QUOTA_PENALTY_S
            if isinstance(exc, (policy.RefusedDtypeError, guard.MemoryQuotaError)):
                _log.debug(
                    "session %s: result of %s refused: %s", session.public_id, request.op, exc
                )
                failure: Exception = type(exc)(
                    f"{exc} (the {request.op} request ran; FLOPs it counted, if any, were charged)"
                )
            else:
                _log.warning(
                    "session %s: could not encode the result of %s: %s: %s",
                    session.public_id,
                    request.op,
                    type(exc).__name__,
                    exc,
                )
                failure = TypeError(
                    f"the {request.op} request ran (and any FLOPs it counted were charged), "
                    f"but its result could not be sent: {exc}"
                )
            return error_reply(request.id, failure, warnings)
