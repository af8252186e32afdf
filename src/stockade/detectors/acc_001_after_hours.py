"""STK-ACC-001: access granted outside the person's shift.

"After hours" means outside the person's shift with 30 minutes of grace on
each side, and not covered by a ``schedule_override`` admin event. Entering a
high-value zone is high; entering anywhere else is medium. Two benign shapes
are low: walking out (an ``out`` access, from a door's second zone to its
first, or into a zone nearer a public zone: going home late), and staying on
past the grace when the person came in before their shift ended and it ended
less than ``overstay_s`` ago. Repeats for one person within ``repeat_s`` are
folded into the first alert unless worse.

    Badge 1042 (emp-1042, day shift) opened D-HV into hv-cage at 02:14, 12 h after shift end
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import SEVERITIES, Severity
from stockade.site.calendar import GRACE, shift_spans
from stockade.site.config import Person, SiteConfig


class AfterHoursParams(Params, frozen=True):
    high_value: Severity = "high"
    entering: Severity = "medium"
    leaving: Severity = "low"
    overstay_s: float = 3600
    repeat_s: float = 900


def _nearest_shift(site: SiteConfig, person: Person, ts: datetime) -> str:
    """How far ``ts`` is from the person's nearest shift occurrence, in words."""
    if person.shift is None:
        return "with no shift"
    at = ts.astimezone(site.tz)
    best: tuple[float, str] | None = None
    for start, end in shift_spans(site, person, ts):
        for edge, word in ((end, "after shift end"), (start, "before shift start")):
            gap = (at - edge).total_seconds() if word.startswith("after") else (edge - at).total_seconds()
            if gap >= 0 and (best is None or gap < best[0]):
                best = (gap, word)
    if best is None:
        return "on a day without a shift"
    return f"{span(best[0])} {best[1]}"


class AfterHoursMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    last: dict[str, tuple[int, int]]


class AfterHours(DetectorBase[AfterHoursParams]):
    id = "STK-ACC-001"
    kinds = frozenset({"access"})
    params_type = AfterHoursParams
    memory_type = AfterHoursMemory

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        if event.result != "granted":
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        if person is None or person.shift is None or people.covered(person, event.ts):
            return []
        site = state.site
        zone = people.zone_entered(event, person.id)
        target = site.zones_by_id.get(zone) if zone else None
        p = self.params
        if target is not None and target.kind == "high_value":
            severity = p.high_value
        elif (
            (target is not None and target.public)
            or self._walking_out(state, event, zone)
            or self._staying_on(state, person, event)
        ):
            severity = p.leaving
        else:
            severity = p.entering
        rank = SEVERITIES.index(severity)
        last = self._last.get(person.id)
        if last is not None and state.ms - last[0] < p.repeat_s * 1000 and rank <= last[1]:
            return []
        self._last[person.id] = (state.ms, rank)
        when = _nearest_shift(site, person, event.ts)
        summary = (
            f"{who(person, event.credential)} opened {event.door}"
            f"{f' into {zone}' if zone else ''} at {clock(state, event.ts)}, {when}"
            f"{' (grace ' + span(GRACE) + ', no schedule override)'}."
            f" Check the {event.door} camera and ask {person.id}'s supervisor."
        )
        return [
            self.access_alert(state, event, person.id, severity, summary, zone=zone)
        ]

    def setup(self) -> None:
        self._last: dict[str, tuple[int, int]] = {}  # person -> (ms, severity rank) of the last alert

    def _walking_out(self, state: SiteState, event: Access, zone: str | None) -> bool:
        """An ``out`` access (doors list their outer zone first), or nearer a public zone than before."""
        if event.direction is not None:
            return event.direction == "out"
        if zone is None:
            return False
        zones = state.door_zones(event.door)
        other = zones[0] if zones and zones[1] == zone else zones[1] if zones else None
        hops = state.public_hops
        return other is not None and hops.get(zone, 0) < hops.get(other, 0)

    def _staying_on(self, state: SiteState, person: Person, event: Access) -> bool:
        """Came in before their shift ended, which was less than ``overstay_s`` ago: working late."""
        since = state.people.inside_since.get(person.id)
        span_ = state.people.last_span(person.id)
        if since is None or span_ is None:
            return False
        end = span_[1] + GRACE
        return since < end <= event.ts and (event.ts - end).total_seconds() < self.params.overstay_s
