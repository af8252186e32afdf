"""STK-VEN-001: a vendor's person outside the contract's zones or hours, or with an expired assessment.

Judged on every granted access of a person who belongs to a vendor: the zone
entered (public zones are ignored) must be in the contract, the local time in
its days and hours, and the vendor's security assessment not expired. Outside
the contract's zones is high in a high-value zone and medium elsewhere;
outside its hours or with an expired assessment, medium. One alert per person,
reason and ``repeat_s``.

    ven-81 (vision-cctv) entered hv-cage through D-HV at 21:40: the contract covers office, server-room,
      Tue/Thu 09:00-16:00
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity
from stockade.site.calendar import assessment_valid, vendor_contract_covers


class VendorOutOfScopeParams(Params, frozen=True):
    zone: Severity = "medium"
    zone_high_value: Severity = "high"
    hours: Severity = "medium"
    assessment: Severity = "medium"
    repeat_s: float = 3600


class VendorOutOfScopeMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    last: dict[str, int]


class VendorOutOfScope(DetectorBase[VendorOutOfScopeParams]):
    id = "STK-VEN-001"
    kinds = frozenset({"access"})
    params_type = VendorOutOfScopeParams
    memory_type = VendorOutOfScopeMemory

    def setup(self) -> None:
        self._last: dict[str, int] = {}

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        if event.result != "granted":
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        if person is None or person.vendor is None:
            return []
        site = state.site
        vendor = site.vendors_by_id.get(person.vendor)
        zone = people.zone_entered(event, person.id)
        if vendor is None or zone is None:
            return []
        z = site.zones_by_id[zone]
        if z.public:
            return []
        p = self.params
        c = vendor.contract
        days = "/".join(d.capitalize() for d in c.days)
        terms = f"the contract covers {', '.join(c.zones)}, {days} {c.start}-{c.end}"
        if zone not in c.zones:
            severity, reason, why = (
                (p.zone_high_value if z.kind == "high_value" else p.zone),
                "zone",
                (f"{zone} is outside the contract"),
            )
        elif not vendor_contract_covers(site, vendor.id, None, event.ts):
            severity, reason, why = p.hours, "hours", "outside the contract's hours"
        elif not assessment_valid(site, vendor.id, event.ts):
            severity, reason, why = (
                p.assessment,
                "assessment",
                (f"the vendor's security assessment expired on {vendor.assessment_expires}"),
            )
        else:
            return []
        key = f"{person.id}/{reason}/{zone}"
        last = self._last.get(key)
        if last is not None and state.ms - last < p.repeat_s * 1000:
            return []
        self._last[key] = state.ms
        summary = (
            f"{who(person, event.credential)} of {vendor.id} entered {zone} through {event.door} at"
            f" {clock(state, event.ts)}: {why} ({terms}). Escort them out and call the vendor manager."
        )
        return [
            self.access_alert(state, event, person.id, severity, summary, zone=zone, vendors=[vendor.id])
        ]
