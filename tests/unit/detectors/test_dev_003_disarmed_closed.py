from stockade.detectors.dev_003_disarmed_closed import DisarmedClosed


def test_disarm_at_night_by_someone_off_shift(feed):
    f = feed(DisarmedClosed())
    f.sensor("2026-11-24 22:41", "P-HV", "hv-cage", "arm", user="emp-1042")
    (a,) = f.sensor("2026-11-25 02:03", "P-HV", "hv-cage", "disarm", user="emp-1020")
    assert a.severity == "high"
    assert a.entities.people == ("emp-1020",)
    assert "while the site is closed" in a.summary


def test_disarm_at_opening_is_quiet(feed):
    f = feed(DisarmedClosed())
    assert f.sensor("2026-11-25 05:35", "P-HV", "hv-cage", "disarm", user="emp-1020") == []
    assert f.sensor("2026-11-25 02:00", "P-SERVER", "server-room", "disarm", user="it-01") == []  # not required


def test_panel_start_up_report_is_not_an_act(feed):
    f = feed(DisarmedClosed())
    assert f.sensor("2026-11-25 02:00", "P-HV", "hv-cage", "disarm") == []
    f.sensor("2026-11-25 02:05", "P-HV", "hv-cage", "arm")
    (a,) = f.sensor("2026-11-25 02:30", "P-HV", "hv-cage", "disarm")
    assert a.severity == "medium"


def test_admin_disarm_and_covered_supervisor(feed):
    f = feed(DisarmedClosed())
    (a,) = f.admin("2026-11-25 01:00", "it-01", "disarm", zone="hv-cage")
    assert a.severity == "high"
    # emp-1050: night supervisor, allowed in hv-cage and on shift (Tue 01:00)
    (b,) = f.sensor("2026-11-25 01:10", "P-HV", "hv-cage", "disarm", user="emp-1050")
    assert b.severity == "low"


def test_dst_spring_forward_closing(feed):
    f = feed(DisarmedClosed())
    # Sunday 29 March 2026: closed all day (Saturday hours end 14:00)
    (a,) = f.sensor("2026-03-29T03:30:00+02:00", "P-HV", "hv-cage", "disarm", user="emp-1021")
    assert a.severity == "high"


def test_night_guard_on_duty_disarming_for_a_patrol_is_info(feed):
    f = feed(DisarmedClosed())
    (a,) = f.sensor("2026-11-24 02:03", "P-HV", "hv-cage", "disarm", user="grd-3")
    assert a.severity == "info"
    assert "guard on duty (patrol)" in a.summary
    (b,) = f.sensor("2026-11-24 02:05", "P-HV", "hv-cage", "disarm", user="grd-1")  # day guard, off duty
    assert b.severity == "high"
