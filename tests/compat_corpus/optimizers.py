"""Gradient-based optimisers with in-place state, written the way numpy-ml writes them."""

import numpy as np
from numpy.linalg import norm


def sgd_momentum(w, grad, velocity, lr=0.1, mu=0.9):
    np.multiply(velocity, mu, out=velocity)
    velocity -= lr * grad
    w += velocity
    return w, velocity


def adam_step(w, grad, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m *= b1
    m += (1 - b1) * grad
    v *= b2
    v += (1 - b2) * np.square(grad)
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    denom = np.sqrt(v_hat)
    np.add(denom, eps, denom)  # positional out
    w -= lr * m_hat / denom
    return w, m, v


def rmsprop_step(w, grad, cache, lr=1e-2, decay=0.9, eps=1e-8):
    cache *= decay
    cache += (1 - decay) * grad * grad
    root = np.empty_like(cache)
    np.sqrt(cache, root)  # positional out, as numpy-ml's optimisers do
    w -= lr * grad / (root + eps)
    return w, cache


def clip_by_global_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-12))
    return [g * scale for g in grads], total


def backtracking_line_search(x, direction, alpha=1.0, rho=0.5, c=1e-4):
    """Armijo backtracking on the Rosenbrock function."""

    def f(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    def grad(p):
        return np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2),
                         200 * (p[1] - p[0] ** 2)])

    fx = f(x)
    slope = np.dot(grad(x), direction)
    while f(x + alpha * direction) > fx + c * alpha * slope:
        alpha *= rho
    return alpha, x + alpha * direction


def gradient_descent_least_squares(A, b, steps=25, lr=0.01):
    x = np.zeros(A.shape[1])
    history = np.empty(steps)
    for k in range(steps):
        r = A @ x - b
        x -= lr * (A.T @ r)
        history[k] = norm(r)
    return x, history


def _rng(np_):
    return np_.random.default_rng(5)


CASES = [
    ("sgd_momentum", sgd_momentum, lambda np_: (
        _rng(np_).normal(size=(4, 3)), _rng(np_).normal(size=(4, 3)), np_.zeros((4, 3)))),
    ("adam_step", adam_step, lambda np_: (
        _rng(np_).normal(size=6), _rng(np_).normal(size=6), np_.zeros(6), np_.zeros(6), 3)),
    ("rmsprop_step", rmsprop_step, lambda np_: (
        _rng(np_).normal(size=(3, 3)), _rng(np_).normal(size=(3, 3)), np_.full((3, 3), 0.1))),
    ("clip_by_global_norm", clip_by_global_norm, lambda np_: (
        [_rng(np_).normal(size=(3, 2)) * 4, _rng(np_).normal(size=5) * 4], 1.0)),
    ("backtracking_line_search", backtracking_line_search, lambda np_: (
        np_.array([-1.2, 1.0]), np_.array([1.0, 0.5]))),
    ("gradient_descent_least_squares", gradient_descent_least_squares, lambda np_: (
        _rng(np_).normal(size=(10, 3)), _rng(np_).normal(size=10))),
]
