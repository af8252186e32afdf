"""Frigate's MQTT payloads to SEF/1: pure functions, no I/O, no clock (``now`` is passed in).

    >>> cams = CameraMaps.of_site(site)                                       # doctest: +SKIP
    >>> map_message(cams, "frigate", "frigate/available", b"offline", now)    # doctest: +SKIP
    [{'kind': 'device', 'device': 'C-DOCKOUT-1', 'status': 'offline', ...}, ...]

What Frigate actually sends (frigate/track/object_processing.py, research §1.2):

* ``frigate/events`` ``{type, before, after}``: ``new`` is the first message after an
  object stops being a false positive (its ``before`` may still be one) -> ``enter``;
  ``update`` comes at key moments and about once a minute for a stationary object, so
  only a change counts: a mapped zone in ``after.current_zones`` that was not in
  ``before.current_zones`` -> ``enter`` (or ``loiter`` if the site file says the
  Frigate zone has a ``loitering_time``: Frigate admits an object to such a zone only
  after it loitered), a licence plate seen for the first time -> ``present`` with
  ``plate``; anything else is a repeat, refused as such; ``end`` (sent only for real
  objects) -> ``exit`` with ``dwell_s``. Old payloads (<= 0.12) have ``snapshot_time``
  and no ``snapshot``; every optional key may be missing.
* ``frigate/available`` ``online`` / ``offline`` (its last will) / ``stopped`` ->
  a ``device`` event for every camera of this Frigate: Frigate down is every camera blind.
* ``frigate/<camera>/status/<role>``: ``record`` ``offline``/``disabled`` ->
  ``recording_stopped`` (``online`` -> ``recording_started``); ``detect`` ``offline`` /
  ``disabled`` -> ``offline`` (``online`` -> ``online``).
* ``frigate/tracked_object_update``: ``lpr`` -> ``present`` with ``plate``; ``face`` ->
  ``present`` (the name in ``attrs.face``); a GenAI ``description`` is not a fact.
* ``frigate/reviews`` ``{type, before, after}`` (a review groups tracked objects already
  mapped from ``frigate/events``): Frigate's own judgement that a segment is an *alert*
  (its ``review.alerts`` labels and required zones) is the fact it adds. A ``new`` review
  of severity ``alert``, or an ``update`` that raises ``detection`` to ``alert``, ->
  ``present`` with ``attrs.frigate_review`` (the review id), ``severity``, ``objects`` and
  ``detections`` (whose first is ``track``, a Frigate event id evidence can retain), in the
  first mapped zone of ``data.zones``; its id is a digest of camera and review, so the
  ``new`` and a later escalation of the same review are one event. A detection-level
  review, any other ``update`` and ``end`` are refused as adding nothing (the objects'
  exits come from ``frigate/events``).

``track`` is Frigate's event id, so evidence can ask Frigate for the clip. Ids are a
digest of the facts (camera, track, what, zone, Frigate's frame time), so a redelivered
message maps to the same ids and is a duplicate. Every refusal raises
:class:`MappingRefused` with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stockade.connectors.errors import MappingRefused
from stockade.site import SiteConfig

Event = dict[str, object]


@dataclass(frozen=True, slots=True)
class CameraMap:
    camera: str  # the Stockade camera id
    zones: Mapping[str, str]
    loitering: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class CameraMaps:
    site: str
    by_frigate: Mapping[str, CameraMap]

    @classmethod
    def of_site(cls, site: SiteConfig) -> CameraMaps:
        return cls(site.site, {c.frigate.camera: CameraMap(c.id, dict(c.frigate.zones), dict(c.frigate.loitering))
                               for c in site.cameras if c.frigate is not None})

    def camera(self, name: object) -> CameraMap:
        if not isinstance(name, str):
            raise MappingRefused("the payload names no camera", "camera")
        found = self.by_frigate.get(name)
        if found is None:
            raise MappingRefused(f"Frigate camera {name[:64]!r} is not mapped in the site file "
                                 f"(cameras[].frigate.camera) of {self.site}", "camera")
        return found


def _digest(*parts: object) -> str:
    return "frigate:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


def _ts(value: object, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 10**10:
        raise MappingRefused(f"{what} must be a Unix time in seconds", what)
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="microseconds")


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="milliseconds")


def _json(payload: bytes) -> dict[str, Any]:
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as e:
        raise MappingRefused("not JSON", "payload") from e
    if not isinstance(body, dict):
        raise MappingRefused("a JSON object was expected", "payload")
    return body


def _zones(obj: Mapping[str, Any], key: str) -> list[str]:
    value = obj.get(key) or []
    return [z for z in value if isinstance(z, str)] if isinstance(value, list) else []


def _plate(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("recognized_license_plate")
    if isinstance(value, list) and value:
        value = value[0]
    return value[:256] if isinstance(value, str) and value else None


def _score(obj: Mapping[str, Any]) -> float | None:
    value = obj.get("top_score", obj.get("score"))
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else None


def _video(cams: CameraMaps, cam: CameraMap, obj: Mapping[str, Any], what: str, ts: str,
           zone: str | None, **extra: object) -> Event:
    track = obj.get("id")
    label = obj.get("label")
    if not isinstance(track, str) or not track or not isinstance(label, str) or not label:
        raise MappingRefused("a tracked object needs its id and label", "after")
    event: Event = {"id": _digest(cam.camera, track, what, zone, ts, extra.get("plate")), "kind": "video", "ts": ts,
                    "site": cams.site, "source": cam.camera, "camera": cam.camera, "label": label[:256],
                    "event": what, "track": track[:256]}
    if zone is not None:
        event["zone"] = zone
    if (score := _score(obj)) is not None:
        event["score"] = score
    event.update({k: v for k, v in extra.items() if v is not None})
    return event


def map_events(cams: CameraMaps, payload: bytes) -> list[Event]:
    body = _json(payload)
    kind, before, after = body.get("type"), body.get("before") or {}, body.get("after")
    if not isinstance(after, dict) or not isinstance(before, dict):
        raise MappingRefused("a frigate/events message has before and after objects", "after")
    cam = cams.camera(after.get("camera"))
    if after.get("false_positive") is True:
        raise MappingRefused("a false positive (Frigate sends new once it is not)", "after.false_positive")
    frame_ts = _ts(after.get("frame_time"), "after.frame_time")
    now_zones = [z for z in _zones(after, "current_zones") if z in cam.zones]
    if kind == "new":
        events = [_video(cams, cam, after, "enter", frame_ts, None, plate=_plate(after))]
        return events + [_zone_event(cams, cam, after, frame_ts, z) for z in now_zones]
    if kind == "update":
        was_real = before.get("false_positive") is not True
        had = set(_zones(before, "current_zones")) if was_real else set()
        events = [_zone_event(cams, cam, after, frame_ts, z) for z in now_zones if z not in had]
        plate = _plate(after)
        if plate is not None and plate != _plate(before):
            events.append(_video(cams, cam, after, "present", frame_ts, cam.zones[now_zones[0]] if now_zones
                                 else None, plate=plate))
        if not events:
            raise MappingRefused("a repeat: no mapped zone entered and no new plate (stationary or "
                                 "snapshot update)", "after")
        return events
    if kind == "end":
        end = after.get("end_time")
        end_ts = _ts(end, "after.end_time") if end is not None else frame_ts
        start = after.get("start_time")
        dwell = (float(end) - float(start) if isinstance(end, int | float) and isinstance(start, int | float)
                 and end >= start else None)
        zone = cam.zones[now_zones[0]] if now_zones else None
        return [_video(cams, cam, after, "exit", end_ts, zone, dwell_s=dwell)]
    raise MappingRefused(f"type must be new, update or end, not {str(kind)[:20]!r}", "type")


def _zone_event(cams: CameraMaps, cam: CameraMap, obj: Mapping[str, Any], ts: str, fzone: str) -> Event:
    loiter = cam.loitering.get(fzone)
    if loiter is not None:
        return _video(cams, cam, obj, "loiter", ts, cam.zones[fzone], dwell_s=loiter)
    return _video(cams, cam, obj, "enter", ts, cam.zones[fzone])


def _device(cams: CameraMaps, cam: str, status: str, detail: str, now: datetime, topic: str, value: str) -> Event:
    ts = _stamp(now)
    return {"id": _digest(cam, topic, value, ts), "kind": "device", "ts": ts, "site": cams.site, "source": cam,
            "device": cam, "status": status, "detail": detail}


AVAILABLE = {"online": ("online", "Frigate online"), "offline": ("offline", "Frigate offline (its last will)"),
             "stopped": ("offline", "Frigate stopped")}
STATUS = {("record", "offline"): "recording_stopped", ("record", "disabled"): "recording_stopped",
          ("record", "online"): "recording_started", ("detect", "offline"): "offline",
          ("detect", "disabled"): "offline", ("detect", "online"): "online"}


def _value(payload: bytes) -> str:
    try:
        return payload.decode("ascii").strip()
    except UnicodeDecodeError as e:
        raise MappingRefused("a status is ASCII text", "payload") from e


def map_available(cams: CameraMaps, payload: bytes, now: datetime, topic: str) -> list[Event]:
    value = _value(payload)
    if value not in AVAILABLE:
        raise MappingRefused(f"frigate/available is online, offline or stopped, not {value[:20]!r}", "payload")
    if not cams.by_frigate:
        raise MappingRefused(f"no camera of {cams.site} is mapped to Frigate in the site file", "camera")
    status, detail = AVAILABLE[value]
    return [_device(cams, c.camera, status, detail, now, topic, value) for c in cams.by_frigate.values()]


def map_status(cams: CameraMaps, camera: str, role: str, payload: bytes, now: datetime, topic: str) -> list[Event]:
    value = _value(payload)
    cam = cams.camera(camera)
    status = STATUS.get((role, value))
    if status is None:
        raise MappingRefused(f"{role} status {value[:20]!r} is not watched (record and detect: online, offline, "
                             "disabled)", "payload")
    return [_device(cams, cam.camera, status, f"Frigate {role} {value}", now, topic, value)]


def map_tracked_update(cams: CameraMaps, payload: bytes) -> list[Event]:
    body = _json(payload)
    kind = body.get("type")
    if kind not in ("lpr", "face"):
        raise MappingRefused(f"a {str(kind)[:20]!r} update is not a fact Stockade logs (lpr and face are)", "type")
    cam = cams.camera(body.get("camera"))
    ts = _ts(body.get("timestamp"), "timestamp")
    obj = {"id": body.get("id"), "label": "car" if kind == "lpr" else "person", "score": body.get("score")}
    if kind == "lpr":
        plate = body.get("plate")
        if not isinstance(plate, str) or not plate:
            raise MappingRefused("an lpr update carries the plate", "plate")
        return [_video(cams, cam, obj, "present", ts, None, plate=plate[:256])]
    name = body.get("name")
    return [_video(cams, cam, obj, "present", ts, None,
                   attrs={"face": name[:256] if isinstance(name, str) else None})]


def _strings(value: object, limit: int = 32) -> list[str]:
    return [v[:256] for v in value if isinstance(v, str) and v][:limit] if isinstance(value, list) else []


def map_review(cams: CameraMaps, payload: bytes, now: datetime) -> list[Event]:
    """A review segment that Frigate rates an alert (new as one, or raised to one) -> ``present``."""
    body = _json(payload)
    kind, before, after = body.get("type"), body.get("before") or {}, body.get("after")
    if not isinstance(after, dict) or not isinstance(before, dict):
        raise MappingRefused("a frigate/reviews message has before and after objects", "after")
    cam = cams.camera(after.get("camera"))
    review = after.get("id")
    if not isinstance(review, str) or not review:
        raise MappingRefused("a review needs its id", "after.id")
    if kind not in ("new", "update", "end"):
        raise MappingRefused(f"type must be new, update or end, not {str(kind)[:20]!r}", "type")
    raised = kind == "update" and before.get("severity") != "alert"
    if kind == "end" or after.get("severity") != "alert" or not (kind == "new" or raised):
        raise MappingRefused("a review adds nothing here unless Frigate rates it an alert (new as one, or raised "
                             "to one): its objects are logged from frigate/events", "after.severity")
    data = after.get("data")
    if not isinstance(data, dict):
        data = {}
    detections, objects = _strings(data.get("detections")), _strings(data.get("objects"))
    zone = next((cam.zones[z] for z in _strings(data.get("zones")) if z in cam.zones), None)
    ts = _ts(after.get("start_time"), "after.start_time") if kind == "new" else _stamp(now)
    event: Event = {"id": _digest(cam.camera, "review-alert", review), "kind": "video", "ts": ts, "site": cams.site,
                    "source": cam.camera, "camera": cam.camera, "label": objects[0] if objects else "object",
                    "event": "present", "track": detections[0] if detections else review[:256],
                    "attrs": {"frigate_review": review[:256], "severity": "alert", "objects": objects,
                              "detections": detections}}
    if zone is not None:
        event["zone"] = zone
    return [event]


def map_message(cams: CameraMaps, prefix: str, topic: str, payload: bytes, now: datetime) -> list[Event]:
    """Route one message of Frigate's by its topic; MappingRefused says why it logs nothing."""
    parts = topic.split("/")
    if parts[0] != prefix:
        raise MappingRefused(f"topic {topic[:80]!r} is not under Frigate's prefix {prefix!r}", "topic")
    rest = parts[1:]
    if rest == ["events"]:
        return map_events(cams, payload)
    if rest == ["available"]:
        return map_available(cams, payload, now, topic)
    if rest == ["tracked_object_update"]:
        return map_tracked_update(cams, payload)
    if rest == ["reviews"]:
        return map_review(cams, payload, now)
    if len(rest) == 3 and rest[1] == "status":
        return map_status(cams, rest[0], rest[2], payload, now, topic)
    raise MappingRefused(f"topic {topic[:80]!r} is not one Stockade maps", "topic")
