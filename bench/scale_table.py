"""The tables of ``bench scale`` (:mod:`bench.bench_scale`): one per size on the terminal, and the
README's Markdown table of a whole run (``--markdown``). Costs read "wall (CPU)": the CPU figure is
the working thread's own time, which the machine's other load does not lengthen.

    python -m bench.scale_table bench/results/scale.json     # the README's table of a recorded run
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_query import SITE
from bench.harness import print_table


def _mib(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _both(f: dict[str, Any], key: str) -> str:
    return f"{f[key + '_us']:.1f} ({f[key + '_cpu_us']:.1f})"


def _ratio(f: dict[str, Any]) -> str:
    return (f"{f['ingest_window_us'] / f['baseline_window_us']:.1f}× "
            f"({f['ingest_window_cpu_us'] / f['baseline_window_cpu_us']:.1f}×)")


def _index(i: dict[str, Any]) -> str:
    split = "" if i["rows_us"] is None else f"; CPU: rows {i['rows_us']:.1f} + SQL {i['sql_us']:.1f}"
    return f"{i['us']:.1f} ({i['cpu_us']:.1f}){split}"


def _warm(i: dict[str, Any]) -> str:
    if "warm_us" not in i:
        return f"— ({i.get('warm_error')})"
    return f"{i['warm_us']:.1f} ({i['warm_cpu_us']:.1f}); {i['pages_per_event']:.2f} pages"


def _worker(f: dict[str, Any]) -> str:
    return "—" if f["worker_cpu_us"] is None else f"{f['worker_cpu_us']:.1f}"


def _query(q: dict[str, float]) -> str:
    return f"{q['p50_ms']:.2f} / {q['p99_ms']:.2f} ({q['cpu_p50_ms']:.2f}); {q['rows']:.0f}"


def _rows(f: dict[str, Any]) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    """(measure, cell of a step) for every line of the tables."""
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("events in the step: accepted / rejected", lambda s: f"{s['accepted']:,} / {s['rejected']:,}"),
        ("log entries (inputs and the engine's outputs) / alerts", lambda s: f"{s['log_entries']:,} / {s['alerts']:,}"),
        ("ingest µs/event over the step", lambda s: _both(s, "ingest")),
        ("ingest µs/event, the step's last 50,000", lambda s: _both(s, "ingest_window")),
        ("bare baseline µs/event, the same events, its table grown to the same size",
         lambda s: _both(s, "baseline_window")),
        ("ingest / baseline", _ratio),
        ("node process CPU µs/event over the step (every thread)", lambda s: f"{s['node_cpu_us']:.1f}"),
        ("worker process CPU µs/event over the step (decode, entity index, detectors)", _worker),
        ("the worker's largest lag in the step: log entries; batches waiting on the node's bus",
         lambda s: f"{s['max_lag']:,}; {s['max_bus_depth']:,}" if "max_lag" in s else "—"),
    ]
    if "index" in f:
        n = f["index"]["events"]
        rows += [
            (f"entity index µs/event, the next {n:,} events into a copy of the index", lambda s: _index(s["index"])),
            (f"the {n:,} after them, every index page in SQLite's cache; pages written per event",
             lambda s: _warm(s["index"])),
            ("entity index files, MiB", lambda s: f"{s['index']['index_mib']:,.0f}"),
        ]
    rows += [
        ("node RSS (peak), MiB", lambda s: f"{_mib(s['node_rss_mib'])} ({_mib(s['node_hwm_mib'])})"),
        ("worker RSS (peak), MiB", lambda s: f"{_mib(s['worker_rss_mib'])} ({_mib(s['worker_hwm_mib'])})"),
    ]
    for name in f["queries"]:
        rows.append((f"query p50 / p99 ms (CPU p50); rows: {name}", lambda s, name=name: _query(s["queries"][name])))
    return rows


def print_step(f: dict[str, Any]) -> None:
    """One size's table; the work it did first."""
    print_table(f"Scale: {SITE} at {f['size']:,} events; µs and ms are wall (CPU of the working thread)",
                [(name, cell(f), "") for name, cell in _rows(f)] + [
                    ("worker caught up", f"{f['caught_up_s']:.0f} s", f"ingest took {f['ingest_s']:.0f} s"),
                    ("work", f"accepted {f['accepted']:,}, rejected {f['rejected']:,}", "")])


def markdown(steps: list[dict[str, Any]]) -> str:
    """The README's table of a run: a column per size."""
    head = "| measure, wall (CPU) | " + " | ".join(f"{s['size']:,} events" for s in steps) + " |"
    lines = [head, "| --- |" + " --- |" * len(steps)]
    for name, cell in _rows(steps[-1]):
        lines.append(f"| {name} | " + " | ".join(cell(s) for s in steps) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["figures"]["steps"]))
