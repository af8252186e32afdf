"""STK-PER-001: perimeter breach — a fence, beam or geofence trigger; worse with motion after hours.

Every fence, beam or geofence trigger (and a glass-break, or a panel's
intrusion ``alarm``) alerts: medium while
the site is open, high while it is closed. A motion sensor firing within
``motion_window_s`` after a breach while the site is closed means someone got
through: critical, once per breach.

    Fence sensor S-FENCE-N (perimeter) triggered at 01:58 while the site is closed; motion on
      S-MOTION-YARD 40 s later
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.engine.state import SiteState
from stockade.events import Alert, Envelope, Sensor
from stockade.events.model import Severity

BREACH_TYPES = frozenset({"fence", "beam", "geofence", "glassbreak", "alarm"})


class PerimeterBreachParams(Params, frozen=True):
    open: Severity = "medium"
    closed: Severity = "high"
    with_motion: Severity = "critical"
    motion_window_s: float = 600
    repeat_s: float = 120  # the same sensor again within this is the same breach
    min_value: float | None = None  # ignore triggers whose ``value`` is below this (weak signal)


class PerimeterBreachMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    last: dict[str, int]
    breach: tuple[int, str, str, bool] | None


class PerimeterBreach(DetectorBase[PerimeterBreachParams]):
    id = "STK-PER-001"
    kinds = frozenset({"sensor"})
    params_type = PerimeterBreachParams
    memory_type = PerimeterBreachMemory

    def setup(self) -> None:
        self._last: dict[str, int] = {}  # sensor -> ms of its last trigger
        self._breach: tuple[int, str, str, bool] | None = None  # (ms, event, sensor, escalated)

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Sensor):
            return []
        p = self.params
        kind = event.type
        if kind == "motion":
            return self._motion(state, event)
        if kind not in BREACH_TYPES:
            return []
        if p.min_value is not None and event.value is not None and event.value < p.min_value:
            return []
        last = self._last.get(event.sensor)
        self._last[event.sensor] = state.ms
        if last is not None and state.ms - last < p.repeat_s * 1000:
            return []
        is_open = state.clock.is_open(event.ts)
        self._breach = (state.ms, event.id, event.sensor, False)
        severity = p.open if is_open else p.closed
        what = {"glassbreak": "Glass break", "alarm": "Intrusion alarm"}.get(kind, f"{kind.capitalize()} sensor")
        summary = (
            f"{what} {event.sensor} ({event.zone}) triggered at {clock(state, event.ts)}"
            f"{' while the site is closed' if not is_open else ''}. Check the perimeter cameras."
        )
        return [self.alert(state, event.ts, severity, summary, [event.id], zones=[event.zone], devices=[event.sensor])]

    def _motion(self, state: SiteState, event: Sensor) -> list[Alert]:
        b = self._breach
        p = self.params
        if b is None or b[3] or state.ms - b[0] > p.motion_window_s * 1000 or state.clock.is_open(event.ts):
            return []
        self._breach = (b[0], b[1], b[2], True)
        summary = (
            f"Motion on {event.sensor} ({event.zone}) at {clock(state, event.ts)},"
            f" {span((state.ms - b[0]) / 1000)} after perimeter sensor {b[2]} triggered, while the site is"
            " closed: someone is inside. Send guards and call the police."
        )
        return [
            self.alert(
                state,
                event.ts,
                p.with_motion,
                summary,
                [b[1], event.id],
                zones=[event.zone],
                devices=[b[2], event.sensor],
            )
        ]
