"""STK-VID-002: loitering in a dock, yard or high-value zone.

A camera's ``loiter`` event, or any person detection whose ``dwell_s``
reaches the threshold for the zone's kind, in a zone of kind ``dock``,
``yard`` or ``high_value``. One alert per camera track (or per camera within
``repeat_s`` when the camera gives no track).

    Person loitering 9 min in dock-out (C-DOCKOUT-1, track 4411) at 01:12 while the site is closed
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.engine.state import SiteState
from stockade.events import Alert, Envelope, Video
from stockade.events.model import Severity


class LoiteringParams(Params, frozen=True):
    dwell_s: dict[str, float] = msgspec.field(
        default_factory=lambda: {"dock": 300.0, "yard": 300.0, "high_value": 120.0}
    )
    repeat_s: float = 1800
    severity: Severity = "medium"
    closed: Severity = "high"  # the site closed, or a high-value zone
    yard_open: Severity = "medium"  # a yard during opening hours (drivers wait in their cabs, not on foot)
    labels: tuple[str, ...] = ("person",)


class LoiteringMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    seen: dict[str, int]


class Loitering(DetectorBase[LoiteringParams]):
    id = "STK-VID-002"
    kinds = frozenset({"video"})
    params_type = LoiteringParams
    memory_type = LoiteringMemory

    def setup(self) -> None:
        self._seen: dict[str, int] = {}  # camera/track -> ms of the last alert

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Video):
            return []
        p = self.params
        if event.label not in p.labels or event.event in ("exit", "line_cross"):
            return []
        zone = event.zone
        if zone is None:
            zones = state.camera_zones.get(event.camera, ())
            zone = zones[0] if len(zones) == 1 else None
        z = state.site.zones_by_id.get(zone) if zone else None
        if z is None or z.kind not in p.dwell_s:
            return []
        limit = p.dwell_s[z.kind]
        dwell = float(event.dwell_s) if event.dwell_s is not None else None
        if not (event.event == "loiter" and (dwell is None or dwell >= limit / 2)) and (
            dwell is None or dwell < limit
        ):
            return []
        key = f"{event.camera}/{event.track or ''}"
        last = self._seen.get(key)
        if last is not None and (event.track is not None or state.ms - last < p.repeat_s * 1000):
            return []
        self._seen[key] = state.ms
        if len(self._seen) > 10_000:
            for k in list(self._seen)[:5_000]:
                del self._seen[k]
        is_open = state.clock.is_open(event.ts)
        if z.kind == "high_value" or not is_open:
            severity = p.closed
        elif z.kind == "yard":
            severity = p.yard_open
        else:
            severity = p.severity
        how_long = f" {span(dwell)}" if dwell is not None else ""
        summary = (
            f"{event.label.capitalize()} loitering{how_long} in {zone} ({event.camera}"
            f"{', track ' + event.track if event.track else ''}) at {clock(state, event.ts)}"
            f"{' while the site is closed' if not is_open else ''}. Send someone to check."
        )
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                [event.id],
                zones=[zone],
                devices=[event.camera],
                trucks=[event.plate],
            )
        ]
