"""State estimators, written the way filterpy writes them."""

import numpy as np
from numpy import dot, eye, zeros
from numpy.linalg import inv


def kalman_step(x, P, z, F, H, Q, R):
    """One predict/update cycle of a linear Kalman filter (filterpy's formulation)."""
    x = dot(F, x)
    P = dot(dot(F, P), F.T) + Q
    y = z - dot(H, x)
    PHT = dot(P, H.T)
    S = dot(H, PHT) + R
    K = dot(PHT, inv(S))
    x = x + dot(K, y)
    I_KH = eye(P.shape[0]) - dot(K, H)
    P = dot(dot(I_KH, P), I_KH.T) + dot(dot(K, R), K.T)
    return x, P


def ensemble_kalman_update(sigmas, z, H, R):
    """EnKF update: ensemble covariances from outer products (filterpy's EnsembleKalmanFilter)."""
    n_members = sigmas.shape[0]
    sigmas_h = dot(sigmas, H.T)
    z_mean = np.mean(sigmas_h, axis=0)
    x_mean = np.mean(sigmas, axis=0)
    P_zz = zeros((z.shape[0], z.shape[0]))
    P_xz = zeros((sigmas.shape[1], z.shape[0]))
    for i in range(n_members):
        dz = sigmas_h[i] - z_mean
        P_zz += np.outer(dz, dz)
        P_xz += np.outer(sigmas[i] - x_mean, dz)
    P_zz = P_zz / (n_members - 1) + R
    P_xz /= n_members - 1
    K = dot(P_xz, inv(P_zz))
    innovations = z - sigmas_h
    return sigmas + dot(innovations, K.T), P_zz


def alpha_beta(measurements, dt=1.0, alpha=0.85, beta=0.005):
    x, v = measurements[0], 0.0
    estimates = np.empty_like(measurements)
    for i, z in enumerate(measurements):
        x_pred = x + v * dt
        r = z - x_pred
        x = x_pred + alpha * r
        v = v + beta * r / dt
        estimates[i] = x
    return estimates


def moving_average(x, n):
    c = np.cumsum(x, dtype=float)
    c[n:] = c[n:] - c[:-n]
    return c[n - 1:] / n


def exponential_smoothing(x, alpha):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):
        np.add(alpha * x[t], (1 - alpha) * out[t - 1], out=out[t:t + 1])
    return out


def g_h_filter_batch(data, x0, dx, g, h):
    results = []
    for z in data:
        x_est = x0 + dx
        residual = z - x_est
        dx = dx + h * residual
        x0 = x_est + g * residual
        results.append(x0)
    return np.array(results)


def _rng(np_):
    return np_.random.default_rng(3)


def _kalman_args(np_):
    dt = 0.1
    F = np_.array([[1.0, dt], [0.0, 1.0]])
    H = np_.array([[1.0, 0.0]])
    return (np_.array([0.0, 1.0]), np_.eye(2) * 5.0, np_.array([0.3]), F, H,
            np_.eye(2) * 0.01, np_.array([[0.5]]))


CASES = [
    ("kalman_step", kalman_step, _kalman_args),
    ("ensemble_kalman_update", ensemble_kalman_update, lambda np_: (
        _rng(np_).normal(size=(8, 3)), np_.array([0.5, -0.2]),
        np_.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.5]]), np_.eye(2) * 0.1)),
    ("alpha_beta", alpha_beta, lambda np_: (np_.cumsum(_rng(np_).normal(size=30)),)),
    ("moving_average", moving_average, lambda np_: (_rng(np_).normal(size=25), 4)),
    ("exponential_smoothing", exponential_smoothing, lambda np_: (_rng(np_).normal(size=20), 0.3)),
    ("g_h_filter_batch", g_h_filter_batch, lambda np_: (
        np_.linspace(0.0, 10.0, 15) + _rng(np_).normal(size=15), 0.0, 1.0, 0.6, 0.02)),
]
