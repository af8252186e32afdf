"""Cross-references in a site file, checked after the shapes: every id a part names exists, once.

A door's zones, a person's role, shift and vendor, a camera's door, a gate of
an appointment, a panel for every zone armed outside hours, ... each problem
is one line naming the field path, and the site file is refused with all of them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stockade.site.config import SiteConfig


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def reference_problems(s: SiteConfig) -> list[str]:
    zones = {z.id for z in s.zones}
    doors = {d.id for d in s.doors}
    vendors = {v.id for v in s.vendors}
    out: list[str] = []

    def zone_ref(path: str, zone: str) -> None:
        if zone not in zones:
            out.append(f"{path}: zone {zone!r} is not defined in zones")

    for name, ids in (
        ("zones", [z.id for z in s.zones]), ("doors", [d.id for d in s.doors]),
        ("people", [p.id for p in s.people]), ("vendors", [v.id for v in s.vendors]),
        ("skus", [k.sku for k in s.skus]), ("appointments", [a.id for a in s.appointments]),
        ("devices", [r.id for r in s.readers] + [c.id for c in s.cameras]
         + [x.id for x in s.sensors] + [g.id for g in s.gates]),
        ("credentials", [c for p in s.people for c in p.credentials]),
        ("sources", [x.id for x in s.sources]), ("planned", [w.id for w in s.planned]),
    ):
        for dup in _duplicates(ids):
            out.append(f"{name}: id {dup!r} appears more than once")
    for i, d in enumerate(s.doors):
        for j, z in enumerate(d.zones):
            zone_ref(f"doors[{i}].zones[{j}]", z)
        if d.zones[0] == d.zones[1]:
            out.append(f"doors[{i}].zones: a door joins two different zones")
    for i, r in enumerate(s.readers):
        zone_ref(f"readers[{i}].zone", r.zone)
    for i, c in enumerate(s.cameras):
        for j, z in enumerate(c.zones):
            zone_ref(f"cameras[{i}].zones[{j}]", z)
        if c.door is not None and c.door not in doors:
            out.append(f"cameras[{i}].door: door {c.door!r} is not defined in doors")
        if c.frigate is not None:
            for fz, z in c.frigate.zones.items():
                zone_ref(f"cameras[{i}].frigate.zones.{fz}", z)
            for fz in c.frigate.loitering:
                if fz not in c.frigate.zones:
                    out.append(f"cameras[{i}].frigate.loitering.{fz}: map the zone in frigate.zones first")
    for dup in _duplicates([c.frigate.camera for c in s.cameras if c.frigate is not None]):
        out.append(f"cameras: Frigate camera {dup!r} is mapped more than once")
    for i, x in enumerate(s.sensors):
        zone_ref(f"sensors[{i}].zone", x.zone)
    for i, g in enumerate(s.gates):
        zone_ref(f"gates[{i}].zone", g.zone)
    for name, role in s.roles.items():
        if role.zones != "*":
            for j, z in enumerate(role.zones):
                zone_ref(f"roles.{name}.zones[{j}]", z)
    for i, p in enumerate(s.people):
        if p.role is not None and p.role not in s.roles:
            out.append(f"people[{i}].role: role {p.role!r} of {p.id} is not defined in roles")
        if p.shift is not None and p.shift not in s.shifts:
            out.append(f"people[{i}].shift: shift {p.shift!r} of {p.id} is not defined in shifts")
        if p.vendor is not None and p.vendor not in vendors:
            out.append(f"people[{i}].vendor: vendor {p.vendor!r} of {p.id} is not defined")
        if p.kind == "vendor" and p.vendor is None:
            out.append(f"people[{i}].vendor: {p.id} is of kind vendor but names no vendor")
        if p.kind != "driver" and p.role is None:
            out.append(f"people[{i}].role: {p.id} needs a role (only drivers may have none)")
    for i, v in enumerate(s.vendors):
        for j, z in enumerate(v.contract.zones):
            zone_ref(f"vendors[{i}].contract.zones[{j}]", z)
    gates = {g.id for g in s.gates}
    for i, a in enumerate(s.appointments):
        if a.gate not in gates:
            out.append(f"appointments[{i}].gate: gate {a.gate!r} is not defined in gates")
    for key, location in s.locations.items():
        zone_ref(f"locations[{key!r}]", location.split("/", 1)[0])
    for i, src in enumerate(s.sources):
        if src.id in s.device_ids:
            out.append(f"sources[{i}].id: {src.id!r} is a device; devices send device kinds only")
    for i, work in enumerate(s.planned):
        for j, dev in enumerate(work.devices):
            if dev not in s.device_ids:
                out.append(f"planned[{i}].devices[{j}]: device {dev!r} is not defined")
        for j, z in enumerate(work.zones):
            zone_ref(f"planned[{i}].zones[{j}]", z)
    panel_zones = {x.zone for x in s.sensors if x.type == "panel"}
    for i, zone in enumerate(s.zones):
        if zone.armed_outside_hours and zone.id not in panel_zones:
            out.append(f"zones[{i}].armed_outside_hours: zone {zone.id!r} has no panel sensor")
    return out
