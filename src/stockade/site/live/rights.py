"""Grants, revocations, schedule overrides and flagged credentials: who may be where, and when.

The rules are in :mod:`stockade.site.live` (one rule each, for the engine and the
decision point alike).

    >>> from datetime import datetime, timedelta, timezone
    >>> from stockade.events.model import Admin
    >>> from stockade.site import load_site
    >>> site = load_site("examples/sites/dc-demo.yaml")
    >>> rights = Rights(site)
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> rights.apply_admin(Admin(id="a1", ts=t, site="dc-demo", source="iam", actor="it-1",
    ...                          action="grant_access", target="emp-1001", zone="hv-cage",
    ...                          end=t + timedelta(hours=8)))
    >>> rights.grant("emp-1001", "hv-cage", t + timedelta(hours=1)), rights.grant("emp-1001", "hv-cage", t)
    (True, True)
    >>> rights.grant("emp-1001", "hv-cage", t + timedelta(hours=9))
    False
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec

from stockade.events.model import Admin
from stockade.site.config import Person, SiteConfig

DEFAULT_OVERRIDE = timedelta(hours=12)
MAX_WINDOWS = 32  # per person and kind; the oldest goes first
ALL = "*"  # a revocation of every zone


class Window(NamedTuple):
    """A span of time, optionally limited to one zone (a grant always names one)."""

    start: datetime
    end: datetime | None
    zone: str | None

    def covers(self, at: datetime, zone: str | None) -> bool:
        if self.zone is not None and zone != self.zone:
            return False
        return self.start <= at and (self.end is None or at < self.end)


class RightsSnapshot(msgspec.Struct, frozen=True):
    grants: dict[str, list[Window]]
    overrides: dict[str, list[Window]]
    revoked: dict[str, set[str]]
    flagged: set[str]


def _add(table: dict[str, list[Window]], person: str, window: Window, now: datetime) -> None:
    live = [w for w in table.get(person, ()) if w.end is None or w.end > now]
    live.append(window)
    table[person] = live[-MAX_WINDOWS:]


class Rights:
    """The admin-given rights of one site's people, folded from its admitted ``admin`` events."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.grants: dict[str, list[Window]] = {}
        self.overrides: dict[str, list[Window]] = {}
        self.revoked: dict[str, set[str]] = {}
        self.flagged: set[str] = set()

    def save(self) -> RightsSnapshot:
        return RightsSnapshot(self.grants, self.overrides, self.revoked, self.flagged)

    def load(self, saved: RightsSnapshot) -> None:
        self.grants, self.overrides = saved.grants, saved.overrides
        self.revoked, self.flagged = saved.revoked, saved.flagged

    # --- questions (pure) ----------------------------------------------------

    def person(self, ref: str | None) -> Person | None:
        """The person an admin ``target`` (or an access's subject) names: by id, or by a credential."""
        if ref is None:
            return None
        site = self.site
        return site.people_by_id.get(ref) or site.person_by_credential.get(ref)

    def grant(self, person: str, zone: str, at: datetime) -> bool:
        """A ``grant_access`` covers the person in ``zone`` at ``at``."""
        return any(w.covers(at, zone) for w in self.grants.get(person, ()))

    def is_revoked(self, person: str, zone: str) -> bool:
        """A ``revoke_access`` took ``zone`` (or every zone) from the person."""
        gone = self.revoked.get(person)
        return gone is not None and (ALL in gone or zone in gone)

    def schedule_override(self, person: str, at: datetime) -> bool:
        """A ``schedule_override`` covers the person at ``at`` (in every zone: see the rules)."""
        return any(w.start <= at and (w.end is None or at < w.end) for w in self.overrides.get(person, ()))

    def role_allows(self, person: Person, zone: str) -> bool:
        role = self.site.roles.get(person.role) if person.role else None
        return role is not None and role.allows(zone)

    def may_be_in(self, person: Person, zone: str, at: datetime) -> bool:
        """Public zone, a grant now, or the role's zone not revoked. An unknown zone: no."""
        z = self.site.zones_by_id.get(zone)
        if z is None:
            return False
        if z.public or self.grant(person.id, zone, at):
            return True
        return not self.is_revoked(person.id, zone) and self.role_allows(person, zone)

    def withheld(self, person: Person, zone: str, at: datetime) -> bool:
        """The role lists the zone but a revocation took it and no grant gives it back now."""
        z = self.site.zones_by_id.get(zone)
        return (z is not None and not z.public and self.is_revoked(person.id, zone)
                and not self.grant(person.id, zone, at))

    # --- the fold --------------------------------------------------------------

    def apply_admin(self, event: Admin) -> None:
        """Fold one admitted ``admin`` event; actions other than this part's are ignored."""
        action, target = event.action, event.target
        if target is None:
            return
        if action == "flag_credential":
            self.flagged.add(target)
            return
        if action == "unflag_credential":
            self.flagged.discard(target)
            return
        if action == "revoke_access" and event.zone is None and target in self.site.person_by_credential:
            self.flagged.add(target)  # the credential is revoked, and (below) its holder's rights with it
        person = self.person(target)
        if person is None:
            return
        pid = person.id
        if action == "grant_access":
            if event.zone is not None:
                _add(self.grants, pid, Window(event.start or event.ts, event.end, event.zone), event.ts)
        elif action == "revoke_access":
            zone = event.zone
            if zone is None:
                self.grants.pop(pid, None)
                self.revoked[pid] = {ALL}
            else:
                kept = [w for w in self.grants.get(pid, ()) if w.zone != zone]
                if kept:
                    self.grants[pid] = kept
                else:
                    self.grants.pop(pid, None)
                gone = self.revoked.setdefault(pid, set())
                if ALL not in gone:
                    gone.add(zone)
        elif action == "schedule_override":
            start = event.start or event.ts
            _add(self.overrides, pid, Window(start, event.end or start + DEFAULT_OVERRIDE, event.zone), event.ts)
