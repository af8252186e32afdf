"""The calendar in the site's time zone: grace, midnight-crossing shifts, DST, leave, windows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from stockade.site import parse_site
from stockade.site.calendar import (
    OFF_SHIFT_HORIZON,
    in_change_window,
    is_open,
    off_shift_until,
    on_leave_at,
    on_shift,
    shift_spans,
    vendor_contract_covers,
)
from tests.unit.site.test_config import MINIMAL

PARIS = ZoneInfo("Europe/Paris")
SITE = parse_site({
    **MINIMAL,
    "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "05:30", "close": "22:30"},
              {"days": ["sat"], "open": "22:00", "close": "02:00"}],
    "change_windows": [{"days": ["tue"], "start": "10:00", "end": "12:00"}],
    "shifts": {"day": {"days": ["mon"], "start": "06:00", "end": "14:00"},
               "night": {"days": ["sat"], "start": "22:00", "end": "06:00"}},
    "roles": {"picker": {"zones": ["storage"]}, "tech": {"zones": ["storage"]}},
    "people": [
        {"id": "d", "kind": "employee", "role": "picker", "shift": "day", "leave": [["2026-11-30", "2026-11-30"]]},
        {"id": "n", "kind": "employee", "role": "picker", "shift": "night"},
        {"id": "v", "kind": "vendor", "vendor": "acme", "role": "tech"},
    ],
    "vendors": [{"id": "acme", "contract": {"zones": ["storage"], "days": ["mon"], "start": "08:00",
                                            "end": "17:00"}, "assessment_expires": "2027-01-31"}],
}, "cal.yaml")


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


def test_shift_grace_is_thirty_minutes_each_side() -> None:
    day = SITE.people_by_id["d"]
    assert on_shift(SITE, day, at(2026, 11, 23, 5, 31))  # Monday
    assert not on_shift(SITE, day, at(2026, 11, 23, 5, 29))
    assert on_shift(SITE, day, at(2026, 11, 23, 14, 29))
    assert not on_shift(SITE, day, at(2026, 11, 23, 14, 31))


def test_night_shift_crossing_midnight_belongs_to_its_start_day() -> None:
    night = SITE.people_by_id["n"]
    assert on_shift(SITE, night, at(2026, 11, 21, 23, 0))  # Saturday night
    assert on_shift(SITE, night, at(2026, 11, 22, 5, 0))  # Sunday morning, same shift
    assert not on_shift(SITE, night, at(2026, 11, 22, 23, 0))  # Sunday night: no shift starts


def test_dst_change_night_keeps_local_times() -> None:
    # 2026-10-24 (Sat) -> 25 (Sun): clocks go back at 03:00 in Paris; the night shift ends 06:00 local
    night = SITE.people_by_id["n"]
    assert on_shift(SITE, night, datetime.fromisoformat("2026-10-25T06:20:00+01:00"))
    assert not on_shift(SITE, night, datetime.fromisoformat("2026-10-25T06:40:00+01:00"))


def test_opening_hours_including_past_midnight() -> None:
    assert is_open(SITE, at(2026, 11, 23, 6, 0))
    assert not is_open(SITE, at(2026, 11, 23, 23, 0))
    assert is_open(SITE, at(2026, 11, 22, 1, 0))  # Saturday's hours run to Sunday 02:00
    assert not is_open(SITE, at(2026, 11, 22, 3, 0))


def test_leave_is_inclusive_and_a_shift_starting_on_leave_is_off() -> None:
    day = SITE.people_by_id["d"]
    assert on_leave_at(SITE, day, at(2026, 11, 30, 23, 59))
    assert not on_shift(SITE, day, at(2026, 11, 30, 8, 0))
    assert on_shift(SITE, day, at(2026, 12, 7, 8, 0))


def test_change_windows_and_vendor_contracts() -> None:
    assert in_change_window(SITE, at(2026, 11, 24, 10, 30))
    assert not in_change_window(SITE, at(2026, 11, 24, 12, 30))
    assert vendor_contract_covers(SITE, "acme", "storage", at(2026, 11, 23, 9, 0))
    assert not vendor_contract_covers(SITE, "acme", "hv", at(2026, 11, 23, 9, 0))
    assert not vendor_contract_covers(SITE, "acme", "storage", at(2026, 11, 23, 18, 0))


def test_shift_spans_lists_the_occurrences_near_a_moment_in_local_time() -> None:
    night, visitor = SITE.people_by_id["n"], SITE.people_by_id["v"]
    spans = list(shift_spans(SITE, night, at(2026, 11, 22, 3, 0)))  # Sunday 03:00: Saturday's night shift
    assert spans == [(at(2026, 11, 21, 22, 0), at(2026, 11, 22, 6, 0))]
    assert list(shift_spans(SITE, visitor, at(2026, 11, 22, 3, 0))) == []  # no shift


def test_off_shift_until_is_the_next_occurrences_start_less_the_grace() -> None:
    d = SITE.people_by_id["d"]
    assert off_shift_until(SITE, d, at(2026, 11, 23, 15)) == at(2026, 11, 23, 15) + OFF_SHIFT_HORIZON
    sunday_night = at(2026, 11, 22, 23)
    assert off_shift_until(SITE, d, sunday_night) == at(2026, 11, 23, 5, 30)  # Monday 06:00, less 30 min
    assert not on_shift(SITE, d, sunday_night)
    assert on_shift(SITE, d, at(2026, 11, 23, 5, 30))
