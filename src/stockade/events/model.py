"""SEF/1, the Stockade Event Format: one typed struct per event kind.

Every event shares the envelope (``id``, ``kind``, ``ts``, ``site``, ``source``,
``seq``, ``sig``, ``attrs``); ``kind`` is the tag that selects the struct. Input
kinds come from devices and systems; output kinds (``alert``, ``incident``,
``decision``, ``action``, ``checkpoint``) are written by Stockade to the same log.

    >>> from stockade.events import decode_event
    >>> ev = decode_event(b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00+01:00",'
    ...                   b'"site":"dc-paris-1","source":"bus"}')
    >>> type(ev).__name__
    'Tick'

Structs are frozen: events are facts, and the log is never updated in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

# Counters stay within ±(2**53 - 1), what RFC 8785 / I-JSON carry exactly; number fields (Number,
# NonNegative) take any double, checked at decode (see stockade.events.limits).
_SAFE = 2**53 - 1
EventId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._:-]{1,128}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Time = Annotated[datetime, msgspec.Meta(tz=True)]
Seq = Annotated[int, msgspec.Meta(ge=0, le=_SAFE)]
Count = Annotated[int, msgspec.Meta(ge=0, le=_SAFE)]
Integer = Annotated[int, msgspec.Meta(ge=-_SAFE, le=_SAFE)]
Number = int | float
NonNegative = Annotated[int, msgspec.Meta(ge=0)] | Annotated[float, msgspec.Meta(ge=0)]
Unit = Annotated[int, msgspec.Meta(ge=0, le=1)] | Annotated[float, msgspec.Meta(ge=0, le=1)]

Factor = Literal["badge", "pin", "face", "fingerprint", "mobile"]
Direction = Literal["in", "out"]
Severity = Literal["info", "low", "medium", "high", "critical"]

SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")


class Envelope(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    tag_field="kind",
    kw_only=True,
    omit_defaults=True,
):
    """Fields every SEF/1 event carries. Not an event on its own."""

    kind: ClassVar[str]  # the tag, set on each concrete kind below

    id: EventId
    ts: Time
    site: Name
    source: Name
    seq: Seq | None = None
    sig: str | None = None
    attrs: dict[str, Any] | None = None


# --- input kinds -------------------------------------------------------------


class Access(Envelope, tag="access", frozen=True):
    door: Name
    result: Literal["granted", "denied"]
    factors: list[Factor]
    subject: Name | None = None
    credential: Name | None = None
    reason: str | None = None
    direction: Direction | None = None


class Door(Envelope, tag="door", frozen=True):
    door: Name
    state: Literal["open", "closed", "forced", "held", "locked", "unlocked"]
    duration_s: NonNegative | None = None


SensorType = Literal[
    "motion", "fence", "beam", "glassbreak", "geofence", "tamper", "arm", "disarm", "alarm"
]


class Sensor(Envelope, tag="sensor", frozen=True):
    sensor: Name
    zone: Name
    type: SensorType
    user: Name | None = None
    value: Number | None = None


class Video(Envelope, tag="video", frozen=True):
    camera: Name
    label: Name
    event: Literal["enter", "exit", "present", "loiter", "line_cross"]
    zone: Name | None = None
    track: Name | None = None
    count: Count | None = None
    dwell_s: NonNegative | None = None
    plate: Name | None = None
    score: Unit | None = None


class Tag(Envelope, tag="tag", frozen=True):
    reader: Name
    epc: Name
    antenna: Count | None = None
    rssi: Number | None = None
    direction: Direction | None = None


StockOp = Literal["receive", "putaway", "move", "pick", "ship", "adjust", "count"]


class Stock(Envelope, tag="stock", frozen=True):
    op: StockOp
    sku: Name | None = None
    qty: Integer | None = None
    epcs: list[Name] | None = None
    from_: Name | None = msgspec.field(default=None, name="from")
    to: Name | None = None
    order: Name | None = None
    shipment: Name | None = None
    user: Name | None = None
    reason: str | None = None
    seal: Name | None = None
    trailer: Name | None = None


DeviceStatus = Literal[
    "online", "offline", "tamper", "fault", "recording_stopped", "recording_started"
]


class Device(Envelope, tag="device", frozen=True):
    device: Name
    status: DeviceStatus
    detail: str | None = None


class Gate(Envelope, tag="gate", frozen=True):
    gate: Name
    direction: Direction
    plate: Name | None = None
    carrier: Name | None = None
    driver: Name | None = None
    trailer: Name | None = None
    seal: Name | None = None
    appointment: Name | None = None


class Admin(Envelope, tag="admin", frozen=True):
    actor: Name
    action: Name
    target: Name | None = None
    zone: Name | None = None
    start: Time | None = None
    end: Time | None = None
    detail: str | None = None


class Tick(Envelope, tag="tick", frozen=True):
    """Advances event time for a site with no traffic."""


# --- output kinds: written by Stockade ---------------------------------------


class Entities(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=False):
    """Who and what an alert or incident is about, ids exactly as in events and site files."""

    people: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()
    doors: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    epcs: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    shipments: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    trucks: tuple[str, ...] = ()


ENTITY_FIELDS: tuple[str, ...] = Entities.__struct_fields__
"""The entity lists an alert or incident names, in their order (people, credentials, …, trucks)."""


class Alert(Envelope, tag="alert", frozen=True):
    detector: Name
    severity: Severity
    entities: Entities
    evidence: tuple[str, ...]
    summary: str


IncidentStatus = Literal["new", "acknowledged", "contained", "resolved", "closed"]


class Incident(Envelope, tag="incident", frozen=True):
    """One version of an incident; each change is a new event with the same ``incident``."""

    incident: Name
    pattern: Name
    severity: Severity
    status: IncidentStatus
    start: Time
    end: Time
    entities: Entities
    alerts: tuple[str, ...]
    evidence: tuple[str, ...]
    summary: str
    actor: Name | None = None


class Decision(Envelope, tag="decision", frozen=True):
    """An access decision with the inputs that made it; never a secret or a template."""

    door: Name
    result: Literal["allow", "deny", "step_up"]
    reasons: tuple[str, ...]
    policies: tuple[str, ...]
    policy_hash: str
    factors: tuple[Factor, ...] = ()
    credential: Name | None = None
    subject: Name | None = None
    step_up: Factor | None = None


class Action(Envelope, tag="action", frozen=True):
    """A playbook step or an operator action and its outcome."""

    action: Name
    outcome: Literal["ok", "failed", "pending", "skipped"]
    incident: Name | None = None
    playbook: Name | None = None
    target: Name | None = None
    actor: Name | None = None
    detail: str | None = None


class Checkpoint(Envelope, tag="checkpoint", frozen=True):
    size: Count
    root: str


InputEvent = Access | Door | Sensor | Video | Tag | Stock | Device | Gate | Admin | Tick
Event = (
    Access | Door | Sensor | Video | Tag | Stock | Device | Gate | Admin | Tick
    | Alert | Incident | Decision | Action | Checkpoint
)

INPUT_TYPES: tuple[type[Envelope], ...] = (
    Access, Door, Sensor, Video, Tag, Stock, Device, Gate, Admin, Tick
)
OUTPUT_TYPES: tuple[type[Envelope], ...] = (Alert, Incident, Decision, Action, Checkpoint)
KINDS: dict[str, type[Envelope]] = {}
for _t in INPUT_TYPES + OUTPUT_TYPES:
    _t.kind = str(_t.__struct_config__.tag)
    KINDS[_t.kind] = _t
INPUT_KINDS: frozenset[str] = frozenset(t.kind for t in INPUT_TYPES)
OUTPUT_KINDS: frozenset[str] = frozenset(t.kind for t in OUTPUT_TYPES)
