"""Signal processing routines in the style of small DSP helper libraries."""

import numpy as np
from numpy import fft
from numpy.lib.stride_tricks import sliding_window_view


def fft_convolve(a, b):
    n = a.shape[0] + b.shape[0] - 1
    size = 1 << (n - 1).bit_length()
    spectrum = fft.rfft(a, size) * fft.rfft(b, size)
    return fft.irfft(spectrum, size)[:n]


def periodogram(x, fs=1.0):
    window = np.hanning(x.shape[0])
    xw = (x - x.mean()) * window
    spectrum = np.abs(np.fft.rfft(xw)) ** 2
    scale = 1.0 / (fs * np.sum(window ** 2))
    freqs = np.fft.rfftfreq(x.shape[0], d=1.0 / fs)
    return freqs, spectrum * scale


def autocorrelation(x, max_lag):
    x = x - np.mean(x)
    full = np.correlate(x, x, mode="full")
    mid = full.shape[0] // 2
    return full[mid:mid + max_lag + 1] / full[mid]


def linear_detrend(y):
    t = np.arange(y.shape[0], dtype=float)
    coeffs = np.polyfit(t, y, 1)
    return y - np.polyval(coeffs, t)


def resample_linear(t, y, n):
    grid = np.linspace(t[0], t[-1], n)
    return grid, np.interp(grid, t, y)


def zero_crossing_rate(frames):
    signs = np.signbit(frames)
    return np.count_nonzero(signs[:, 1:] != signs[:, :-1], axis=1) / frames.shape[1]


def spectral_centroid(x, fs):
    mag = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / fs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(freqs * mag) / np.sum(mag)


def frame_energy(x, frame, hop):
    frames = sliding_window_view(x, frame)[::hop]
    return np.einsum("ij,ij->i", frames, frames)


def _rng(np_):
    return np_.random.default_rng(9)


CASES = [
    ("fft_convolve", fft_convolve, lambda np_: (_rng(np_).normal(size=13), np_.array([1.0, -2.0, 1.0]))),
    ("periodogram", periodogram, lambda np_: (
        np_.sin(np_.linspace(0.0, 20.0, 64)) + _rng(np_).normal(size=64) * 0.1, 8.0)),
    ("autocorrelation", autocorrelation, lambda np_: (_rng(np_).normal(size=40), 5)),
    ("linear_detrend", linear_detrend, lambda np_: (np_.arange(20.0) * 0.5 + _rng(np_).normal(size=20),)),
    ("resample_linear", resample_linear, lambda np_: (
        np_.sort(_rng(np_).random(12)) * 10, _rng(np_).normal(size=12), 30)),
    ("zero_crossing_rate", zero_crossing_rate, lambda np_: (_rng(np_).normal(size=(4, 16)),)),
    ("spectral_centroid", spectral_centroid, lambda np_: (_rng(np_).normal(size=32), 100.0)),
    ("frame_energy", frame_energy, lambda np_: (_rng(np_).normal(size=50), 8, 4)),
]
