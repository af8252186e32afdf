from stockade.detectors.acc_005_role_violation import RoleViolation


def test_picker_let_into_hv_cage_is_high(feed):
    f = feed(RoleViolation())
    (a,) = f.access("2026-11-24 10:00", "D-HV", "badge:1001")
    assert a.severity == "high"
    assert a.entities.zones == ("hv-cage",)
    assert "picker does not allow hv-cage" in a.summary


def test_allowed_zone_and_public_zone_are_quiet(feed):
    f = feed(RoleViolation())
    assert f.access("2026-11-24 10:00", "D-FLOOR", "badge:1001") == []
    assert f.access("2026-11-24 10:05", "D-LOBBY", "badge:1056") == []


def test_grant_access_window_and_revoke(feed):
    f = feed(RoleViolation())
    f.admin("2026-11-24 10:30", "it-01", "grant_access", target="emp-1001", zone="hv-cage",
            start="2026-11-24 11:00", end="2026-11-24 12:00")
    assert f.access("2026-11-24 10:45", "D-HV", "badge:1001")  # before the window
    assert f.access("2026-11-24 11:10", "D-HV", "badge:1001") == []
    f.admin("2026-11-24 11:20", "it-01", "revoke_access", target="emp-1001", zone="hv-cage")
    assert f.access("2026-11-24 11:30", "D-HV", "badge:1001")


def test_revoke_takes_away_role_zones(feed):
    f = feed(RoleViolation())
    f.admin("2026-11-24 10:30", "it-01", "revoke_access", target="badge:1002")
    (a,) = f.access("2026-11-24 10:45", "D-FLOOR", "badge:1002")
    assert a.severity == "medium"


def test_direction_out_leads_to_the_first_zone(feed):
    f = feed(RoleViolation())
    # office-staff leaving storage into lockers is allowed; entering storage is not
    assert f.access("2026-11-24 10:00", "D-FLOOR", "badge:1056", direction="out") == []
    assert f.access("2026-11-24 10:01", "D-FLOOR", "badge:1056", direction="in")
