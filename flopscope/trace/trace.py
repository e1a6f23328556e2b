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

import itertools
from dataclasses import dataclass
from typing import Any, Iterator

from flopscope.cost import units_to_flops_ceil
from flopscope.trace.record import (
    R_ANALYTICAL,
    R_BACKEND_NS,
    R_CODE,
    R_DTYPES,
    R_EXTRA,
    R_ID,
    R_INPUTS,
    R_LINE,
    R_NAMESPACE,
    R_OP,
    R_OUT_DTYPE,
    R_OUT_SHAPE,
    R_OVERHEAD_NS,
    R_PARAMS,
    R_SHAPES,
    R_WEIGHTED,
    CallSite,
    OpRecord,
    row_to_record,
)

__all__ = ["Trace", "Aggregate", "new_node_id", "InputSource"]

#: Process-wide node ids: unique across traces, so an array produced in one
#: context and consumed in another never aliases a node of the second.
new_node_id = itertools.count(1).__next__


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
    """

    __slots__ = ("rows", "cap", "_overflow", "_fold_sites", "_records", "sources", "__weakref__")

    def __init__(self, cap: int | None) -> None:
        self.rows: list[tuple] = []
        self.cap: int | None = cap
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
        acc[4] += row[R_OVERHEAD_NS]

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
            self._records.extend(row_to_record(r) for r in self.rows[done:])
        return list(self._records)

    def aggregates(self, start: int = 0) -> Iterator[Aggregate]:
        """Per-call aggregates of detailed rows from ``start``, then folded groups."""
        for row in self.rows[start:]:
            yield Aggregate(
                row[R_OP],
                row[R_NAMESPACE],
                None,
                1,
                row[R_ANALYTICAL],
                row[R_WEIGHTED],
                row[R_BACKEND_NS],
                row[R_OVERHEAD_NS],
            )
        for _, agg in self._folded():
            yield agg

    def overflow_snapshot(self) -> dict[tuple, tuple[int, int, int, int, int]]:
        """Copy of the folded totals, to compute deltas later (see :meth:`aggregates_since`)."""
        return {k: tuple(acc) for k, acc in self._overflow.items()}

    def aggregates_since(
        self, row_mark: int, snapshot: dict[tuple, tuple[int, int, int, int, int]]
    ) -> Iterator[Aggregate]:
        """Aggregates of everything added after ``row_mark`` / ``snapshot`` were taken."""
        for row in self.rows[row_mark:]:
            yield Aggregate(
                row[R_OP], row[R_NAMESPACE], None, 1,
                row[R_ANALYTICAL], row[R_WEIGHTED], row[R_BACKEND_NS], row[R_OVERHEAD_NS],
            )
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
            agg.overhead_ns += row[R_OVERHEAD_NS]
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
        ``output_dtype`` and ``tags`` (symmetry, bound...). Planned inputs carry
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
        records = self.records()
        if extra is not None:
            records.append(extra)
        # Bulk insertion: add_nodes_from / add_edges_from are several times
        # faster than one add_node / add_edge call per record at 10^5 records.
        graph.add_nodes_from(
            (
                rec.node_id,
                {
                    "kind": "op",
                    "op": rec.op_name,
                    "shapes": rec.shapes,
                    "dtypes": rec.dtypes,
                    "params": dict(rec.params),
                    "analytical_flops": rec.analytical_cost,
                    "flops": rec.flop_cost,
                    "cumulative": rec.cumulative,
                    "namespace": rec.namespace,
                    "call_site": str(rec.call_site) if rec.call_site else None,
                    "output_shape": rec.output_shape,
                    "output_dtype": rec.output_dtype,
                    "tags": dict(rec.tags),
                    "refused": bool(rec.tags.get("refused", False)),
                    "thread_id": rec.thread_id,
                },
            )
            for rec in records
        )
        nodes = graph._node
        edges = []
        for rec in records:
            symmetric_inputs = rec.tags.get("symmetry_inputs") or {}
            for src in rec.inputs:
                if src in nodes:
                    symmetry = symmetric_inputs.get(src)
                    if symmetry is None:
                        edges.append((src, rec.node_id))
                    else:  # the array flowing along this edge carried declared symmetry
                        edges.append((src, rec.node_id, {"symmetry": symmetry}))
        graph.add_edges_from(edges)
        return graph

    def to_dot(self, **options: Any) -> str:
        """DOT text of :meth:`to_networkx` (see :func:`flopscope.trace.dot.graph_to_dot`)."""
        from flopscope.trace.dot import graph_to_dot

        return graph_to_dot(self.to_networkx(), **options)

