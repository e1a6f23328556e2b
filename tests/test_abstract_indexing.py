"""Indexing abstract arrays gives NumPy's shapes and NumPy's errors.

Every index is drawn twice: a concrete version NumPy evaluates on a real
array, and a version where index arrays are abstract (integer arrays of the
same shape; boolean masks of the same shape, whose count is unknown). The
abstract result must have NumPy's shape, with masks planned at their upper
bound (the concrete mask is all True) and marked ``bound``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.indexing import index_shape

SMALL = st.integers(1, 3)


@st.composite
def index_items(draw, ndim):
    """(concrete item, abstract item) pairs for one index tuple."""
    items = []
    for _ in range(draw(st.integers(0, ndim + 2))):
        kind = draw(st.sampled_from(
            ["int", "slice", "none", "ellipsis", "list", "intarray", "mask0", "mask1", "mask2",
             "bool", "abstract_int", "abstract_mask1", "abstract_mask2", "zero_d"]
        ))
        if kind == "int":
            v = draw(st.integers(-3, 3))
            items.append((v, v))
        elif kind == "slice":
            s = slice(draw(st.none() | st.integers(-4, 4)), draw(st.none() | st.integers(-4, 4)),
                      draw(st.none() | st.sampled_from([1, 2, -1, -2, 3])))
            items.append((s, s))
        elif kind == "none":
            items.append((None, None))
        elif kind == "ellipsis":
            items.append((Ellipsis, Ellipsis))
        elif kind == "list":
            v = draw(st.lists(st.integers(0, 1), max_size=3))
            items.append((v, v))
        elif kind == "intarray":
            v = np.zeros(draw(st.tuples(SMALL, SMALL)), dtype=np.intp)
            items.append((v, v))
        elif kind == "zero_d":
            v = np.array(draw(st.integers(0, 1)))
            items.append((v, v))
        elif kind == "bool":
            v = draw(st.booleans())
            items.append((v, v))
        elif kind.startswith("mask"):
            nd = int(kind[-1])
            shape = draw(st.tuples(*[st.integers(1, 3)] * nd))
            v = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                       max_size=int(np.prod(shape))))).reshape(shape)
            items.append((v, v))
        elif kind == "abstract_int":
            shape = draw(st.tuples(SMALL)) if draw(st.booleans()) else ()
            items.append((np.zeros(shape, dtype=np.intp), AbstractArray(shape, np.intp)))
        else:
            nd = int(kind[-1])
            shape = draw(st.tuples(*[st.integers(1, 3)] * nd))
            items.append((np.ones(shape, dtype=bool), AbstractArray(shape, np.bool_)))
    return items


@st.composite
def cases(draw):
    shape = draw(st.lists(st.integers(1, 4), max_size=4).map(tuple))
    items = draw(index_items(len(shape)))
    single = len(items) == 1 and draw(st.booleans())
    concrete = items[0][0] if single else tuple(c for c, _ in items)
    abstract = items[0][1] if single else tuple(a for _, a in items)
    return shape, concrete, abstract


@settings(max_examples=400, deadline=None)
@given(cases())
def test_index_shapes_and_errors_match_numpy(case):
    shape, concrete, abstract = case
    try:
        expected = np.zeros(shape)[concrete].shape
    except IndexError as exc:
        with pytest.raises(IndexError):
            index_shape(shape, abstract)
        expected = exc
    else:
        got, bound = index_shape(shape, abstract)
        assert got == expected
        parts = abstract if isinstance(abstract, tuple) else (abstract,)
        assert bound == any(isinstance(p, AbstractArray) and p.dtype == np.bool_ for p in parts)


@pytest.mark.parametrize("index, shape", [
    ((0, slice(None), [1, 2]), (2, 4)),          # integer and array separated: array dims first
    (([0, 1], 0), (2, 5)),                        # adjacent: in place
    ((slice(None), [[0], [1]], [0, 1]), (3, 2, 2)),
    ((Ellipsis, None, 1), (3, 4, 1)),
    ((True,), (1, 3, 4, 5)),
    ((np.array(True), 0), (1, 4, 5)),
    (([0, 1], Ellipsis, [0, 1]), (2, 4)),         # an ellipsis separates, even with axes to fill
    ((slice(None), [0], Ellipsis, [0]), (1, 3)),  # ...and even when it stands for no axis
])
def test_documented_placement_rules(index, shape):
    a = np.zeros((3, 4, 5))
    assert a[index].shape == index_shape((3, 4, 5), index)[0] == shape


def test_errors_are_numpys():
    a = np.zeros((3, 4))
    for index in [(0, 0, 0), 3, (Ellipsis, Ellipsis), 1.5, "a", [1.0], np.zeros((2, 2), bool),
                  ([0, 1], [0, 1, 2])]:
        with pytest.raises(IndexError):
            a[index]
        with pytest.raises(IndexError):
            index_shape((3, 4), index)
    with pytest.raises(IndexError, match="out of bounds"):
        index_shape((3,), [0, 3])
    with pytest.raises(IndexError, match="integer"):
        index_shape((3,), AbstractArray((2,), np.float64))


def test_getitem_in_a_plan_keeps_sources_and_is_free():
    def f(x, idx):
        rows = x[idx]  # abstract integer index: shape known, values unknown
        return rows.sum(), x[1:, ::2].sum(), x[x > 0.5]

    p = flops.plan(f, (6, 4), flops.spec((3,), "int64"))
    assert [s.shape for s in p.outputs] == [(), (), (24,)]
    assert p.outputs[2].bound and not p.outputs[0].bound
    g = p.graph
    inputs = {d["label"]: n for n, d in g.nodes(data=True) if d["kind"] == "input"}
    first_sum = p.op_log[0].node_id
    assert set(g.predecessors(first_sum)) == {inputs["x"], inputs["idx"]}
    assert [r.op_name for r in p.op_log] == ["sum", "sum", "greater"]


def test_slice_bounds_from_array_values_are_a_concretization_error():
    def f(x):
        n = x.argmax()
        return x[:n]

    with pytest.raises(flops.ConcretizationError, match="as a Python index"):
        flops.plan(f, (5,))


def test_setitem_checks_broadcasting_and_adds_the_value_as_a_source():
    def f(x, y):
        x[0] = y  # (4,) into (4,)
        x[1:, :2] = 0
        x[...] = y[None, None, :]  # leading unit axes of the value are dropped
        return fnp_exp(x)

    from flopscope.numpy import exp as fnp_exp

    p = flops.plan(f, (3, 4), (4,))
    g = p.graph
    (exp_node,) = [n for n, d in g.nodes(data=True) if d.get("op") == "exp"]
    assert {g.nodes[n]["label"] for n in g.predecessors(exp_node)} == {"x", "y"}

    def bad(x, y):
        x[0] = y

    with pytest.raises(ValueError, match="could not broadcast"):
        flops.plan(bad, (3, 4), (5,))
    with pytest.raises(ValueError):
        np.zeros((3, 4))[0] = np.zeros(5)


def test_iteration_and_len_follow_the_first_axis():
    def f(x):
        assert len(x) == 3
        total = 0
        for row in x:
            assert row.shape == (4,)
            total = total + row.sum()
        return total

    p = flops.plan(f, (3, 4))
    # Three row sums; the sums are NumPy scalars, so adding them up is NumPy's own
    # (uncounted) arithmetic, eagerly and in the plan alike.
    assert p.flops == 3 * 4
    with flops.BudgetContext(flop_budget=100) as ctx:
        f(np.ones((3, 4)).view(fnp.ndarray))
    assert ctx.flops_used == p.flops
