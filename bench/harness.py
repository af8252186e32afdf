"""Small helpers every benchmark shares: repeated timing, medians, a table printer."""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.table import Table

from stockade.node.ingest import LineResult
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings

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


def proc_mib(pid: int | str = "self", field: str = "VmRSS") -> float:
    """A memory line of ``/proc/<pid>/status`` in MiB: ``VmRSS`` (resident now) or ``VmHWM`` (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(f"/proc/{pid}/status has no {field}")


def peak_rss_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory since it started its program (``VmHWM``). Not ``getrusage``'s
    ``ru_maxrss``: Linux carries that over ``exec``, so a process spawned by a runner that had grown
    (``make bench`` runs every benchmark in one) reported the runner's peak, not its own."""
    return proc_mib(pid, "VmHWM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WorkloadError(RuntimeError):
    """A benchmark did other work than its workload says: its rate would measure the wrong thing."""


@dataclass
class Work:
    """What a benchmark did, printed beside its rate: lines accepted, rejected and duplicate.

    ``expect`` fails loudly when the counts are not what the workload expects (a rate of
    rejected lines measures the error path, not ingest)."""

    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, results: Iterable[LineResult]) -> None:
        for r in results:
            if r.status == "rejected":
                self.rejected += 1
                self.reasons[f"{r.field}: {r.reason}"[:160]] += 1
            elif r.status == "duplicate":
                self.duplicate += 1
            else:
                self.accepted += 1

    def add_answer(self, answer: dict[str, Any]) -> None:
        """Counts from a ``POST /v1/events`` answer."""
        self.accepted += int(answer["accepted"])
        self.duplicate += int(answer["duplicate"])
        self.add(LineResult(r["line"], r["status"], field=r.get("field"), reason=r.get("reason"))
                 for r in answer["results"] if r["status"] == "rejected")

    def expect(self, what: str, *, accepted: int, rejected: int = 0, duplicate: int = 0) -> Work:
        if (self.accepted, self.rejected, self.duplicate) != (accepted, rejected, duplicate):
            top = "; ".join(f"{n:,}× {why}" for why, n in self.reasons.most_common(3))
            raise WorkloadError(f"{what}: accepted {self.accepted:,}, rejected {self.rejected:,}, duplicate "
                                f"{self.duplicate:,}; the workload expects {accepted:,} / {rejected:,} / "
                                f"{duplicate:,}" + (f" (rejected: {top})" if top else ""))
        return self

    def note(self) -> str:
        return f"accepted {self.accepted:,}, rejected {self.rejected:,}" + (
            f", duplicate {self.duplicate:,}" if self.duplicate else "")


ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"


def demo_data_dir(data: Path, scopes: tuple[str, ...], label: str = "bench") -> str:
    """A data directory with the demo site and one key of ``scopes``; returns the key's token."""
    (data / "sites").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
    node = Node.open(Settings(data_dir=data))
    try:
        token, record = new_key(scopes, label=label)
        node.store.put_key(record)
    finally:
        node.stop()
    return token


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """A real ``stockade serve`` process on a free loopback port; yields its base URL."""
    with served_process(data_dir) as (url, _pid):
        yield url


@contextmanager
def served_process(data_dir: Path) -> Iterator[tuple[str, int]]:
    """:func:`served`, with the server's pid (for its memory)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "stockade", "serve", "--data-dir", str(data_dir),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("stockade serve did not start")
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
