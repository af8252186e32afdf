"""STK-ACC-003: one credential used where its holder cannot be (cloned or shared badge).

Three ways a credential gives itself away:

* two doors farther apart (in doors crossed) than the time between the two
  presentations allows at ``walk_s_per_hop`` per door;
* presentations at two different sites within ``site_window_s``;
* any presentation while its holder is on leave (leave dates are inclusive).

    Badge 1007 (emp-1007, day shift) used at D-HV at 10:02:15, 34 s after D-LOBBY: 4 doors apart need ≥ 80 s
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity
from stockade.site.calendar import on_leave_at


class ImpossibleUseParams(Params, frozen=True):
    min_hops: int = 2
    site_window_s: float = 3600
    severity: Severity = "high"
    on_leave: Severity = "high"
    leave_repeat_s: float = 43200  # one alert per credential and half-day: the incident stays open


class ImpossibleUseMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    leave_alerted: dict[str, int]


class ImpossibleUse(DetectorBase[ImpossibleUseParams]):
    id = "STK-ACC-003"
    kinds = frozenset({"access"})
    params_type = ImpossibleUseParams
    memory_type = ImpossibleUseMemory

    def setup(self) -> None:
        self._leave_alerted: dict[str, int] = {}

    def observe(self, state: SiteState, event: Access | Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        people = state.people
        person = people.person_of(event.subject, event.credential)
        cred = event.credential or (person.id if person else None)
        if cred is None:
            return []
        p = self.params
        pid = person.id if person else None
        out: list[Alert] = []
        if (
            person is not None
            and person.leave
            and on_leave_at(state.site, person, event.ts)
            and state.ms - self._leave_alerted.get(cred, -(10**15)) >= p.leave_repeat_s * 1000
        ):
            self._leave_alerted[cred] = state.ms
            out.append(
                self.alert(
                    state,
                    event.ts,
                    p.on_leave,
                    f"{who(person, event.credential)} was presented at {event.door}"
                    f" at {clock(state, event.ts)}"
                    f" ({event.result}) while {person.id} is on leave: cloned, lent or stolen badge."
                    f" Check the {event.door} camera and call {person.id}.",
                    [event.id],
                    salt="leave",
                    people=[pid],
                    credentials=[event.credential],
                    doors=[event.door],
                )
            )
        last = people.last_use.get(cred)
        if last is None or last.event == event.id:
            return out
        gap = abs((event.ts - last.ts).total_seconds())
        if last.site != event.site:
            if gap <= p.site_window_s:
                out.append(
                    self.alert(
                        state,
                        event.ts,
                        p.severity,
                        f"{who(person, event.credential)} used at {event.site} ({event.door})"
                        f" {span(gap)} after"
                        f" {last.site} ({last.door}): one badge, two sites. Check both doors' cameras.",
                        [last.event, event.id],
                        people=[pid],
                        credentials=[event.credential],
                        doors=[last.door, event.door],
                    )
                )
            return out
        hops = state.topology.door_hops(last.door, event.door)
        if hops < p.min_hops or hops >= 10**6:
            return out
        need = state.topology.min_transit_s(hops)
        if gap < need:
            out.append(
                self.alert(
                    state,
                    event.ts,
                    p.severity,
                    f"{who(person, event.credential)} used at {event.door} at {clock(state, event.ts)},"
                    f" {span(gap)} after {last.door}: {hops} doors apart need at least {span(need)}."
                    " Two people hold this credential (cloned or shared badge): check both doors' cameras.",
                    [last.event, event.id],
                    people=[pid],
                    credentials=[event.credential],
                    doors=[last.door, event.door],
                )
            )
        return out
