"""Real loops on small arrays: six workloads on NumPy and on flopscope, in one process.

Each workload is written once against a module ``xp`` (``numpy`` or
``flopscope.numpy``) in the style of real code, and timed on both with
interleaved rounds; the ratio flopscope / NumPy is what counting costs a
program made of many small calls.

    python benchmarks/loops.py              # medians of 7 rounds
    python benchmarks/loops.py --rounds 3

Target (issue 15): median slowdown <= 1.5x, worst <= 2.5x.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

import numpy as np

import flopscope as flops
import flopscope.numpy as fnp


def kalman_step(xp: Any, state: dict) -> None:
    """Predict and update of a 4-state constant-velocity Kalman filter (filterpy style)."""
    F, H, Q, R = state["F"], state["H"], state["Q"], state["R"]
    x, P = state["x"], state["P"]
    for z in state["zs"]:
        x = F @ x
        P = F @ P @ F.T + Q
        y = z - H @ x
        S = H @ P @ H.T + R
        K = P @ H.T @ xp.linalg.inv(S)
        x = x + K @ y
        P = (xp.eye(4) - K @ H) @ P
    state["x"], state["P"] = x, P


def hmm_forward(xp: Any, state: dict) -> None:
    """Scaled forward pass of a 5-state HMM over 40 observations (hmmlearn style)."""
    A, B, pi, obs = state["A"], state["B"], state["pi"], state["obs"]
    alpha = pi * B[:, obs[0]]
    alpha = alpha / alpha.sum()
    loglik = 0.0
    for o in obs[1:]:
        alpha = (alpha @ A) * B[:, o]
        c = alpha.sum()
        alpha = alpha / c
        loglik += float(xp.log(c))
    state["loglik"] = loglik


def mlp_sgd_step(xp: Any, state: dict) -> None:
    """Forward, backward and SGD update of a 2-layer MLP on a 16-sample batch."""
    W1, b1, W2, b2, X, Y = (state[k] for k in ("W1", "b1", "W2", "b2", "X", "Y"))
    for _ in range(5):
        h = xp.maximum(X @ W1 + b1, 0.0)
        out = h @ W2 + b2
        err = out - Y
        gW2 = h.T @ err / len(X)
        gb2 = err.mean(axis=0)
        gh = (err @ W2.T) * (h > 0)
        gW1 = X.T @ gh / len(X)
        gb1 = gh.mean(axis=0)
        W1 -= 0.01 * gW1
        b1 -= 0.01 * gb1
        W2 -= 0.01 * gW2
        b2 -= 0.01 * gb2


def particle_resample(xp: Any, state: dict) -> None:
    """Weight update and systematic resampling of 64 particles (pfilter style)."""
    particles, weights, z = state["particles"], state["weights"], state["z"]
    for _ in range(4):
        particles = particles + 0.1 * state["noise"]
        d = particles - z
        weights = weights * xp.exp(-0.5 * xp.sum(d * d, axis=1))
        weights = weights / xp.sum(weights)
        cumulative = xp.cumsum(weights)
        positions = (xp.arange(len(weights)) + 0.5) / len(weights)
        index = xp.searchsorted(cumulative, positions)
        index = xp.minimum(index, len(weights) - 1)
        particles = particles[index]
        weights = xp.full(len(weights), 1.0 / len(weights))
    state["particles"] = particles


def rnn_cell(xp: Any, state: dict) -> None:
    """An Elman RNN over 20 steps, hidden size 16 (numpy-ml style)."""
    Wx, Wh, b, xs = state["Wx"], state["Wh"], state["b"], state["xs"]
    h = xp.zeros(16)
    for x in xs:
        h = xp.tanh(Wx @ x + Wh @ h + b)
    state["h"] = h


def kmeans_iteration(xp: Any, state: dict) -> None:
    """Three Lloyd iterations of k-means, k=4, on 50 points in 2-D."""
    X, centers = state["X"], state["centers"]
    for _ in range(3):
        d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        labels = xp.argmin(d, axis=1)
        centers = xp.stack([X[labels == k].mean(axis=0) if (labels == k).any() else centers[k]
                            for k in range(4)])
    state["centers"] = centers


WORKLOADS: list[tuple[str, Callable[[Any, dict], None]]] = [
    ("Kalman filter step", kalman_step),
    ("HMM forward pass", hmm_forward),
    ("MLP SGD step", mlp_sgd_step),
    ("particle filter resample", particle_resample),
    ("RNN cell", rnn_cell),
    ("k-means iteration", kmeans_iteration),
]


def _state(name: str, xp: Any) -> dict:
    rng = np.random.default_rng(0)
    a = xp.asarray
    if name == "Kalman filter step":
        F = np.eye(4)
        F[0, 2] = F[1, 3] = 1.0
        return {"F": a(F), "H": a(np.eye(2, 4)), "Q": a(np.eye(4) * 0.01), "R": a(np.eye(2) * 0.1),
                "x": a(np.zeros(4)), "P": a(np.eye(4)), "zs": [a(rng.standard_normal(2)) for _ in range(10)]}
    if name == "HMM forward pass":
        A = rng.random((5, 5))
        B = rng.random((5, 3))
        return {"A": a(A / A.sum(1, keepdims=True)), "B": a(B / B.sum(1, keepdims=True)),
                "pi": a(np.full(5, 0.2)), "obs": [int(o) for o in rng.integers(0, 3, 40)]}
    if name == "MLP SGD step":
        return {"W1": a(rng.standard_normal((8, 16)) * 0.1), "b1": a(np.zeros(16)),
                "W2": a(rng.standard_normal((16, 2)) * 0.1), "b2": a(np.zeros(2)),
                "X": a(rng.standard_normal((16, 8))), "Y": a(rng.standard_normal((16, 2)))}
    if name == "particle filter resample":
        return {"particles": a(rng.standard_normal((64, 2))), "weights": a(np.full(64, 1 / 64)),
                "z": a(np.zeros(2)), "noise": a(rng.standard_normal((64, 2)))}
    if name == "RNN cell":
        return {"Wx": a(rng.standard_normal((16, 8)) * 0.1), "Wh": a(rng.standard_normal((16, 16)) * 0.1),
                "b": a(np.zeros(16)), "xs": [a(rng.standard_normal(8)) for _ in range(20)]}
    return {"X": a(rng.standard_normal((50, 2))), "centers": a(rng.standard_normal((4, 2)))}


def _time(fn: Callable[[Any, dict], None], xp: Any, name: str, repeat: int) -> float:
    states = [_state(name, xp) for _ in range(repeat)]
    start = time.perf_counter_ns()
    for state in states:
        fn(xp, state)
    return (time.perf_counter_ns() - start) / repeat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50, help="workload runs per round")
    args = parser.parse_args(argv)
    print(f"medians of {args.rounds} interleaved rounds, {args.repeat} runs each\n")
    print(f"{'workload':<26} {'numpy':>10} {'flopscope':>11} {'ratio':>7} {'calls':>7}")
    ratios = []
    for name, fn in WORKLOADS:
        plain, counted = [], []
        with flops.BudgetContext(flop_budget=10**18, quiet=True) as ctx:
            fn(fnp, _state(name, fnp))
            calls_per_run = len(ctx.op_log)
        for _ in range(args.rounds):
            plain.append(_time(fn, np, name, args.repeat))
            with flops.BudgetContext(flop_budget=10**18, quiet=True):
                counted.append(_time(fn, fnp, name, args.repeat))
        numpy_us, fnp_us = statistics.median(plain) / 1000, statistics.median(counted) / 1000
        ratios.append(fnp_us / numpy_us)
        print(f"{name:<26} {numpy_us:8.1f}us {fnp_us:9.1f}us {fnp_us / numpy_us:6.2f}x "
              f"{calls_per_run:7d}")
    median, worst = statistics.median(ratios), max(ratios)
    print(f"\nmedian slowdown {median:.2f}x (target <= 1.5x), worst {worst:.2f}x (target <= 2.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
