"""Cost queries refuse dimensions that are not non-negative integers.

``ValueError`` for negative, fractional, integral-float and boolean
dimensions; ``TypeError`` for values that are not numbers and for non-boolean
flags (documented in flopscope.cost.validate).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
from flopscope import accounting
from flopscope.cost import validate


def test_issue_examples():
    with pytest.raises(ValueError, match="non-negative"):
        flops.pointwise_cost("exp", shape=(-3, 4))
    with pytest.raises(ValueError, match="non-negative"):
        flops.accounting.matmul_cost((-100, 200), (200, 50))
    assert flops.pointwise_cost("exp", shape=(3, 4)) == 12
    assert flops.accounting.matmul_cost((100, 200), (200, 50)) == 1_000_000


@pytest.mark.parametrize("call", [
    lambda: flops.pointwise_cost("exp", shape=(2.5, 4)),
    lambda: flops.pointwise_cost("add", shapes=[(3, 4), (True, 4)]),
    lambda: flops.reduction_cost("sum", (3.0, 4)),
    lambda: flops.einsum_cost("ij,jk->ik", shapes=[(2, -1), (-1, 2)]),
    lambda: flops.svd_cost(m=-256, n=256, k=10),
    lambda: flops.svd_cost(m=256, n=256, k=-1),
    lambda: flops.svd_cost(m=256.0, n=256),
    lambda: flops.svd_cost(m=True, n=256),
    lambda: flops.accounting.sort_cost(np.float64(3)),
    lambda: flops.accounting.fft2_cost((8, -8)),
    lambda: flops.accounting.multi_dot_cost([(2, 3), (3, -4)]),
    lambda: flops.accounting.weighted("add", -5),
])
def test_bad_dimensions_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: flops.accounting.sort_cost("10"),
    lambda: flops.accounting.sort_cost(None),
    lambda: flops.pointwise_cost("exp", shape=5.5j),
    lambda: flops.svd_cost(m=4, n=4, compute_uv="yes"),
    lambda: flops.accounting.matmul_cost(object(), (2, 2)),
])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_numpy_integers_and_signed_parameters_are_accepted():
    assert flops.svd_cost(m=np.int64(256), n=np.int32(256), k=np.int16(10)) == 655360
    assert flops.accounting.round_cost(10, decimals=-2) == flops.accounting.round_cost(10, decimals=2)
    assert flops.accounting.svd_cost(m=4, n=4, k=None) >= 0
    assert flops.accounting.polyval_cost(-1, 100) == 0  # an empty polynomial has degree -1


def _dimension_parameters(fn):
    """Names of the parameters annotated as a single dimension that must be non-negative."""
    return [name for name, p in inspect.signature(fn).parameters.items()
            if p.annotation in ("int", "int | None") and name not in validate._SIGNED]


QUERIES = [name for name in accounting.__all__ if _dimension_parameters(getattr(accounting, name))]


def _valid_call(fn):
    """Keyword arguments for a call where every other argument is the default or a small size."""
    kwargs = {}
    for name, p in inspect.signature(fn).parameters.items():
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            kwargs[name] = {"str": "add", "Sequence[int]": (4, 4), "Shape": (4, 4),
                            "tuple[int, ...]": (4, 4),
                            "Sequence[Sequence[int]]": [(4, 4), (4, 4)]}.get(p.annotation, 4)
    return kwargs


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(QUERIES), st.data())
def test_every_accounting_query_refuses_bad_dimensions(query, data):
    fn = getattr(accounting, query)
    param = data.draw(st.sampled_from(_dimension_parameters(fn)))
    bad = data.draw(st.one_of(
        st.integers(max_value=-1),
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: True),
        st.booleans(),
        st.integers(min_value=-10**6, max_value=-1).map(np.int64),
    ))
    kwargs = _valid_call(fn)
    kwargs[param] = bad
    with pytest.raises(ValueError):
        fn(**kwargs)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(QUERIES), st.data())
def test_every_accounting_query_refuses_non_numbers(query, data):
    fn = getattr(accounting, query)
    param = data.draw(st.sampled_from(_dimension_parameters(fn)))
    kwargs = _valid_call(fn)
    kwargs[param] = data.draw(st.sampled_from(["3", b"3", [3], object()]))
    with pytest.raises(TypeError):
        fn(**kwargs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=0, max_size=4), st.integers(0, 3))
def test_valid_shapes_still_answer(shape, position):
    assert flops.pointwise_cost("exp", shape=tuple(shape)) == int(np.prod(shape, dtype=np.int64))
    if shape:
        broken = list(shape)
        broken[position % len(shape)] = -1 - broken[position % len(shape)]
        with pytest.raises(ValueError):
            flops.pointwise_cost("exp", shape=tuple(broken))
