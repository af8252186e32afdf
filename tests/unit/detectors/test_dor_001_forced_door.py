import msgspec

from stockade.detectors.dor_001_forced_door import ForcedDoor, ForcedDoorMemory


def test_forced_door_alerts_at_once(feed):
    f = feed(ForcedDoor())
    (a,) = f.door("2026-11-24 02:16", "D-FIRE-S", "forced")
    assert a.severity == "high"
    assert "FORCED" in a.summary
    assert "closed" in a.summary
    (b,) = f.door("2026-11-24 02:20", "D-HV", "forced")
    assert b.severity == "critical"


def test_open_after_a_grant_is_quiet(feed):
    f = feed(ForcedDoor())
    f.access("2026-11-24 10:00:00", "D-FLOOR", "badge:1001")
    f.door("2026-11-24 10:00:02", "D-FLOOR", "open")
    f.tick("2026-11-24 10:00:10")
    assert f.alerts == []


def test_open_without_grant_is_judged_after_the_tolerance(feed):
    f = feed(ForcedDoor())
    assert f.door("2026-11-24 10:00:00", "D-FLOOR", "open") == []
    assert f.tick("2026-11-24 10:00:02") == []
    (a,) = f.tick("2026-11-24 10:00:04")
    assert a.severity == "medium"
    assert a.ts == f.when("2026-11-24 10:00:00")
    assert a.evidence == ("ev-1",)


def test_grant_arriving_slightly_after_the_open_counts(feed):
    f = feed(ForcedDoor())
    f.door("2026-11-24 10:00:00", "D-FLOOR", "open")
    f.access("2026-11-24 10:00:01", "D-FLOOR", "badge:1001")
    f.tick("2026-11-24 10:00:10")
    assert f.alerts == []


def test_grant_too_long_before_and_at_night(feed):
    f = feed(ForcedDoor())
    f.access("2026-11-24 01:00:00", "D-FLOOR", "badge:1043")
    f.door("2026-11-24 01:00:20", "D-FLOOR", "open")
    (a,) = f.tick("2026-11-24 01:00:30")
    assert a.severity == "high"  # site closed


def test_unlocked_door_opens_freely(feed):
    f = feed(ForcedDoor())
    f.door("2026-11-24 08:00", "D-LOBBY", "unlocked")
    f.door("2026-11-24 08:05", "D-LOBBY", "open")
    f.tick("2026-11-24 08:06")
    assert f.alerts == []


def test_an_opening_that_arrives_late_is_judged_at_its_own_time(feed):
    f = feed(ForcedDoor())
    f.door("2026-11-24 10:00:05", "D-FLOOR", "open")
    f.door("2026-11-24 10:00:01", "D-PACK", "open")  # older, arriving second
    (a,) = f.tick("2026-11-24 10:00:06")
    assert a.entities.doors == ("D-PACK",)
    assert f.tick("2026-11-24 10:00:07") == []
    (b,) = f.tick("2026-11-24 10:00:08")
    assert b.entities.doors == ("D-FLOOR",)


def test_openings_of_a_snapshot_written_out_of_order_are_each_judged_at_their_own_time(feed):
    detector = ForcedDoor()
    f = feed(detector)
    f.door("2026-11-24 10:00:05", "D-FLOOR", "open")
    f.door("2026-11-24 10:00:01", "D-PACK", "open")
    saved = msgspec.json.decode(msgspec.json.encode(detector.save_memory()))
    saved["pending"].reverse()  # as the version before kept them: in the order they arrived
    detector.load_memory(msgspec.convert(saved, ForcedDoorMemory))
    (a,) = f.tick("2026-11-24 10:00:06")
    assert a.entities.doors == ("D-PACK",)
    (b,) = f.tick("2026-11-24 10:00:08")
    assert b.entities.doors == ("D-FLOOR",)
