"""Frigate's recorded payloads to SEF/1: every vector maps or is refused with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stockade.connectors.errors import MappingRefused
from stockade.connectors.frigate.mapping import CameraMaps, map_message
from stockade.events import decode_event
from stockade.events.model import Device, Video
from tests.unit.connectors.frigate.conftest import VECTORS

NOW = datetime(2026, 12, 1, 2, 1, tzinfo=UTC)
TOPIC = {"events": "frigate/events", "reviews": "frigate/reviews", "available": "frigate/available",
         "tracked_object_update": "frigate/tracked_object_update"}
FILES = sorted(p for p in VECTORS.iterdir() if p.suffix in (".json", ".txt"))


def topic_of(path: Path) -> str:
    return next(t for k, t in TOPIC.items() if path.name.startswith(k + "-"))


def outcome(cams: CameraMaps, path: Path) -> list[Video | Device] | str:
    try:
        events = map_message(cams, "frigate", topic_of(path), path.read_bytes(), NOW)
    except MappingRefused as e:
        return e.reason
    decoded = [decode_event(json.dumps(e).encode()) for e in events]
    assert all(isinstance(d, Video | Device) for d in decoded)
    return decoded  # type: ignore[return-value]


def test_there_are_vectors() -> None:
    assert len(FILES) >= 14


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_vector_maps_or_is_refused_with_a_reason(cams: CameraMaps, path: Path) -> None:
    result = outcome(cams, path)
    if isinstance(result, str):
        assert len(result) > 10
    else:
        assert result, "mapped to nothing without saying why"
        assert all(e.site == "dc-demo" for e in result)


EXPECTED: dict[str, object] = {
    # new after a false positive: the person appears
    "events-new-person-false-positive-before.json": [("C-YARD-1", "enter", None, "1711831191.060235-h8taxr")],
    # the once-a-minute update of a stationary car: a repeat
    "events-update-car-stationary.json": "a repeat",
    # current_zones [] -> [street] while entered_zones stays [street]: a re-entry
    "events-update-car-zone-reenter-street.json": [("C-DOCKOUT-1", "enter", "yard", "1659438905.489551-xy562v")],
    # already in driveway before and after: nothing new
    "events-update-car-zones-driveway.json": "a repeat",
    # yard entered; the plate was already known
    "events-update-person-sub_label-lpr-docs.json": [("C-DOCKOUT-1", "enter", "yard", "1607123955.475377-mxklsc")],
    # a detection-level review: its car is logged from frigate/events
    "reviews-new-car-detection.json": "unless Frigate rates it an alert",
    # raised from detection to alert, in front_yard (the site's yard): Frigate's alert, its first detection as track
    "reviews-update-detection-to-alert-docs.json": [("C-GATE-1", "present", "yard", "1718987128.947436-g92ztx")],
    "tracked_object_update-description-docs.json": "is not a fact",
    "tracked_object_update-face-docs.json": "not mapped",
    "tracked_object_update-face-user_1.json": "not mapped",
    "tracked_object_update-lpr-docs.json": [("C-LOBBY", "present", None, "1607123955.475377-mxklsc")],
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_what_each_vector_becomes(cams: CameraMaps, name: str, expected: object) -> None:
    result = outcome(cams, VECTORS / name)
    if isinstance(expected, str):
        assert isinstance(result, str)
        assert expected in result
    else:
        assert not isinstance(result, str), result
        assert [(e.camera, e.event, e.zone, e.track) for e in result if isinstance(e, Video)] == expected


def test_lpr_keeps_the_plate(cams: CameraMaps) -> None:
    (event,) = outcome(cams, VECTORS / "tracked_object_update-lpr-docs.json")  # type: ignore[misc]
    assert isinstance(event, Video)
    assert event.plate == "123ABC"


def test_frigate_offline_is_every_mapped_camera_offline(cams: CameraMaps) -> None:
    for name, status in (("available-offline.txt", "offline"), ("available-stopped.txt", "offline"),
                         ("available-online.txt", "online")):
        result = outcome(cams, VECTORS / name)
        assert not isinstance(result, str)
        assert {e.device for e in result if isinstance(e, Device)} == {c.camera for c in cams.by_frigate.values()}
        assert {e.status for e in result if isinstance(e, Device)} == {status}


def _obj(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "1700000000.5-abc123", "camera": "front_door", "label": "person",
                               "frame_time": 1700000010.0, "start_time": 1700000000.5, "end_time": None,
                               "false_positive": False, "current_zones": [], "entered_zones": [],
                               "top_score": 0.9}
    return {**base, **kw}


def _map(cams: CameraMaps, body: dict[str, object]) -> list[Video]:
    events = map_message(cams, "frigate", "frigate/events", json.dumps(body).encode(), NOW)
    return [e for e in (decode_event(json.dumps(x).encode()) for x in events) if isinstance(e, Video)]


def test_entering_a_loitering_zone_means_it_already_loitered(cams: CameraMaps) -> None:
    (e,) = _map(cams, {"type": "update", "before": _obj(), "after": _obj(current_zones=["driveway"])})
    assert (e.event, e.zone, e.dwell_s) == ("loiter", "dock-out", 30)


def test_end_is_an_exit_with_the_dwell(cams: CameraMaps) -> None:
    (e,) = _map(cams, {"type": "end", "before": _obj(), "after": _obj(end_time=1700000090.5,
                                                                       current_zones=["street"])})
    assert (e.event, e.zone, e.dwell_s) == ("exit", "yard", 90)


def test_a_false_positive_is_not_logged(cams: CameraMaps) -> None:
    with pytest.raises(MappingRefused, match="false positive"):
        _map(cams, {"type": "update", "before": _obj(), "after": _obj(false_positive=True)})


def test_a_redelivered_message_maps_to_the_same_ids(cams: CameraMaps) -> None:
    body = {"type": "update", "before": _obj(), "after": _obj(current_zones=["street"])}
    assert [e.id for e in _map(cams, body)] == [e.id for e in _map(cams, body)]


def test_a_new_plate_is_a_present_event(cams: CameraMaps) -> None:
    (e,) = _map(cams, {"type": "update", "before": _obj(label="car"),
                       "after": _obj(label="car", recognized_license_plate=["AB-123-CD", 0.93])})
    assert (e.event, e.plate) == ("present", "AB-123-CD")


@pytest.mark.parametrize(("topic", "payload", "status"), [
    ("frigate/front/status/record", b"offline", "recording_stopped"),
    ("frigate/front/status/record", b"disabled", "recording_stopped"),
    ("frigate/front/status/record", b"online", "recording_started"),
    ("frigate/front/status/detect", b"offline", "offline"),
])
def test_camera_status(cams: CameraMaps, topic: str, payload: bytes, status: str) -> None:
    (e,) = map_message(cams, "frigate", topic, payload, NOW)
    assert (e["device"], e["status"]) == ("C-DOCKOUT-2", status)


@pytest.mark.parametrize(("topic", "payload", "why"), [
    ("frigate/events", b"{not json", "not JSON"),
    ("frigate/events", b"[1]", "JSON object"),
    ("frigate/events", json.dumps({"type": "new", "after": {"camera": "nobody"}}).encode(), "not mapped"),
    ("frigate/events", json.dumps({"type": "new", "before": {}, "after": _obj(frame_time="x")}).encode(), "Unix"),
    ("frigate/events", json.dumps({"type": "boom", "before": {}, "after": _obj()}).encode(), "new, update or end"),
    ("frigate/available", b"maybe", "online, offline or stopped"),
    ("frigate/front/status/audio", b"offline", "not watched"),
    ("frigate/unknown_cam/status/record", b"offline", "not mapped"),
    ("frigate/stats", b"{}", "not one Stockade maps"),
])
def test_bad_payloads_are_refused_with_a_reason(cams: CameraMaps, topic: str, payload: bytes, why: str) -> None:
    with pytest.raises(MappingRefused, match=why):
        map_message(cams, "frigate", topic, payload, NOW)


def review(kind: str, before: str, after: str, zones: list[str] | None = None) -> bytes:
    def seg(severity: str) -> dict[str, object]:
        return {"id": "1718987129.308396-fqk5ka", "camera": "front_cam", "start_time": 1718987129.308396,
                "end_time": None, "severity": severity,
                "data": {"detections": ["1718987128.947436-g92ztx"], "objects": ["person"], "zones": zones or []}}

    return json.dumps({"type": kind, "before": seg(before), "after": seg(after)}).encode()


def test_a_review_is_logged_once_as_frigates_alert(cams: CameraMaps) -> None:
    new = map_message(cams, "frigate", "frigate/reviews", review("new", "alert", "alert", ["front_yard"]), NOW)
    later = map_message(cams, "frigate", "frigate/reviews", review("update", "detection", "alert"), NOW)
    (event,) = [decode_event(json.dumps(e).encode()) for e in new]
    assert isinstance(event, Video)
    assert (event.event, event.zone, event.label, event.track) == ("present", "yard", "person",
                                                                   "1718987128.947436-g92ztx")
    assert event.attrs == {"frigate_review": "1718987129.308396-fqk5ka", "severity": "alert", "objects": ["person"],
                           "detections": ["1718987128.947436-g92ztx"]}
    assert event.ts == datetime.fromtimestamp(1718987129.308396, UTC)
    assert later[0]["id"] == new[0]["id"], "the same review raised again is a duplicate"
    for kind, before, after, why in (("update", "alert", "alert", "unless Frigate rates it an alert"),
                                     ("end", "alert", "alert", "unless Frigate rates it an alert"),
                                     ("new", "detection", "detection", "unless Frigate rates it an alert"),
                                     ("closed", "alert", "alert", "type must be")):
        with pytest.raises(MappingRefused, match=why):
            map_message(cams, "frigate", "frigate/reviews", review(kind, before, after), NOW)
