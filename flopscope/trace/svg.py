"""Cost diagrams as SVG, drawn by flopscope itself: no Graphviz needed.

The drawing has the same content as the DOT export (:mod:`flopscope.trace.dot`):
the same label lines on every node (operation, shapes, FLOPs and share, call
site...), the same fill colour, font size and border width by share of the
total, the same red border on a refused or overrunning call, dashed borders on
upper bounds, ellipses for inputs and double ellipses for outputs, edge counts
on grouped graphs, and the same heading. The layout is
:func:`flopscope.trace.layout.layered_layout`.

The SVG is plain XML a test (or a tool) can read back: each node is a
``<g class="node" id="n3" data-kind="op">`` holding a ``<title>`` (the
tooltip: full call site and dtypes) and one ``<tspan>`` per label line; each
edge is a ``<g class="edge" data-source="n0" data-target="n3">``.
"""

from __future__ import annotations

from typing import Any, Iterable
from xml.sax.saxutils import escape

from flopscope.trace.dot import (
    _ALERT,
    _INPUT_FILL,
    _OUTPUT_FILL,
    _share_style,
    _tooltip,
    heading_lines,
    node_lines,
    prepare,
    total_flops,
)
from flopscope.trace.layout import layered_layout

__all__ = ["graph_to_svg"]

_FONT_FAMILY = "Helvetica, Arial, sans-serif"
# Average advance of a character in Helvetica, as a fraction of the font size: boxes are sized
# from it, so a long label gets a wide box without measuring fonts.
_CHAR_WIDTH = 0.58
_LINE_HEIGHT = 1.25
_PAD_X, _PAD_Y = 10.0, 7.0
_IO_FONT = 11.0
_HEADING_FONT = 14.0
_EDGE_COLOR = "#555555"


def _text_width(line: str, font: float) -> float:
    return len(line) * font * _CHAR_WIDTH


def _node_style(data: dict[str, Any], total: int) -> dict[str, Any]:
    """Fill, stroke and font of a node, as :mod:`flopscope.trace.dot` styles it."""
    kind = data.get("kind")
    if kind in ("input", "output"):
        return {"fill": _OUTPUT_FILL if kind == "output" else _INPUT_FILL, "stroke": "#333333",
                "stroke_width": 1.0, "font": _IO_FONT, "font_color": "black", "dashed": False,
                "shape": "ellipse", "double": kind == "output"}
    style = _share_style(data.get("flops", 0) / total if total else 0.0)
    alert = bool(data.get("refused") or data.get("overrun"))
    return {
        "fill": style["fillcolor"], "font_color": style["fontcolor"],
        "font": float(style["fontsize"]),
        "stroke": _ALERT if alert else "#333333",
        "stroke_width": 4.0 if alert else float(style["penwidth"]),
        "dashed": bool((data.get("tags") or {}).get("bound")),
        "shape": "box", "double": False,
    }


def _box_size(lines: list[str], style: dict[str, Any]) -> tuple[float, float]:
    font = style["font"]
    # the first line of an op box is bold-ish in size; the rest share its font size
    width = max((_text_width(line, font) for line in lines), default=0.0) + 2 * _PAD_X
    height = len(lines) * font * _LINE_HEIGHT + 2 * _PAD_Y
    if style["shape"] == "ellipse":  # an ellipse needs room around its text's corners
        width, height = width * 1.3, height + 10.0
    return width, height


def _path(points: tuple[tuple[float, float], ...], kind: str) -> str:
    """SVG path data: vertical S-curves between layer points, straight runs up the side."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0:.1f},{y0:.1f}"]
    if kind == "self":
        (x1, y1), (x2, y2) = rest
        parts.append(f"C{x1:.1f},{y0 - 14:.1f} {x1:.1f},{y2 + 14:.1f} {x2:.1f},{y2:.1f}")
        return " ".join(parts)
    if kind in ("back", "long"):
        parts.extend(f"L{x:.1f},{y:.1f}" for x, y in rest)
        return " ".join(parts)
    px, py = x0, y0
    for x, y in rest:
        mid = (py + y) / 2
        parts.append(f"C{px:.1f},{mid:.1f} {x:.1f},{mid:.1f} {x:.1f},{y:.1f}")
        px, py = x, y
    return " ".join(parts)


def graph_to_svg(
    graph: Any,
    title: str | None = None,
    *,
    group: str | None = "auto",
    sites: Iterable[Any] | None = None,
    rankdir: str = "TB",
) -> str:
    """An SVG drawing of a cost graph, laid out and drawn without Graphviz.

    Arguments as :func:`flopscope.trace.dot.graph_to_dot`; the built-in
    layout draws top to bottom only (``rankdir="TB"``).
    """
    if rankdir != "TB":
        raise ValueError(f"the built-in SVG renderer draws top to bottom only (rankdir='TB'), "
                         f"got rankdir={rankdir!r}; use engine='graphviz' for other directions")
    graph = prepare(graph, group, sites)
    total = total_flops(graph)
    heading = heading_lines(graph, title)
    ids = {node: f"n{number}" for number, node in enumerate(graph.nodes)}
    lines = {}
    styles = {}
    sizes = {}
    for node, data in graph.nodes(data=True):
        lines[node] = node_lines(data, total)
        styles[node] = _node_style(data, total)
        sizes[node] = _box_size(lines[node], styles[node])
    head_height = len(heading) * _HEADING_FONT * _LINE_HEIGHT + 16.0
    layout = layered_layout(graph, sizes)
    heading_width = max((_text_width(line, _HEADING_FONT) for line in heading), default=0) + 40
    width = max(layout.width, heading_width)
    height = layout.height + head_height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flopscope-diagram" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.1f} {height:.1f}" '
        f'font-family="{_FONT_FAMILY}">',
        f"<title>{escape(heading[0])}</title>",
        '<defs><marker id="fs-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{_EDGE_COLOR}"/></marker></defs>',
        f'<rect class="background" width="100%" height="100%" fill="white"/>',
        f'<g class="heading" font-size="{_HEADING_FONT}">',
    ]
    for number, line in enumerate(heading):
        y = 20 + number * _HEADING_FONT * _LINE_HEIGHT
        weight = ' font-weight="bold"' if number == 0 and title else ""
        out.append(f'<text x="{width / 2:.1f}" y="{y:.1f}" text-anchor="middle"{weight}>'
                   f"{escape(line)}</text>")
    out.append("</g>")
    out.append(f'<g class="graph" transform="translate(0,{head_height:.1f})">')
    for route in layout.edges:
        count = graph.edges[route.source, route.target].get("count", 1)
        out.append(f'<g class="edge" data-source="{ids[route.source]}" '
                   f'data-target="{ids[route.target]}" data-kind="{route.kind}">')
        out.append(f'<path d="{_path(route.points, route.kind)}" fill="none" '
                   f'stroke="{_EDGE_COLOR}" stroke-width="1.2" marker-end="url(#fs-arrow)"/>')
        if count > 1:
            lx, ly = route.points[len(route.points) // 2]
            if route.kind == "forward" and len(route.points) == 2:
                lx, ly = (route.points[0][0] + route.points[1][0]) / 2, (
                    route.points[0][1] + route.points[1][1]) / 2
            out.append(f'<text class="count" x="{lx + 4:.1f}" y="{ly:.1f}" font-size="9" '
                       f'fill="{_EDGE_COLOR}">×{count:,}</text>')
        out.append("</g>")
    for node, data in graph.nodes(data=True):
        box, style = layout.nodes[node], styles[node]
        kind = data.get("kind", "op")
        classes = "node" + (" alert" if data.get("refused") or data.get("overrun") else "")
        out.append(f'<g class="{classes}" id="{ids[node]}" data-kind="{kind}">')
        out.append(f"<title>{escape(_tooltip(data).replace(chr(92) * 2, chr(92)))}</title>")
        dash = ' stroke-dasharray="6,3"' if style["dashed"] else ""
        paint = (f'fill="{style["fill"]}" stroke="{style["stroke"]}" '
                 f'stroke-width="{style["stroke_width"]:.2f}"{dash}')
        if style["shape"] == "ellipse":
            out.append(f'<ellipse cx="{box.x:.1f}" cy="{box.y:.1f}" rx="{box.width / 2:.1f}" '
                       f'ry="{box.height / 2:.1f}" {paint}/>')
            if style["double"]:
                out.append(f'<ellipse cx="{box.x:.1f}" cy="{box.y:.1f}" '
                           f'rx="{box.width / 2 - 4:.1f}" ry="{box.height / 2 - 4:.1f}" '
                           f'fill="none" stroke="{style["stroke"]}" stroke-width="1"/>')
        else:
            out.append(f'<rect x="{box.x - box.width / 2:.1f}" y="{box.y - box.height / 2:.1f}" '
                       f'width="{box.width:.1f}" height="{box.height:.1f}" rx="6" {paint}/>')
        font = style["font"]
        first = box.y - box.height / 2 + (box.height - len(lines[node]) * font * _LINE_HEIGHT) / 2
        out.append(f'<text x="{box.x:.1f}" y="{first + font:.1f}" text-anchor="middle" '
                   f'font-size="{font:.1f}" fill="{style["font_color"]}">')
        for number, line in enumerate(lines[node]):
            dy = "0" if number == 0 else f"{font * _LINE_HEIGHT:.1f}"
            out.append(f'<tspan x="{box.x:.1f}" dy="{dy}">{escape(line)}</tspan>')
        out.append("</text></g>")
    out.append("</g></svg>")
    return "\n".join(out) + "\n"

