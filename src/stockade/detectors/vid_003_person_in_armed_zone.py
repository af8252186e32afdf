"""STK-VID-003: a person seen in an armed zone, or in a closed site where nobody should be.

Two cases:

* a camera sees a person in a zone whose panel is armed (high); when someone
  allowed in the zone and on shift was just let in (``entry_s``), it is most
  likely them, before they disarm: low;
* the site is closed, the zone is not public, and nobody allowed in that zone
  is covered right now by their shift (with grace) or a schedule override
  (medium). Who is covered is worked out once per zone per minute.

    Person seen in hv-cage by C-HV-1 at 02:15 while the zone is ARMED (armed at 22:41 by emp-1050)
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.engine.state import SiteState
from stockade.events import Alert, Envelope, Video
from stockade.events.model import Severity


class PersonInArmedZoneParams(Params, frozen=True):
    armed: Severity = "high"
    authorised: Severity = "low"
    entry_s: float = 120
    uncovered: Severity = "medium"
    repeat_s: float = 600
    labels: tuple[str, ...] = ("person",)


class PersonInArmedZoneMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    covered: dict[str, tuple[int, bool]]
    last: dict[str, int]


class PersonInArmedZone(DetectorBase[PersonInArmedZoneParams]):
    id = "STK-VID-003"
    kinds = frozenset({"video"})
    params_type = PersonInArmedZoneParams
    memory_type = PersonInArmedZoneMemory

    def setup(self) -> None:
        self._covered: dict[str, tuple[int, bool]] = {}  # zone -> (minute, someone covered)
        self._last: dict[str, int] = {}  # zone/case -> ms of the last alert

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Video):
            return []
        p = self.params
        if event.label not in p.labels or event.event in ("exit",):
            return []
        if event.count == 0:
            return []
        zones = (event.zone,) if event.zone else state.camera_zones.get(event.camera, ())
        if len(zones) != 1:
            return []  # a door camera without a zone: we cannot tell which side
        zone = zones[0]
        z = state.site.zones_by_id.get(zone)
        if z is None:
            return []
        change = state.zones.armed.get(zone)
        if change is not None and change.armed:
            if self._repeat(state, f"{zone}/armed"):
                return []
            by = f" by {change.user}" if change.user else ""
            entrant = self._authorised_entry(state, zone)
            if entrant is not None:
                summary = (
                    f"Person seen in {zone} by {event.camera} at {clock(state, event.ts)} while the zone is"
                    f" ARMED, just after {entrant[1]} was let in: ask them to disarm it."
                )
                return [
                    self.alert(
                        state,
                        event.ts,
                        p.authorised,
                        summary,
                        [entrant[0], event.id],
                        zones=[zone],
                        devices=[event.camera],
                        people=[entrant[1]],
                    )
                ]
            summary = (
                f"Person seen in {zone} by {event.camera} at {clock(state, event.ts)} while the zone is"
                f" ARMED (armed at {clock(state, change.ts)}{by})."
                " Intruder or a bypassed alarm: send a guard."
            )
            return [
                self.alert(
                    state,
                    event.ts,
                    p.armed,
                    summary,
                    [change.event, event.id],
                    zones=[zone],
                    devices=[event.camera],
                    people=[change.user] if change.user else [],
                )
            ]
        if z.public or state.clock.is_open(event.ts) or self._anyone_covered(state, zone):
            return []
        if self._repeat(state, f"{zone}/closed"):
            return []
        summary = (
            f"Person seen in {zone} by {event.camera} at {clock(state, event.ts)}: the site is closed and"
            f" no one allowed in {zone} is on shift or has an override. Check who is there."
        )
        return [self.alert(state, event.ts, p.uncovered, summary, [event.id], zones=[zone], devices=[event.camera])]

    def _authorised_entry(self, state: SiteState, zone: str) -> tuple[str, str] | None:
        """(grant event, person) of a recent grant into ``zone`` for someone allowed there and on shift."""
        now = state.clock.current()
        since = now - timedelta(seconds=self.params.entry_s)
        people = state.people
        for door in state.zone_doors.get(zone, ()):
            for g in state.doors.grants_between(door, since, now):
                person = people.person_of(g.person, g.credential)
                if person is not None and people.allowed(person, zone, now) and people.covered(person, now):
                    return g.event, person.id
        return None

    def _repeat(self, state: SiteState, key: str) -> bool:
        last = self._last.get(key)
        if last is not None and state.ms - last < self.params.repeat_s * 1000:
            return True
        self._last[key] = state.ms
        return False

    def _anyone_covered(self, state: SiteState, zone: str) -> bool:
        minute = state.ms // 60_000
        cached = self._covered.get(zone)
        if cached is not None and cached[0] == minute:
            return cached[1]
        people = state.people
        ts = state.clock.current()
        found = any(people.allowed(person, zone, ts) and people.covered(person, ts) for person in state.site.people)
        self._covered[zone] = (minute, found)
        return found
