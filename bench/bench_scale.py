"""Cost as the work grows (issue 11 item 6): one site grown step by step through the node, and at
each size the cost of the next events, the queries and the memory.

    python -m bench scale                                      # 100,000 and 1,000,000 events
    STOCKADE_BENCH_SCALE=100000,1000000,5000000 python -m bench scale
    python -m bench.bench_scale --sizes 100000,1000000,5000000 --markdown --explain

The site (``bench-q``: 20 doors, 2,000 people, 200,000 EPCs read at 30 dock readers) gets
:func:`bench.bench_query.event`'s week of door, access and tag events, posted in batches of 1,000
to the node's ingest (``Principal.operator()``) with the engine in its worker process, which also
writes the entity index: the node ``stockade serve`` runs (SQLite ``FULL``). At each size, once
the worker has caught up:

* ingest µs/event over the step's events (from the previous size; none of it cumulative), and over
  the step's last ``WINDOW`` events (the cost at that size);
* the bare baseline over the same events, on a plain table grown to the same size in the same run
  (msgspec decode + one ``executemany`` per batch + a WAL ``FULL`` commit): what this machine
  does at this size without Stockade, so a change of the machine's speed is not read as growth;
* the worker's CPU µs/event over the step (decode, entity index, every detector; /proc/<pid>/stat);
* entity-index µs/event: ``index_entities`` of the next ``PROBE`` events, batches of 1,000, into
  a copy of the index at that size (SQLite's backup API: the node's files are not touched), its CPU
  split into building the rows and the SQL; and the same with a page cache that holds the index, so the
  SQL's growth is seen to be reads of B-tree pages, or not;
* p50 / p99 of every kind of :func:`bench.bench_query.queries` on the node's store;
* the node's and the worker's resident memory (VmRSS, and VmHWM: its peak) and what was accepted
  and rejected (the workload expects every line accepted).

``--markdown`` (or ``STOCKADE_BENCH_SCALE_MD=1``) also prints the README's table; ``--explain``
(``STOCKADE_BENCH_SCALE_EXPLAIN=1``) a profile of ingest, the query plans and the B-tree pages at
each size (:mod:`bench.scale_explain`).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from bench import scale_explain as ex
from bench.bench_query import DOORS, PEOPLE, SITE, event, queries
from bench.harness import Work, peak_rss_mib, percentile, proc_mib
from bench.scale_table import markdown, print_step
from stockade.events import Envelope, Event
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store import sql as _sql
from stockade.store.sqlite import SqliteStore

BATCH = 1000
WINDOW = 50_000
PROBE = 20_000
READERS = 30
DEFAULT_SIZES = (100_000, 1_000_000)
T = TypeVar("T")
_entity_rows = getattr(_sql, "entity_rows", None)  # the index's row builder, timed apart when there is one


def site_file(data: Path) -> None:
    """The ``bench-q`` site: the doors, readers and people :func:`bench.bench_query.event` names, all
    on a shift that covers the day, readers at a dock (reads there before a receipt are normal) that
    report more often than their heartbeat period at any size the tests use."""
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    site = {
        "site": SITE, "name": "Scale benchmark site", "timezone": "UTC", "devices": {"heartbeat_s": 3600},
        "zones": [{"id": "yard", "kind": "yard", "public": True}, {"id": "storage", "kind": "storage"},
                  {"id": "dock", "kind": "dock"}],
        "doors": [{"id": f"D{k}", "zones": ["yard", "storage"]} for k in range(DOORS)],
        "readers": [{"id": f"R{k}", "zone": "dock"} for k in range(READERS)],
        "roles": {"staff": {"zones": ["storage", "dock"]}},
        "shifts": {"all-day": {"days": every_day, "start": "00:00", "end": "24:00"}},
        "people": [{"id": f"emp-{p}", "kind": "employee", "role": "staff", "shift": "all-day",
                    "credentials": [f"badge:emp-{p}"]} for p in range(PEOPLE)],
    }
    (data / "sites").mkdir(parents=True, exist_ok=True)
    (data / "sites" / f"{SITE}.yaml").write_text(yaml.safe_dump(site, sort_keys=False), encoding="utf-8")


def batches(first: int, last: int, total: int) -> Iterator[list[Envelope]]:
    """Events ``first … last`` (1-based) of a log that will reach ``total``, ``BATCH`` at a time."""
    for start in range(first, last + 1, BATCH):
        yield [event(i, total) for i in range(start, min(last, start + BATCH - 1) + 1)]


def worker_pid(node: Node) -> int | None:
    """The engine worker's pid when the engine runs in a process (``stockade serve``)."""
    process = getattr(node.engine, "_process", None)
    return None if process is None else int(process.pid)


Timed = tuple[float, float, int]
"""One batch: wall seconds, CPU seconds of the thread that did it, events."""


def timed(work: Callable[[], T], n: int) -> tuple[T, Timed]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = work()
    return result, (time.perf_counter() - wall, time.thread_time() - cpu, n)


def per_event(batches_: Sequence[Timed], last: int | None = None) -> tuple[float, float]:
    """Wall and CPU µs/event over the batches, or their last ``last`` events (whole batches). The CPU is
    the thread's own: on a shared machine the wall time also holds the waits for a core and the disk."""
    k = len(batches_) if last is None else max(1, -(-last // BATCH))
    chosen = batches_[-k:]
    n = sum(b[2] for b in chosen)
    return sum(b[0] for b in chosen) / n * 1e6, sum(b[1] for b in chosen) / n * 1e6


class Baseline:
    """The bare baseline, grown beside the node: ``bench_ingest.bench_baseline``'s table and its
    msgspec + ``executemany``, one WAL ``FULL`` commit per batch of ``BATCH``."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE events (site TEXT, seq INTEGER, id TEXT, kind TEXT, entry BLOB)")
        self.decoder = msgspec.json.Decoder(Event)
        self.seq = 0

    def insert(self, lines: list[bytes]) -> None:
        rows = []
        for line in lines:
            self.seq += 1
            ev = self.decoder.decode(line)
            rows.append((ev.site, self.seq, ev.id, ev.kind, line))
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO events VALUES (?,?,?,?,?)", rows)
        self.conn.execute("COMMIT")


@dataclass
class Step:
    """What one step did and cost."""

    size: int
    work: Work = field(default_factory=Work)
    ingest: list[Timed] = field(default_factory=list)
    baseline: list[Timed] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def grow(node: Node, base: Baseline, step: Step, first: int, total: int, pid: int | None,
         profile: ex.BatchProfile | None = None) -> None:
    """Ingest events ``first … step.size`` through the node, then the same lines into the baseline;
    wait for the worker to catch up. With ``profile``, the ``PROFILED`` batches before the last
    ``WINDOW`` events are profiled (and left out of the step's timings)."""
    node_cpu, worker_cpu = ex.cpu_seconds("self"), ex.cpu_seconds(pid) if pid else 0.0
    window: deque[list[bytes]] = deque(maxlen=max(1, WINDOW // BATCH))  # the step's last lines
    n_batches = -(-(step.size - first + 1) // BATCH)
    profiled = range(n_batches - WINDOW // BATCH - ex.PROFILED, n_batches - WINDOW // BATCH) if profile else range(0)
    started = time.perf_counter()
    lag = depth = 0
    for b, events in enumerate(batches(first, step.size, total)):
        if b % 10 == 0:  # how far the worker is behind: what the node holds for it meanwhile
            lag = max(lag, node.store.last_seq(SITE) - node.engine.applied(SITE))
            depth = max(depth, node.bus.depth())
        lines = [msgspec.json.encode(e) for e in events]
        ingest = functools.partial(node.ingestor.ingest_lines, lines, Principal.operator())
        if profile is not None and b in profiled and b >= 0:
            profile.events += len(lines)
            report = profile.profile.runcall(ingest)
        else:
            report, cost = timed(ingest, len(lines))
            step.ingest.append(cost)
        step.work.add(report.results)
        window.append(lines)
    ingested = time.perf_counter() - started
    if not node.wait_for_engine(SITE, timeout=7200):
        raise RuntimeError(f"the engine did not catch up at {step.size:,} events")
    caught_up = time.perf_counter() - started
    n = step.size - first + 1
    step.work.expect(f"scale, events {first:,}…{step.size:,}", accepted=n)
    step.figures |= {
        "ingest_s": ingested, "caught_up_s": caught_up, "max_lag": lag, "max_bus_depth": depth,
        "node_cpu_us": (ex.cpu_seconds("self") - node_cpu) / n * 1e6,
        "worker_cpu_us": (ex.cpu_seconds(pid) - worker_cpu) / n * 1e6 if pid else None,
    }
    untimed = n - sum(len(b) for b in window)
    for events in batches(first, first + untimed - 1, total):  # the baseline grown untimed up to the window
        base.insert([msgspec.json.encode(e) for e in events])
    for lines in window:
        step.baseline.append(timed(functools.partial(base.insert, lines), len(lines))[1])


def copy_index(data: Path, scratch: Path) -> None:
    """A consistent copy of the node's entity index (every database file but the log's), with
    SQLite's backup API: the node's files are only read."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for db in sorted(data.glob("*.db")):
        if db.name == "stockade.db":
            continue
        source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        copy = sqlite3.connect(scratch / db.name)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()


def _index_batches(store: SqliteStore, first_seq: int, first: int, n: int, total: int) -> tuple[Timed, float]:
    """``index_entities`` of ``n`` events, batches of ``BATCH``: its cost, and the CPU seconds of
    building the rows alone."""
    rows_s = wall = cpu = 0.0
    seq = first_seq
    for events in batches(first, first + n - 1, total):
        numbered = list(zip(range(seq + 1, seq + 1 + len(events)), events, strict=True))
        seq += len(events)
        if _entity_rows is not None:
            t = time.thread_time()
            _entity_rows(SITE, numbered)
            rows_s += time.thread_time() - t
        _, (w, c, _n) = timed(functools.partial(store.index_entities, SITE, numbered), len(events))
        wall, cpu = wall + w, cpu + c
    return (wall, cpu, n), rows_s


def _warm(store: SqliteStore, cache_mib: int) -> None:
    """Give the store's connection a page cache of ``cache_mib``; read every B-tree of the index into it."""
    conn: sqlite3.Connection = store._conn  # the bench looks inside
    conn.execute(f"PRAGMA idx.cache_size=-{cache_mib * 1024}")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the WAL then counts the pages each commit writes
    for table, index in conn.execute("SELECT tbl_name, name FROM idx.sqlite_master WHERE type IN ('table', "
                                     "'index') AND tbl_name NOT LIKE 'sqlite_%'").fetchall():
        conn.execute(f'SELECT count(*) FROM idx."{table}" INDEXED BY "{index}"' if index != table
                     else f'SELECT count(*) FROM idx."{table}"').fetchall()


def probe_index(node: Node, data: Path, scratch: Path, first: int, total: int, probe: int = PROBE,
                ) -> dict[str, Any]:
    """``index_entities`` of the next ``probe`` events (seq after the log's last) into a copy of the
    index at this size: µs/event, split into building the rows and the SQL; then of the ``probe``
    after them with every page of the index in SQLite's cache, counting the pages written."""
    copy_index(data, scratch)
    store = SqliteStore.open(scratch, synchronous="FULL")
    try:
        if store.indexed_seq(SITE) != node.store.indexed_seq(SITE):
            raise RuntimeError("the copy of the entity index is not the node's")
        last = node.store.last_seq(SITE)
        cost, rows_s = _index_batches(store, last, first, probe, total)
        out: dict[str, Any] = {"events": probe, "us": cost[0] / probe * 1e6, "cpu_us": cost[1] / probe * 1e6,
                               "rows_us": rows_s / probe * 1e6 if _entity_rows else None,
                               "sql_us": (cost[1] - rows_s) / probe * 1e6 if _entity_rows else None}
        try:
            _warm(store, 4096)
        except sqlite3.Error as e:  # another layout of the index: the cold figure stands alone
            out["warm_error"] = str(e)
        else:
            wal = scratch / "index.db-wal"
            before = wal.stat().st_size if wal.exists() else 0
            warm, _ = _index_batches(store, last + probe, first + probe, probe, total)
            after = wal.stat().st_size if wal.exists() else 0
            page = store._conn.execute("PRAGMA idx.page_size").fetchone()[0]
            out |= {"warm_us": warm[0] / probe * 1e6, "warm_cpu_us": warm[1] / probe * 1e6,
                    "pages_per_event": (after - before) / (page + 24) / probe}
    finally:
        store.close()
    out["index_mib"] = sum(p.stat().st_size for p in scratch.glob("*.db")) / 2**20
    shutil.rmtree(scratch)
    return out


def measure_queries(node: Node, n: int, total: int, samples: int) -> dict[str, dict[str, float]]:
    """Every kind of ``bench query``'s queries on the node's store: wall p50 / p99, CPU p50, rows."""
    out: dict[str, dict[str, float]] = {}
    for name, make in queries(random.Random(11), n, total).items():
        walls, cpus, rows = [], [], 0
        for _ in range(samples):
            answer, (wall, cpu, _n) = timed(functools.partial(node.store.query, make()), 1)
            rows += len(answer)
            walls.append(wall)
            cpus.append(cpu)
        out[name] = {"p50_ms": percentile(walls, 50) * 1e3, "p99_ms": percentile(walls, 99) * 1e3,
                     "cpu_p50_ms": percentile(cpus, 50) * 1e3, "rows": rows / samples}
    return out


def run(sizes: tuple[int, ...], samples: int = 300, probe: int = PROBE, explain: bool = False,
        ) -> list[dict[str, Any]]:
    total = sizes[-1]
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="stockade-bench-scale-") as d:
        data, tmp = Path(d) / "node", Path(d)
        site_file(data)
        node = Node.open(Settings(data_dir=data, engine="process"))
        base = Baseline(tmp / "baseline.db")
        try:
            node.start()
            pid = worker_pid(node)
            have = 0
            for size in sizes:
                step = Step(size)
                profile = ex.BatchProfile() if explain else None
                grow(node, base, step, have + 1, total, pid, profile)
                f = step.figures
                window = min(WINDOW, size - have)
                f |= {
                    "size": size, "events": size - have, "accepted": step.work.accepted,
                    "rejected": step.work.rejected, "duplicate": step.work.duplicate,
                    "log_entries": node.store.last_seq(SITE),
                    "alerts": int(node.metrics.outputs.labels(SITE, "alert")._value.get()),
                    "ingest_us": per_event(step.ingest)[0], "ingest_cpu_us": per_event(step.ingest)[1],
                    "ingest_window_us": per_event(step.ingest, window)[0],
                    "ingest_window_cpu_us": per_event(step.ingest, window)[1],
                    "baseline_window_us": per_event(step.baseline)[0],
                    "baseline_window_cpu_us": per_event(step.baseline)[1],
                    "node_rss_mib": proc_mib("self"), "node_hwm_mib": peak_rss_mib("self"),
                    "worker_rss_mib": proc_mib(pid) if pid else None,
                    "worker_hwm_mib": peak_rss_mib(pid) if pid else None,
                }
                if probe:
                    f["index"] = probe_index(node, data, tmp / "probe", size + 1, total, probe)
                f["queries"] = measure_queries(node, size, total, samples)
                if profile is not None:
                    f["explain"] = {"ingest_profile": profile.top(), "plans": ex.query_plans(node, size, total),
                                    "pages": ex.btree_pages(data)}
                have = size
                out.append(f)
                print_step(f)
                if profile is not None:
                    ex.print_explained(size, f["explain"]["ingest_profile"], f["explain"]["plans"],
                                    f["explain"]["pages"])
        finally:
            node.stop()
            base.conn.close()
    return out


def sizes_from(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_SIZES
    sizes = tuple(int(s.replace("_", "")) for s in text.split(",") if s.strip())
    if not sizes or any(b <= a for a, b in zip(sizes, sizes[1:], strict=False)) or sizes[0] <= 0:
        raise SystemExit(f"sizes must be positive and growing, not {text!r}")
    return sizes


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated, growing (default 100000,1000000)")
    parser.add_argument("--samples", type=int, default=300, help="samples of each query kind")
    parser.add_argument("--probe", type=int, default=PROBE, help="events of the entity-index probe (0: none)")
    parser.add_argument("--markdown", action="store_true", help="also print the README's table")
    parser.add_argument("--explain", action="store_true", help="profile ingest, print query plans and B-tree pages")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    return parser


def main(*argv: str, sizes: tuple[int, ...] | None = None, samples: int = 300, show_markdown: bool | None = None,
         probe: int = PROBE, explain: bool | None = None) -> dict[str, Any]:
    """``argv``: the command line's options (``python -m bench scale --sizes …``); without them, the
    keywords, then ``STOCKADE_BENCH_SCALE*`` (what ``make bench`` runs)."""
    if argv:
        args = parser().parse_args(list(argv))
        figures = main(sizes=sizes_from(args.sizes), samples=args.samples, show_markdown=args.markdown,
                       probe=args.probe, explain=args.explain)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, default=str), encoding="utf-8")
        return figures
    if sizes is None:  # `python -m bench`: in an interpreter of its own, so the node's memory is its own
        with tempfile.TemporaryDirectory(prefix="stockade-bench-scale-") as d:
            subprocess.run([sys.executable, "-m", "bench.bench_scale", "--sizes", os.environ.get(
                "STOCKADE_BENCH_SCALE") or ",".join(map(str, DEFAULT_SIZES)), "--samples", str(samples), "--probe",
                str(probe), "--json", f"{d}/figures.json"] + ["--markdown"] * bool(
                os.environ.get("STOCKADE_BENCH_SCALE_MD")) + ["--explain"] * bool(
                os.environ.get("STOCKADE_BENCH_SCALE_EXPLAIN")), check=True, cwd=Path(__file__).resolve().parent.parent)
            return dict(json.loads(Path(d, "figures.json").read_text(encoding="utf-8")))
    explain = explain if explain is not None else bool(os.environ.get("STOCKADE_BENCH_SCALE_EXPLAIN"))
    steps = run(sizes, samples, probe, explain)
    if show_markdown if show_markdown is not None else bool(os.environ.get("STOCKADE_BENCH_SCALE_MD")):
        print(markdown(steps))
    return {"sizes": list(sizes), "steps": steps}


if __name__ == "__main__":
    main(*sys.argv[1:])
