"""``flopscope-server`` / ``python -m flopscope.server``: the server's command line.

Binds to loopback by default; ``--host 0.0.0.0`` (or an interface address)
exposes it to other machines, which only makes sense on a network you
trust or behind a tunnel: the protocol neither authenticates nor encrypts.
SIGINT and SIGTERM shut it down cleanly (running calls finish, every
session is closed and logged, exit status 0); if a call is still running
after the grace period the process exits with status 3 without waiting.
One log line is written when a session opens and one when it closes,
with what it counted.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

__all__ = ["main", "parse_args"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


_SWITCH_INTERVAL_S = 0.001
_SUFFIXES = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _byte_count(text: str) -> int:
    """``"512M"`` -> 536870912; a plain number is bytes."""
    body = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = _SUFFIXES.get(body[-1:], 1)
    if scale != 1:
        body = body[:-1]
    try:
        value = int(float(body) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a byte count: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive byte count, got {text}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options (see ``flopscope-server --help``)."""
    from flopscope.server.protocol import DEFAULT_MAX_MESSAGE_BYTES
    from flopscope.server.server import DEFAULT_PORT

    parser = argparse.ArgumentParser(
        prog="flopscope-server",
        description="Serve counted flopscope computations to flopscope-client processes "
        "over ZeroMQ.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free port, printed at start)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=4,
        help="threads serving sessions in parallel (default 4)",
    )
    parser.add_argument(
        "--session-timeout",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="close a session whose client has been silent this long (default 60)",
    )
    parser.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=1024,
        help="most sessions open at once (default 1024)",
    )
    parser.add_argument(
        "--max-message-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_MESSAGE_BYTES,
        help=f"largest request accepted (default {DEFAULT_MAX_MESSAGE_BYTES})",
    )
    parser.add_argument(
        "--max-objects",
        type=_positive_int,
        default=1_000_000,
        help="most arrays and other objects one session may hold (default 1000000)",
    )
    parser.add_argument(
        "--max-memory",
        type=_byte_count,
        default=1 << 30,
        metavar="BYTES",
        help="most bytes of array memory one session may hold; suffixes K, M, G (default 1G)",
    )
    parser.add_argument(
        "--max-pending",
        type=_positive_int,
        default=8,
        help="most requests of one session queued or running at once (default 8)",
    )
    parser.add_argument(
        "--max-cpu-seconds",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="CPU seconds one request may use before it is interrupted (default 10)",
    )
    parser.add_argument(
        "--stats-token",
        default=os.environ.get("FLOPSCOPE_SERVER_STATS_TOKEN"),
        metavar="SECRET",
        help="a 'stats' request carrying this token sees server-wide figures "
        "(default $FLOPSCOPE_SERVER_STATS_TOKEN; without one, stats show a session its own)",
    )
    parser.add_argument(
        "--flop-multiplier",
        type=_positive_float,
        default=1.0,
        help="multiplier of every session's budgets; clients cannot change it (default 1)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default INFO",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a server until SIGINT or SIGTERM; returns the process exit code."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s flopscope-server %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    from flopscope.server import relay
    from flopscope.server.server import Server, ServerConfig

    config = ServerConfig(
        host=args.host,
        port=args.port,
        workers=args.workers,
        session_timeout_s=args.session_timeout,
        max_sessions=args.max_sessions,
        max_message_bytes=args.max_message_bytes,
        max_handles=args.max_objects,
        flop_multiplier=args.flop_multiplier,
        max_memory_bytes=args.max_memory,
        max_pending=args.max_pending,
        max_cpu_s=args.max_cpu_seconds,
        stats_token=args.stats_token or None,
    )
    server = Server(config)
    try:
        server.bind()
    except Exception as exc:  # report any bind failure plainly
        logging.getLogger("flopscope.server").error(
            "cannot listen on %s: %s", config.bind_address, exc
        )
        return 2
    relay.install()
    # Threads hand the GIL over every millisecond instead of every 5: a request running
    # Python code for long (a cost search) then delays the other sessions' short requests
    # by about a millisecond per hand-over rather than five.
    sys.setswitchinterval(_SWITCH_INTERVAL_S)

    def request_stop(signum: int, _frame: object) -> None:
        logging.getLogger("flopscope.server").info("received %s", signal.Signals(signum).name)
        server.stop()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    if not server.serve_forever():
        # A call still running after the grace period: do not wait for it at exit.
        logging.shutdown()
        os._exit(3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
