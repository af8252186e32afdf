"""Start-up recovery says where it is: ``/healthz`` answers 503 with the site and progress until the
engines have caught up, and a snapshot refused after a change of the site file is said in the log
and rebuilt from the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store import EventQuery
from tests.node_fixtures import door_line, make_node


def test_healthz_reports_recovery_progress_until_ready(tmp_path: Path) -> None:
    node = make_node(tmp_path)
    with TestClient(create_app(node, start_node=False)) as client:
        node.recovery.begin("dc-demo", 1_000_000)
        node.recovery.advance("dc-demo", 250_000)
        r = client.get("/healthz")
        assert r.status_code == 503
        assert {k: r.json()[k] for k in ("status", "site", "done", "of")} == {
            "status": "recovering", "site": "dc-demo", "done": 250_000, "of": 1_000_000}
        node.recovery.finish()
        assert client.get("/healthz").json()["status"] == "ok"
        node.recovery.fail("recovery failed: the store is gone")
        r = client.get("/healthz")
        assert r.status_code == 503
        assert r.json()["problem"] == "recovery failed: the store is gone"
    node.stop()


def test_a_changed_site_file_rebuilds_from_the_log_and_says_so(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    node = make_node(tmp_path)
    node.recover()
    lines = [door_line(f"f{i}", state="forced") for i in range(3)] + [door_line(f"o{i}") for i in range(40)]
    node.ingestor.ingest_lines(lines, Principal.operator())
    node.drain()
    outputs = {r.event.id for r in node.store.query(EventQuery("dc-demo", kinds=("alert", "incident")))}
    node.stop()  # the final snapshot
    assert outputs
    site_file = tmp_path / "sites" / "dc-demo.yaml"
    text = site_file.read_text(encoding="utf-8")
    assert "walk_s_per_hop: 20" in text
    site_file.write_text(text.replace("walk_s_per_hop: 20", "walk_s_per_hop: 35"), encoding="utf-8")
    again = Node.open(Settings(data_dir=tmp_path))
    with caplog.at_level(logging.INFO, logger="stockade.node.recovery"):
        replayed = again.recover()
    last = again.store.last_seq("dc-demo")
    after = {r.event.id for r in again.store.query(EventQuery("dc-demo", kinds=("alert", "incident")))}
    applied = again.engine.applied("dc-demo")
    again.stop()
    assert "the site file changed" in caplog.text
    assert "rebuilding the site's state from its log" in caplog.text
    assert "recovered" in caplog.text
    assert replayed == last
    assert applied == last
    assert after == outputs  # nothing written twice, nothing new for the past
