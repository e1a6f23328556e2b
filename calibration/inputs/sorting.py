"""Inputs for sorting, searching, selection and set operations (``sorting``).

Keys are length-``n`` float vectors in random order. The in-place
``ndarray.sort`` and ``ndarray.partition`` work on a copy that is restored
from the unsorted original before every call (the restore is measured
separately and subtracted), so every call starts from unsorted data.
"""

from __future__ import annotations

import numpy as np

from calibration.inputs.core import Case, InputSpec, Maker
from calibration.inputs.ladders import SORT

__all__ = ["SPECS"]


def _in_place(mk: Maker, *extra: object) -> Case:
    original = mk.vec()
    work = original.copy()
    return Case((work, *extra), reset=lambda: np.copyto(work, original))


def _choose(mk: Maker) -> Case:
    return Case((mk.ints(mk.n, 0, 4), [mk.vec() for _ in range(4)]))


def _select(mk: Maker) -> Case:
    x = mk.vec()
    return Case(([x < -50.0, x < 0.0, x < 50.0], [x, 2.0 * x, 3.0 * x]))


def _zero_padded(mk: Maker) -> Case:
    x = mk.vec()
    pad = max(1, mk.n // 100)
    x[:pad] = 0.0
    x[-pad:] = 0.0
    return Case((x,))


def _sorted_and_queries(mk: Maker) -> Case:
    return Case((np.sort(mk.vec()), mk.vec()))


def _pair(mk: Maker) -> Case:
    return Case((mk.vec(), mk.vec()))


def _one(mk: Maker) -> Case:
    return Case((mk.vec(),))


def _spec(build) -> InputSpec:  # type: ignore[no-untyped-def]
    return InputSpec(build, SORT)


SPECS: dict[str, InputSpec] = {
    "sort": _spec(_one),
    "argsort": _spec(_one),
    "ndarray.sort": InputSpec(_in_place, SORT, preallocate=False),
    "ndarray.partition": InputSpec(lambda mk: _in_place(mk, mk.n // 2), SORT, preallocate=False),
    "choose": _spec(_choose),
    "select": _spec(_select),
    "trim_zeros": _spec(_zero_padded),
    "partition": _spec(lambda mk: Case((mk.vec(), mk.n // 2))),
    "argpartition": _spec(lambda mk: Case((mk.vec(), mk.n // 2))),
    "searchsorted": _spec(_sorted_and_queries),
    "lexsort": _spec(lambda mk: Case(((mk.vec(), mk.vec()),))),
    "unique": _spec(_one),
    "unique_values": _spec(_one),
    "unique_counts": _spec(_one),
    "unique_inverse": _spec(_one),
    "unique_all": _spec(_one),
    "isin": _spec(_pair),
    "in1d": _spec(_pair),
    "intersect1d": _spec(_pair),
    "union1d": _spec(_pair),
    "setdiff1d": _spec(_pair),
    "setxor1d": _spec(_pair),
}
