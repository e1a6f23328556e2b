"""fnp.fft: hand-computed costs, NumPy parity (values, dtypes, shapes, errors), plans.

Costs (flopscope.cost.fft): 5n·⌈log2 n⌉ per complex transform of length n
times the number of transforms; real transforms half that, rounded up; n-d
transforms the sum over axes of (lines along the axis) × (1-D cost).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.accounting import (
    fft2_cost,
    fft_cost,
    fftn_cost,
    hfft_cost,
    ifft_cost,
    ihfft_cost,
    irfft_cost,
    irfftn_cost,
    rfft_cost,
    rfftn_cost,
)
from flopscope.exec.shapes import ArraySpec
from flopscope.registry import REGISTRY, Category, lookup

RNG = np.random.default_rng(11)
X8 = RNG.standard_normal(8)
X38 = RNG.standard_normal((3, 8))
X248 = RNG.standard_normal((2, 4, 8))
X348 = RNG.standard_normal((3, 4, 8))
Z9 = RNG.standard_normal(9) + 1j * RNG.standard_normal(9)
Z45 = RNG.standard_normal((4, 5)) + 1j * RNG.standard_normal((4, 5))
Z245 = RNG.standard_normal((2, 4, 5)) + 1j * RNG.standard_normal((2, 4, 5))


def charged(fn, *args, **kwargs):
    """(result, FLOPs charged, op names logged) of ``fn(*args, **kwargs)`` in a fresh budget."""
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        result = fn(*args, **kwargs)
    return result, ctx.flops_used, [r.op_name for r in ctx.op_log]


def assert_same(result, expected):
    assert type(result) is fnp.ndarray
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(result), expected)


#: (name, args, kwargs, cost)
CALLS = [
    ("fft", (X8,), {}, 5 * 8 * 3),
    ("fft", (X38,), {}, 3 * 5 * 8 * 3),                        # batch of 3 rows
    ("fft", (X38,), {"axis": 0}, 8 * 5 * 3 * 2),               # 8 columns of length 3
    ("fft", (X8,), {"n": 5}, 5 * 5 * 3),                       # truncated; ⌈log2 5⌉ = 3
    ("fft", (X8,), {"n": 12, "norm": "ortho"}, 5 * 12 * 4),     # padded
    ("fft", (X8[:1],), {}, 0),                                  # length 1: nothing to do
    ("fft", (X8.astype(np.float32),), {}, 120),                 # complex64 out
    ("fft", (np.arange(8),), {}, 120),                          # integers in, complex128 out
    ("ifft", (Z9,), {}, 5 * 9 * 4),
    ("ifft", (X348,), {"axis": 1, "norm": "forward"}, 3 * 8 * (5 * 4 * 2)),
    ("rfft", (RNG.standard_normal(16),), {}, 5 * 16 * 4 // 2),
    ("rfft", (RNG.standard_normal(7),), {}, math.ceil(5 * 7 * 3 / 2)),  # 52.5 -> 53
    ("rfft", (X38.astype(np.float32),), {"axis": 0}, 8 * math.ceil(5 * 3 * 2 / 2)),
    ("irfft", (Z9,), {}, 5 * 16 * 4 // 2),                      # default n = 2·(9 − 1) = 16
    ("irfft", (Z9,), {"n": 7}, 53),
    ("hfft", (Z9[:5],), {}, 5 * 8 * 3 // 2),                    # n = 8
    ("ihfft", (RNG.standard_normal(10),), {}, 5 * 10 * 4 // 2),
    # 2-D: 4×8 -> 8 lines of length 4 (40 each) + 4 lines of length 8 (120 each)
    ("fft2", (X248[0],), {}, 8 * 40 + 4 * 120),
    ("ifft2", (X248,), {}, 2 * (8 * 40 + 4 * 120)),
    ("fft2", (X348,), {"s": (2, 16), "axes": (0, 2)}, 4 * 16 * (5 * 2 * 1) + 2 * 4 * (5 * 16 * 4)),
    # n-d: 5N·Σ⌈log2 n_i⌉, N = 64
    ("fftn", (X248,), {}, 5 * 64 * (1 + 2 + 3)),
    ("ifftn", (X348,), {"s": (5, 6), "axes": (0, 2)},          # output 5×4×6
     24 * (5 * 5 * 3) + 20 * (5 * 6 * 3)),
    ("fftn", (X348,), {"axes": (1,)}, 3 * 8 * (5 * 4 * 2)),
    # real n-d on 4×8: real transforms of length 8 on 4 lines (60 each), then complex
    # length-4 transforms on the 5 columns of the half spectrum (40 each)
    ("rfftn", (X248[0],), {}, 4 * 60 + 5 * 40),
    ("rfft2", (X248,), {}, 2 * (4 * 60 + 5 * 40)),
    ("irfftn", (Z45,), {}, 4 * 60 + 5 * 40),                   # default s = (4, 8)
    ("irfft2", (Z245,), {}, 2 * (4 * 60 + 5 * 40)),
    ("irfftn", (Z45,), {"s": (4, 9), "axes": (0, 1)},           # odd output: half spectrum 5
     4 * math.ceil(5 * 9 * 4 / 2) + 5 * 40),
]


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_cost_and_numpy_parity(name, args, kwargs, cost):
    result, used, logged = charged(getattr(fnp.fft, name), *args, **kwargs)
    expected = getattr(np.fft, name)(*args, **kwargs)
    assert used == cost
    assert logged == [f"fft.{name}"]
    assert_same(result, expected)


@pytest.mark.parametrize("name, args, kwargs, cost", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_shape_rule_matches_numpy(name, args, kwargs, cost):
    op = lookup(f"fft.{name}")
    expected = getattr(np.fft, name)(*args, **kwargs)
    assert op.shape(*args, **kwargs) == ArraySpec(expected.shape, expected.dtype)
    assert op.cost(*args, **kwargs) == cost


def test_numpy_fft_on_flopscope_arrays_is_counted():
    fx = fnp.asarray(X348)
    for name, kwargs in [("fft", {"n": 16}), ("rfftn", {}), ("ifft2", {"axes": (0, 1)})]:
        via_numpy, used_numpy, log = charged(getattr(np.fft, name), fx, **kwargs)
        _, used_fnp, _ = charged(getattr(fnp.fft, name), fx, **kwargs)
        assert used_numpy == used_fnp > 0 and log == [f"fft.{name}"]
        assert_same(via_numpy, getattr(np.fft, name)(X348, **kwargs))


def test_out_argument():
    out = fnp.zeros(8, dtype=complex)
    result, used, _ = charged(fnp.fft.fft, X8, out=out)
    assert result is out and used == 120
    np.testing.assert_array_equal(np.asarray(out), np.fft.fft(X8))


@pytest.mark.parametrize("name, args, kwargs", [
    ("fftfreq", (8,), {}), ("fftfreq", (7, 0.5), {}), ("rfftfreq", (9,), {"d": 0.1}),
    ("fftshift", (X348,), {}), ("ifftshift", (X348,), {"axes": (0, 2)}),
    ("fftshift", (X8,), {"axes": 0}),
])
def test_helpers_are_free(name, args, kwargs):
    result, used, logged = charged(getattr(fnp.fft, name), *args, **kwargs)
    expected = getattr(np.fft, name)(*args, **kwargs)
    assert used == 0 and logged == []
    assert_same(result, expected)
    assert lookup(f"fft.{name}").category is Category.FREE
    assert lookup(f"fft.{name}").shape(*args, **kwargs) == ArraySpec(expected.shape, expected.dtype)


def test_every_numpy_fft_callable_has_an_entry():
    public = {n for n in dir(np.fft) if not n.startswith("_")}
    for name in public:
        op = REGISTRY[f"fft.{name}"]
        assert op.module == "numpy.fft" and op.attr == name
        if name == "test":
            assert op.category is Category.BLOCKED
            continue
        assert op.numpy_func is getattr(np.fft, name)
    assert len(public - {"test"}) == 18
    with pytest.raises(AttributeError, match="blocked"):
        fnp.fft.test  # noqa: B018 (the lookup itself raises)


# -- errors -----------------------------------------------------------------------------------

ERRORS = [
    ("fft", (X8,), {"n": 0}, ValueError),
    ("fft", (X8,), {"axis": 1}, IndexError),              # NumPy reads a.shape[axis] first
    ("fft", (X8,), {"norm": "bogus"}, ValueError),
    ("irfft", (Z9[:1],), {}, ValueError),                 # default n = 0
    ("fftn", (X38,), {"s": (4, 4, 4), "axes": (0, 1)}, ValueError),
    ("rfftn", (X38,), {"axes": (0, 3)}, IndexError),
    ("fft2", (X8,), {}, IndexError),
]


@pytest.mark.parametrize("name, args, kwargs, error", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_are_numpys_and_nothing_is_charged(name, args, kwargs, error):
    with pytest.raises(error):
        getattr(np.fft, name)(*args, **kwargs)
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        with pytest.raises(error):
            getattr(fnp.fft, name)(*args, **kwargs)
    assert ctx.flops_used == 0 and ctx.op_log == []


# -- cost queries --------------------------------------------------------------------------------


def test_cost_queries_by_hand():
    assert fft_cost(1024) == 5 * 1024 * 10 == 51_200
    assert fft_cost(1000, batch=3) == 3 * 5 * 1000 * 10      # ⌈log2 1000⌉ = 10
    assert ifft_cost(1) == 0
    assert rfft_cost(1024) == 25_600 and rfft_cost(5) == 38    # ⌈75/2⌉
    assert irfft_cost(16, batch=2) == hfft_cost(16, 2) == ihfft_cost(16, 2) == 2 * 160
    assert fftn_cost((64, 64)) == 5 * 4096 * 12 == fft2_cost((64, 64))
    assert fftn_cost((8,), batch=3) == fft_cost(8, 3)
    assert rfftn_cost((64, 64)) == 64 * 960 + 33 * 1920 == irfftn_cost((64, 64))
    with pytest.raises(ValueError):
        fft_cost(0)
    with pytest.raises(ValueError):
        fft2_cost((4, 4, 4))


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 5000), batch=st.integers(0, 5))
def test_costs_monotone_and_real_is_half(n, batch):
    assert fft_cost(n + 1, batch) >= fft_cost(n, batch)
    assert rfft_cost(n + 1, batch) >= rfft_cost(n, batch)
    assert rfft_cost(n) == -(-fft_cost(n) // 2)
    expected = batch * 5 * n * math.ceil(math.log2(n)) if n > 1 else 0
    assert fft_cost(n, batch) == expected


# -- plans agree with eager runs --------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       name=st.sampled_from(["fft", "rfft", "ifft", "fftn", "rfftn", "ihfft"]),
       pad=st.integers(1, 9))
def test_plan_shape_and_cost_equal_eager(shape, name, pad):
    one_d = name in ("fft", "rfft", "ifft", "ihfft")
    kwargs = {"n": pad} if one_d else {"s": (pad,), "axes": (-1,)}
    a = RNG.standard_normal(shape)
    result, used, _ = charged(getattr(fnp.fft, name), a, **kwargs)
    if hasattr(flops, "plan"):
        planned = flops.plan(lambda x: getattr(fnp.fft, name)(x, **kwargs), tuple(shape))
        assert planned.analytical_flops == used
        assert planned.outputs == ArraySpec(result.shape, result.dtype)
    assert lookup(f"fft.{name}").shape(a, **kwargs) == ArraySpec(result.shape, result.dtype)


@pytest.mark.skipif(not hasattr(flops, "plan"), reason="flops.plan is not available yet")
def test_plan_of_a_spectral_filter():
    def lowpass(x):
        spectrum = fnp.fft.rfft(x, axis=-1)
        return fnp.fft.irfft(spectrum * fnp.fft.rfftfreq(x.shape[-1]), n=x.shape[-1])

    planned = flops.plan(lowpass, (4, 64))
    x = RNG.standard_normal((4, 64))
    _, used, _ = charged(lowpass, fnp.asarray(x))
    assert planned.analytical_flops == used == 2 * 4 * (5 * 64 * 6 // 2) + 4 * 33
