"""Inline SVG plots for the HTML report (no plotting library, no network).

Two plots cover the report's needs: a strip plot (one column per category,
one dot per op, log-scaled weights) and a scatter plot (log or linear axes,
optional reference lines and a shaded band). Every dot carries a ``<title>``,
so hovering shows the op and its numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

__all__ = ["Scale", "PALETTE", "color_for", "strip_plot", "scatter_plot"]

#: Category colours (colour-blind-friendly hues first).
PALETTE: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f",
    "#8c564b", "#9467bd", "#bcbd22", "#17becf", "#1f77b4", "#aa3377",
)


def color_for(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Scale:
    """Maps data values in ``[lo, hi]`` to pixels in ``[start, end]``, linearly or in log10."""

    lo: float
    hi: float
    start: float
    end: float
    log: bool = True

    def _t(self, value: float) -> float:
        if self.log:
            value = max(value, self.lo)
            a, b, v = math.log10(self.lo), math.log10(self.hi), math.log10(value)
        else:
            a, b, v = self.lo, self.hi, value
        return 0.5 if b == a else (v - a) / (b - a)

    def __call__(self, value: float) -> float:
        return self.start + (self.end - self.start) * self._t(value)

    def ticks(self) -> list[tuple[float, str]]:
        if self.log:
            first, last = math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi))
            return [(10.0 ** e, _fmt(10.0 ** e)) for e in range(first, last + 1)
                    if self.lo <= 10.0 ** e <= self.hi]
        step = _nice_step((self.hi - self.lo) / 5)
        value = math.ceil(self.lo / step) * step
        found = []
        while value <= self.hi + 1e-12:
            found.append((value, _fmt(value)))
            value += step
        return found

    @classmethod
    def fitting(cls, values: Sequence[float], start: float, end: float, log: bool) -> "Scale":
        """A scale covering ``values`` (positive ones, when logarithmic) with some margin."""
        usable = [v for v in values if (v > 0 if log else math.isfinite(v))]
        if not usable:
            return cls(0.1, 10.0, start, end, log) if log else cls(0.0, 1.0, start, end, log)
        lo, hi = min(usable), max(usable)
        if log:
            lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))
            if lo == hi:
                lo, hi = lo / 10, hi * 10
            return cls(lo, hi, start, end, True)
        pad = (hi - lo) * 0.05 or 1.0
        return cls(min(0.0, lo - pad), hi + pad, start, end, False)


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{value:g}"


def _y_axis(scale: Scale, left: float, right: float, label: str) -> list[str]:
    parts = []
    for value, text in scale.ticks():
        y = scale(value)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">'
                     f'{text}</text>')
    mid = (scale.start + scale.end) / 2
    parts.append(f'<text x="14" y="{mid:.1f}" class="label" transform="rotate(-90 14 {mid:.1f})"'
                 f' text-anchor="middle">{escape(label)}</text>')
    return parts


def _x_axis(scale: Scale, top: float, bottom: float, label: str, width: float) -> list[str]:
    parts = []
    for value, text in scale.ticks():
        x = scale(value)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" class="tick" text-anchor="middle">'
                     f'{text}</text>')
    parts.append(f'<text x="{width / 2:.1f}" y="{bottom + 34}" class="label" '
                 f'text-anchor="middle">{escape(label)}</text>')
    return parts


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'class="plot" role="img" aria-label="{escape(title)}">' + "".join(body) + "</svg>")


def strip_plot(groups: Sequence[tuple[str, Sequence[tuple[str, float]], str]], y_label: str,
               width: float = 960, height: float = 420) -> str:
    """One column per ``(group, [(name, value)...], colour)``, log scale, group medians as bars.

    Values of 0 are drawn on the bottom edge as hollow dots (a log axis has no 0).
    """
    left, right, top, bottom = 64.0, width - 12, 16.0, height - 72
    values = [v for _, points, _ in groups for _, v in points]
    scale = Scale.fitting(values, bottom, top, log=True)
    body = _y_axis(scale, left, right, y_label)
    column = (right - left) / max(len(groups), 1)
    for index, (group, points, color) in enumerate(groups):
        center = left + column * (index + 0.5)
        ordered = sorted(points, key=lambda p: p[1])
        for rank, (name, value) in enumerate(ordered):
            jitter = ((rank * 0.618) % 1 - 0.5) * column * 0.6
            x = center + jitter
            hollow = value <= 0
            y = bottom if hollow else scale(value)
            fill = "none" if hollow else color
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{fill}" '
                        f'stroke="{color}" fill-opacity="0.75"><title>{escape(name)}: '
                        f'{value:.4g}</title></circle>')
        positive = sorted(v for _, v in points if v > 0)
        if positive:
            median = positive[len(positive) // 2]
            y = scale(median)
            body.append(f'<line x1="{center - column * 0.4:.1f}" x2="{center + column * 0.4:.1f}"'
                        f' y1="{y:.1f}" y2="{y:.1f}" class="median"><title>{escape(group)} '
                        f'median {median:.4g}</title></line>')
        body.append(f'<text x="{center:.1f}" y="{bottom + 14}" class="tick" text-anchor="end" '
                    f'transform="rotate(-35 {center:.1f} {bottom + 14})">{escape(group)} '
                    f'({len(points)})</text>')
    return _svg(width, height, body, f"{y_label} by category")


def scatter_plot(points: Sequence[tuple[str, float, float, str]], x_label: str, y_label: str,
                 x_log: bool = True, y_log: bool = True,
                 hlines: Sequence[tuple[float, str]] = (), diagonal: bool = False,
                 band: float | None = None, width: float = 960, height: float = 420) -> str:
    """``(name, x, y, colour)`` points; optional horizontal lines, ``y = x`` and a ±band."""
    left, right, top, bottom = 64.0, width - 16, 16.0, height - 52
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    if diagonal:
        xs = ys = xs + ys
    x_scale = Scale.fitting(xs, left, right, x_log)
    y_scale = Scale.fitting(ys + [v for v, _ in hlines], bottom, top, y_log)
    body = _y_axis(y_scale, left, right, y_label) + _x_axis(x_scale, top, bottom, x_label, width)
    if diagonal:
        lo, hi = x_scale.lo, x_scale.hi
        if band:
            steps = [lo * (hi / lo) ** (i / 20) for i in range(21)] if x_log else \
                [lo + (hi - lo) * i / 20 for i in range(21)]
            upper = [(x_scale(v), y_scale(v * (1 + band))) for v in steps]
            lower = [(x_scale(v), y_scale(v / (1 + band))) for v in reversed(steps)]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
            body.append(f'<polygon points="{path}" class="band"/>')
        body.append(f'<line x1="{x_scale(lo):.1f}" y1="{y_scale(lo):.1f}" x2="{x_scale(hi):.1f}"'
                    f' y2="{y_scale(hi):.1f}" class="diagonal"/>')
    for value, text in hlines:
        y = y_scale(value)
        body.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="target"/>')
        body.append(f'<text x="{right - 4}" y="{y - 4:.1f}" class="tick" text-anchor="end">'
                    f'{escape(text)}</text>')
    for name, x, y, color in points:
        if (x_log and x <= 0) or (y_log and y <= 0):
            continue
        body.append(f'<circle cx="{x_scale(x):.1f}" cy="{y_scale(y):.1f}" r="3.2" fill="{color}"'
                    f' fill-opacity="0.75"><title>{escape(name)}: {x:.4g}, {y:.4g}</title>'
                    f'</circle>')
    return _svg(width, height, body, f"{y_label} against {x_label}")
