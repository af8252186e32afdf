"""TLS and credentials to the broker: a Mosquitto of the test's own with a CA and a server certificate made
here. The node's MQTT connector verifies the broker against its CA and logs in; a broker it cannot verify, or
plain MQTT to a TLS port, is an error in its health, never a crash and never a connection."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stockade.connectors.broker import BrokerSettings, MqttSession
from stockade.node.runtime import Node
from tests.mqtt_helpers import Broker, TlsFiles, make_tls, sends_at_once, unique_prefix
from tests.node_fixtures import door_line, make_node

pytestmark = pytest.mark.mqtt
USERS = {"stockade": "s3cret", "device": "d3vice"}


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return make_tls(tmp_path / "pki")


@pytest.fixture
def broker(tmp_path: Path, tls: TlsFiles) -> Iterator[Broker]:
    b = Broker(tmp_path / "broker", users=USERS, tls=tls)
    b.start()
    yield b
    b.stop()


def tls_broker(broker: Broker, ca: Path, user: str = "stockade", password: str = "s3cret") -> dict[str, object]:
    return {"host": "127.0.0.1", "port": broker.port, "tls": True, "ca_file": str(ca), "username": user,
            "password": password, "reconnect_max_s": 1}


def wait_for_error(node: Node, timeout: float = 10.0) -> dict[str, object]:
    mqtt = node.connectors.mqtt
    assert mqtt is not None
    deadline = time.monotonic() + timeout
    while mqtt.health.errors == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    return mqtt.health.snapshot()


def test_events_in_over_tls_with_credentials(tmp_path: Path, broker: Broker, tls: TlsFiles) -> None:
    prefix = unique_prefix()
    node = make_node(tmp_path / "data", connectors={"mqtt": {
        "prefix": prefix, "node": "tls-node", "broker": tls_broker(broker, tls.ca),
        "binding": {"site": "dc-demo", "sources": ["ctl-1"], "kinds": ["door"]}}})
    device = MqttSession(BrokerSettings.model_validate(tls_broker(broker, tls.ca, "device", "d3vice")),
                         "tls-device", on_message=lambda _m: None)
    try:
        node.connectors.start()
        mqtt = node.connectors.mqtt
        assert mqtt is not None
        assert mqtt.session.wait_connected(10), mqtt.health.snapshot()
        assert sends_at_once(mqtt.session)  # a TLS socket too
        device.start()
        assert device.wait_connected(10), device.health.snapshot()
        device.publish(f"{prefix}/dc-demo/events/ctl-1", door_line("tls-1")).wait_for_publish(5)
        assert mqtt.wait_idle(10)
        deadline = time.monotonic() + 10
        while node.store.get("dc-demo", "tls-1") is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert node.store.get("dc-demo", "tls-1") is not None
        assert mqtt.health.snapshot()["errors"] == 0
    finally:
        device.stop()
        node.stop()


def test_a_broker_not_signed_by_the_ca_is_refused(tmp_path: Path, broker: Broker) -> None:
    stranger = make_tls(tmp_path / "other-pki", "stranger")  # a CA that did not sign the broker's certificate
    node = make_node(tmp_path / "data", connectors={"mqtt": {
        "prefix": unique_prefix(), "broker": tls_broker(broker, stranger.ca), "binding": {"site": "dc-demo"}}})
    try:
        node.connectors.start()
        health = wait_for_error(node)
        assert health["errors"], health
        assert "could not connect" in str(health["last_error"])
        assert "TLS" in str(health["last_error"])
        assert health["state"] != "connected"
    finally:
        node.stop()


def test_plain_mqtt_to_the_tls_port_and_a_wrong_password_never_connect(
        tmp_path: Path, broker: Broker, tls: TlsFiles) -> None:
    plain = {"port": broker.port, "username": "stockade", "password": "s3cret", "reconnect_max_s": 1}
    for name, settings in (("plain", plain), ("wrong-password", tls_broker(broker, tls.ca, password="nope"))):
        node = make_node(tmp_path / name, connectors={"mqtt": {
            "prefix": unique_prefix(), "broker": settings, "binding": {"site": "dc-demo"}}})
        try:
            node.connectors.start()
            health = wait_for_error(node)
            assert health["errors"], (name, health)
            assert health["state"] != "connected", name
        finally:
            node.stop()
