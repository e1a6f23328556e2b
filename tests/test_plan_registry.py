"""Every registry entry, run eagerly and planned on small inputs: same shapes, dtypes, costs.

For each entry that has a shape rule, the test tries a list of sample
argument sets, in order, until NumPy (the eager run) accepts one. It then
plans the same call with every array replaced by an abstract one and
requires

* the same result structure, with equal shapes and dtypes, and 0-d results
  that are NumPy scalars eagerly being abstract scalars in the plan;
* the same counted calls (operation, weighted and analytical cost), hence the
  same total;
* for data-dependent sizes (planned at their upper bound and marked
  ``bound``), planned sizes and costs at least the eager ones.

Entries none of the generic samples fit have their arguments in
:data:`SAMPLES`; entries that cannot be run on sample data at all are in
:data:`SKIP` with the reason. An entry in neither that no sample fits fails
the test, so a new entry is either covered or explicitly excused.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.exec import dry
from flopscope.exec.abstract import AbstractArray, AbstractPlain
from flopscope.exec.dispatch import build_callable
from flopscope.registry import REGISTRY, Category

_rng = np.random.default_rng(7)


def _arr(*shape: int, dtype: Any = np.float64, low: float = 0.1, high: float = 0.9) -> Any:
    data = _rng.uniform(low, high, size=shape)
    return np.asarray(data, dtype=dtype).view(fnp.ndarray)


def _spd(n: int) -> Any:
    a = _rng.uniform(0.1, 0.9, size=(n, n))
    return (a @ a.T + n * np.eye(n)).view(fnp.ndarray)


M = _arr(3, 4)
V4 = _arr(4)
S = _spd(3)
V3 = _arr(3)
MI = np.arange(1, 13, dtype=np.int64).reshape(3, 4).view(fnp.ndarray)
VI = np.arange(1, 5, dtype=np.int64).view(fnp.ndarray)
MB = (np.arange(12).reshape(3, 4) % 3 == 0).view(fnp.ndarray)
VB = np.array([True, False, True, True]).view(fnp.ndarray)
SIZE = {"size": (3, 4)}

#: Generic candidates: (args, kwargs), tried in order.
_ARRAYS = [((M,), {}), ((S,), {}), ((V4,), {}), ((MI,), {}), ((MB,), {})]
_PAIRS = [((M, V4), {}), ((M, M), {}), ((S, S), {}), ((S, V3), {}), ((V4, V4), {}),
          ((MI, VI), {}), ((MB, VB), {}), ((M, M.T), {})]
_WITH_INT = [((M, 2), {}), ((M, 1), {}), ((V4, 2), {}), ((M, [0, 1]), {}), ((M, 0, 1), {})]
_CREATION = [((3,), {}), (((3, 4),), {}), ((3, 4), {}), (([1.0, 2.0, 3.0],), {}),
             (([M, M],), {}), (([[1.0, 2.0], [3.0, 4.0]],), {})]
_RANDOM = [((), SIZE), ((0.5,), SIZE), ((2.0, 3.0), SIZE), ((1.0, 2.0, 3.0), SIZE), ((5,), {}),
           ((3, 4), {}), ((10, 0.5), SIZE), ((V3 / V3.sum(),), SIZE), ((V3,), {}), ((V3, S), {})]

GENERIC: dict[Category, list] = {
    Category.UNARY: [((M,), {}), ((MI,), {}), ((MB,), {})],
    Category.BINARY: [((M, V4), {}), ((MI, VI), {}), ((MB, VB), {}), ((M, 2.0), {})],
    Category.REDUCTION: [((M,), {}), ((M,), {"axis": 0}), ((MB,), {})],
    Category.CUSTOM: _ARRAYS + _PAIRS + _WITH_INT + _CREATION,
    Category.FREE: _ARRAYS + _WITH_INT + _PAIRS + _CREATION,
}


class Concrete:
    """A sample argument the plan receives as it is (a value the code needs concretely)."""

    def __init__(self, value: Any) -> None:
        self.value = value


I_SORTED = np.argsort(M, axis=1).view(fnp.ndarray)

#: Entries whose arguments the generic candidates do not cover.
SAMPLES: dict[str, list] = {
    "einsum": [(("ij,jk->ik", M.T, M), {}), (("ii->", S), {})],
    "einsum_path": [(("ij,jk->ik", M.T, M), {})],
    "tensordot": [((M, M.T), {"axes": 1})],
    "put": [((M.copy(), [0, 1], [5.0, 6.0]), {})],
    "place": [((M.copy(), MB, [1.0]), {})],
    "putmask": [((M.copy(), MB, 1.0), {})],
    "fill_diagonal": [((S.copy(), 1.0), {})],
    "copyto": [((M.copy(), M), {})],
    "piecewise": [((V4, [V4 > 0.5], [0.0, 1.0]), {})],
    "select": [(([M > 0.5, M <= 0.5], [M, -M]), {})],
    "interp": [((V3, V4, V4 * 2), {})],
    "histogram2d": [((V4, V4), {"bins": 3})],
    "histogramdd": [((M.T,), {"bins": 3})],
    "searchsorted": [((np.sort(V4).view(fnp.ndarray), V3), {})],
    "digitize": [((V4, np.sort(V3).view(fnp.ndarray)), {})],
    "ravel_multi_index": [(([[0, 1], [1, 2]], (3, 4)), {})],
    "unravel_index": [(([1, 5], (3, 4)), {})],
    "random.choice": [((5,), {"size": 3})],
    "random.Generator.choice": [((5,), {"size": 3})],
    "random.RandomState.choice": [((5,), {"size": 3})],
    "random.multinomial": [((10, [0.2, 0.3, 0.5]), SIZE)],
    "random.Generator.multinomial": [((10, [0.2, 0.3, 0.5]), SIZE)],
    "random.RandomState.multinomial": [((10, [0.2, 0.3, 0.5]), SIZE)],
    "random.Generator.multivariate_hypergeometric": [(([3, 4, 5], 4), SIZE)],
    "random.dirichlet": [(([1.0, 2.0, 3.0],), SIZE)],
    "random.Generator.dirichlet": [(([1.0, 2.0, 3.0],), SIZE)],
    "random.RandomState.dirichlet": [(([1.0, 2.0, 3.0],), SIZE)],
    "random.hypergeometric": [((5, 6, 4), SIZE)],
    "random.Generator.hypergeometric": [((5, 6, 4), SIZE)],
    "random.RandomState.hypergeometric": [((5, 6, 4), SIZE)],
    "random.triangular": [((0.0, 0.5, 1.0), SIZE)],
    "random.Generator.triangular": [((0.0, 0.5, 1.0), SIZE)],
    "random.RandomState.triangular": [((0.0, 0.5, 1.0), SIZE)],
    "random.zipf": [((2.0,), SIZE)],
    "random.Generator.zipf": [((2.0,), SIZE)],
    "random.RandomState.zipf": [((2.0,), SIZE)],
    "random.vonmises": [((0.0, 1.0), SIZE)],
    "random.Generator.vonmises": [((0.0, 1.0), SIZE)],
    "random.RandomState.vonmises": [((0.0, 1.0), SIZE)],
    "random.logseries": [((0.5,), SIZE)],
    "random.Generator.logseries": [((0.5,), SIZE)],
    "random.RandomState.logseries": [((0.5,), SIZE)],
    "random.geometric": [((0.5,), SIZE)],
    "random.default_rng": [((0,), {})],
    "random.get_bit_generator": [((), {})],
    "bincount": [((np.array([0, 1, 1, 3], dtype=np.uint8).view(fnp.ndarray),), {})],
    "broadcast_to": [((V4, (3, 4)), {})],
    "polyadd": [((V4, V3), {})],
    "polysub": [((V4, V3), {})],
    "polymul": [((V4, V3), {})],
    "polydiv": [((V4, V3), {})],
    "polyval": [((V4, V3), {})],
    "polyfit": [((V4, V4 * 2, 2), {})],
    "astype": [((M, np.float32), {})],
    "ndarray.astype": [((M, np.float32), {})],
    "reshape": [((M, (4, 3)), {})],
    "clip": [((M, 0.2, 0.8), {})],
    "can_cast": [((np.float32, np.float64), {})],
    "promote_types": [((np.float32, np.int64), {})],
    "isdtype": [((np.float64, "real floating"), {})],
    "issubdtype": [((np.float64, np.floating), {})],
    "typename": [(("d",), {})],
    "mask_indices": [((3, np.triu), {})],
    "dsplit": [((_arr(2, 2, 4), 2), {})],
    "linalg.matrix_power": [((S, 3), {})],
    "linalg.tensorinv": [((np.eye(4).reshape(4, 2, 2).view(fnp.ndarray),), {"ind": 1})],
    "linalg.tensorsolve": [((np.eye(4).reshape(4, 2, 2).view(fnp.ndarray), V4), {})],
    "take_along_axis": [((M, I_SORTED), {"axis": 1})],
    "put_along_axis": [((M.copy(), I_SORTED, 1.0), {"axis": 1})],
    "unpackbits": [((np.arange(4, dtype=np.uint8).view(fnp.ndarray),), {})],
    "packbits": [((MB,), {})],
    "testing.assert_approx_equal": [((1.0, 1.0), {})],
    "testing.assert_array_compare": [((np.equal, M, M), {})],
    "testing.assert_string_equal": [(("a", "a"), {})],
    "testing.build_err_msg": [(([M, M], "message"), {})],
    "split": [((M, Concrete([1, 2])), {}), ((M, 3), {})],
    "array_split": [((M, Concrete([1, 2])), {})],
    "hsplit": [((M, 2), {})],
    "vsplit": [((M, 3), {})],
    "ravel_multi_index": [((Concrete(np.array([[0, 1], [1, 2]])), (3, 4)), {})],
    "unravel_index": [((Concrete(np.array([1, 5])), (3, 4)), {})],
    "tile": [((M, 2), {})],
    "resize": [((M, (2, 6)), {})],
    "indices": [(((3, 4),), {})],
    "random.Generator.geometric": [((0.5,), SIZE)],
    "random.RandomState.geometric": [((0.5,), SIZE)],
}

#: Entries that cannot be exercised on sample data, with the reason.
SKIP: dict[str, str] = {
    "random.seed": "changes the global generator's state; nothing to compare",
    "random.set_state": "needs a state tuple; changes global state",
    "random.RandomState.seed": "changes state; nothing to compare",
    "random.RandomState.set_state": "needs a state tuple",
    "random.set_bit_generator": "needs a BitGenerator; changes global state",
    "random.Generator.spawn": "returns generators, not arrays",
    "testing.assert_raises": "context-manager/callable protocol, no arrays",
    "testing.assert_raises_regex": "context-manager/callable protocol, no arrays",
    "testing.assert_warns": "context-manager/callable protocol, no arrays",
    "testing.assert_no_warnings": "takes a callable, no arrays",
    "testing.assert_no_gc_cycles": "takes a callable, no arrays",
    "testing.clear_and_catch_warnings": "a context manager class",
    "testing.suppress_warnings": "a context manager class",
    "frombuffer": "reads a bytes buffer",
    "array2string": "text made from the values: a ConcretizationError in a plan, by design",
    "array_repr": "text made from the values: a ConcretizationError in a plan, by design",
    "array_str": "text made from the values: a ConcretizationError in a plan, by design",
    "shares_memory": "answers from memory addresses: a ConcretizationError in a plan",
    "may_share_memory": "answers from memory addresses: a ConcretizationError in a plan",
    "isnat": "datetime data",
    "testing.build_err_msg": "text made from the values: a ConcretizationError in a plan",
    "fromstring": "parses a string",
    "fromiter": "consumes a Python iterator",
    "fromfunction": "calls a Python function on index grids",
    "from_dlpack": "needs a DLPack producer",
    "datetime_as_string": "datetime data",
    "datetime_data": "datetime dtypes",
    "apply_along_axis": "takes a Python callable (covered by the callbacks tests)",
    "apply_over_axes": "takes a Python callable (covered by the callbacks tests)",
    "vectorize": "takes a Python callable",
    "frompyfunc": "takes a Python callable",
}


def _callable(name: str) -> Any:
    return build_callable(REGISTRY[name])


def _owner(name: str) -> Any:
    """First argument of a method entry (a generator instance), or None."""
    if name.startswith("random.Generator."):
        return fnp.random.default_rng(0)
    if name.startswith("random.RandomState."):
        return fnp.random.RandomState(0)
    return None


#: Entries whose shape rule disagrees with NumPy today (owner's fix pending): strict
#: xfail, so the fix turns the test red until the entry is removed from this table.
KNOWN_MISMATCHES: dict[str, str] = {}

#: Results whose dtype NumPy picks from the values: complex in the plan, real if eagerly
#: every imaginary part is zero.
VALUE_DEPENDENT_DTYPE = {"linalg.eig", "linalg.eigvals"}


def _candidates(name: str) -> list:
    op = REGISTRY[name]
    generic = GENERIC.get(op.category, [])
    if name.startswith("random."):
        generic = _RANDOM + generic
    return SAMPLES.get(name, []) + generic


def _is_array(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def _eager_value(x: Any) -> Any:
    return x.value if isinstance(x, Concrete) else x


class _Slot:
    """Where the n-th planned input goes in a call's arguments."""

    def __init__(self, n: int) -> None:
        self.n = n


def _template(x: Any, arrays: list) -> Any:
    """``x`` with each array replaced by a slot (and the array's spec appended to ``arrays``)."""
    if isinstance(x, Concrete):
        return x.value
    if isinstance(x, np.ndarray):
        arrays.append(flops.spec(x.shape, x.dtype))
        return _Slot(len(arrays) - 1)
    if isinstance(x, list):
        return [_template(i, arrays) for i in x]
    return x


def _fill(x: Any, inputs: tuple) -> Any:
    if isinstance(x, _Slot):
        return inputs[x.n]
    if isinstance(x, list):
        return [_fill(i, inputs) for i in x]
    return x


def _leaves(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def _compare(name: str, eager: Any, planned: Any) -> bool:
    """Check the planned result against the eager one; return whether a bound was involved."""
    assert type(eager) is type(planned) or not isinstance(eager, (list, tuple)) or (
        isinstance(planned, (list, tuple))
    ), f"{name}: result structure {type(eager).__name__} vs {type(planned).__name__}"
    e_leaves, p_leaves = _leaves(eager), _leaves(planned)
    assert len(e_leaves) == len(p_leaves), f"{name}: {len(e_leaves)} results vs {len(p_leaves)}"
    bound = False
    for e, p in zip(e_leaves, p_leaves):
        if isinstance(p, AbstractArray):
            e_arr = np.asarray(e)
            if name in VALUE_DEPENDENT_DTYPE and e_arr.dtype.kind == "f":
                e_arr = e_arr.astype(np.result_type(e_arr.dtype, np.complex64))
            assert e_arr.dtype == p.dtype, f"{name}: dtype {e_arr.dtype} vs planned {p.dtype}"
            if p.bound:
                bound = True
                assert len(e_arr.shape) == len(p.shape) and all(
                    a <= b for a, b in zip(e_arr.shape, p.shape)
                ), f"{name}: eager shape {e_arr.shape} exceeds planned bound {p.shape}"
            else:
                assert e_arr.shape == p.shape, f"{name}: shape {e_arr.shape} vs planned {p.shape}"
            eager_plain = not isinstance(e, fnp.ndarray)
            assert eager_plain == isinstance(p, AbstractPlain), (
                f"{name}: eager result is {type(e).__name__}, planned {type(p).__name__}"
            )
        elif isinstance(p, np.ndarray):  # a value the plan knows concretely (generator state)
            assert np.shape(e) == p.shape and np.asarray(e).dtype == p.dtype, name
        elif _is_array(e):
            raise AssertionError(f"{name}: eager array result, planned {p!r}")
    return bound


def _recorded(plan: flops.Plan) -> list[tuple]:
    """Every field of a plan's records but node ids and timings."""
    return [(r.op_name, tuple(r.shapes), tuple(r.dtypes), r.params, r.flop_cost, r.cumulative,
             r.analytical_cost, len(r.inputs), r.output_shape, r.output_dtype, r.tags)
            for r in plan.op_log]


def _outcomes(result: Any) -> list[tuple]:
    """Class, shape, dtype and bound of each leaf of a planned result (other leaves as is)."""
    return [(type(leaf), leaf.shape, leaf.dtype, leaf.bound, leaf.tags)
            if isinstance(leaf, AbstractArray) else (type(leaf),)
            for leaf in _leaves(result)]


def _run_eager(fn: Any, args: tuple, kwargs: dict) -> tuple[Any, list]:
    with flops.BudgetContext(flop_budget=10**12, quiet=True) as ctx:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
    return result, [(r.op_name, r.flop_cost, r.analytical_cost) for r in ctx.op_log]


def _entries() -> list:
    names = sorted(
        name for name, op in REGISTRY.items()
        if op.category is not Category.BLOCKED and op.shape is not None
    )
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISMATCHES[name]))
        if name in KNOWN_MISMATCHES else name
        for name in names
    ]


@pytest.mark.parametrize("name", _entries())
def test_plan_agrees_with_eager(name):
    if name in SKIP:
        pytest.skip(SKIP[name])

    fn = _callable(name)
    owner = _owner(name)
    accepted = None
    for args, kwargs in _candidates(name):
        call_args = (owner, *args) if owner is not None else args
        try:
            eager, eager_log = _run_eager(fn, tuple(_eager_value(a) for a in call_args), kwargs)
        except Exception:  # NumPy refuses these arguments: try the next sample
            continue
        accepted = call_args, kwargs
        break
    assert accepted is not None, (
        f"no sample arguments fit {name}: add some to SAMPLES (or a reason to SKIP)"
    )
    call_args, kwargs = accepted
    specs: list = []
    args_template = [_template(a, specs) for a in call_args]
    kwargs_template = {k: _template(v, specs) for k, v in kwargs.items()}
    captured: list = []

    def planned_call(*inputs: Any) -> None:
        args = [_fill(a, inputs) for a in args_template]
        kw = {k: _fill(v, inputs) for k, v in kwargs_template.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            captured.append(fn(*args, **kw))

    dry.clear_cache()  # cold: every rule evaluated
    plan = flops.plan(planned_call, *specs)
    bound = _compare(name, eager, captured[0])
    # Warm: repeated signatures come from the dry executor's cache, and must not differ.
    warm = flops.plan(planned_call, *specs)
    assert _recorded(warm) == _recorded(plan), f"{name}: a cached call is recorded differently"
    assert _outcomes(captured[1]) == _outcomes(captured[0]), f"{name}: a cached call's result"
    plan_log = [(r.op_name, r.flop_cost, r.analytical_cost) for r in plan.op_log]
    if bound:
        assert [op for op, _, _ in plan_log] == [op for op, _, _ in eager_log], name
        assert all(p[1] >= e[1] for p, e in zip(plan_log, eager_log)), name
    else:
        assert plan_log == eager_log, f"{name}: planned calls {plan_log} vs eager {eager_log}"
