"""Threat levels per zone and per site: ``normal``, ``elevated``, ``lockdown``.

Playbooks and analysts set them; the next decision reads them. The fold is the
live site's (:mod:`stockade.site.live.threat`, which the engine keeps too); this
module makes the events. Every change is an ``admin`` event (action
``set_threat_level`` or ``clear_threat_level``, the zone in ``zone`` or none for
site-wide, the level in ``attrs.level``) that the caller appends to the site's
ledger, from a ``stockade:`` source (no one else may set a level); replaying
those events through :meth:`ThreatLevels.observe` rebuilds the same levels.

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

from stockade.events.model import Admin
from stockade.site.live.threat import CLEAR_ACTION, LEVELS, SET_ACTION, Level, Levels, ThreatLevelsView, as_level

SOURCE = "stockade:access"

__all__ = ["CLEAR_ACTION", "LEVELS", "SET_ACTION", "SOURCE", "Level", "ThreatLevels", "ThreatLevelsView",
           "as_level"]


def _event_id() -> str:
    return f"thr-{uuid.uuid4().hex}"


class ThreatLevels(Levels):
    """The site's threat levels, changed by events so a replay gives the same state."""

    def __init__(self, site: str, *, new_id: Callable[[], str] = _event_id) -> None:
        super().__init__()
        self.site = site
        self._new_id = new_id

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
