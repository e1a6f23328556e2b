"""Abstract arrays: ndarray methods, NumPy protocols, NumPy-owned values, concretization."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.exec.abstract import AbstractArray, AbstractPlain


def planned(fn: Callable[..., Any], *shapes: Any) -> Any:
    """The abstract results of ``fn`` on abstract inputs (captured before freezing)."""
    box: list = []
    flops.plan(lambda *xs: box.append(fn(*xs)), *shapes)
    return box[0]


METHOD_CASES = [
    ("reshape(2, 6)", lambda x: x.reshape(2, 6)),
    ("reshape((2, 6))", lambda x: x.reshape((2, 6))),
    ("reshape([3, -1])", lambda x: x.reshape([3, -1])),
    ("reshape(-1)", lambda x: x.reshape(-1)),
    ("reshape order F", lambda x: x.reshape(6, 2, order="F")),
    ("transpose()", lambda x: x.transpose()),
    ("transpose(1, 0)", lambda x: x.transpose(1, 0)),
    ("transpose((1, 0))", lambda x: x.transpose((1, 0))),
    ("transpose(None)", lambda x: x.transpose(None)),
    ("T", lambda x: x.T),
    ("mT", lambda x: x.mT),
    ("swapaxes", lambda x: x.swapaxes(0, 1)),
    ("squeeze", lambda x: x.reshape(1, 3, 1, 4).squeeze()),
    ("squeeze axis", lambda x: x.reshape(1, 3, 1, 4).squeeze(axis=2)),
    ("ravel", lambda x: x.ravel()),
    ("flatten", lambda x: x.flatten()),
    ("copy", lambda x: x.copy()),
    ("astype", lambda x: x.astype(np.float32)),
    ("view int32", lambda x: x.view(np.int32)),
    ("view complex", lambda x: x.view(np.complex128)),
    ("view same", lambda x: x.view()),
    ("view ndarray", lambda x: x.view(np.ndarray)),
    ("real", lambda x: x.real),
    ("imag", lambda x: x.imag),
    ("complex real", lambda x: x.view(np.complex128).real),
    ("diagonal", lambda x: x.diagonal()),
    ("diagonal offset", lambda x: x.diagonal(1)),
    ("repeat", lambda x: x.repeat(2, axis=1)),
    ("repeat flat", lambda x: x.repeat(2)),
    ("take", lambda x: x.take([0, 2], axis=1)),
    ("take flat", lambda x: x.take([1, 5])),
    ("sum axis", lambda x: x.sum(axis=0)),
    ("mean keepdims", lambda x: x.mean(axis=(0, 1), keepdims=True)),
    ("argmax", lambda x: x.argmax(axis=1)),
    ("cumsum", lambda x: x.cumsum(axis=1)),
    ("var ddof", lambda x: x.var(ddof=1)),
    ("clip", lambda x: x.clip(0, 1)),
    ("dot", lambda x: x.dot(x.T)),
    ("len", lambda x: np.zeros(len(x))),
    ("size/ndim/nbytes", lambda x: np.zeros((x.size, x.ndim, x.nbytes // 96))),
    ("iterate", lambda x: [row for row in x][-1]),
]


@pytest.mark.parametrize("label, fn", METHOD_CASES, ids=[c[0] for c in METHOD_CASES])
def test_methods_give_numpys_shapes_and_dtypes(label, fn):
    got = planned(fn, (3, 4))
    want = fn(np.zeros((3, 4)))
    assert (got.shape, got.dtype) == (want.shape, want.dtype)


@pytest.mark.parametrize("fn", [
    lambda x: x.reshape(5),
    lambda x: x.swapaxes(0, 5),
    lambda x: x.squeeze(axis=0),
    lambda x: x.transpose(0, 0),
    lambda x: x[:, :3].view(np.complex128),
    lambda x: x.reshape((2, 6), shape=(2, 6)),
])
def test_method_errors_match_numpy(fn):
    with pytest.raises(Exception) as numpy_error:
        fn(np.zeros((3, 4)))
    with pytest.raises(type(numpy_error.value)):
        planned(fn, (3, 4))


def test_shape_assignment_reshapes_in_place():
    def f(x):
        x.shape = (4, 3)
        y = x.copy()
        y.shape = (-1,)
        return x, y

    x, y = planned(f, (3, 4))
    assert x.shape == (4, 3) and y.shape == (12,)
    with pytest.raises(ValueError):
        planned(lambda x: setattr(x, "shape", (5,)), (3, 4))


def test_fill_cuts_the_data_flow_and_writes_keep_it():
    def f(x, y):
        z = x * 2
        z.fill(0)  # z no longer depends on x
        w = x * 3
        w[0] = y  # w depends on x and on y
        return fnp.exp(z), fnp.exp(w)

    p = flops.plan(f, (2, 3), (3,))
    g = p.graph
    exps = [r.node_id for r in p.op_log if r.op_name == "exp"]
    labels = [{g.nodes[n].get("label", g.nodes[n].get("op")) for n in g.predecessors(e)} for e in exps]
    assert labels == [set(), {"multiply", "y"}]


def test_numpy_functions_and_operators_dispatch_to_the_registry():
    plain = np.ones((4, 2))

    def f(x):
        a = np.exp(x) + np.float64(1.0) * x  # NumPy ufuncs and NumPy scalars on the left
        b = np.sum(a, axis=0) @ plain.T  # NumPy function, concrete NumPy array
        c = plain.T @ x  # a plain ndarray on the left of @
        d = np.add.reduce(x, axis=1)  # ufunc method
        e = np.einsum("ij->j", x) ** 2 // 3 % 2
        f_, g = divmod(x, 2.0)
        return a, b, c, d, e, -abs(f_) + g, x > 0.5, ~(x > 0.5)

    p = flops.plan(f, (4, 2))
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        eager = f(np.ones((4, 2)).view(fnp.ndarray))
    assert p.flops == ctx.flops_used
    assert [r.op_name for r in p.op_log] == [r.op_name for r in ctx.op_log]
    for e, out in zip(eager, p.outputs):
        assert (e.shape, e.dtype) == (out.shape, out.dtype)


# -- NumPy-owned values (NumPy scalars and plain arrays) -------------------------------------


def test_zero_d_results_of_counted_calls_are_numpy_scalars():
    def f(x):
        s = x.sum()
        t = x.sum(axis=0)
        return s, t, x[0, 1], x[0], x[..., 0, 0], fnp.exp(s)

    s, t, item, row, view0d, exp_s = planned(f, (3, 4))
    assert isinstance(s, AbstractPlain) and s.shape == ()
    assert type(t) is AbstractArray and type(row) is AbstractArray
    assert isinstance(item, AbstractPlain)
    assert type(view0d) is AbstractArray and view0d.shape == ()  # x[..., i, j] is a 0-d view
    assert isinstance(exp_s, AbstractPlain)


def test_arithmetic_on_numpy_scalars_is_uncounted_as_eagerly():
    def f(x):
        s = x.sum()
        t = s * 2 + 1 - s / 3  # NumPy's own scalar arithmetic
        u = np.sqrt(abs(t)) > 0  # NumPy's own ufuncs on scalars
        v = s.astype(np.float32).round()  # scalar methods
        w = s.reshape(1) * 3  # a plain ndarray from a scalar method: NumPy's own too
        return x * t, fnp.sqrt(t), u, v, w

    p = flops.plan(f, (3, 4))
    assert [r.op_name for r in p.op_log] == ["sum", "multiply", "sqrt"]
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        f(np.ones((3, 4)).view(fnp.ndarray))
    assert [r.op_name for r in ctx.op_log] == ["sum", "multiply", "sqrt"]
    assert p.flops == ctx.flops_used == 12 + 12 + 1


def test_comparisons_with_scalars_use_numpys_operand_order():
    def f(x):
        s = x.sum()
        return s < x, s > x, x >= s, s == x, s - x, x - s

    p = flops.plan(f, (3,))
    ops = [(r.op_name, r.shapes) for r in p.op_log][1:]
    with flops.BudgetContext(flop_budget=10**6) as ctx:
        f(np.ones(3).view(fnp.ndarray))
    assert ops == [(r.op_name, r.shapes) for r in ctx.op_log][1:]
    assert ops[0] == ("greater", ((3,), ()))  # s < x is x > s, as NumPy reflects it


def test_free_operations_on_scalars_follow_numpy():
    def f(x):
        s = x.sum()
        return fnp.reshape(s, ()), fnp.asarray(s), fnp.transpose(s), fnp.take(x, 0)

    kinds = [type(v) for v in planned(f, (3,))]
    eager = f(np.ones(3).view(fnp.ndarray))
    assert [issubclass(k, AbstractPlain) for k in kinds] == [
        not isinstance(e, fnp.ndarray) for e in eager]


# -- concretization --------------------------------------------------------------------------


def _line_of(fn: Callable[..., Any], marker: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, text in enumerate(lines) if marker in text)


def branch(x):
    y = fnp.exp(x)
    if y.sum() > 0:  # MARK
        return y
    return -y


def to_float(x):
    return float(x.mean())  # MARK


def to_int(x):
    return int(x[0])  # MARK


def item(x):
    return x.item()  # MARK


def to_list(x):
    return x.tolist()  # MARK


def to_numpy(x):
    return np.asarray(x)  # MARK


def slice_bound(x):
    n = x.argmax()
    return x[:n]  # MARK


def python_range(x):
    return [x[i] for i in range(x.argmax())]  # MARK


def formatting(x):
    return f"{x.sum():.3f}"  # MARK


def membership(x):
    return 1.0 in x  # MARK


@pytest.mark.parametrize("fn, what, origin", [
    (branch, "bool()", "sum at"),  # y.sum() > 0 compares NumPy scalars: NumPy's own
    (to_float, "float()", "mean at"),
    (to_int, "int()", "input 'x'"),
    (item, "item()", "input 'x'"),
    (to_list, "tolist()", "input 'x'"),
    (to_numpy, "np.asarray", "input 'x'"),
    (slice_bound, "Python index", "argmax at"),
    (python_range, "Python index", "argmax at"),
    (formatting, "formatting", "sum at"),
    (membership, "`in` test", "input 'x'"),
])
def test_concretization_names_the_operation_the_users_line_and_the_origin(fn, what, origin):
    with pytest.raises(flops.ConcretizationError) as info:
        flops.plan(fn, (4,))
    message = str(info.value)
    assert what in message
    assert f"test_abstract.py:{_line_of(fn, '# MARK')} in {fn.__name__}" in message
    assert origin in message
    assert "hint:" in message and "concrete array" in message


def test_concretization_error_is_a_type_error_and_a_flopscope_error():
    assert issubclass(flops.ConcretizationError, TypeError)
    with pytest.raises(flops.FlopscopeError):
        flops.plan(to_float, (3,))


def test_concrete_values_may_be_branched_on():
    def f(x, mask):
        return fnp.exp(x) if mask.any() else x

    with pytest.raises(flops.ConcretizationError):
        flops.plan(f, (5,), np.array([True, False]))  # an array argument stands for its shape
    mask = np.array([True, False])
    assert flops.plan(lambda x: f(x, mask), (5,)).flops == 5  # a concrete mask: a real branch


def test_printing_is_not_concretization():
    x = planned(lambda x: x * 2, (3,))
    assert repr(x) == "AbstractArray(shape=(3,), dtype=float64)"
    assert f"{x}" == str(x)
    s = planned(lambda x: x.sum(), (3,))
    assert repr(s) == "AbstractPlain(scalar, dtype=float64)"


def test_nothing_of_the_planned_size_is_allocated():
    import tracemalloc

    def f(x):
        y = x.T @ x  # 2 GiB if computed
        z = y.reshape(-1)[::2].view(np.int64).astype(np.float32)
        return z.sum(), y[np.arange(3)], fnp.concatenate([y, y])

    tracemalloc.start()
    try:
        flops.plan(f, (16384, 16384))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
