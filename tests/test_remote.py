"""flopscope-server and flopscope-client, tested against a real server process.

A module fixture starts ``python -m flopscope.server`` on a free loopback
port (short session timeout, small message limit) and stops it with SIGTERM
at the end, checking that it shut down cleanly. Tests talk to it in three
ways: raw ZeroMQ messages (protocol attacks), the client package in a child
process (the client occupies the ``flopscope`` name, so it cannot share this
process with the library), and ``tests/remote_behaviour.py``, whose scenarios
must observe exactly the same things in-process and through the client.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

zmq = pytest.importorskip(
    "zmq", reason='the remote tests need pyzmq: pip install "flopscope[server]"'
)

import remote_behaviour  # noqa: E402  (tests/ is on sys.path)

from flopscope.registry import REGISTRY, Category  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLIENT_DIR = ROOT / "client"
BEHAVIOUR = Path(remote_behaviour.__file__).resolve()
MAX_MESSAGE = 1 << 20
SESSION_TIMEOUT = 1.0
MAX_SESSIONS = 300
#: The operator's secret for server-wide ``stats`` (a client sees only its own session).
STATS_TOKEN = "operator-secret"


# -- a real server -------------------------------------------------------------------------


class ServerProcess:
    """``python -m flopscope.server`` in a child process, logging to a file."""

    def __init__(self, log_path: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "FLOPSCOPE_DISABLE_WEIGHTS": "1"}
        env.pop("FLOPSCOPE_WEIGHTS_FILE", None)
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flopscope.server",
                "--port",
                "0",
                "--stats-token",
                STATS_TOKEN,
                *args,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        self.address = self._wait_for_address()

    def _wait_for_address(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in self.log().splitlines():
                if "listening on " in line:
                    return line.split("listening on ")[1].split()[0]
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log()}")
            time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code


class RawClient:
    """Hand-made protocol messages over a DEALER socket (for attacks and exact checks)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.context = zmq.Context()
        self.socket = self.new_socket()
        self._ids = iter(range(1, 10**9))

    def new_socket(self) -> Any:
        sock = self.context.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self.address)
        return sock

    def send_raw(self, frames: list[bytes], sock: Any = None) -> None:
        (sock or self.socket).send_multipart(frames)

    def receive(self, timeout_s: float = 10.0, sock: Any = None) -> dict | None:
        sock = sock or self.socket
        if not sock.poll(int(timeout_s * 1000)):
            return None
        frames = sock.recv_multipart()
        if frames[0] == b"":  # the reply to a message that began with a REQ-style delimiter
            frames = frames[1:]
        header = json.loads(frames[0])
        header["_frames"] = frames[1:]
        return header

    def request(
        self,
        op: str,
        *,
        session: str | None = None,
        seq: int | None = None,
        release: list | None = None,
        sock: Any = None,
        **args: Any,
    ) -> dict:
        header: dict[str, Any] = {"v": 1, "id": next(self._ids), "op": op, "args": args}
        if session is not None:
            header["session"] = session
        if seq is not None:
            header["seq"] = seq
        if release is not None:
            header["release"] = release
        self.send_raw([json.dumps(header).encode()], sock)
        reply = self.receive(sock=sock)
        assert reply is not None, f"no reply to {op}"
        assert reply["id"] == header["id"]
        return reply

    def close(self) -> None:
        self.context.destroy(linger=0)


class RawSession:
    """One session opened by hand, numbering its requests."""

    def __init__(self, raw: RawClient) -> None:
        self.raw = raw
        reply = raw.request("hello", client="raw-test")
        assert reply["ok"], reply
        self.token = reply["result"]["session"]
        self.manifest = reply["result"]["manifest"]
        self.seq = 0

    def __call__(self, op: str, **args: Any) -> dict:
        self.seq += 1
        return self.raw.request(op, session=self.token, seq=self.seq, **args)

    def ok(self, op: str, **args: Any) -> Any:
        reply = self(op, **args)
        assert reply["ok"], reply
        return reply["result"]

    def call(self, fn: str, *args: Any, **kwargs: Any) -> Any:
        return self.ok("call", fn=fn, args=list(args), kwargs=kwargs)

    def bye(self) -> None:
        self.ok("bye")


def error_type(reply: dict) -> str:
    assert reply["ok"] is False, reply
    return reply["error"]["mro"][0][1]


def stats(address: str) -> dict:
    """Server-wide figures, as the operator reads them (with the stats token)."""
    raw = RawClient(address)
    try:
        return raw.request("stats", token=STATS_TOKEN)["result"]
    finally:
        raw.close()


def idle(address: str) -> dict:
    """Stats once earlier tests' sessions have expired: nothing open, nothing held."""
    empty = {"sessions": 0, "objects": 0, "bytes": 0}
    assert wait_until(lambda: {k: stats(address)[k] for k in empty} == empty, 10), stats(address)
    return stats(address)


def wait_until(condition: Any, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc = ServerProcess(
        log,
        "--session-timeout",
        str(SESSION_TIMEOUT),
        "--max-message-bytes",
        str(MAX_MESSAGE),
        "--max-sessions",
        str(MAX_SESSIONS),
        "--workers",
        "4",
    )
    yield proc
    code = proc.stop(signal.SIGTERM)
    text = proc.log()
    assert code == 0, text
    assert "received SIGTERM" in text and "server stopped" in text, text
    assert "Traceback" not in text, text


@pytest.fixture
def raw(server: ServerProcess) -> Iterator[RawClient]:
    client = RawClient(server.address)
    yield client
    client.close()


def run_client(
    address: str,
    code: str,
    *,
    timeout: float = 60,
    python: str = sys.executable,
    env: dict | None = None,
    extra_path: str | None = None,
) -> subprocess.CompletedProcess:
    """Run ``code`` with flopscope-client as ``flopscope``, against ``address``."""
    environment = {**os.environ, "FLOPSCOPE_SERVER": address, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, str(CLIENT_DIR)) if p)
    return subprocess.run(
        [python, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        cwd=str(ROOT / "tests"),
    )


# -- the protocol, shared in spirit --------------------------------------------------------------


def _client_protocol() -> Any:
    path = CLIENT_DIR / "flopscope" / "_remote" / "protocol.py"
    spec = importlib.util.spec_from_file_location("flopscope_client_protocol", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # stdlib-only by design, so it loads on its own
    return module


def test_client_and_server_codecs_agree():
    from flopscope.server import protocol as server

    client = _client_protocol()
    assert client.PROTOCOL_VERSION == server.PROTOCOL_VERSION
    assert set(client.BUFFER_FORMATS) == set(server.BUFFER_FORMATS)

    import array

    sent = [
        1,
        -2.5,
        "s",
        None,
        True,
        [1, (2, 3)],
        {"k": (1.5, None)},
        slice(1, None, 2),
        Ellipsis,
        3 - 4j,
        float("inf"),
        b"raw",
        array.array("d", [1.0, 2.0]),
        memoryview(b"\x01\x02").cast("B"),
    ]
    encoder = client.ValueEncoder(lambda v: None, lambda v: None)
    wire = json.loads(json.dumps([encoder.encode(v) for v in sent]))
    decoder = server.ValueDecoder(
        lambda h: None, lambda n: None, [memoryview(b) for b in encoder.buffers]
    )
    got = [decoder.decode(v) for v in wire]
    assert got[:11] == sent[:11]
    assert got[11] == b"raw"
    assert got[12].dtype == np.float64 and got[12].tolist() == [1.0, 2.0]
    assert got[13].dtype == np.uint8 and got[13].tolist() == [1, 2]

    arrays = [
        np.arange(6.0).reshape(2, 3),
        np.array([1 + 2j, -3j]),
        np.ones(3, np.float16) / 3,
        np.array([True, False]),
        np.zeros((2, 0, 3)),
        np.array(7, np.int8),
        np.arange(4, dtype=np.uint64),
    ]
    for a in arrays:
        out = server.ValueEncoder(lambda obj: {})
        value = json.loads(json.dumps(out.encode_array_data(a)))
        back = client.ValueDecoder(lambda r: None, str, dict, out.buffers).decode(value)
        assert back == a.tolist(), a


def test_manifest_offers_the_whole_registry(raw: RawClient):
    manifest = RawSession(raw).manifest
    offered = {f"{m}:{f}" for m, entry in manifest["modules"].items() for f in entry["functions"]}
    blocked = {f"{m}:{b}" for m, entry in manifest["modules"].items() for b in entry["blocked"]}
    methods = {f"{key}:{m}" for key, entry in manifest["classes"].items() for m in entry["methods"]}
    for op in REGISTRY.values():
        key = f"{op.module}:{op.attr}"
        if op.module == "numpy.ndarray":
            continue
        if op.category is Category.BLOCKED:
            assert key in blocked or key in methods or op.module in manifest["classes"], key
        elif op.module in manifest["classes"]:
            assert key in methods, key
        else:
            assert key in offered or key in blocked, key  # withheld entries are listed as blocked


def _imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    """Top-level names of the modules a file imports, and the dotted names it calls."""
    import ast

    tree = ast.parse(path.read_text())
    imported, called = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call):
            called.add(ast.unparse(node.func))
    return imported, called


def test_the_client_never_imports_numpy_and_the_server_never_unpickles():
    for path in (CLIENT_DIR / "flopscope").rglob("*.py"):
        imported, _ = _imports_and_calls(path)
        assert imported <= {"flopscope", "zmq", "__future__"} | set(sys.stdlib_module_names), (
            path,
            imported,
        )
        assert "numpy" not in imported, path
    for path in (ROOT / "flopscope" / "server").rglob("*.py"):
        imported, called = _imports_and_calls(path)
        assert not imported & {"pickle", "marshal", "shelve", "dill", "cloudpickle"}, path
        assert not {c for c in called if c.split(".")[-1] in ("eval", "exec", "loads", "load")} - {
            "json.loads"
        }, path


# -- trust boundary ------------------------------------------------------------------------


GARBAGE = [
    [b"\x00\xff garbage \xfe"],
    [bytes(random.Random(1).getrandbits(8) for _ in range(4096))],
    [b""],
    [b"[1, 2, 3]"],
    [b'{"v": 1, "id": 5}'],
    [b'{"v": 99, "id": 6, "op": "hello"}'],
    [b'{"v": 1, "id": 7, "op": "call", "args": []}'],
    [b'{"v": 1, "id": 8, "op": "ping", "session": "forged"}'],
    [b'{"v": 1, "id": 9, "op": "call", "session": "forged", "seq": 1}'],
    [b'{"v": 1, "id": 10, "op": "hello", "args": {"x": NaN}}'],
    [("[" * 100_000 + "]" * 100_000).encode()],
    [b'{"v": 1, "id": 11, "op": "' + b"x" * 5000 + b'"}'],
    [b'{"v": 1, "id": 12, "op": "hello", "release": "everything"}'],
    [b'{"v": 1, "id": 13, "op": "stats"}', *([b"x"] * 1100)],
]


def test_garbage_gets_error_replies_and_the_server_keeps_serving(
    server: ServerProcess, raw: RawClient
):
    for frames in GARBAGE:
        raw.send_raw(frames)
        reply = raw.receive(timeout_s=10)
        assert reply is not None, frames[0][:40]
        assert reply["ok"] is False, reply
        assert reply["error"]["message"], reply
    session = RawSession(raw)
    handle = session.call("numpy:ones", [2, 2])["h"]
    # malformed values inside a well-formed request
    for args in (
        {"fn": "numpy:exp", "args": [{"$": "ref", "h": 999}]},
        {"fn": "numpy:exp", "args": [{"$": "nonsense"}]},
        {"fn": "numpy:exp", "args": [{"no": "tag"}]},
        {"fn": "numpy:array", "args": [{"$": "buffer", "frame": 0, "format": "d", "shape": [4]}]},
        {"fn": "numpy:zeros", "args": [3], "kwargs": {"dtype": {"$": "dtype", "name": "object"}}},
        {"fn": "numpy:zeros", "args": [3], "kwargs": {"dtype": {"$": "dtype", "name": "O"}}},
        {"fn": "numpy:exp", "args": {"not": "a list"}},
        {"fn": "numpy:exp", "args": [{"$": "slice", "start": "a"}]},
    ):
        reply = session("call", **args)
        assert error_type(reply) in ("ProtocolError", "TypeError", "UnsupportedDtypeError"), reply
    value = session.ok("fetch", target=session.call("numpy:exp", {"$": "ref", "h": handle})["h"])
    assert value["$"] == "buffer"
    assert "Traceback" not in server.log()


def test_oversized_messages(server: ServerProcess, raw: RawClient):
    big = b" " * (MAX_MESSAGE + 10)
    raw.send_raw([b'{"v": 1, "id": 1, "op": "stats"}', big])
    reply = raw.receive()
    assert reply is not None and reply["ok"] is False
    assert "exceeds the server's limit" in reply["error"]["message"]
    # Far past the limit, ZeroMQ drops the connection instead of buffering the message.
    huge = raw.new_socket()
    raw.send_raw([b'{"v": 1, "id": 2, "op": "stats"}', b" " * (3 * MAX_MESSAGE)], huge)
    assert raw.receive(timeout_s=1.0, sock=huge) is None
    assert stats(server.address)["protocol"] == 1  # and everyone else is still served


def test_unknown_and_forbidden_requests(raw: RawClient):
    session = RawSession(raw)
    array = session.call("numpy:ones", 3)["h"]
    budget = session.ok("budget_new", flop_budget=1000)["h"]
    assert error_type(session("frobnicate")) == "ProtocolError"
    assert error_type(session("call", fn="os:system", args=["true"])) == "ProtocolError"
    assert error_type(session("call", fn="numpy:not_a_function", args=[])) == "ProtocolError"
    assert (
        error_type(session("call", fn="numpy.random:set_bit_generator", args=[])) == "ProtocolError"
    )
    for name in (
        "tofile",
        "dump",
        "ctypes",
        "__reduce__",
        "__class__",
        "__init__",
        "setflags",
        "resize",
    ):
        reply = session("method", target=array, name=name, args=[])
        assert error_type(reply) in ("PermissionError", "AttributeError"), (name, reply)
    for name in ("_used", "_budget", "trace", "_mult", "__dict__"):
        reply = session("getattr", target=budget, name=name)
        assert error_type(reply) in ("PermissionError", "AttributeError"), (name, reply)
    for name in ("data", "ctypes", "base", "__array_interface__"):
        assert error_type(session("getattr", target=array, name=name)) in (
            "PermissionError",
            "AttributeError",
        )
    assert "configure" not in str(session.manifest["modules"]["flopscope"])
    assert error_type(session("budget_enter", target=array)) == "ProtocolError"


def test_the_server_owns_the_multiplier(raw: RawClient):
    session = RawSession(raw)
    assert (
        error_type(session("budget_new", flop_budget=10**6, flop_multiplier=0.001))
        == "PermissionError"
    )
    budget = session.ok("budget_new", flop_budget=10**6, flop_multiplier=1.0)["h"]
    assert session.ok("getattr", target=budget, name="flop_multiplier") == 1.0
    session.ok("budget_enter", target=budget)
    session.call("numpy:exp", session.call("numpy:ones", 10))
    assert session.ok("getattr", target=budget, name="flops_used") == 10


def test_sessions_cannot_touch_each_other(raw: RawClient):
    alice, mallory = RawSession(raw), RawSession(raw)
    budget = alice.ok("budget_new", flop_budget=1000)["h"]
    alice.ok("budget_enter", target=budget)
    alice.call("numpy.random:seed", 0)
    mallory.call("numpy.random:seed", 12345)
    # Mallory's handles are her own: Alice's budget handle means nothing (or something else) to her.
    for op in ("budget_exit", "budget_enter"):
        assert error_type(mallory(op, target=budget)) == "ProtocolError"
    assert error_type(mallory("getattr", target=budget, name="flops_used")) == "ProtocolError"
    # Change the token's last character (to one it is not: a fixed "0" would match 1 token in 16).
    last = "1" if alice.token.endswith("0") else "0"
    forged = raw.request("call", session=alice.token[:-1] + last, seq=99, fn="numpy:ones", args=[1])
    assert error_type(forged) == "SessionError"
    # Alice's budget is still open and still hers; her random stream was not reseeded.
    draw = alice.call("numpy.random:randn", 3)
    assert raw_fetch(alice, draw["h"]) == np.random.RandomState(0).randn(3).tolist()
    assert alice.ok("getattr", target=budget, name="flops_used") == 3
    mallory.call("numpy:exp", mallory.call("numpy:ones", 50))
    assert alice.ok("getattr", target=budget, name="flops_used") == 3


def raw_fetch(session: RawSession, handle: int) -> Any:
    """The values of a server array, read from the raw reply's buffer frame."""
    session.seq += 1
    reply = session.raw.request("fetch", session=session.token, seq=session.seq, target=handle)
    value = reply["result"]
    data = np.frombuffer(reply["_frames"][value["frame"]], dtype=value["format"]).reshape(
        value["shape"]
    )
    return data.tolist()


def test_an_op_refused_for_budget_is_charged_nothing(raw: RawClient):
    session = RawSession(raw)
    x = session.call("numpy:ones", 256)["h"]
    budget = session.ok("budget_new", flop_budget=100)["h"]
    session.ok("budget_enter", target=budget)
    reply = session(
        "call", fn="numpy:exp", args=[{"$": "ref", "h": x}], kwargs={"out": {"$": "ref", "h": x}}
    )
    assert error_type(reply) == "BudgetExhaustedError"
    assert reply["error"]["attrs"]["flop_cost"] == 256
    assert session.ok("getattr", target=budget, name="flops_used") == 0
    assert session.ok("getattr", target=budget, name="op_log") == []
    assert raw_fetch(session, x) == [1.0] * 256  # the out= array was not written


def test_a_repeated_request_is_answered_without_running_again(
    server: ServerProcess, raw: RawClient
):
    session = RawSession(raw)
    x = session.call("numpy:ones", (400, 400))["h"]
    budget = session.ok("budget_new", flop_budget=10**12)["h"]
    session.ok("budget_enter", target=budget)

    def request(seq: int, fn: str, *handles: int) -> bytes:
        return json.dumps(
            {
                "v": 1,
                "id": 1000 + seq,
                "op": "call",
                "session": session.token,
                "seq": seq,
                "args": {"fn": fn, "args": [{"$": "ref", "h": h} for h in handles]},
            }
        ).encode()

    session.seq += 1
    matmul = request(session.seq, "numpy:matmul", x, x)
    raw.send_raw([matmul])
    first = raw.receive()
    raw.send_raw([matmul])  # as a client that lost the reply would
    again = raw.receive()
    assert first["ok"] and again["ok"] and again.get("redelivered") is True
    assert again["result"] == first["result"]

    # A reply that cannot be delivered (its socket is gone) is logged and kept for a retry.
    shuffled = session.call("numpy.random:permutation", 2_000_000)["h"]
    session.seq += 1
    sort = request(session.seq, "numpy:sort", shuffled)
    gone = raw.new_socket()
    raw.send_raw([sort], gone)
    gone.close(linger=1000)  # flushes the request, then disconnects while the sort runs
    assert wait_until(lambda: "could not be delivered" in server.log(), 10), server.log()
    retry = raw.new_socket()
    raw.send_raw([sort], retry)
    reply = raw.receive(sock=retry)
    retry.close(linger=0)
    assert reply["ok"] and reply.get("redelivered") is True

    records = [dict(r["fields"]) for r in session.ok("getattr", target=budget, name="op_log")]
    assert [r["op_name"] for r in records] == ["matmul", "random.permutation", "sort"]
    assert session.ok("getattr", target=budget, name="flops_used") == sum(
        r["flop_cost"] for r in records
    )
    assert records[0]["flop_cost"] == 400**3


def test_released_handles_are_freed(server: ServerProcess, raw: RawClient):
    session = RawSession(raw)
    a = session.call("numpy:ones", 10)["h"]
    b = session.call("numpy:exp", {"$": "ref", "h": a})["h"]
    again = session.ok(
        "method", target=a, name="__iadd__", args=[1]
    )  # the same object: same handle
    assert again["h"] == a
    before = stats(server.address)["objects"]
    session.ok("release", release=[[a, 1]])  # one of its two issues returned: still held
    assert stats(server.address)["objects"] == before
    session.ok("release", release=[[a, 1], [b, 1], [12345, 3]])  # unknown handles are ignored
    assert stats(server.address)["objects"] == before - 2
    assert error_type(session("fetch", target=a)) == "ProtocolError"
    session.bye()


# -- faults and load -----------------------------------------------------------------------------


def test_a_killed_client_is_reaped_and_its_arrays_freed(server: ServerProcess):
    baseline = idle(server.address)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
            import sys, time
            import flopscope as flops, flopscope.numpy as fnp
            arrays = [fnp.ones((100, 100)) for _ in range(20)]
            budget = flops.BudgetContext(10**9).__enter__()
            fnp.exp(arrays[0])
            print("ready", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT / "tests"),
        env={**os.environ, "FLOPSCOPE_SERVER": server.address, "PYTHONPATH": str(CLIENT_DIR)},
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        during = stats(server.address)
        assert during["sessions"] == baseline["sessions"] + 1
        assert during["objects"] >= baseline["objects"] + 21
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert wait_until(lambda: stats(server.address)["sessions"] == baseline["sessions"], 10)
        assert stats(server.address)["objects"] == baseline["objects"]
        assert "timed out" in server.log() and "10,000 FLOPs used" in server.log()
    finally:
        child.kill()
        child.wait()


def test_many_sessions_then_none_leaked(tmp_path: Path):
    # Its own server, with a session timeout long enough that opening MAX_SESSIONS
    # sessions on a loaded machine does not see the first ones expire meanwhile.
    server = ServerProcess(
        tmp_path / "many.log",
        "--session-timeout",
        "5",
        "--max-sessions",
        str(MAX_SESSIONS),
    )
    raw = RawClient(server.address)
    try:
        baseline = idle(server.address)
        sessions = [RawSession(raw) for _ in range(MAX_SESSIONS - baseline["sessions"])]
        refused = raw.request("hello")
        assert refused["ok"] is False and "limit" in refused["error"]["message"]
        for session in sessions:
            session.call("numpy:exp", session.call("numpy:ones", 4))
        assert stats(server.address)["sessions"] == MAX_SESSIONS
        for session in sessions[::2]:
            session.bye()  # half say goodbye; the others fall silent and expire
        assert wait_until(lambda: stats(server.address) == baseline, 30)
        # and the server still serves correctly
        fresh = RawSession(raw)
        assert raw_fetch(fresh, fresh.call("numpy:add", [1.0, 2.0], 1.0)["h"]) == [2.0, 3.0]
        fresh.bye()
    finally:
        raw.close()
        assert server.stop() == 0


def test_clients_release_garbage_and_everything_at_disconnect(server: ServerProcess):
    script = """
        import json, sys
        import flopscope as flops, flopscope.numpy as fnp
        keep = fnp.ones(3)
        for _ in range(200):
            fnp.exp(keep)            # each result is dropped at once
        fnp.sum(keep)                # carries the queued releases
        print("garbage collected", flush=True); sys.stdin.readline()
        flops.disconnect()
        print("disconnected", flush=True); sys.stdin.readline()
    """
    baseline = idle(server.address)["objects"]
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT / "tests"),
        env={**os.environ, "FLOPSCOPE_SERVER": server.address, "PYTHONPATH": str(CLIENT_DIR)},
    )
    try:
        assert child.stdout.readline().strip() == "garbage collected"
        assert stats(server.address)["objects"] <= baseline + 2  # `keep`, and the last exp at most
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "disconnected"
        assert stats(server.address)["objects"] == baseline
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(timeout=10) == 0
    finally:
        child.kill()
        child.wait()


def test_no_server_gives_a_clear_error():
    result = run_client(
        "tcp://127.0.0.1:9",
        """
        import flopscope as flops, flopscope.numpy as fnp
        try:
            fnp.ones(3)
        except flops.ServerUnavailableError as exc:
            print("unavailable:", exc)
    """,
        env={"FLOPSCOPE_CLIENT_TIMEOUT": "0.5"},
    )
    assert "unavailable: no flopscope server answered at tcp://127.0.0.1:9" in result.stdout, result


def test_sigint_closes_every_session_and_exits_cleanly(tmp_path: Path):
    proc = ServerProcess(tmp_path / "sigint.log", "--session-timeout", "30")
    raw = RawClient(proc.address)
    try:
        session = RawSession(raw)
        session.call("numpy:exp", session.call("numpy:ones", 7))
    finally:
        raw.close()
    assert proc.stop(signal.SIGINT) == 0
    log = proc.log()
    assert "received SIGINT" in log and "closed (server shutdown): 7 FLOPs used" in log, log
    assert log.strip().endswith("server stopped"), log


def test_command_line():
    from flopscope.server.__main__ import parse_args

    assert parse_args([]).host == "127.0.0.1"  # loopback unless told otherwise
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--workers", "0"])
    assert exit_info.value.code == 2
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    unbindable = subprocess.run(
        [sys.executable, "-m", "flopscope.server", "--host", "192.0.2.1", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert unbindable.returncode == 2 and "cannot listen on tcp://192.0.2.1:1" in unbindable.stderr


# -- same answers in-process and through the client ----------------------------------------------


def _run_behaviour(python: str, address: str, extra_path: str | None = None) -> dict:
    environment = {**os.environ}
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path,) if p)
    result = subprocess.run(
        [python, str(BEHAVIOUR), address],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=str(ROOT / "tests"),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def through_client(server: ServerProcess) -> dict:
    """Every scenario's observations through flopscope-client (one child process)."""
    return _run_behaviour(sys.executable, server.address, extra_path=str(CLIENT_DIR))


def test_the_client_process_never_imported_numpy(through_client: dict):
    assert through_client["numpy_imported"] is False


@pytest.mark.parametrize("name", list(remote_behaviour.SCENARIOS))
def test_same_observations_in_process_and_through_the_client(name: str, through_client: dict):
    local = remote_behaviour.run_in_process(name)
    assert "scenario_error" not in local, local
    assert through_client["results"][name] == local


@pytest.fixture(scope="module")
def numpy_free_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh venv with flopscope-client (pip-installed from client/) and pyzmq, without NumPy."""
    base = tmp_path_factory.mktemp("venv")
    home = base / "client-venv"
    source = base / "client-source"  # pip builds in the source tree; keep the repository clean
    shutil.copytree(
        CLIENT_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    try:
        venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home)
        python = str(home / "bin" / "python")
        install = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "pyzmq", str(source)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except Exception as exc:  # no venv on this machine: say so and skip
        pytest.skip(f"could not create a venv for the numpy-free client test: {exc}")
    if install.returncode != 0:
        pytest.skip(
            f"could not install pyzmq and flopscope-client in a fresh venv: {install.stderr[-500:]}"
        )
    return python


def test_the_client_works_in_a_venv_without_numpy(numpy_free_python: str, server: ServerProcess):
    probe = subprocess.run(
        [numpy_free_python, "-c", "import numpy"], capture_output=True, text=True
    )
    assert probe.returncode != 0, "the venv was supposed to have no NumPy"
    observed = _run_behaviour(numpy_free_python, server.address)
    assert observed["numpy_imported"] is False
    for name in remote_behaviour.SCENARIOS:
        assert observed["results"][name] == remote_behaviour.run_in_process(name), name


def test_counts_are_the_same_through_the_client(through_client: dict):
    # the seeds' figures, as the client saw them (parity with the library is checked above)
    results = through_client["results"]
    assert results["readme_mlp"]["flops_used"] == 984_321
    assert results["how_it_works_categories"] == [65_536, 65_536, 65_536, 0, 0, 0]
    assert results["primer_matmul"] == [1_000_000, 10_000]
    assert results["cost_queries"]["answers"][:2] == [16_777_216, 655_360]
    assert results["cost_queries"]["charged"] == 0
    assert results["budget_refusal"]["used_after"] == 0
    same, different = results["symmetry_same_operand"]
    assert same < different
    assert math.isclose(same / different, 0.5, rel_tol=0.02)


def test_client_odds_and_ends(server: ServerProcess):
    result = run_client(
        server.address,
        """
        import array, io, threading
        import flopscope as flops, flopscope.numpy as fnp

        # symmetric tensors keep their class across the wire
        if hasattr(flops, "as_symmetric"):
            S = flops.as_symmetric(fnp.ones((4, 4)), symmetry=(0, 1))
            assert isinstance(S, flops.SymmetricTensor) and isinstance(S, fnp.ndarray), type(S)
        # buffers of numbers travel as raw frames
        assert fnp.sum(array.array("d", [1.0, 2.0, 3.5])) == 6.5
        assert fnp.asarray(memoryview(bytes([1, 2, 3]))).tolist() == [1, 2, 3]
        # generators and legacy state live on the server
        g = fnp.random.default_rng(1)
        assert isinstance(g, fnp.random.Generator) and g.integers(0, 10, size=3).shape == (3,)
        # settings and plans are the library's business, not the client's
        for call, error in ((lambda: flops.configure(max_log_records=5), PermissionError),
                            (lambda: flops.plan(lambda x: x, (3,)), NotImplementedError),
                            (lambda: flops.BudgetContext(10).graph, flops.FlopscopeError)):
            try:
                call()
            except error:
                pass
            else:
                raise AssertionError(f"{call} did not raise {error}")
        # a live line of text instead of a rich table
        out = io.StringIO()
        with flops.budget_live(refresh_per_second=50, console=out):
            fnp.exp(fnp.ones(10))
        assert "FLOPs" in out.getvalue()
        # threads share the connection safely
        results = []
        def work(k):
            results.append(fnp.add(fnp.full(3, float(k)), 1.0).tolist())
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results) == [[k + 1.0] * 3 for k in range(8)]
        # after a disconnect, old arrays are gone and a new session starts clean
        x = fnp.ones(2)
        flops.disconnect()
        try:
            x + 1
        except flops.SessionError as exc:
            print("old array:", exc)
        flops.connect()
        assert flops.budget_summary_dict()["flops_used"] == 0
        print("ok")
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "old array: this flopscope connection is closed" in result.stdout
    assert result.stdout.strip().endswith("ok")
