"""Dry-run plans: the cost of a function from its input shapes, nothing computed.

>>> import flopscope as flops
>>> import flopscope.numpy as fnp
>>> def layer(x, w):
...     return fnp.maximum(x @ w, 0)
>>> p = flops.plan(layer, (64, 256), (256, 128))
>>> p.flops                                   # 64·256·128 + 64·128
2105344
>>> p.outputs
ArraySpec(shape=(64, 128), dtype=dtype('float64'), bound=False, tags={})
>>> p.fits(10**6)
False

:func:`plan` calls the function with abstract arrays
(:class:`~flopscope.exec.abstract.AbstractArray`) under a
:class:`~flopscope.exec.dry.Planner`: every counted call gets the cost the
eager executor would charge (same rules, weights and rounding) and a node in
a trace with the same layout as a budget context's, so a :class:`Plan`
offers the budget's summaries and the same cost graph, drawn with
:mod:`flopscope.trace.dot`.
"""

from __future__ import annotations

import inspect
import os
from inspect import CO_VARARGS
from types import FunctionType
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from flopscope._config import parse_flop_count
from flopscope.budget.context import validate_multiplier
from flopscope.budget.summary import ROOT_NAMESPACE, SummaryText, format_summary, summary_dict
from flopscope.exec.abstract import AbstractArray
from flopscope.exec.dry import Planner
from flopscope.exec.shapes import ArraySpec, is_arraylike
from flopscope.exec.shapes.free import shape_arg
from flopscope.trace.record import OpRecord
from flopscope.trace.trace import Trace, new_node_id

__all__ = ["plan", "spec", "Plan", "PlanOutput"]


def spec(shape: int | tuple[int, ...], dtype: Any = np.float64) -> ArraySpec:
    """An input of :func:`plan` with a given shape and dtype (a bare tuple means float64).

    >>> spec((256, 256), "float32")
    ArraySpec(shape=(256, 256), dtype=dtype('float32'), bound=False, tags={})
    """
    return ArraySpec(shape_arg(shape), np.dtype(dtype))


@dataclass(frozen=True, slots=True)
class PlanOutput:
    """An array the planned function returned: where it sits in the return value."""

    label: str
    node_id: int
    sources: tuple[int, ...]
    spec: ArraySpec


def plan(fn: Callable[..., Any], *args: Any, flop_multiplier: float = 1.0, **kwargs: Any) -> Plan:
    """Plan ``fn(*args, **kwargs)``: its FLOP cost and output shapes, nothing computed.

    Arguments stand for the function's inputs:

    * a tuple of ints is the shape of a float64 array (``(256, 256)``; ``()``
      is a scalar); :func:`spec` gives another dtype;
    * an array (NumPy, ``fnp``, or a plan's output spec) stands for its shape
      and dtype;
    * lists, tuples and dicts are searched for arrays and specs, which are
      replaced the same way (a bare tuple inside a container stays a tuple);
    * anything else is passed through unchanged: a model object holding real
      weight arrays can be planned, and operations on those arrays are
      planned like any other.

    ``flop_multiplier`` scales charges as :class:`~flopscope.BudgetContext`'s
    does. Inside ``fn``, asking an array for its values (``if x > 0:``,
    ``float(x)``) raises :class:`~flopscope.errors.ConcretizationError`.
    """
    if not callable(fn):
        raise TypeError(f"plan() needs a callable to plan, got {type(fn).__name__}")
    planner = Planner(validate_multiplier(flop_multiplier))
    labels = _argument_labels(fn, len(args))
    a_args = [_to_input(planner, value, label, top=True) for value, label in zip(args, labels)]
    a_kwargs = {k: _to_input(planner, v, k, top=True) for k, v in kwargs.items()}
    with planner.active():
        result = fn(*a_args, **a_kwargs)
    outputs: list[PlanOutput] = []
    return Plan(planner, _freeze(result, "return", outputs), outputs, _name_of(fn))


# -- turning arguments into inputs ----------------------------------------------------------


def _is_shape(value: Any) -> bool:
    return type(value) is tuple and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in value
    )


def _to_input(planner: Planner, value: Any, label: str, top: bool) -> Any:
    if top and _is_shape(value):
        return planner.input(label, shape_arg(value), np.float64)
    if isinstance(value, ArraySpec):
        return planner.input(label, value.shape, value.dtype, value.bound,
                             dict(value.tags) if value.tags else None)
    if is_arraylike(value):
        return planner.input(label, tuple(value.shape), value.dtype,
                             bound=bool(getattr(value, "bound", False)), tags=_tags_of(value))
    if type(value) is list:
        return [_to_input(planner, v, f"{label}[{i}]", False) for i, v in enumerate(value)]
    if type(value) is dict:
        return {k: _to_input(planner, v, f"{label}[{k!r}]", False) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [_to_input(planner, v, f"{label}[{i}]", False) for i, v in enumerate(value)]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def _tags_of(value: Any) -> dict[str, Any]:
    """Annotations an array argument carries over to its abstract stand-in (its symmetry)."""
    if isinstance(value, AbstractArray):
        return dict(value.tags)
    if getattr(value, "_fs_symmetric", False):
        from flopscope.symmetry.tensor import symmetry_of

        return {"symmetry": symmetry_of(value)}
    return {}


def _argument_labels(fn: Callable[..., Any], n: int) -> list[str]:
    """Names of ``n`` positional arguments as the function calls them (``x``, ``args[2]``...)."""
    labels = [f"arg{i}" for i in range(n)]
    if type(fn) is FunctionType and "__signature__" not in fn.__dict__ and (
            "__wrapped__" not in fn.__dict__):
        # A plain function: its code object says what inspect.signature would (in ~1/20 the time).
        code = fn.__code__
        names = code.co_varnames
        positional_names = names[:code.co_argcount]
        star_name = (names[code.co_argcount + code.co_kwonlyargcount]
                     if code.co_flags & CO_VARARGS else None)
        for i in range(n):
            if i < len(positional_names):
                labels[i] = positional_names[i]
            elif star_name is not None:
                labels[i] = f"{star_name}[{i - len(positional_names)}]"
        return labels
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # no signature (some builtins): generic labels
        return labels
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    star = next((p for p in params if p.kind is p.VAR_POSITIONAL), None)
    for i in range(n):
        if i < len(positional):
            labels[i] = positional[i].name
        elif star is not None:
            labels[i] = f"{star.name}[{i - len(positional)}]"
    return labels


def _name_of(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _freeze(value: Any, label: str, outputs: list[PlanOutput]) -> Any:
    """The return value with abstract arrays replaced by their specs (recorded in ``outputs``)."""
    if isinstance(value, AbstractArray):
        frozen = ArraySpec(value.shape, value.dtype, bound=value.bound, tags=dict(value.tags))
        outputs.append(PlanOutput(label, new_node_id(), tuple(value._fs_src or ()), frozen))
        return frozen
    if type(value) is list:
        return [_freeze(v, f"{label}[{i}]", outputs) for i, v in enumerate(value)]
    if type(value) is dict:
        return {k: _freeze(v, f"{label}[{k!r}]", outputs) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [_freeze(v, f"{label}[{i}]", outputs) for i, v in enumerate(value)]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


# -- the plan ----------------------------------------------------------------------------------


class Plan:
    """The result of :func:`plan`: costs, output shapes and the cost graph of one function.

    Attributes
    ----------
    flops:
        Weighted FLOPs a run would charge (analytical × multiplier × weight,
        rounded per call as a budget rounds them).
    analytical_flops:
        Unweighted FLOPs.
    outputs:
        The function's return value, each array replaced by an
        :class:`~flopscope.exec.shapes.ArraySpec` (shape, dtype, ``bound``).
        Specs can be passed to another :func:`plan` as inputs.
    calls:
        Number of counted calls.
    bound:
        True if some size was data-dependent and planned at its upper bound;
        the totals are then upper bounds.
    flop_multiplier:
        The multiplier the plan was made with.
    trace:
        The underlying :class:`~flopscope.trace.Trace`.
    """

    def __init__(self, planner: Planner, outputs: Any, output_nodes: list[PlanOutput],
                 name: str) -> None:
        self._planner = planner
        self.trace: Trace = planner.trace
        self.flops: int = planner.flops
        self.analytical_flops: int = planner.analytical_flops
        self.flop_multiplier: float = planner.multiplier
        self.outputs = outputs
        self.output_nodes = tuple(output_nodes)
        self.name = name

    # -- figures ----------------------------------------------------------------------
    @property
    def calls(self) -> int:
        return len(self.trace)

    @property
    def bound(self) -> bool:
        return self._planner.bound or any(o.spec.bound for o in self.output_nodes)

    @property
    def op_log(self) -> list[OpRecord]:
        """One :class:`~flopscope.trace.OpRecord` per counted call (up to the detail cap)."""
        return self.trace.records()

    def fits(self, budget: int | float) -> bool:
        """Whether a run charged against a fresh ``budget`` would complete."""
        return self.flops <= parse_flop_count(budget, "budget")

    def first_overrun(self, budget: int | float) -> OpRecord | None:
        """The call at which a run with ``budget`` would raise ``BudgetExhaustedError``.

        ``None`` if the plan fits. The record's ``cumulative`` is the total
        the run would reach with that call, ``call_site`` the user's line.
        """
        return self._planner.first_overrun(parse_flop_count(budget, "budget"))

    # -- summaries ----------------------------------------------------------------------
    def summary_dict(self, budget: int | float | None = None) -> dict[str, Any]:
        """The plan's figures, by operation, namespace and call site.

        Keys as a budget's ``summary_dict(by_namespace=True)`` (``flop_budget``
        is ``budget`` or ``None``; no timing keys), plus ``by_call_site``
        (``"file:line"`` -> ``function``, ``flop_cost``, ``analytical_cost``,
        ``calls`` and its ``operations``), ``outputs``, ``bound``,
        ``flop_multiplier``, ``folded_calls``, and with a budget ``fits`` and
        ``first_overrun``.
        """
        limit = None if budget is None else parse_flop_count(budget, "budget")
        data = summary_dict(
            self.trace.aggregates(), flop_budget=limit, flops_used=self.flops, timings=None,
            by_namespace=True,
            extra={"flop_multiplier": self.flop_multiplier, "folded_calls": self.trace.folded_calls},
        )
        data["by_call_site"] = self._by_call_site()
        data["outputs"] = [
            {"name": o.label, "shape": o.spec.shape, "dtype": str(o.spec.dtype), "bound": o.spec.bound}
            for o in self.output_nodes
        ]
        data["bound"] = self.bound
        if limit is not None:
            overrun = self._planner.first_overrun(limit)
            data["fits"] = overrun is None
            data["first_overrun"] = None if overrun is None else {
                "op_name": overrun.op_name,
                "call_site": str(overrun.call_site) if overrun.call_site else None,
                "flop_cost": overrun.flop_cost,
                "cumulative": overrun.cumulative,
            }
        return data

    def _by_call_site(self) -> dict[str, dict[str, Any]]:
        from flopscope.trace.html import sites_summary

        return sites_summary(self.trace.site_aggregates())

    def summary(self, budget: int | float | None = None, sites: int = 10) -> SummaryText:
        """Human-readable summary, in the style of the budget summary.

        With ``budget``, says whether the plan fits and where a run would stop.
        ``sites`` limits the call-site table to the most expensive lines.
        """
        data = self.summary_dict(budget)
        namespaces = data["by_namespace"]
        if set(namespaces) == {ROOT_NAMESPACE}:
            data = {k: v for k, v in data.items() if k != "by_namespace"}
        lines = format_summary(data, title=f"flopscope Plan Summary: {self.name}").split("\n")
        head = lines.index("")  # the figures end at the first blank line
        notes = _verdict_lines(data)
        if self.bound:
            notes.append("Upper bound:  some sizes are data-dependent and planned at their "
                         "maximum; totals are upper bounds")
        lines[head:head] = notes
        lines += ["", "By call site:"]
        lines += _site_lines(data["by_call_site"], self.flops, sites)
        lines += ["", "Outputs:"]
        lines += [f"  {o['name']}  {o['shape']} {o['dtype']}" + ("  (upper bound)" if o["bound"] else "")
                  for o in data["outputs"]] or ["  (no arrays returned)"]
        return SummaryText("\n".join(lines))

    # -- graphs ------------------------------------------------------------------------------
    def graph_for(self, budget: int | float | None = None) -> Any:
        """:attr:`graph`, with the node where a run with ``budget`` would stop marked ``overrun``."""
        graph = self.trace.to_networkx()
        graph.graph.update(name=self.name, flops=self.flops, analytical_flops=self.analytical_flops)
        for out in self.output_nodes:
            graph.add_node(
                out.node_id, kind="output", op="output", label=out.label,
                output_shape=out.spec.shape, output_dtype=str(out.spec.dtype),
                analytical_flops=0, flops=0, tags={"bound": True} if out.spec.bound else {},
            )
            for src in out.sources:
                if src in graph:
                    graph.add_edge(src, out.node_id)
        if budget is not None:
            overrun = self.first_overrun(budget)
            if overrun is not None and overrun.node_id in graph:
                graph.nodes[overrun.node_id]["overrun"] = True
        return graph

    @property
    def graph(self) -> Any:
        """The cost graph as a :class:`networkx.DiGraph` (a new copy on each access).

        Source nodes are the inputs (``kind="input"``, ``label``), sinks the
        returned arrays (``kind="output"``); every counted call is a node
        (``kind="op"``) with ``op``, ``shapes``, ``dtypes``, ``params``,
        ``analytical_flops``, ``flops``, ``cumulative``, ``namespace``,
        ``call_site``, ``output_shape``, ``output_dtype`` and ``tags``
        (``bound``, symmetry). Edges follow data flow, through free
        operations (reshapes, indexing) which are not nodes themselves.
        """
        return self.graph_for(None)

    def format_graph(self) -> str:
        """The graph as text, one line per call (see :func:`flopscope.trace.dot.format_graph`)."""
        from flopscope.trace.dot import format_graph

        return format_graph(self.graph)

    def to_dot(self, group: str | None = "auto", budget: int | float | None = None,
               title: str | None = None, **options: Any) -> str:
        """DOT text of the graph (see :func:`flopscope.trace.dot.graph_to_dot`).

        ``group="site"`` draws one node per line of code (loops stay
        readable); ``budget`` marks the node at which a run would be refused.
        """
        from flopscope.trace.dot import graph_to_dot

        return graph_to_dot(self.graph_for(budget), title or self._title(budget), group=group,
                            sites=self.trace.site_aggregates(), **options)

    def save(self, path: str | os.PathLike[str], group: str | None = "auto",
             budget: int | float | None = None, title: str | None = None, *,
             engine: str = "auto", **options: Any) -> Any:
        """Write the diagram or a report; the suffix chooses the format.

        * ``.svg``: the diagram, drawn by Graphviz when its ``dot`` program is
          installed and by flopscope's own renderer otherwise;
          ``engine="graphviz"`` / ``"builtin"`` chooses explicitly;
        * ``.html``: a self-contained report (:meth:`to_html`): the summary,
          tables by operation, namespace and call site, the first overrun
          for ``budget``, and the diagram; it opens offline;
        * ``.dot`` / ``.gv``: DOT text;
        * ``.png`` / ``.pdf``: rendered by Graphviz only
          (:class:`~flopscope.errors.GraphvizNotFoundError` without it).

        ``group`` is ``"auto"`` (every call up to
        :data:`~flopscope.trace.dot.AUTO_GROUP_LIMIT` calls, grouped above),
        ``None``, ``"site"`` or ``"namespace"``; ``budget`` marks the node at
        which a run would be refused. Returns the path written.
        """
        from pathlib import Path

        from flopscope.trace.dot import save_graph

        if Path(path).suffix.lower() == ".html":
            target = Path(path)
            target.write_text(self.to_html(budget, title=title, group=group, engine=engine),
                              encoding="utf-8")
            return target
        return save_graph(self.graph_for(budget), path, title or self._title(budget), group=group,
                          sites=self.trace.site_aggregates(), engine=engine, **options)

    # -- rich display ----------------------------------------------------------------------
    def to_html(self, budget: int | float | None = None, *, full: bool = True,
                title: str | None = None, group: str | None = "auto",
                engine: str = "auto") -> str:
        """The plan as HTML: summary, verdict for ``budget``, tables, and the diagram inline.

        ``full=True`` gives a complete self-contained page (what
        ``save("x.html")`` writes: every table row, no network assets);
        ``full=False`` a fragment as shown in a notebook.
        """
        from flopscope.trace.html import document, summary_html

        data = self.summary_dict(budget)
        alert = ok = site = None
        overrun = data.get("first_overrun")
        if overrun is not None:
            from flopscope.trace.dot import relative_site

            where = f" at {relative_site(overrun['call_site'])}" if overrun["call_site"] else ""
            alert = (f"Over budget: a run would be refused at {overrun['op_name']}{where} "
                     f"(that call costs {overrun['flop_cost']:,}; cumulative "
                     f"{overrun['cumulative']:,} of {data['flop_budget']:,})")
            site = overrun["call_site"].partition(" in ")[0] if overrun["call_site"] else None
        elif budget is not None:
            ok = f"Fits: {self.flops:,} of {data['flop_budget']:,} FLOPs"
        heading = title or self._title(budget)
        fragment = summary_html(
            data, title=heading, graph=self.graph_for(budget),
            sites=self.trace.site_aggregates(), alert=alert, ok=ok,
            overrun_op=overrun["op_name"] if overrun else None, overrun_site=site,
            limit=None if full else 15, group=group, engine=engine if full else "builtin",
            diagram_title=heading,
        )
        return document(heading, fragment) if full else fragment

    def _repr_html_(self) -> str:
        return self.to_html(full=False)

    def __rich__(self) -> Any:
        from flopscope.trace.html import summary_rich

        return summary_rich(self.summary_dict(), title=repr(self)[1:-1])

    def _title(self, budget: int | float | None) -> str:
        title = f"plan of {self.name}"
        if budget is not None:
            limit = parse_flop_count(budget, "budget")
            title += f" · budget {limit:,}: " + ("fits" if self.flops <= limit else "over budget")
        return title

    def __repr__(self) -> str:
        shapes = ", ".join(f"{o.spec.shape} {o.spec.dtype}" for o in self.output_nodes[:3])
        more = ", ..." if len(self.output_nodes) > 3 else ""
        bound = " (upper bound)" if self.bound else ""
        return (f"<Plan of {self.name}: {self.flops:,} FLOPs{bound} in {self.calls:,} call{'s' if self.calls != 1 else ''}; "
                f"outputs [{shapes}{more}]>")


def _verdict_lines(data: dict[str, Any]) -> list[str]:
    if data.get("flop_budget") is None:
        return []
    overrun = data.get("first_overrun")
    if overrun is None:
        return ["Fits:         yes"]
    where = f" at {overrun['call_site']}" if overrun["call_site"] else ""
    return [f"Fits:         no; a run would be refused at {overrun['op_name']}{where} "
            f"(cumulative {overrun['cumulative']:,})"]


def _site_lines(sites: dict[str, dict[str, Any]], total: int, limit: int) -> list[str]:
    if not sites:
        return ["  (no counted operations)"]
    shown = list(sites.items())[:limit]
    width = max(len(_short_site(k, e)) for k, e in shown)
    cost_width = max(len(f"{e['flop_cost']:,}") for _, e in shown)
    lines = []
    for key, entry in shown:
        pct = f"{100.0 * entry['flop_cost'] / total:5.1f}%" if total else "  n/a"
        n = entry["calls"]
        ops = ", ".join(entry["operations"])
        lines.append(f"  {_short_site(key, entry):<{width}}  {entry['flop_cost']:>{cost_width},}  "
                     f"({pct})  [{n} call{'s' if n != 1 else ''}]  {ops}")
    if len(sites) > limit:
        lines.append(f"  ... {len(sites) - limit} more call sites")
    return lines


def _short_site(key: str, entry: dict[str, Any]) -> str:
    path, sep, line = key.rpartition(":")
    name = os.path.basename(path) + sep + line if sep else key
    return f"{name} in {entry['function']}" if entry.get("function") else name
