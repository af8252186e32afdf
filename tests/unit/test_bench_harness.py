"""bench/harness.py's Work: every benchmark's counts, and a loud failure when they are not the workload's."""

from __future__ import annotations

import pytest
from bench.harness import Work, WorkloadError

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
