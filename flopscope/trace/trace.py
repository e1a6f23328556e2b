"""The trace: an append-only store of counted calls, readable as a cost graph.

Executors append one *row* (a tuple, see :mod:`flopscope.trace.record`) per
counted call. A trace keeps the first ``cap`` rows in full; past the cap it
folds each further call into a per-(operation, namespace, call site)
aggregate. Totals, summaries and per-site breakdowns therefore stay exact in
runs of any length while memory stays bounded; only the graph and the per-call
log stop growing at the cap (see :data:`flopscope._config.Settings.max_log_records`).

The graph view is built on demand as a :class:`networkx.DiGraph`: one node per
detailed row, an edge from the call that produced an array to each call that
consumed it, and a node per planned input (``kind="input"``).
"""

from __future__ import annotations

import gc
import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Iterable, Iterator, Sequence

from flopscope.cost import units_to_flops, units_to_flops_ceil
from flopscope.errors import register_renderer
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
    CallSite,
    OpRecord,
    dtype_names,
    overhead_ns,
    rows_to_records,
)

__all__ = ["Trace", "Aggregate", "new_node_id", "InputSource"]

#: Process-wide node ids: unique across traces, so an array produced in one
#: context and consumed in another never aliases a node of the second.
new_node_id = itertools.count(1).__next__


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a long log is materialized.

    Reading 10^5 records allocates some 10^6 containers (records, attribute
    dicts, adjacency dicts), none of them part of a reference cycle; left on,
    the collector runs its generational passes (full ones over a heap that
    keeps growing) again and again over them, which doubled the time of a
    100,000-call graph. Reference counting still frees everything as usual.

    On the way out, what was built is long-lived data, which is where a
    generational collector would move it after two passes over it. Rather
    than leave 10^6 young objects for the next young collection to traverse
    (a fifth of the graph's time), ``gc.freeze()`` then ``gc.unfreeze()``
    moves every tracked object to the oldest generation in one step (two list
    splices; objects stay tracked, and the next full collection visits them
    as it visits any other). That step is skipped when the application keeps
    frozen objects of its own (``gc.get_freeze_count()``), which unfreezing
    would release. The collector is switched back on (only if it was on)
    however the block ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        gc.enable()


@dataclass(frozen=True, slots=True)
class InputSource:
    """An input of a planned function: a source node of the graph."""

    node_id: int
    label: str
    shape: tuple
    dtype: str


@dataclass(slots=True)
class Aggregate:
    """Totals for one (operation, namespace, call site) group of calls.

    ``weighted_units`` is the exact charge in charge units
    (:data:`flopscope.cost.UNITS_PER_FLOP` per FLOP); :attr:`weighted` is
    that total in whole FLOPs, rounded up.
    """

    op_name: str
    namespace: str | None
    call_site: CallSite | None
    calls: int = 0
    analytical: int = 0
    weighted_units: int = 0
    backend_ns: int = 0
    overhead_ns: int = 0

    @property
    def weighted(self) -> int:
        """Weighted FLOPs charged, rounded up to a whole FLOP."""
        return units_to_flops_ceil(self.weighted_units)


class Trace:
    """Append-only store of counted calls with a capped detailed log.

    Parameters
    ----------
    cap:
        Maximum number of detailed rows; ``None`` for no limit.
    origin_ns:
        The ``perf_counter_ns()`` reading call offsets count from (rows hold
        raw clock readings).
    """

    __slots__ = ("rows", "cap", "origin_ns", "_overflow", "_fold_sites", "_records", "sources",
                 "__weakref__")

    def __init__(self, cap: int | None, origin_ns: int = 0) -> None:
        self.rows: list[tuple] = []
        self.cap: int | None = cap
        self.origin_ns = origin_ns
        self._overflow: dict[tuple, list] = {}
        self._fold_sites: dict[tuple, tuple] = {}
        self._records: list[OpRecord] = []
        self.sources: dict[int, InputSource] = {}

    # -- writing -------------------------------------------------------------
    def add(self, row: tuple) -> None:
        """Store ``row`` in full if under the cap, else fold it into its aggregate."""
        cap = self.cap
        if cap is None or len(self.rows) < cap:
            self.rows.append(row)
        else:
            self.fold(row)

    def fold(self, row: tuple) -> None:
        """Fold a row past the cap into its (op, namespace, call site) accumulator."""
        key = (row[R_OP], row[R_NAMESPACE], id(row[R_CODE]), row[R_LINE])
        acc = self._overflow.get(key)
        if acc is None:
            acc = self.start_fold(row[R_OP], row[R_NAMESPACE], row[R_CODE], row[R_LINE])
        acc[0] += 1
        acc[1] += row[R_ANALYTICAL]
        acc[2] += row[R_WEIGHTED]
        acc[3] += row[R_BACKEND_NS]
        acc[4] += overhead_ns(row)

    def start_fold(self, op: str, namespace: str | None, code: Any, lasti: int) -> list:
        """A new accumulator ``[calls, analytical, weighted_units, backend_ns, overhead_ns]``.

        Keyed by ``id`` of the code object (hashing a code object hashes its
        contents); the code object itself is kept alive by the call-site
        cache, so ids are stable. Executors update accumulators in place.
        """
        acc = [0, 0, 0, 0, 0]
        self._overflow[(op, namespace, id(code), lasti)] = acc
        self._fold_sites[(op, namespace, id(code), lasti)] = (op, namespace, code, lasti)
        return acc

    def _folded(self) -> Iterator[tuple[tuple, Aggregate]]:
        for key, acc in self._overflow.items():
            op, namespace, code, lasti = self._fold_sites[key]
            yield key, Aggregate(op, namespace, CallSite.from_code(code, lasti), *acc)

    # -- reading -------------------------------------------------------------
    @property
    def folded_calls(self) -> int:
        """Number of calls past the cap, kept only as aggregates."""
        return sum(acc[0] for acc in self._overflow.values())

    def __len__(self) -> int:
        return len(self.rows) + self.folded_calls

    def records(self) -> list[OpRecord]:
        """Detailed rows as :class:`OpRecord` objects (materialized incrementally)."""
        done = len(self._records)
        if done < len(self.rows):
            with _collector_paused():
                self._records.extend(rows_to_records(self.rows, done, self.origin_ns))
        return list(self._records)

    def aggregates(self, start: int = 0) -> Iterator[Aggregate]:
        """Totals of the detailed rows from ``start``, then the folded groups.

        Detailed rows come grouped per (operation, namespace), in order of
        first call, without call sites; folded groups are per call site. Sums
        over the aggregates (what summaries and ledgers take) are exact.
        """
        yield from _group_rows(self.rows[start:])
        for _, agg in self._folded():
            yield agg

    def overflow_snapshot(self) -> dict[tuple, tuple[int, int, int, int, int]]:
        """Copy of the folded totals, to compute deltas later (see :meth:`aggregates_since`)."""
        return {k: tuple(acc) for k, acc in self._overflow.items()}

    def aggregates_since(
        self, row_mark: int, snapshot: dict[tuple, tuple[int, int, int, int, int]]
    ) -> Iterator[Aggregate]:
        """Aggregates of everything added after ``row_mark`` / ``snapshot`` were taken."""
        yield from _group_rows(self.rows[row_mark:])
        for key, agg in self._folded():
            before = snapshot.get(key, (0, 0, 0, 0, 0))
            if agg.calls != before[0]:
                yield Aggregate(
                    agg.op_name, agg.namespace, agg.call_site,
                    agg.calls - before[0], agg.analytical - before[1],
                    agg.weighted_units - before[2],
                    agg.backend_ns - before[3], agg.overhead_ns - before[4],
                )

    def site_aggregates(self) -> list[Aggregate]:
        """Totals per (operation, namespace, call site), over detailed and folded calls."""
        groups: dict[tuple, Aggregate] = {}
        for row in self.rows:
            key = (row[R_OP], row[R_NAMESPACE], id(row[R_CODE]), row[R_LINE])
            agg = groups.get(key)
            if agg is None:
                agg = groups[key] = Aggregate(
                    row[R_OP], row[R_NAMESPACE], CallSite.from_code(row[R_CODE], row[R_LINE])
                )
            agg.calls += 1
            agg.analytical += row[R_ANALYTICAL]
            agg.weighted_units += row[R_WEIGHTED]
            agg.backend_ns += row[R_BACKEND_NS]
            agg.overhead_ns += overhead_ns(row)
        for key, folded in self._folded():
            agg = groups.get(key)
            if agg is None:
                agg = groups[key] = Aggregate(folded.op_name, folded.namespace, folded.call_site)
            agg.calls += folded.calls
            agg.analytical += folded.analytical
            agg.weighted_units += folded.weighted_units
            agg.backend_ns += folded.backend_ns
            agg.overhead_ns += folded.overhead_ns
        return list(groups.values())

    # -- graph ---------------------------------------------------------------
    def to_networkx(self, extra: OpRecord | None = None) -> Any:
        """The cost graph as a :class:`networkx.DiGraph`.

        Node keys are node ids. Call nodes carry ``kind="op"``, ``op``,
        ``shapes``, ``dtypes``, ``params``, ``analytical_flops``, ``flops``,
        ``cumulative``, ``namespace``, ``call_site``, ``output_shape``,
        ``output_dtype``, ``tags`` (symmetry, bound...), ``refused`` and
        ``thread_id`` (:func:`record_attributes`). Planned inputs carry
        ``kind="input"``. ``extra`` adds one more node (the call a budget
        refused) marked ``refused=True``. Graph attributes: ``folded_calls``,
        the calls past the detail cap that the graph does not show.
        """
        import networkx as nx

        graph = nx.DiGraph(folded_calls=self.folded_calls)
        for source in self.sources.values():
            graph.add_node(
                source.node_id, kind="input", op="input", label=source.label,
                output_shape=source.shape, output_dtype=source.dtype,
                analytical_flops=0, flops=0, tags={},
            )
        rows = self.rows
        with _collector_paused():
            _add_row_nodes(graph, rows)
            if extra is not None:
                graph.add_node(extra.node_id, **record_attributes(extra))
            _add_edges(graph, map(_EDGE_FIELDS, rows))
            if extra is not None:
                _add_edges(graph, [(extra.node_id, extra.inputs, extra.tags)])
        return graph

    def to_dot(self, **options: Any) -> str:
        """DOT text of :meth:`to_networkx` (see :func:`flopscope.trace.dot.graph_to_dot`)."""
        from flopscope.trace.dot import graph_to_dot

        return graph_to_dot(self.to_networkx(), **options)


#: The row fields a summary adds up, in the order :func:`_group_rows` reads them.
_TOTAL_FIELDS = itemgetter(R_OP, R_NAMESPACE, R_ANALYTICAL, R_WEIGHTED, R_BACKEND_NS, R_START_NS,
                           R_END_NS)


def _group_rows(rows: list[tuple]) -> Iterator[Aggregate]:
    """One :class:`Aggregate` per (operation, namespace) of ``rows``, in order of first call.

    Summaries group by operation and namespace anyway; adding up here, on
    plain lists, rather than yielding an Aggregate per row makes a summary
    of a long log (and a context's exit, which folds it into the session)
    several times cheaper.
    """
    groups: dict[tuple[str, str | None], list[int]] = {}
    for op, namespace, analytical, weighted, backend, start, end in map(_TOTAL_FIELDS, rows):
        acc = groups.get((op, namespace))
        if acc is None:
            groups[op, namespace] = [1, analytical, weighted, backend, end - start - backend]
        else:
            acc[0] += 1
            acc[1] += analytical
            acc[2] += weighted
            acc[3] += backend
            acc[4] += end - start - backend
    for (op, namespace), acc in groups.items():
        yield Aggregate(op, namespace, None, *acc)


def record_attributes(record: OpRecord) -> dict[str, Any]:
    """The attributes of ``record``'s node in :meth:`Trace.to_networkx`.

    The definition of a call node's attributes; :func:`_add_row_nodes` builds
    the same dicts straight from rows (tests/test_log_reading.py checks that
    they agree).
    """
    return {
        "kind": "op",
        "op": record.op_name,
        "shapes": record.shapes,
        "dtypes": record.dtypes,
        "params": dict(record.params),
        "analytical_flops": record.analytical_cost,
        "flops": record.flop_cost,
        "cumulative": record.cumulative,
        "namespace": record.namespace,
        "call_site": str(record.call_site) if record.call_site else None,
        "output_shape": record.output_shape,
        "output_dtype": record.output_dtype,
        "tags": dict(record.tags),
        "refused": bool(record.tags.get("refused", False)),
        "thread_id": record.thread_id,
    }


#: The row fields a graph node shows, in the order :func:`_add_row_nodes` reads them.
_NODE_FIELDS = itemgetter(
    R_ID, R_OP, R_NAMESPACE, R_SHAPES, R_DTYPES, R_PARAMS, R_ANALYTICAL, R_WEIGHTED,
    R_CUMULATIVE, R_CODE, R_LINE, R_OUT_SHAPE, R_OUT_DTYPE, R_EXTRA, R_THREAD,
)
#: What the edges of a row's node depend on: ``(node id, input node ids, tags)``.
_EDGE_FIELDS = itemgetter(R_ID, R_INPUTS, R_EXTRA)


def _add_row_nodes(graph: Any, rows: list[tuple]) -> None:
    """Add a node per row, with :func:`record_attributes` built straight from the row.

    The graph is read far more rarely than calls are made, but a 100,000-call
    graph must still build in well under a second, so this skips both
    :class:`OpRecord` objects and ``add_nodes_from``: it fills the graph's
    node and adjacency dicts (``_node``, ``_succ``, ``_pred``) the way
    :meth:`networkx.DiGraph.add_node` does for a new node (``add_nodes_from``
    copies and merges each attribute dict, after a failed hash of each
    ``(node, attrs)`` pair). Conversions shared by many rows (call-site text,
    dtype names, FLOPs of a charge) are made once per distinct value. Each
    node gets its own attribute dict and its own ``params`` / ``tags`` copies,
    so editing one node's attributes never touches another's.
    """
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    fields_of = _NODE_FIELDS
    names_of: dict[tuple, tuple] = {}  # dtypes -> their names
    flops_of: dict[int, int | float] = {}  # charge units -> FLOPs
    sites: dict[tuple[int, int], str | None] = {}  # (id(code), lasti) -> call-site text
    out_names: dict[int, str] = {}  # id(dtype) -> name
    for row in rows:
        (node_id, op, namespace, shapes, dtypes, params, analytical, weighted, cumulative,
         code, lasti, out_shape, out_dtype, extra, thread) = fields_of(row)
        flops = flops_of.get(weighted)
        if flops is None:
            flops = flops_of[weighted] = units_to_flops(weighted)
        if code is None:
            where = None
        else:
            key = (id(code), lasti)
            where = sites.get(key)
            if where is None:
                where = sites[key] = str(CallSite.from_code(code, lasti))
        if type(dtypes) is not tuple:
            dtypes = tuple(dtypes)
        names = names_of.get(dtypes)
        if names is None:
            names = names_of[dtypes] = dtype_names(dtypes)
        if out_dtype is not None:
            out_name = out_names.get(id(out_dtype))
            if out_name is None:
                out_name = out_names[id(out_dtype)] = dtype_names((out_dtype,))[0]
        else:
            out_name = None
        if extra:
            refused = bool(extra.get("refused", False))
            extra = dict(extra)
        else:
            extra, refused = {}, False
        attrs = {
            "kind": "op",
            "op": op,
            "shapes": shapes if type(shapes) is tuple else tuple(shapes),
            "dtypes": names,
            "params": dict(params) if params else {},
            "analytical_flops": analytical,
            "flops": flops,
            "cumulative": units_to_flops_ceil(cumulative),
            "namespace": namespace,
            "call_site": where,
            "output_shape": out_shape,
            "output_dtype": out_name,
            "tags": extra,
            "refused": refused,
            "thread_id": thread,
        }
        known = nodes.get(node_id)
        if known is None:
            nodes[node_id] = attrs
            succ[node_id] = {}
            pred[node_id] = {}
        else:  # as add_node does for a node already present: merge the attributes
            known.update(attrs)


def _add_edges(graph: Any, links: Iterable[tuple[int, Sequence[int], Any]]) -> None:
    """Add the data-flow edges of ``(node id, input node ids, tags)`` triples.

    An edge runs from each input's node, if the graph has it (an input made
    before the context, or past the detail cap, has none), to the call; a
    repeated input is one edge. Like :func:`_add_row_nodes`, it writes the
    adjacency dicts directly, sharing one data dict between ``_succ`` and
    ``_pred`` as :meth:`networkx.DiGraph.add_edge` does.
    """
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    for node_id, inputs, tags in links:
        if not inputs:
            continue
        into = pred[node_id]
        # node id -> the symmetry the array flowing along that edge carried, if declared
        symmetric = tags.get("symmetry_inputs") if tags else None
        for src in inputs:
            if src in nodes and src not in into:
                symmetry = symmetric.get(src) if symmetric else None
                data = {} if symmetry is None else {"symmetry": symmetry}
                succ[src][node_id] = data
                into[src] = data


# -- how errors draw themselves ----------------------------------------------------------
#
# flopscope.errors sits below every layer and imports none of them; budget and
# time errors still draw the graph of what ran. The trace layer installs that
# drawing into errors' renderer table when it is imported (and flopscope
# imports it with the package). The renderers load dot / html only when an
# error is actually drawn.


def _error_dot(graph: Any, **options: Any) -> str:
    from flopscope.trace.dot import graph_to_dot

    return graph_to_dot(graph, **options)


def _error_html(error: Any) -> str:
    from flopscope.trace.html import error_html

    return error_html(error)


def _error_rich(error: Any) -> Any:
    from flopscope.trace.html import error_rich

    return error_rich(error)


register_renderer("dot", _error_dot)
register_renderer("html", _error_html)
register_renderer("rich", _error_rich)
