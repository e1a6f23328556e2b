"""Descriptive statistics, in the style of small scientific helper modules."""

import numpy as np
from numpy import sqrt


def zscore(x, axis=0):
    mean = x.mean(axis=axis, keepdims=True)
    std = x.std(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x - mean) / std
    z[~np.isfinite(z)] = 0.0
    return z


def weighted_covariance(x, w):
    w = w / w.sum()
    mean = w @ x
    xc = x - mean
    return (xc * w[:, None]).T @ xc / (1 - np.sum(w ** 2))


def ewma(x, alpha):
    weights = (1 - alpha) ** np.arange(x.shape[0])[::-1]
    return np.cumsum(weights * x) / np.cumsum(weights)


def histogram_density(x, bins):
    counts, edges = np.histogram(x, bins=bins)
    widths = np.diff(edges)
    return counts / (counts.sum() * widths), edges


def quantile_summary(x):
    q = np.percentile(x, [5, 25, 50, 75, 95])
    iqr = q[3] - q[1]
    return q, iqr, np.median(np.abs(x - q[2]))


def pearson(x, y):
    return np.corrcoef(x, y)[0, 1], np.cov(x, y, ddof=1)


def bootstrap_mean(x, n_boot, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.shape[0], size=(n_boot, x.shape[0]))
    means = x[idx].mean(axis=1)
    return means.mean(), means.std(ddof=1)


def welford(samples):
    count, mean, m2 = 0, 0.0, 0.0
    for value in samples:
        count += 1
        delta = value - mean
        mean += delta / count
        m2 += delta * (value - mean)
    return mean, m2 / (count - 1), sqrt(m2 / (count - 1))


def rankdata(x):
    order = np.argsort(x, kind="stable")
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, x.shape[0] + 1)
    return ranks


def standardize_columns_inplace(X):
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


def _rng(np_):
    return np_.random.default_rng(21)


CASES = [
    ("zscore", zscore, lambda np_: (np_.concatenate([_rng(np_).normal(size=(6, 3)), np_.ones((6, 1))], axis=1),)),
    ("weighted_covariance", weighted_covariance, lambda np_: (
        _rng(np_).normal(size=(12, 3)), _rng(np_).random(12) + 0.1)),
    ("ewma", ewma, lambda np_: (_rng(np_).normal(size=15), 0.2)),
    ("histogram_density", histogram_density, lambda np_: (_rng(np_).normal(size=100), 8)),
    ("quantile_summary", quantile_summary, lambda np_: (_rng(np_).normal(size=41),)),
    ("pearson", pearson, lambda np_: (_rng(np_).normal(size=20), _rng(np_).normal(size=20) + 1)),
    ("bootstrap_mean", bootstrap_mean, lambda np_: (_rng(np_).normal(size=10), 50, 4)),
    ("welford", welford, lambda np_: (_rng(np_).normal(size=25),)),
    ("rankdata", rankdata, lambda np_: (_rng(np_).normal(size=12),)),
    ("standardize_columns_inplace", standardize_columns_inplace, lambda np_: (
        _rng(np_).normal(size=(9, 4)) * 3 + 1,)),
]
