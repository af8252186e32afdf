from stockade.detectors.vid_002_loitering import Loitering


def test_loitering_on_the_dock_at_night(feed):
    f = feed(Loitering())
    (a,) = f.video("2026-11-24 01:12", "C-DOCKOUT-1", event="loiter", dwell_s=540, track="t1")
    assert a.severity == "high"
    assert a.entities.zones == ("dock-out",)
    assert "9 min" in a.summary
    assert f.video("2026-11-24 01:14", "C-DOCKOUT-1", event="loiter", dwell_s=660, track="t1") == []


def test_short_dwell_and_other_zones_are_quiet(feed):
    f = feed(Loitering())
    assert f.video("2026-11-24 10:00", "C-DOCKOUT-1", event="present", dwell_s=120, track="t2") == []
    assert f.video("2026-11-24 10:00", "C-STORAGE-1", event="loiter", dwell_s=3600, track="t3") == []
    assert f.video("2026-11-24 10:00", "C-DOCKOUT-1", event="loiter", label="truck", dwell_s=3600) == []


def test_threshold_by_zone_kind(feed):
    f = feed(Loitering())
    (a,) = f.video("2026-11-24 10:00", "C-DOCKOUT-1", event="present", dwell_s=300, track="t4")
    assert a.severity == "medium"
    assert f.video("2026-11-24 10:00", "C-YARD-1", event="present", dwell_s=200, track="t5") == []
    (b,) = f.video("2026-11-24 10:00", "C-YARD-1", event="loiter", dwell_s=300, track="t5")
    assert b.severity == "medium"
    assert f.video("2026-11-24 10:00", "C-HV-1", event="present", dwell_s=119, track="t6") == []
