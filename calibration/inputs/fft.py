"""Inputs for ``numpy.fft``.

One-dimensional transforms take length-``n`` inputs of the kind they are
defined on (complex for ``fft``, real for ``rfft``, a half spectrum for
``irfft`` / ``hfft``); two- and n-dimensional ones take square ``n x n`` inputs
(``FFT_SIDE`` ladder, which includes a length that is not a power of two).
"""

from __future__ import annotations

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import FFT, FFT_SIDE

__all__ = ["SPECS"]


def _half(n: int) -> int:
    return n // 2 + 1


def _one_d(build) -> InputSpec:  # type: ignore[no-untyped-def]
    return InputSpec(build, FFT, min_size=8)


def _two_d(build) -> InputSpec:  # type: ignore[no-untyped-def]
    return InputSpec(build, FFT_SIDE, min_size=4)


def _complex_square(mk: Maker) -> Case:
    return Case((mk.carr((mk.n, mk.n)),))


def _real_square(mk: Maker) -> Case:
    return Case((mk.arr((mk.n, mk.n)),))


def _half_square(mk: Maker) -> Case:
    return Case((mk.carr((mk.n, _half(mk.n))),), {"s": (mk.n, mk.n), "axes": (0, 1)})


SPECS: dict[str, InputSpec] = {
    "fft.fft": _one_d(lambda mk: Case((mk.cvec(),))),
    "fft.ifft": _one_d(lambda mk: Case((mk.cvec(),))),
    "fft.rfft": _one_d(lambda mk: Case((mk.vec(),))),
    "fft.ihfft": _one_d(lambda mk: Case((mk.vec(),))),
    "fft.irfft": _one_d(lambda mk: Case((mk.cvec(_half(mk.n)),), {"n": mk.n})),
    "fft.hfft": _one_d(lambda mk: Case((mk.cvec(_half(mk.n)),), {"n": mk.n})),
    "fft.fft2": _two_d(_complex_square),
    "fft.ifft2": _two_d(_complex_square),
    "fft.fftn": _two_d(_complex_square),
    "fft.ifftn": _two_d(_complex_square),
    "fft.rfft2": _two_d(_real_square),
    "fft.rfftn": _two_d(_real_square),
    "fft.irfft2": _two_d(_half_square),
    "fft.irfftn": _two_d(_half_square),
}
