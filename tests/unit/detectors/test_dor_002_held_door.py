from stockade.detectors.dor_002_held_door import HeldDoor


def test_held_events_past_the_threshold(feed):
    f = feed(HeldDoor())
    f.access("2026-11-24 10:00:00", "D-PACK-DOCK", "badge:1015")
    f.door("2026-11-24 10:00:01", "D-PACK-DOCK", "open")
    assert f.door("2026-11-24 10:02:01", "D-PACK-DOCK", "held", duration_s=120) == []
    (a,) = f.door("2026-11-24 10:05:01", "D-PACK-DOCK", "held", duration_s=300)
    assert a.severity == "medium"
    assert "open 5 min" in a.summary
    assert f.door("2026-11-24 10:07:01", "D-PACK-DOCK", "held", duration_s=420) == []  # once per opening


def test_ticks_find_a_door_left_open(feed):
    f = feed(HeldDoor())
    f.door("2026-11-24 01:00:00", "D-FIRE-S", "open")
    assert f.tick("2026-11-24 01:04:59") == []
    (a,) = f.tick("2026-11-24 01:05:00")
    assert a.severity == "high"  # closed site


def test_short_opening_is_quiet_and_resets(feed):
    f = feed(HeldDoor())
    f.door("2026-11-24 10:00:00", "D-FLOOR", "open")
    f.door("2026-11-24 10:00:20", "D-FLOOR", "closed", duration_s=20)
    f.tick("2026-11-24 10:30:00")
    assert f.alerts == []


def test_closed_with_a_long_duration_and_no_prior_events(feed):
    f = feed(HeldDoor())
    (a,) = f.door("2026-11-24 10:20:00", "D-HV", "closed", duration_s=900)
    assert a.severity == "high"  # high-value door
    assert "closed after 15 min" in a.summary
