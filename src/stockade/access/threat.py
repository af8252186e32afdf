"""Threat levels per zone and per site: ``normal``, ``elevated``, ``lockdown``.

Playbooks and analysts set them; the next decision reads them. A zone's
effective level is the higher of its own and the site's. Every change is an
``admin`` event (action ``set_threat_level`` or ``clear_threat_level``, the
zone in ``zone`` or none for site-wide, the level in ``attrs.level``) that the
caller appends to the site's ledger, from a ``stockade:`` source (no one
else may set a level); replaying those events through
:meth:`ThreatLevels.observe` rebuilds the same levels.

    >>> from datetime import datetime, timezone
    >>> levels = ThreatLevels("dc-demo")
    >>> ev = levels.set("lockdown", zone="hv-cage", actor="analyst-1",
    ...                 at=datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    >>> ev.action, ev.zone, ev.attrs, levels.level("hv-cage"), levels.level("storage")
    ('set_threat_level', 'hv-cage', {'level': 'lockdown'}, 'lockdown', 'normal')
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Literal, get_args

import msgspec

from stockade.events.model import Admin
from stockade.site.sources import is_own_source

Level = Literal["normal", "elevated", "lockdown"]
LEVELS: tuple[Level, ...] = get_args(Level)
SET_ACTION = "set_threat_level"
CLEAR_ACTION = "clear_threat_level"
SOURCE = "stockade:access"


def _event_id() -> str:
    return f"thr-{uuid.uuid4().hex}"


class ThreatLevelsView(msgspec.Struct, frozen=True):
    """The levels in force: site-wide and per zone (zones at ``normal`` are left out)."""

    site: Level
    zones: dict[str, Level]


class ThreatLevels:
    """The site's threat levels, changed by events so a replay gives the same state."""

    def __init__(self, site: str, *, new_id: Callable[[], str] = _event_id) -> None:
        self.site = site
        self._site_level: Level = "normal"
        self._zones: dict[str, Level] = {}
        self._new_id = new_id

    def level(self, zone: str | None = None) -> Level:
        """The effective level in ``zone`` (the higher of zone and site), or the site's."""
        own = self._zones.get(zone, "normal") if zone is not None else "normal"
        return max(own, self._site_level, key=LEVELS.index)

    def view(self) -> ThreatLevelsView:
        return ThreatLevelsView(self._site_level, dict(self._zones))

    def set(self, level: Level, *, actor: str, at: datetime, zone: str | None = None,
            detail: str | None = None) -> Admin:
        """Set a level now; return the ``admin`` event to log."""
        if as_level(level) is None:
            raise ValueError(f"threat level must be one of {', '.join(LEVELS)}, not {level!r}")
        event = Admin(id=self._new_id(), ts=at, site=self.site, source=SOURCE, actor=actor,
                      action=SET_ACTION, zone=zone, detail=detail, attrs={"level": level})
        self.observe(event)
        return event

    def clear(self, *, actor: str, at: datetime, zone: str | None = None,
              detail: str | None = None) -> Admin:
        """Back to ``normal`` for the zone (or site-wide); return the ``admin`` event to log."""
        event = Admin(id=self._new_id(), ts=at, site=self.site, source=SOURCE, actor=actor,
                      action=CLEAR_ACTION, zone=zone, detail=detail, attrs={"level": "normal"})
        self.observe(event)
        return event

    def observe(self, event: Admin) -> bool:
        """Apply a threat-level event from the log; other admin actions are ignored. True if applied.

        Only Stockade's own sources change threat levels (the analyst API, playbooks); anything
        else claiming to is ignored (ingest refuses it in the first place)."""
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


def as_level(value: object) -> Level | None:
    """``value`` as a threat level, or None when it is not one."""
    for level in LEVELS:
        if value == level:
            return level
    return None
