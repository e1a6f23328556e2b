"""Drawing cost graphs: DOT text (via pydot), SVG (Graphviz or built in), PNG/PDF, text listings.

The input is the :class:`networkx.DiGraph` a trace builds
(:meth:`flopscope.trace.Trace.to_networkx`, ``plan.graph``, ``ctx.graph``,
``err.graph``): call nodes (``kind="op"``) carrying ``op``, ``shapes``,
``flops``, ``call_site``..., planned inputs (``kind="input"``) and plan
outputs (``kind="output"``).

How a diagram reads:

* **fill colour and size encode cost share.** A node's share of the graph's
  total FLOPs sets its fill (pale yellow for nothing, through orange, to dark
  red for everything), its font size and its border width, on a square-root
  scale so a node with 1% of the cost is still distinguishable from one with
  none. The expensive part of a diagram is the dark, large part.
* **red, thick border**: the call a budget refused (``err.to_dot()``), or,
  for a plan drawn against a budget, the call at which a run would be refused.
* **dashed border**: a data-dependent size planned at its upper bound.
* inputs and outputs are ellipses (outputs doubled); edges follow data flow.

``group="site"`` collapses every call made from the same line of code (same
operation and namespace) into one node labelled with its call count, so a
1000-iteration loop draws as its loop body. :func:`collapse_by_site` exposes
that graph; ``group="namespace"`` is coarser (:func:`collapse_by_namespace`).
The default, ``group="auto"``, draws every call of a graph up to
:data:`AUTO_GROUP_LIMIT` calls and groups larger ones (:func:`prepare`).

The label lines and colours defined here are shared by every renderer: DOT
(:func:`graph_to_dot`), the built-in SVG renderer (:mod:`flopscope.trace.svg`)
and the HTML displays (:mod:`flopscope.trace.html`). :func:`save_graph` picks
the format from the file suffix and, for SVG, Graphviz or the built-in
renderer (``engine``).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterable

from flopscope.errors import FlopscopeError, GraphvizNotFoundError

__all__ = [
    "graph_to_dot",
    "relative_site",
    "collapse_by_site",
    "collapse_by_namespace",
    "prepare",
    "graph_svg",
    "AUTO_GROUP_LIMIT",
    "format_graph",
    "render",
    "save_graph",
    "GraphvizNotFoundError",
    "RENDER_FORMATS",
]

#: Formats the Graphviz ``dot`` program renders (:func:`render`).
RENDER_FORMATS = ("svg", "png", "pdf")
_TEXT_SUFFIXES = (".dot", ".gv")
#: File suffixes :func:`save_graph` writes.
SAVE_SUFFIXES = (".dot", ".gv", ".svg", ".html", ".png", ".pdf")

# Fill colour ramp for cost share (on a square-root scale): anchor colours, interpolated.
_RAMP = ((0.0, (0xFF, 0xF8, 0xE1)), (0.35, (0xFD, 0xC9, 0x6B)), (0.65, (0xEE, 0x6A, 0x2C)),
         (1.0, (0x9E, 0x10, 0x18)))
_INPUT_FILL = "#E6EEF8"
_OUTPUT_FILL = "#E5F2E5"
_ALERT = "#C40000"
_FONT = "Helvetica"


# -- grouping ------------------------------------------------------------------------------


#: Above this many counted calls, ``group="auto"`` (the default) draws one node per call site,
#: and if that still leaves more nodes than this, one node per operation and namespace.
AUTO_GROUP_LIMIT = 200

GROUPINGS = (None, "auto", "site", "namespace")


def _site_key(data: dict[str, Any]) -> tuple:
    return (data.get("op"), data.get("call_site"), data.get("namespace"))


def _namespace_key(data: dict[str, Any]) -> tuple:
    return (data.get("op"), None, data.get("namespace"))


def collapse_by_site(graph: Any, sites: Iterable[Any] | None = None) -> Any:
    """``graph`` with all calls of one (operation, call site, namespace) merged into one node.

    Group nodes carry ``kind="group"``, ``op``, ``call_site``, ``namespace``,
    ``calls``, ``flops``, ``analytical_flops``, the ``shapes`` /
    ``output_shape`` of the group's calls when they all agree (else ``None``),
    and ``refused`` / ``overrun`` / ``bound`` if any member was. An edge
    carries ``count``, the number of data-flow edges it stands for; a loop
    that feeds a line's result back into the same line draws as a self-loop.
    Input and output nodes are kept as they are.

    ``sites`` (optional, :class:`~flopscope.trace.Aggregate` objects such as
    ``Trace.site_aggregates()``) supplies exact per-site totals, including
    calls folded past the detail cap that the graph itself does not hold.
    """
    return _collapse(graph, sites, _site_key, "site")


def collapse_by_namespace(graph: Any, sites: Iterable[Any] | None = None) -> Any:
    """``graph`` with all calls of one operation in one namespace merged, whatever their line.

    The coarser grouping for programs with too many call sites to draw one
    node each; nodes and edges as :func:`collapse_by_site` (``call_site`` is
    ``None``).
    """
    return _collapse(graph, sites, _namespace_key, "namespace")


def _collapse(graph: Any, sites: Iterable[Any] | None, key_of: Any, name: str) -> Any:
    import networkx as nx

    grouped = nx.DiGraph(**graph.graph)
    member_of: dict[Any, Any] = {}
    groups: dict[tuple, dict[str, Any]] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in ("op", "group"):
            grouped.add_node(node, **data)
            member_of[node] = node
            continue
        key = key_of(data)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "kind": "group", "op": key[0], "call_site": key[1],
                "namespace": key[2], "calls": 0, "flops": 0,
                "analytical_flops": 0, "shapes": data.get("shapes"),
                "output_shape": data.get("output_shape"),
                "output_dtype": data.get("output_dtype"), "params": data.get("params") or {},
                "refused": False, "overrun": False, "tags": {},
            }
        group["calls"] += data.get("calls", 1)
        group["flops"] += data.get("flops", 0)
        group["analytical_flops"] += data.get("analytical_flops", 0)
        for attr in ("shapes", "output_shape", "output_dtype", "params"):
            if group[attr] != (data.get(attr) or ({} if attr == "params" else None)):
                group[attr] = {} if attr == "params" else None
        group["refused"] = group["refused"] or bool(data.get("refused"))
        group["overrun"] = group["overrun"] or bool(data.get("overrun"))
        if (data.get("tags") or {}).get("bound"):
            group["tags"] = {"bound": True}
        member_of[node] = (name, *key)
    exact: dict[tuple, list[int]] = {}
    for aggregate in sites or ():
        site = str(aggregate.call_site) if aggregate.call_site is not None else None
        key = key_of({"op": aggregate.op_name, "call_site": site,
                      "namespace": aggregate.namespace})
        totals = exact.setdefault(key, [0, 0, 0])
        totals[0] += aggregate.calls
        totals[1] += aggregate.weighted
        totals[2] += aggregate.analytical
    for key, (calls, weighted, analytical) in exact.items():
        group = groups.get(key)
        if group is None:  # every call of this group was folded past the cap
            group = groups[key] = {
                "kind": "group", "op": key[0], "call_site": key[1], "namespace": key[2],
                "shapes": None, "output_shape": None, "output_dtype": None, "params": {},
                "refused": False, "overrun": False, "tags": {},
            }
        group.update(calls=calls, flops=weighted, analytical_flops=analytical)
    for key, group in groups.items():
        grouped.add_node((name, *key), **group)
    for u, v in graph.edges():
        gu, gv = member_of[u], member_of[v]
        if grouped.has_edge(gu, gv):
            grouped[gu][gv]["count"] += 1
        else:
            grouped.add_edge(gu, gv, count=1)
    grouped.graph["grouped_by"] = name
    return grouped


def call_count(graph: Any) -> int:
    """Counted calls a graph stands for: its call nodes (or group members) plus folded calls."""
    calls = sum(d.get("calls", 1) for _, d in graph.nodes(data=True)
                if d.get("kind") in ("op", "group"))
    return calls + (graph.graph.get("folded_calls", 0) if "grouped_by" not in graph.graph else 0)


def prepare(graph: Any, group: str | None = "auto", sites: Iterable[Any] | None = None) -> Any:
    """The graph a diagram draws: ``graph`` itself, or collapsed as ``group`` says.

    ``group``: ``None`` draws every call; ``"site"`` one node per call site
    (:func:`collapse_by_site`); ``"namespace"`` one node per operation and
    namespace (:func:`collapse_by_namespace`); ``"auto"`` draws every call up
    to :data:`AUTO_GROUP_LIMIT` calls, above it groups by site, and by
    namespace if there are still more nodes than the limit. The result's
    ``graph.graph["grouped_by"]`` says which grouping was applied.
    """
    if group not in GROUPINGS:
        raise ValueError(f"group must be one of None, 'auto', 'site', 'namespace', got {group!r}")
    sites = list(sites) if sites is not None else None
    if group == "site":
        return collapse_by_site(graph, sites)
    if group == "namespace":
        return collapse_by_namespace(graph, sites)
    if group is None or call_count(graph) <= AUTO_GROUP_LIMIT:
        return graph
    grouped = collapse_by_site(graph, sites)
    if sum(1 for _, d in grouped.nodes(data=True) if d.get("kind") == "group") > AUTO_GROUP_LIMIT:
        grouped = collapse_by_namespace(graph, sites)
    grouped.graph["auto_grouped"] = True
    return grouped


def heading_lines(graph: Any, title: str | None) -> list[str]:
    """The lines above a diagram: the title, the total, and how the graph was grouped."""
    cost_nodes = [d for _, d in graph.nodes(data=True) if d.get("kind") in ("op", "group")]
    refused = [d for d in cost_nodes if d.get("refused") and d.get("kind") == "op"]
    ran = [d for d in cost_nodes if not (d.get("refused") and d.get("kind") == "op")]
    total = sum(d.get("flops", 0) for d in ran)
    calls = sum(d.get("calls", 1) for d in ran)
    heading = [title] if title else []
    heading.append(f"{total:,} FLOPs in {calls:,} counted call{'s' if calls != 1 else ''}"
                   " · fill and size: share of the total")
    for node in refused:  # a refused call did not run: named apart from what did
        heading.append(f"then refused: {node.get('op')}, {node.get('flops', 0):,} FLOPs "
                       "(shares include it)")
    grouped_by = graph.graph.get("grouped_by")
    folded = graph.graph.get("folded_calls", 0)
    if grouped_by is None and folded:
        heading.append(f"{folded:,} later calls are past the detail cap and not drawn "
                       "(group='site' includes them)")
    if graph.graph.get("auto_grouped"):
        what = "call site" if grouped_by == "site" else "operation and namespace"
        heading.append(f"grouped by {what}: more than {AUTO_GROUP_LIMIT} calls (group=None draws "
                       "every call)")
    return heading


def total_flops(graph: Any) -> int:
    """Sum of the ``flops`` of a graph's call and group nodes."""
    return sum(d.get("flops", 0) for _, d in graph.nodes(data=True)
               if d.get("kind") in ("op", "group"))


# -- labels and styles -------------------------------------------------------------------------


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    shape = tuple(shape)
    return "scalar" if not shape else "×".join(str(d) for d in shape)


_SITE = re.compile(r"^(?P<path>.*):(?P<rest>\d+(?: in .*)?)$")


def _site_text(call_site: str | None) -> str:
    """``model.py:14 in forward`` from the full ``/path/to/model.py:14 in forward``."""
    if not call_site:
        return ""
    match = _SITE.match(call_site)
    return f"{os.path.basename(match['path'])}:{match['rest']}" if match else call_site


def _share_style(share: float) -> dict[str, str]:
    t = math.sqrt(max(0.0, min(1.0, share)))
    for (t0, c0), (t1, c1) in zip(_RAMP, _RAMP[1:]):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            rgb = tuple(round(a + (b - a) * f) for a, b in zip(c0, c1))
            break
    return {
        "fillcolor": "#%02X%02X%02X" % rgb,
        "fontcolor": "white" if t > 0.62 else "black",
        "fontsize": f"{10 + 10 * t:.1f}",
        "penwidth": f"{1 + 2 * t:.2f}",
    }


def _escape(text: str) -> str:
    """Text for a DOT label line: backslashes doubled (pydot quotes the rest)."""
    return text.replace("\\", "\\\\")


def _params_text(params: dict[str, Any]) -> str:
    shown = [f"{k}={v}" for k, v in params.items() if k not in ("subscripts", "args")][:3]
    args = params.get("args")
    if args:
        shown.insert(0, ", ".join(map(str, args)))
    return " ".join(shown)


def _op_lines(data: dict[str, Any], share: float) -> list[str]:
    params = data.get("params") or {}
    head = str(data.get("op"))
    if params.get("subscripts"):
        head += f" {params['subscripts']}"
    extra = _params_text(params)
    if extra:
        head += f" ({extra})"
    calls = data.get("calls")
    if data.get("kind") == "group" and calls is not None and calls != 1:
        head += f"  ×{calls:,}"
    lines = [head]
    shapes = data.get("shapes")
    out = data.get("output_shape")
    if shapes is not None or out is not None:
        ins = ", ".join(_shape_text(s) for s in shapes) if shapes is not None else "…"
        dtype = data.get("output_dtype")
        tail = f" {dtype}" if dtype and dtype != "float64" else ""
        lines.append(f"{ins} → {_shape_text(out)}{tail}".lstrip())
    elif data.get("kind") == "group":
        lines.append("shapes vary")
    cost = f"{data.get('flops', 0):,} FLOPs · {100 * share:.1f}%"
    analytical = data.get("analytical_flops", 0)
    if analytical != data.get("flops", 0):
        cost += f" (analytical {analytical:,})"
    lines.append(cost)
    if data.get("namespace"):
        lines.append(f"[{data['namespace']}]")
    site = _site_text(data.get("call_site"))
    if site:
        lines.append(site)
    tags = data.get("tags") or {}
    symmetry = tags.get("symmetry")
    if symmetry and symmetry != "none":
        saving = tags.get("symmetry_saving")
        lines.append(f"symmetric {symmetry}" + (f", saves {saving:,}" if saving else ""))
    if tags.get("bound"):
        lines.append("upper bound (data-dependent size)")
    if data.get("refused"):
        lines.insert(0, "REFUSED: over budget")
    elif data.get("overrun"):
        lines.insert(0, "a run would be refused here")
    return lines


def relative_site(call_site: str) -> str:
    """A call site with its path relative to the working directory, when it lies inside it."""
    match = _SITE.match(call_site)
    cwd = os.getcwd() + os.sep
    if match is None or not match["path"].startswith(cwd):
        return call_site
    return f"{match['path'][len(cwd):]}:{match['rest']}"


def _tooltip(data: dict[str, Any]) -> str:
    parts = [str(data.get("op", data.get("label", "")))]
    if data.get("call_site"):
        parts.append(relative_site(str(data["call_site"])))
    if data.get("dtypes"):
        parts.append("dtypes: " + ", ".join(str(d) for d in data["dtypes"]))
    return _escape(" | ".join(parts))


def _io_lines(data: dict[str, Any]) -> list[str]:
    label = [str(data.get("label", data.get("kind"))),
             f"{_shape_text(data.get('output_shape'))} {data.get('output_dtype') or ''}".strip()]
    if (data.get("tags") or {}).get("bound") or data.get("bound"):
        label.append("upper bound")
    return label


def node_lines(data: dict[str, Any], total: int) -> list[str]:
    """The label lines of a node, as every renderer draws them (``total``: the graph's FLOPs)."""
    if data.get("kind") in ("input", "output"):
        return _io_lines(data)
    return _op_lines(data, data.get("flops", 0) / total if total else 0.0)


def _io_attrs(data: dict[str, Any]) -> dict[str, str]:
    is_output = data.get("kind") == "output"
    label = _io_lines(data)
    attrs = {
        "label": "\\n".join(_escape(line) for line in label),
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": _OUTPUT_FILL if is_output else _INPUT_FILL,
    }
    if is_output:
        attrs["peripheries"] = "2"
    return attrs


def _op_attrs(data: dict[str, Any], total: int) -> dict[str, str]:
    share = data.get("flops", 0) / total if total else 0.0
    attrs = _share_style(share)
    style = ["rounded", "filled"]
    if (data.get("tags") or {}).get("bound"):
        style.append("dashed")
    if data.get("refused") or data.get("overrun"):
        attrs["color"] = _ALERT
        attrs["penwidth"] = "4"
        style.append("bold")
    attrs["style"] = ",".join(style)
    attrs["label"] = "\\n".join(_escape(line) for line in _op_lines(data, share))
    attrs["tooltip"] = _tooltip(data)
    return attrs


# -- DOT ---------------------------------------------------------------------------------------


def graph_to_dot(
    graph: Any,
    title: str | None = None,
    *,
    group: str | None = "auto",
    sites: Iterable[Any] | None = None,
    rankdir: str = "TB",
) -> str:
    """DOT text of a cost graph, built with pydot.

    Parameters
    ----------
    graph:
        A cost graph (``plan.graph``, ``ctx.graph``, ``err.graph``...).
    title:
        Heading drawn above the graph; a line with the total cost follows it.
    group:
        ``"auto"`` (default) draws every call up to :data:`AUTO_GROUP_LIMIT`
        calls and groups above it; ``None`` always draws every call;
        ``"site"`` draws one node per call site, ``"namespace"`` one per
        operation and namespace (see :func:`prepare`).
    sites:
        Exact per-site totals for grouped drawings (see :func:`collapse_by_site`).
    rankdir:
        Graphviz layout direction: ``"TB"`` (top to bottom) or ``"LR"``.
    """
    import pydot

    graph = prepare(graph, group, sites)
    total = total_flops(graph)
    heading = heading_lines(graph, title)
    dot = pydot.Dot("flopscope", graph_type="digraph")
    dot.set("rankdir", rankdir)
    dot.set("labelloc", "t")
    dot.set("fontname", _FONT)
    dot.set("label", "\\n".join(_escape(line) for line in heading))
    dot.set_node_defaults(fontname=_FONT, shape="box", margin="0.15,0.06")
    dot.set_edge_defaults(color="#555555", arrowsize="0.7", fontname=_FONT, fontsize="9")
    ids: dict[Any, str] = {}
    for number, (node, data) in enumerate(graph.nodes(data=True)):
        ids[node] = name = f"n{number}"
        if data.get("kind") in ("input", "output"):
            dot.add_node(pydot.Node(name, **_io_attrs(data)))
        else:
            dot.add_node(pydot.Node(name, **_op_attrs(data, total)))
    for u, v, data in graph.edges(data=True):
        attrs = {}
        count = data.get("count", 1)
        if count > 1:
            attrs["label"] = f"×{count:,}"
        dot.add_edge(pydot.Edge(ids[u], ids[v], **attrs))
    return dot.to_string()


# -- text listing ------------------------------------------------------------------------------


def format_graph(graph: Any) -> str:
    """A line per node, in call order, like a printed program.

    ``%3 = einsum[ij,j->i](%1, %x) : 256 float64  # 65,536 FLOPs  model.py:14 in f``
    """
    names: dict[Any, str] = {}
    lines: list[str] = []
    counter = 0
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "input":
            names[node] = f"%{data.get('label')}"
            lines.append(f"{names[node]} : input {_shape_text(data.get('output_shape'))} "
                         f"{data.get('output_dtype')}")
            continue
        if kind == "output":
            continue
        counter += 1
        names[node] = f"%{counter}"
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind in ("input", None):
            continue
        args = ", ".join(names.get(p, "?") for p in graph.predecessors(node))
        if kind == "output":
            lines.append(f"{data.get('label')} = {args}")
            continue
        params = data.get("params") or {}
        op = str(data.get("op"))
        if params.get("subscripts"):
            op += f"[{params['subscripts']}]"
        flag = "  REFUSED" if data.get("refused") else ""
        bound = "  (upper bound)" if (data.get("tags") or {}).get("bound") else ""
        times = f" ×{data['calls']:,}" if kind == "group" else ""
        lines.append(
            f"{names[node]} = {op}({args}){times} : {_shape_text(data.get('output_shape'))} "
            f"{data.get('output_dtype') or ''}  # {data.get('flops', 0):,} FLOPs"
            f"{bound}{flag}  {_site_text(data.get('call_site'))}".rstrip()
        )
    return "\n".join(lines)


# -- rendering ----------------------------------------------------------------------------------


def render(dot_text: str, fmt: str = "svg") -> bytes:
    """Render DOT text to ``fmt`` (``svg``, ``png``, ``pdf``) with the Graphviz ``dot`` program."""
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"cannot render {fmt!r}: supported formats are {', '.join(RENDER_FORMATS)}")
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFoundError(
            f"rendering {fmt.upper()} needs the Graphviz program 'dot', which is not on PATH. "
            "PNG and PDF are drawn by Graphviz only; .svg and .html need no Graphviz "
            "(engine='builtin'). "
            "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz; conda: conda install -c conda-forge graphviz), or save the diagram as "
            ".dot text and render it elsewhere."
        )
    done = subprocess.run([program, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                          check=False)
    if done.returncode != 0:
        raise FlopscopeError(
            f"Graphviz 'dot' failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
        )
    return done.stdout


ENGINES = ("auto", "graphviz", "builtin")


def graph_svg(graph: Any, title: str | None = None, *, engine: str = "auto", **options: Any) -> str:
    """SVG text of a cost graph, drawn by Graphviz or by flopscope's own renderer.

    ``engine="auto"`` uses Graphviz's ``dot`` when it is on ``PATH`` (its
    layout is tighter on large graphs) and :mod:`flopscope.trace.svg`
    otherwise; ``"graphviz"`` insists on Graphviz
    (:class:`GraphvizNotFoundError` without it); ``"builtin"`` never runs it.
    ``options`` are those of :func:`graph_to_dot`.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}")
    if engine == "builtin" or (engine == "auto" and shutil.which("dot") is None):
        from flopscope.trace.svg import graph_to_svg

        return graph_to_svg(graph, title, **options)
    return render(graph_to_dot(graph, title, **options), "svg").decode("utf-8")


def save_graph(graph: Any, path: str | os.PathLike[str], title: str | None = None,
               *, engine: str = "auto", **options: Any) -> Path:
    """Write a cost graph to ``path``; the suffix chooses the format.

    * ``.dot`` / ``.gv``: DOT text (pydot only);
    * ``.svg``: a diagram, drawn by Graphviz when installed and by flopscope's
      own renderer otherwise (``engine`` chooses explicitly, see :func:`graph_svg`);
    * ``.html``: a self-contained page with the cost tables and the diagram
      (:func:`flopscope.trace.html.graph_report`);
    * ``.png`` / ``.pdf``: rendered by Graphviz only (:class:`GraphvizNotFoundError`
      names it when it is missing).

    ``options`` are those of :func:`graph_to_dot`. Nothing is written if
    drawing fails. Returns the path written.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SAVE_SUFFIXES:
        raise ValueError(f"cannot save a diagram as {target.name!r}: use one of "
                         + ", ".join(SAVE_SUFFIXES))
    if suffix in _TEXT_SUFFIXES:
        target.write_text(graph_to_dot(graph, title, **options), encoding="utf-8")
    elif suffix == ".svg":
        target.write_text(graph_svg(graph, title, engine=engine, **options), encoding="utf-8")
    elif suffix == ".html":
        from flopscope.trace.html import graph_report

        target.write_text(graph_report(graph, title, engine=engine, **options),
                          encoding="utf-8")
    else:
        if engine == "builtin":
            raise ValueError(f"{suffix} is drawn by Graphviz only; the built-in renderer "
                             "writes .svg (and .html)")
        target.write_bytes(render(graph_to_dot(graph, title, **options), suffix.lstrip(".")))
    return target
