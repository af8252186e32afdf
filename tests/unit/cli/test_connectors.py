"""``stockade connectors status`` against a running node's API, and ``stockade connectors door-key``."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn
from typer.testing import CliRunner

from stockade.api.app import create_app
from stockade.cli import app
from stockade.node.connectors import load_or_create_door_key
from stockade.node.keys import new_key
from tests.mqtt_helpers import free_port
from tests.node_fixtures import make_node

runner = CliRunner()


def test_status_shows_each_connector(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data", connectors={"webhooks": {
        "destinations": {"desk": {"url": "http://127.0.0.1:9/", "secret": "whsec_" + "QUJD" * 8}}}})
    token, record = new_key(("read",))
    node.store.put_key(record)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(node), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        result = runner.invoke(app, ["connectors", "status", "--url", url, "--key", token])
        assert result.exit_code == 0, result.output
        out = " ".join(result.output.split())
        assert "webhooks idle: last message never; 0 received" in out
        assert "ports: door_control unconfigured, flow_control unconfigured, notifier webhooks" in out
        assert "unconfigured: door_control, flow_control, evidence_store (no connector setting" in out
        as_json = runner.invoke(app, ["connectors", "status", "--url", url, "--key", token, "--json"])
        assert '"running": true' in as_json.output
        assert '"name": "webhooks"' in as_json.output
        assert '"state": "idle"' in as_json.output
        wrong = runner.invoke(app, ["connectors", "status", "--url", url, "--key", "stk_nope_nope"])
        assert wrong.exit_code == 2
        assert "401" in wrong.output
    finally:
        server.should_exit = True
        thread.join(10)


def test_status_without_a_node_says_how_to_start_one() -> None:
    result = runner.invoke(app, ["connectors", "status", "--url", f"http://127.0.0.1:{free_port()}", "--key", "k"])
    assert result.exit_code == 2
    assert "stockade serve" in result.output


def test_door_key_prints_the_key_controllers_trust(tmp_path: Path) -> None:
    result = runner.invoke(app, ["connectors", "door-key", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    key = load_or_create_door_key(tmp_path / "keys")
    from stockade.connectors.mqtt.commands import CommandSigner

    assert CommandSigner(key).public_raw.hex() in result.output
