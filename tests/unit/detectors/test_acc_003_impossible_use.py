from stockade.detectors.acc_003_impossible_use import ImpossibleUse
from stockade.events import Access


def test_two_distant_doors_too_fast(feed):
    f = feed(ImpossibleUse())
    f.access("2026-11-24 10:00:00", "D-LOBBY", "badge:1007")
    (a,) = f.access("2026-11-24 10:00:30", "D-HV", "badge:1007")  # lobby -> hv-cage: several doors
    assert a.severity == "high"
    assert a.entities.doors == ("D-LOBBY", "D-HV")
    assert a.evidence == ("ev-1", "ev-2")
    assert "doors apart" in a.summary


def test_walking_at_a_plausible_pace_is_quiet(feed):
    f = feed(ImpossibleUse())
    f.access("2026-11-24 10:00:00", "D-LOBBY", "badge:1007")
    assert f.access("2026-11-24 10:02:00", "D-HV", "badge:1007") == []
    assert f.access("2026-11-24 10:02:05", "D-HV", "badge:1007", direction="out") == []  # same door


def test_neighbouring_doors_are_not_judged(feed, site):
    f = feed(ImpossibleUse())
    f.access("2026-11-24 10:00:00", "D-FLOOR", "badge:1007")
    assert f.access("2026-11-24 10:00:01", "D-HV", "badge:1007") == []  # both touch storage


def test_out_of_order_events_use_the_absolute_gap(feed):
    f = feed(ImpossibleUse())
    f.access("2026-11-24 10:00:30", "D-HV", "badge:1007")
    assert f.access("2026-11-24 10:00:00", "D-LOBBY", "badge:1007")


def test_badge_used_while_holder_on_leave(feed):
    f = feed(ImpossibleUse())
    # emp-1004 is on leave 23-27 Nov (inclusive)
    (a,) = f.access("2026-11-27 08:30", "D-FLOOR", "badge:1004")
    assert "on leave" in a.summary
    assert f.access("2026-11-27 17:20", "D-FLOOR", "badge:1004", direction="out") == []  # once per half-day
    assert f.access("2026-11-27 23:59", "D-FLOOR", "badge:1004")
    assert f.access("2026-11-28 07:00", "D-FLOOR", "badge:1004") == []


def test_two_sites(feed):
    f = feed(ImpossibleUse())
    f.n += 1
    ev = Access(id="x-1", ts=f.when("2026-11-24 10:00"), site="dc-other", source="t", door="D-9",
                result="granted", factors=["badge"], credential="badge:1007")
    f.engine.step(ev, f.n)
    (a,) = f.access("2026-11-24 10:20", "D-LOBBY", "badge:1007")
    assert "two sites" in a.summary
