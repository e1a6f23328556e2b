"""Reading the log: the fast row -> OpRecord and row -> graph paths agree with plain conversions.

The op log and the cost graph are built from hot-path rows by bulk code that
skips the frozen dataclass ``__init__`` and writes networkx's adjacency dicts
directly (flopscope/trace/record.py, flopscope/trace/trace.py). Every test here
compares that output with a straightforward conversion written below, from the
documented row layout and the public networkx API, on rows of every kind:
pointwise, scalar operands, parameters, einsum subscripts, ``out=``, symmetry
tags, namespaces, fractional weighted charges, refused calls, calls folded past
the detail cap, planned rows and planned inputs, and random synthetic rows.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import math
import pickle
import threading
from fractions import Fraction
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopscope as flops
import flopscope.numpy as fnp
from flopscope import errors
from flopscope.cost import UNITS_PER_FLOP
from flopscope.symmetry import as_symmetric
from flopscope.trace import trace as trace_module
from flopscope.trace.callsite import line_of
from flopscope.trace.record import (
    R_ANALYTICAL,
    R_BACKEND_NS,
    R_CODE,
    R_CUMULATIVE,
    R_DTYPES,
    R_END_NS,
    R_EXTRA,
    R_ID,
    R_INPUTS,
    R_LINE,
    R_NAMESPACE,
    R_OP,
    R_OUT_DTYPE,
    R_OUT_SHAPE,
    R_PARAMS,
    R_SHAPES,
    R_START_NS,
    R_THREAD,
    R_WEIGHTED,
    ROW_WIDTH,
    CallSite,
    OpRecord,
    row_to_record,
    rows_to_records,
)
from flopscope.trace.trace import Trace

# -- the plain conversions the fast paths must agree with ------------------------------------


def reference_record(row: tuple, origin_ns: int = 0) -> OpRecord:
    """A row as an OpRecord, field by field from the row layout, through ``OpRecord(...)``."""
    code, lasti = row[R_CODE], row[R_LINE]
    site = None if code is None else CallSite(code.co_filename, line_of(code, lasti), code.co_name)
    exact = Fraction(row[R_WEIGHTED], UNITS_PER_FLOP)
    flop_cost = int(exact) if exact.denominator == 1 else row[R_WEIGHTED] / UNITS_PER_FLOP
    params = dict(row[R_PARAMS] or {})
    out_dtype = row[R_OUT_DTYPE]
    return OpRecord(
        op_name=row[R_OP],
        namespace=row[R_NAMESPACE],
        subscripts=params.get("subscripts"),
        shapes=tuple(row[R_SHAPES]),
        flop_cost=flop_cost,
        cumulative=math.ceil(Fraction(row[R_CUMULATIVE], UNITS_PER_FLOP)),
        flopscope_context_start_offset_s=(row[R_START_NS] - origin_ns) / 1e9,
        flopscope_backend_duration_s=row[R_BACKEND_NS] / 1e9,
        flopscope_overhead_duration_s=(row[R_END_NS] - row[R_START_NS] - row[R_BACKEND_NS]) / 1e9,
        node_id=row[R_ID],
        analytical_cost=row[R_ANALYTICAL],
        dtypes=tuple(None if d is None else str(d) for d in row[R_DTYPES]),
        call_site=site,
        inputs=tuple(row[R_INPUTS]),
        output_shape=row[R_OUT_SHAPE],
        output_dtype=None if out_dtype is None else str(out_dtype),
        params=params,
        tags=dict(row[R_EXTRA] or {}),
        thread_id=row[R_THREAD],
    )


def reference_graph(trace: Trace, extra: OpRecord | None = None) -> nx.DiGraph:
    """The cost graph through networkx's public add_node / add_edge, one call at a time."""
    graph = nx.DiGraph(folded_calls=trace.folded_calls)
    for source in trace.sources.values():
        graph.add_node(source.node_id, kind="input", op="input", label=source.label,
                       output_shape=source.shape, output_dtype=source.dtype,
                       analytical_flops=0, flops=0, tags={})
    records = [reference_record(row, trace.origin_ns) for row in trace.rows] + ([extra] if extra else [])
    for rec in records:
        graph.add_node(
            rec.node_id, kind="op", op=rec.op_name, shapes=rec.shapes, dtypes=rec.dtypes,
            params=dict(rec.params), analytical_flops=rec.analytical_cost, flops=rec.flop_cost,
            cumulative=rec.cumulative, namespace=rec.namespace,
            call_site=None if rec.call_site is None else str(rec.call_site),
            output_shape=rec.output_shape, output_dtype=rec.output_dtype, tags=dict(rec.tags),
            refused=bool(rec.tags.get("refused")), thread_id=rec.thread_id,
        )
    for rec in records:
        symmetric = rec.tags.get("symmetry_inputs") or {}
        for src in rec.inputs:
            if src in graph:
                if src in symmetric:
                    graph.add_edge(src, rec.node_id, symmetry=symmetric[src])
                else:
                    graph.add_edge(src, rec.node_id)
    return graph


def assert_same_records(fast: list, reference: list) -> None:
    assert len(fast) == len(reference)
    for got, want in zip(fast, reference):
        assert type(got) is OpRecord
        assert got == want
        assert repr(got) == repr(want)
        for field in dataclasses.fields(OpRecord):  # same values, and same types (int vs float)
            a, b = getattr(got, field.name), getattr(want, field.name)
            assert a == b and type(a) is type(b) or field.name in ("params", "tags"), field.name


def assert_same_graph(fast: nx.DiGraph, reference: nx.DiGraph) -> None:
    assert fast.graph == reference.graph
    assert list(fast.nodes(data=True)) == list(reference.nodes(data=True))
    for node, data in reference.nodes(data=True):  # same types too: 3 FLOPs is not 3.0
        assert {k: type(v) for k, v in fast.nodes[node].items()} == {
            k: type(v) for k, v in data.items()}
    assert list(fast.edges(data=True)) == list(reference.edges(data=True))
    for node in reference:
        assert list(fast.pred[node].items()) == list(reference.pred[node].items())
        assert list(fast.succ[node].items()) == list(reference.succ[node].items())
    assert nx.utils.graphs_equal(fast, reference)


# -- a run with one call of each kind ---------------------------------------------------------


def mixed_run(ctx: flops.BudgetContext) -> None:
    a = fnp.ones((4, 4))
    b = fnp.exp(a)  # pointwise, a fnp input made outside any counted call
    c = fnp.add(a, b)
    d = c * 2.0  # a Python scalar operand: its dtype is None
    fnp.sum(d, axis=0)  # parameters
    fnp.einsum("ij,jk->ik", d, d)  # subscripts; the same operand twice
    fnp.matmul(b, c)
    out = fnp.zeros((4, 4))
    fnp.multiply(b, c, out=out)  # out=
    fnp.sqrt(out)
    with flops.namespace("layer"):
        fnp.tanh(b)
    s = as_symmetric(fnp.exp(fnp.asarray(np.eye(4) + 1.0)))
    fnp.sin(s)  # symmetry tags, and a symmetric edge
    fnp.sum(fnp.asarray([1.0, 2.0, 3.0]).astype(np.float32))
    thread = threading.Thread(target=lambda: fnp.exp(b))  # charged from another thread
    thread.start()
    thread.join()


def test_records_and_graph_of_every_kind_of_eager_call():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        mixed_run(ctx)
    rows = ctx.trace.rows
    kinds = {row[R_OP] for row in rows}
    assert {"exp", "add", "multiply", "sum", "einsum", "matmul", "sin", "tanh"} <= kinds
    assert any(row[R_EXTRA] and "symmetry_inputs" in row[R_EXTRA] for row in rows)
    assert any(row[R_NAMESPACE] == "layer" for row in rows)
    assert any(None in row[R_DTYPES] for row in rows)
    assert len({row[R_THREAD] for row in rows}) == 2
    assert all(len(row) == ROW_WIDTH for row in rows)
    assert_same_records(ctx.op_log, [reference_record(r, ctx.trace.origin_ns) for r in rows])
    assert_same_graph(ctx.graph, reference_graph(ctx.trace))
    einsum = next(r for r in ctx.op_log if r.op_name == "einsum")
    assert einsum.subscripts == "ij,jk->ik" and einsum.params["subscripts"] == "ij,jk->ik"
    sin = next(n for n, data in ctx.graph.nodes(data=True) if data["op"] == "sin")
    assert any("symmetry" in data for _, _, data in ctx.graph.in_edges(sin, data=True))


def test_records_with_packaged_weights_keep_fractional_charges():
    from flopscope import _weights

    _weights.load_weights()
    with flops.BudgetContext(flop_budget=10**12, flop_multiplier=1.3, quiet=True) as ctx:
        mixed_run(ctx)
    rows = ctx.trace.rows
    assert any(row[R_WEIGHTED] % UNITS_PER_FLOP for row in rows)  # some charges are fractional
    records = ctx.op_log
    assert any(isinstance(r.flop_cost, float) for r in records)
    assert_same_records(records, [reference_record(r, ctx.trace.origin_ns) for r in rows])
    assert_same_graph(ctx.graph, reference_graph(ctx.trace))


def test_records_materialize_incrementally_and_are_cached():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        a = fnp.ones(8)
        for _ in range(5):
            a = fnp.sqrt(a)
        first = ctx.op_log
        for _ in range(3):
            a = a * 0.5
        second = ctx.op_log
    assert len(first) == 5 and len(second) == 8
    assert all(x is y for x, y in zip(first, second))  # the first five were not rebuilt
    assert first is not second  # a fresh list each read: callers may edit it
    assert_same_records(second, [reference_record(r, ctx.trace.origin_ns) for r in ctx.trace.rows])


def test_refused_call_record_and_graph():
    with flops.BudgetContext(flop_budget=50, quiet=True) as ctx:
        a = fnp.ones((4, 4))
        b = fnp.exp(a)
        c = fnp.add(a, b)
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.matmul(b, c)
    err = info.value
    record = err.record
    assert type(record) is OpRecord and record.tags["refused"] is True
    assert (record.op_name, record.flop_cost, record.shapes) == ("matmul", 64, ((4, 4), (4, 4)))
    assert record.inputs == (ctx.op_log[0].node_id, ctx.op_log[1].node_id)
    assert record not in ctx.op_log
    assert_same_graph(err.graph, reference_graph(ctx.trace, extra=record))
    assert err.graph.nodes[record.node_id]["refused"] is True
    assert pickle.loads(pickle.dumps(record)) == record


def test_folded_calls_past_the_cap():
    old = flops.configure(max_log_records=4)
    try:
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            a = fnp.ones(8)
            for _ in range(10):
                a = fnp.sqrt(a)
    finally:
        flops.configure(**old)
    assert len(ctx.trace.rows) == 4 and ctx.trace.folded_calls == 6
    assert_same_records(ctx.op_log, [reference_record(r, ctx.trace.origin_ns) for r in ctx.trace.rows])
    graph = ctx.graph
    assert graph.graph["folded_calls"] == 6 and graph.number_of_nodes() == 4
    assert_same_graph(graph, reference_graph(ctx.trace))


def test_planned_rows_and_input_nodes():
    def layer(x, w):
        h = fnp.tanh(x @ w)
        return fnp.sum(h * h, axis=1)

    plan = flops.plan(layer, (8, 16), (16, 4))
    rows = plan.trace.rows
    assert rows and all(row[R_THREAD] is None for row in rows)
    assert plan.trace.sources  # the planned inputs are source nodes
    assert_same_records(plan.trace.records(), [reference_record(r, plan.trace.origin_ns) for r in rows])
    assert_same_graph(plan.trace.to_networkx(), reference_graph(plan.trace))


def test_fast_records_are_real_frozen_oprecords():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.exp(fnp.ones(3))
    (record,) = ctx.op_log
    assert type(record) is OpRecord and isinstance(record, OpRecord)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.flop_cost = 0  # type: ignore[misc]
    rebuilt = OpRecord(**{f.name: getattr(record, f.name) for f in dataclasses.fields(OpRecord)})
    for rec in (record, rebuilt):  # no new attributes, whichever way it was built
        with pytest.raises((AttributeError, TypeError)):
            rec.extra_field = 1  # type: ignore[attr-defined]
        assert not hasattr(rec, "__dict__")
    assert rebuilt == record and repr(rebuilt) == repr(record)
    assert pickle.loads(pickle.dumps(record)) == record
    assert dataclasses.replace(record, flop_cost=7).flop_cost == 7
    assert record.weighted_cost == record.flop_cost == 3
    assert row_to_record(ctx.trace.rows[0], ctx.trace.origin_ns) == record


def test_graph_nodes_do_not_share_mutable_attributes():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        a = fnp.ones(4)
        fnp.exp(a)
        fnp.exp(a)
        fnp.sum(a, axis=0)
        fnp.sum(a, axis=0)
    graph = ctx.graph
    n1, n2, n3, n4 = list(graph)
    graph.nodes[n1]["tags"]["mark"] = 1
    graph.nodes[n1]["params"]["mark"] = 1
    graph.nodes[n3]["params"]["axis"] = 5
    assert graph.nodes[n2]["tags"] == {} and graph.nodes[n2]["params"] == {}
    assert graph.nodes[n4]["params"] == {"axis": 0}
    assert ctx.op_log[2].params == {"axis": 0}  # the records are untouched too
    graph.add_edge(n1, n2)  # and the graph behaves as any DiGraph
    assert list(graph.successors(n1)) == [n2] and nx.is_directed_acyclic_graph(graph)
    assert ctx.graph.number_of_edges() == 0  # each read builds a new graph


# -- synthetic rows ---------------------------------------------------------------------------


def _code_sample():  # two call sites' code objects for synthetic rows
    return 1


_CODES = [_code_sample.__code__, test_graph_nodes_do_not_share_mutable_attributes.__code__]
_DTYPES = [np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_), None]
_shape = st.tuples(*[st.integers(0, 9)] * 2) | st.just(()) | st.tuples(st.integers(1, 5))
_seq = lambda elements: st.lists(elements, max_size=3).flatmap(  # noqa: E731
    lambda xs: st.sampled_from([tuple(xs), list(xs)]))


@st.composite
def _rows(draw):
    count = draw(st.integers(1, 12))
    rows = []
    cumulative = 0
    for node_id in range(1000, 1000 + count):
        weighted = draw(st.integers(0, 10**6)) * draw(st.sampled_from([UNITS_PER_FLOP, 1, 3]))
        cumulative += weighted
        code = draw(st.sampled_from(_CODES + [None]))
        extra = draw(st.sampled_from([None, {}, {"bound": True}, {"refused": True},
                                      {"symmetry": "S2{0,1}", "symmetry_inputs": {}}]))
        inputs = draw(_seq(st.integers(1000, 1000 + count)))
        if extra and "symmetry_inputs" in extra and inputs:
            extra = {**extra, "symmetry_inputs": {inputs[0]: "S2{0,1}"}}
        row = [None] * ROW_WIDTH
        row[R_ID] = node_id
        row[R_OP] = draw(st.sampled_from(["add", "einsum", "linalg.svd", "sum"]))
        row[R_NAMESPACE] = draw(st.sampled_from([None, "a", "a.b"]))
        row[R_SHAPES] = draw(_seq(_shape))
        row[R_DTYPES] = draw(_seq(st.sampled_from(_DTYPES)))
        row[R_PARAMS] = draw(st.sampled_from([None, (), (("axis", 0),), (("subscripts", "ij->i"),)]))
        row[R_ANALYTICAL] = draw(st.integers(0, 10**9))
        row[R_WEIGHTED] = weighted
        row[R_CUMULATIVE] = cumulative
        start, backend, overhead = draw(st.tuples(*[st.integers(0, 10**12)] * 3))
        row[R_START_NS], row[R_BACKEND_NS] = start, backend
        row[R_END_NS] = start + backend + overhead
        row[R_CODE] = code
        row[R_LINE] = draw(st.integers(-1, 40)) if code is not None else 0
        row[R_INPUTS] = inputs
        row[R_OUT_SHAPE] = draw(st.none() | _shape)
        row[R_OUT_DTYPE] = draw(st.sampled_from(_DTYPES))
        row[R_EXTRA] = extra
        row[R_THREAD] = draw(st.sampled_from([None, 1, threading.get_ident()]))
        rows.append(tuple(row))
    return rows


@settings(max_examples=60, deadline=None)
@given(_rows(), st.integers(0, 3))
def test_synthetic_rows_convert_like_the_reference(rows, start):
    start = min(start, len(rows))
    assert_same_records(rows_to_records(rows, start), [reference_record(r) for r in rows[start:]])
    trace = Trace(None)
    for row in rows:
        trace.add(row)
    assert_same_graph(trace.to_networkx(), reference_graph(trace))
    extra = reference_record(rows[-1])  # as a refused call would be added, with a fresh id
    extra = dataclasses.replace(extra, node_id=5000, tags={"refused": True})
    assert_same_graph(trace.to_networkx(extra=extra), reference_graph(trace, extra=extra))


# -- summaries add rows up per operation and namespace ------------------------------------------


def _totals(aggregates, *, timing: bool = True) -> dict:
    totals: dict = {}
    for agg in aggregates:
        acc = totals.setdefault((agg.op_name, agg.namespace), [0] * 5)
        figures = (agg.calls, agg.analytical, agg.weighted_units, agg.backend_ns, agg.overhead_ns)
        for i, value in enumerate(figures[:5 if timing else 3]):
            acc[i] += value
    return totals


def _row_totals(rows) -> dict:
    totals: dict = {}
    for row in rows:
        acc = totals.setdefault((row[R_OP], row[R_NAMESPACE]), [0] * 5)
        overhead = row[R_END_NS] - row[R_START_NS] - row[R_BACKEND_NS]
        for i, value in enumerate((1, row[R_ANALYTICAL], row[R_WEIGHTED], row[R_BACKEND_NS],
                                   overhead)):
            acc[i] += value
    return totals


def test_aggregates_add_up_every_row_and_folded_call():
    def run(cap):
        old = flops.configure(max_log_records=cap)
        try:
            with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
                for _ in range(3):
                    mixed_run(ctx)
        finally:
            flops.configure(**old)
        return ctx

    full, capped = run(10**6), run(7)
    assert full.trace.folded_calls == 0 and capped.trace.folded_calls > 0
    grouped = list(full.trace.aggregates())
    assert len(grouped) == len({(r[R_OP], r[R_NAMESPACE]) for r in full.trace.rows})
    assert _totals(grouped) == _row_totals(full.trace.rows)
    assert list(_totals(grouped)) == list(_row_totals(full.trace.rows))  # order of first call
    assert _totals(full.trace.aggregates(5)) == _row_totals(full.trace.rows[5:])
    no_timing = {k: v[:3] + [0, 0] for k, v in _totals(grouped).items()}
    assert _totals(capped.trace.aggregates(), timing=False) == no_timing
    assert capped.summary_dict(by_namespace=True)["operations"] == full.summary_dict(
        by_namespace=True)["operations"]
    snapshot = capped.trace.overflow_snapshot()
    mark = len(capped.trace.rows)
    with capped:
        fnp.exp(fnp.ones(3))
        fnp.exp(fnp.ones(3))
    assert _totals(capped.trace.aggregates_since(mark, snapshot), timing=False) == {
        ("exp", None): [2, 6, 6 * UNITS_PER_FLOP, 0, 0]}


# -- the collector is paused only while reading --------------------------------------------------


def test_reading_restores_the_collector_state():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.exp(fnp.ones(3))
    assert gc.isenabled()
    ctx.op_log, ctx.graph
    assert gc.isenabled()
    gc.disable()
    try:
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            fnp.exp(fnp.ones(3))
        ctx.op_log, ctx.graph
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()


def test_reading_leaves_the_applications_frozen_objects_frozen():
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.exp(fnp.ones(3))
    ctx.op_log, ctx.graph
    assert gc.get_freeze_count() == 0  # what reading built is collectable as ever
    kept = [[i] for i in range(100)]  # objects the application froze
    gc.freeze()
    try:
        assert gc.get_freeze_count() >= 100
        with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
            fnp.exp(fnp.ones(3))
        ctx.op_log, ctx.graph
        assert gc.get_freeze_count() >= 100 and gc.isenabled()
        tracked = {id(obj) for obj in gc.get_objects()}  # the generations, not the frozen
        assert not any(id(obj) in tracked for obj in kept)
    finally:
        gc.unfreeze()


def test_a_failure_while_reading_restores_the_collector(monkeypatch):
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as ctx:
        fnp.exp(fnp.ones(3))

    def fail(*args):
        assert not gc.isenabled()  # paused while building
        raise RuntimeError("boom")

    monkeypatch.setattr(trace_module, "rows_to_records", fail)
    monkeypatch.setattr(trace_module, "_add_row_nodes", fail)
    with pytest.raises(RuntimeError, match="boom"):
        ctx.op_log
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        ctx.graph
    assert gc.isenabled()


# -- errors sit below the trace layer -----------------------------------------------------------


def test_errors_module_imports_nothing_from_flopscope():
    source = Path(errors.__file__).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and not (node.module or "").startswith("flopscope"), node.module
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith("flopscope") for alias in node.names)
    assert "flopscope.trace" not in "".join(
        line for line in source.splitlines() if "import" in line)


def test_the_trace_layer_installs_the_error_renderers(monkeypatch):
    seen = []
    monkeypatch.setitem(errors._RENDERERS, "html", lambda err: seen.append(err) or "<b>x</b>")
    monkeypatch.setitem(errors._RENDERERS, "rich", lambda err: seen.append(err) or "rich")
    monkeypatch.setitem(errors._RENDERERS, "dot",
                        lambda graph, **options: seen.append(options) or "digraph {}")
    with flops.BudgetContext(flop_budget=10, quiet=True):
        with pytest.raises(flops.BudgetExhaustedError) as info:
            fnp.exp(fnp.ones(64))
    err = info.value
    assert err._repr_html_() == "<b>x</b>" and err.__rich__() == "rich"
    assert err.to_dot(group=None) == "digraph {}"
    assert seen == [err, err, {"title": "overrun at exp", "group": None}]
    late = flops.TimeExhaustedError("exp", elapsed_s=2.0, limit_s=1.0, when="before")
    assert late._repr_html_() == "<b>x</b>" and late.__rich__() == "rich"


def test_installed_renderers_draw_errors():
    from flopscope.trace import html

    assert set(errors._RENDERERS) == {"dot", "html", "rich"}
    err = flops.TimeExhaustedError("limit passed")
    assert errors._RENDERERS["html"](err) == html.error_html(err) == err._repr_html_()


def test_register_renderer_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown renderer kind 'svg'"):
        errors.register_renderer("svg", str)
    with pytest.raises(TypeError, match="must be callable"):
        errors.register_renderer("html", "not a function")
