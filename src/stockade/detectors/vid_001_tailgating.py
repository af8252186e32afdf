"""STK-VID-001: tailgating — a door camera counts more people through than there were grants.

A camera that watches a door's line (``door:`` in the site file) reports
``line_cross`` events with the number of people that crossed. Grants at that
door within ``window_s`` either side are counted; the crossing is judged once
event time has passed ``window_s`` beyond it, so late grants still count.
Each grant pays for one crossing only.

    C-HV-DOOR counted 2 people through D-HV at 02:16 but only 1 badge was granted there within 10 s
      (Badge 1020, emp-1020)
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.detectors.planned_work import in_drill
from stockade.engine.state import SiteState
from stockade.engine.state.doors import Grant
from stockade.events import Alert, Envelope, Video
from stockade.events.model import Severity


class TailgatingParams(Params, frozen=True):
    window_s: float = 10
    severity: Severity = "medium"
    sensitive: Severity = "high"  # a high-value door, or the site closed
    labels: tuple[str, ...] = ("person",)


class TailgatingMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    pending: list[tuple[Video, str]]
    used: dict[str, str]


class Tailgating(DetectorBase[TailgatingParams]):
    id = "STK-VID-001"
    kinds = frozenset({"*"})
    params_type = TailgatingParams
    memory_type = TailgatingMemory

    def setup(self) -> None:
        self._pending: list[tuple[Video, str]] = []
        self._used: dict[str, str] = {}  # grant event id -> crossing that used it (bounded)

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        out: list[Alert] = []
        if self._pending:
            self._flush(state, out)
        if isinstance(event, Video) and event.event == "line_cross" and event.label in self.params.labels:
            door = state.camera_door.get(event.camera)
            if door is not None:
                self._pending.append((event, door))
        return out

    def _flush(self, state: SiteState, out: list[Alert]) -> None:
        now = state.clock.current()
        w = timedelta(seconds=self.params.window_s)
        keep: list[tuple[Video, str]] = []
        for ev, door in self._pending:
            if now - ev.ts < w:
                keep.append((ev, door))
                continue
            grants = [
                g
                for g in state.doors.grants_between(door, ev.ts - w, ev.ts + w)
                if g.event not in self._used and not g.decision
            ]
            crossed = ev.count if ev.count is not None else 1
            for g in grants[:crossed]:
                self._used[g.event] = ev.id
            if len(self._used) > 4096:
                for key in list(self._used)[:2048]:
                    del self._used[key]
            if crossed > len(grants):
                out.append(self._alert(state, ev, door, crossed, grants))
        self._pending = keep

    def _alert(self, state: SiteState, ev: Video, door: str, crossed: int, grants: list[Grant]) -> Alert:
        zones = state.door_zones(door)
        hv = state.high_value_door(door)
        p = self.params
        severity = p.sensitive if hv or not state.clock.is_open(ev.ts) else p.severity
        badges = ", ".join(f"{g.credential or '?'} ({g.person or 'unknown'})" for g in grants) or "none"
        summary = (
            f"{ev.camera} counted {crossed} people through {door} at {clock(state, ev.ts)} but only"
            f" {len(grants)} badge(s) were granted there within {p.window_s:.0f} s ({badges}):"
            " tailgating. Review the door camera and challenge the follower."
        )
        severity, summary = in_drill(state, ev.ts, zones, severity, summary)
        return self.alert(
            state,
            ev.ts,
            severity,
            summary,
            [ev.id, *(g.event for g in grants)],
            people=[g.person for g in grants],
            credentials=[g.credential for g in grants],
            doors=[door],
            zones=zones,
            devices=[ev.camera],
        )
