"""Where each person is: the zone their last granted access led into, and since when they are inside.

Rules in :mod:`stockade.site.live`. ``where`` answers passback at the door and
"where were they before?" for the detectors; ``visits`` keeps each person's
last entry per zone; ``inside_since`` is when they last came in from a public
zone (gone when they step back into one).

    >>> positions = Positions(site)                                  # doctest: +SKIP
    >>> positions.apply_access(access, "emp-1042")                   # doctest: +SKIP
    >>> positions.zone("emp-1042")                                   # doctest: +SKIP
    'storage'
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from stockade.events.model import Access
from stockade.site.config import SiteConfig


class Position(NamedTuple):
    zone: str
    ts: datetime
    door: str
    event: str


class PositionsSnapshot(msgspec.Struct, frozen=True):
    where: dict[str, Position]
    inside_since: dict[str, datetime]
    visits: dict[str, dict[str, Position]]


class Positions:
    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.where: dict[str, Position] = {}
        self.inside_since: dict[str, datetime] = {}
        self.visits: dict[str, dict[str, Position]] = {}

    def save(self) -> PositionsSnapshot:
        return PositionsSnapshot(self.where, self.inside_since, self.visits)

    def load(self, saved: PositionsSnapshot) -> None:
        self.where, self.inside_since, self.visits = saved.where, saved.inside_since, saved.visits

    def zone(self, person: str) -> str | None:
        """The zone the person last entered with a granted access, if known."""
        pos = self.where.get(person)
        return pos.zone if pos is not None else None

    def zone_entered(self, event: Access, person: str | None) -> str | None:
        """The zone an access at ``event.door`` leads into (None for an unknown door)."""
        door = self.site.doors_by_id.get(event.door)
        if door is None:
            return None
        a, b = door.zones
        if event.direction == "in":
            return b
        if event.direction == "out":
            return a
        pos = self.where.get(person) if person else None
        return a if pos is not None and pos.zone == b else b

    def apply_access(self, event: Access, person: str | None) -> None:
        """Fold one access; ``person`` is who made it (None when no one in the site file)."""
        if event.result != "granted" or person is None:
            return
        zone = self.zone_entered(event, person)
        if zone is None:
            return
        z = self.site.zones_by_id.get(zone)
        if z is not None and z.public:
            self.inside_since.pop(person, None)
        elif person not in self.inside_since:
            self.inside_since[person] = event.ts
        pos = self.where[person] = Position(zone, event.ts, event.door, event.id)
        self.visits.setdefault(person, {})[zone] = pos

    def reset(self, person: str) -> None:
        """``reset_passback``: forget where the person is (a guard saw them leave by a fire exit)."""
        self.where.pop(person, None)
