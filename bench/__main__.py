"""Run benchmarks: ``python -m bench [NAME…]``; prints tables, writes bench/results/<name>.json.

Names are the ``bench_<name>.py`` modules in this folder; with none, all run. One name followed by
``--options`` passes them to that benchmark (``python -m bench cluster --failover 10``).
The machine is shared: figures are medians of repeated runs.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
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
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        figures = module.main(*options)
        record = {"bench": name, "when": datetime.now(UTC).isoformat(), "python": platform.python_version(),
                  "machine": platform.machine(), "figures": figures}
        (out / f"{name}.json").write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
