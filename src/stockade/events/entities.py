"""The entities an event names, for the store's entity index and for queries.

    >>> from stockade.events.entities import entity_refs
    >>> # Access(door="D-HV", subject="emp-1042", credential="badge:0042", ...) gives
    >>> # [("door", "D-HV"), ("person", "emp-1042"), ("credential", "badge:0042")]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from stockade.events.model import (
    Access,
    Action,
    Admin,
    Alert,
    Decision,
    Device,
    Door,
    Envelope,
    Gate,
    Incident,
    Sensor,
    Stock,
    Tag,
    Video,
)

EntityType = Literal[
    "person", "credential", "door", "zone", "epc", "device", "shipment", "vendor", "truck"
]
ENTITY_TYPES: tuple[EntityType, ...] = (
    "person", "credential", "door", "zone", "epc", "device", "shipment", "vendor", "truck"
)
EntityRef = tuple[EntityType, str]


def _zone_of(location: str | None) -> str | None:
    return location.split("/", 1)[0] if location else None


def _refs(pairs: list[tuple[EntityType, str | None]]) -> list[EntityRef]:
    """The pairs with a value, duplicates removed, order kept."""
    seen: dict[EntityRef, None] = {}
    for kind, value in pairs:
        if value:
            seen[(kind, value)] = None
    return list(seen)


def _access(e: Access | Decision) -> list[EntityRef]:
    return _refs([("door", e.door), ("person", e.subject), ("credential", e.credential)])


def _stock(e: Stock) -> list[EntityRef]:
    return _refs([*(("epc", x) for x in e.epcs or ()), ("zone", _zone_of(e.from_)), ("zone", _zone_of(e.to)),
                  ("shipment", e.shipment), ("person", e.user)])


def _named(e: Alert | Incident) -> list[EntityRef]:
    n = e.entities
    pairs: list[tuple[EntityType, str | None]] = [("person", x) for x in n.people]
    for kind, values in (("credential", n.credentials), ("door", n.doors), ("zone", n.zones), ("epc", n.epcs),
                         ("device", n.devices), ("shipment", n.shipments), ("vendor", n.vendors),
                         ("truck", n.trucks)):
        pairs += [(kind, x) for x in values]  # type: ignore[misc]  # kind is one of EntityType's literals
    return _refs(pairs)


def _tag(e: Tag) -> list[EntityRef]:  # the commonest event: two types, so no duplicate to remove
    refs: list[EntityRef] = []
    if e.reader:
        refs.append(("device", e.reader))
    if e.epc:
        refs.append(("epc", e.epc))
    return refs


def _one(kind: EntityType, value: str) -> list[EntityRef]:
    return [(kind, value)] if value else []


_BY_TYPE: dict[type, Callable[[Any], list[EntityRef]]] = {
    Access: _access,
    Decision: _access,
    Door: lambda e: _one("door", e.door),
    Sensor: lambda e: _refs([("device", e.sensor), ("zone", e.zone), ("person", e.user)]),
    Video: lambda e: _refs([("device", e.camera), ("zone", e.zone), ("truck", e.plate)]),
    Tag: _tag,
    Stock: _stock,
    Device: lambda e: _one("device", e.device),
    Gate: lambda e: _refs([("device", e.gate), ("truck", e.plate), ("person", e.driver)]),
    Admin: lambda e: _refs([("person", e.actor), ("person", e.target), ("zone", e.zone)]),
    Alert: _named,
    Incident: _named,
    Action: lambda e: _refs([("person", e.actor)]),
}


def entity_refs(event: Envelope) -> list[EntityRef]:
    """Every (type, id) the event names; duplicates removed, order kept."""
    refs = _BY_TYPE.get(type(event))
    return refs(event) if refs is not None else []


UNINDEXED = "a device's heartbeats (device events with status online) and a reader's tag reads"
"""What the store's entity index leaves out of a device's history (:func:`indexed_refs`)."""


def indexed_refs(event: Envelope) -> list[EntityRef]:
    """The entities the store's entity index files the event under: all it names
    (:func:`entity_refs`) but the device of a heartbeat (a ``device`` event ``online``) or of a tag
    read. Those are most of a site's events (two thirds of the rows they would add are the reader
    and heartbeat rows of the quiet week) and no history query wants them one by one; they stay in
    the log, found by kind and time (``kind=device`` / ``kind=tag``)."""
    refs = entity_refs(event)
    if isinstance(event, Tag) or (isinstance(event, Device) and event.status == "online"):
        return [r for r in refs if r[0] != "device"]
    return refs
