"""The MQTT connector against the local Mosquitto: events in with per-line results, bindings enforced,
door states in, signed door commands out to a simulated controller that verifies them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from stockade.connectors.broker import BrokerSettings, MqttSession
from stockade.connectors.mqtt.door_sim import SimulatedController
from stockade.events.model import Device, Door
from stockade.node.connectors import Connectors
from stockade.node.runtime import Node
from stockade.response.ports import DoorCommand, PortError
from tests.mqtt_helpers import Client, sends_at_once, started, unique_prefix
from tests.node_fixtures import door_line, make_node

pytestmark = pytest.mark.mqtt


def mqtt_settings(prefix: str, port: int = 1883, **binding: object) -> dict[str, object]:
    return {"mqtt": {"node": f"n-{prefix[-6:]}", "prefix": prefix, "broker": {"port": port, "reconnect_max_s": 1},
                     "binding": {"site": "dc-demo", **binding}}}


@pytest.fixture
def node(tmp_path: Path, prefix: str) -> Iterator[Node]:
    n = make_node(tmp_path / "data", connectors=mqtt_settings(prefix, sources=["ctl-1", "D-HV", "CTL-9"],
                                                              kinds=["door", "device"]))
    yield n
    n.stop()


@pytest.fixture
def connectors(node: Node) -> Connectors:
    return started(node)


@pytest.fixture
def client() -> Iterator[Client]:
    c = Client()
    yield c
    c.close()


def results(client: Client, n: int) -> list[list[dict[str, object]]]:
    assert client.wait_for(lambda r: len(r) >= n), f"expected {n} result messages, got {len(client.received)}"
    return [[json.loads(line) for line in bytes(m.payload).split(b"\n")] for m in client.received[:n]]


def test_events_in_with_results_and_dedup(connectors: Connectors, node: Node, client: Client, prefix: str) -> None:
    client.subscribe(f"{prefix}/dc-demo/results/ctl-1")
    body = b"\n".join([door_line("m-1"), b"{not json", door_line("m-2")])
    client.publish(f"{prefix}/dc-demo/events/ctl-1", body)
    client.publish(f"{prefix}/dc-demo/events/ctl-1", door_line("m-1"))  # redelivered or resent: a duplicate
    first, second = results(client, 2)
    assert [r["status"] for r in first] == ["accepted", "rejected", "accepted"]
    assert first[1]["line"] == 2
    assert first[1]["reason"]
    assert second == [{"line": 1, "status": "duplicate", "id": "m-1", "seq": first[0]["seq"]}]
    assert node.store.get("dc-demo", "m-1") is not None
    assert node.store.get("dc-demo", "m-2") is not None
    assert node.store.last_seq("dc-demo") == 2


def test_binding_refusals_name_why_and_the_connection_stays_up(
    connectors: Connectors, node: Node, client: Client, prefix: str
) -> None:
    client.subscribe(f"{prefix}/dc-demo/results/+")
    client.subscribe(f"{prefix}/dc-other/results/+")
    access = msgspec.json.encode({"id": "a-1", "kind": "access", "ts": "2026-11-21T02:00:00+01:00",
                                  "site": "dc-demo", "source": "ctl-1", "door": "D-HV", "result": "granted",
                                  "factors": ["badge"]})
    client.publish(f"{prefix}/dc-demo/events/R-OTHER", door_line("b-1", source="R-OTHER"))  # source not bound
    client.publish(f"{prefix}/dc-other/events/ctl-1", door_line("b-2", site="dc-other"))  # site not bound
    client.publish(f"{prefix}/dc-demo/events/ctl-1", access)  # kind not bound
    client.publish(f"{prefix}/dc-demo/events/ctl-1", door_line("b-3", source="D-HV"))  # not the topic's source
    client.publish(f"{prefix}/dc-demo/events/ctl-1", b"\xff\xfe garbage")
    client.publish(f"{prefix}/dc-demo/events/ctl-1", door_line("b-ok"))
    got = results(client, 6)
    by_field = [r[0].get("field") for r in got]
    assert by_field == ["source", "site", "kind", "source", "", None]  # the ingest path's checks, as for a key
    assert "not 'R-OTHER'" in str(got[0][0]["reason"])
    assert "dc-other" in str(got[1][0]["reason"])  # not a site of this node (one that is: "may only post for")
    assert got[4][0]["status"] == "rejected"
    assert got[5][0]["status"] == "accepted"
    assert node.store.last_seq("dc-demo") == 1  # only b-ok
    assert connectors.mqtt is not None
    assert connectors.mqtt.session.connected.is_set()
    reasons = connectors.mqtt.health.snapshot()["reasons"]
    assert isinstance(reasons, dict)
    assert any("R-OTHER" in k for k in reasons)


def test_door_state_and_controller_availability_in(connectors: Connectors, node: Node, client: Client,
                                                   prefix: str) -> None:
    client.publish(f"{prefix}/dc-demo/door/D-HV/state", b"LOCKED")
    client.publish(f"{prefix}/dc-demo/door/D-HV/state", b"LOCKING")  # refused: transitional, counted
    client.publish(f"{prefix}/dc-demo/door/D-HV/state", b"LOCKED")  # unchanged: not logged twice
    client.publish(f"{prefix}/dc-demo/controller/CTL-9/available", b"offline")
    assert connectors.mqtt is not None
    deadline = time.monotonic() + 10
    while node.store.last_seq("dc-demo") < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert connectors.mqtt.wait_idle()
    events = [row.event for row in node.store.read("dc-demo")]
    assert len(events) == 2
    door = next(e for e in events if isinstance(e, Door))
    device = next(e for e in events if isinstance(e, Device))
    assert (door.door, door.state) == ("D-HV", "locked")
    assert (device.device, device.status) == ("CTL-9", "offline")


def test_node_availability_is_retained_online(connectors: Connectors, prefix: str) -> None:
    assert connectors.mqtt is not None
    # a subscriber that comes before the broker has the node's ``online`` receives it live, without the retain
    # flag: the test waited for the connection only, and now waits for the announcement's PUBACK too
    assert connectors.mqtt.wait_announced()
    watcher = Client()
    try:
        watcher.subscribe(connectors.mqtt.available_topic)
        assert watcher.wait_for(lambda r: any(m.payload == b"online" and m.retain for m in r))
    finally:
        watcher.close()


def test_signed_lock_reaches_a_verifying_controller_and_comes_back_as_state(
    connectors: Connectors, node: Node, prefix: str
) -> None:
    assert connectors.mqtt is not None
    assert connectors.signer is not None
    ctl = SimulatedController(BrokerSettings(), "dc-demo", "CTL-9", ["D-HV"], keys=[connectors.signer.public_raw],
                              prefix=prefix)
    ctl.start()
    try:
        cmd = DoorCommand("dc-demo", "D-HV", "LOCK", "inc-1", approval="ap-1")
        connectors.mqtt.doors.lock("intent-1", cmd)
        connectors.mqtt.doors.lock("intent-1", cmd)  # the same intent: sent once
        assert ctl.wait_handled(1)
        deadline = time.monotonic() + 10
        while "intent-1" not in connectors.mqtt.doors.acks and time.monotonic() < deadline:
            time.sleep(0.01)
        ack = connectors.mqtt.doors.acks["intent-1"]
        assert ack.ok
        assert ack.reason == "ok"
        while node.store.last_seq("dc-demo") < 2 and time.monotonic() < deadline:  # controller online + LOCKED
            time.sleep(0.02)
        states = [e for e in (r.event for r in node.store.read("dc-demo")) if isinstance(e, Door)]
        assert [(s.door, s.state) for s in states] == [("D-HV", "locked")]
        time.sleep(0.2)
        assert len(ctl.handled) == 1
    finally:
        ctl.stop()


def test_a_forged_command_on_the_topic_is_refused_by_the_controller(connectors: Connectors, prefix: str) -> None:
    assert connectors.signer is not None
    ctl = SimulatedController(BrokerSettings(), "dc-demo", "CTL-9", ["D-HV"], keys=[connectors.signer.public_raw],
                              prefix=prefix)
    ctl.start()
    attacker = Client()
    try:
        forged = {"v": 1, "command": "UNLOCK", "site": "dc-demo", "door": "D-HV", "incident": "x", "approval": None,
                  "intent": "x", "counter": 10**17, "not_after": 2**40, "key": connectors.signer.key_id,
                  "sig": "AAAA"}
        attacker.publish(f"{prefix}/dc-demo/door/D-HV/set", json.dumps(forged).encode())
        attacker.publish(f"{prefix}/dc-demo/door/D-HV/set", b"UNLOCK")
        assert ctl.wait_handled(2)
        assert [h.ok for h in ctl.handled] == [False, False]
        assert "D-HV" not in ctl.state
    finally:
        attacker.close()
        ctl.stop()


def test_lock_without_a_broker_raises_port_error(tmp_path: Path) -> None:
    from tests.mqtt_helpers import free_port

    n = make_node(tmp_path / "d", connectors=mqtt_settings(unique_prefix(), port=free_port()))
    try:
        c = n.connectors
        assert c.mqtt is not None
        with pytest.raises(PortError, match="not connected"):
            c.mqtt.doors.lock("i", DoorCommand("dc-demo", "D-HV", "LOCK", "inc"))
    finally:
        n.stop()


def test_a_session_sends_each_packet_at_once(connectors: Connectors) -> None:
    """Nagle's algorithm off: an answer published right after a PUBACK does not wait for the broker's
    delayed ACK (40 ms a hop; `python -m bench connectors`' bare request/response went 88 -> 0.6 ms)."""
    assert connectors.mqtt is not None
    assert sends_at_once(connectors.mqtt.session)
    device = MqttSession(BrokerSettings(port=1883), f"nodelay-{unique_prefix()}", on_message=lambda _m: None)
    device.start()
    try:
        assert device.wait_connected(10)
        assert sends_at_once(device)
    finally:
        device.stop()
