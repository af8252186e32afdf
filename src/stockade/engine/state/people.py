"""The engine's people: the live site's positions and rights, credentials' last use, a shift cache.

Positions, grants, revocations and schedule overrides are the live site's parts
(:mod:`stockade.site.live`), folded with the same rules as at the doors; this
module adds what only detection needs: the last presentation of each credential
and the on-shift answer cached per shift occurrence (off shift: until the next one can begin).

    >>> people = PeopleState(site)                               # doctest: +SKIP
    >>> people.person_of(access.subject).id                      # doctest: +SKIP
    'emp-1042'
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from stockade.events import Access, Admin
from stockade.site import SiteConfig
from stockade.site.calendar import GRACE, off_shift_until, shift_span
from stockade.site.config import Person
from stockade.site.live.people import People
from stockade.site.live.people import PeopleSnapshot as LivePeopleSnapshot
from stockade.site.live.positions import Position

__all__ = ["PeopleSnapshot", "PeopleState", "Position", "Use"]


class Use(NamedTuple):
    """The last presentation of a credential."""

    door: str
    ts: datetime
    event: str
    site: str
    granted: bool


class PeopleSnapshot(msgspec.Struct, frozen=True):
    live: LivePeopleSnapshot
    last_use: dict[str, Use]
    span: dict[str, tuple[datetime, datetime]]
    off: dict[str, int]


class PeopleState:
    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.live = People(site)
        self.positions = self.live.positions
        self.rights = self.live.rights
        self.last_use: dict[str, Use] = {}
        self._span: dict[str, tuple[datetime, datetime]] = {}
        self._off: dict[str, int] = {}  # person -> off shift before this minute (epoch; from off_shift_until)
        self._off_since: dict[str, int] = {}  # ... and from this one (events may come a little out of order);
        # not saved: a restored engine asks again once
        self._alias()

    def _alias(self) -> None:
        # The positions' tables as plain attributes: detectors read them on every access (no property call).
        self.where: dict[str, Position] = self.positions.where
        self.visits: dict[str, dict[str, Position]] = self.positions.visits
        self.inside_since: dict[str, datetime] = self.positions.inside_since

    def save(self) -> PeopleSnapshot:
        return PeopleSnapshot(self.live.save(), self.last_use, self._span, self._off)

    def load(self, saved: PeopleSnapshot) -> None:
        self.live.load(saved.live)
        self.last_use, self._span, self._off = saved.last_use, saved.span, saved.off
        self._off_since.clear()
        self._alias()

    # --- reading -------------------------------------------------------------

    def person_of(self, subject: str | None, credential: str | None = None) -> Person | None:
        return self.live.person_of(subject, credential)

    def zone_entered(self, event: Access, person_id: str | None) -> str | None:
        """The zone an access at ``event.door`` leads into."""
        return self.positions.zone_entered(event, person_id)

    def on_shift(self, person: Person, ts: datetime) -> bool:
        """Within the person's shift (30 min grace), cached per shift occurrence and, off shift, until
        the next occurrence can begin."""
        span = self._span.get(person.id)
        if span is not None and span[0] - GRACE <= ts < span[1] + GRACE:
            return True
        minute = int(ts.timestamp()) // 60
        since = self._off_since.get(person.id)
        if since is not None and since <= minute < self._off.get(person.id, since):
            return False
        found = shift_span(self.site, person, ts)
        if found is None:  # the shift's times are whole minutes: off until the minute its next one can begin
            self._off[person.id] = max(minute + 1, int(off_shift_until(self.site, person, ts).timestamp()) // 60)
            self._off_since[person.id] = minute
            return False
        self._span[person.id] = found
        return True

    def last_span(self, person_id: str) -> tuple[datetime, datetime] | None:
        """The person's most recent shift occurrence found on shift (local start, end)."""
        return self._span.get(person_id)

    def overridden(self, person_id: str, ts: datetime) -> bool:
        return self.rights.schedule_override(person_id, ts)

    def covered(self, person: Person, ts: datetime) -> bool:
        """On shift (with grace) or covered by a schedule override."""
        return self.on_shift(person, ts) or self.rights.schedule_override(person.id, ts)

    def granted_zone(self, person_id: str, zone: str, ts: datetime) -> bool:
        return self.rights.grant(person_id, zone, ts)

    def allowed(self, person: Person, zone: str, ts: datetime) -> bool:
        """Whether the person may be in ``zone`` now (:meth:`Rights.may_be_in`)."""
        return self.rights.may_be_in(person, zone, ts)

    # --- folding -------------------------------------------------------------

    def apply_access(self, event: Access) -> Person | None:
        person = self.live.apply_access(event)
        key = event.credential or (person.id if person else None)
        if key is not None:
            self.last_use[key] = Use(event.door, event.ts, event.id, event.site, event.result == "granted")
        return person

    def apply_admin(self, event: Admin) -> None:
        self.live.apply_admin(event)
