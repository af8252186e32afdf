"""The entity keys on which alerts correlate.

Two alerts can join one incident when they share a key: a person, credential,
door, zone, EPC, shipment, truck or vendor, or a device group. Devices of the
same zone, or of the same kind (cameras, readers, panels, …), form one group, so
two cameras going dark in different corners of the dock still tell one story.
Devices and doors also stand for the zones they watch or connect (public zones
excepted for doors: a door onto the yard does not tie every yard event to it).

    >>> keys = KeyIndex.of(site)                                   # doctest: +SKIP
    >>> keys.keys(alert)                                           # doctest: +SKIP
    [('person', 'emp-1042'), ('door', 'D-HV'), ('zone', 'hv-cage'), ...]

Each key kind has its own window: EPCs, shipments and trucks are specific
enough to tie alerts hours apart (a write-off the morning after goods left),
people and places only within the correlation window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stockade.events.model import Alert
from stockade.site import SiteConfig
from stockade.site.devices import DeviceMap

Key = tuple[str, str]

LONG_KEYS: frozenset[str] = frozenset({"epc", "shipment", "truck"})


@dataclass(frozen=True, slots=True)
class KeyIndex:
    """What the site file says about devices and doors, for key derivation."""

    device_zones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    device_kind: dict[str, str] = field(default_factory=dict)
    door_zones: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, site: SiteConfig | None) -> KeyIndex:
        if site is None:
            return cls()
        devices = DeviceMap.of(site)
        # a door correlates as a door (its own key and the zones it connects), not as a device kind
        kind = {d: k for d, k in devices.kind.items() if k != "door"}
        public = {z.id for z in site.zones if z.public}
        doors = {d.id: tuple(z for z in d.zones if z not in public) for d in site.doors}
        return cls(dict(devices.zones), kind, doors)

    def zones_of(self, alert: Alert) -> list[str]:
        """The alert's zones, plus those its devices watch and its doors connect."""
        e = alert.entities
        out = dict.fromkeys(e.zones)
        for d in e.devices:
            out.update(dict.fromkeys(self.device_zones.get(d, ())))
        for d in e.doors:
            out.update(dict.fromkeys(self.door_zones.get(d, ())))
        return list(out)

    def keys(self, alert: Alert) -> list[Key]:
        """Every key of ``alert``, duplicates removed, in a stable order."""
        e = alert.entities
        keys: list[Key] = [("person", p) for p in e.people]
        keys += [("credential", c) for c in e.credentials]
        keys += [("door", d) for d in e.doors]
        keys += [("zone", z) for z in self.zones_of(alert)]
        keys += [("epc", x) for x in e.epcs]
        keys += [("shipment", s) for s in e.shipments]
        keys += [("truck", t) for t in e.trucks]
        keys += [("vendor", v) for v in e.vendors]
        for d in e.devices:
            keys.append(("device", d))
            keys += [("device-group", f"zone:{z}") for z in self.device_zones.get(d, ())]
            if d in self.device_kind:
                keys.append(("device-group", f"kind:{self.device_kind[d]}"))
        return list(dict.fromkeys(keys))
