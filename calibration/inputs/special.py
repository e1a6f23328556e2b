"""Inputs for ``flops.special`` (SciPy special functions) and the counted index/mask ops.

Each special function runs on ``n`` points of its domain (``logit`` and
``ndtri`` on (0, 1), ``erfinv`` on (-1, 1), ``gamma`` where it stays finite...);
``logsumexp`` / ``softmax`` / ``log_softmax`` reduce rows of a (rows, 64)
matrix. The index arithmetic and masked writes run on ``n`` elements.
"""

from __future__ import annotations

import numpy as np

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import ELEMENTS

__all__ = ["SPECS"]

#: special ufunc -> domain of its argument(s).
_DOMAINS: dict[str, tuple[float, float]] = {
    "expit": (-20.0, 20.0),
    "log_expit": (-20.0, 20.0),
    "logit": (0.001, 0.999),
    "erf": (-4.0, 4.0),
    "erfc": (-4.0, 4.0),
    "erfinv": (-0.999, 0.999),
    "erfcinv": (0.001, 1.999),
    "gamma": (0.1, 20.0),
    "gammaln": (0.1, 100.0),
    "digamma": (0.1, 100.0),
    "ndtr": (-6.0, 6.0),
    "ndtri": (0.001, 0.999),
    "log_ndtr": (-20.0, 6.0),
}
_BINARY_DOMAINS: dict[str, tuple[float, float]] = {
    "xlogy": (0.001, 10.0),
    "xlog1py": (0.001, 10.0),
}


def _unary(domain: tuple[float, float]) -> InputSpec:
    return InputSpec(lambda mk: Case((mk.vec(domain=domain),)), ELEMENTS)


def _binary(domain: tuple[float, float]) -> InputSpec:
    return InputSpec(lambda mk: Case((mk.vec(domain=domain), mk.vec(domain=domain))), ELEMENTS)


def _rows(mk: Maker) -> Case:
    rows = max(1, mk.n // 64)
    return Case((mk.arr((rows, 64), domain=(-10.0, 10.0)),), {"axis": 1})


def _ravel(mk: Maker) -> Case:
    side = 1024
    return Case(((mk.ints(mk.n, 0, side), mk.ints(mk.n, 0, side)), (side, side)))


def _unravel(mk: Maker) -> Case:
    return Case((mk.ints(mk.n, 0, 1024 * 1024), (1024, 1024)))


def _copyto(mk: Maker) -> Case:
    dst, src = mk.vec(), mk.vec()
    return Case((dst, src), {"where": src > 0})


def _putmask(mk: Maker) -> Case:
    a = mk.vec()
    return Case((a, a > 0, 0.0))


def _place(mk: Maker) -> Case:
    a = mk.vec()
    return Case((a, a > 0, np.zeros(1, dtype=a.dtype)))


SPECS: dict[str, InputSpec] = {
    **{f"special.{name}": _unary(domain) for name, domain in _DOMAINS.items()},
    **{f"special.{name}": _binary(domain) for name, domain in _BINARY_DOMAINS.items()},
    "special.logsumexp": InputSpec(_rows, ELEMENTS),
    "special.softmax": InputSpec(_rows, ELEMENTS),
    "special.log_softmax": InputSpec(_rows, ELEMENTS),
    "ravel_multi_index": InputSpec(_ravel, ELEMENTS),
    "unravel_index": InputSpec(_unravel, ELEMENTS),
    "copyto": InputSpec(_copyto, ELEMENTS),
    "putmask": InputSpec(_putmask, ELEMENTS),
    "place": InputSpec(_place, ELEMENTS),
}
