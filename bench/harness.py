"""Small helpers every benchmark shares: repeated timing, medians, a table printer."""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.console import Console
from rich.table import Table

console = Console()
T = TypeVar("T")


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


def in_fresh_process(fn: Callable[..., T], *args: object) -> T:
    """Run ``fn(*args)`` in a new interpreter, so its peak memory is its own (fn: a module-level
    function of the bench package)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(fn, args)


def peak_rss_mib() -> float:
    """This process's peak resident memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
