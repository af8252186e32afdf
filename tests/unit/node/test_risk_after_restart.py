"""Risk is there after a restart, before any new event: restored from the snapshot, in both engine modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.node.ingest import Principal
from tests.node_fixtures import door_line, make_node


@pytest.mark.parametrize("engine", ["thread", "process"])
def test_risk_survives_a_restart(tmp_path: Path, engine: str) -> None:
    node = make_node(tmp_path, engine=engine)
    node.recover()
    lines = [door_line(f"d{i}", door="D-HV", state="forced") for i in range(3)]
    node.ingestor.ingest_lines(lines, Principal.operator())
    node.drain()
    assert node.wait_for_engine("dc-demo", timeout=30)
    risk, now = node.engine.risk("dc-demo")
    assert risk is not None
    assert now is not None
    before = risk.top("zone", 5, now)
    node.stop()
    assert before

    again = make_node(tmp_path, engine=engine)
    try:
        again.recover()
        risk, now_after = again.engine.risk("dc-demo")
        assert risk is not None
        assert now_after == now
        assert risk.top("zone", 5, now_after) == before
    finally:
        again.stop()
