from stockade.detectors.per_001_perimeter_breach import PerimeterBreach


def test_fence_at_night_then_motion_is_critical(feed):
    f = feed(PerimeterBreach())
    (a,) = f.sensor("2026-11-24 01:58:00", "S-FENCE-N", "perimeter", "fence")
    assert a.severity == "high"
    (b,) = f.sensor("2026-11-24 01:58:40", "S-MOTION-YARD", "yard", "motion")
    assert b.severity == "critical"
    assert b.evidence == ("ev-1", "ev-2")
    assert f.sensor("2026-11-24 01:59:00", "S-MOTION-YARD", "yard", "motion") == []  # once per breach


def test_daylight_trigger_alone_is_low_and_motion_alone_is_quiet(feed):
    f = feed(PerimeterBreach())
    assert f.sensor("2026-11-24 01:00", "S-MOTION-YARD", "yard", "motion") == []
    (a,) = f.sensor("2026-11-24 10:00", "S-BEAM-YARD", "yard", "beam")
    assert a.severity == "low"
    assert "nothing behind it" in a.summary
    assert "camera on yard" in a.summary
    assert f.sensor("2026-11-24 10:15", "S-MOTION-YARD", "yard", "motion") == []  # past the window


def test_daylight_trigger_corroborated_by_motion_is_medium_once(feed):
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 10:00", "S-BEAM-YARD", "yard", "beam")
    assert f.sensor("2026-11-24 10:00:30", "S-MOTION-YARD", "yard", "motion") == []  # people work in the yard
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 10:00", "S-FENCE-E", "perimeter", "fence")
    assert f.sensor("2026-11-24 10:00:40", "S-MOTION-STORAGE", "storage", "motion") == []  # another zone
    (b,) = f.sensor("2026-11-24 10:01", "S-MOTION-PERIM", "perimeter", "motion")
    assert b.severity == "medium"
    assert "corroborated" in b.summary
    assert "triggered at 10:00" in b.summary
    assert "Send a guard to perimeter" in b.summary
    assert f.sensor("2026-11-24 10:02", "S-MOTION-PERIM", "perimeter", "motion") == []


def test_daylight_trigger_corroborated_by_a_second_sensor(feed):
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 10:00", "S-FENCE-N", "perimeter", "fence")
    (b,) = f.sensor("2026-11-24 10:03", "S-FENCE-S", "perimeter", "fence")
    assert b.severity == "medium"
    assert "second sensor, S-FENCE-S" in b.summary


def test_daylight_trigger_corroborated_by_a_camera_in_its_zone_only(feed):
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 10:00", "S-BEAM-YARD", "yard", "beam")
    assert f.video("2026-11-24 10:00:20", "C-YARD-2", label="truck", zone="yard") == []  # trucks in the yard
    f = feed(PerimeterBreach())
    cam = "C-YARD-2"
    f.sensor("2026-11-24 10:00", "S-FENCE-E", "perimeter", "fence")
    assert f.video("2026-11-24 10:00:30", cam, label="bird", zone="perimeter") == []
    assert f.video("2026-11-24 10:00:40", cam, zone="yard") == []
    (b,) = f.video("2026-11-24 10:01", cam, zone="perimeter")
    assert b.severity == "medium"
    assert f"camera {cam} saw a person" in b.summary


def test_repeats_of_one_sensor_are_one_breach(feed):
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 02:00:00", "S-GEO-1", "perimeter", "geofence")
    assert f.sensor("2026-11-24 02:01:00", "S-GEO-1", "perimeter", "geofence") == []
    assert f.sensor("2026-11-24 02:01:00", "S-FENCE-S", "perimeter", "fence")


def test_motion_long_after_the_breach_is_quiet(feed):
    f = feed(PerimeterBreach())
    f.sensor("2026-11-24 01:00", "S-FENCE-N", "perimeter", "fence")
    assert f.sensor("2026-11-24 01:11", "S-MOTION-YARD", "yard", "motion") == []


def test_panel_intrusion_alarm(feed):
    f = feed(PerimeterBreach())
    (a,) = f.sensor("2026-11-24 02:10", "P-HV", "hv-cage", "alarm")
    assert a.severity == "high"
    assert "Intrusion alarm P-HV" in a.summary
