"""People on the live site: their positions and their rights, folded together.

One object so that the engine and the decision point resolve a person the same
way (an id, or a credential the site file gives them) and fold the same events
into both parts.

    >>> people = People(site)                                    # doctest: +SKIP
    >>> people.apply_admin(grant)                                # doctest: +SKIP
    >>> people.rights.may_be_in(site.people_by_id["emp-1001"], "hv-cage", at)   # doctest: +SKIP
    True
"""

from __future__ import annotations

import msgspec

from stockade.events.model import Access, Admin
from stockade.site.config import Person, SiteConfig
from stockade.site.live.positions import Positions, PositionsSnapshot
from stockade.site.live.rights import Rights, RightsSnapshot


class PeopleSnapshot(msgspec.Struct, frozen=True):
    positions: PositionsSnapshot
    rights: RightsSnapshot


class People:
    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.positions = Positions(site)
        self.rights = Rights(site)

    def save(self) -> PeopleSnapshot:
        return PeopleSnapshot(self.positions.save(), self.rights.save())

    def load(self, saved: PeopleSnapshot) -> None:
        self.positions.load(saved.positions)
        self.rights.load(saved.rights)

    def person_of(self, subject: str | None, credential: str | None = None) -> Person | None:
        """Who ``subject`` (a person id or a credential) or else ``credential`` names."""
        site = self.site
        if subject is not None:
            p = site.people_by_id.get(subject) or site.person_by_credential.get(subject)
            if p is not None:
                return p
        if credential is not None:
            return site.person_by_credential.get(credential)
        return None

    def apply_access(self, event: Access) -> Person | None:
        """Fold one access; returns who made it (None when no one in the site file)."""
        person = self.person_of(event.subject, event.credential)
        if person is not None:
            self.positions.apply_access(event, person.id)
        return person

    def apply_admin(self, event: Admin) -> None:
        """Fold one admitted admin event (callers check :func:`stockade.site.authority.admitted`)."""
        self.rights.apply_admin(event)
        if event.action == "reset_passback":
            person = self.rights.person(event.target)
            if person is not None:
                self.positions.reset(person.id)
