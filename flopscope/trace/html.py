"""Rich displays of costs: HTML for notebooks and reports, ``rich`` tables for terminals.

Everything here renders *data* (summary dicts in the documented layout, cost
graphs, aggregates): the objects that display themselves (``Plan``,
``BudgetContext``, ``BudgetExhaustedError``, ``TimeExhaustedError``) call
these functions with their own figures, so this module imports nothing above
the trace layer.

* :func:`summary_html` — a ``<div class="flopscope">``: an alert line (an
  overrun or refusal, highlighted), the totals, tables by operation,
  namespace and call site, outputs, and the diagram as inline SVG (drawn by
  :mod:`flopscope.trace.svg`, never needing Graphviz). Used by the
  ``_repr_html_`` methods.
* :func:`document` — a whole HTML page around fragments: one file, inline
  style, no scripts, no network assets. ``plan.save("x.html")`` and
  ``save_graph(graph, "x.html")`` write one.
* :func:`summary_rich` — the same tables as a ``rich`` renderable, for
  ``__rich__``.

The HTML is well-formed XML (every element closed, every text escaped), so it
can be read back with :mod:`xml.etree` as well as an HTML parser.
"""

from __future__ import annotations

from typing import Any, Iterable
from xml.sax.saxutils import escape

__all__ = [
    "summary_html",
    "summary_rich",
    "document",
    "sites_summary",
    "summary_from_graph",
    "graph_report",
    "inline_svg",
    "error_html",
    "error_rich",
    "context_html",
    "context_rich",
]

_STYLE = """
.flopscope { font-family: Helvetica, Arial, sans-serif; font-size: 13px; color: #222; }
.flopscope h2 { font-size: 16px; margin: 6px 0; }
.flopscope h3 { font-size: 14px; margin: 12px 0 4px 0; }
.flopscope table { border-collapse: collapse; margin: 4px 0 8px 0; }
.flopscope th, .flopscope td { border: 1px solid #ccc; padding: 2px 8px; }
.flopscope th { background: #f3f3f3; text-align: left; }
.flopscope td.num { text-align: right; font-variant-numeric: tabular-nums; }
.flopscope tr.fs-overrun td { background: #fde2e2; color: #8a0000; font-weight: bold; }
.flopscope .fs-alert { border-left: 5px solid #c40000; background: #fde2e2; padding: 6px 10px;
  margin: 6px 0; color: #8a0000; }
.flopscope .fs-ok { border-left: 5px solid #2e7d32; background: #e6f4e6; padding: 6px 10px;
  margin: 6px 0; }
.flopscope .fs-diagram { overflow: auto; max-height: 900px; border: 1px solid #ddd; }
.flopscope .fs-note { color: #666; }
"""

#: Rows shown per table in a notebook display (reports show everything).
DISPLAY_ROWS = 15


# -- data ------------------------------------------------------------------------------------


def _site_key(call_site: Any) -> tuple[str, str | None]:
    """``("file:line", function)`` from a CallSite or its ``"file:line in fn"`` string."""
    if call_site is None:
        return "<unknown>", None
    if hasattr(call_site, "filename"):
        return f"{call_site.filename}:{call_site.lineno}", call_site.function
    where, sep, function = str(call_site).partition(" in ")
    return where, (function if sep else None)


def _bump(entry: dict[str, Any], op: str, calls: int, weighted: int, analytical: int) -> None:
    entry["flop_cost"] += weighted
    entry["analytical_cost"] += analytical
    entry["calls"] += calls
    ops = entry["operations"].setdefault(op, {"flop_cost": 0, "analytical_cost": 0, "calls": 0})
    ops["flop_cost"] += weighted
    ops["analytical_cost"] += analytical
    ops["calls"] += calls


def _by_cost(table: dict[str, dict[str, Any]], key: str = "flop_cost") -> dict[str, dict[str, Any]]:
    return dict(sorted(table.items(), key=lambda kv: (-kv[1][key], kv[0])))


def sites_summary(aggregates: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Totals by line of code from per-site aggregates (``Trace.site_aggregates()``).

    ``"file:line"`` -> ``function``, ``flop_cost``, ``analytical_cost``,
    ``calls`` and ``operations`` (op -> the same three figures), most
    expensive first.
    """
    sites: dict[str, dict[str, Any]] = {}
    for agg in aggregates:
        key, function = _site_key(agg.call_site)
        entry = sites.setdefault(key, {"function": function, "flop_cost": 0,
                                       "analytical_cost": 0, "calls": 0, "operations": {}})
        _bump(entry, agg.op_name, agg.calls, agg.weighted, agg.analytical)
    return _by_cost(sites)


def summary_from_graph(graph: Any) -> dict[str, Any]:
    """A summary dict (``flops_used``, ``operations``, ``by_namespace``, ``by_call_site``...)
    computed from a cost graph's call nodes, for graphs without a budget or plan behind them.

    A refused node (``refused=True``) did not run and is not counted; it is
    reported as ``refused``.
    """
    operations: dict[str, dict[str, Any]] = {}
    namespaces: dict[str, dict[str, Any]] = {}
    sites: dict[str, dict[str, Any]] = {}
    used = analytical = calls = 0
    refused = None
    for _, data in graph.nodes(data=True):
        if data.get("kind") not in ("op", "group"):
            continue
        if data.get("refused") and data.get("kind") == "op":
            refused = data
            continue
        n, w, a = data.get("calls", 1), data.get("flops", 0), data.get("analytical_flops", 0)
        used, analytical, calls = used + w, analytical + a, calls + n
        op = str(data.get("op"))
        entry = operations.setdefault(op, {"flop_cost": 0, "analytical_cost": 0, "calls": 0})
        entry["flop_cost"] += w
        entry["analytical_cost"] += a
        entry["calls"] += n
        ns = namespaces.setdefault(data.get("namespace") or "<root>", {
            "flops_used": 0, "analytical_flops_used": 0, "calls": 0})
        ns["flops_used"] += w
        ns["analytical_flops_used"] += a
        ns["calls"] += n
        key, function = _site_key(data.get("call_site"))
        site = sites.setdefault(key, {"function": function, "flop_cost": 0,
                                      "analytical_cost": 0, "calls": 0, "operations": {}})
        _bump(site, op, n, w, a)
    return {
        "flop_budget": None, "flops_used": used, "flops_remaining": None,
        "analytical_flops_used": analytical, "calls": calls,
        "operations": _by_cost(operations),
        "by_namespace": _by_cost(namespaces, "flops_used"),
        "by_call_site": _by_cost(sites),
        "refused": refused,
    }


# -- HTML pieces -----------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def _table(caption: str, headers: list[str], rows: list[list[Any]], *, numeric: set[int],
           highlight: set[int] = frozenset(), more: int = 0, css: str = "") -> str:
    out = [f'<h3>{_e(caption)}</h3>', f'<table class="{css}">' if css else "<table>"]
    if headers:
        out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers)
                   + "</tr></thead>")
    out.append("<tbody>")
    for index, row in enumerate(rows):
        cls = ' class="fs-overrun"' if index in highlight else ""
        cells = "".join(f'<td class="num">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
                        for i, v in enumerate(row))
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    if more:
        out.append(f'<p class="fs-note">… {more:,} more rows (the saved report lists all)</p>')
    return "\n".join(out)


def _short_site(key: str, function: str | None) -> str:
    import os

    path, sep, line = key.rpartition(":")
    name = os.path.basename(path) + sep + line if sep else key
    return f"{name} in {function}" if function else name


def inline_svg(svg_text: str) -> str:
    """SVG text without its XML prolog / doctype, for embedding in HTML."""
    start = svg_text.find("<svg")
    return svg_text[start:] if start >= 0 else svg_text


def _totals_rows(data: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    budget, used = data.get("flop_budget"), data.get("flops_used", 0)
    if budget is not None:
        rows.append(["budget", f"{budget:,}"])
        rows.append(["used", f"{used:,} ({_pct(used, budget)})"])
        remaining = data.get("flops_remaining")
        if remaining is not None:
            rows.append(["remaining", f"{remaining:,}"] if remaining >= 0
                        else ["over budget by", f"{-remaining:,}"])
    else:
        rows.append(["FLOPs", f"{used:,}"])
    if data.get("analytical_flops_used", used) != used:
        rows.append(["analytical FLOPs", f"{data['analytical_flops_used']:,}"])
    rows.append(["counted calls", f"{data.get('calls', 0):,}"])
    if data.get("flop_multiplier", 1.0) != 1.0:
        rows.append(["flop_multiplier", f"{data['flop_multiplier']:g}"])
    if "wall_time_s" in data:
        rows.append(["wall time", f"{data['wall_time_s']:.4f} s"])
    if data.get("bound"):
        rows.append(["upper bound", "some sizes are data-dependent; totals are upper bounds"])
    return rows


def summary_html(
    data: dict[str, Any],
    *,
    title: str,
    graph: Any = None,
    sites: Iterable[Any] | None = None,
    alert: str | None = None,
    ok: str | None = None,
    overrun_op: str | None = None,
    overrun_site: str | None = None,
    limit: int | None = DISPLAY_ROWS,
    group: str | None = "auto",
    engine: str = "builtin",
    diagram_title: str | None = None,
) -> str:
    """An HTML fragment: title, alert, totals, tables, and the diagram of ``graph``.

    ``data`` is a summary dict (``operations`` and, when present,
    ``by_namespace``, ``by_call_site``, ``outputs``). ``overrun_op`` /
    ``overrun_site`` highlight those rows; ``limit`` caps each table's rows
    (``None``: all). ``group`` and ``engine`` are passed to the diagram.
    """
    total = data.get("flops_used", 0)
    parts = ['<div class="flopscope">', f"<style>{_STYLE}</style>", f"<h2>{_e(title)}</h2>"]
    if alert:
        parts.append(f'<div class="fs-alert">{_e(alert)}</div>')
    if ok:
        parts.append(f'<div class="fs-ok">{_e(ok)}</div>')
    parts.append(_table("Totals", [], _totals_rows(data), numeric={1}, css="fs-totals"))

    def cut(rows: list) -> tuple[list, int]:
        if limit is None or len(rows) <= limit:
            return rows, 0
        return rows[:limit], len(rows) - limit

    ops = data.get("operations") or {}
    rows = [[name, f"{v['calls']:,}", f"{v['flop_cost']:,}", f"{v['analytical_cost']:,}",
             _pct(v["flop_cost"], total)] for name, v in ops.items()]
    hot = {i for i, name in enumerate(ops) if name == overrun_op}
    rows, more = cut(rows)
    parts.append(_table("By operation", ["operation", "calls", "FLOPs", "analytical", "share"],
                        rows, numeric={1, 2, 3, 4}, highlight=hot, more=more, css="fs-ops"))
    namespaces = data.get("by_namespace") or {}
    if namespaces and set(namespaces) != {"<root>"}:
        rows = [[name, f"{v['calls']:,}", f"{v['flops_used']:,}", _pct(v["flops_used"], total)]
                for name, v in namespaces.items()]
        rows, more = cut(rows)
        parts.append(_table("By namespace", ["namespace", "calls", "FLOPs", "share"], rows,
                            numeric={1, 2, 3}, more=more, css="fs-namespaces"))
    by_site = data.get("by_call_site") or {}
    if by_site:
        rows = [[_short_site(key, v.get("function")), f"{v['calls']:,}", f"{v['flop_cost']:,}",
                 _pct(v["flop_cost"], total), ", ".join(v["operations"])]
                for key, v in by_site.items()]
        hot = {i for i, key in enumerate(by_site) if key == overrun_site}
        rows, more = cut(rows)
        parts.append(_table("By call site", ["line", "calls", "FLOPs", "share", "operations"],
                            rows, numeric={1, 2, 3}, highlight=hot, more=more, css="fs-sites"))
    outputs = data.get("outputs")
    if outputs:
        rows = [[o["name"], "×".join(map(str, o["shape"])) or "scalar", o["dtype"],
                 "yes" if o.get("bound") else ""] for o in outputs]
        parts.append(_table("Outputs", ["output", "shape", "dtype", "upper bound"], rows,
                            numeric=set(), css="fs-outputs"))
    if graph is not None:
        from flopscope.trace.dot import graph_svg

        svg = graph_svg(graph, diagram_title, engine=engine, group=group, sites=sites)
        parts.append("<h3>Diagram</h3>")
        parts.append(f'<div class="fs-diagram">{inline_svg(svg)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def document(title: str, *fragments: str) -> str:
    """A complete, self-contained HTML page holding ``fragments``."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
        f'<head><meta charset="utf-8"/><title>{_e(title)}</title></head>',
        "<body>", *fragments, "</body>", "</html>", ""])


def graph_report(graph: Any, title: str | None = None, *, engine: str = "auto",
                 **options: Any) -> str:
    """A self-contained HTML page for a bare cost graph: tables from its nodes, and the diagram.

    ``options`` are those of :func:`flopscope.trace.dot.graph_to_dot`.
    """
    data = summary_from_graph(graph)
    refused = data.pop("refused")
    overrun = next((d for _, d in graph.nodes(data=True) if d.get("overrun")), None)
    marked = refused or overrun
    alert = None
    if marked is not None:
        where = f" at {marked['call_site']}" if marked.get("call_site") else ""
        verb = "refused" if refused is not None else "where a run would be refused"
        alert = f"{marked.get('op')}{where}: {verb} ({marked.get('flops', 0):,} FLOPs)"
    heading = title or "flopscope cost graph"
    fragment = summary_html(
        data, title=heading, graph=graph, alert=alert, limit=None, engine=engine,
        overrun_op=marked.get("op") if marked is not None else None,
        overrun_site=_site_key(marked.get("call_site"))[0] if marked is not None else None,
        diagram_title=title, **options)
    return document(heading, fragment)


# -- objects that display themselves -----------------------------------------------------------


def context_html(ctx: Any) -> str:
    """``BudgetContext._repr_html_``: its summary, by call site, and its cost graph."""
    data = ctx.summary_dict(by_namespace=True)
    data["by_call_site"] = sites_summary(ctx.trace.site_aggregates())
    name = f" {ctx.namespace!r}" if ctx.namespace else ""
    kind = "BudgetContext" if not ctx.is_default else "default BudgetContext"
    return summary_html(data, title=f"{kind}{name}", graph=ctx.graph,
                        sites=ctx.trace.site_aggregates())


def _error_alert(err: Any) -> tuple[str, str | None, str | None]:
    record = getattr(err, "record", None)
    site = record.call_site if record is not None else None
    return str(err), getattr(err, "op_name", None), _site_key(site)[0] if site else None


def _error_graph(err: Any) -> Any:
    try:
        return err.graph
    except Exception:  # an error raised without a trace has nothing to draw
        return None


def _error_view(err: Any) -> tuple[str, str | None, str | None, Any, dict[str, Any]]:
    """What both displays of an error show: alert, op, site, graph and summary figures."""
    message, op, site = _error_alert(err)
    graph = _error_graph(err)
    data = summary_from_graph(graph) if graph is not None else {
        "flops_used": 0, "operations": {}, "calls": 0}
    data.pop("refused", None)
    if getattr(err, "flop_budget", None) is not None:
        data.update(flop_budget=err.flop_budget, flops_used=err.flops_used,
                    flops_remaining=err.flops_remaining)
    return message, op, site, graph, data


def error_html(err: Any) -> str:
    """``_repr_html_`` of a budget or time error: the message highlighted, the graph drawn."""
    message, op, site, graph, data = _error_view(err)
    title = type(err).__name__ + (f": {op}" if op else "")
    return summary_html(data, title=title, graph=graph, alert=message, overrun_op=op,
                        overrun_site=site,
                        diagram_title=f"overrun at {op}" if op else "what ran")


# -- rich (terminal) -------------------------------------------------------------------------


def summary_rich(data: dict[str, Any], *, title: str, alert: str | None = None,
                 ok: str | None = None, overrun_op: str | None = None,
                 overrun_site: str | None = None, limit: int | None = DISPLAY_ROWS) -> Any:
    """The tables of :func:`summary_html` as a ``rich`` renderable (no diagram)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    total = data.get("flops_used", 0)
    items: list[Any] = [Text(title, style="bold")]
    if alert:
        items.append(Text(alert, style="bold red"))
    if ok:
        items.append(Text(ok, style="green"))
    totals = Table(show_header=False, box=None, padding=(0, 2))
    totals.add_column(style="dim")
    totals.add_column(justify="right")
    for label, value in _totals_rows(data):
        totals.add_row(label, value)
    items.append(totals)

    def table(caption: str, headers: list[str], rows: list[list[str]], hot: set[int],
              numeric: set[int]) -> Any:
        t = Table(title=caption, title_justify="left", title_style="bold")
        for i, h in enumerate(headers):
            t.add_column(h, justify="right" if i in numeric else "left")
        shown = rows if limit is None else rows[:limit]
        for i, row in enumerate(shown):
            t.add_row(*row, style="bold red" if i in hot else None)
        if len(shown) < len(rows):
            t.caption = f"… {len(rows) - len(shown):,} more"
        return t

    ops = data.get("operations") or {}
    items.append(table("By operation", ["operation", "calls", "FLOPs", "share"],
                       [[n, f"{v['calls']:,}", f"{v['flop_cost']:,}", _pct(v["flop_cost"], total)]
                        for n, v in ops.items()],
                       {i for i, n in enumerate(ops) if n == overrun_op}, {1, 2, 3}))
    namespaces = data.get("by_namespace") or {}
    if namespaces and set(namespaces) != {"<root>"}:
        items.append(table("By namespace", ["namespace", "calls", "FLOPs", "share"],
                           [[n, f"{v['calls']:,}", f"{v['flops_used']:,}",
                             _pct(v["flops_used"], total)] for n, v in namespaces.items()],
                           set(), {1, 2, 3}))
    sites = data.get("by_call_site") or {}
    if sites:
        items.append(table("By call site", ["line", "calls", "FLOPs", "share", "operations"],
                           [[_short_site(k, v.get("function")), f"{v['calls']:,}",
                             f"{v['flop_cost']:,}", _pct(v["flop_cost"], total),
                             ", ".join(v["operations"])] for k, v in sites.items()],
                           {i for i, k in enumerate(sites) if k == overrun_site}, {1, 2, 3}))
    return Group(*items)


def context_rich(ctx: Any) -> Any:
    """``BudgetContext.__rich__``."""
    data = ctx.summary_dict(by_namespace=True)
    data["by_call_site"] = sites_summary(ctx.trace.site_aggregates())
    name = f" {ctx.namespace!r}" if ctx.namespace else ""
    return summary_rich(data, title=f"BudgetContext{name}")


def error_rich(err: Any) -> Any:
    """``__rich__`` of a budget or time error."""
    message, op, site, graph, data = _error_view(err)
    return summary_rich(data, title=type(err).__name__, alert=message, overrun_op=op,
                        overrun_site=site)
