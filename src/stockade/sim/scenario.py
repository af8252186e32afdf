"""Scenario files: which site, when, how busy, which oddities, which attacks.

    >>> sc = load_scenario("examples/scenarios/quiet-week.yaml")   # doctest: +SKIP
    >>> sc.duration_s / 86400, len(sc.attacks)                      # doctest: +SKIP
    (7.0, 0)

A scenario is YAML validated strictly (unknown keys are errors); every error
names the file, the field path and the problem. The site path is relative to
the scenario file. Anything an attack does not pin (actor, zone, time, size)
is drawn from the seed, so one attack type varies from scenario to scenario.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stockade.sim.errors import ScenarioError
from stockade.site import SiteConfig, SiteConfigError, load_site
from stockade.site.yamlfile import safe_load

CATALOGUE_TYPES: tuple[str, ...] = (
    "insider_after_hours_theft", "tailgating", "cloned_badge", "blind_and_grab",
    "fictitious_pickup", "record_cover_up", "perimeter_breach", "vendor_out_of_scope",
    "self_grant", "slow_shrinkage", "cloned_tag", "badge_probing", "propped_door",
    "dock_loitering", "seal_swap", "event_suppression",
)
# the novel tier (sim/attacks/novel.py): outside the catalogue's types, written against docs/threats.md
NOVEL_TYPES: tuple[str, ...] = (
    "phantom_record", "split_theft", "borrowed_badge", "maintenance_cover", "guard_collusion",
)
ATTACK_TYPES: tuple[str, ...] = CATALOGUE_TYPES + NOVEL_TYPES
AttackType = Literal[
    "insider_after_hours_theft", "tailgating", "cloned_badge", "blind_and_grab",
    "fictitious_pickup", "record_cover_up", "perimeter_breach", "vendor_out_of_scope",
    "self_grant", "slow_shrinkage", "cloned_tag", "badge_probing", "propped_door",
    "dock_loitering", "seal_swap", "event_suppression",
    "phantom_record", "split_theft", "borrowed_badge", "maintenance_cover", "guard_collusion",
]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s)\s*$")
_UNIT_S = {"d": 86400, "h": 3600, "m": 60, "s": 1}
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local HH:MM")]


def parse_duration(text: str) -> float:
    """Seconds in "7d", "36h", "90m" or "45s"."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration like 7d, 36h, 90m or 45s")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Staffing(Model):
    scale: float = Field(1.0, gt=0, le=20, description="multiply the site's employees (clones get new ids)")
    people: int | None = Field(None, gt=0, description="target head count; overrides scale")


class Traffic(Model):
    inbound_per_day: float = Field(8, ge=0, description="inbound trucks on a full weekday")
    outbound_per_day: float = Field(10, ge=0, description="outbound trucks on a full weekday")
    items_per_truck: tuple[int, int] = Field((40, 160), description="min, max tagged items per truck")
    opening_items_per_sku: int = Field(120, ge=1, description="opening balance of each SKU")
    task_moves_per_shift: tuple[int, int] = Field((2, 6), description="zone changes per worker shift")
    patrols_per_shift: int = Field(3, ge=0, description="guard patrol rounds per guard shift")


class Benign(Model):
    """Rates of honest oddities. Units are in each description."""

    overtime: float = Field(0.03, ge=0, le=1, description="per worker shift: approved overtime")
    misread: float = Field(0.002, ge=0, le=1, description="per portal read: a stray cross-read")
    missed_read: float = Field(0.01, ge=0, le=1, description="per portal read: the tag is not read")
    camera_reboot: float = Field(0.5, ge=0, description="per day, site-wide: a camera reboots")
    mistyped_pin: float = Field(0.05, ge=0, le=1, description="per PIN entry: wrong PIN, then right")
    damage_writeoff: float = Field(0.3, ge=0, description="per open day: a supervisor writes off damage")
    late_truck: float = Field(0.1, ge=0, le=1, description="per truck: arrives after its window")
    held_door: float = Field(0.5, ge=0, description="per open day: a door held open for a delivery")
    new_hire: float = Field(0.15, ge=0, description="per day: a new hire's first day")
    hold_for_colleague: float = Field(0.08, ge=0, le=1, description="per arrival: two badge through one opening")


class Signing(Model):
    sources: list[str] | Literal["*"] = Field(
        default_factory=list, description="sources that sign their events (Ed25519); '*' for every device"
    )


class AttackSpec(Model):
    """One injected attack; every field but ``type`` is optional and drawn from the seed when left out."""

    type: AttackType
    at: datetime | None = Field(None, description="when it starts (RFC 3339 with offset)")
    day: int | None = Field(None, ge=0, description="day index from the start, with time")
    time: Clock | None = Field(None, description="local time of day, with day")
    actor: str | None = Field(None, description="person id of the main actor")
    accomplice: str | None = None
    zone: str | None = None
    door: str | None = None
    devices: list[str] | None = None
    count: int | None = Field(None, ge=1, description="scale: items, attempts, cameras, days...")
    duration_min: float | None = Field(None, gt=0)
    tempo: Literal["fast", "normal", "slow"] | None = None
    variant: str | None = None

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("needs an offset (RFC 3339)")
        return v


LookalikeType = Literal["planned_maintenance", "announced_maintenance", "fire_drill", "full_recount",
                        "night_patrol", "perimeter_wind"]


class LookalikeSpec(Model):
    """One benign look-alike (sim/lookalikes.py): ordinary, unlabelled; any incident it raises is false."""

    type: LookalikeType
    day: int = Field(ge=0, description="day index from the start")
    time: Clock = Field(description="local time of day")
    count: int | None = Field(None, ge=1, description="scale: cameras, people, adjustments")
    duration_min: float | None = Field(None, gt=0)


class ScenarioModel(Model):
    scenario: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    description: str = ""
    site: str = Field(description="site YAML, relative to the scenario file")
    start: datetime
    duration: str = Field(description="e.g. 7d, 36h")
    seed: int = 1
    staffing: Staffing = Field(default_factory=lambda: Staffing())
    traffic: Traffic = Field(default_factory=lambda: Traffic())
    benign: Benign = Field(default_factory=lambda: Benign())
    signing: Signing = Field(default_factory=lambda: Signing())
    attacks: list[AttackSpec] = Field(default_factory=list)
    tier: Literal["catalogue", "novel"] = Field(
        "catalogue", description="catalogue: the catalogue's attack types; novel: the second, independent tier")
    lookalikes: list[LookalikeSpec] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("needs an offset (RFC 3339)")
        return v

    @field_validator("duration")
    @classmethod
    def _duration(cls, v: str) -> str:
        if parse_duration(v) <= 0:
            raise ValueError("must be positive")
        return v


class Scenario:
    """A validated scenario with its site loaded."""

    def __init__(self, model: ScenarioModel, site: SiteConfig, path: str) -> None:
        self.model = model
        self.site = site
        self.path = path

    @property
    def duration_s(self) -> float:
        return parse_duration(self.model.duration)

    @property
    def attacks(self) -> list[AttackSpec]:
        return self.model.attacks


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_scenario(data: object, path: str, base: Path | None = None) -> Scenario:
    """Validate a parsed scenario document; ``base`` is where a relative site path starts."""
    try:
        model = ScenarioModel.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        raise ScenarioError(path, _field(tuple(first["loc"])),
                            first["msg"].removeprefix("Value error, ")) from e
    site_path = Path(model.site)
    if not site_path.is_absolute() and base is not None:
        site_path = base / site_path
    try:
        site = load_site(site_path)
    except SiteConfigError as e:
        raise ScenarioError(path, "site", f"site file does not load: {e}") from e
    _check_references(model, site, path)
    return Scenario(model, site, path)


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(str(p), "", f"cannot read: {e.strerror}") from e
    try:
        data = safe_load(text)
    except yaml.YAMLError as e:
        raise ScenarioError(str(p), "", f"not valid YAML: {e}") from e
    return parse_scenario(data, str(p), p.parent)


def _check_references(m: ScenarioModel, site: SiteConfig, path: str) -> None:
    """Cross-checks the shapes cannot express: ids exist, times fall inside the run."""
    duration = parse_duration(m.duration)
    devices = site.device_ids
    if m.signing.sources != "*":
        for i, s in enumerate(m.signing.sources):
            if not s:
                raise ScenarioError(path, f"signing.sources[{i}]", "empty source id")
    for i, x in enumerate(m.lookalikes):
        if x.day * 86400 >= duration:
            raise ScenarioError(path, f"lookalikes[{i}].day", f"day {x.day} is past the end ({m.duration})")
    for i, a in enumerate(m.attacks):
        where = f"attacks[{i}]"
        for name in ("actor", "accomplice"):
            pid = getattr(a, name)
            if pid is not None and pid not in site.people_by_id:
                raise ScenarioError(path, f"{where}.{name}", f"person {pid!r} is not in site {site.site}")
        if a.zone is not None and a.zone not in site.zones_by_id:
            raise ScenarioError(path, f"{where}.zone", f"zone {a.zone!r} is not in site {site.site}")
        if a.door is not None and a.door not in site.doors_by_id:
            raise ScenarioError(path, f"{where}.door", f"door {a.door!r} is not in site {site.site}")
        for j, d in enumerate(a.devices or ()):
            if d not in devices:
                raise ScenarioError(path, f"{where}.devices[{j}]", f"device {d!r} is not in site {site.site}")
        if (a.day is None) != (a.time is None):
            raise ScenarioError(path, f"{where}.day", "day and time go together")
        if a.at is not None and a.day is not None:
            raise ScenarioError(path, f"{where}.at", "give either at or day+time, not both")
        if a.at is not None:
            offset = (a.at - m.start).total_seconds()
            if not 0 <= offset < duration:
                raise ScenarioError(path, f"{where}.at", f"{a.at.isoformat()} is outside the scenario's run")
        if a.day is not None and a.day * 86400 >= duration:
            raise ScenarioError(path, f"{where}.day", f"day {a.day} is past the end ({m.duration})")
