"""What the simulator needs to know about a site's layout, worked out once from the site file.

    >>> lay = Layout.of(site)                       # doctest: +SKIP
    >>> lay.entrance, lay.path("picker", "yard", "storage", closed=False)   # doctest: +SKIP
    ('yard', ['D-LOBBY', 'D-TURNSTILE', 'D-FLOOR'])

Pedestrians walk the zone graph through doors their role (or a public zone)
allows; they never use fire exits (doors into perimeter zones) nor the truck
doors between a yard and a dock. Zones with an alarm panel are off limits
while the site is closed. Doors into high-value or panel zones take a PIN.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from stockade.site import SiteConfig
from stockade.site.config import Person


@dataclass
class Layout:
    site: SiteConfig
    entrance: str                       # where people and trucks arrive (a yard, or the first public zone)
    desk: str                           # where guards sit
    panel_of: dict[str, str]            # zone -> panel sensor id
    pin_doors: frozenset[str]
    zone_cameras: dict[str, list[str]]  # zone -> cameras covering it (not door-line cameras)
    door_camera: dict[str, str]         # door -> camera watching its line
    motion: dict[str, list[str]]        # zone -> motion sensors
    portals: dict[str, list[str]]       # zone -> portal readers
    fixed_readers: dict[str, list[str]]  # zone -> non-portal readers
    heartbeat_devices: list[str]
    exit_zones: list[str]
    dock_in: str | None
    dock_out: str | None
    hv_zones: list[str]
    storage: str | None
    _walkable: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # zone -> (door, zone)
    _paths: dict[tuple[str, str, str, bool], list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, site: SiteConfig) -> Layout:
        zones = site.zones_by_id
        yards = [z.id for z in site.zones if z.kind == "yard"]
        gate_zones = [g.zone for g in site.gates]
        public = [z.id for z in site.zones if z.public and z.kind != "perimeter"]
        entrance = (gate_zones or yards or public or [site.zones[0].id])[0]
        desk = next((z for z in public if z != entrance and zones[z].kind == "office"), entrance)
        panel_of = {s.zone: s.id for s in site.sensors if s.type == "panel"}
        pin_doors = frozenset(
            d.id for d in site.doors
            if zones[d.zones[1]].kind == "high_value" or d.zones[1] in panel_of
        )
        zone_cameras: dict[str, list[str]] = {}
        door_camera: dict[str, str] = {}
        for c in site.cameras:
            if c.door is not None:
                door_camera.setdefault(c.door, c.id)
                continue
            for z in c.zones:
                zone_cameras.setdefault(z, []).append(c.id)
        motion: dict[str, list[str]] = {}
        for s in site.sensors:
            if s.type == "motion":
                motion.setdefault(s.zone, []).append(s.id)
        portals: dict[str, list[str]] = {}
        fixed: dict[str, list[str]] = {}
        for r in site.readers:
            (portals if r.portal else fixed).setdefault(r.zone, []).append(r.id)
        heartbeat = ([c.id for c in site.cameras] + [r.id for r in site.readers]
                     + [s.id for s in site.sensors if s.type == "panel"] + [g.id for g in site.gates])
        docks = [z for z in site.zones if z.kind == "dock"]
        exits = [z.id for z in site.zones if z.exit]
        dock_out = next((z.id for z in docks if z.exit), exits[0] if exits else None)
        dock_in = next((z.id for z in docks if not z.exit), dock_out)
        # the main racking: the storage zone with the most doors (returns or pack areas have fewer)
        degree = {z.id: sum(z.id in d.zones for d in site.doors) for z in site.zones if z.kind == "storage"}
        storage = max(degree, key=lambda z: degree[z]) if degree else None
        lay = cls(site, entrance, desk, panel_of, pin_doors, zone_cameras, door_camera, motion, portals,
                  fixed, heartbeat, exits, dock_in, dock_out,
                  [z.id for z in site.zones if z.kind == "high_value"], storage)
        for d in site.doors:
            a, b = d.zones
            kinds = {zones[a].kind, zones[b].kind}
            if "perimeter" in kinds or kinds == {"yard", "dock"}:
                continue  # fire exits and truck doors are not for walking
            lay._walkable.setdefault(a, []).append((d.id, b))
            lay._walkable.setdefault(b, []).append((d.id, a))
        return lay

    def allowed(self, person: Person, zone: str, extra: frozenset[str] = frozenset()) -> bool:
        z = self.site.zones_by_id[zone]
        if z.public or zone in extra:
            return True
        role = self.site.roles.get(person.role or "")
        return role is not None and role.allows(zone)

    def path(self, person: Person, start: str, goal: str, *, closed: bool,
             extra: frozenset[str] = frozenset()) -> list[str] | None:
        """Doors on the shortest walk from ``start`` to ``goal`` the person may take, or None."""
        key = (person.role or person.id, start, goal, closed)
        if not extra and key in self._paths:
            return self._paths[key]
        prev: dict[str, tuple[str, str] | None] = {start: None}
        queue = deque([start])
        while queue:
            z = queue.popleft()
            if z == goal:
                break
            for door, nxt in self._walkable.get(z, ()):
                if nxt in prev or not self.allowed(person, nxt, extra):
                    continue
                if closed and nxt in self.panel_of and nxt != goal:
                    continue
                prev[nxt] = (door, z)
                queue.append(nxt)
        if goal not in prev:
            return None
        doors: list[str] = []
        z = goal
        while (step := prev[z]) is not None:
            doors.append(step[0])
            z = step[1]
        doors.reverse()
        if not extra:
            self._paths[key] = doors
        return doors

    def other_side(self, door: str, zone: str) -> str:
        a, b = self.site.doors_by_id[door].zones
        return b if zone == a else a

    def direction(self, door: str, into: str) -> str:
        """Access direction for walking through ``door`` into zone ``into``."""
        return "in" if self.site.doors_by_id[door].zones[1] == into else "out"

    def home(self, person: Person) -> str:
        """Where a person spends most of their shift."""
        role = self.site.roles.get(person.role or "")
        if role is None:
            return self.entrance
        if role.zones == "*":
            return self.desk
        kinds = {z: self.site.zones_by_id[z].kind for z in role.zones}
        for wanted in ("storage", "dock", "office"):
            for z in role.zones:
                if kinds[z] == wanted and z not in self.panel_of:
                    return z
        return role.zones[0]

    def work_zones(self, person: Person) -> list[str]:
        """Non-public zones a person may work in, reachable from the entrance."""
        role = self.site.roles.get(person.role or "")
        if role is None:
            return []
        zones = [z.id for z in self.site.zones] if role.zones == "*" else list(role.zones)
        out = []
        for z in zones:
            zone = self.site.zones_by_id[z]
            if zone.public or zone.kind == "perimeter":
                continue
            if self.path(person, self.entrance, z, closed=False) is not None:
                out.append(z)
        return out
