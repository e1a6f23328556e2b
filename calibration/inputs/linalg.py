"""Inputs for ``numpy.linalg`` (``linalg`` and ``linalg_delegates``).

Each decomposition gets the matrices it is defined for: symmetric positive
definite for ``cholesky`` / ``eigh`` / ``eigvalsh``, well-conditioned square
matrices for solvers and inverses, tall matrices for least squares. Scales are
matrix orders from the ``MATRIX`` ladder. Delegates (``linalg.matmul``,
``linalg.outer``...) reuse the generator of their top-level twin, see
:func:`calibration.inputs.spec_for`.
"""

from __future__ import annotations

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import MATRIX

__all__ = ["SPECS"]


def _even(n: int) -> int:
    return max(2, n - n % 2)


def _tensorinv(mk: Maker) -> Case:
    n = _even(mk.n)
    return Case((mk.square(n).reshape(2, n // 2, 2, n // 2),), {"ind": 2})


def _tensorsolve(mk: Maker) -> Case:
    n = _even(mk.n)
    return Case((mk.square(n).reshape(2, n // 2, n), mk.vec(n).reshape(2, n // 2)))


def _spec(build) -> InputSpec:  # type: ignore[no-untyped-def]
    return InputSpec(build, MATRIX, min_size=4)


SPECS: dict[str, InputSpec] = {
    "linalg.cholesky": _spec(lambda mk: Case((mk.spd(),))),
    "linalg.eigh": _spec(lambda mk: Case((mk.spd(),))),
    "linalg.eigvalsh": _spec(lambda mk: Case((mk.spd(),))),
    "linalg.eig": _spec(lambda mk: Case((mk.square(),))),
    "linalg.eigvals": _spec(lambda mk: Case((mk.square(),))),
    "linalg.svd": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.svdvals": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.qr": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.inv": _spec(lambda mk: Case((mk.square(),))),
    "linalg.pinv": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.det": _spec(lambda mk: Case((mk.square(),))),
    "linalg.slogdet": _spec(lambda mk: Case((mk.square(),))),
    "linalg.solve": _spec(lambda mk: Case((mk.square(), mk.vec(mk.n)))),
    "linalg.lstsq": _spec(lambda mk: Case((mk.mat(2 * mk.n, mk.n), mk.vec(2 * mk.n)),
                                          {"rcond": None})),
    "linalg.matrix_rank": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.matrix_power": _spec(lambda mk: Case((mk.mat(), 3))),
    "linalg.norm": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.matrix_norm": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.vector_norm": _spec(lambda mk: Case((mk.mat(),))),
    "linalg.cond": _spec(lambda mk: Case((mk.square(),))),
    "linalg.multi_dot": _spec(lambda mk: Case(([mk.mat(), mk.mat(), mk.mat()],))),
    "linalg.tensorinv": _spec(_tensorinv),
    "linalg.tensorsolve": _spec(_tensorsolve),
}
