"""The site state the engine's fold keeps, split by meaning.

``SiteState.apply(event)`` folds one input event into every part that cares,
once. The engine calls the detectors *before* it folds the event, so a
detector compares the event with the world as it stood just before it (the
person's previous zone, the door's previous state, the EPC's last read).

    clock    event time, local time and opening hours, computed once per event
    people   credentials → people, positions, grants, schedule overrides, shift cache
    doors    door states, open-since, recent grants per door
    zones    armed state, threat levels
    devices  health, heartbeat silence, per-source sequence numbers
    stock    expected EPCs per location, flags per EPC, last reads, shipments and seals, counts
    gates    appointments (site file and ``create_appointment``), trucks on site

People, zones, devices and stock are the live site's fold parts
(:mod:`stockade.site.live`), shared with the access decision point so that
detection and enforcement fold the same events by the same rules.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from stockade.engine.state.clock import Clock, ClockSnapshot
from stockade.engine.state.devices import DevicesSnapshot, DevicesState
from stockade.engine.state.doors import DoorsSnapshot, DoorsState
from stockade.engine.state.gates import GatesSnapshot, GatesState
from stockade.engine.state.people import PeopleSnapshot, PeopleState
from stockade.engine.state.stock import StockSnapshot, StockState
from stockade.engine.state.zones import ZonesSnapshot, ZonesState
from stockade.events import Access, Admin, Decision, Device, Door, Envelope, Gate, Sensor, Stock, Tag, Video
from stockade.site import SiteConfig, Topology

Anomaly = tuple[str, str, float, datetime]


class SiteStateSnapshot(msgspec.Struct, frozen=True):
    """The fold's state as data; what the site file implies is rebuilt from the site file."""

    events_seen: int
    last_seq: int
    ms: int
    clock: ClockSnapshot
    people: PeopleSnapshot
    doors: DoorsSnapshot
    zones: ZonesSnapshot
    devices: DevicesSnapshot
    stock: StockSnapshot
    gates: GatesSnapshot


class SiteState:
    """Everything the detectors know about a site, kept by the fold."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.topology = Topology.of(site)
        self.clock = Clock(site)
        self.people = PeopleState(site)
        self.doors = DoorsState()
        self.zones = ZonesState()
        self.devices = DevicesState(site)
        self.stock = StockState(site)
        self.gates = GatesState(site)
        # lookups the site file implies, built once
        self.camera_door: dict[str, str | None] = {c.id: c.door for c in site.cameras}
        self.camera_zones: dict[str, tuple[str, ...]] = {c.id: tuple(c.zones) for c in site.cameras}
        self.sensor_type: dict[str, str] = {x.id: x.type for x in site.sensors}
        self.high_value_zones = frozenset(z.id for z in site.zones if z.kind == "high_value")
        self.exit_zones = frozenset(z.id for z in site.zones if z.exit)
        self.portal_readers = frozenset(r.id for r in site.readers if r.portal)
        public = [z.id for z in site.zones if z.public and z.kind != "perimeter"]
        self.public_hops: dict[str, int] = {
            z.id: min((self.topology.zone_hops(z.id, p) for p in public), default=0) for z in site.zones
        }
        self.zone_doors: dict[str, tuple[str, ...]] = {
            z.id: tuple(d.id for d in site.doors if z.id in d.zones) for z in site.zones
        }
        self.events_seen = 0
        self.last_seq = 0
        self.ms = 0  # event time of the current event, ms since the epoch
        self.anomalies: list[Anomaly] = []  # (entity type, id, score 0..1, ts), drained by the engine

    def save(self) -> SiteStateSnapshot:
        """The live state as typed data (between steps: no anomaly is waiting)."""
        return SiteStateSnapshot(self.events_seen, self.last_seq, self.ms, self.clock.save(), self.people.save(),
                                 self.doors.save(), self.zones.save(), self.devices.save(), self.stock.save(),
                                 self.gates.save())

    def load(self, saved: SiteStateSnapshot) -> None:
        """Take the live state from ``saved`` (this state was built from the current site file)."""
        self.events_seen, self.last_seq, self.ms = saved.events_seen, saved.last_seq, saved.ms
        self.clock.load(saved.clock)
        self.people.load(saved.people)
        self.doors.load(saved.doors)
        self.zones.load(saved.zones)
        self.devices.load(saved.devices)
        self.stock.load(saved.stock)
        self.gates.load(saved.gates)
        self.anomalies.clear()

    def door_zones(self, door: str) -> tuple[str, ...]:
        d = self.site.doors_by_id.get(door)
        return d.zones if d is not None else ()

    def high_value_door(self, door: str) -> bool:
        return any(z in self.high_value_zones for z in self.door_zones(door))

    @property
    def now(self) -> datetime | None:
        return self.clock.now

    def begin(self, event: Envelope, seq: int) -> None:
        """Advance time for ``event``: run heartbeat timeouts before the detectors look."""
        self.events_seen += 1
        self.last_seq = seq
        self.ms = int(event.ts.timestamp() * 1000)
        if self.clock.advance(event.ts):
            self.devices.expire(event.ts)
        elif self.devices.newly_silent:
            self.devices.newly_silent = []

    def apply(self, event: Envelope) -> None:
        """Fold one event into the state (after the detectors have seen it)."""
        if event.seq is not None:
            self.devices.apply_seq(event.source, event.seq)
        if isinstance(event, Tag):
            self.stock.apply_tag(event, self.ms)
            self.devices.heard(event.reader, event.ts)
        elif isinstance(event, Access):
            person = self.people.apply_access(event)
            if event.result == "granted":
                self.doors.apply_grant(event, person.id if person else event.subject)
        elif isinstance(event, Video):
            self.devices.heard(event.camera, event.ts)
        elif isinstance(event, Device):
            self.devices.apply_device(event)
        elif isinstance(event, Door):
            self.doors.apply_door(event)
        elif isinstance(event, Stock):
            self.stock.apply_stock(event)
        elif isinstance(event, Sensor):
            self.zones.apply_sensor(event)
            self.devices.heard(event.sensor, event.ts)
        elif isinstance(event, Gate):
            self.gates.apply_gate(event)
            self.devices.heard(event.gate, event.ts)
        elif isinstance(event, Admin):
            self.people.apply_admin(event)
            self.zones.apply_admin(event)
            self.gates.apply_admin(event)
        elif isinstance(event, Decision) and event.result == "allow":
            self.doors.apply_grant(event, event.subject)


__all__ = ["Anomaly", "Clock", "SiteState", "SiteStateSnapshot"]
