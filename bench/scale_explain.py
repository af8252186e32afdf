"""Why ``bench scale``'s costs grow or stay flat (``--explain``): a profile of ingest batches at each
size, the plan SQLite runs for every query kind, and the pages of every B-tree of the store.

* :class:`BatchProfile`: cProfile over ``PROFILED`` ingest batches of the step (just before the
  window the step's figures are taken over, so they are not slowed by it): the functions with the
  most time of their own, in µs/event, C calls (SQLite's ``execute``, ``executemany``) included;
* :func:`query_plans`: each query kind's statements, caught with the connection's trace callback,
  and ``EXPLAIN QUERY PLAN`` of each;
* :func:`btree_pages`: pages of each table and index (SQLite's ``dbstat``), beside the page cache.

And the CPU a process used, from /proc: :func:`cpu_seconds` (its memory: :func:`bench.harness.proc_mib`).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench.bench_query import queries
from stockade.node.runtime import Node
from stockade.store.sqlite import SqliteStore

_TICKS = os.sysconf("SC_CLK_TCK")
PROFILED = 10
"""Ingest batches profiled at each size."""


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class BatchProfile:
    def __init__(self) -> None:
        self.profile = cProfile.Profile(time.thread_time)  # CPU: the shared machine lengthens wall time
        self.events = 0

    def top(self, n: int = 12) -> list[dict[str, Any]]:
        """The ``n`` functions with the most time of their own, per event."""
        if not self.events:
            return []
        stats = pstats.Stats(self.profile)
        rows = []
        for (file, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # pstats' table
            where = name if file == "~" else f"{Path(file).name}:{line} {name}"
            rows.append({"function": where, "calls_per_event": calls / self.events,
                         "own_us": tottime / self.events * 1e6, "cum_us": cumtime / self.events * 1e6})
        return sorted(rows, key=lambda r: -r["own_us"])[:n]


def query_plans(node: Node, n: int, total: int) -> dict[str, list[str]]:
    """Every query kind's statements and SQLite's plan of each (one sample of each kind)."""
    store = node.store
    if not isinstance(store, SqliteStore):
        return {}
    out: dict[str, list[str]] = {}
    with store._reading() as conn:  # the bench looks inside: this thread's queries run on this connection
        for name, make in queries(random.Random(11), n, total).items():
            caught: list[str] = []
            conn.set_trace_callback(caught.append)
            try:
                store.query(make())
            finally:
                conn.set_trace_callback(None)
            lines = []
            for sql in caught:
                if sql.lstrip().upper().startswith("SELECT"):
                    plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
                    lines.append(sql if len(sql) < 400 else sql[:400] + "…")
                    lines += [f"  {'  ' * (parent > 0)}{detail}" for _id, parent, _n, detail in plan]
            out[name] = lines
    return out


def btree_pages(data: Path) -> dict[str, dict[str, int]]:
    """Pages of every table and index of the store's database files (``dbstat``; empty without it)."""
    out: dict[str, dict[str, int]] = {}
    for db in sorted(data.glob("*.db")):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name, count(*) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
            cache = conn.execute("PRAGMA cache_size").fetchone()[0]
            out[db.name] = {str(name): int(pages) for name, pages in rows} | {"(page cache, pages)": (
                cache if cache > 0 else -cache * 1024 // conn.execute("PRAGMA page_size").fetchone()[0])}
        except sqlite3.Error:
            out[db.name] = {}
        finally:
            conn.close()
    return out


def print_explained(size: int, top: list[dict[str, Any]], plans: dict[str, list[str]],
                    pages: dict[str, dict[str, int]]) -> None:
    print(f"--- explain at {size:,} events: ingest profile of {PROFILED} batches "
          "(own µs/event, cumulative µs/event, calls/event)")
    for r in top:
        print(f"  {r['own_us']:8.2f} {r['cum_us']:8.2f} {r['calls_per_event']:7.2f}  {r['function']}")
    print(f"--- B-tree pages at {size:,} events")
    for db, counts in pages.items():
        print(f"  {db}: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    print(f"--- query plans at {size:,} events")
    for name, lines in plans.items():
        print(f"  {name}:")
        for line in lines:
            print(f"    {line}")
