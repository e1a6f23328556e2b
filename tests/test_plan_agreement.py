"""Plans agree with eager runs, exactly: the seeds' examples and random compositions.

The property: for the same function and input shapes, ``flops.plan(...)``
reports the FLOPs an eager run charges, the same counted calls in the same
order (operation, input shapes, cost, output shape and dtype), the same
outcome at every step (result shape, dtype, NumPy scalar or array; or the
same exception type), and a graph holding every data-flow edge the eager
graph holds.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
import flopscope.symmetry  # noqa: F401  (installs the symmetry pass both executors run)
from flopscope._weights import ACTIVE_WEIGHTS
from flopscope.exec.abstract import AbstractArray, AbstractPlain

_ERRORS = (ValueError, IndexError, TypeError, np.linalg.LinAlgError)


def _concrete(shape: tuple[int, ...], seed: int = 0) -> Any:
    data = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    return np.asarray(data).view(fnp.ndarray)


def _outcome(value: Any) -> tuple:
    """(shape, dtype, a flopscope array or NumPy's own value) of an eager or abstract result."""
    if isinstance(value, AbstractArray):
        return value.shape, value.dtype, isinstance(value, AbstractPlain)
    return np.shape(value), np.asarray(value).dtype, not isinstance(value, fnp.ndarray)


def _log(records: list) -> list[tuple]:
    return [(r.op_name, tuple(r.shapes), r.flop_cost, r.analytical_cost, r.output_shape,
             r.output_dtype) for r in records]


def assert_agrees(fn: Callable[..., Any], *shapes: tuple[int, ...], **kwargs: Any) -> flops.Plan:
    """Run ``fn`` eagerly on arrays of ``shapes`` and planned on the shapes; compare."""
    inputs = [_concrete(s, i) for i, s in enumerate(shapes)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
            eager = fn(*inputs, **kwargs)
        plan = flops.plan(fn, *shapes, **kwargs)
    assert plan.flops == ctx.flops_used
    assert plan.analytical_flops == ctx.analytical_flops_used
    assert _log(plan.op_log) == _log(ctx.op_log)
    eager_ids = [r.node_id for r in ctx.op_log]
    plan_ids = [r.node_id for r in plan.op_log]
    to_plan = dict(zip(eager_ids, plan_ids))
    plan_edges = set(plan.graph.edges)
    for u, v in ctx.graph.edges:
        assert (to_plan[u], to_plan[v]) in plan_edges
    for e, p in zip(_leaves(eager), _leaves(plan.outputs)):
        if hasattr(p, "shape") and hasattr(p, "dtype"):
            assert np.shape(e) == p.shape and np.asarray(e).dtype == p.dtype
    return plan


def _leaves(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


# -- the seeds' examples --------------------------------------------------------------------


def readme_mlp(x: Any, depth: int = 5) -> Any:
    """readme.txt: weights drawn inside, einsum and ReLU."""
    width = x.shape[0]
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    h = x
    for i, w in enumerate(weights):
        h = fnp.einsum("ij,j->i", w, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


def test_readme_mlp():
    plan = assert_agrees(readme_mlp, (256,))
    # 984,321 in the README's own run includes drawing x (256 values) outside the function.
    assert plan.flops == 984_321 - 256


def test_readme_mlp_weighted():
    ACTIVE_WEIGHTS.update({"random.randn": 16.0, "einsum": 1.0, "multiply": 1.0, "sqrt": 16.0})
    assert_agrees(readme_mlp, (256,))


def test_budget_planning_guide_examples():
    def breakdown(a, x):
        h = fnp.einsum("ij,j->i", a, x)
        h = fnp.exp(h)
        return fnp.sum(h)

    plan = assert_agrees(breakdown, (256, 256), (256,))
    assert plan.flops == 65_536 + 256 + 256

    def namespaced(x):
        with fnp.namespace("fallback"):
            with fnp.namespace("sampling"):
                return fnp.add(x, 1)

    plan = assert_agrees(namespaced, (1,))
    assert plan.summary_dict()["by_namespace"]["fallback.sampling"]["flops_used"] == 1


def test_primer_examples():
    def identity_matmul(x):
        return x @ fnp.eye(100)

    assert assert_agrees(identity_matmul, (100,)).flops == 100 * 100

    def patterns(x, w):
        mean = x.mean(axis=0)
        var = ((x - mean) ** 2).mean(axis=0)
        return fnp.maximum(x @ w, 0), mean, var

    assert_agrees(patterns, (64, 100), (100, 10))


def test_symmetry_example_same_object_twice():
    def gram(x):
        return fnp.einsum("ij,ik->jk", x, x)

    assert_agrees(gram, (100, 100))


def test_declared_symmetry_is_planned_like_eager():
    from flopscope.symmetry import as_symmetric

    def f(x):
        s = as_symmetric((x + x.T) / 2)  # exactly symmetric: a valid claim eagerly too
        return fnp.einsum("ij,jk->ik", s, s), fnp.exp(s), s.sum(axis=0)

    plan = assert_agrees(f, (50, 50))
    assert plan.flops < flops.plan(lambda x: (x @ x, fnp.exp(x), x.sum(axis=0)), (50, 50)).flops

    def g(s, v):
        return fnp.einsum("ij,j->i", s, v), s * 2

    data = np.random.default_rng(1).uniform(size=(20, 20))
    sym = as_symmetric((data + data.T).view(fnp.ndarray))
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        g(sym, fnp.ones(20))
    assert flops.plan(g, sym, (20,)).flops == ctx.flops_used  # the input keeps its symmetry


def test_python_bool_operands():
    # NumPy takes a Python bool as a bool_ operand: x + True is float64 + bool_ -> float64.
    assert_agrees(lambda x: (x + True, fnp.maximum(x, False), True * x, x > True), (3, 4))


def test_scalars_follow_numpy():
    def f(x):
        s = x.sum()  # a NumPy scalar eagerly: what follows is NumPy's own arithmetic
        t = (s * 2 + 1) / x.size
        u = np.exp(t) + abs(-t)
        v = fnp.exp(t)  # an explicit flopscope call: counted
        w = x * s  # a flopscope array takes part: counted
        r = x[0, 0] * x[1, 1]  # indexing every axis gives scalars too
        c = (x > s, s > x, s < x, x == s, s - x, x - s)  # the operand order NumPy uses
        return u, v, w, r, s.round(), divmod(s, 2.0), c

    assert_agrees(f, (3, 4))


# -- random compositions ----------------------------------------------------------------------

_EINSUMS = ["ij,jk->ik", "ij,j->i", "i,i->", "ij->ji", "ij,ij->", "ijk->k", "ij,kj->ik", "i,j->ij"]


def _axis(a: Any, k: int) -> int | None:
    return None if a.ndim == 0 or k == 0 else (k % (a.ndim + 1)) - 1


#: name -> fn(a, b, k): one step of a program; a and b are values of the pool, k a parameter.
STEPS: dict[str, Callable[[Any, Any, int], Any]] = {
    "exp": lambda a, b, k: fnp.exp(a),
    "np.sqrt": lambda a, b, k: np.sqrt(a),
    "neg": lambda a, b, k: -a,
    "abs": lambda a, b, k: abs(a),
    "square": lambda a, b, k: a ** 2,
    "add": lambda a, b, k: a + b,
    "sub": lambda a, b, k: a - b,
    "mul": lambda a, b, k: a * b,
    "div": lambda a, b, k: a / b,
    "scale": lambda a, b, k: a * 2.5,
    "radd": lambda a, b, k: 1 + a,
    "maximum": lambda a, b, k: fnp.maximum(a, b),
    "relu": lambda a, b, k: fnp.maximum(a, 0),
    "np.maximum": lambda a, b, k: np.maximum(a, b),
    "where": lambda a, b, k: fnp.where(a > b, a, b),
    "matmul": lambda a, b, k: a @ b,
    "dot": lambda a, b, k: fnp.dot(a, b),
    "einsum2": lambda a, b, k: fnp.einsum(_EINSUMS[k % len(_EINSUMS)], a, b),
    "einsum1": lambda a, b, k: fnp.einsum(_EINSUMS[k % len(_EINSUMS)].replace(",", "", 0)
                                          if "," not in _EINSUMS[k % len(_EINSUMS)] else "ij->ji", a),
    "sum": lambda a, b, k: a.sum(axis=_axis(a, k)),
    "mean_keep": lambda a, b, k: fnp.mean(a, axis=_axis(a, k), keepdims=True),
    "np.max": lambda a, b, k: np.max(a, axis=_axis(a, k)),
    "argmax": lambda a, b, k: a.argmax(),
    "std": lambda a, b, k: a.std(),
    "cumsum": lambda a, b, k: fnp.cumsum(a, axis=_axis(a, k)),
    "transpose": lambda a, b, k: a.T,
    "flatten": lambda a, b, k: a.reshape(-1),
    "first": lambda a, b, k: a[0],
    # never empty: the max/min shape rules do not refuse empty reductions as NumPy does yet
    "slice": lambda a, b, k: a[..., : 1 + k % 2],
    "newaxis": lambda a, b, k: a[:, None],
    "concat": lambda a, b, k: fnp.concatenate([a, b], axis=k % 2),
    "stack": lambda a, b, k: fnp.stack([a, a]),
    "float32": lambda a, b, k: a.astype(np.float32),
    "swap": lambda a, b, k: a.swapaxes(0, -1),
    "in_place": lambda a, b, k: _in_place(a, b),
    "out": lambda a, b, k: fnp.multiply(a, b, out=fnp.empty_like(a)),
    # (0-d arrays excluded: NumPy accepts axis=0 for them, the shape rule does not yet)
    "ufunc_reduce": lambda a, b, k: np.add.reduce(a, axis=0) if a.ndim else a,
    "iterate": lambda a, b, k: sum(row for row in a) if a.ndim and a.shape[0] < 5 else a,
}


def _family(exc: Exception) -> str:
    """The exception's kind as NumPy's callers catch it (NumPy raises private subclasses)."""
    for kind in (np.linalg.LinAlgError, IndexError, ValueError, TypeError):
        if isinstance(exc, kind):
            return kind.__name__
    return type(exc).__name__


def _in_place(a: Any, b: Any) -> Any:
    c = fnp.copy(a)
    c += b
    return c


def make_program(steps: list[tuple[str, int, int, int]], record: list) -> Callable[..., Any]:
    def program(*inputs: Any) -> list:
        pool = list(inputs)
        for name, i, j, k in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            try:
                out = STEPS[name](a, b, k)
            except _ERRORS as exc:
                record.append(("error", _family(exc)))
                continue
            record.append(("ok", _outcome(out)))
            pool.append(out)
        return pool[len(inputs):]

    return program


@st.composite
def programs(draw: Any) -> tuple[list, list]:
    dims = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))
    shape = st.lists(st.sampled_from(dims), max_size=3).map(tuple)
    shapes = draw(st.lists(shape, min_size=1, max_size=3))
    step = st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 50), st.integers(0, 50),
                     st.integers(0, 20))
    return shapes, draw(st.lists(step, min_size=1, max_size=8))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_compositions_agree(program_spec):
    shapes, steps = program_spec
    eager_record: list = []
    plan_record: list = []
    inputs = [_concrete(s, i) for i, s in enumerate(shapes)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with flops.BudgetContext(flop_budget=10**15, quiet=True) as ctx:
            make_program(steps, eager_record)(*inputs)
        plan = flops.plan(make_program(steps, plan_record), *shapes)
    assert plan_record == eager_record
    assert plan.flops == ctx.flops_used
    assert _log(plan.op_log) == _log(ctx.op_log)
    to_plan = dict(zip((r.node_id for r in ctx.op_log), (r.node_id for r in plan.op_log)))
    plan_edges = set(plan.graph.edges)
    assert all((to_plan[u], to_plan[v]) in plan_edges for u, v in ctx.graph.edges)
