"""STK-DEV-003: a zone that must be armed outside hours is disarmed while the site is closed.

The disarm comes from the zone's panel (``sensor`` ``disarm``) or an operator
(``admin`` ``disarm`` naming the zone). A panel reporting ``disarm`` with no
``user`` when it starts is its initial state, not an act; after the zone was
known armed, it is suspicious (medium). A named person who is allowed in the
zone and covered by their shift or an override is low; anyone else is high.

    hv-cage disarmed at 02:03 by emp-1020 (day shift) while the site is closed; it must stay armed
      outside hours
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.events import Admin, Alert, Envelope, Sensor
from stockade.events.model import Severity


class DisarmedClosedParams(Params, frozen=True):
    severity: Severity = "high"
    covered: Severity = "low"
    patrol: Severity = "info"  # a responder (guard) on duty, with their own code
    unattended: Severity = "medium"  # a panel reporting disarmed, with no user, after being armed


class DisarmedClosed(DetectorBase[DisarmedClosedParams]):
    id = "STK-DEV-003"
    kinds = frozenset({"sensor", "admin"})
    params_type = DisarmedClosedParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        zone: str | None
        user: str | None
        device: str | None
        if isinstance(event, Sensor):
            if event.type != "disarm":
                return []
            zone, user, device = event.zone, event.user, event.sensor
        elif isinstance(event, Admin):
            if event.action != "disarm":
                return []
            zone, user, device = event.zone or event.target, event.actor, None
        else:
            return []
        z = state.site.zones_by_id.get(zone) if zone else None
        if z is None or not z.armed_outside_hours or state.clock.is_open(event.ts):
            return []
        p = self.params
        before = state.zones.armed.get(z.id)
        person = state.people.person_of(user) if user else None
        if user is None:
            if before is None or not before.armed:
                return []  # the panel's start-up report of its state
            severity = p.unattended
            by = "with no user named (panel restarted or bypassed)"
        elif (
            person is not None
            and state.people.allowed(person, z.id, event.ts)
            and state.people.covered(person, event.ts)
        ):
            role = state.site.roles.get(person.role or "")
            if role is not None and role.responder:
                severity = p.patrol
                by = f"by {who(person)}, a guard on duty (patrol)"
            else:
                severity = p.covered
                by = f"by {who(person)}, who is on shift and allowed there"
        else:
            severity = p.severity
            by = f"by {who(person) if person else user}"
        summary = (
            f"{z.id} disarmed at {clock(state, event.ts)} {by} while the site is closed; it must stay"
            " armed outside hours. Verify with the person and check the cameras."
        )
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                [event.id],
                zones=[z.id],
                people=[person.id if person else user],
                devices=[device],
            )
        ]
