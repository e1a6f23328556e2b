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
                    k: [statistics.median(v), _percentile(v, 0.9)] for k, v in timings.items()
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


def _start_server(workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """A server on a free loopback port, logging to ``log``; returns it and its address."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flopscope.server", "--port", "0", "--workers", str(workers)],
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
    parser.add_argument("--worker", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.calls)
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
