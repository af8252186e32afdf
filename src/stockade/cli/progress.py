"""Progress bars for the long commands (``ingest``, ``simulate``, ``analyze``, ``eval``, ``ledger verify``).

A bar goes to stderr, only when stderr is a terminal and the command was not given ``--quiet``;
stdout keeps exactly what the command prints without it, so its output still parses. Each bar
shows what was done, its rate, and (where a command refuses input) the count of refusals:

    with meter("ingest", total=size, unit="events") as m:    # total: bytes, entries, scenarios…
        for batch in batches:
            ...
            m.advance(batch_bytes, items=len(batch), rejected=report.rejected)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from stockade.cli.common import err


class _Work(ProgressColumn):
    """``1,234,567 events · 52,100/s · 12 rejected`` from the task's fields."""

    def render(self, task: Task) -> Text:
        items = int(task.fields.get("items", 0))
        unit = str(task.fields.get("unit", ""))
        elapsed = task.elapsed or 0.0
        rate = items / elapsed if elapsed > 0 else 0.0
        text = f"{items:,} {unit} · {rate:,.0f}/s"
        if task.fields.get("refuses"):
            text += f" · {int(task.fields.get('rejected', 0)):,} rejected"
        return Text(text)


class Meter:
    """One running bar; every call is a no-op when the bar is off."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task
        self.items = 0
        self.rejected = 0

    def advance(self, done: float = 0, *, items: int = 0, rejected: int = 0) -> None:
        """``done`` more of the total (bytes, entries…), ``items`` more things handled, ``rejected`` more refused."""
        self.items += items
        self.rejected += rejected
        self._progress.update(self._task, advance=done, items=self.items, rejected=self.rejected)

    def describe(self, what: str, total: float | None = None) -> None:
        """A new phase of the same command (e.g. ingest, then waiting for detection)."""
        self._progress.update(self._task, description=what, total=total)

    def set(self, completed: float) -> None:
        self._progress.update(self._task, completed=completed)


def shown(quiet: bool, console: Console = err) -> bool:
    """Whether a bar would be drawn: a terminal on stderr and no ``--quiet``."""
    return not quiet and console.is_terminal


@contextmanager
def meter(what: str, *, total: float | None = None, unit: str = "events", refuses: bool = False,
          quiet: bool = False, console: Console = err) -> Iterator[Meter]:
    """A bar for one command's work; ``total`` None draws a pulsing bar (how much is to come is unknown)."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                        _Work(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                        console=console, disable=not shown(quiet, console), refresh_per_second=4,
                        transient=False)
    with progress:
        task = progress.add_task(what, total=total, items=0, rejected=0, unit=unit, refuses=refuses)
        yield Meter(progress, task)
