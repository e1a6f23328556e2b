"""Progress display for the long run: a ``rich`` bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Protocol

__all__ = ["Progress", "make_progress", "SilentProgress"]


class Progress(Protocol):
    """Receives one ``advance`` per measured (op, repeat)."""

    def start(self, total: int) -> None: ...

    def advance(self, label: str) -> None: ...

    def note(self, message: str) -> None: ...

    def stop(self) -> None: ...


class SilentProgress:
    """Shows nothing (``--quiet``, tests)."""

    def start(self, total: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def stop(self) -> None:
        pass


class _LineProgress:
    """A line every 5% (for logs and non-terminal output)."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.started = 0.0
        self._next_report = 0.0

    def start(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()
        self._next_report = 0.05

    def advance(self, label: str) -> None:
        self.done += 1
        fraction = self.done / max(self.total, 1)
        if fraction >= self._next_report or self.done == self.total:
            elapsed = time.monotonic() - self.started
            left = elapsed / fraction - elapsed if fraction else 0.0
            print(f"  {self.done}/{self.total} ({fraction:.0%}) {elapsed:.0f}s elapsed, "
                  f"~{left:.0f}s left  [{label}]", file=sys.stderr, flush=True)
            self._next_report = fraction + 0.05

    def note(self, message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        pass


class _RichProgress:
    """A live ``rich`` progress bar with elapsed and remaining time."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichBar

        self._bar = RichBar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
        self._task = None

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("measuring", total=total)

    def advance(self, label: str) -> None:
        self._bar.update(self._task, advance=1, description=f"{label:<40.40}")

    def note(self, message: str) -> None:
        self._bar.console.print(message)

    def stop(self) -> None:
        self._bar.stop()


def make_progress(quiet: bool = False) -> Progress:
    """The progress display suited to where output goes."""
    if quiet:
        return SilentProgress()
    if sys.stderr.isatty():
        try:
            return _RichProgress()
        except ImportError:
            pass
    return _LineProgress()
