"""Each zone's armed state, from its panel and from operators.

Unknown until the zone's panel (``sensor`` event ``arm``/``disarm``) or an
admin ``arm``/``disarm`` naming the zone (``zone``, else ``target``) first says;
panels report their state when they start, as an ``arm`` or ``disarm`` with no
``user``.

    >>> armed = Armed()                              # doctest: +SKIP
    >>> armed.apply_sensor(panel_arm); armed.is_armed("hv-cage")   # doctest: +SKIP
    True
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from stockade.events.model import Admin, Sensor


class ArmChange(NamedTuple):
    armed: bool
    ts: datetime
    user: str | None
    event: str


class Armed:
    def __init__(self) -> None:
        self.armed: dict[str, ArmChange] = {}

    def save(self) -> dict[str, ArmChange]:
        return self.armed

    def load(self, saved: dict[str, ArmChange]) -> None:
        self.armed = saved

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
