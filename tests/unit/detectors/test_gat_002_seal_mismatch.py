from stockade.detectors.gat_002_seal_mismatch import SealMismatch


def test_seal_at_gate_differs_from_loading(feed):
    f = feed(SealMismatch())
    f.stock("2026-11-23 07:05", "ship", **{"from": "dock-out"}, epcs=[], shipment="sh-1", seal="884201",
            trailer="TR-4410")
    (a,) = f.gate("2026-11-23 07:42", "G-1", direction="out", plate="AB-123-CD", trailer="TR-4410",
                  seal="884213", appointment="ap-1")
    assert a.severity == "high"
    assert "seal 884213" in a.summary
    assert "sealed 884201" in a.summary
    assert a.entities.shipments == ("sh-1",)


def test_same_seal_is_quiet(feed):
    f = feed(SealMismatch())
    f.stock("2026-11-23 07:05", "ship", **{"from": "dock-out"}, epcs=[], shipment="sh-1", seal="884201")
    assert f.gate("2026-11-23 07:42", "G-1", direction="out", plate="AB-123-CD", seal="884 201") == []


def test_trailer_lookup_and_no_record(feed):
    f = feed(SealMismatch())
    assert f.gate("2026-11-23 07:00", "G-2", direction="out", trailer="TR-1", seal="1") == []  # nothing recorded
    f.stock("2026-11-23 07:05", "ship", **{"from": "dock-out"}, epcs=[], shipment="sh-7", seal="55",
            trailer="TR-1")
    assert f.gate("2026-11-23 07:42", "G-2", direction="out", trailer="TR-1", seal="56")


def test_inbound_seal_against_appointment(feed):
    f = feed(SealMismatch())
    f.admin("2026-11-24 08:00", "emp-1060", "create_appointment", target="ap-9", attrs={
        "direction": "inbound", "gate": "G-2", "carrier": "ACME", "plate": "CC-1", "seal": "777",
        "window": ["2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00"]})
    (a,) = f.gate("2026-11-24 10:05", "G-2", plate="CC-1", seal="778")
    assert "declares seal 777" in a.summary
