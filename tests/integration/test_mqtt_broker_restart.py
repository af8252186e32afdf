"""The broker stopped mid-stream and restarted: QoS 1 messages redelivered, none lost, none doubled in the log.

The test runs its own Mosquitto (with persistence, as a production broker has) on a free port, so it can
stop it without disturbing anyone else's tests.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.mqtt_helpers import Broker, Client, unique_prefix
from tests.node_fixtures import door_line, make_node

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]

N = 1500


def test_broker_restart_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    prefix = unique_prefix()
    node = make_node(tmp_path / "data", connectors={"mqtt": {
        "prefix": prefix, "node": "restart", "broker": {"port": broker.port, "reconnect_max_s": 1},
        "binding": {"site": "dc-demo", "sources": ["ctl-1"]}}})
    connectors = node.connectors
    publisher: Client | None = None
    try:
        connectors.start()
        assert connectors.mqtt is not None
        assert connectors.mqtt.session.wait_connected(10)
        publisher = Client(broker.port, client_id=f"{prefix}-pub", clean=False)
        topic = f"{prefix}/dc-demo/events/ctl-1"
        for i in range(N):
            publisher.publish(topic, door_line(f"r-{i}"))
            if i == N // 3:
                time.sleep(0.2)  # let some be committed and some be in flight
                broker.stop()
                time.sleep(1.0)
                broker.start()
        deadline = time.monotonic() + 20
        while node.store.last_seq("dc-demo") < N and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connectors.mqtt.wait_idle()
        time.sleep(0.5)  # anything redelivered late would show up now
        ids = [row.event.id for row in node.store.read("dc-demo")]
        missing = sorted({f"r-{i}" for i in range(N)} - set(ids), key=lambda s: int(s[2:]))
        assert len(ids) == N, f"{len(ids)} of {N} committed; missing {missing[:5]}..{missing[-5:]}"
        assert sorted(ids) == sorted(f"r-{i}" for i in range(N))
        health = connectors.mqtt.health.snapshot()
        assert health["state"] == "connected"
    finally:
        if publisher is not None:
            publisher.close()
        connectors.stop()
        node.stop()
        broker.stop()


def test_credentials_are_used_and_a_wrong_password_is_an_error_not_a_crash(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker", users={"stockade": "s3cret"})
    broker.start()
    from stockade.connectors.base import Outcome
    from stockade.connectors.broker import BrokerSettings
    from stockade.connectors.mqtt.adapter import MqttConnector
    from stockade.connectors.mqtt.config import MqttSettings

    def sink(lines: object, binding: object) -> list[Outcome]:
        return []

    try:
        good = MqttConnector(MqttSettings(node="cred-ok", role="ingest", doors={"signed": False}, broker=BrokerSettings(
            port=broker.port, username="stockade", password="s3cret")), sink)  # type: ignore[arg-type]
        bad = MqttConnector(MqttSettings(node="cred-bad", role="ingest", doors={"signed": False}, broker=BrokerSettings(
            port=broker.port, username="stockade", password="wrong")), sink)  # type: ignore[arg-type]
        good.start()
        bad.start()
        assert good.session.wait_connected(10)
        deadline = time.monotonic() + 10
        while bad.health.errors == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not bad.session.connected.is_set()
        assert bad.health.snapshot()["state"] != "connected"
        good.stop()
        bad.stop()
    finally:
        broker.stop()
