"""Array API standard: ``flopscope.numpy`` answers like NumPy's own namespace.

* the inspection namespace (``__array_namespace_info__``) gives NumPy's answers;
* every standard function NumPy has, fnp has, with a signature that accepts
  every parameter NumPy's accepts (same names, kinds and defaults);
* calls using the standard's own keywords (``correction=``, ``stable=``,
  ``include_initial=``, ``device=``, ``copy=``...) give NumPy's results, and
  ``correction=`` is costed like ``ddof=`` (a reduction: numel(input)).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
import array_api_names as names  # tests/array_api_names.py (tests/ is on sys.path)

NAMESPACES = [
    ("numpy", np, fnp, names.FUNCTIONS),
    ("numpy.linalg", np.linalg, fnp.linalg, names.LINALG),
    ("numpy.fft", np.fft, fnp.fft, names.FFT),
]
FUNCTION_CASES = [
    pytest.param(real, ours, name, id=f"{label}.{name}")
    for label, real, ours, listed in NAMESPACES
    for name in listed
    if hasattr(real, name)
]


def test_inspection_namespace_matches_numpy():
    ours = fnp.__array_namespace_info__()
    theirs = np.__array_namespace_info__()
    assert ours.capabilities() == theirs.capabilities()
    assert ours.default_device() == theirs.default_device() == "cpu"
    assert ours.devices() == theirs.devices()
    assert ours.default_dtypes() == theirs.default_dtypes()
    assert ours.default_dtypes(device="cpu") == theirs.default_dtypes(device="cpu")
    for kind in (None, "bool", "signed integer", "unsigned integer", "integral",
                 "real floating", "complex floating", "numeric", ("integral", "bool")):
        assert ours.dtypes(kind=kind) == theirs.dtypes(kind=kind)
    with pytest.raises(ValueError):
        theirs.dtypes(kind="no such kind")
    with pytest.raises(ValueError):
        ours.dtypes(kind="no such kind")
    for method in ("capabilities", "default_device", "default_dtypes", "devices", "dtypes"):
        assert inspect.signature(getattr(ours, method)) == inspect.signature(getattr(theirs, method))
    assert fnp.__array_api_version__ == np.__array_api_version__


def test_array_namespace_of_a_flopscope_array_is_fnp():
    x = fnp.ones((2, 2))
    assert x.__array_namespace__() is fnp
    assert x.__array_namespace__(api_version="2023.12") is fnp
    assert flops.as_symmetric(fnp.eye(2)).__array_namespace__() is fnp
    with pytest.raises(ValueError):
        np.ones(2).__array_namespace__(api_version="1999.01")
    with pytest.raises(ValueError):
        x.__array_namespace__(api_version="1999.01")
    with pytest.raises(TypeError):
        x.__array_namespace__("2023.12")  # keyword-only, as in NumPy


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("real, ours, name", FUNCTION_CASES)
def test_every_standard_function_exists_with_numpy_parameters(real, ours, name):
    theirs = _parameters(getattr(real, name))
    mine = _parameters(getattr(ours, name))
    if theirs is None:  # a ufunc or builtin without an introspectable signature
        assert callable(getattr(ours, name))
        return
    assert mine is not None, f"fnp.{name} has no signature"
    for pname, param in theirs.items():
        assert pname in mine, f"fnp.{name} lacks parameter {pname!r}"
        assert mine[pname].kind == param.kind, f"{name}({pname}) kind differs"
        if param.default is not inspect.Parameter.empty and type(param.default) is not type:
            assert repr(mine[pname].default) == repr(param.default), f"{name}({pname}) default"


@pytest.mark.parametrize("name", names.CONSTANTS)
def test_constants(name):
    assert getattr(fnp, name) is getattr(np, name)


@pytest.mark.parametrize("attr", names.ARRAY_ATTRIBUTES)
def test_array_object_attributes_exist(attr):
    assert hasattr(fnp.ones((2, 2)), attr) == hasattr(np.ones((2, 2)), attr)


A = np.arange(12.0).reshape(3, 4) - 5.5
SQ = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

#: (id, call) pairs: ``call(xp)`` runs with xp = numpy, then with xp = fnp.
CALLS = {
    "std correction": lambda xp: xp.std(xp.asarray(A), correction=1),
    "var correction axis keepdims": lambda xp: xp.var(xp.asarray(A), axis=0, correction=1, keepdims=True),
    "var fractional correction": lambda xp: xp.var(xp.asarray(A), axis=(0, 1), correction=0.5),
    "sort stable": lambda xp: xp.sort(xp.asarray(A), axis=0, stable=True),
    "argsort stable": lambda xp: xp.argsort(xp.asarray(A), axis=-1, stable=True),
    "cumulative_sum include_initial": lambda xp: xp.cumulative_sum(xp.asarray(A), axis=1, include_initial=True),
    "cumulative_prod": lambda xp: xp.cumulative_prod(xp.asarray(A[0]), dtype=xp.float64),
    "unique_values": lambda xp: xp.unique_values(xp.asarray(np.round(A))),
    "unique_counts": lambda xp: tuple(xp.unique_counts(xp.asarray(np.round(A / 3)))),
    "unique_inverse": lambda xp: tuple(xp.unique_inverse(xp.asarray(np.round(A / 3)))),
    "unique_all": lambda xp: tuple(xp.unique_all(xp.asarray(np.round(A / 3)))),
    "clip min max keywords": lambda xp: xp.clip(xp.asarray(A), min=-1.0, max=2.0),
    "astype copy": lambda xp: xp.astype(xp.asarray(A), xp.float32, copy=False),
    "asarray device copy": lambda xp: xp.asarray([1.0, 2.0], dtype=xp.float64, device="cpu", copy=True),
    "zeros device": lambda xp: xp.zeros((2, 3), device="cpu"),
    "arange device": lambda xp: xp.arange(0, 5, 2, device="cpu"),
    "linspace endpoint device": lambda xp: xp.linspace(0.0, 1.0, 5, endpoint=False, device="cpu"),
    "eye k": lambda xp: xp.eye(3, 4, k=1, dtype=xp.int64, device="cpu"),
    "reshape copy": lambda xp: xp.reshape(xp.asarray(A), (4, 3), copy=None),
    "concat axis None": lambda xp: xp.concat([xp.asarray(A), xp.asarray(A)], axis=None),
    "unstack": lambda xp: tuple(xp.unstack(xp.asarray(A), axis=1)),
    "permute_dims": lambda xp: xp.permute_dims(xp.asarray(A), (1, 0)),
    "matrix_transpose": lambda xp: xp.matrix_transpose(xp.asarray(A)),
    "vecdot axis": lambda xp: xp.vecdot(xp.asarray(A), xp.asarray(A), axis=0),
    "tensordot axes": lambda xp: xp.tensordot(xp.asarray(A), xp.asarray(A.T), axes=1),
    "take axis": lambda xp: xp.take(xp.asarray(A), xp.asarray([2, 0]), axis=1),
    "take_along_axis": lambda xp: xp.take_along_axis(xp.asarray(A), xp.asarray([[0], [1], [2]]), axis=1),
    "count_nonzero keepdims": lambda xp: xp.count_nonzero(xp.asarray(A > 0), axis=0, keepdims=True),
    "searchsorted side sorter": lambda xp: xp.searchsorted(xp.asarray([3.0, 1.0, 2.0]), xp.asarray([2.0]),
                                                           side="right", sorter=xp.asarray([1, 2, 0])),
    "sum dtype keepdims": lambda xp: xp.sum(xp.asarray(A), axis=1, dtype=xp.float32, keepdims=True),
    "max keepdims": lambda xp: xp.max(xp.asarray(A), axis=0, keepdims=True),
    "diff prepend": lambda xp: xp.diff(xp.asarray(A), n=1, axis=0, prepend=xp.asarray(A[:1])),
    "meshgrid ij": lambda xp: tuple(xp.meshgrid(xp.asarray([1.0, 2.0]), xp.asarray([3.0, 4.0, 5.0]), indexing="ij")),
    "round decimals": lambda xp: xp.round(xp.asarray(A / 7), decimals=2),
    "pow": lambda xp: xp.pow(xp.asarray(A), 2),
    "bitwise_left_shift": lambda xp: xp.bitwise_left_shift(xp.asarray([1, 2]), 3),
    "isdtype": lambda xp: xp.isdtype(xp.float64, "real floating"),
    "linalg.matrix_norm keepdims": lambda xp: xp.linalg.matrix_norm(xp.asarray(A), keepdims=True, ord="fro"),
    "linalg.vector_norm": lambda xp: xp.linalg.vector_norm(xp.asarray(A), axis=1, keepdims=True, ord=3),
    "linalg.svdvals": lambda xp: xp.linalg.svdvals(xp.asarray(A)),
    "linalg.eigh": lambda xp: tuple(xp.linalg.eigh(xp.asarray(SQ))),
    "linalg.qr reduced": lambda xp: tuple(xp.linalg.qr(xp.asarray(A.T), mode="reduced")),
    "linalg.cross axis": lambda xp: xp.linalg.cross(xp.asarray(SQ), xp.asarray(SQ[::-1]), axis=-1),
    "linalg.diagonal offset": lambda xp: xp.linalg.diagonal(xp.asarray(A), offset=1),
    "linalg.trace offset dtype": lambda xp: xp.linalg.trace(xp.asarray(A), offset=1, dtype=xp.float32),
    "linalg.matrix_rank rtol": lambda xp: xp.linalg.matrix_rank(xp.asarray(A), rtol=1e-8),
    "linalg.pinv rtol": lambda xp: xp.linalg.pinv(xp.asarray(SQ), rtol=1e-10),
    "fft.fft norm axis": lambda xp: xp.fft.fft(xp.asarray(A), n=6, axis=0, norm="ortho"),
    "fft.fftfreq device": lambda xp: xp.fft.fftfreq(8, d=0.5, device="cpu"),
    "fft.rfftfreq dtype": lambda xp: xp.fft.rfftfreq(8, d=0.5),
    "array to_device device mT": lambda xp: (xp.asarray(A).to_device("cpu"), xp.asarray(A).device,
                                             xp.asarray(A).mT),
}


def _same(mine, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(mine, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            _same(m, t)
        return
    if isinstance(theirs, (str, bool)) or theirs is None:
        assert mine == theirs
        return
    assert np.shape(mine) == np.shape(theirs)
    assert np.asarray(mine).dtype == np.asarray(theirs).dtype
    np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_standard_keywords_give_numpy_results(call):
    _same(call(fnp), call(np))


@pytest.mark.parametrize("fn_name", ["std", "var"])
def test_correction_is_costed_like_ddof(fn_name):
    x = fnp.asarray(A)
    fn = getattr(fnp, fn_name)
    with flops.BudgetContext(10**6) as with_ddof:
        fn(x, ddof=1)
    with flops.BudgetContext(10**6) as with_correction:
        fn(x, correction=1)
    # A reduction costs numel(input): 3 x 4 = 12, whatever the correction.
    assert with_correction.flops_used == with_ddof.flops_used == 12
    plan = flops.plan(lambda y: fn(y, axis=0, correction=1), (3, 4))
    assert plan.flops == 12
    with pytest.raises(ValueError):
        fn(x, ddof=1, correction=1)  # NumPy refuses both at once; so does fnp


def test_correction_with_packaged_weights():
    from flopscope import _weights

    _weights.load_weights()
    x = fnp.asarray(A)
    with flops.BudgetContext(10**9) as with_ddof:
        fnp.var(x, ddof=1)
    with flops.BudgetContext(10**9) as with_correction:
        fnp.var(x, correction=1)
    weight = _weights.get_weight("var")
    assert weight != 1.0  # the packaged table is loaded
    # charges are exact and reported rounded up: ceil(12 x weight)
    assert with_correction.flops_used == with_ddof.flops_used == math.ceil(12 * weight)


def test_std_var_methods_refuse_correction_like_numpy():
    """NumPy's ``ndarray.std`` / ``ndarray.var`` have no ``correction=``; the functions do."""
    x = fnp.asarray(A)
    for name in ("std", "var"):
        with pytest.raises(TypeError) as theirs:
            getattr(A, name)(correction=1)
        with pytest.raises(TypeError) as ours:
            getattr(x, name)(correction=1)
        assert str(ours.value) == str(theirs.value)
        np.testing.assert_array_equal(getattr(x, name)(axis=0, ddof=1), getattr(A, name)(axis=0, ddof=1))
    with flops.BudgetContext(10**6) as budget:
        x.std(ddof=1)
    assert budget.flops_used == 12
