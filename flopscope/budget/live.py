"""``flops.budget_live()``: a live terminal view of the budgets being spent.

A :class:`rich.live.Live` display refreshed a few times per second, showing
every explicit :class:`~flopscope.BudgetContext` open in the process: its
namespace, FLOPs used against budget as a bar, and its three most expensive
operations. It reads counters only; it never blocks or slows counted calls.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from flopscope.budget import session

__all__ = ["budget_live", "render_budgets"]


def render_budgets() -> Any:
    """A rich renderable of the open explicit contexts (used by :func:`budget_live`)."""
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    table = Table(title="flopscope budgets", expand=False)
    table.add_column("context")
    table.add_column("used", justify="right")
    table.add_column("budget", justify="right")
    table.add_column("", min_width=24)
    table.add_column("top operations")
    contexts = [c for c in session.open_contexts() if c._explicit]
    if not contexts:
        table.add_row("(no explicit BudgetContext open)", "", "", "", "")
    for ctx in contexts:
        ops = ctx.summary_dict()["operations"]
        top = ", ".join(f"{name} {entry['flop_cost']:,}" for name, entry in list(ops.items())[:3])
        table.add_row(
            ctx.namespace or "(unnamed)",
            f"{ctx.flops_used:,}",
            f"{ctx.flop_budget:,}",
            ProgressBar(total=ctx.flop_budget, completed=min(ctx.flops_used, ctx.flop_budget), width=24),
            top,
        )
    return table


class _Renderable:
    def __rich__(self) -> Any:
        return render_budgets()


@contextmanager
def budget_live(refresh_per_second: float = 4.0, console: Any = None) -> Iterator[Any]:
    """Show a live-updating table of open budgets while the block runs.

    ``console`` is a :class:`rich.console.Console` (default: stderr-aware
    standard console). Yields the :class:`rich.live.Live` object.
    """
    from rich.live import Live

    with Live(_Renderable(), refresh_per_second=refresh_per_second, console=console,
              transient=False) as live:
        yield live
