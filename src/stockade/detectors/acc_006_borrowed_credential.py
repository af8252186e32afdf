"""STK-ACC-006: a credential used by someone other than its holder, without impossible travel.

The holder's own trail puts them somewhere else: their last granted entry
placed them in zone A, and now their credential is presented at a door that
leads out of zone B — a zone they never reached — near enough that
STK-ACC-003's "too far, too fast" stays quiet. Two people's patterns are
merging on one credential (lent, shared or cloned badge). The holder's
position counts only while it is fresh (``fresh_s``) and not public (anyone
walks through a public yard without badging). A presentation whose factors
include a biometric (``face``, ``fingerprint``) proves the holder and resets the
trail. Medium; high into a high-value zone. Like STK-ACC-004 it relies on
doors badged both ways (a directed ``access``); a door left free to exit
makes a trail that stops there, so turn it off for such a site.

    Badge 1044 (emp-1044, day shift) was presented at D-DOCK from dock-out at 10:42, but emp-1044 was
      placed in storage by D-FLOOR at 10:31 and never badged out of it: someone else holds the badge?
"""

from __future__ import annotations

from datetime import timedelta

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity
from stockade.site.topology import UNREACHABLE

BIOMETRIC = frozenset({"face", "fingerprint"})


class BorrowedCredentialParams(Params, frozen=True):
    fresh_s: float = 4 * 3600  # a position older than this says nothing (a missed exit, a long shift)
    severity: Severity = "medium"
    high_value: Severity = "high"


class BorrowedCredential(DetectorBase[BorrowedCredentialParams]):
    id = "STK-ACC-006"
    kinds = frozenset({"access"})
    params_type = BorrowedCredentialParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access) or event.result != "granted" or event.direction is None:
            return []
        if BIOMETRIC.intersection(event.factors):
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        if person is None:
            return []
        pos = people.where.get(person.id)
        door = state.site.doors_by_id.get(event.door)
        if pos is None or door is None or pos.event == event.id:
            return []
        if event.ts - pos.ts > timedelta(seconds=self.params.fresh_s) or event.ts < pos.ts:
            return []
        came_from = door.zones[0] if event.direction == "in" else door.zones[1]
        here = state.site.zones_by_id.get(pos.zone)
        there = state.site.zones_by_id.get(came_from)
        if here is None or there is None or here.public or there.public or came_from == pos.zone:
            return []
        hops = state.topology.zone_hops(pos.zone, came_from)
        if hops >= UNREACHABLE or hops * state.site.walk_s_per_hop > (event.ts - pos.ts).total_seconds():
            return []  # too far, too fast: STK-ACC-003's
        into = door.zones[1] if event.direction == "in" else door.zones[0]
        severity = self.params.high_value if into in state.high_value_zones else self.params.severity
        summary = (
            f"{who(person, event.credential)} was presented at {event.door} from {came_from} at"
            f" {clock(state, event.ts)}, but {person.id} was placed in {pos.zone} by {pos.door} at"
            f" {clock(state, pos.ts)} and never badged out of it: someone else holds the credential?"
            f" Check the {event.door} camera at {clock(state, event.ts)} and find {person.id} in {pos.zone}."
        )
        return [
            self.alert(state, event.ts, severity, summary, [pos.event, event.id], people=[person.id],
                       credentials=[event.credential], doors=[pos.door, event.door], zones=[pos.zone, into])
        ]
