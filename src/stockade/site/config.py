"""The site file: one YAML document per site, validated strictly.

    >>> import stockade
    >>> from stockade.site.config import load_site
    >>> site = load_site(Path(stockade.__file__).parents[2] / "examples/sites/dc-demo.yaml")  # in a checkout
    >>> site.zone("hv-cage").kind
    'high_value'

Every model forbids unknown keys; cross-references (a door's zones, a person's
role, shift and vendor, a camera's door, …) are checked after the shapes, and
every error names the file, the field path and the problem.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from stockade.site.errors import SiteConfigError
from stockade.site.references import reference_problems
from stockade.site.sources import SourceConfig
from stockade.site.yamlfile import safe_load

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@/-]+$")]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def parse_clock(value: str) -> int:
    """Minutes after midnight of an "HH:MM" clock time ("24:00" is 1440)."""
    if not _CLOCK.match(value):
        raise ValueError(f"{value!r} is not a time of day HH:MM")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


Clock = Annotated[str, Field(description="local time of day, HH:MM; 24:00 is the end of day")]


def _timed(v: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    if v[0].tzinfo is None or v[1].tzinfo is None:
        raise ValueError("window times need an offset (RFC 3339)")
    if v[1] <= v[0]:
        raise ValueError("window ends before it starts")
    return v


TimeSpan = Annotated[tuple[datetime, datetime], AfterValidator(_timed)]
"""A start and an end, RFC 3339 with an offset, the end after the start."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Clocks(Model):
    @field_validator("open", "close", "start", "end", mode="after", check_fields=False)
    @classmethod
    def _clock(cls, v: str) -> str:
        parse_clock(v)
        return v


class Hours(_Clocks):
    days: list[Day] = Field(description="days the site opens")
    open: Clock
    close: Clock = Field(description="may be 24:00, or earlier than open (closes past midnight)")


class Window(_Clocks):
    days: list[Day]
    start: Clock
    end: Clock


class Devices(Model):
    heartbeat_s: int = Field(300, gt=0, description="heartbeat period of cameras, readers, panels, gates")


ZoneKind = Literal["perimeter", "yard", "dock", "storage", "high_value", "office"]


class Zone(Model):
    id: Id
    kind: ZoneKind
    name: str | None = None
    public: bool = Field(False, description="any credentialed person may be here")
    exit: bool = Field(False, description="goods through here leave the site")
    armed_outside_hours: bool = Field(False, description="its panel should be armed while closed")


class DoorConfig(Model):
    id: Id
    zones: tuple[Id, Id] = Field(description="from, to: direction 'in' is from → to")


class Reader(Model):
    id: Id
    zone: Id
    portal: bool = False


class FrigateCamera(Model):
    camera: str = Field(min_length=1, max_length=128, description="the camera's name in Frigate")
    zones: dict[str, Id] = Field(default_factory=dict, description="Frigate zone -> Stockade zone")
    loitering: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="Frigate zones with a loitering_time (seconds): entering one means "
        "the object already loitered that long"
    )


class Camera(Model):
    id: Id
    zones: list[Id] = Field(min_length=1)
    door: Id | None = Field(None, description="the door whose line this camera watches")
    frigate: FrigateCamera | None = Field(None, description="this camera in a Frigate NVR (docs/connectors.md)")


class SensorConfig(Model):
    id: Id
    zone: Id
    type: Literal["motion", "fence", "beam", "glassbreak", "geofence", "panel"]


class GateConfig(Model):
    id: Id
    zone: Id


class Role(Model):
    zones: list[Id] | Literal["*"]
    responder: bool = Field(False, description="may pass a lockdown")
    admin: bool = Field(False, description="may change access rights")

    def allows(self, zone: str) -> bool:
        return self.zones == "*" or zone in self.zones


class Shift(_Clocks):
    days: list[Day] = Field(description="days the shift starts")
    start: Clock
    end: Clock


PersonKind = Literal["employee", "contractor", "vendor", "visitor", "driver"]


class Person(Model):
    id: Id
    kind: PersonKind
    name: str | None = None
    role: Id | None = None
    shift: Id | None = None
    vendor: Id | None = None
    credentials: list[Id] = Field(default_factory=list)
    leave: list[tuple[date, date]] = Field(default_factory=list, description="inclusive date ranges")

    @model_validator(mode="after")
    def _leave_ordered(self) -> Person:
        for first, last in self.leave:
            if last < first:
                raise ValueError(f"leave {first}..{last} ends before it starts")
        return self


class Contract(_Clocks):
    zones: list[Id]
    days: list[Day]
    start: Clock
    end: Clock


class Vendor(Model):
    id: Id
    name: str | None = None
    contract: Contract
    assessment_expires: date


class Sku(Model):
    sku: Id
    name: str
    value: float = Field(ge=0)
    high_value: bool = False


class Appointment(Model):
    id: Id
    direction: Literal["inbound", "outbound"]
    gate: Id
    carrier: str
    plate: str | None = None
    driver: Id | None = None
    window: TimeSpan
    shipment: Id | None = None
    trailer: str | None = None


class PlannedWork(Model):
    """Announced work the events alone cannot explain: a maintenance window or a drill."""

    id: Id
    kind: Literal["maintenance", "drill"]
    window: TimeSpan = Field(description="RFC 3339 with offset, start then end")
    devices: list[Id] = Field(default_factory=list, description="maintenance: devices that may go down; empty: any")
    zones: list[Id] = Field(default_factory=list, description="zones concerned; empty: the whole site")
    note: str = ""


class Policy(Model):
    require_signatures: list[Id] = Field(
        default_factory=list, description="sources whose unsigned events are rejected"
    )


class SiteConfig(Model):
    """One site: its layout, people, calendar and rules."""

    site: Id
    name: str
    timezone: str
    origin: str | None = Field(None, description="ledger origin line; default stockade/<site>")
    hours: list[Hours] | None = Field(None, description="omit for 24/7")
    change_windows: list[Window] = Field(default_factory=list)
    walk_s_per_hop: float = Field(20, gt=0)
    devices: Devices = Field(default_factory=lambda: Devices())
    zones: list[Zone] = Field(min_length=1)
    doors: list[DoorConfig] = Field(default_factory=list)
    readers: list[Reader] = Field(default_factory=list)
    cameras: list[Camera] = Field(default_factory=list)
    sensors: list[SensorConfig] = Field(default_factory=list)
    gates: list[GateConfig] = Field(default_factory=list)
    roles: dict[Id, Role] = Field(default_factory=dict)
    shifts: dict[Id, Shift] = Field(default_factory=dict)
    people: list[Person] = Field(default_factory=list)
    vendors: list[Vendor] = Field(default_factory=list)
    skus: list[Sku] = Field(default_factory=list)
    appointments: list[Appointment] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(
        default_factory=list, description="systems other than devices and what they may send")
    policy: Policy = Field(default_factory=lambda: Policy())
    planned: list[PlannedWork] = Field(
        default_factory=list, description="announced maintenance windows and drills (optional)")
    locations: dict[Annotated[str, Field(min_length=1, max_length=256)], Id] = Field(
        default_factory=dict,
        description="EPCIS readPoint / bizLocation ids (SGLN URNs or GS1 Digital Links) -> zone or zone/bin",
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {v!r}") from e
        return v

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- lookups, built once -------------------------------------------------

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def zones_by_id(self) -> dict[str, Zone]:
        return {z.id: z for z in self.zones}

    @cached_property
    def doors_by_id(self) -> dict[str, DoorConfig]:
        return {d.id: d for d in self.doors}

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def person_by_credential(self) -> dict[str, Person]:
        return {c: p for p in self.people for c in p.credentials}

    @cached_property
    def vendors_by_id(self) -> dict[str, Vendor]:
        return {v.id: v for v in self.vendors}

    @cached_property
    def skus_by_id(self) -> dict[str, Sku]:
        return {s.sku: s for s in self.skus}

    @cached_property
    def sources_by_id(self) -> dict[str, SourceConfig]:
        return {x.id: x for x in self.sources}

    @cached_property
    def device_ids(self) -> frozenset[str]:
        return frozenset(
            [r.id for r in self.readers] + [c.id for c in self.cameras]
            + [s.id for s in self.sensors] + [g.id for g in self.gates]
            + [d.id for d in self.doors]
        )

    @property
    def ledger_origin(self) -> str:
        return self.origin or f"stockade/{self.site}"

    def zone(self, zone_id: str) -> Zone:
        return self.zones_by_id[zone_id]


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {msg}")
    return "\n".join(lines)


def parse_site(data: object, source: str = "<site>") -> SiteConfig:
    """Validate an already-parsed YAML document."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as e:
        raise SiteConfigError(source, _describe(e)) from e


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate one site file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SiteConfigError(str(p), f"cannot read: {e.strerror}") from e
    try:
        data = safe_load(text)
    except yaml.YAMLError as e:
        raise SiteConfigError(str(p), f"not valid YAML: {e}") from e
    return parse_site(data, str(p))
