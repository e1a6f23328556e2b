"""Neural-network layers, written the way numpy-ml writes them."""

import numpy as np
from numpy import dot
from numpy.lib.stride_tricks import as_strided, sliding_window_view


def dense_relu(x, W, b):
    z = dot(x, W) + b
    np.maximum(z, 0, out=z)
    return z


def softmax(z, axis=-1):
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5):
    """Updates the running statistics in place, as a training step does."""
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    running_mean *= momentum
    running_mean += (1 - momentum) * mean
    running_var *= momentum
    running_var += (1 - momentum) * var
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, running_mean, running_var


def conv1d_valid(x, kernel):
    windows = sliding_window_view(x, kernel.shape[0], axis=-1)
    return np.einsum("...wk,k->...w", windows, kernel[::-1])


def im2col_conv2d(image, kernels):
    """2-D valid convolution via an im2col view built with as_strided."""
    kh, kw = kernels.shape[1:]
    h, w = image.shape
    out_h, out_w = h - kh + 1, w - kw + 1
    s0, s1 = image.strides
    cols = as_strided(image, shape=(out_h, out_w, kh, kw), strides=(s0, s1, s0, s1))
    return np.tensordot(cols, kernels, axes=([2, 3], [1, 2])).transpose(2, 0, 1)


def dropout(x, p, seed):
    rng = np.random.default_rng(seed)
    mask = rng.random(x.shape) >= p
    return np.where(mask, x / (1 - p), 0.0)


def log_softmax(z):
    with np.errstate(under="ignore"):
        m = np.max(z, axis=1, keepdims=True)
        return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def attention(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[-1])
    return softmax(scores) @ v


def cross_entropy(logits, labels):
    p = softmax(logits)
    n = logits.shape[0]
    return -np.log(p[np.arange(n), labels] + 1e-12).mean()


def _rng(np_):
    return np_.random.default_rng(7)


CASES = [
    ("dense_relu", dense_relu, lambda np_: (
        _rng(np_).normal(size=(5, 4)), _rng(np_).normal(size=(4, 3)), np_.array([0.1, -0.2, 0.3]))),
    ("softmax", softmax, lambda np_: (_rng(np_).normal(size=(4, 6)),)),
    ("layer_norm", layer_norm, lambda np_: (
        _rng(np_).normal(size=(3, 8)), np_.ones(8) * 1.5, np_.full(8, 0.25))),
    ("batch_norm_train", batch_norm_train, lambda np_: (
        _rng(np_).normal(size=(16, 4)), np_.ones(4), np_.zeros(4), np_.zeros(4), np_.ones(4))),
    ("conv1d_valid", conv1d_valid, lambda np_: (
        _rng(np_).normal(size=(2, 20)), np_.array([0.25, 0.5, 0.25]))),
    ("im2col_conv2d", im2col_conv2d, lambda np_: (
        _rng(np_).normal(size=(7, 6)), _rng(np_).normal(size=(2, 3, 3)))),
    ("dropout", dropout, lambda np_: (_rng(np_).normal(size=(6, 5)), 0.3, 11)),
    ("log_softmax", log_softmax, lambda np_: (_rng(np_).normal(size=(5, 7)) * 30,)),
    ("attention", attention, lambda np_: (
        _rng(np_).normal(size=(4, 8)), _rng(np_).normal(size=(6, 8)), _rng(np_).normal(size=(6, 3)))),
    ("cross_entropy", cross_entropy, lambda np_: (
        _rng(np_).normal(size=(5, 4)), np_.array([0, 3, 1, 2, 3]))),
]
