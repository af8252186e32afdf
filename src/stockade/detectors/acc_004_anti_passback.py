"""STK-ACC-004: anti-passback — a second entry into a zone with no exit in between.

The engine keeps each person's zone from their granted, directed accesses.
Granted entry into the zone they are already in (and into which they last
badged in) means the badge went back out without them, or someone else carries
it. Entries within ``window_s`` of each other are medium; a repeat after a
long gap is low (an exit may simply have gone unbadged).

    Badge 1012 (emp-1012, day shift) entered storage through D-FLOOR at 09:14 but never left since
      entering at 09:02
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.detectors.planned_work import in_drill
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity


class AntiPassbackParams(Params, frozen=True):
    window_s: float = 900
    severity: Severity = "medium"
    late: Severity = "low"
    directed_only: bool = True  # judge only accesses that say their direction


class AntiPassback(DetectorBase[AntiPassbackParams]):
    id = "STK-ACC-004"
    kinds = frozenset({"access"})
    params_type = AntiPassbackParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        p = self.params
        if event.result != "granted" or (p.directed_only and event.direction is None):
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        if person is None:
            return []
        before = people.where.get(person.id)
        zone = people.zone_entered(event, person.id)
        if before is None or zone is None or before.zone != zone or before.event == event.id:
            return []
        z = state.site.zones_by_id.get(zone)
        if z is None or z.public:
            return []
        gap = (event.ts - before.ts).total_seconds()
        severity = p.severity if gap <= p.window_s else p.late
        summary = (
            f"{who(person, event.credential)} entered {zone} through {event.door} at"
            f" {clock(state, event.ts)} but never left it since entering through {before.door}"
            f" at {clock(state, before.ts)}: passed-back or shared badge. Check the {event.door} camera."
        )
        severity, summary = in_drill(state, event.ts, [zone], severity, summary)
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                [before.event, event.id],
                people=[person.id],
                credentials=[event.credential],
                doors=[before.door, event.door],
                zones=[zone],
            )
        ]
