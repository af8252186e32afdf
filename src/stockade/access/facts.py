"""The decision point's facts: the live site's parts, folded from the site's events.

Passback state (where each person last went in), grants, revocations,
schedule overrides, flagged credentials and tampered readers change by the
minute; they come from the log, not from the site file. :class:`Facts` is fed
every ``access``, ``admin``, ``device`` and ``decision`` event of the site in
log order (``observe``) and answers questions about a moment (pure lookups).
It reads no clock, so replaying the log rebuilds the same facts.

The folding is the live site's (:mod:`stockade.site.live`: positions, rights,
device health), the same parts the engine keeps, so the doors and the
detectors agree on who may be where; the rules are written there once.
Admin events count only when the site's rules admit them
(:func:`stockade.site.authority.admitted`). ``decision`` events are accepted
and change nothing: the facts depend only on what happened, never on what the
decision point said, so its answers cannot feed back into themselves.

    >>> facts = Facts(site)                                  # doctest: +SKIP
    >>> facts.observe(Admin(..., action="grant_access", target="emp-1001", zone="hv-cage",
    ...                     start=t0, end=t1))               # doctest: +SKIP
    >>> facts.grant("emp-1001", "hv-cage", t0)               # doctest: +SKIP
    True
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from stockade.events.model import Access, Admin, Device, Envelope
from stockade.site.authority import admitted
from stockade.site.config import Person, SiteConfig
from stockade.site.live.devices import DeviceHealth, DevicesSnapshot
from stockade.site.live.people import People, PeopleSnapshot


class FactsSnapshot(msgspec.Struct, frozen=True):
    people: PeopleSnapshot
    devices: DevicesSnapshot


class Facts:
    """Fast-changing facts of one site, kept by a fold over its events."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.people = People(site)
        self.devices = DeviceHealth(site)
        self._rights = self.people.rights

    def save(self) -> FactsSnapshot:
        return FactsSnapshot(self.people.save(), self.devices.save())

    def load(self, saved: FactsSnapshot) -> None:
        self.people.load(saved.people)
        self.devices.load(saved.devices)

    # --- questions (pure) ----------------------------------------------------

    def location(self, person: str) -> str | None:
        """The zone the person last entered with a granted access, if known."""
        return self.people.positions.zone(person)

    def flagged(self, credential: str) -> bool:
        return credential in self._rights.flagged

    def grant(self, person: str, zone: str, at: datetime) -> bool:
        return self._rights.grant(person, zone, at)

    def revoked(self, person: Person, zone: str, at: datetime) -> bool:
        """A revocation withholds the zone from the person now (no grant gives it back)."""
        return self._rights.withheld(person, zone, at)

    def may_be_in(self, person: Person, zone: str, at: datetime) -> bool:
        """The live site's answer to "may this person be in this zone now" (rights only)."""
        return self._rights.may_be_in(person, zone, at)

    def schedule_override(self, person: str, at: datetime) -> bool:
        return self._rights.schedule_override(person, at)

    def tampered(self, door: str) -> bool:
        return self.devices.tampered(door)

    # --- the fold --------------------------------------------------------------

    def observe(self, event: Envelope) -> None:
        """Apply one event of this site, in log order."""
        if event.site != self.site.site:
            return
        if isinstance(event, Access):
            if event.result == "granted":
                self.people.apply_access(event)
        elif isinstance(event, Admin):
            if admitted(self.site, event):
                self.people.apply_admin(event)
        elif isinstance(event, Device):
            self.devices.apply_device(event)
