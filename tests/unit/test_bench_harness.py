"""bench/harness.py: Work (every benchmark's counts, and a loud failure when they are not the
workload's), and the peak memory a benchmark reports for a process of its own."""

from __future__ import annotations

import pytest
from bench.harness import Work, WorkloadError, in_fresh_process, peak_rss_mib

from stockade.node.ingest import LineResult


def test_work_counts_lines_and_fails_loudly_with_the_reasons() -> None:
    work = Work()
    work.add([LineResult(1, "accepted"), LineResult(2, "rejected", field="sig", reason="no registered key"),
              LineResult(3, "duplicate")])
    work.add_answer({"accepted": 2, "duplicate": 0, "rejected": 1,
                     "results": [{"line": 1, "status": "rejected", "field": "ts", "reason": "too far ahead"}]})
    assert (work.accepted, work.rejected, work.duplicate) == (3, 2, 1)
    assert work.note() == "accepted 3, rejected 2, duplicate 1"
    assert work.expect("mix", accepted=3, rejected=2, duplicate=1) is work
    with pytest.raises(WorkloadError, match=r"the workload expects 3 / 0 / 1 \(rejected: 1× sig: no registered"):
        work.expect("mix", accepted=3, duplicate=1)


def test_a_fresh_process_reports_its_own_peak_memory_not_its_grown_parents() -> None:
    """``make bench`` runs every benchmark in one process, which grows; a benchmark's fresh process
    (a fork, then exec) must not report the runner's size as its own peak (getrusage's ru_maxrss,
    carried over exec by Linux, did: 865 MiB for three different processes in one run)."""
    grown = bytearray(512 * 2**20)
    grown[:: 4096] = b"\x01" * len(grown[:: 4096])  # resident, not only reserved
    parent = peak_rss_mib()
    child = in_fresh_process(peak_rss_mib)
    assert parent > 512
    assert child < parent - 400, (child, parent)
    del grown
