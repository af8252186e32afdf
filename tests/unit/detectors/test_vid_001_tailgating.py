from stockade.detectors.vid_001_tailgating import Tailgating


def test_two_people_through_on_one_badge(feed):
    f = feed(Tailgating())
    f.access("2026-11-24 10:00:00", "D-FLOOR", "badge:1001")
    f.video("2026-11-24 10:00:03", "C-FLOOR-DOOR", event="line_cross", count=2)
    assert f.tick("2026-11-24 10:00:12") == []
    (a,) = f.tick("2026-11-24 10:00:14")
    assert a.severity == "medium"
    assert a.entities.doors == ("D-FLOOR",)
    assert a.entities.people == ("emp-1001",)
    assert "counted 2 people" in a.summary


def test_each_person_badged_is_quiet(feed):
    f = feed(Tailgating())
    f.access("2026-11-24 10:00:00", "D-FLOOR", "badge:1001")
    f.access("2026-11-24 10:00:02", "D-FLOOR", "badge:1002")
    f.video("2026-11-24 10:00:03", "C-FLOOR-DOOR", event="line_cross", count=2)
    f.tick("2026-11-24 10:01:00")
    assert f.alerts == []


def test_late_grant_within_window_counts_and_grants_are_used_once(feed):
    f = feed(Tailgating())
    f.video("2026-11-24 10:00:00", "C-HV-DOOR", event="line_cross", count=1)
    f.access("2026-11-24 10:00:04", "D-HV", "badge:1020")
    f.tick("2026-11-24 10:00:20")
    assert f.alerts == []
    f.video("2026-11-24 10:00:21", "C-HV-DOOR", event="line_cross", count=1)  # same grant cannot pay twice
    (a,) = f.tick("2026-11-24 10:00:40")
    assert a.severity == "high"


def test_non_door_cameras_and_vehicles_are_ignored(feed):
    f = feed(Tailgating())
    f.video("2026-11-24 10:00:00", "C-STORAGE-1", event="line_cross", count=3)
    f.video("2026-11-24 10:00:00", "C-LOBBY-DOOR", event="line_cross", label="car", count=1)
    f.tick("2026-11-24 10:01:00")
    assert f.alerts == []
