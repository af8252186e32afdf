"""The Frigate connector against the local Mosquitto: recorded payloads in, bad ones counted by reason,
and Frigate going offline becomes the critical STK-DEV-001 alert in a running node."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stockade.events import Alert
from stockade.events.model import Device, Video
from stockade.node.connectors import Connectors
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store import EventQuery
from tests.mqtt_helpers import Client, started
from tests.node_fixtures import wait_projected
from tests.unit.connectors.frigate.conftest import VECTORS, frigate_site

pytestmark = pytest.mark.mqtt


@pytest.fixture
def node(tmp_path: Path, prefix: str) -> Iterator[Node]:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    frigate_site(data / "sites")
    n = Node.open(Settings(data_dir=data, engine="thread", connectors={
        "frigate": {"site": "dc-demo", "prefix": prefix, "client_id": f"{prefix}-frigate"}}))
    n.start()
    yield n
    n.stop()


@pytest.fixture
def connectors(node: Node) -> Connectors:
    return started(node)


def test_frigate_feed_in_with_refusals_counted(connectors: Connectors, node: Node, prefix: str) -> None:
    pub = Client()
    try:
        pub.publish(f"{prefix}/events", (VECTORS / "events-new-person-false-positive-before.json").read_bytes())
        pub.publish(f"{prefix}/events", (VECTORS / "events-update-car-stationary.json").read_bytes())  # a repeat
        pub.publish(f"{prefix}/events", b"{garbage")
        pub.publish(f"{prefix}/tracked_object_update", (VECTORS / "tracked_object_update-face-user_1.json")
                    .read_bytes())  # camera_26 is not mapped
        pub.publish(f"{prefix}/events", (VECTORS / "events-update-car-zone-reenter-street.json").read_bytes())
        pub.publish(f"{prefix}/front/status/record", b"offline")
        pub.publish(f"{prefix}/available", b"offline")
        assert connectors.frigate is not None
        deadline = time.monotonic() + 15
        while node.store.last_seq("dc-demo") < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connectors.frigate.wait_idle()
    finally:
        pub.close()
    events = [r.event for r in node.store.read("dc-demo")]
    videos = [e for e in events if isinstance(e, Video)]
    devices = [e for e in events if isinstance(e, Device)]
    assert [(v.camera, v.event, v.track) for v in videos] == [
        ("C-YARD-1", "enter", "1711831191.060235-h8taxr"), ("C-DOCKOUT-1", "enter", "1659438905.489551-xy562v")]
    assert ("C-DOCKOUT-2", "recording_stopped") in [(d.device, d.status) for d in devices]
    assert len([d for d in devices if d.status == "offline"]) == 6
    health = connectors.frigate.health.snapshot()
    reasons = health["reasons"]
    assert isinstance(reasons, dict)
    assert any("not mapped" in r and "camera_26" in r for r in reasons)
    assert any("a repeat" in r for r in reasons)
    assert any("not JSON" in r for r in reasons)
    assert health["state"] == "connected"
    wait_projected(node, "dc-demo")
    alerts = [r.event for r in node.store.query(EventQuery("dc-demo", kinds=("alert",), limit=50))]
    blinding = [a for a in alerts if isinstance(a, Alert) and a.detector == "STK-DEV-001" and a.severity == "critical"]
    assert blinding, alerts
