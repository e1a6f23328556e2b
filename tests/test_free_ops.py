"""Free operations: NumPy parity, zero cost, data flow, plans, and blocked names.

One table, :data:`CASES`, drives most tests. Each case is a call of a free
``fnp`` function; arguments wrapped in :class:`In` become flopscope arrays
(eager tests) or abstract arrays (plan tests), with a distinct fake producer
id each, and everything else is passed as it is. For every case:

* the result equals NumPy's on plain arrays (values, dtype, shape, and type:
  ``fnp.ndarray`` wherever NumPy returns an ``ndarray``); in-place writers
  leave the caller's array exactly as NumPy leaves its own;
* NumPy's function called on the same flopscope arrays reaches flopscope and
  gives the same result (when NumPy dispatches it);
* nothing is charged or logged;
* array results carry the producers of the flopscope inputs;
* the dry executor's shape rule predicts the eager result's shapes and dtypes
  (exactly, or as an upper bound where the case says so).

:func:`test_every_free_numpy_entry_has_a_case` keeps the table complete.
"""

from __future__ import annotations

import inspect
import io
import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.errors import ConcretizationError
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.array import source_of
from flopscope.exec.dry import Planner
from flopscope.exec.shapes.free import tril_count
from flopscope.exec.state import PLANNING
from flopscope.registry import REGISTRY, Category
from flopscope.registry.blocked import BLOCKED
from flopscope.registry.passthrough import WITHHELD_BY_MODULE


@dataclass(frozen=True)
class In:
    """An argument passed as a flopscope array (eager) or an abstract array (plan)."""

    value: np.ndarray


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    values: bool = True  #: compare values (False for ``empty``: uninitialized memory)
    bound: bool = False  #: the plan may give an upper bound instead of the exact shape
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}-{self.label}" if self.label else self.name


def case(name: str, *args: Any, values: bool = True, bound: bool = False, label: str = "",
         **kwargs: Any) -> Case:
    return Case(name, args, kwargs, values, bound, label)


M = np.arange(12.0).reshape(3, 4)
S = np.arange(9.0).reshape(3, 3)
V = np.arange(5.0)
INTS = np.arange(6).reshape(2, 3)
CPLX = np.arange(4) + 1j * np.arange(4, 8)
MASK = np.array([True, False, True])
T3 = np.arange(24.0).reshape(2, 3, 4)
DATES = np.array(["2020-01-01", "2021-06-30"], dtype="M8[D]")

CASES: list[Case] = [
    # creation
    case("zeros", (2, 3)),
    case("ones", 3, dtype=int),
    case("empty", (2, 2), values=False),
    case("full", (2, 2), 7.0),
    case("zeros_like", In(M)),
    case("ones_like", In(INTS), dtype=float),
    case("empty_like", In(M), values=False),
    case("full_like", In(M), 3),
    case("eye", 3, k=1),
    case("identity", 3),
    case("arange", 0, 5, 0.5),
    case("array", In(M)),
    case("array", [[1, 2], [3, 4]], label="list"),
    case("asarray", In(INTS), dtype=float),
    case("asanyarray", In(M)),
    case("ascontiguousarray", In(M.T)),
    case("asfortranarray", In(M)),
    case("copy", In(M)),
    case("astype", In(M), np.int32),
    case("frombuffer", bytes(range(16)), dtype=np.uint16),
    case("frombuffer", bytes(16), dtype=np.float32, count=2, offset=4, label="offset"),
    case("fromiter", range(5), float),
    case("fromiter", range(6), int, count=4, label="iterator"),
    case("fromstring", "1 2 3.5", sep=" ", bound=True),
    case("fromstring", "1,2,3,4", sep=",", count=3, label="count"),
    case("from_dlpack", In(M)),
    case("tri", 3),
    case("tri", 3, 5, -1, dtype=int, label="rect"),
    case("indices", (2, 3)),
    case("indices", (2, 3, 2), sparse=True, label="sparse"),
    case("diag_indices", 3),
    case("diag_indices", 2, 3, label="ndim3"),
    case("diag_indices_from", In(S)),
    case("tril_indices", 4),
    case("tril_indices", 3, 1, 5, label="rect"),
    case("triu_indices", 4, -1),
    case("tril_indices_from", In(M)),
    case("triu_indices_from", In(M), 1),
    case("mask_indices", 4, np.triu),
    case("mask_indices", 4, np.tril, -1, label="tril"),
    case("mask_indices", 3, lambda a, k: a * (a.sum() > 0), bound=True, label="custom"),
    case("ix_", [0, 1], [2, 3, 1]),
    case("ix_", In(MASK), [1], bound=True, label="bool"),
    case("meshgrid", In(V), In(V[:3])),
    case("meshgrid", In(V), In(V[:3]), In(V[:2]), indexing="ij", label="ij"),
    case("meshgrid", In(V), In(V[:3]), In(V[:2]), sparse=True, label="sparse"),
    case("meshgrid", In(V), copy=False, label="one"),
    # views
    case("reshape", In(M), (4, 3)),
    case("transpose", In(T3), (1, 0, 2)),
    case("matrix_transpose", In(T3)),
    case("squeeze", In(M[None])),
    case("expand_dims", In(V), 0),
    case("swapaxes", In(T3), 0, 2),
    case("moveaxis", In(T3), 0, -1),
    case("rollaxis", In(T3), 2),
    case("broadcast_to", In(V), (2, 5)),
    case("broadcast_arrays", In(V), In(M[:, :1])),
    case("atleast_1d", In(np.float64(2.0) * np.ones(()))),
    case("atleast_2d", In(V)),
    case("atleast_3d", In(M)),
    case("diagonal", In(T3)),
    case("diagonal", In(M), 1, label="offset"),
    case("flip", In(M)),
    case("flip", In(T3), (0, 2), label="axes"),
    case("fliplr", In(M)),
    case("flipud", In(M)),
    case("rot90", In(M)),
    case("rot90", In(T3), 3, (1, 2), label="k3"),
    case("unstack", In(M)),
    case("unstack", In(T3), axis=2, label="axis"),
    case("split", In(M), 2, axis=1),
    case("split", In(V), [1, 3], label="indices"),
    case("array_split", In(V), 3),
    case("hsplit", In(M), 2),
    case("vsplit", In(T3), [1]),
    case("dsplit", In(T3), 2),
    # copies and joins
    case("ravel", In(M.T)),
    case("concatenate", [In(M), In(M)]),
    case("concatenate", [In(M), In(INTS.T[:, :1])], axis=1, label="promote"),
    case("stack", [In(V), In(V)], axis=1),
    case("hstack", [In(V), In(V)]),
    case("vstack", [In(V), In(V)]),
    case("row_stack", [In(V), In(V)]),
    case("column_stack", [In(V), In(V)]),
    case("column_stack", [In(M), In(M[:, 0])], label="mixed"),
    case("dstack", [In(M), In(M)]),
    case("dstack", [In(V), In(V)], label="1d"),
    case("block", [[In(S), In(S)], [In(S), In(S)]]),
    case("block", [In(V), 1.0], label="scalar"),
    case("block", [[In(M)], [In(INTS[:, :1] * np.ones((1, 4), int))]], label="rows"),
    case("block", In(V), label="leaf"),
    case("append", In(V), In(V)),
    case("append", In(M), In(M), axis=0, label="axis"),
    case("append", In(M), 5, label="scalar"),
    case("insert", In(V), 2, 9.0),
    case("insert", In(M), 1, [1.0, 2.0, 3.0], axis=1, label="column"),
    case("insert", In(M), 1, [[1.0], [2.0], [3.0]], axis=1, label="block"),
    case("insert", In(M), [1], [[1.0], [2.0], [3.0]], axis=1, label="single-list"),
    case("insert", In(M), [0, 2], 9.0, axis=1, label="many"),
    case("insert", In(V), slice(0, 2), [7.0, 8.0], label="slice"),
    case("delete", In(V), 1),
    case("delete", In(M), [0, 2, 2], axis=1, label="dup"),
    case("delete", In(M), slice(0, 2), axis=0, label="slice"),
    case("delete", In(V), V > 2, label="mask"),
    case("tile", In(V), 2),
    case("tile", In(M), (2, 1, 2), label="3d"),
    case("repeat", In(V), 2),
    case("repeat", In(M), [1, 2, 0], axis=0, label="counts"),
    case("resize", In(V), (2, 4)),
    case("require", In(M), np.float32),
    case("require", In(M.T), requirements=["C"], label="contiguous"),
    case("roll", In(M), 1),
    case("roll", In(M), (1, -1), axis=(0, 1), label="axes"),
    case("real", In(CPLX)),
    case("real", In(M), label="real-input"),
    case("imag", In(CPLX)),
    case("imag", In(M), label="real-input"),
    case("diag", In(V)),
    case("diag", In(V), -2, label="offset"),
    case("diag", In(M), 1, label="2d"),
    case("diagflat", In(INTS)),
    case("diagflat", In(V[:2]), 1, label="offset"),
    case("tril", In(M)),
    case("tril", In(T3), -1, label="stack"),
    case("triu", In(V), label="1d"),
    case("triu", In(M), 2),
    case("datetime_as_string", In(DATES)),
    case("datetime_as_string", In(DATES), unit="s", label="unit"),
    # selections
    case("compress", MASK, In(M), axis=0),
    case("compress", MASK, In(V), bound=True, label="flat"),
    case("compress", In(MASK), In(M), axis=0, bound=True, label="abstract"),
    case("extract", M % 2 == 0, In(M)),
    case("extract", In(M % 3 == 0), In(M), bound=True, label="abstract"),
    case("take", In(M), [0, 2]),
    case("take", In(M), [[0, 1]], axis=1, label="axis"),
    case("take", In(M), In(np.array([2, 0])), axis=0, label="fnp-indices"),
    case("take_along_axis", In(M), np.argsort(M, axis=1), axis=1),
    case("take_along_axis", In(M), np.array([[0], [1], [2]]), axis=1, label="gather"),
    case("linspace", 0.0, 1.0, 5),
    case("linspace", In(np.zeros(3)), In(np.ones(3)), 4, axis=-1, label="arrays"),
    # (ravel_multi_index, unravel_index, copyto, place and putmask compute per element and
    # are counted: tests/test_nothing_escapes.py)
    # in-place writers
    case("put", In(V), [0, 2], [-1.0, -2.0]),
    case("put_along_axis", In(M), np.argsort(M, axis=1)[:, :1], 0.0, axis=1),
    case("fill_diagonal", In(S), 7.0),
    case("fill_diagonal", In(np.zeros((5, 2))), 1.0, wrap=True, label="wrap"),
    # metadata
    case("shape", In(M)),
    case("ndim", In(T3)),
    case("size", In(M)),
    case("size", In(M), 1, label="axis"),
    case("iscomplexobj", In(CPLX)),
    case("isrealobj", In(M)),
    case("isfortran", In(M)),
    case("isscalar", 3.0),
    case("isscalar", In(M), label="array"),
    case("iterable", In(M)),
    case("result_type", In(M), 1),
    case("result_type", In(INTS), np.float32, label="dtype"),
    case("can_cast", In(M), np.float32),
    case("common_type", In(M), In(INTS.astype(np.float32))),
    case("promote_types", np.int8, np.uint8),
    case("mintypecode", ["d", "f"]),
    case("isdtype", np.float64, "real floating"),
    case("issubdtype", np.float64, np.floating),
    case("typename", "d"),
    case("datetime_data", np.dtype("M8[5s]")),
    case("broadcast_shapes", (3, 1), (4,)),
    case("min_scalar_type", In(M)),
    case("min_scalar_type", 300, label="scalar"),
    case("may_share_memory", In(M), In(M)),
    case("shares_memory", In(M), In(V)),
    # formatting
    case("array2string", In(M), precision=2),
    case("array_repr", In(V)),
    case("array_str", In(CPLX)),
    case("format_float_positional", 3.14159, precision=3),
    case("format_float_scientific", 0.00012),
    case("base_repr", 10, 3),
    case("binary_repr", -5, 8),
]

#: NumPy names whose free entry is an alias of another entry (same NumPy object).
ALIASES = {"concat": "concatenate", "permute_dims": "transpose"}


# -- building the arguments of a case ---------------------------------------------------

_ids = itertools.count(10_000)


def _build(value: Any, mode: str, sources: list) -> Any:
    """``value`` for one run: ``mode`` is "numpy", "fnp" or "abstract"."""
    if isinstance(value, In):
        array = np.array(value.value, copy=True)
        if mode == "numpy":
            return array
        src = (next(_ids),)
        sources.append(src[0])
        if mode == "abstract":
            return AbstractArray(array.shape, array.dtype, src=src)
        x = fnp.asarray(array)
        x._fs_src = src
        return x
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, list):
        return [_build(v, mode, sources) for v in value]
    if isinstance(value, tuple):
        return tuple(_build(v, mode, sources) for v in value)
    return value


def _arguments(c: Case, mode: str) -> tuple[tuple, dict, tuple[int, ...] | None]:
    sources: list[int] = []
    args = _build(c.args, mode, sources)
    kwargs = {k: _build(v, mode, sources) for k, v in c.kwargs.items()}
    if c.id == "fromiter-iterator":  # a fresh (unsized) iterator for each run
        args = (iter(c.args[0]),) + tuple(args[1:])
    return args, kwargs, tuple(dict.fromkeys(sources)) or None


def _call(fn: Any, args: tuple, kwargs: dict) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # row_stack
        return fn(*args, **kwargs)


def _assert_same(actual: Any, expected: Any, values: bool, where: str = "result") -> None:
    if isinstance(expected, np.ndarray):
        assert type(actual) is fnp.ndarray, f"{where}: {type(actual).__name__}, not fnp.ndarray"
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
        if values:
            np.testing.assert_array_equal(actual.view(np.ndarray), expected, err_msg=where)
    elif isinstance(expected, (tuple, list)):
        assert type(actual) is type(expected), f"{where}: {type(actual)} != {type(expected)}"
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            _assert_same(a, e, values, f"{where}[{i}]")
    else:
        assert type(actual) is type(expected), f"{where}: {type(actual)} != {type(expected)}"
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def _arrays_in(x: Any) -> list:
    if isinstance(x, (np.ndarray, AbstractArray)):
        return [x]
    if isinstance(x, (tuple, list)):
        return [a for item in x for a in _arrays_in(item)]
    return []


def _in_place_targets(args: tuple, kwargs: dict) -> list:
    """The arrays an in-place writer may have changed: every array argument."""
    return _arrays_in(args) + _arrays_in(list(kwargs.values()))


# -- eager behaviour ---------------------------------------------------------------------


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_parity_with_numpy(c: Case) -> None:
    np_args, np_kwargs, _ = _arguments(c, "numpy")
    expected = _call(getattr(np, c.name), np_args, np_kwargs)
    f_args, f_kwargs, _ = _arguments(c, "fnp")
    actual = _call(getattr(fnp, c.name), f_args, f_kwargs)
    _assert_same(actual, expected, c.values)
    # in-place writers: the caller's own arrays end up as NumPy leaves its own
    for i, (mine, theirs) in enumerate(zip(_in_place_targets(f_args, f_kwargs),
                                           _in_place_targets(np_args, np_kwargs))):
        if c.values:
            np.testing.assert_array_equal(np.asarray(mine), theirs, err_msg=f"argument {i}")


def _has_in(value: Any) -> bool:
    if isinstance(value, In):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_in(v) for v in value)
    return False


DISPATCHED = [
    c for c in CASES
    if type(getattr(np, c.name)).__name__ == "_ArrayFunctionDispatcher"
    and (_has_in(c.args) or _has_in(list(c.kwargs.values())))
]


@pytest.mark.parametrize("c", DISPATCHED, ids=lambda c: c.id)
def test_numpy_function_on_flopscope_arrays_reaches_flopscope(c: Case) -> None:
    np_args, np_kwargs, _ = _arguments(c, "numpy")
    expected = _call(getattr(np, c.name), np_args, np_kwargs)
    f_args, f_kwargs, sources = _arguments(c, "fnp")
    actual = _call(getattr(np, c.name), f_args, f_kwargs)
    _assert_same(actual, expected, c.values, where=f"np.{c.name}(fnp arrays)")
    for array in _arrays_in(actual):
        assert source_of(array) == sources


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_free_ops_cost_nothing_and_log_nothing(c: Case) -> None:
    f_args, f_kwargs, _ = _arguments(c, "fnp")
    with flops.BudgetContext(flop_budget=1, quiet=True) as budget:
        _call(getattr(fnp, c.name), f_args, f_kwargs)
    assert budget.flops_used == 0
    assert budget.op_log == []


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_results_keep_their_inputs_producers(c: Case) -> None:
    f_args, f_kwargs, sources = _arguments(c, "fnp")
    result = _call(getattr(fnp, c.name), f_args, f_kwargs)
    for array in _arrays_in(result):
        assert source_of(array) == sources, f"{c.id}: {source_of(array)} != {sources}"


# -- plans: the shape rules ----------------------------------------------------------------


def _assert_planned(planned: Any, eager: Any, bound: bool, where: str = "result") -> None:
    if isinstance(eager, np.ndarray):
        assert isinstance(planned, AbstractArray), f"{where}: planned {planned!r}"
        assert planned.dtype == eager.dtype, f"{where}: dtype {planned.dtype} != {eager.dtype}"
        if bound:
            assert len(planned.shape) == eager.ndim, f"{where}: {planned.shape} vs {eager.shape}"
            assert all(p >= e for p, e in zip(planned.shape, eager.shape)), where
        else:
            assert planned.shape == eager.shape, f"{where}: {planned.shape} != {eager.shape}"
            assert not planned.bound, f"{where}: exact result marked as a bound"
    elif isinstance(eager, (tuple, list)):
        assert type(planned) is type(eager), f"{where}: {type(planned)} != {type(eager)}"
        assert len(planned) == len(eager)
        for i, (p, e) in enumerate(zip(planned, eager)):
            _assert_planned(p, e, bound, f"{where}[{i}]")
    elif isinstance(eager, np.generic):
        assert isinstance(planned, AbstractArray) and planned.shape == (), where
        assert planned.dtype == eager.dtype, where
    else:
        assert planned == eager, f"{where}: planned {planned!r} != {eager!r}"


def _plan(fn: Any, args: tuple, kwargs: dict) -> Any:
    token = PLANNING.set(Planner())
    try:
        return _call(fn, args, kwargs)
    finally:
        PLANNING.reset(token)


FORMATTING = {"array2string", "array_repr", "array_str", "may_share_memory", "shares_memory"}


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_shape_rule_predicts_the_eager_result(c: Case) -> None:
    f_args, f_kwargs, _ = _arguments(c, "fnp")
    eager = _call(getattr(fnp, c.name), f_args, f_kwargs)
    a_args, a_kwargs, sources = _arguments(c, "abstract")
    if c.name in FORMATTING and sources:
        with pytest.raises(ConcretizationError, match="abstract array"):
            _plan(getattr(fnp, c.name), a_args, a_kwargs)
        return
    planned = _plan(getattr(fnp, c.name), a_args, a_kwargs)
    _assert_planned(planned, eager, c.bound)
    for array in _arrays_in(planned):
        assert array._fs_src == sources


def test_plans_refuse_abstract_values_that_decide_the_shape() -> None:
    x = AbstractArray((6,), np.float64)
    counts = AbstractArray((6,), np.int64)
    with pytest.raises(ConcretizationError, match="repeat"):
        _plan(fnp.repeat, (x, counts), {})
    with pytest.raises(ConcretizationError, match="indices_or_sections"):
        _plan(fnp.split, (x, AbstractArray((2,), np.int64)), {})
    with pytest.raises(ConcretizationError, match="abstract"):
        _plan(fnp.min_scalar_type, (AbstractArray((), np.int64),), {})


@pytest.mark.parametrize("n, m", [(0, 0), (1, 1), (3, 5), (5, 3), (4, 4)])
def test_triangle_count_matches_numpy(n: int, m: int) -> None:
    for k in range(-n - 2, m + 3):
        assert tril_count(n, k, m) == np.count_nonzero(np.tri(n, m, k)), (n, m, k)


# -- coverage of the table -----------------------------------------------------------------


def test_every_free_numpy_entry_has_a_case() -> None:
    covered = {c.name for c in CASES}
    # Callback entries (apply_along_axis...) are free wrappers around user code;
    # tests/test_callbacks.py covers them.
    free = {op.attr for op in REGISTRY.values()
            if op.module == "numpy" and op.category is Category.FREE
            and not op.extras.get("calls_user_code")}
    missing = sorted(free - covered)
    assert not missing, f"free entries without a case in CASES: {missing}"
    for alias, target in ALIASES.items():
        assert getattr(fnp, alias) is getattr(fnp, target)


# -- in-place writers, the one counted entry, index helpers -------------------------------


def test_in_place_writes_land_in_the_callers_array() -> None:
    x = fnp.zeros(5)
    assert fnp.put(x, [1, 3], [7.0, 8.0]) is None
    assert np.put(x, [0], [5.0]) is None  # NumPy's function, routed to flopscope
    fnp.copyto(x[3:], 2.0)  # a view of x: the write lands in x
    np.testing.assert_array_equal(x, [5.0, 7.0, 0.0, 2.0, 2.0])
    assert type(x) is fnp.ndarray


def test_in_place_entries_name_the_array_they_write() -> None:
    for name in ("copyto", "put", "place", "putmask", "put_along_axis", "fill_diagonal"):
        op = REGISTRY[name]
        assert op.extras["writes"] in inspect.signature(op.impl).parameters, name


def test_asarray_chkfinite_is_counted_like_the_reduction_it_performs(budget) -> None:
    x = fnp.asarray(M)
    result = fnp.asarray_chkfinite(x)
    assert budget.flops_used == M.size
    assert type(result) is fnp.ndarray
    np.testing.assert_array_equal(result, M)
    with pytest.raises(ValueError, match="infs or NaNs"):
        fnp.asarray_chkfinite(fnp.asarray([1.0, np.inf]))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # NumPy builds the matrix first
def test_index_helpers_return_flopscope_arrays() -> None:
    x = fnp.asarray(V)
    x._fs_src = (77,)
    joined = fnp.r_[x, 0.0, x]
    np.testing.assert_array_equal(joined, np.r_[V, 0.0, V])
    assert type(joined) is fnp.ndarray and source_of(joined) == (77,)
    assert type(fnp.c_[x, x]) is fnp.ndarray
    grid = fnp.mgrid[0:3, 0:2]
    np.testing.assert_array_equal(grid, np.mgrid[0:3, 0:2])
    assert type(grid) is fnp.ndarray
    assert all(type(g) is fnp.ndarray for g in fnp.ogrid[0:3, 0:2])
    with flops.BudgetContext(flop_budget=10**6, quiet=True) as ctx:
        _ = grid * 2.0  # arithmetic on what the helper built is counted
    assert ctx.flops_used == grid.size
    with pytest.raises(TypeError, match="numpy.matrix"):
        fnp.r_["r", [1, 2]]


# -- blocked and withheld names --------------------------------------------------------------


def _blocked_entries() -> list:
    return [op for op in REGISTRY.values()
            if op.category is Category.BLOCKED and op.module.startswith("numpy")
            and op.module != "numpy.ndarray"]


def _public(module: str) -> Any:
    obj = fnp
    for part in module.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("op", _blocked_entries(), ids=lambda op: op.name)
def test_blocked_names_raise_attribute_error_with_the_reason(op) -> None:
    with pytest.raises(AttributeError) as info:
        getattr(_public(op.module), op.attr)
    message = str(info.value)
    assert f".{op.attr} is blocked in flopscope" in message
    assert op.notes in message
    assert not hasattr(_public(op.module), op.attr)


@pytest.mark.parametrize(
    "module, name",
    [(m, n) for m, names in WITHHELD_BY_MODULE.items() for n in names
     if not hasattr(_public(m), n)],
)
def test_withheld_names_raise_the_same_error(module: str, name: str) -> None:
    with pytest.raises(AttributeError, match=f"{name} is blocked in flopscope: .+\\. "):
        getattr(_public(module), name)


def test_every_blocked_reason_says_why_and_what_instead() -> None:
    for module, names in BLOCKED.items():
        for name, reason in names.items():
            sentences = [s for s in reason.split(". ") if s]
            assert 2 <= len(sentences) <= 3, f"{module}.{name}: {reason!r}"
            assert reason.endswith("."), f"{module}.{name}"


def test_numpy_blocked_functions_refuse_flopscope_arrays() -> None:
    x = fnp.ones(3)
    buffer = io.BytesIO()
    for call in (lambda: np.save(buffer, x), lambda: np.savez(buffer, x),
                 lambda: np.savetxt(buffer, x),
                 lambda: np.is_busday(fnp.asarray(DATES))):
        with pytest.raises(AttributeError, match="is blocked in flopscope"):
            call()
    assert buffer.getvalue() == b""


def test_blocked_ndarray_methods() -> None:
    x = fnp.ones(3)
    for method in ("tofile", "dump"):
        with pytest.raises(AttributeError, match=f"ndarray.{method} is blocked in flopscope"):
            getattr(x, method)
        assert not hasattr(x, method)
    assert hasattr(np.ones(3), "tofile")  # plain NumPy arrays are untouched
