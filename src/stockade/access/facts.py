"""The decision point's own facts, folded from the site's events.

Passback state (where each person last went in), temporary grants,
schedule overrides, flagged credentials and tampered readers change by the
minute; they come from the log, not from the site file. :class:`Facts` is fed
every ``access``, ``admin``, ``device`` and ``decision`` event of the site in
log order (``observe``) and answers questions about a moment (pure lookups).
It reads no clock, so replaying the log rebuilds the same facts.

    >>> facts = Facts(site)                                  # doctest: +SKIP
    >>> facts.observe(Admin(..., action="grant_access", target="emp-1001", zone="hv-cage",
    ...                     start=t0, end=t1))               # doctest: +SKIP
    >>> facts.grant("emp-1001", "hv-cage", t0)               # doctest: +SKIP
    True

Admin actions read here (others are ignored), and only from admin events the
site's rules admit (:func:`stockade.site.authority.admitted`: Stockade's own,
or a source the site file declares for that action):

- ``grant_access`` (``target`` person or credential, ``zone``, ``start?``, ``end?``):
  the person may enter the zone within the window (from the event's time when
  ``start`` is missing; until revoked when ``end`` is missing). A grant with no
  zone grants nothing.
- ``revoke_access``: with a ``zone``, removes the person's grants there; with
  none, all of them; when ``target`` is a credential and there is no zone, the
  credential itself is revoked (flagged).
- ``schedule_override`` (``target``, ``zone?``, ``start?``, ``end?``): the person
  may work outside their shift in the window (12 hours from ``start`` when
  ``end`` is missing); only in ``zone`` when one is given.
- ``flag_credential`` / ``unflag_credential`` (``target`` credential): lost, stolen.
- ``reset_passback`` (``target`` person): forget where the person is, e.g. after
  a guard saw them leave by a fire exit.

A ``device`` event naming a door with ``status: tamper`` marks its reader
tampered until an ``online`` from it. ``decision`` events are accepted and
change nothing: the facts depend only on what happened, never on what the
decision point said, so its answers cannot feed back into themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from stockade.events.model import Access, Admin, Device, Envelope
from stockade.site.authority import admitted
from stockade.site.config import SiteConfig

DEFAULT_OVERRIDE = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time, optionally limited to one zone."""

    start: datetime
    end: datetime | None
    zone: str | None = None

    def covers(self, at: datetime, zone: str | None) -> bool:
        if self.zone is not None and zone != self.zone:
            return False
        return self.start <= at and (self.end is None or at < self.end)


class Facts:
    """Fast-changing facts of one site, kept by a fold over its events."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self._location: dict[str, str] = {}
        self._grants: dict[str, list[Window]] = {}
        self._overrides: dict[str, list[Window]] = {}
        self._flagged: set[str] = set()
        self._tampered: set[str] = set()

    # --- questions (pure) ----------------------------------------------------

    def location(self, person: str) -> str | None:
        """The zone the person last entered with a granted access, if known."""
        return self._location.get(person)

    def flagged(self, credential: str) -> bool:
        return credential in self._flagged

    def grant(self, person: str, zone: str, at: datetime) -> bool:
        return any(w.covers(at, zone) for w in self._grants.get(person, ()))

    def schedule_override(self, person: str, zone: str, at: datetime) -> bool:
        return any(w.covers(at, zone) for w in self._overrides.get(person, ()))

    def tampered(self, door: str) -> bool:
        return door in self._tampered

    # --- the fold --------------------------------------------------------------

    def observe(self, event: Envelope) -> None:
        """Apply one event of this site, in log order."""
        if event.site != self.site.site:
            return
        if isinstance(event, Access):
            self._access(event)
        elif isinstance(event, Admin):
            if admitted(self.site, event):
                self._admin(event)
        elif isinstance(event, Device) and event.device in self.site.doors_by_id:
            if event.status == "tamper":
                self._tampered.add(event.device)
            elif event.status == "online":
                self._tampered.discard(event.device)

    def _person(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        if ref in self.site.people_by_id:
            return ref
        holder = self.site.person_by_credential.get(ref)
        return holder.id if holder is not None else None

    def _access(self, event: Access) -> None:
        door = self.site.doors_by_id.get(event.door)
        person = self._person(event.subject) or self._person(event.credential)
        if event.result != "granted" or door is None or person is None:
            return
        self._location[person] = door.zones[0] if event.direction == "out" else door.zones[1]

    def _admin(self, event: Admin) -> None:
        action, target = event.action, event.target
        if target is None:
            return
        person = self._person(target)
        if action in ("flag_credential", "unflag_credential"):
            (self._flagged.add if action == "flag_credential" else self._flagged.discard)(target)
        elif action == "revoke_access" and event.zone is None and target in self.site.person_by_credential:
            self._flagged.add(target)
        elif person is None:
            return
        elif action == "grant_access" and event.zone is not None:
            self._add(self._grants, person, Window(event.start or event.ts, event.end, event.zone), event.ts)
        elif action == "revoke_access":
            if event.zone is None:
                self._grants.pop(person, None)
            else:
                self._grants[person] = [w for w in self._grants.get(person, ()) if w.zone != event.zone]
        elif action == "schedule_override":
            start = event.start or event.ts
            end = event.end or start + DEFAULT_OVERRIDE
            self._add(self._overrides, person, Window(start, end, event.zone), event.ts)
        elif action == "reset_passback":
            self._location.pop(person, None)

    @staticmethod
    def _add(table: dict[str, list[Window]], person: str, window: Window, now: datetime) -> None:
        # Drop windows that ended before this event so the table does not grow forever.
        live = [w for w in table.get(person, ()) if w.end is None or w.end > now]
        live.append(window)
        table[person] = live
