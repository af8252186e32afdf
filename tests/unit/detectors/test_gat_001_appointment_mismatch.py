from stockade.detectors.gat_001_appointment_mismatch import AppointmentMismatch


def test_real_booking_other_truck_and_driver(feed):
    f = feed(AppointmentMismatch())
    (a,) = f.gate("2026-11-23 06:12", "G-1", plate="FG-552-KL", carrier="FASTFREIGHT", driver="drv-85",
                  appointment="ap-1")
    assert a.severity == "high"
    assert "plate FG-552-KL instead of AB-123-CD" in a.summary
    assert "driver drv-85 instead of drv-81" in a.summary
    assert a.entities.trucks == ("FG-552-KL",)
    assert a.entities.shipments == ("sh-1",)


def test_matching_truck_is_quiet_even_a_bit_late(feed):
    f = feed(AppointmentMismatch())
    assert f.gate("2026-11-23 09:30", "G-1", plate="AB 123 CD", carrier="FastFreight", driver="drv-81",
                  appointment="ap-1") == []


def test_unknown_appointment_and_no_appointment(feed):
    f = feed(AppointmentMismatch())
    (a,) = f.gate("2026-11-23 06:12", "G-2", plate="ZZ-1", carrier="X", appointment="ap-404")
    assert a.severity == "high"
    (b,) = f.gate("2026-11-23 06:13", "G-2", plate="ZZ-2", carrier="NOBODY")
    assert b.severity == "medium"
    assert f.gate("2026-11-23 06:14", "G-2", direction="out", plate="ZZ-2") == []


def test_appointment_created_by_admin_event(feed):
    f = feed(AppointmentMismatch())
    f.admin("2026-11-24 08:00", "emp-1060", "create_appointment", target="ap-9", attrs={
        "direction": "inbound", "gate": "G-2", "carrier": "ACME", "plate": "CC-1", "driver": "drv-83",
        "window": ["2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00"], "shipment": "in-9"})
    assert f.gate("2026-11-24 10:05", "G-2", plate="CC-1", carrier="ACME", driver="drv-83") == []
    (a,) = f.gate("2026-11-24 10:06", "G-2", plate="CC-1", carrier="ACME", driver="drv-84")
    assert "driver drv-84 instead of drv-83" in a.summary
    (b,) = f.gate("2026-11-25 06:00", "G-2", plate="DD-1", carrier="ACME")  # carrier match, far off window
    assert b.severity == "medium"
