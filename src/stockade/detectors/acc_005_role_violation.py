"""STK-ACC-005: access granted into a zone the person's role does not allow.

A person may be in a zone if their role lists it or a ``grant_access`` gave it
to them (within its window) and no ``revoke_access`` took it back. Public
zones need no role. High for a high-value zone, medium elsewhere.

    Badge 1003 (emp-1003, day shift, role picker) was let into hv-cage through D-HV at 11:02; picker does
      not allow hv-cage
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity


class RoleViolationParams(Params, frozen=True):
    severity: Severity = "medium"
    high_value: Severity = "high"


class RoleViolation(DetectorBase[RoleViolationParams]):
    id = "STK-ACC-005"
    kinds = frozenset({"access"})
    params_type = RoleViolationParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        if event.result != "granted":
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        if person is None:
            return []
        zone = people.zone_entered(event, person.id)
        if zone is None or people.allowed(person, zone, event.ts):
            return []
        z = state.site.zones_by_id[zone]
        severity = self.params.high_value if z.kind == "high_value" else self.params.severity
        role = person.role or "no role"
        summary = (
            f"{who(person, event.credential)}, role {role}, was let into {zone} through {event.door} at"
            f" {clock(state, event.ts)}; {role} does not allow {zone} and no grant covers it."
            " Check the door controller's access list."
        )
        return [
            self.access_alert(state, event, person.id, severity, summary, zone=zone)
        ]
