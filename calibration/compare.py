"""Agreement between two runs: repeatability (same mode) or mode comparison.

Only ops *measured* in both runs are compared; zero-FLOP ops are 0.0 in every
run by construction and would flatter the agreement. For two runs in the same
mode the headline figure is the median over ops of ``|a - b| / mean(a, b)``
(the repeatability target is under 10%). Runs in different modes measure
different things (time versus instruction counts), so there Spearman's rank
correlation -- do they order the ops alike? -- is the figure to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from calibration.methodology import median_relative_difference

__all__ = ["Comparison", "compare_runs", "spearman", "format_comparison"]


@dataclass(frozen=True)
class Comparison:
    """How two rich documents' measured weights agree."""

    label_a: str
    label_b: str
    same_mode: bool
    median_relative_difference: float
    spearman: float
    rows: tuple[tuple[str, str, float, float, float], ...]  # name, category, a, b, rel. diff

    @property
    def count(self) -> int:
        return len(self.rows)


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation of two equally long sequences (ties get average ranks)."""
    if len(a) != len(b) or len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    mean = (len(a) + 1) / 2
    cov = sum((x - mean) * (y - mean) for x, y in zip(ra, rb))
    var_a = sum((x - mean) ** 2 for x in ra)
    var_b = sum((y - mean) ** 2 for y in rb)
    return cov / (var_a * var_b) ** 0.5 if var_a and var_b else float("nan")


def _measured(doc: Mapping[str, Any]) -> dict[str, float]:
    return {name: float(entry.get("measured", entry["weight"]))
            for name, entry in doc["ops"].items() if entry.get("status") == "measured"}


def _label(doc: Mapping[str, Any], name: str | None) -> str:
    meta = doc.get("meta", {})
    what = f"{meta.get('mode', '?')} mode, {meta.get('date', '?')}"
    return f"{name}: {what}" if name else what


def compare_runs(a: Mapping[str, Any], b: Mapping[str, Any],
                 names: tuple[str | None, str | None] = (None, None)) -> Comparison:
    """Compare two validated rich documents."""
    wa, wb = _measured(a), _measured(b)
    median, per_op = median_relative_difference(wa, wb)
    categories = {name: a["ops"][name]["category"] for name in per_op}
    rows = tuple(sorted(((name, categories[name], wa[name], wb[name], diff)
                         for name, diff in per_op.items()), key=lambda r: -r[4]))
    common = sorted(per_op)
    rho = spearman([wa[n] for n in common], [wb[n] for n in common])
    same_mode = a.get("meta", {}).get("mode") == b.get("meta", {}).get("mode")
    return Comparison(_label(a, names[0]), _label(b, names[1]), same_mode, median, rho, rows)


def format_comparison(comparison: Comparison, worst: int = 10) -> str:
    """Plain-text summary: the headline figures and the least consistent ops."""
    lines = [
        f"A = {comparison.label_a}",
        f"B = {comparison.label_b}",
        f"ops measured in both: {comparison.count}",
        f"median relative difference: {comparison.median_relative_difference:.1%}"
        + (" (repeatability target: under 10%)" if comparison.same_mode else
           " (different modes: compare the ranking, not the values)"),
        f"Spearman rank correlation: {comparison.spearman:.3f}",
        "largest differences:",
    ]
    for name, category, a, b, diff in comparison.rows[:worst]:
        lines.append(f"  {name:<36} {category:<16} A={a:<10.4g} B={b:<10.4g} {diff:.0%}")
    return "\n".join(lines)
