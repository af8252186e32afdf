"""Event time, seen in the site's time zone, computed once per event.

The engine runs on event time only. Detectors often ask "what is the local
time?" and "is the site open?" about the same event; :class:`Clock` answers
each question once per distinct timestamp (opening hours once per minute).

    >>> clock = Clock(site)                            # doctest: +SKIP
    >>> clock.local(event.ts).hour                     # doctest: +SKIP
    2
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from stockade.site import SiteConfig
from stockade.site.calendar import is_open


class ClockSnapshot(msgspec.Struct, frozen=True):
    now: datetime | None


class Clock:
    __slots__ = ("_local", "_local_ts", "_open", "_open_minute", "now", "site")

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.now: datetime | None = None
        self._local_ts: datetime | None = None
        self._local: datetime | None = None
        self._open_minute = -1
        self._open = True

    def save(self) -> ClockSnapshot:
        """Event time; the caches are left out (they refill on the next question)."""
        return ClockSnapshot(self.now)

    def load(self, saved: ClockSnapshot) -> None:
        self.now = saved.now

    def advance(self, ts: datetime) -> bool:
        """Move event time forward (never back); True when it moved."""
        if self.now is None or ts > self.now:
            self.now = ts
            return True
        return False

    def local(self, ts: datetime) -> datetime:
        """``ts`` in the site's time zone (cached for the last timestamp asked)."""
        local = self._local
        if ts is not self._local_ts or local is None:
            local = ts.astimezone(self.site.tz)
            self._local_ts, self._local = ts, local
        return local

    def current(self) -> datetime:
        """Event time now; only asked once an event has moved the clock (the engine's step does first)."""
        if self.now is None:
            raise RuntimeError("the site's event-time clock has not started: no event applied yet")
        return self.now

    def is_open(self, ts: datetime) -> bool:
        """Operating hours, cached per minute of event time."""
        minute = int(ts.timestamp()) // 60
        if minute != self._open_minute:
            self._open_minute = minute
            self._open = is_open(self.site, ts)
        return self._open
