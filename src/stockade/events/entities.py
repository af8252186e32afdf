"""The entities an event names, for the store's entity index and for queries.

    >>> from stockade.events.entities import entity_refs
    >>> # Access(door="D-HV", subject="emp-1042", credential="badge:0042", ...) gives
    >>> # [("door", "D-HV"), ("person", "emp-1042"), ("credential", "badge:0042")]
"""

from __future__ import annotations

from typing import Literal

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


def entity_refs(event: Envelope) -> list[EntityRef]:
    """Every (type, id) the event names; duplicates removed, order kept."""
    refs: list[tuple[EntityType, str | None]]
    match event:
        case Access():
            refs = [("door", event.door), ("person", event.subject),
                    ("credential", event.credential)]
        case Door():
            refs = [("door", event.door)]
        case Sensor():
            refs = [("device", event.sensor), ("zone", event.zone), ("person", event.user)]
        case Video():
            refs = [("device", event.camera), ("zone", event.zone), ("truck", event.plate)]
        case Tag():
            refs = [("device", event.reader), ("epc", event.epc)]
        case Stock():
            refs = [("epc", e) for e in event.epcs or ()]
            refs += [("zone", _zone_of(event.from_)), ("zone", _zone_of(event.to)),
                     ("shipment", event.shipment), ("person", event.user)]
        case Device():
            refs = [("device", event.device)]
        case Gate():
            refs = [("device", event.gate), ("truck", event.plate), ("person", event.driver)]
        case Admin():
            refs = [("person", event.actor), ("person", event.target), ("zone", event.zone)]
        case Alert() | Incident():
            e = event.entities
            refs = [("person", x) for x in e.people]
            refs += [("credential", x) for x in e.credentials]
            refs += [("door", x) for x in e.doors]
            refs += [("zone", x) for x in e.zones]
            refs += [("epc", x) for x in e.epcs]
            refs += [("device", x) for x in e.devices]
            refs += [("shipment", x) for x in e.shipments]
            refs += [("vendor", x) for x in e.vendors]
            refs += [("truck", x) for x in e.trucks]
        case Decision():
            refs = [("door", event.door), ("person", event.subject),
                    ("credential", event.credential)]
        case Action():
            refs = [("person", event.actor)]
        case _:
            refs = []
    seen: dict[EntityRef, None] = {}
    for kind, value in refs:
        if value:
            seen[(kind, value)] = None
    return list(seen)
