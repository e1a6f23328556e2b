"""The compatibility corpus: realistic NumPy routines give NumPy's results on fnp.

Each module of ``tests/compat_corpus`` is imported twice: as written, and with
``numpy`` and its submodules swapped for ``flopscope.numpy`` in
``sys.modules`` while it is imported (what a user does to run a library under
flopscope). Every routine then runs on the same inputs under both; results,
dtypes, shapes and in-place effects on the inputs must be exactly equal, the
flopscope run must be counted, and it must not warn.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp

CORPUS = Path(__file__).parent / "compat_corpus"
MODULES = sorted(p.stem for p in CORPUS.glob("*.py") if not p.stem.startswith("_"))

#: What ``import numpy...`` resolves to while a corpus module is imported under flopscope.
SWAP = {
    "numpy": fnp,
    "numpy.linalg": fnp.linalg,
    "numpy.fft": fnp.fft,
    "numpy.random": fnp.random,
    "numpy.testing": fnp.testing,
    "numpy.lib": fnp.lib,
    "numpy.lib.stride_tricks": fnp.lib.stride_tricks,
}


#: Routines whose arithmetic is all on scalars taken out of arrays (``for z in data``,
#: ``w, x, y, z = q``): NumPy scalars are not flopscope arrays and their arithmetic
#: is not counted today, so these run free. Listed so the corpus still checks
#: their results; reported to the leaks work as a gap.
SCALAR_ONLY = {"alpha_beta", "g_h_filter_batch", "quat2mat"}


def _load(stem: str, swapped: bool) -> ModuleType:
    name = f"compat_corpus_{stem}_{'fnp' if swapped else 'numpy'}"
    spec = importlib.util.spec_from_file_location(name, CORPUS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    saved = {key: sys.modules.get(key) for key in SWAP}
    if swapped:
        sys.modules.update(SWAP)
    try:
        spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module


_MODULES: dict[tuple[str, bool], ModuleType] = {}


def _module(stem: str, swapped: bool) -> ModuleType:
    key = (stem, swapped)
    if key not in _MODULES:
        _MODULES[key] = _load(stem, swapped)
    return _MODULES[key]


CASES = [
    pytest.param(stem, index, id=f"{stem}.{case[0]}")
    for stem in MODULES
    for index, case in enumerate(_module(stem, False).CASES)
]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_swapped_modules_bind_flopscope():
    for stem in MODULES:
        module = _module(stem, True)
        assert module.np is fnp
    assert _module("filters", True).dot is fnp.dot
    assert _module("filters", True).inv is fnp.linalg.inv
    assert _module("layers", True).sliding_window_view is fnp.lib.stride_tricks.sliding_window_view
    assert _module("layers", False).np is np
    assert sys.modules["numpy"] is np  # the swap did not outlive the import


def _same(mine: Any, theirs: Any, where: str) -> None:
    if isinstance(theirs, (tuple, list)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs), where
        for i, (m, t) in enumerate(zip(mine, theirs)):
            _same(m, t, f"{where}[{i}]")
        return
    if isinstance(theirs, np.ndarray):
        assert isinstance(mine, fnp.ndarray), f"{where}: {type(mine).__name__} is not fnp.ndarray"
        assert mine.shape == theirs.shape and mine.dtype == theirs.dtype, where
        np.testing.assert_array_equal(mine.view(np.ndarray), theirs, err_msg=where, strict=True)
        return
    if isinstance(theirs, (np.generic, float, int, bool, complex)):
        assert type(mine) is type(theirs), f"{where}: {type(mine)} != {type(theirs)}"
        np.testing.assert_array_equal(mine, theirs, err_msg=where)
        return
    assert mine == theirs, where


@pytest.mark.parametrize("stem, index", CASES)
def test_routine_matches_numpy(stem, index):
    name, reference, make_args = _module(stem, False).CASES[index]
    _, counted, make_fnp_args = _module(stem, True).CASES[index]
    args = make_args(np)
    expected = reference(*args)
    fnp_args = make_fnp_args(fnp)
    with warnings.catch_warnings():
        warnings.simplefilter("error", flops.FlopscopeWarning)
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
            result = counted(*fnp_args)
    _same(result, expected, f"{name} result")
    # in-place effects on the inputs are NumPy's too
    _same(list(fnp_args), list(args), f"{name} inputs after the call")
    if name in SCALAR_ONLY:
        return
    assert budget.flops_used > 0, f"{name} ran uncounted"
