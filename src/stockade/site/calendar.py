"""The site's calendar in its own time zone: opening hours, shifts, change windows, leave.

All rules here are pure functions of a site and an aware ``datetime``; they
convert to the site's local time, so a daylight-saving change is handled by
``zoneinfo``. Windows that end at or before they start run past midnight and
belong to the day they start.

    >>> from datetime import datetime, timezone
    >>> is_open(site, datetime(2026, 11, 21, 1, 0, tzinfo=timezone.utc))  # doctest: +SKIP
    False
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, tzinfo

from stockade.site.config import DAYS, Day, Person, SiteConfig, parse_clock

GRACE = timedelta(minutes=30)


def local(site: SiteConfig, ts: datetime) -> datetime:
    return ts.astimezone(site.tz)


def _in_windows(
    windows: Iterable[tuple[list[Day], str, str]], at: datetime, grace: timedelta = timedelta(0)
) -> bool:
    """True when local time ``at`` lies in one of the (days, start, end) windows ± grace."""
    for days, start, end in windows:
        for span in _spans(days, start, end, at.date(), at.tzinfo):
            if span[0] - grace <= at < span[1] + grace:
                return True
    return False


def _spans(
    days: list[Day], start: str, end: str, around: date, tz: tzinfo | None
) -> Iterator[tuple[datetime, datetime]]:
    """Concrete local spans of a weekly window that could cover a moment on ``around``."""
    s, e = parse_clock(start), parse_clock(end)
    length = (e - s) if e > s else (e + 1440 - s)
    for offset in (-1, 0, 1):
        d = around + timedelta(days=offset)
        if DAYS[d.weekday()] not in days:
            continue
        begin = datetime(d.year, d.month, d.day, tzinfo=tz) + timedelta(minutes=s)
        yield begin, begin + timedelta(minutes=length)


def is_open(site: SiteConfig, ts: datetime) -> bool:
    """Whether the site is within its operating hours (always, when it has none)."""
    if site.hours is None:
        return True
    at = local(site, ts)
    return _in_windows(((h.days, h.open, h.close) for h in site.hours), at)


def in_change_window(site: SiteConfig, ts: datetime) -> bool:
    at = local(site, ts)
    return _in_windows(((w.days, w.start, w.end) for w in site.change_windows), at)


def shift_spans(site: SiteConfig, person: Person, ts: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The person's shift occurrences, in site-local time, that start the day before ``ts``, that day
    or the next (none without a shift). Leave and grace are not applied: see :func:`shift_span`."""
    if person.shift is None:
        return iter(())
    shift = site.shifts[person.shift]
    at = local(site, ts)
    return _spans(shift.days, shift.start, shift.end, at.date(), at.tzinfo)


def shift_span(site: SiteConfig, person: Person, ts: datetime) -> tuple[datetime, datetime] | None:
    """The span of the person's shift occurrence that covers ``ts`` with grace, if any."""
    if person.shift is None:
        return None
    at = local(site, ts)
    for span in shift_spans(site, person, ts):
        if span[0] - GRACE <= at < span[1] + GRACE and not on_leave(person, span[0].date()):
            return span
    return None


OFF_SHIFT_HORIZON = timedelta(hours=12)
"""How far :func:`off_shift_until` looks ahead (the spans it reads start by the next day)."""


def off_shift_until(site: SiteConfig, person: Person, ts: datetime) -> datetime:
    """For a person off shift at ``ts`` (:func:`shift_span` is None): a moment before which they
    stay off, so the answer can be kept until then: the next occurrence's start less the grace, at
    most :data:`OFF_SHIFT_HORIZON` ahead (leave is not looked at: an occurrence on leave only ends
    the answer early)."""
    until = ts + OFF_SHIFT_HORIZON
    for start, _end in shift_spans(site, person, ts):
        if ts < start - GRACE < until:
            until = start - GRACE
    return until


def on_shift(site: SiteConfig, person: Person, ts: datetime) -> bool:
    """Within the person's shift with 30 minutes of grace each side; overrides are the caller's."""
    return shift_span(site, person, ts) is not None


def on_leave(person: Person, day: date) -> bool:
    return any(first <= day <= last for first, last in person.leave)


def on_leave_at(site: SiteConfig, person: Person, ts: datetime) -> bool:
    return on_leave(person, local(site, ts).date())


def vendor_contract_covers(site: SiteConfig, vendor_id: str, zone: str | None, ts: datetime) -> bool:
    """Whether the vendor's contract covers this zone (when given) at this moment."""
    vendor = site.vendors_by_id.get(vendor_id)
    if vendor is None:
        return False
    c = vendor.contract
    if zone is not None and zone not in c.zones and not site.zone(zone).public:
        return False
    at = local(site, ts)
    return _in_windows([(c.days, c.start, c.end)], at)


def assessment_valid(site: SiteConfig, vendor_id: str, ts: datetime) -> bool:
    vendor = site.vendors_by_id.get(vendor_id)
    return vendor is not None and local(site, ts).date() <= vendor.assessment_expires
