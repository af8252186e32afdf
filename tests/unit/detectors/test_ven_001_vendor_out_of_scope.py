from stockade.detectors.ven_001_vendor_out_of_scope import VendorOutOfScope


def test_vendor_in_a_zone_outside_the_contract(feed):
    f = feed(VendorOutOfScope())
    f.admin("2026-11-24 09:00", "it-01", "grant_access", target="ven-81", zone="hv-cage")
    (a,) = f.access("2026-11-24 10:00", "D-HV", "badge:9081")
    assert a.severity == "high"
    assert a.entities.vendors == ("vision-cctv",)
    assert "hv-cage is outside the contract" in a.summary


def test_vendor_within_contract_is_quiet(feed):
    f = feed(VendorOutOfScope())
    assert f.access("2026-11-24 10:00", "D-SERVER", "badge:9081") == []  # Tuesday 10:00
    assert f.access("2026-11-24 10:01", "D-LOBBY", "badge:9081") == []  # public


def test_vendor_outside_hours_and_expiry(feed):
    f = feed(VendorOutOfScope())
    (a,) = f.access("2026-11-25 10:00", "D-SERVER", "badge:9081")  # Wednesday: not a contract day
    assert a.severity == "medium"
    assert "hours" in a.summary
    (b,) = f.access("2027-02-02 10:00", "D-OFFICE", "badge:9077")  # acme-hvac expired 2027-01-31
    assert "expired" in b.summary


def test_contract_edge_and_employees_ignored(feed):
    f = feed(VendorOutOfScope())
    assert f.access("2026-11-24 21:59", "D-TURNSTILE", "badge:9090") == []  # brightclean until 22:00
    assert f.access("2026-11-24 22:00", "D-TURNSTILE", "badge:9091")
    assert f.access("2026-11-24 22:00", "D-HV", "badge:1020") == []
