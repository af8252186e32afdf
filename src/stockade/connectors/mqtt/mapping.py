"""Pure mapping between Stockade's MQTT topics and SEF/1 (no I/O, no clock: ``now`` is passed in).

    >>> route = parse_topic("stockade", "stockade/dc-demo/door/D-DOCK-2/state")
    >>> route.kind, route.site, route.name
    ('door_state', 'dc-demo', 'D-DOCK-2')
    >>> door_state_event(route, b"LOCKED", datetime(2026, 12, 1, tzinfo=UTC))["state"]
    'locked'

Topics (``<p>`` is the prefix, ``stockade`` by default):

    <p>/<site>/events/<source>            in   SEF/1, one JSON object or NDJSON
    <p>/<site>/results/<source>           out  one result per line of what <source> sent
    <p>/<site>/door/<door>/state          in   Home Assistant lock state -> a door (or device) event
    <p>/<site>/door/<door>/set            out  a signed JSON command, or plain LOCK / UNLOCK
    <p>/<site>/controller/<id>/available  in   online / offline -> a device event
    <p>/node/<node>/available             out  retained online / offline (the node's last will)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import msgspec

from stockade.connectors.base import Outcome
from stockade.connectors.errors import MappingRefused

_WORD = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
RouteKind = Literal["events", "door_state", "controller"]

# Home Assistant MQTT lock states -> SEF/1. LOCKING / UNLOCKING are on the way to a state: the
# state itself follows. JAMMED is a fault of the lock, so it is a device event about the door.
LOCK_STATES: dict[str, str] = {"LOCKED": "locked", "UNLOCKED": "unlocked", "OPEN": "open"}
TRANSITIONAL = frozenset({"LOCKING", "UNLOCKING", "OPENING"})
AVAILABILITY: dict[str, str] = {"online": "online", "offline": "offline"}


@dataclass(frozen=True, slots=True)
class Route:
    kind: RouteKind
    site: str
    name: str  # the source, door or controller the topic names


def parse_topic(prefix: str, topic: str) -> Route:
    """Which of Stockade's inbound topics this is; MappingRefused names what is wrong."""
    parts = topic.split("/")
    if len(parts) < 4 or parts[0] != prefix:
        raise MappingRefused(f"topic {topic!r} is not one of Stockade's inbound topics", "topic")
    bad = next((p for p in parts[1:] if not _WORD.match(p)), None)
    if bad is not None:
        raise MappingRefused(f"topic level {bad[:40]!r} is not an id (letters, digits, . _ : -)", "topic")
    site, what, name = parts[1], parts[2], parts[3]
    if len(parts) == 4 and what == "events":
        return Route("events", site, name)
    if len(parts) == 5 and what == "door" and parts[4] == "state":
        return Route("door_state", site, name)
    if len(parts) == 5 and what == "controller" and parts[4] == "available":
        return Route("controller", site, name)
    raise MappingRefused(f"topic {topic!r} is not one of Stockade's inbound topics", "topic")


def _text(payload: bytes, what: str) -> str:
    try:
        return payload.decode("ascii").strip()
    except UnicodeDecodeError as e:
        raise MappingRefused(f"{what} must be ASCII text", "payload") from e


def _event_id(prefix: str, *parts: str) -> str:
    """An id from the facts and the time of receipt (the adapter skips a state it logged last)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"{prefix}:{digest}"


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="milliseconds")


def door_state_event(route: Route, payload: bytes, now: datetime) -> dict[str, object]:
    """A Home Assistant lock state as a SEF/1 ``door`` event (``device`` fault for JAMMED)."""
    state = _text(payload, "a lock state")
    ts = _stamp(now)
    common = {"ts": ts, "site": route.site, "source": route.name, "attrs": {"ha_state": state}}
    if state in LOCK_STATES:
        return {"id": _event_id("ha", route.site, route.name, state, ts), "kind": "door",
                "door": route.name, "state": LOCK_STATES[state], **common}
    if state == "JAMMED":
        return {"id": _event_id("ha", route.site, route.name, state, ts), "kind": "device",
                "device": route.name, "status": "fault", "detail": "lock jammed", **common}
    if state in TRANSITIONAL:
        raise MappingRefused(f"{state} is on the way to a state; the state that follows is logged", "payload")
    raise MappingRefused(f"{state[:40]!r} is not a Home Assistant lock state "
                         "(LOCKED, UNLOCKED, LOCKING, UNLOCKING, JAMMED, OPEN)", "payload")


def controller_event(route: Route, payload: bytes, now: datetime) -> dict[str, object]:
    """A controller's ``online`` / ``offline`` as a SEF/1 ``device`` event."""
    value = _text(payload, "availability")
    if value not in AVAILABILITY:
        raise MappingRefused(f"availability must be online or offline, not {value[:40]!r}", "payload")
    ts = _stamp(now)
    return {"id": _event_id("avail", route.site, route.name, value, ts), "kind": "device", "ts": ts,
            "site": route.site, "source": route.name, "device": route.name, "status": AVAILABILITY[value]}


_encode = msgspec.json.Encoder().encode


def encode_lines(events: Sequence[dict[str, object]]) -> list[bytes]:
    return [_encode(e) for e in events]


def results_payload(outcomes: Sequence[Outcome]) -> bytes:
    """NDJSON of one result per line, for ``<p>/<site>/results/<source>``."""
    return b"\n".join(_encode(o.to_json()) for o in outcomes)


def results_topic(prefix: str, site: str, source: str) -> str:
    return f"{prefix}/{site}/results/{source}"


def door_set_topic(prefix: str, site: str, door: str) -> str:
    return f"{prefix}/{site}/door/{door}/set"


def door_state_topic(prefix: str, site: str, door: str) -> str:
    return f"{prefix}/{site}/door/{door}/state"


def node_available_topic(prefix: str, node: str) -> str:
    return f"{prefix}/node/{node}/available"


def ack_topic(prefix: str, node: str) -> str:
    """Where controllers answer door commands (the MQTT 5 response topic)."""
    return f"{prefix}/node/{node}/door-acks"
