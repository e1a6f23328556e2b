"""The connection to a flopscope server: one session, one socket, one request at a time.

:func:`current` returns the process's connection, opening it on first use
at ``$FLOPSCOPE_SERVER`` (default ``tcp://127.0.0.1:15555``);
:func:`connect` and :func:`disconnect` manage it explicitly.

Requests are synchronous and serialized by a lock, so a connection may be
shared by threads. Each session request carries a sequence number; if no
reply comes within a second the client asks the server for the session's
status and re-sends the request when it was lost (or its reply was), which
the server answers without running it twice. A background thread pings
the server while the program is idle, so the session does not expire.

Proxies of server objects (arrays, generators, budget contexts) are
tracked with weak references. When one is garbage-collected its handle
is queued and released with the next request (or at disconnect).
"""

from __future__ import annotations

import atexit
import itertools
import os
import socket
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import zmq

from flopscope._remote import failures
from flopscope._remote.dtypes import dtype_token, wire_name
from flopscope._remote.protocol import (
    ValueDecoder,
    ValueEncoder,
    parse_reply,
    request_frames,
)
from flopscope._remote.records import make_record
from flopscope.errors import FlopscopeWarning, ProtocolError, ServerUnavailableError, SessionError

__all__ = [
    "Connection",
    "current",
    "connect",
    "disconnect",
    "register_proxy_kind",
    "DEFAULT_ADDRESS",
    "RemoteHandle",
]

#: Where the client looks for a server unless told otherwise.
DEFAULT_ADDRESS = "tcp://127.0.0.1:15555"
_ENV_ADDRESS = "FLOPSCOPE_SERVER"
_ENV_TIMEOUT = "FLOPSCOPE_CLIENT_TIMEOUT"
_DEFAULT_TIMEOUT_S = 30.0
_STATUS_INTERVAL_S = 1.0
_HELLO_TIMEOUT_S = 10.0


class RemoteHandle:
    """Base of every proxy of a server object: its connection and its release cell.

    ``_cell`` is ``[handle, times received]``; it outlives the proxy in the
    release queue, so the count returned is exactly the count received.
    """

    __slots__ = ("_conn", "_cell", "__weakref__")

    _conn: Connection
    _cell: list[int]

    @property
    def _handle(self) -> int:
        return self._cell[0]


#: kind ("array", "budget", "object") -> factory(connection, ref value) -> new proxy.
_PROXY_KINDS: dict[str, Callable[[Connection, dict], RemoteHandle]] = {}


def register_proxy_kind(kind: str, factory: Callable[[Connection, dict], RemoteHandle]) -> None:
    """Declare how proxies of server objects of ``kind`` are made."""
    _PROXY_KINDS[kind] = factory


def _timeout_from_env() -> float:
    raw = os.environ.get(_ENV_TIMEOUT, "").strip()
    return float(raw) if raw else _DEFAULT_TIMEOUT_S


class Connection:
    """A session on a flopscope server.

    Parameters
    ----------
    address:
        ZeroMQ endpoint of the server, e.g. ``"tcp://127.0.0.1:15555"``.
    timeout_s:
        How long the server may stay silent (not answering even a status
        ping) before :class:`~flopscope.errors.ServerUnavailableError`.
    """

    def __init__(self, address: str, timeout_s: float | None = None) -> None:
        from flopscope import __version__

        self.address = address
        self.timeout_s = _timeout_from_env() if timeout_s is None else float(timeout_s)
        self._zmq = zmq.Context()
        self._socket = self._zmq.socket(zmq.DEALER)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.connect(address)
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._seq = 0
        self._proxies: dict[int, weakref.ref] = {}
        self._releases: deque[list[int]] = deque()
        self.closed = False
        self.session: str | None = None
        try:
            info = self._hello(__version__)
        except BaseException:  # including KeyboardInterrupt: never leak the sockets
            self._close_sockets()
            raise
        self.session = info["session"]
        self.public_id: str = info.get("public_id", "?")
        self.server_version: str = info.get("server_version", "?")
        self.byteorder: str = info.get("byteorder", "little")
        self.limits: dict[str, Any] = info.get("limits", {})
        self.manifest: dict[str, Any] = info["manifest"]
        if self.server_version != __version__:
            warnings.warn(
                f"flopscope-client {__version__} is talking to flopscope-server "
                f"{self.server_version}; the packages are released in lockstep at one version",
                FlopscopeWarning,
                stacklevel=3,
            )
        self._heartbeat = _Heartbeat(self, float(self.limits.get("heartbeat_s", 15.0)))
        self._heartbeat.start()

    # -- requests ----------------------------------------------------------------------
    def _hello(self, version: str) -> dict[str, Any]:
        header = {
            "id": next(self._ids),
            "op": "hello",
            "args": {
                "client": "flopscope-client",
                "version": version,
                "pid": os.getpid(),
                "host": socket.gethostname(),
            },
        }
        timeout, self.timeout_s = self.timeout_s, min(self.timeout_s, _HELLO_TIMEOUT_S)
        try:
            reply, _ = self._exchange(header, (), seq=None)
        finally:
            self.timeout_s = timeout
        if not reply.get("ok"):
            raise failures.exception_from(reply.get("error"), lambda v: v)
        result = reply.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("session"), str):
            raise ProtocolError("the server's hello reply has no session")
        return result

    def request(
        self,
        op: str,
        args: dict[str, Any] | None = None,
        *,
        values: dict[str, Any] | None = None,
        site: list | None = None,
    ) -> Any:
        """Send a session request and return its decoded result (or raise its error).

        ``args`` are sent as they are (already JSON); ``values`` are encoded
        first (proxies become handles, tuples and dtypes are tagged...).
        """
        with self._lock:
            self._check_open()
            encoder = ValueEncoder(self._handle_of, wire_name)
            payload = dict(args or {})
            for key, value in (values or {}).items():
                payload[key] = encoder.encode(value)
            return self._session_request(op, payload, encoder, site)

    def call(
        self,
        op: str,
        target: RemoteHandle | None,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        site: list | None,
        **fields: Any,
    ) -> Any:
        """A request carrying call arguments: ``call`` (``fn=...``) or ``method`` (``name=...``)."""
        with self._lock:
            self._check_open()
            encoder = ValueEncoder(self._handle_of, wire_name)
            payload: dict[str, Any] = dict(fields)
            if target is not None:
                payload["target"] = self._handle_of(target)
            payload["args"] = [encoder.encode(a) for a in args]
            if kwargs:
                payload["kwargs"] = {str(k): encoder.encode(v) for k, v in kwargs.items()}
            return self._session_request(op, payload, encoder, site)

    def _session_request(
        self, op: str, payload: dict[str, Any], encoder: ValueEncoder, site: list | None
    ) -> Any:
        """Number, send and await one session request (the lock is held)."""
        if site is not None:
            payload["site"] = site
        self._seq += 1
        header = {
            "id": next(self._ids),
            "op": op,
            "session": self.session,
            "seq": self._seq,
            "args": payload,
            "release": self._take_releases(),
        }
        reply, frames = self._exchange(header, encoder.buffers, seq=self._seq)
        return self._result(reply, frames, site)

    @property
    def expired(self) -> bool:
        """Whether the server no longer holds this session (timed out, or the server restarted)."""
        return self._heartbeat.expired

    def _check_open(self) -> None:
        if self.closed:
            raise SessionError("this flopscope connection is closed (its arrays are gone with it)")
        if self._heartbeat.expired:
            raise SessionError(
                "the flopscope server no longer holds this session (it timed out or the server "
                "restarted); flopscope.connect() opens a new one"
            )

    def _exchange(self, header: dict, buffers: Sequence[Any], seq: int | None) -> tuple[dict, list]:
        """Send one request and wait for its reply, re-sending it if it or its reply was lost."""
        frames = request_frames(header, buffers)
        limit = self.limits.get("max_message_bytes") if self.session else None
        size = sum(len(f) if not isinstance(f, memoryview) else f.nbytes for f in frames)
        if limit and size > limit:
            raise ProtocolError(
                f"request of {size:,} bytes exceeds the server's limit of {limit:,} bytes"
            )
        self._socket.send_multipart(frames)
        want = header["id"]
        status_id = None
        heard = time.monotonic()
        while True:
            if self._socket.poll(int(_STATUS_INTERVAL_S * 1000)):
                parts = self._socket.recv_multipart(copy=False)
                try:
                    reply = parse_reply(parts[0].buffer)
                except ValueError as exc:
                    raise ProtocolError(f"unreadable reply from the server: {exc}") from None
                heard = time.monotonic()
                if reply.get("id") == want:
                    return reply, [p.buffer for p in parts[1:]]
                is_status = status_id is not None and reply.get("id") == status_id
                if is_status and self._lost(reply, seq):
                    self._socket.send_multipart(frames)
                continue  # a stale reply (to a status ping, or to a request we re-sent)
            if time.monotonic() - heard > self.timeout_s:
                raise ServerUnavailableError(
                    f"no flopscope server answered at {self.address} for {self.timeout_s:g} s; "
                    "start one with `flopscope-server` or point FLOPSCOPE_SERVER at it"
                )
            if seq is not None:
                status_id = next(self._ids)
                self._socket.send_multipart(
                    request_frames({"id": status_id, "op": "ping", "session": self.session})
                )

    @staticmethod
    def _lost(status: dict, seq: int | None) -> bool:
        """Whether a status reply says our request (or its reply) never arrived."""
        if not status.get("ok"):
            error = status.get("error", {})
            raise failures.exception_from(error, lambda v: v)
        result = status.get("result") or {}
        return seq is not None and (
            result.get("seen_seq", 0) < seq or result.get("done_seq", 0) >= seq
        )

    def _result(self, reply: dict, frames: list, site: list | None) -> Any:
        decoder = ValueDecoder(self._adopt, self._dtype, make_record, frames)
        failures.warn_from(reply.get("warnings"), site)
        if reply.get("ok"):
            return decoder.decode(reply.get("result"))
        raise failures.exception_from(reply.get("error"), decoder.decode)

    # -- proxies and handles ----------------------------------------------------------------
    def _dtype(self, name: str) -> Any:
        return dtype_token(name, self.manifest.get("dtypes", {}) if self.session else {})

    def _handle_of(self, value: Any) -> int | None:
        if not isinstance(value, RemoteHandle):
            return None
        if value._conn is not self:
            raise ValueError("this object belongs to another flopscope connection")
        return value._cell[0]

    def _adopt(self, ref: dict) -> RemoteHandle:
        """The proxy for a ``ref`` the server sent (the live one, if the client still has it)."""
        handle = ref["h"]
        alive = self._proxies.get(handle)
        proxy = alive() if alive is not None else None
        if proxy is not None:
            proxy._cell[1] += 1
            return proxy
        factory = _PROXY_KINDS.get(ref.get("kind", "object")) or _PROXY_KINDS["object"]
        proxy = factory(self, ref)
        cell = [handle, 1]
        proxy._conn = self
        proxy._cell = cell
        releases = self._releases
        self._proxies[handle] = weakref.ref(proxy, lambda _dead, cell=cell: releases.append(cell))
        return proxy

    def _take_releases(self) -> list[list[int]]:
        taken = []
        while self._releases:
            handle, count = self._releases.popleft()
            taken.append([handle, count])
            alive = self._proxies.get(handle)
            if alive is not None and alive() is None:
                del self._proxies[handle]
        return taken

    # -- closing ------------------------------------------------------------------------------
    def close(self) -> None:
        """End the session: the server drops its budgets and arrays. Idempotent."""
        with self._lock:
            if self.closed:
                return
            self._heartbeat.stop()
            if self.session is not None and not self._heartbeat.expired:
                self._seq += 1
                header = {
                    "id": next(self._ids),
                    "op": "bye",
                    "session": self.session,
                    "seq": self._seq,
                    "release": self._take_releases(),
                }
                timeout, self.timeout_s = self.timeout_s, min(self.timeout_s, 2.0)
                try:
                    self._exchange(header, (), seq=self._seq)
                except Exception:  # the server may be gone; it will expire the session
                    pass
                finally:
                    self.timeout_s = timeout
            self.closed = True
            self._close_sockets()

    def _close_sockets(self) -> None:
        self._socket.close(linger=0)
        self._zmq.term()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"session {getattr(self, 'public_id', '?')}"
        return f"<flopscope connection to {self.address}, {state}>"


class _Heartbeat(threading.Thread):
    """Pings the server while the client is idle, so the session does not time out."""

    def __init__(self, conn: Connection, interval_s: float) -> None:
        super().__init__(name="flopscope-heartbeat", daemon=True)
        self._address = conn.address
        self._session = conn.session
        self._zmq = conn._zmq
        self._interval = max(0.05, interval_s)
        self._stopping = threading.Event()
        self.expired = False

    def run(self) -> None:
        sock = self._zmq.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self._address)
        ids = itertools.count(1)
        try:
            while not self._stopping.wait(self._interval):
                sock.send_multipart(
                    request_frames({"id": next(ids), "op": "ping", "session": self._session})
                )
                if sock.poll(int(min(self._interval, 0.5) * 1000)):
                    reply = parse_reply(sock.recv_multipart()[0])
                    if not reply.get("ok"):
                        self.expired = True
                        return
        except Exception:  # the main thread reports connection problems
            return
        finally:
            sock.close(linger=0)

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=2.0)


# -- the process's connection -------------------------------------------------------------

_current: Connection | None = None
_current_lock = threading.Lock()
_listeners: list[Callable[[], None]] = []


def on_reconnect(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the process's connection is replaced (surfaces reset caches)."""
    _listeners.append(listener)


def current() -> Connection:
    """The process's connection, opened on first use.

    An expired session is not replaced silently (its arrays and budgets are
    gone): requests raise :class:`~flopscope.errors.SessionError` until
    :func:`connect` is called.
    """
    conn = _current
    if conn is not None and not conn.closed:
        return conn
    return connect()


def connect(address: str | None = None, *, timeout_s: float | None = None) -> Connection:
    """Open (or re-open) the process's session on the server at ``address``.

    ``address`` defaults to ``$FLOPSCOPE_SERVER``, else ``tcp://127.0.0.1:15555``.
    An open connection to another address is closed first.
    """
    global _current
    address = address or os.environ.get(_ENV_ADDRESS) or DEFAULT_ADDRESS
    with _current_lock:
        if _current is not None and not _current.closed:
            if _current.address == address and not _current.expired:
                return _current
            _current.close()
        _current = Connection(address, timeout_s)
        for listener in _listeners:
            listener()
        return _current


def disconnect() -> None:
    """Close the process's session, if one is open (the server frees its budgets and arrays)."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.close()
            _current = None


atexit.register(disconnect)
