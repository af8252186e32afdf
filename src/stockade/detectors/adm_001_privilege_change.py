"""STK-ADM-001: access rights granted to oneself, or high-value access granted outside a change window.

Change windows govern ``grant_access``, ``revoke_access``, ``change_config``,
``disable_device`` and ``create_user``. A grant whose target is the actor (or
one of the actor's credentials) is high whenever it happens; a grant that
reaches a high-value zone (a high-value zone, or no zone: everything) outside a
change window is high; other governed changes outside a window are low.

    it-01 granted THEMSELF access to hv-cage at 23:12 (outside the change windows)
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.events import Admin, Alert, Envelope
from stockade.events.model import Severity
from stockade.site.calendar import in_change_window

GOVERNED = frozenset({"grant_access", "revoke_access", "change_config", "disable_device", "create_user"})


class PrivilegeChangeParams(Params, frozen=True):
    self_grant: Severity = "high"
    high_value_outside: Severity = "high"
    other_outside: Severity = "low"


class PrivilegeChange(DetectorBase[PrivilegeChangeParams]):
    id = "STK-ADM-001"
    kinds = frozenset({"admin"})
    params_type = PrivilegeChangeParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Admin):
            return []
        if event.action not in GOVERNED:
            return []
        p = self.params
        people = state.people
        actor = people.person_of(event.actor)
        target = people.person_of(event.target) if event.target else None
        inside = in_change_window(state.site, event.ts)
        when = "inside a change window" if inside else "outside the change windows"
        zone = event.zone
        window = ""
        if event.start or event.end:
            window = f" from {clock(state, event.start or event.ts)}" + (
                f" to {clock(state, event.end)}" if event.end else ""
            )
        to = zone or "every zone"
        if event.action == "grant_access":
            is_self = event.target == event.actor or (
                actor is not None and target is not None and actor.id == target.id
            )
            high_value = zone is None or zone in state.high_value_zones
            if is_self:
                summary = (
                    f"{who(actor) if actor else event.actor} granted THEMSELF access to {to}{window} at"
                    f" {clock(state, event.ts)} ({when}). Revoke it and ask who approved it."
                )
                return [self._alert(state, event, p.self_grant, summary, actor, target)]
            if high_value and not inside:
                summary = (
                    f"{event.actor} granted {who(target) if target else event.target} access to {to}{window}"
                    f" at {clock(state, event.ts)}, outside the change windows. Confirm the approval."
                )
                return [self._alert(state, event, p.high_value_outside, summary, actor, target)]
            return []
        if inside:
            return []
        summary = (
            f"{event.actor} ran {event.action} on {event.target or zone or 'the site'} at"
            f" {clock(state, event.ts)}, outside the change windows. Ask {event.actor} for the change ticket."
        )
        return [self._alert(state, event, p.other_outside, summary, actor, target)]

    def _alert(
        self, state: SiteState, event: Admin, severity: Severity, summary: str, actor: object, target: object
    ) -> Alert:
        from stockade.site.config import Person

        people = [x.id if isinstance(x, Person) else None for x in (actor, target)]
        devices = [event.target] if event.action == "disable_device" else []
        return self.alert(
            state,
            event.ts,
            severity,
            summary,
            [event.id],
            people=[event.actor, *people],
            zones=[event.zone],
            devices=devices,
            credentials=[event.target] if event.target and ":" in event.target else [],
        )
