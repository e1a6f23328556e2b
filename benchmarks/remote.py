"""Remote execution: round-trip time per call and calls per second, 1 and 8 clients.

Starts a ``flopscope-server`` on a free loopback port (or uses ``--address``),
then runs N client processes at once, each with flopscope-client as
``flopscope``. Every client times ``--calls`` requests of each kind:

* ``fnp.add(x, 1.0)`` on a 16-element array: a counted call whose result
  stays on the server (a handle comes back);
* ``x + 1.0``: the same through an operator;
* ``x.tolist()``: fetching 16 values;
* ``budget.flops_used``: reading a figure of a budget context.

It prints, per number of clients, the median and 90th-percentile round trip
of each kind, and the aggregate rate of counted calls per second (all
clients' ``fnp.add`` calls over the wall time of the slowest client).
For scale, the in-process cost of the same ``fnp.add`` call is shown too.

    python benchmarks/remote.py                      # 1 and 8 clients, 2000 calls each
    python benchmarks/remote.py --clients 1 2 4 8 --calls 5000
    python benchmarks/remote.py --address tcp://127.0.0.1:15555
    python benchmarks/remote.py --hostile --calls 1000   # 8 honest clients, quiet vs attacked

``--hostile`` measures 8 honest clients twice on one server started with
quotas (``--max-memory``, ``--max-pending``, ``--max-cpu-seconds``,
``--max-message-bytes`` as given here): once alone, once beside a hostile
client (raw ZeroMQ, no flopscope-client) that keeps ``--flood`` requests in
flight, each a 4 MiB array upload it never releases, with every fifth
request an einsum cost query whose "optimal" path search would run for
minutes. It prints the honest clients' ``fnp.add`` median and p99 round trip
and calls per second in both runs, the ratio, what the hostile client got
(replies, refusals by kind), and the server's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("fnp.add", "operator", "tolist", "budget figure")


# -- one client (runs in a child process with flopscope-client on the path) -----------------


def worker(address: str, calls: int) -> None:
    """Time ``calls`` requests of each kind; wait for a line on stdin before starting."""
    import flopscope as flops
    import flopscope.numpy as fnp

    flops.connect(address)
    x = fnp.ones(16)
    budget = flops.BudgetContext(flop_budget=10**15, quiet=True)
    actions = {
        "fnp.add": lambda: fnp.add(x, 1.0),
        "operator": lambda: x + 1.0,
        "tolist": x.tolist,
        "budget figure": lambda: budget.flops_used,
    }
    for action in actions.values():  # warm up
        for _ in range(50):
            action()
    print("ready", flush=True)
    sys.stdin.readline()
    timings: dict[str, list[float]] = {}
    started = time.perf_counter()
    with budget:
        for kind, action in actions.items():
            samples = timings[kind] = []
            for _ in range(calls):
                t0 = time.perf_counter()
                action()
                samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    add_time = sum(timings["fnp.add"])
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "add_time": add_time,
                "stats": {
                    k: [statistics.median(v), _percentile(v, 0.9), _percentile(v, 0.99)]
                    for k, v in timings.items()
                },
            }
        ),
        flush=True,
    )
    flops.disconnect()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- the driver --------------------------------------------------------------------------------


def _start_server(
    workers: int, log: Path, extra: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """A server on a free loopback port, logging to ``log``; returns it and its address."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "w") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flopscope.server",
                "--port",
                "0",
                "--workers",
                str(workers),
                *(extra or []),
            ],
            stderr=sink,
            env=env,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if "listening on " in line:
                return proc, line.split("listening on ")[1].split()[0]
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        time.sleep(0.1)
    raise RuntimeError("server did not start listening")


def run_clients(address: str, count: int, calls: int) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "client")}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", address, "--calls", str(calls)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(count)
    ]
    for proc in procs:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("a client failed to start")
    for proc in procs:  # start them together
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [json.loads(proc.stdout.readline()) for proc in procs]
    for proc in procs:
        proc.wait(timeout=60)
    return results


# -- the hostile client (raw ZeroMQ; runs in a child process) ----------------------------------

UPLOAD_BYTES = 4 << 20


def _slow_query() -> dict:
    """An einsum cost query whose "optimal" path search runs for minutes in Python."""
    import string

    n = 11
    letters = string.ascii_letters
    subscripts = (
        ",".join(letters[i] + letters[(i + 1) % n] + letters[(i + 3) % n] for i in range(n)) + "->"
    )
    return {
        "fn": "flopscope.accounting:einsum_cost",
        "args": [subscripts],
        "kwargs": {"shapes": [[2, 2, 2]] * n, "optimize": "optimal"},
    }


def hostile(address: str, in_flight: int, slow_every: int = 5) -> None:
    """Flood ``address`` until stdin closes; then print what the server answered (JSON)."""
    import threading

    import zmq

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(address)
    sock.send_multipart([json.dumps({"v": 1, "id": 0, "op": "hello", "args": {}}).encode()])
    session = json.loads(sock.recv_multipart()[0])["result"]["session"]
    payload = bytes(UPLOAD_BYTES)
    upload = {
        "fn": "numpy:asarray",
        "args": [{"$": "buffer", "frame": 0, "format": "d", "shape": [UPLOAD_BYTES // 8]}],
    }
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    outcome: dict[str, int] = {}
    seq = 0
    outstanding = 0
    print("flooding", flush=True)
    while not stop.is_set():
        while outstanding < in_flight:
            seq += 1
            slow = slow_every > 0 and seq % slow_every == 0
            header = {
                "v": 1,
                "id": seq,
                "op": "call",
                "session": session,
                "seq": seq,
                "args": _slow_query() if slow else upload,
            }
            frames = [json.dumps(header).encode()] + ([] if slow else [payload])
            sock.send_multipart(frames)
            outstanding += 1
        if sock.poll(100):
            reply = json.loads(sock.recv_multipart()[0])
            outstanding -= 1
            kind = "ok" if reply["ok"] else reply["error"]["mro"][0][1]
            outcome[kind] = outcome.get(kind, 0) + 1
    print(json.dumps(outcome), flush=True)
    ctx.destroy(linger=0)


def _rss_sampler(pid: int, peak: list[int], stop: Any) -> None:
    """Keep ``peak[0]`` at the largest resident set size of process ``pid`` (Linux)."""
    status = Path(f"/proc/{pid}/status")
    while not stop.is_set():
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    peak[0] = max(peak[0], int(line.split()[1]) * 1024)
        except OSError:
            return
        stop.wait(0.05)


def hostile_scenario(args: argparse.Namespace, scratch: Path) -> None:
    """8 honest clients alone, then beside a hostile one; honest RTTs, rates and server RSS."""
    import threading

    quotas = [
        "--max-memory",
        args.max_memory,
        "--max-pending",
        str(args.max_pending),
        "--max-cpu-seconds",
        str(args.max_cpu_seconds),
        "--max-message-bytes",
        str(args.max_message_bytes),
    ]
    server, address = _start_server(args.workers, scratch / "server.log", quotas)
    peak = [0]
    stop = threading.Event()
    sampler = threading.Thread(target=_rss_sampler, args=(server.pid, peak, stop), daemon=True)
    sampler.start()
    try:
        print(
            f"hostile scenario: server {address}, {args.workers} workers, quotas {' '.join(quotas)}"
        )
        honest = max(args.clients)
        quiet = run_clients(address, honest, args.calls)
        quiet_rss = peak[0]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        attacker = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--hostile-worker",
                address,
                "--flood",
                str(args.flood),
                "--slow-every",
                str(args.slow_every),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        if attacker.stdout.readline().strip() != "flooding":
            raise RuntimeError("the hostile client failed to start")
        time.sleep(2.0)  # let the flood reach the quotas
        attacked = run_clients(address, honest, args.calls)
        attacker.stdin.close()
        outcome = json.loads(attacker.stdout.readline())
        attacker.wait(timeout=30)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    rows = []
    for label, results in (("quiet", quiet), ("with hostile client", attacked)):
        medians = [r["stats"]["fnp.add"][0] for r in results]
        p99s = [r["stats"]["fnp.add"][2] for r in results]
        rate = honest * args.calls / max(r["add_time"] for r in results)
        rows.append((label, statistics.median(medians), max(p99s), rate))
    print(f"\n{honest} honest clients, {args.calls:,} fnp.add calls each")
    print(f"  {'run':<22} {'median RTT':>12} {'p99 RTT':>12} {'calls/s':>10}")
    for label, median, p99, rate in rows:
        print(f"  {label:<22} {median * 1e6:>9.0f} µs {p99 * 1e6:>9.0f} µs {rate:>10,.0f}")
    (_, qm, qp, qr), (_, am, ap, ar) = rows
    print(
        f"  ratio attacked/quiet: median {am / qm:.2f}x, p99 {ap / qp:.2f}x, "
        f"calls/s {ar / qr:.2f}x (target: p99 within 3x)"
    )
    print(f"  hostile client's replies: {outcome}")
    print(
        f"  server peak RSS: {quiet_rss / 2**20:,.0f} MiB quiet, {peak[0] / 2**20:,.0f} MiB "
        "overall (the hostile session may hold --max-memory, plus "
        "--max-pending requests of up to --max-message-bytes)"
    )


def in_process_add(calls: int) -> float:
    """Median seconds of ``fnp.add(x, 1.0)`` with the library in this process."""
    sys.path.insert(0, str(ROOT))
    import flopscope as flops
    import flopscope.numpy as fnp

    x = fnp.ones(16)
    samples = []
    with flops.BudgetContext(flop_budget=10**15, quiet=True):
        for _ in range(calls):
            t0 = time.perf_counter()
            fnp.add(x, 1.0)
            samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def report(count: int, results: list[dict], calls: int) -> None:
    wall = max(r["add_time"] for r in results)
    rate = count * calls / wall
    print(
        f"\n{count} client{'s' if count > 1 else ''} (concurrent), "
        f"{calls:,} calls of each kind per client"
    )
    print(f"  {'request':<14} {'median RTT':>12} {'p90 RTT':>12}")
    for kind in KINDS:
        medians = [r["stats"][kind][0] for r in results]
        p90s = [r["stats"][kind][1] for r in results]
        print(
            f"  {kind:<14} {statistics.median(medians) * 1e6:>9.0f} µs "
            f"{statistics.median(p90s) * 1e6:>9.0f} µs"
        )
    print(f"  counted calls per second, all clients: {rate:,.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", help="use this running server instead of starting one")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4, help="server worker threads (default 4)")
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="measure honest clients quiet and beside a hostile client",
    )
    parser.add_argument(
        "--flood",
        type=int,
        default=32,
        help="requests the hostile client keeps in flight (default 32)",
    )
    parser.add_argument(
        "--slow-every",
        type=int,
        default=5,
        help="every Nth hostile request is a slow cost search (default 5; 0: none)",
    )
    parser.add_argument("--max-memory", default="256M", help="server quota (default 256M)")
    parser.add_argument("--max-pending", type=int, default=8, help="server quota (default 8)")
    parser.add_argument(
        "--max-cpu-seconds", type=float, default=1.0, help="server quota (default 1)"
    )
    parser.add_argument(
        "--max-message-bytes", type=int, default=8 << 20, help="server quota (default 8 MiB)"
    )
    parser.add_argument("--worker", metavar="ADDRESS", help=argparse.SUPPRESS)
    parser.add_argument("--hostile-worker", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.calls)
        return 0
    if args.hostile_worker:
        hostile(args.hostile_worker, args.flood, args.slow_every)
        return 0
    if args.hostile:
        with tempfile.TemporaryDirectory() as scratch:
            hostile_scenario(args, Path(scratch))
        return 0
    server = None
    address = args.address
    scratch = tempfile.TemporaryDirectory()
    if address is None:
        server, address = _start_server(args.workers, Path(scratch.name) / "server.log")
    try:
        print(
            f"flopscope remote benchmark: server {address}, {os.cpu_count()} CPUs, "
            f"Python {sys.version.split()[0]}"
        )
        print(f"in-process fnp.add for scale: {in_process_add(args.calls) * 1e6:.1f} µs median")
        for count in args.clients:
            report(count, run_clients(address, count, args.calls), args.calls)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
