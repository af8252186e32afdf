from stockade.detectors.adm_001_privilege_change import PrivilegeChange


def test_self_grant_is_high_even_in_a_window(feed):
    f = feed(PrivilegeChange())
    (a,) = f.admin("2026-11-24 10:30", "it-01", "grant_access", target="it-01", zone="hv-cage")  # Tue window
    assert a.severity == "high"
    assert "THEMSELF" in a.summary
    (b,) = f.admin("2026-11-24 10:31", "it-02", "grant_access", target="badge:7002", zone="office")
    assert b.severity == "high"


def test_high_value_grant_outside_window(feed):
    f = feed(PrivilegeChange())
    (a,) = f.admin("2026-11-24 23:12", "it-01", "grant_access", target="emp-1001", zone="hv-cage")
    assert a.severity == "high"
    assert a.entities.people == ("it-01", "emp-1001")
    assert f.admin("2026-11-24 10:30", "it-01", "grant_access", target="emp-1001", zone="hv-cage") == []


def test_ordinary_changes(feed):
    f = feed(PrivilegeChange())
    assert f.admin("2026-11-24 23:12", "it-01", "grant_access", target="emp-1001", zone="office") == []
    (a,) = f.admin("2026-11-24 23:13", "it-01", "disable_device", target="C-HV-1")
    assert a.severity == "low"
    assert f.admin("2026-11-24 23:14", "emp-1022", "schedule_override", target="emp-1001") == []


def test_change_window_edge_in_local_time(feed):
    f = feed(PrivilegeChange())
    assert f.admin("2026-11-26 11:59", "it-01", "grant_access", target="emp-1001", zone="hv-cage") == []  # Thu
    assert f.admin("2026-11-26 12:00", "it-01", "grant_access", target="emp-1001", zone="hv-cage")
