"""The engine's per-zone facts: armed state and threat levels, the live site's parts.

Both fold with the decision point's rules (:mod:`stockade.site.live.armed`,
:mod:`stockade.site.live.threat`), so a detector reading a zone's level sees the
level the doors enforce.
"""

from __future__ import annotations

import msgspec

from stockade.events import Admin, Sensor
from stockade.site.live.armed import ArmChange, Armed
from stockade.site.live.threat import Level, Levels, ThreatLevelsView

__all__ = ["ArmChange", "ZonesSnapshot", "ZonesState"]


class ZonesSnapshot(msgspec.Struct, frozen=True):
    armed: dict[str, ArmChange]
    threat: ThreatLevelsView


class ZonesState:
    def __init__(self) -> None:
        self._armed = Armed()
        self.threat = Levels()

    @property
    def armed(self) -> dict[str, ArmChange]:
        return self._armed.armed

    def save(self) -> ZonesSnapshot:
        return ZonesSnapshot(self._armed.save(), self.threat.save())

    def load(self, saved: ZonesSnapshot) -> None:
        self._armed.load(saved.armed)
        self.threat.load(saved.threat)

    def is_armed(self, zone: str) -> bool | None:
        return self._armed.is_armed(zone)

    def threat_level(self, zone: str | None = None) -> Level:
        return self.threat.level(zone)

    def apply_sensor(self, event: Sensor) -> None:
        self._armed.apply_sensor(event)

    def apply_admin(self, event: Admin) -> None:
        self._armed.apply_admin(event)
        self.threat.observe(event)
