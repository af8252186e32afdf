"""Simulator: a 7-day run of the demo DC staffed to 200 people, written to /dev/null, in a fresh
process so its peak memory is its own (issue 4: ≥ 200,000 events/s written; fits in memory).

    python -m bench sim

Reports events per simulated day, events written per second (wall clock of the whole run, site
loading excluded) and the peak resident memory of the simulating process; median of three runs.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from bench.harness import in_fresh_process, peak_rss_mib, print_table
from stockade.node.tuning import tune_gc
from stockade.sim.run import FileSink, simulate
from stockade.sim.scenario import parse_scenario

ROOT = Path(__file__).resolve().parent.parent


def run_week(days: int, people: int, seed: int) -> tuple[int, float, float]:
    """(events, seconds, peak RSS MiB) of one simulation; runs in a fresh process, tuned as the
    ``stockade`` entry point tunes it."""
    tune_gc()
    doc = {"scenario": "bench", "site": str(ROOT / "examples/sites/dc-demo.yaml"),
           "start": "2026-11-23T00:00:00+01:00", "duration": f"{days}d", "seed": seed,
           "staffing": {"people": people}, "traffic": {"inbound_per_day": 14, "outbound_per_day": 18}}
    scenario = parse_scenario(yaml.safe_load(yaml.safe_dump(doc)), "bench")
    with open(os.devnull, "wb") as out:
        started = time.perf_counter()
        result = simulate(scenario, FileSink(out))
        took = time.perf_counter() - started
    return result.events, took, peak_rss_mib()


def main(days: int = 7, people: int = 200) -> dict[str, Any]:
    runs = [in_fresh_process(run_week, days, people, seed) for seed in (1, 2, 3)]
    rates = [events / took for events, took, _ in runs]
    events = statistics.median(e for e, _, _ in runs)
    rate = statistics.median(rates)
    peak = max(p for _, _, p in runs)
    print_table(f"Simulator: {days} days, {people} people, demo DC (median of 3 seeds, fresh processes)", [
        ("events written", f"{rate:,.0f} ev/s", "target ≥ 200,000"),
        ("events per simulated day", f"{events / days:,.0f}", f"{events:,.0f} in {days} days"),
        ("peak memory of the simulator", f"{peak:,.0f} MiB", "resident, whole process"),
    ])
    return {"events": events, "events_per_day": events / days, "events_per_s": rate, "peak_rss_mib": peak}
