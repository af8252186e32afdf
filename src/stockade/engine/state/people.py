"""Who is who and who is where: credentials, last positions, grants and overrides.

Positions come from granted accesses: a grant through a door with a direction
puts the person in the zone on the far side; without a direction, the side
that is not where we last saw them. Grants (``grant_access`` / ``revoke_access``)
and ``schedule_override`` admin events are kept per person, with their windows.

    >>> people = PeopleState(site)                               # doctest: +SKIP
    >>> people.person_of(access).id                              # doctest: +SKIP
    'emp-1042'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec

from stockade.events import Access, Admin
from stockade.site import SiteConfig
from stockade.site.calendar import GRACE, shift_span
from stockade.site.config import Person

Window = tuple[datetime | None, datetime | None]
DEFAULT_OVERRIDE = timedelta(hours=12)


class Position(NamedTuple):
    zone: str
    ts: datetime
    door: str
    event: str


class Use(NamedTuple):
    """The last presentation of a credential."""

    door: str
    ts: datetime
    event: str
    site: str
    granted: bool


class PeopleSnapshot(msgspec.Struct, frozen=True):
    where: dict[str, Position]
    last_use: dict[str, Use]
    overrides: dict[str, list[tuple[datetime, datetime]]]
    grants: dict[str, dict[str, Window]]
    revoked: dict[str, set[str]]
    inside_since: dict[str, datetime]
    visits: dict[str, dict[str, Position]]
    span: dict[str, tuple[datetime, datetime]]
    off: dict[str, int]


class PeopleState:
    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.where: dict[str, Position] = {}
        self.last_use: dict[str, Use] = {}
        self.overrides: dict[str, list[tuple[datetime, datetime]]] = {}
        self.grants: dict[str, dict[str, Window]] = {}
        self.revoked: dict[str, set[str]] = {}
        self.inside_since: dict[str, datetime] = {}  # person -> when they last came in from a public zone
        self.visits: dict[str, dict[str, Position]] = {}  # person -> zone -> their last entry into it
        self._span: dict[str, tuple[datetime, datetime]] = {}
        self._off: dict[str, int] = {}  # person -> minute (epoch) known to be off shift

    def save(self) -> PeopleSnapshot:
        return PeopleSnapshot(self.where, self.last_use, self.overrides, self.grants, self.revoked,
                              self.inside_since, self.visits, self._span, self._off)

    def load(self, saved: PeopleSnapshot) -> None:
        self.where, self.last_use, self.overrides = saved.where, saved.last_use, saved.overrides
        self.grants, self.revoked, self.inside_since = saved.grants, saved.revoked, saved.inside_since
        self.visits, self._span, self._off = saved.visits, saved.span, saved.off

    # --- reading -------------------------------------------------------------

    def person_of(self, subject: str | None, credential: str | None = None) -> Person | None:
        site = self.site
        if subject is not None:
            p = site.people_by_id.get(subject)
            if p is not None:
                return p
            p = site.person_by_credential.get(subject)
            if p is not None:
                return p
        if credential is not None:
            return site.person_by_credential.get(credential)
        return None

    def zone_entered(self, event: Access, person_id: str | None) -> str | None:
        """The zone an access at ``event.door`` leads into."""
        zones = self.site.doors_by_id.get(event.door)
        if zones is None:
            return None
        a, b = zones.zones
        if event.direction == "in":
            return b
        if event.direction == "out":
            return a
        pos = self.where.get(person_id) if person_id else None
        if pos is not None and pos.zone == b:
            return a
        return b

    def on_shift(self, person: Person, ts: datetime) -> bool:
        """Within the person's shift (30 min grace), cached per shift occurrence."""
        span = self._span.get(person.id)
        if span is not None and span[0] - GRACE <= ts < span[1] + GRACE:
            return True
        minute = int(ts.timestamp()) // 60
        if self._off.get(person.id) == minute:
            return False
        found = shift_span(self.site, person, ts)
        if found is None:
            self._off[person.id] = minute
            return False
        self._span[person.id] = found
        return True

    def last_span(self, person_id: str) -> tuple[datetime, datetime] | None:
        """The person's most recent shift occurrence found on shift (local start, end)."""
        return self._span.get(person_id)

    def overridden(self, person_id: str, ts: datetime) -> bool:
        return any(s <= ts < e for s, e in self.overrides.get(person_id, ()))

    def covered(self, person: Person, ts: datetime) -> bool:
        """On shift (with grace) or covered by a schedule override."""
        return self.on_shift(person, ts) or self.overridden(person.id, ts)

    def granted_zone(self, person_id: str, zone: str, ts: datetime) -> bool:
        for z in (zone, "*"):
            w = self.grants.get(person_id, {}).get(z)
            if w is not None and (w[0] is None or w[0] <= ts) and (w[1] is None or ts < w[1]):
                return True
        return False

    def allowed(self, person: Person, zone: str, ts: datetime) -> bool:
        """Whether the person may be in ``zone``: public, their role, or a grant."""
        z = self.site.zones_by_id.get(zone)
        if z is None or z.public:
            return True
        if self.granted_zone(person.id, zone, ts):
            return True
        revoked = self.revoked.get(person.id)
        if revoked and ("*" in revoked or zone in revoked):
            return False
        role = self.site.roles.get(person.role) if person.role else None
        return role is not None and role.allows(zone)

    # --- folding -------------------------------------------------------------

    def apply_access(self, event: Access) -> None:
        person = self.person_of(event.subject, event.credential)
        key = event.credential or (person.id if person else None)
        granted = event.result == "granted"
        if key is not None:
            self.last_use[key] = Use(event.door, event.ts, event.id, event.site, granted)
        if granted and person is not None:
            zone = self.zone_entered(event, person.id)
            if zone is not None:
                z = self.site.zones_by_id.get(zone)
                if z is not None and z.public:
                    self.inside_since.pop(person.id, None)
                elif person.id not in self.inside_since:
                    self.inside_since[person.id] = event.ts
                pos = self.where[person.id] = Position(zone, event.ts, event.door, event.id)
                self.visits.setdefault(person.id, {})[zone] = pos

    def apply_admin(self, event: Admin) -> None:
        if event.target is None:
            return
        person = self.person_of(event.target)
        if person is None:
            return
        if event.action == "schedule_override":
            start = event.start or event.ts
            end = event.end or start + DEFAULT_OVERRIDE
            spans = self.overrides.setdefault(person.id, [])
            spans.append((start, end))
            if len(spans) > 32:  # old overrides no longer matter
                del spans[0]
        elif event.action == "grant_access":
            zone = event.zone or "*"
            self.grants.setdefault(person.id, {})[zone] = (event.start, event.end)
            self.revoked.get(person.id, set()).discard(zone)
        elif event.action == "revoke_access":
            zone = event.zone or "*"
            grants = self.grants.get(person.id, {})
            if zone == "*":
                grants.clear()
            else:
                grants.pop(zone, None)
            self.revoked.setdefault(person.id, set()).add(zone)
