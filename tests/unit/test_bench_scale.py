"""``bench scale`` at a tiny size: it grows the site through the node and prints, for every size, the
work it did (events accepted and rejected) beside its costs, in its tables and in the README's."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from bench import bench_scale, harness
from bench.bench_query import queries
from bench.scale_table import markdown

SIZES = (1_500, 3_000)
README = Path(__file__).resolve().parents[2] / "README.md"


def measures(table: str) -> list[str]:
    """The first column of a Markdown table's body, its numbers (the probe's size) left out."""
    rows = [line for line in table.splitlines() if line.startswith("|")]
    return [re.sub(r"\d[\d,]*", "N", row.split("|")[1].strip()) for row in rows[2:]]


def readme_scale_table() -> str:
    """The first table after the README's **Scale** heading."""
    after = README.read_text(encoding="utf-8").split("**Scale**", 1)[1].splitlines()
    start = next(i for i, line in enumerate(after) if line.startswith("|"))
    end = next((i for i in range(start, len(after)) if not after[i].startswith("|")), len(after))
    return "\n".join(after[start:end])


def test_bench_scale_prints_the_work_of_every_size(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness.console, "width", 300)  # one table row a line
    figures = bench_scale.main("--sizes", "1500,3000", "--samples", "3", "--probe", "1000", "--markdown")
    out = capsys.readouterr().out
    steps = figures["steps"]
    assert [s["size"] for s in steps] == list(SIZES)
    for step, first in zip(steps, (0, *SIZES), strict=False):
        events = step["size"] - first
        assert (step["events"], step["accepted"], step["rejected"]) == (events, events, 0)
        assert step["log_entries"] >= step["size"]  # the inputs, and the outputs the engine wrote
        assert step["worker_rss_mib"] > 0  # the engine ran in its worker process
        assert step["worker_cpu_us"] > 0
        assert step["index"]["events"] == 1_000
        assert step["index"]["us"] > 0
        assert set(step["queries"]) == set(queries(random.Random(0), 1, 1))  # bench query's every kind
        assert f"Scale: bench-q at {step['size']:,} events" in out
        assert f"accepted {events:,}, rejected 0" in out
    assert "| events in the step: accepted / rejected | 1,500 / 0 | 1,500 / 0 |" in out
    assert out.count("| query p50 / p99 ms (CPU p50); rows: ") == len(steps[0]["queries"])
    # the README's table is this one, regenerated: the same measures in the same order
    assert measures(readme_scale_table()) == measures(markdown(steps))


def test_sizes_are_read_growing() -> None:
    assert bench_scale.sizes_from("100_000,1000000") == (100_000, 1_000_000)
    assert bench_scale.sizes_from(None) == bench_scale.sizes_from("") == bench_scale.DEFAULT_SIZES
    for bad in ("1000,1000", "5000,100", "0,10"):
        with pytest.raises(SystemExit, match="positive and growing"):
            bench_scale.sizes_from(bad)
