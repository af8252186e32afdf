"""What the site file says about each device: its kind and the zones it watches. One map, one home.

Kinds: ``reader``, ``camera``, ``panel`` (a sensor of type ``panel``),
``sensor``, ``gate`` and ``door`` (a door's controller speaks as the door). The
zones a device watches: a reader's, sensor's or gate's zone, a camera's zones;
a door connects zones rather than watching one, so it has none here (see
:class:`~stockade.site.config.DoorConfig`). Cameras, readers, panels and gates
heartbeat (DESIGN: "Devices that heartbeat").

    >>> from stockade.site import load_site
    >>> devices = DeviceMap.of(load_site("examples/sites/dc-demo.yaml"))
    >>> devices.kind["D-HV"], "D-HV" in devices.heartbeating
    ('door', False)
"""

from __future__ import annotations

from dataclasses import dataclass

from stockade.site.config import SiteConfig

HEARTBEATING_KINDS: frozenset[str] = frozenset({"reader", "camera", "panel", "gate"})


@dataclass(frozen=True, slots=True)
class DeviceMap:
    kind: dict[str, str]
    zones: dict[str, tuple[str, ...]]
    heartbeating: frozenset[str]

    @classmethod
    def of(cls, site: SiteConfig) -> DeviceMap:
        kind: dict[str, str] = {}
        zones: dict[str, tuple[str, ...]] = {}
        for r in site.readers:
            kind[r.id], zones[r.id] = "reader", (r.zone,)
        for c in site.cameras:
            kind[c.id], zones[c.id] = "camera", tuple(c.zones)
        for s in site.sensors:
            kind[s.id], zones[s.id] = ("panel" if s.type == "panel" else "sensor"), (s.zone,)
        for g in site.gates:
            kind[g.id], zones[g.id] = "gate", (g.zone,)
        for d in site.doors:
            kind[d.id] = "door"
            zones.pop(d.id, None)
        return cls(kind, zones, frozenset(k for k, v in kind.items() if v in HEARTBEATING_KINDS))

    def zones_of(self, devices: list[str] | tuple[str, ...]) -> list[str]:
        """The zones these devices watch, each once, in order."""
        out: dict[str, None] = {}
        for device in devices:
            out.update(dict.fromkeys(self.zones.get(device, ())))
        return list(out)
