"""Door states and the recent grants at each door.

A door's last reported state (``open``, ``closed``, ``forced``, ``held``,
``locked``, ``unlocked``), when it opened, and a short ring of recent grants
(access ``granted`` or a decision ``allow``) so detectors can ask "was anyone
let through here just before?" in O(1).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec

from stockade.events import Access, Decision, Door

RECENT_GRANTS = 16


class Grant(NamedTuple):
    ts: datetime
    event: str
    person: str | None
    credential: str | None
    decision: bool  # a decision point's allow, not a controller's grant


class Opening(NamedTuple):
    ts: datetime
    event: str


class DoorsSnapshot(msgspec.Struct, frozen=True):
    state: dict[str, str]
    open_since: dict[str, Opening]
    grants: dict[str, list[Grant]]


class DoorsState:
    def __init__(self) -> None:
        self.state: dict[str, str] = {}
        self.open_since: dict[str, Opening] = {}
        self.grants: dict[str, deque[Grant]] = {}

    def save(self) -> DoorsSnapshot:
        return DoorsSnapshot(self.state, self.open_since, {d: list(r) for d, r in self.grants.items()})

    def load(self, saved: DoorsSnapshot) -> None:
        self.state, self.open_since = saved.state, saved.open_since
        self.grants = {d: deque(r, maxlen=RECENT_GRANTS) for d, r in saved.grants.items()}

    def grants_between(self, door: str, start: datetime, end: datetime) -> list[Grant]:
        ring = self.grants.get(door)
        if not ring:
            return []
        return [g for g in ring if start <= g.ts <= end]

    def granted_within(self, door: str, ts: datetime, before: timedelta, after: timedelta) -> bool:
        ring = self.grants.get(door)
        if not ring:
            return False
        lo, hi = ts - before, ts + after
        return any(lo <= g.ts <= hi for g in ring)

    def apply_grant(self, event: Access | Decision, person: str | None) -> None:
        ring = self.grants.get(event.door)
        if ring is None:
            ring = self.grants[event.door] = deque(maxlen=RECENT_GRANTS)
        ring.append(Grant(event.ts, event.id, person, event.credential, isinstance(event, Decision)))

    def apply_door(self, event: Door) -> None:
        state = event.state
        self.state[event.door] = state
        if state in ("open", "forced", "held"):
            if event.door not in self.open_since:
                start = event.ts
                if state == "held" and event.duration_s:
                    start = event.ts - timedelta(seconds=float(event.duration_s))
                self.open_since[event.door] = Opening(start, event.id)
        elif state in ("closed", "locked"):
            self.open_since.pop(event.door, None)
