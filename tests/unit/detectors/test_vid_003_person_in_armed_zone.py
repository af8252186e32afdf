from stockade.detectors.vid_003_person_in_armed_zone import PersonInArmedZone


def test_person_in_armed_hv_cage(feed):
    f = feed(PersonInArmedZone())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    (a,) = f.video("2026-11-25 02:15", "C-HV-1", event="enter")
    assert a.severity == "high"
    assert "ARMED" in a.summary
    assert a.evidence == ("ev-1", "ev-2")
    assert f.video("2026-11-25 02:16", "C-HV-1", event="present") == []  # repeat suppressed


def test_disarmed_zone_is_quiet(feed):
    f = feed(PersonInArmedZone())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    f.sensor("2026-11-25 06:00", "P-HV", "hv-cage", "disarm", user="emp-1020")
    assert f.video("2026-11-25 06:10", "C-HV-1", event="enter") == []


def test_closed_site_with_someone_covered_is_quiet(feed):
    f = feed(PersonInArmedZone())
    # Tuesday 02:00: the site is closed but the night shift and the night guards are on
    assert f.video("2026-11-24 02:00", "C-STORAGE-1", event="enter") == []


def test_closed_site_with_nobody_covered(site, feed):
    f = feed(PersonInArmedZone())
    # the server room on Sunday 03:00: it-admins work office hours, cctv techs Tue/Thu, guards allowed (*)
    # so revoke the guards' access to the server room to leave no one allowed there
    for g in ("grd-1", "grd-2", "grd-3", "grd-4"):
        f.admin("2026-11-28 10:00", "it-01", "revoke_access", target=g, zone="server-room")
    (a,) = f.video("2026-11-29 03:00", "C-SERVER", event="enter")
    assert a.severity == "medium"
    assert "closed" in a.summary


def test_door_camera_without_zone_is_ignored(feed):
    f = feed(PersonInArmedZone())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    assert f.video("2026-11-25 02:15", "C-HV-DOOR", event="present") == []
    assert f.video("2026-11-25 02:15", "C-HV-DOOR", event="present", zone="hv-cage")


def test_authorised_entry_before_disarming_is_low(feed):
    f = feed(PersonInArmedZone())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    f.access("2026-11-25 05:31:39", "D-HV", "badge:1050")  # night supervisor, on shift, allowed
    (a,) = f.video("2026-11-25 05:31:49", "C-HV-1", event="enter")
    assert a.severity == "low"
    assert a.entities.people == ("emp-1050",)


def test_entry_by_someone_not_allowed_stays_high(feed):
    f = feed(PersonInArmedZone())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    f.access("2026-11-25 02:00:00", "D-HV", "badge:1001")  # a picker: not allowed in hv-cage
    (a,) = f.video("2026-11-25 02:00:10", "C-HV-1", event="enter")
    assert a.severity == "high"
