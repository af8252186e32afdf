"""Simulated time: integer milliseconds since the scenario's start, shown in the site's zone.

    >>> from datetime import datetime, timezone
    >>> from zoneinfo import ZoneInfo
    >>> c = SimClock(datetime(2026, 11, 23, tzinfo=ZoneInfo("Europe/Paris")), ZoneInfo("Europe/Paris"), 86_400_000)
    >>> c.dt(90_000).isoformat()
    '2026-11-23T00:01:30+01:00'

Event times carry the site's UTC offset of that moment (so a daylight-saving
change shows as a new offset), computed once per quarter hour because zones
change offset on quarter-hour boundaries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MS = 1000
MINUTE = 60 * MS
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_BUCKET = 15 * MINUTE


class SimClock:
    def __init__(self, start: datetime, tz: ZoneInfo, duration_ms: int) -> None:
        self.tz = tz
        self.start = start
        self.duration_ms = duration_ms
        self._epoch = start.astimezone(UTC)
        self._epoch_s = self._epoch.timestamp()
        self._zones: dict[int, timezone] = {}

    def _zone(self, t: int) -> timezone:
        bucket = t // _BUCKET
        zone = self._zones.get(bucket)
        if zone is None:
            moment = self._epoch + timedelta(milliseconds=bucket * _BUCKET)
            offset = moment.astimezone(self.tz).utcoffset() or timedelta(0)
            zone = self._zones[bucket] = timezone(offset)
        return zone

    def dt(self, t: int) -> datetime:
        """The aware time of ``t`` with the site's offset at that moment."""
        zone = self._zones.get(t // _BUCKET) or self._zone(t)
        # whole milliseconds: the float division is exact enough that microseconds round to ms*1000
        return datetime.fromtimestamp(self._epoch_s + t / 1000, zone)

    def local(self, t: int) -> datetime:
        return (self._epoch + timedelta(milliseconds=t)).astimezone(self.tz)

    def of(self, moment: datetime) -> int:
        """``moment`` as milliseconds since the start."""
        return int((moment - self._epoch).total_seconds() * MS)

    def at_local(self, day: date, minutes: float) -> int:
        """Wall-clock ``minutes`` after local midnight of ``day`` (may pass 1440), as ``t``."""
        midnight = datetime.combine(day, time(0), tzinfo=self.tz)
        wall = midnight + timedelta(minutes=minutes)  # wall-clock arithmetic in the zone
        return self.of(wall.replace(fold=0))

    def days(self) -> list[date]:
        """Local dates the run touches, in order."""
        first = self.local(0).date()
        last = self.local(max(self.duration_ms - 1, 0)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def day_start(self, day: date) -> int:
        return self.at_local(day, 0)
