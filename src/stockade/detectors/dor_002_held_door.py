"""STK-DOR-002: a door held open too long (propped door).

The open time comes from ``held`` events (``duration_s`` grows), from a
``closed`` event's ``duration_s``, or from event time itself: a door that
opened and has not closed is judged on later events and ticks. One alert per
opening. Longer than ``threshold_s`` is medium; while the site is closed or at
a high-value door, high.

    D-FIRE-S (dock-out / perimeter) has been open 14 min (since 01:58): propped open? Close it and check
      the camera
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.detectors.planned_work import in_drill
from stockade.engine.state import SiteState
from stockade.events import Alert, Door, Envelope
from stockade.events.model import Severity


class HeldDoorParams(Params, frozen=True):
    threshold_s: float = 300
    severity: Severity = "medium"
    sensitive: Severity = "high"  # site closed, or a high-value door


class HeldDoorMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    alerted: dict[str, datetime]
    next_check: int


class HeldDoor(DetectorBase[HeldDoorParams]):
    id = "STK-DOR-002"
    kinds = frozenset({"*"})
    params_type = HeldDoorParams
    memory_type = HeldDoorMemory

    def setup(self) -> None:
        self._alerted: dict[str, datetime] = {}  # door -> start of the opening already reported
        self._next_check = 0  # ms: when the next open door can have been open too long

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if state.ms < self._next_check and not isinstance(event, Door):
            return []
        out: list[Alert] = []
        limit = timedelta(seconds=self.params.threshold_s)
        if isinstance(event, Door):
            door = event.door
            opening = state.doors.open_since.get(door)
            if event.state in ("held", "closed") and event.duration_s is not None:
                start = event.ts - timedelta(seconds=float(event.duration_s))
                if opening is not None and opening.ts < start:
                    start = opening.ts
                if event.ts - start >= limit and self._alerted.get(door) != (
                    opening.ts if opening else start
                ):
                    out.append(
                        self._alert(
                            state,
                            door,
                            opening.ts if opening else start,
                            event.ts,
                            [opening.event if opening else "", event.id],
                            closed=event.state == "closed",
                        )
                    )
            if event.state in ("closed", "locked"):
                self._alerted.pop(door, None)
            return out
        now = state.clock.now
        if now is None:
            return out
        # the next scan is due when the oldest unreported opening reaches the limit; a door that opens
        # later is due later still (a back-dated ``held`` is judged on its own event above)
        due = now + limit
        for door, opening in state.doors.open_since.items():
            if self._alerted.get(door) == opening.ts:
                continue
            if now - opening.ts >= limit:
                out.append(self._alert(state, door, opening.ts, now, [opening.event, event.id], closed=False))
            elif opening.ts + limit < due:
                due = opening.ts + limit
        self._next_check = int(due.timestamp() * 1000)
        return out

    def _alert(
        self, state: SiteState, door: str, start: datetime, now: datetime, evidence: list[str], closed: bool
    ) -> Alert:
        self._alerted[door] = state.doors.open_since[door].ts if door in state.doors.open_since else start
        d = state.site.doors_by_id.get(door)
        zones = d.zones if d else ()
        by_id = state.site.zones_by_id
        hv = any(by_id[z].kind == "high_value" for z in zones if z in by_id)
        p = self.params
        severity = p.sensitive if hv or not state.clock.is_open(now) else p.severity
        held = span(now - start)
        tail = f"it closed after {held}" if closed else f"it has been open {held}"
        summary = (
            f"{door} ({' / '.join(zones)}) was opened at {clock(state, start)} and {tail}:"
            " propped open? Close it and check the door camera."
        )
        severity, summary = in_drill(state, now, zones, severity, summary)
        return self.alert(
            state, now, severity, summary, evidence, salt=start.isoformat(), doors=[door], zones=zones
        )
