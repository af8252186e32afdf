"""STK-DOR-001: a door forced, or opened with no grant just before.

``forced`` is reported by the controller and alerts at once. An ``open`` is
judged once event time has passed ``after_s`` beyond it, so a grant that
arrives slightly out of order still counts: it must lie within ``before_s``
before or ``after_s`` after the opening. A door left ``unlocked`` (free
passage) opens without grants and is left alone.

    D-FIRE-S (dock-out / perimeter) was FORCED at 02:16 while the site was closed
"""

from __future__ import annotations

from bisect import insort
from datetime import datetime, timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.detectors.planned_work import in_drill
from stockade.engine.state import SiteState
from stockade.events import Alert, Door, Envelope
from stockade.events.model import Severity


class ForcedDoorParams(Params, frozen=True):
    before_s: float = 15
    after_s: float = 3
    forced: Severity = "high"
    forced_high_value: Severity = "critical"
    no_grant: Severity = "medium"
    no_grant_sensitive: Severity = "high"  # into a high-value zone, or while the site is closed


class ForcedDoorMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    pending: list[Door]  # in opening-time order


class ForcedDoor(DetectorBase[ForcedDoorParams]):
    id = "STK-DOR-001"
    kinds = frozenset({"*"})
    params_type = ForcedDoorParams
    memory_type = ForcedDoorMemory

    def setup(self) -> None:
        self._pending: list[Door] = []  # openings not judged yet, earliest first

    def load_memory(self, memory: msgspec.Struct) -> None:
        super().load_memory(memory)
        self._pending.sort(key=_opened_at)  # a snapshot written before they were kept in order

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        out: list[Alert] = []
        if self._pending:
            self._flush(state, out)
        if isinstance(event, Door):
            if event.state == "forced":
                out.append(self._forced(state, event))
            elif event.state == "open" and state.doors.state.get(event.door) not in (
                "open",
                "unlocked",
                "held",
            ):
                insort(self._pending, event, key=_opened_at)
        return out

    def _flush(self, state: SiteState, out: list[Alert]) -> None:
        """Judge the openings that waited ``after_s``: the earliest first, so most events stop at
        the first. Waits compare in seconds, as the params give them: making a timedelta of the
        params on every event was this engine's costliest line."""
        p = self.params
        now = state.clock.current()
        due = 0
        while due < len(self._pending) and (now - self._pending[due].ts).total_seconds() >= p.after_s:
            due += 1
        if not due:
            return
        after, before = timedelta(seconds=p.after_s), timedelta(seconds=p.before_s)
        for ev in self._pending[:due]:
            if not state.doors.granted_within(ev.door, ev.ts, before, after):
                out.append(self._no_grant(state, ev))
        del self._pending[:due]

    def _zones(self, state: SiteState, door: str) -> tuple[str, ...]:
        d = state.site.doors_by_id.get(door)
        return d.zones if d else ()

    def _high_value(self, state: SiteState, zones: tuple[str, ...]) -> bool:
        by_id = state.site.zones_by_id
        return any(by_id[z].kind == "high_value" for z in zones if z in by_id)

    def _forced(self, state: SiteState, event: Door) -> Alert:
        zones = self._zones(state, event.door)
        hv = self._high_value(state, zones)
        closed = not state.clock.is_open(event.ts)
        severity = self.params.forced_high_value if hv else self.params.forced
        summary = (
            f"{event.door} ({' / '.join(zones)}) was FORCED open at {clock(state, event.ts)}"
            f"{' while the site was closed' if closed else ''}. Send a guard and check the cameras."
        )
        severity, summary = in_drill(state, event.ts, zones, severity, summary)
        return self.alert(state, event.ts, severity, summary, [event.id], doors=[event.door], zones=zones)

    def _no_grant(self, state: SiteState, event: Door) -> Alert:
        zones = self._zones(state, event.door)
        sensitive = self._high_value(state, zones) or not state.clock.is_open(event.ts)
        p = self.params
        severity = p.no_grant_sensitive if sensitive else p.no_grant
        summary = (
            f"{event.door} ({' / '.join(zones)}) opened at {clock(state, event.ts)} with no badge"
            f" granted there in the {p.before_s:.0f} s before: forced latch, propped or bypassed."
            " Check the door camera."
        )
        severity, summary = in_drill(state, event.ts, zones, severity, summary)
        return self.alert(state, event.ts, severity, summary, [event.id], doors=[event.door], zones=zones)


def _opened_at(event: Door) -> datetime:
    return event.ts
