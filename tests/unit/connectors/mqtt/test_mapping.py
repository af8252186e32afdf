"""Topics and Home Assistant lock states to SEF/1: pure, every refusal names why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stockade.connectors.base import Outcome
from stockade.connectors.errors import MappingRefused
from stockade.connectors.mqtt import mapping
from stockade.events import decode_event
from stockade.events.model import Device, Door

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(("topic", "kind", "name"), [
    ("stockade/dc-demo/events/R-1", "events", "R-1"),
    ("stockade/dc-demo/door/D-HV/state", "door_state", "D-HV"),
    ("stockade/dc-demo/controller/CTL-1/available", "controller", "CTL-1"),
])
def test_inbound_topics(topic: str, kind: str, name: str) -> None:
    route = mapping.parse_topic("stockade", topic)
    assert (route.kind, route.site, route.name) == (kind, "dc-demo", name)


@pytest.mark.parametrize("topic", [
    "other/dc-demo/events/R-1", "stockade/dc-demo/events", "stockade/dc-demo/door/D/set",
    "stockade/dc demo/events/R-1", "stockade/dc-demo/events/R-1/extra", "stockade/x/events/" + "a" * 200,
])
def test_other_topics_are_refused(topic: str) -> None:
    with pytest.raises(MappingRefused) as e:
        mapping.parse_topic("stockade", topic)
    assert e.value.field == "topic"


@pytest.mark.parametrize(("payload", "state"), [(b"LOCKED", "locked"), (b"UNLOCKED", "unlocked"), (b"OPEN", "open"),
                                                (b" LOCKED\n", "locked")])
def test_lock_states_become_door_events(payload: bytes, state: str) -> None:
    route = mapping.Route("door_state", "dc-demo", "D-HV")
    line = mapping.encode_lines([mapping.door_state_event(route, payload, NOW)])[0]
    event = decode_event(line)
    assert isinstance(event, Door)
    assert event.state == state
    assert event.door == "D-HV"
    assert event.source == "D-HV"


def test_jammed_is_a_device_fault() -> None:
    route = mapping.Route("door_state", "dc-demo", "D-HV")
    event = decode_event(mapping.encode_lines([mapping.door_state_event(route, b"JAMMED", NOW)])[0])
    assert isinstance(event, Device)
    assert event.status == "fault"


@pytest.mark.parametrize(("payload", "why"), [(b"LOCKING", "on the way"), (b"UNLOCKING", "on the way"),
                                              (b"ajar", "not a Home Assistant lock state"), (b"\xff", "ASCII")])
def test_other_states_are_refused_with_a_reason(payload: bytes, why: str) -> None:
    with pytest.raises(MappingRefused, match=why):
        mapping.door_state_event(mapping.Route("door_state", "s", "D"), payload, NOW)


def test_controller_availability() -> None:
    route = mapping.Route("controller", "dc-demo", "CTL-1")
    event = decode_event(mapping.encode_lines([mapping.controller_event(route, b"offline", NOW)])[0])
    assert isinstance(event, Device)
    assert (event.device, event.status) == ("CTL-1", "offline")
    with pytest.raises(MappingRefused, match="online or offline"):
        mapping.controller_event(route, b"maybe", NOW)


def test_results_payload_is_ndjson() -> None:
    payload = mapping.results_payload([Outcome(1, "accepted", "e1", 4), Outcome(2, "rejected", field="ts",
                                                                                reason="bad")])
    assert payload == (b'{"line":1,"status":"accepted","id":"e1","seq":4}\n'
                       b'{"line":2,"status":"rejected","field":"ts","reason":"bad"}')
