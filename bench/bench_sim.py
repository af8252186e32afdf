"""Simulator benchmark: a 7-day run of the demo DC staffed to 200 people, written to /dev/null.

    .venv/bin/python bench/bench_sim.py [--days 7] [--people 200]

Prints events per simulated day, events written per second (wall clock of the
whole run, site loading excluded) and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import yaml

from stockade.sim.run import FileSink, simulate
from stockade.sim.scenario import parse_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    doc = {"scenario": "bench", "site": str(ROOT / "examples/sites/dc-demo.yaml"),
           "start": "2026-11-23T00:00:00+01:00", "duration": f"{args.days}d", "seed": args.seed,
           "staffing": {"people": args.people}, "traffic": {"inbound_per_day": 14, "outbound_per_day": 18}}
    sc = parse_scenario(yaml.safe_load(yaml.safe_dump(doc)), "bench")
    with open(os.devnull, "wb") as out:
        started = time.perf_counter()
        result = simulate(sc, FileSink(out))
        took = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"simulated {args.days} days, {len(result.site.people)} people: {result.events:,} events")
    print(f"events per simulated day: {result.events / args.days:,.0f}")
    print(f"events/s written: {result.events / took:,.0f} ({took:.2f} s)")
    print(f"peak memory (RSS): {peak_mib:,.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
