"""Entries that declare ``shape_only_cost`` keep the two promises that flag makes.

The eager executor looks the calls of such entries up by argument layouts and
scalars (flopscope/exec/eager.py, ``make_known_calls``), and hands NumPy the
plain arrays flopscope arrays keep. That is right only if

* the cost rule reads shapes, dtypes and scalar arguments, never data: the
  charge for different data of the same layouts must be the same; and
* a result that can share memory with an argument is declared
  (``extras["may_return_a_view"]``), so that it gets a view carrying the
  argument's own flags (a read-only input gives a read-only result).

Every shape-only entry must have a sample call below; a new one fails
``test_every_shape_only_entry_has_a_sample`` until it gets one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.registry import REGISTRY

RNG = np.random.default_rng(11)
V4 = np.array([0.0, 1.5, -2.0, 0.0])
M2 = np.array([[2.0, 1.0], [1.0, 3.0]])
B2 = np.array([1.0, 2.0])
T4 = np.eye(4).reshape(2, 2, 2, 2)

#: entry name -> sample calls (positional arguments; arrays become flopscope arrays)
SAMPLES: dict[str, list[tuple]] = {
    "einsum": [("ij->ji", M2), ("ij,j->i", M2, B2), ("ii->i", M2)],
    "dot": [(M2, B2)], "inner": [(M2, B2)], "outer": [(V4, V4)], "vdot": [(V4, V4)],
    "tensordot": [(M2, M2, 1)], "kron": [(M2, M2)],
    "linalg.cholesky": [(M2,)], "linalg.det": [(M2,)], "linalg.slogdet": [(M2,)],
    "linalg.inv": [(M2,)], "linalg.solve": [(M2, B2)], "linalg.tensorsolve": [(T4, M2)],
    "linalg.tensorinv": [(T4,)], "linalg.qr": [(M2,)], "linalg.eig": [(M2,)],
    "linalg.eigvals": [(M2,)], "linalg.eigh": [(M2,)], "linalg.eigvalsh": [(M2,)],
    "linalg.svd": [(M2,)], "linalg.svdvals": [(M2,)], "linalg.lstsq": [(M2, B2)],
    "linalg.pinv": [(M2,)], "linalg.matrix_rank": [(M2,)], "linalg.cond": [(M2,)],
    "linalg.matrix_power": [(M2, 1), (M2, 3)], "linalg.multi_dot": [([M2, M2, M2],)],
    "linalg.norm": [(V4,)], "linalg.matrix_norm": [(M2,)], "linalg.vector_norm": [(V4,)],
    "linalg.matmul": [(M2, M2)], "linalg.outer": [(V4, V4)], "linalg.tensordot": [(M2, M2)],
    "linalg.vecdot": [(M2, M2)], "linalg.trace": [(M2,)],
    "linalg.cross": [(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))],
    "searchsorted": [(np.sort(V4), V4)], "digitize": [(V4, np.array([-1.0, 1.0]))],
    "nonzero": [(V4,)], "argwhere": [(V4,)], "flatnonzero": [(V4,)], "count_nonzero": [(V4,)],
    "where": [(V4 > 0, V4, -V4), (V4,)], "choose": [(np.array([0, 1]), [V4[:2], V4[2:]])],
    "select": [([V4 > 0], [V4])], "trim_zeros": [(V4,)],
    "sort": [(V4,)], "argsort": [(V4,)], "lexsort": [((V4, V4),)], "sort_complex": [(V4,)],
}

SHAPE_ONLY = sorted(name for name, op in REGISTRY.items() if op.extras.get("shape_only_cost"))


def _counted(value):
    if isinstance(value, np.ndarray):
        return fnp.asarray(value)
    if isinstance(value, list):
        return [_counted(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_counted(v) for v in value)
    return value


def _arrays(value) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return []


def _callable(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(getattr(fnp, module) if module else fnp, attr)


def test_every_shape_only_entry_has_a_sample():
    assert set(SHAPE_ONLY) == set(SAMPLES)


@pytest.mark.parametrize("name", SHAPE_ONLY)
def test_a_result_sharing_memory_with_an_argument_is_declared(name):
    op = REGISTRY[name]
    for args in SAMPLES[name]:
        counted = _counted(args)
        with warnings.catch_warnings(), flops.BudgetContext(flop_budget=10**9, quiet=True):
            warnings.simplefilter("ignore")
            result = _callable(name)(*counted)
        shares = any(np.shares_memory(out, arg)
                     for out in _arrays(result) for arg in _arrays(counted))
        if shares:  # declared, and only ever with one array argument (the fast path's rule)
            assert op.extras.get("may_return_a_view"), f"{name}{args!r} returns a view"
            assert len(_arrays(counted)) == 1, f"{name}{args!r}: a view with several arrays"


@pytest.mark.parametrize("name", SHAPE_ONLY)
def test_the_charge_does_not_depend_on_the_data(name):
    # Same layouts, other values (finite, and still valid input: positive
    # definite stays so when scaled): the same charge, from the rule and the table.
    def scaled(value):
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            return value * 3.0 + (value == 0) * 0.5
        if isinstance(value, (list, tuple)):
            return type(value)(scaled(v) for v in value)
        return value

    charges = []
    for data in (SAMPLES[name], [scaled(args) for args in SAMPLES[name]]):
        for args in data:
            with warnings.catch_warnings(), \
                    flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
                warnings.simplefilter("ignore")
                for _ in range(2):  # the rule, then the table of known calls
                    _callable(name)(*_counted(args))
            charges.append([r.flop_cost for r in ctx.op_log])
    half = len(charges) // 2
    assert charges[:half] == charges[half:]
    assert all(len(set(c)) == 1 for c in charges)
