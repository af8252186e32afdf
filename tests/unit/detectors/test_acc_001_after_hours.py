from stockade.detectors.acc_001_after_hours import AfterHours


def test_day_shift_badge_into_hv_cage_at_night_is_high(feed):
    f = feed(AfterHours())
    (a,) = f.access("2026-11-24 17:14", "D-HV", "badge:1020")  # emp-1020, hv-picker, day shift
    assert a.detector == "STK-ACC-001"
    assert a.severity == "high"
    assert a.entities.people == ("emp-1020",)
    assert a.entities.doors == ("D-HV",)
    assert "17:14" in a.summary
    assert "3.2 h after shift end" in a.summary
    assert a.evidence == ("ev-1",)
    assert a.source == "stockade"
    assert a.ts == f.when("2026-11-24 17:14")


def test_on_shift_and_within_grace_is_quiet(feed):
    f = feed(AfterHours())
    assert f.access("2026-11-24 09:00", "D-HV", "badge:1020") == []
    assert f.access("2026-11-24 05:31", "D-FLOOR", "badge:1001") == []  # 29 min early
    assert f.access("2026-11-24 14:29", "D-FLOOR", "badge:1001", direction="out") == []
    assert f.access("2026-11-24 05:29", "D-FLOOR", "badge:1002")  # 31 min early


def test_schedule_override_makes_it_legitimate(feed):
    f = feed(AfterHours())
    f.admin("2026-11-24 13:00", "emp-1022", "schedule_override", target="emp-1001",
            start="2026-11-24 14:00", end="2026-11-24 18:00")
    assert f.access("2026-11-24 16:00", "D-FLOOR", "badge:1001") == []
    assert f.access("2026-11-24 18:45", "D-FLOOR", "badge:1001")


def test_night_shift_crossing_midnight(feed):
    f = feed(AfterHours())
    # emp-1043: night shift Sun-Thu 22:00-06:00; Tuesday 02:00 belongs to Monday's shift
    assert f.access("2026-11-24 02:00", "D-FLOOR", "badge:1043") == []
    # Saturday 02:00 would belong to Friday's shift, which does not exist
    (a,) = f.access("2026-11-28 02:00", "D-FLOOR", "badge:1043")
    assert a.severity == "medium"


def test_leaving_late_towards_a_public_zone_is_low(feed):
    f = feed(AfterHours())
    (a,) = f.access("2026-11-24 16:00", "D-LOBBY", "badge:1001", direction="out")
    assert a.severity == "low"


def test_dst_fall_back_in_paris(feed):
    f = feed(AfterHours())
    # 25 Oct 2026 03:00 CEST -> 02:00 CET; Sunday night shift starts 22:00 that day.
    assert f.access("2026-10-25T21:45:00+01:00", "D-FLOOR", "badge:1043") == []
    assert f.access("2026-10-25T01:30:00+01:00", "D-FLOOR", "badge:1043")  # Sat night: no shift


def test_denied_is_not_after_hours_access(feed):
    f = feed(AfterHours())
    assert f.access("2026-11-24 02:14", "D-HV", "badge:1020", result="denied") == []


def test_staying_on_after_the_shift_is_low_then_medium(feed):
    f = feed(AfterHours())
    f.access("2026-11-24 13:00", "D-FLOOR", "badge:1001")  # inside during the day shift
    (a,) = f.access("2026-11-24 14:40", "D-PACK", "badge:1001")
    assert a.severity == "low"  # finishing late
    (b,) = f.access("2026-11-24 15:40", "D-PACK-DOCK", "badge:1001")
    assert b.severity == "medium"  # further in, more than an hour past the grace
    # walking back out soon after: folded into the medium alert, not a new one
    assert f.access("2026-11-24 15:42", "D-PACK-DOCK", "badge:1001", direction="out") == []


def test_walking_out_late_is_low(feed):
    f = feed(AfterHours())
    (a,) = f.access("2026-11-24 16:00", "D-FLOOR", "badge:1001", direction="out")  # storage -> lockers
    assert a.severity == "low"


def test_coming_back_from_outside_is_not_staying_on(feed):
    f = feed(AfterHours())
    f.access("2026-11-24 13:00", "D-LOBBY", "badge:1002", direction="out")  # left for the yard
    (a,) = f.access("2026-11-24 14:40", "D-LOBBY", "badge:1002")
    assert a.severity == "low"  # into the public lobby
    (b,) = f.access("2026-11-24 14:41", "D-TURNSTILE", "badge:1002")
    assert b.severity == "medium"
