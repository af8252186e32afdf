"""Small helpers every benchmark shares: repeated timing, medians, a table printer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table

console = Console()


def median_rate(work: Callable[[], int], repeats: int = 5) -> tuple[float, list[float]]:
    """Run ``work`` (which returns how many items it did) ``repeats`` times; median items/s."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        n = work()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates), rates


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def print_table(title: str, rows: Sequence[tuple[str, str, str]]) -> None:
    table = Table("measure", "median", "note", title=title)
    for row in rows:
        table.add_row(*row)
    console.print(table)
