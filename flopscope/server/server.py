"""The server process: a ZeroMQ ROUTER socket, sessions, and a pool of workers.

Threads and who owns what:

* the **I/O thread** (the one calling :meth:`Server.serve_forever`) owns
  both sockets and the table of sessions. It parses every request, answers
  ``hello``, ``ping`` and ``stats`` itself, and queues session requests on
  their session; it forwards replies that workers hand back over an
  ``inproc`` socket, reaps sessions whose client went silent, and shuts
  everything down on :meth:`Server.stop`;
* **workers** (a thread pool) serve sessions. A session is served by at
  most one worker at a time, in request order, inside the session's own
  context (see :mod:`flopscope.server.session`); different sessions run in
  parallel as far as NumPy releases the GIL. A worker serves *one* request
  of a session and then puts the session back at the end of the pool's
  queue, so a session with many queued requests takes turns with the others;
* the **watchdog** (:mod:`flopscope.server.watchdog`) interrupts a request
  that uses more than ``--max-cpu-seconds`` of CPU.

Quotas (each a command-line option; past one the client gets an error reply
and the server goes on serving everyone): requests queued per session
(``--max-pending``), bytes per message (``--max-message-bytes``), objects
and bytes of array memory held per session (``--max-objects``,
``--max-memory``), CPU seconds per request (``--max-cpu-seconds``).

Delivery: every session request carries a sequence number. The last reply
of a session is kept; a request repeating the last sequence number gets it
again without running anything, so a client that lost a reply can retry
without being charged twice. A reply the socket cannot deliver (the client
disconnected) is logged with its sequence number and stays available for
such a retry.
"""

from __future__ import annotations

import heapq
import json
import logging
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import zmq

from flopscope.budget import session as process_ledger
from flopscope.server.handlers import SESSION_OPS, error_reply, serve
from flopscope.server.manifest import Surface, build_surface
from flopscope.server.protocol import (
    DEFAULT_MAX_MESSAGE_BYTES,
    PROTOCOL_VERSION,
    ProtocolError,
    Request,
    parse_request,
    reply_frames,
    request_id_of,
)
from flopscope.server.session import Session, SessionPolicy
from flopscope.server.watchdog import CPULimitInterrupt, Watchdog

__all__ = ["Server", "ServerConfig", "SessionError", "QuotaError", "DEFAULT_PORT"]

#: Port the server binds and clients connect to unless told otherwise.
DEFAULT_PORT = 15555

_log = logging.getLogger("flopscope.server")
_POLL_MS = 100
_REAP_EVERY_S = 0.25
_CLOSE = "__close__"  # internal request kind: end the session
#: Refusals over --max-pending held back per session until it makes progress.
_MAX_DEFERRED = 64
#: Messages ZeroMQ queues per client connection before it stops reading that connection.
_RECEIVE_HWM = 16


class SessionError(ProtocolError):
    """A request names a session the server does not hold (never opened, closed or expired)."""


class QuotaError(ProtocolError):
    """A session is past one of the server's per-session limits; the request was not run."""


@dataclass(frozen=True)
class ServerConfig:
    """Settings of a server (the command-line options of ``flopscope-server``)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 4
    session_timeout_s: float = 60.0
    max_sessions: int = 1024
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_handles: int = 1_000_000
    flop_multiplier: float = 1.0
    shutdown_grace_s: float = 10.0
    max_memory_bytes: int = 1 << 30
    max_pending: int = 8
    max_cpu_s: float = 10.0
    stats_token: str | None = None

    @property
    def bind_address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port if self.port else '*'}"

    @property
    def heartbeat_s(self) -> float:
        """How often clients should ping an idle session (a quarter of the timeout)."""
        return self.session_timeout_s / 4


def _describe_client(args: dict[str, Any]) -> str:
    def clean(value: Any) -> str:
        text = str(value)[:80]
        return "".join(ch if ch.isprintable() else "?" for ch in text)

    name = clean(args.get("client", "unknown client"))
    version = clean(args.get("version", "?"))
    pid = clean(args.get("pid", "?"))
    host = clean(args.get("host", "?"))
    return f"{name} {version}, pid {pid} on {host}"


class Server:
    """A flopscope server. ``bind()``, then ``serve_forever()``; ``stop()`` from any thread."""

    def __init__(self, config: ServerConfig, surface: Surface | None = None) -> None:
        from flopscope import __version__

        self.config = config
        self.version = __version__
        self.surface = surface if surface is not None else build_surface()
        self.policy = SessionPolicy(
            flop_multiplier=config.flop_multiplier,
            max_handles=config.max_handles,
            max_memory_bytes=config.max_memory_bytes,
            max_pending=config.max_pending,
            max_cpu_s=config.max_cpu_s,
        )
        self.watchdog = Watchdog(config.max_cpu_s)
        self.endpoint: str | None = None
        self._zmq = zmq.Context()
        self._router = self._zmq.socket(zmq.ROUTER)
        self._router.setsockopt(zmq.ROUTER_MANDATORY, 1)
        # Per connection: a flooding client is held back by TCP, not buffered by the server.
        self._router.setsockopt(zmq.RCVHWM, _RECEIVE_HWM)
        self._router.setsockopt(zmq.LINGER, 0)
        # Far past the protocol limit, ZeroMQ drops the peer before buffering the frame;
        # up to it, the message is received and refused with an error reply.
        self._router.setsockopt(zmq.MAXMSGSIZE, 2 * config.max_message_bytes + 65536)
        if ":" in config.host:
            self._router.setsockopt(zmq.IPV6, 1)
        self._inproc = f"inproc://flopscope-replies-{id(self)}"
        self._replies = self._zmq.socket(zmq.PULL)
        self._replies.setsockopt(zmq.LINGER, 0)
        self._replies.bind(self._inproc)
        self._pool = ThreadPoolExecutor(
            max_workers=config.workers, thread_name_prefix="flopscope-session"
        )
        self._worker_sockets: list[zmq.Socket] = []
        self._worker_sockets_lock = threading.Lock()
        self._local = threading.local()
        self._sessions: dict[str, Session] = {}
        self._stop = threading.Event()
        self._last_reap = time.monotonic()
        # Replies held back for a quota penalty:
        # (due time, order, token, envelope, frames, resubmit the session's drain after).
        self._held: list[tuple[float, int, str, list[bytes], list[Any], bool]] = []
        self._held_order = 0

    # -- lifecycle ----------------------------------------------------------------------
    def bind(self) -> str:
        """Bind the public socket; returns the endpoint actually bound (with its port)."""
        self._router.bind(self.config.bind_address)
        self.endpoint = self._router.getsockopt_string(zmq.LAST_ENDPOINT)
        return self.endpoint

    def stop(self) -> None:
        """Ask :meth:`serve_forever` to shut down (safe from signal handlers and other threads)."""
        self._stop.set()

    def serve_forever(self) -> bool:
        """Serve until :meth:`stop`; then close every session and release every resource.

        Returns whether the shutdown was clean (no call was still running after
        the grace period).
        """
        if self.endpoint is None:
            self.bind()
        self.watchdog.start()
        poller = zmq.Poller()
        poller.register(self._router, zmq.POLLIN)
        poller.register(self._replies, zmq.POLLIN)
        _log.info(
            "flopscope-server %s listening on %s (protocol %d, %d workers)",
            self.version,
            self.endpoint,
            PROTOCOL_VERSION,
            self.config.workers,
        )
        try:
            while not self._stop.is_set():
                events = dict(poller.poll(self._poll_ms()))
                if self._replies in events:
                    self._forward_replies()
                if self._held:
                    self._release_held()
                if self._router in events:
                    self._receive_requests()
                self._reap_idle_sessions()
        finally:
            clean = self._shutdown()
        return clean

    def _shutdown(self) -> bool:
        _log.info("shutting down: closing %d sessions", len(self._sessions))
        for session in list(self._sessions.values()):
            self._close_session(session, "server shutdown")
        deadline = time.monotonic() + self.config.shutdown_grace_s
        while self._sessions and time.monotonic() < deadline:
            if self._replies.poll(_POLL_MS):
                self._forward_replies()
            if self._held:
                self._release_held()
        clean = not self._sessions
        if not clean:
            _log.warning(
                "%d sessions still running after %.0f s; abandoning them",
                len(self._sessions),
                self.config.shutdown_grace_s,
            )
        self.watchdog.stop()
        self._pool.shutdown(wait=clean, cancel_futures=True)
        if clean:
            with self._worker_sockets_lock:
                for sock in self._worker_sockets:
                    sock.close(linger=0)
            self._router.close(linger=0)
            self._replies.close(linger=0)
            self._zmq.term()
        _log.info("server stopped")
        return clean

    # -- stats ----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Open sessions, objects and bytes held (for the operator: see :meth:`_stats`)."""
        sessions = list(self._sessions.values())
        return {
            "sessions": len(sessions),
            "objects": sum(len(s.handles) for s in sessions),
            "bytes": sum(s.handles.held_bytes for s in sessions),
            "server_version": self.version,
            "protocol": PROTOCOL_VERSION,
        }

    def _stats(self, request: Request) -> dict[str, Any]:
        """``stats`` as a client sees it: its own session's state only.

        Server-wide figures (other sessions' counts) are shown only to a
        request carrying the operator's ``--stats-token``.
        """
        token = request.args.get("token")
        if self.config.stats_token and isinstance(token, str):
            if secrets.compare_digest(token.encode(), self.config.stats_token.encode()):
                return self.stats()
            raise ProtocolError("wrong stats token")
        base = {"server_version": self.version, "protocol": PROTOCOL_VERSION}
        if request.session is None:
            return base
        session = self._session_of(request)
        return {
            **base,
            "objects": len(session.handles),
            "bytes": session.handles.held_bytes,
            "requests": session.requests,
        }

    # -- inbound --------------------------------------------------------------------------
    def _receive_requests(self) -> None:
        while True:
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            self._on_message(frames)

    def _send(self, envelope: list[bytes], frames: list[Any]) -> bool:
        try:
            self._router.send_multipart([*envelope, *frames], zmq.NOBLOCK)
            return True
        except zmq.ZMQError:  # peer gone (ROUTER_MANDATORY) or its queue full
            return False

    def _on_message(self, raw: list[zmq.Frame]) -> None:
        envelope = [raw[0].bytes]
        body = raw[1:]
        if body and len(body[0]) == 0:  # a REQ client's delimiter frame
            envelope.append(b"")
            body = body[1:]
        frames = [f.buffer for f in body]
        try:
            request = parse_request(frames, self.config.max_message_bytes)
        except ProtocolError as exc:
            request_id = request_id_of(frames) if frames and len(frames[0]) <= 65536 else None
            _log.debug("refused a malformed message: %s", exc)
            self._send(envelope, error_reply(request_id, exc))
            return
        try:
            self._route(envelope, request)
        except ProtocolError as exc:
            self._send(envelope, error_reply(request.id, exc))

    def _route(self, envelope: list[bytes], request: Request) -> None:
        op = request.op
        if op == "hello":
            self._send(envelope, self._hello(request))
        elif op == "stats":
            self._send(envelope, reply_frames(request.id, result=self._stats(request)))
        elif op == "ping":
            self._send(envelope, self._ping(request))
        elif op == "bye" or op in SESSION_OPS:
            self._enqueue(envelope, request)
        else:
            raise ProtocolError(f"unknown request kind {op!r}")

    def _session_of(self, request: Request) -> Session:
        session = self._sessions.get(request.session) if request.session else None
        if session is None:
            raise SessionError("unknown session: it was never opened, or was closed or expired")
        return session

    def _hello(self, request: Request) -> list[Any]:
        if len(self._sessions) >= self.config.max_sessions:
            raise ProtocolError(
                f"the server holds {len(self._sessions)} sessions, its limit; try again later"
            )
        session = Session(self.policy, client=_describe_client(request.args))
        self._sessions[session.token] = session
        _log.info("session %s opened (%s)", session.public_id, session.client)
        return reply_frames(
            request.id,
            result={
                "session": session.token,
                "public_id": session.public_id,
                "server_version": self.version,
                "protocol": PROTOCOL_VERSION,
                "byteorder": sys.byteorder,
                "limits": {
                    "max_message_bytes": self.config.max_message_bytes,
                    "session_timeout_s": self.config.session_timeout_s,
                    "heartbeat_s": self.config.heartbeat_s,
                    "flop_multiplier": self.config.flop_multiplier,
                    "max_pending": self.config.max_pending,
                    "max_memory_bytes": self.config.max_memory_bytes,
                    "max_objects": self.config.max_handles,
                    "max_cpu_s": self.config.max_cpu_s,
                },
                "manifest": self.surface.manifest,
            },
        )

    def _ping(self, request: Request) -> list[Any]:
        session = self._session_of(request)
        with session.lock:
            session.last_seen = time.monotonic()
            status = {
                "seen_seq": session.seen_seq,
                "done_seq": session.done_seq,
                "running": session.running,
            }
        return reply_frames(request.id, result=status)

    def _enqueue(self, envelope: list[bytes], request: Request) -> None:
        session = self._session_of(request)
        seq = request.seq
        if seq is None:
            raise ProtocolError(f"a {request.op} request needs a sequence number 'seq'")
        with session.lock:
            session.last_seen = time.monotonic()
            if seq == session.done_seq and session.done_reply is not None:
                _log.info(
                    "session %s: request %d repeated; its reply is sent again, nothing re-run",
                    session.public_id,
                    seq,
                )
                self._send(envelope, _mark_redelivered(session.done_reply))
                return
            if seq <= session.seen_seq:
                if seq > session.done_seq:
                    return  # a retry of the request in hand; its reply is on the way
                raise ProtocolError(
                    f"request {seq} is older than the session's last ({session.seen_seq})"
                )
            if session.closing:
                raise SessionError("the session is closing")
            queued = len(session.pending) + (1 if session.serving else 0)
            if queued >= self.config.max_pending and request.op != "bye":
                session.refused += 1
                self._defer_refusal(session, envelope, request.id, queued)
                return
            session.seen_seq = seq
            if request.op == "bye":
                session.closing = True
            session.pending.append((envelope, request))
            start = not session.running
            session.running = True
        if start:
            self._pool.submit(self._drain, session)

    def _defer_refusal(
        self, session: Session, envelope: list[bytes], request_id: int | None, queued: int
    ) -> None:
        """Refuse a request over ``--max-pending``, replying once the session makes progress.

        The refusal is sent when the session's next reply goes out, not at once:
        a client that keeps many requests in flight is thereby slowed to the pace
        of its own accepted work instead of making the server read and refuse
        messages as fast as it can send them. Past :data:`_MAX_DEFERRED` waiting
        refusals, further requests over the limit are dropped without a reply
        (the client library never has more than one request in flight).
        Called with ``session.lock`` held.
        """
        if len(session.deferred) >= _MAX_DEFERRED:
            _log.debug("session %s: request over quota dropped", session.public_id)
            return
        error = QuotaError(
            f"this session has {queued} requests queued or running, the server's limit "
            f"(--max-pending {self.config.max_pending}); the request was not run. "
            "Wait for replies before sending more"
        )
        session.deferred.append((envelope, error_reply(request_id, error)))

    def _flush_refusals(self, session: Session) -> None:
        """Send waiting refusals: one per reply while the session is busy, all once it is idle."""
        with session.lock:
            if session.running:
                deferred = session.deferred[:1]
                del session.deferred[:1]
            else:
                deferred, session.deferred = session.deferred, []
        for envelope, frames in deferred:
            self._send(envelope, frames)

    def _poll_ms(self) -> int:
        if not self._held:
            return _POLL_MS
        wait = self._held[0][0] - time.monotonic()
        return max(0, min(_POLL_MS, int(wait * 1000) + 1))

    def _hold(
        self,
        token: str,
        envelope: list[bytes],
        frames: list[Any],
        penalty_s: float,
        resume: bool = False,
    ) -> None:
        """Send a quota refusal only after ``penalty_s`` seconds.

        A client past a quota that keeps sending (an upload it may not keep, a
        flood of requests) gets its refusals at a slow pace, so it slows down
        to that pace instead of making the server receive and refuse messages
        as fast as it can send them.
        """
        self._held_order += 1
        due = time.monotonic() + penalty_s
        heapq.heappush(self._held, (due, self._held_order, token, envelope, frames, resume))

    def _release_held(self) -> None:
        now = time.monotonic()
        while self._held and self._held[0][0] <= now:
            _, _, token, envelope, frames, resume = heapq.heappop(self._held)
            session = self._sessions.get(token)
            if session is not None and session.deferred:
                self._flush_refusals(session)
            self._send(envelope, frames)
            if resume and session is not None:
                self._pool.submit(self._drain, session)

    # -- sessions ending ---------------------------------------------------------------
    def _close_session(self, session: Session, reason: str) -> None:
        with session.lock:
            if session.closing:
                return
            session.closing = True
            session.pending.append(([], Request(id=None, op=_CLOSE, args={"reason": reason})))
            start = not session.running
            session.running = True
        if start:
            self._pool.submit(self._drain, session)

    def _reap_idle_sessions(self) -> None:
        now = time.monotonic()
        if now - self._last_reap < _REAP_EVERY_S:
            return
        self._last_reap = now
        for session in list(self._sessions.values()):
            if not session.closing and session.idle_for(now) > self.config.session_timeout_s:
                self._close_session(
                    session, f"timed out after {self.config.session_timeout_s:g} s of silence"
                )

    # -- workers -------------------------------------------------------------------------------
    def _worker_socket(self) -> zmq.Socket:
        sock = getattr(self._local, "socket", None)
        if sock is None:
            sock = self._zmq.socket(zmq.PUSH)
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(self._inproc)
            self._local.socket = sock
            with self._worker_sockets_lock:
                self._worker_sockets.append(sock)
        return sock

    def _drain(self, session: Session) -> None:
        """Serve ``session``'s queued requests in order (one worker per session at a time)."""
        try:
            self._serve_pending(session)
        except Exception:  # a server bug must not leave a session stuck forever
            _log.exception("session %s: internal error; dropping the session", session.public_id)
            with session.lock:
                session.pending.clear()
                session.running = False
                session.closing = True
            session.handles.clear()
            self._worker_socket().send_multipart([b"closed", session.token.encode()])

    def _serve_pending(self, session: Session) -> None:
        """Serve the next queued request of ``session``, then requeue it if it has more.

        One request per turn: a session with many queued requests goes back to
        the end of the pool's queue after each, so it cannot keep a worker
        from the other sessions.
        """
        out = self._worker_socket()
        token = session.token.encode()
        with session.lock:
            if not session.pending:
                session.running = False
                session.last_seen = time.monotonic()
                return
            envelope, request = session.pending.popleft()
            session.serving = True
        if request.op in (_CLOSE, "bye"):
            reason = "client said goodbye" if request.op == "bye" else request.args["reason"]
            if request.op == "bye":
                reply = reply_frames(request.id, result=None)
                out.send_multipart(_reply_message(token, request.seq, envelope, reply))
            report = session.run(session.close, reason)
            _log.info("%s", report)
            # The server never reads the process-wide ledger; keep it from growing.
            process_ledger.reset()
            out.send_multipart([b"closed", token])
            with session.lock:
                session.pending.clear()
                session.running = False
            return
        reply = self._serve_one(session, request)
        penalty, session.penalty_s = session.penalty_s, 0.0
        with session.lock:
            session.serving = False
            session.requests += 1
            session.done_seq = request.seq or 0
            session.done_reply = reply
            more = bool(session.pending)
            if not more:
                session.running = False
                session.last_seen = time.monotonic()
        if penalty:
            # Refused for a quota or interrupted: the reply, and the session's next turn,
            # come after the penalty (the I/O thread resubmits the session then).
            kind = f"{'held+more' if more else 'held'}:{penalty:g}".encode()
            out.send_multipart(_reply_message(token, request.seq, envelope, reply, kind))
            return
        out.send_multipart(_reply_message(token, request.seq, envelope, reply))
        if more:
            self._pool.submit(self._drain, session)

    def _serve_one(self, session: Session, request: Request) -> list[Any]:
        """One request, under the watchdog's CPU limit."""
        reply: list[Any] | None = None
        try:
            self.watchdog.begin(session.public_id)
            try:
                reply = session.run(serve, session, request, self.surface)
            finally:
                self.watchdog.end()
        except CPULimitInterrupt:
            _log.info(
                "session %s: request %s interrupted after %g CPU seconds",
                session.public_id,
                request.seq,
                self.config.max_cpu_s,
            )
            if reply is None:
                reply = error_reply(request.id, self.watchdog.error())
            # as long a pause as the CPU time it took: a session sending one overlong
            # request after another gets at most half of a worker
            session.penalty_s = self.config.max_cpu_s
        if reply is None:  # pragma: no cover - serve always returns a reply
            reply = error_reply(request.id, RuntimeError("no reply"))
        return reply

    def _forward_replies(self) -> None:
        while True:
            try:
                message = self._replies.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            kind, token = message[0], message[1].decode()
            if kind == b"closed":
                self._sessions.pop(token, None)
                continue
            seq, count = int(message[2]), message[3][0]
            envelope, frames = message[4 : 4 + count], message[4 + count :]
            if kind.startswith(b"held"):
                state, _, penalty = kind.decode().partition(":")
                self._hold(token, envelope, frames, float(penalty), resume=state == "held+more")
                continue
            session = self._sessions.get(token)
            if session is not None and session.deferred:
                self._flush_refusals(session)
            if not self._send(envelope, frames):
                if session is not None:
                    with session.lock:
                        session.undelivered += 1
                    _log.warning(
                        "session %s: the reply to request %d could not be delivered "
                        "(client gone); it is kept for a retry",
                        session.public_id,
                        seq,
                    )


def _reply_message(
    token: bytes, seq: int | None, envelope: list[bytes], frames: list[Any], kind: bytes = b"reply"
) -> list[Any]:
    return [kind, token, str(seq or 0).encode(), bytes([len(envelope)]), *envelope, *frames]


def _mark_redelivered(frames: list[Any]) -> list[Any]:
    header = json.loads(bytes(frames[0]))
    header["redelivered"] = True
    return [json.dumps(header, separators=(",", ":")).encode(), *frames[1:]]
