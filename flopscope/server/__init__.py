"""``flopscope.server``: run counted computations for remote clients.

A server process holds sessions, their budgets and their arrays; clients
(the numpy-free ``flopscope-client`` package, imported as ``flopscope``)
send it calls over ZeroMQ and get results back by handle. Code running
under a budget in the client process holds neither the arrays nor the
budget, so it cannot tamper with the count.

Start one with the ``flopscope-server`` command (or ``python -m
flopscope.server``); see ``docs/remote.md`` for the protocol and the trust
model. This package needs the ``server`` extra: ``pip install
"flopscope[server]"``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Server", "ServerConfig", "DEFAULT_PORT", "PROTOCOL_VERSION"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``import flopscope.server.protocol`` (and the
    # package docstring) do not need pyzmq.
    if name in ("Server", "ServerConfig", "DEFAULT_PORT"):
        try:
            from flopscope.server import server
        except ImportError as exc:  # pragma: no cover - depends on the installation
            if getattr(exc, "name", None) == "zmq":
                raise ImportError(
                    'flopscope.server needs pyzmq: pip install "flopscope[server]"'
                ) from exc
            raise
        return getattr(server, name)
    if name == "PROTOCOL_VERSION":
        from flopscope.server.protocol import PROTOCOL_VERSION

        return PROTOCOL_VERSION
    raise AttributeError(f"module 'flopscope.server' has no attribute {name!r}")
