"""The engine in a worker process: same outputs as in a thread, risk mirrored, snapshots saved."""

from __future__ import annotations

import os
from pathlib import Path

from stockade.node.engine_worker import NICENESS
from stockade.node.ingest import Principal
from stockade.store import EventQuery
from tests.node_fixtures import door_line, make_node


def run(data: Path, engine: str) -> tuple[set[str], float, int | None]:
    node = make_node(data, engine=engine)
    node.recover()
    lines = [door_line(f"d{i}", door="D-HV", state="forced") for i in range(3)]
    lines += [door_line(f"n{i}") for i in range(50)]
    node.ingestor.ingest_lines(lines, Principal.operator())
    node.drain()
    assert node.wait_for_engine("dc-demo", timeout=30)
    rows = node.store.query(EventQuery("dc-demo", kinds=("alert", "incident"), limit=1000))
    risk, now = node.engine.risk("dc-demo")
    assert risk is not None
    assert now is not None
    score = max(risk.score("zone", z, now) for z in ("storage", "hv-cage"))
    node.stop()
    snapshot = make_node(data, engine="thread")
    saved = snapshot.store.load_snapshot("dc-demo")
    snapshot.stop()
    return {r.event.id for r in rows}, score, saved[0] if saved else None


def test_process_engine_matches_the_thread_engine(tmp_path: Path) -> None:
    in_thread, thread_risk, _ = run(tmp_path / "thread", "thread")
    in_process, process_risk, snapshot_seq = run(tmp_path / "process", "process")
    assert in_thread
    assert in_process == in_thread
    assert process_risk == thread_risk > 0
    assert snapshot_seq is not None


def test_process_engine_resumes_from_its_snapshot(tmp_path: Path) -> None:
    run(tmp_path, "process")
    node = make_node(tmp_path, engine="process")
    replayed = node.recover()
    before = node.engine.applied("dc-demo")
    node.stop()
    assert before > 0
    assert replayed < before  # only the tail after the snapshot was sent again


def test_the_worker_runs_below_the_node(tmp_path: Path) -> None:
    node = make_node(tmp_path, engine="process")
    try:
        node.recover()  # the worker has started and applied its first message
        pid = node.engine.pid
        assert pid is not None
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19)
    finally:
        node.stop()
