"""If the engine's worker process dies, ingest goes on (nothing acknowledged is lost), and the node
says detection has stopped: /healthz answers 503."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.engine_process import EngineProcess
from stockade.node.ingest import Principal
from tests.node_fixtures import door_line, make_node


def test_a_dead_worker_is_reported_and_ingest_continues(tmp_path: Path) -> None:
    node = make_node(tmp_path, engine="process")
    assert isinstance(node.engine, EngineProcess)
    with TestClient(create_app(node)) as client:
        assert node.recovery.wait(30), "the node should recover its (empty) log"
        assert client.get("/healthz").status_code == 200
        pid = node.engine._process.pid  # the test plays the OOM killer
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while node.engine.alive and time.monotonic() < deadline:
            time.sleep(0.05)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert "detection engine has stopped" in health.json()["problem"]
        report = node.ingestor.ingest_lines([door_line("after-death")], Principal.operator())
        assert [r.status for r in report.results] == ["accepted"]
