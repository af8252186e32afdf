"""Per-zone facts: armed state (from panels and operators) and threat levels.

A zone's armed state is unknown until its panel (or an admin ``arm`` /
``disarm`` naming it) first says; panels report their state when they start,
as an ``arm`` or ``disarm`` with no ``user``. Threat levels come from admin
``set_threat_level`` events (zone, or the whole site as ``"*"``).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from stockade.events import Admin, Sensor


class ArmChange(NamedTuple):
    armed: bool
    ts: datetime
    user: str | None
    event: str


class ZonesSnapshot(msgspec.Struct, frozen=True):
    armed: dict[str, ArmChange]
    threat: dict[str, str]


class ZonesState:
    def __init__(self) -> None:
        self.armed: dict[str, ArmChange] = {}
        self.threat: dict[str, str] = {}

    def save(self) -> ZonesSnapshot:
        return ZonesSnapshot(self.armed, self.threat)

    def load(self, saved: ZonesSnapshot) -> None:
        self.armed, self.threat = saved.armed, saved.threat

    def is_armed(self, zone: str) -> bool | None:
        change = self.armed.get(zone)
        return None if change is None else change.armed

    def apply_sensor(self, event: Sensor) -> None:
        if event.type == "arm" or event.type == "disarm":
            self.armed[event.zone] = ArmChange(event.type == "arm", event.ts, event.user, event.id)

    def apply_admin(self, event: Admin) -> None:
        action = event.action
        if action == "arm" or action == "disarm":
            zone = event.zone or event.target
            if zone is not None:
                self.armed[zone] = ArmChange(action == "arm", event.ts, event.actor, event.id)
        elif action == "set_threat_level":
            level = (event.attrs or {}).get("level") or event.detail
            if isinstance(level, str):
                self.threat[event.zone or "*"] = level
