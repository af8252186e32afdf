"""STK-PER-001: perimeter breach — a fence, beam or geofence trigger; worse with motion after hours.

Every fence, beam or geofence trigger (and a glass-break, or a panel's
intrusion ``alarm``) alerts: high while the site is closed. In daylight (the
site open) one trigger alone is ``low`` — wind and animals are the first
complaint of every perimeter system — and it is corroborated before it
escalates: a second perimeter sensor, or (for a trigger on a ``perimeter``
zone, where nobody works) motion or a camera seeing a person or a vehicle in
that zone within ``motion_window_s``, raises it to ``medium`` once. People and
trucks in a yard in daylight corroborate nothing. A motion
sensor firing within ``motion_window_s`` after a breach while the site is
closed means someone got through: critical, once per breach.

    Fence sensor S-FENCE-N (perimeter) triggered at 01:58 while the site is closed; motion on
      S-MOTION-YARD 40 s later
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.engine.state import SiteState
from stockade.events import Alert, Envelope, Sensor, Video
from stockade.events.model import Severity

BREACH_TYPES = frozenset({"fence", "beam", "geofence", "glassbreak", "alarm"})
SEEN = frozenset({"person", "car", "truck"})


class PerimeterBreachParams(Params, frozen=True):
    open: Severity = "low"  # one trigger in daylight, nothing behind it yet
    corroborated: Severity = "medium"  # daylight, with a second sensor, motion or a camera behind it
    closed: Severity = "high"
    with_motion: Severity = "critical"
    motion_window_s: float = 600
    repeat_s: float = 120  # the same sensor again within this is the same breach
    min_value: float | None = None  # ignore triggers whose ``value`` is below this (weak signal)


class PerimeterBreachMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    last: dict[str, int]
    breach: tuple[int, str, str, bool, str] | None


class PerimeterBreach(DetectorBase[PerimeterBreachParams]):
    id = "STK-PER-001"
    kinds = frozenset({"sensor", "video"})
    params_type = PerimeterBreachParams
    memory_type = PerimeterBreachMemory

    def setup(self) -> None:
        self._last: dict[str, int] = {}  # sensor -> ms of its last trigger
        self._breach: tuple[int, str, str, bool, str] | None = None  # (ms, event, sensor, escalated, zone)

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if isinstance(event, Video):
            return self._camera(state, event)
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
        b = self._breach
        if is_open and b is not None and b[2] != event.sensor and state.ms - b[0] <= p.motion_window_s * 1000:
            return self._corroborate(state, event, f"a second sensor, {event.sensor}, triggered", event.zone)
        self._breach = (state.ms, event.id, event.sensor, False, event.zone)
        severity = p.open if is_open else p.closed
        what = {"glassbreak": "Glass break", "alarm": "Intrusion alarm"}.get(kind, f"{kind.capitalize()} sensor")
        summary = (
            f"{what} {event.sensor} ({event.zone}) triggered at {clock(state, event.ts)}"
            + (" while the site is closed. Check the perimeter cameras." if not is_open else
               ", in daylight with nothing behind it yet (wind, an animal?). Look at the camera on"
               f" {event.zone} before sending anyone.")
        )
        return [self.alert(state, event.ts, severity, summary, [event.id], zones=[event.zone], devices=[event.sensor])]

    def _camera(self, state: SiteState, event: Video) -> list[Alert]:
        b = self._breach
        if (b is None or b[3] or event.label not in SEEN or state.ms - b[0] > self.params.motion_window_s * 1000
                or not state.clock.is_open(event.ts)):
            return []
        zones = (event.zone,) if event.zone else state.camera_zones.get(event.camera, ())
        if b[4] not in zones or not _outer(state, b[4]):
            return []
        return self._corroborate(state, event, f"camera {event.camera} saw a {event.label}", b[4])

    def _corroborate(self, state: SiteState, event: Sensor | Video, what: str, zone: str) -> list[Alert]:
        b = self._breach
        if b is None or b[3]:
            return []
        self._breach = (b[0], b[1], b[2], True, b[4])
        first = event.ts - timedelta(milliseconds=state.ms - b[0])
        summary = (
            f"Perimeter sensor {b[2]} ({b[4]}) triggered at {clock(state, first)}"
            f" and {span((state.ms - b[0]) / 1000)} later {what}: the trigger is corroborated."
            f" Send a guard to {zone} and keep the camera on it."
        )
        return [self.alert(state, event.ts, self.params.corroborated, summary, [b[1], event.id],
                           zones=[b[4], zone], devices=[b[2], getattr(event, "sensor", None) or
                                                        getattr(event, "camera", None)])]

    def _motion(self, state: SiteState, event: Sensor) -> list[Alert]:
        b = self._breach
        p = self.params
        if b is None or b[3] or state.ms - b[0] > p.motion_window_s * 1000:
            return []
        if state.clock.is_open(event.ts):
            if event.zone != b[4] or not _outer(state, b[4]):
                return []
            return self._corroborate(state, event, f"motion on {event.sensor}", event.zone)
        self._breach = (b[0], b[1], b[2], True, b[4])
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


def _outer(state: SiteState, zone: str) -> bool:
    """A perimeter zone: nobody works there, so a person or motion in daylight is worth a look."""
    z = state.site.zones_by_id.get(zone)
    return z is not None and z.kind == "perimeter"
