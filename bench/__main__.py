"""Run benchmarks: ``python -m bench [NAME…]``; prints tables, writes bench/results/<name>.json.

Names are the ``bench_<name>.py`` modules in this folder (``bench_scale.py`` is ``scale``); with
none, all run, each at its default size. One name followed by ``--options`` passes them to that
benchmark (``python -m bench cluster --failover 10``). A benchmark that fails is reported and the
others still run; the exit status is then 1. Each record has the benchmark's wall time, and the run
ends with a line per benchmark. The machine is shared: figures are medians of repeated runs.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from stockade.node.tuning import tune_gc

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    tune_gc()  # the node's process settings, as `stockade serve` runs
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    options: list[str] = []
    if argv[1:] and argv[1].startswith("--"):  # one benchmark with options of its own: `cluster --failover 10`
        names, options = argv[:1], argv[1:]
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    took: dict[str, tuple[float, str]] = {}
    for name in names:
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            figures = module.main(*options)
        except Exception:  # noqa: BLE001 - reported with its traceback; one broken benchmark must not hide the others
            traceback.print_exc()
            took[name] = (time.perf_counter() - started, "FAILED")
            print(f"bench {name}: FAILED after {took[name][0]:,.0f} s", flush=True)
            continue
        seconds = time.perf_counter() - started
        took[name] = (seconds, "ok")
        print(f"bench {name}: ok, {seconds:,.0f} s", flush=True)
        record = {"bench": name, "when": datetime.now(UTC).isoformat(), "python": platform.python_version(),
                  "machine": platform.machine(), "seconds": seconds, "figures": figures}
        (out / f"{name}.json").write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    print("; ".join(f"{name} {status} {seconds:,.0f} s" for name, (seconds, status) in took.items())
          + f"; all {sum(s for s, _ in took.values()):,.0f} s")
    return 0 if all(status == "ok" for _, status in took.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
