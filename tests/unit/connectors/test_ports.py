"""The node's response ports are built from the connectors' settings: MQTT door commands, webhooks for
notifications and flow holds, Frigate's retain API for evidence; ``Unconfigured`` only for what no setting
configures; a drill acts on nothing; a caller's own ports are used as given."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.connectors.frigate.evidence import FrigateEvidence
from stockade.connectors.mqtt.doors import MqttDoorControl
from stockade.connectors.webhook.adapter import Webhooks
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.response.ports import DoorCommand
from stockade.response.portset import NotConfigured, Ports, Recording, Unconfigured
from tests.mqtt_helpers import free_port
from tests.node_fixtures import make_node

HOOKS = {"destinations": {"desk": {"url": "http://127.0.0.1:9/", "secret": "whsec_" + "QUJD" * 8}}}


def test_every_configured_port_is_a_connector(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data", connectors={
        "mqtt": {"broker": {"port": free_port()}},
        "webhooks": {**HOOKS, "flow_destination": "desk"},
        "frigate": {"site": "dc-demo", "api_url": "http://127.0.0.1:9"},
    })
    try:
        assert isinstance(node.ports.door_control, MqttDoorControl)
        mqtt = node.connectors.mqtt
        assert mqtt is not None
        assert node.ports.door_control is mqtt.doors
        assert isinstance(node.ports.notifier, Webhooks)
        assert isinstance(node.ports.flow_control, Webhooks)
        assert isinstance(node.ports.evidence_store, FrigateEvidence)
        assert node.connectors.status(node.store)["ports"] == node.connectors.port_status() == {
            "door_control": "mqtt", "flow_control": "webhooks", "notifier": "webhooks", "evidence_store": "frigate"}
    finally:
        node.stop()


def test_a_port_no_setting_configures_is_unconfigured_and_says_so(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data", connectors={"webhooks": HOOKS,
                                                   "mqtt": {"role": "ingest", "broker": {"port": free_port()}}})
    try:
        assert isinstance(node.ports.notifier, Webhooks)
        assert isinstance(node.ports.door_control, Unconfigured)  # an ingest-only MQTT connector sends no command
        assert isinstance(node.ports.flow_control, Unconfigured)  # no flow_destination
        assert isinstance(node.ports.evidence_store, Unconfigured)
        assert node.connectors.status(node.store)["ports"] == {
            "door_control": "unconfigured", "flow_control": "unconfigured", "notifier": "webhooks",
            "evidence_store": "unconfigured"}
        with pytest.raises(NotConfigured, match="door-control"):
            node.ports.door_control.lock("i-1", DoorCommand("dc-demo", "D-DOCK-2", "LOCK", "inc-1"))
    finally:
        node.stop()


def test_a_drill_records_and_a_callers_ports_are_used_as_given(tmp_path: Path) -> None:
    drill = make_node(tmp_path / "drill", drill=True, connectors={"webhooks": HOOKS})
    try:
        assert isinstance(drill.ports.notifier, Recording)  # a drill never reaches a real receiver
        assert set(drill.connectors.port_status().values()) == {"recording"}
    finally:
        drill.stop()
    own = Ports.of(Recording())
    (tmp_path / "own" / "sites").mkdir(parents=True)
    node = Node.open(Settings(data_dir=tmp_path / "own", connectors={"webhooks": HOOKS}), ports=own)
    try:
        assert node.ports is own
        assert node.connectors.port_status()["notifier"] == "recording"
    finally:
        node.stop()
