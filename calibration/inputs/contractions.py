"""Inputs for the matmul family and einsum (``contractions``).

Matrix products run on square ``n x n`` float matrices (``MATRIX`` ladder), so
their cost is the n^3 of a matrix product; ``vdot`` on vectors of the
elementwise ladder; ``outer`` on vectors whose product has 65 thousand to 4
million entries; ``kron`` on small matrices (its output has n^4 entries).
"""

from __future__ import annotations

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import ELEMENTS, MATRIX, SMALL_MATRIX

__all__ = ["SPECS"]


def _square_pair(mk: Maker) -> tuple:
    return (mk.mat(), mk.mat())


SPECS: dict[str, InputSpec] = {
    "matmul": InputSpec(lambda mk: Case(_square_pair(mk)), MATRIX),
    "dot": InputSpec(lambda mk: Case(_square_pair(mk)), MATRIX),
    "inner": InputSpec(lambda mk: Case(_square_pair(mk)), MATRIX),
    "tensordot": InputSpec(lambda mk: Case(_square_pair(mk), {"axes": 1}), MATRIX),
    "einsum": InputSpec(lambda mk: Case(("ij,jk->ik", *_square_pair(mk))), MATRIX),
    "matvec": InputSpec(lambda mk: Case((mk.mat(), mk.vec(mk.n))), MATRIX),
    "vecmat": InputSpec(lambda mk: Case((mk.vec(mk.n), mk.mat())), MATRIX),
    "vecdot": InputSpec(lambda mk: Case(_square_pair(mk)), MATRIX),
    "outer": InputSpec(lambda mk: Case((mk.vec(mk.n), mk.vec(mk.n))), (256, 1_024, 2_048)),
    "vdot": InputSpec(lambda mk: Case((mk.vec(), mk.vec())), ELEMENTS),
    "kron": InputSpec(lambda mk: Case(_square_pair(mk)), SMALL_MATRIX),
}
