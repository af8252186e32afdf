"""Threat levels per zone and per site: ``normal``, ``elevated``, ``lockdown`` (the fold).

A zone's effective level is the higher of its own and the site's. Levels
change only by ``admin`` events from Stockade's own sources: ``set_threat_level``
(the zone in ``zone``, none for site-wide, the level in ``attrs.level``) and
``clear_threat_level`` (back to ``normal``). Anything else claiming to is
ignored (ingest refuses it in the first place). Making those events is the
decision point's business (:mod:`stockade.access.threat`); folding them is here,
for the engine and the decision point alike.

    >>> from datetime import datetime, timezone
    >>> from stockade.events.model import Admin
    >>> levels = Levels()
    >>> t = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    >>> levels.observe(Admin(id="t1", ts=t, site="dc-demo", source="stockade:access", actor="analyst-1",
    ...                      action="set_threat_level", zone="hv-cage", attrs={"level": "lockdown"}))
    True
    >>> levels.level("hv-cage"), levels.level("storage")
    ('lockdown', 'normal')
"""

from __future__ import annotations

from typing import Literal, get_args

import msgspec

from stockade.events.model import Admin
from stockade.site.sources import is_own_source

Level = Literal["normal", "elevated", "lockdown"]
LEVELS: tuple[Level, ...] = get_args(Level)
SET_ACTION = "set_threat_level"
CLEAR_ACTION = "clear_threat_level"


def as_level(value: object) -> Level | None:
    """``value`` as a threat level, or None when it is not one."""
    for level in LEVELS:
        if value == level:
            return level
    return None


class ThreatLevelsView(msgspec.Struct, frozen=True):
    """The levels in force: site-wide and per zone (zones at ``normal`` are left out)."""

    site: Level
    zones: dict[str, Level]


class Levels:
    """The site's threat levels, folded from its log."""

    def __init__(self) -> None:
        self._site_level: Level = "normal"
        self._zones: dict[str, Level] = {}

    def save(self) -> ThreatLevelsView:
        return self.view()

    def load(self, saved: ThreatLevelsView) -> None:
        self._site_level, self._zones = saved.site, dict(saved.zones)

    def level(self, zone: str | None = None) -> Level:
        """The effective level in ``zone`` (the higher of zone and site), or the site's."""
        own = self._zones.get(zone, "normal") if zone is not None else "normal"
        return max(own, self._site_level, key=LEVELS.index)

    def view(self) -> ThreatLevelsView:
        return ThreatLevelsView(self._site_level, dict(self._zones))

    def observe(self, event: Admin) -> bool:
        """Apply a threat-level event from the log; other admin actions are ignored. True if applied."""
        if not is_own_source(event.source):
            return False
        if event.action == CLEAR_ACTION:
            level: Level | None = "normal"
        elif event.action == SET_ACTION:
            level = as_level((event.attrs or {}).get("level"))
        else:
            return False
        if level is None:
            return False  # a malformed event in the log changes nothing
        if event.zone is None:
            self._site_level = level
        elif level == "normal":
            self._zones.pop(event.zone, None)
        else:
            self._zones[event.zone] = level
        return True
