from stockade.detectors.inv_006_unsupported_record import UnsupportedRecord

from .conftest import LOW, epc

ITEMS = [epc(LOW, n) for n in range(900, 912)]


def test_ship_with_no_read_no_truck_no_appointment_is_high(feed):
    f = feed(UnsupportedRecord())
    f.stock("2026-11-24 09:00", "receive", to="storage/A-1", epcs=ITEMS, reason="opening_balance")
    (a,) = f.stock("2026-11-25 03:12", "ship", **{"from": "dock-out"},
                   epcs=ITEMS, shipment="sh-7781", user="emp-1033")
    assert a.severity == "high"
    assert "ship of 12 items (shipment sh-7781) from dock-out at 03:12 (user emp-1033)" in a.summary
    assert "none of them was read" in a.summary
    assert "no truck is at the gate" in a.summary
    assert "no appointment names sh-7781" in a.summary
    assert a.entities.shipments == ("sh-7781",)


def test_goods_read_at_the_portal_before_the_record_are_quiet(feed):
    f = feed(UnsupportedRecord())
    for e in ITEMS:
        f.tag("2026-11-24 10:00", "R-DOCKIN-1", e, direction="in")
    assert f.stock("2026-11-24 10:05", "receive", to="dock-in", epcs=ITEMS, shipment="sh-1") == []


def test_edges_truck_or_appointment_lowers_small_and_opening_records_are_left(feed):
    f = feed(UnsupportedRecord())
    assert f.stock("2026-11-24 09:00", "receive", to="storage", epcs=ITEMS, reason="opening_balance") == []
    assert f.stock("2026-11-24 09:01", "receive", to="dock-in", epcs=ITEMS[:2]) == []  # too small
    (a,) = f.stock("2026-11-24 09:02", "ship", **{"from": "dock-out"}, epcs=ITEMS, shipment="sh-1")
    assert a.severity == "medium"  # the site file has an appointment for sh-1
    assert "appointment for sh-1 exists" in a.summary
    for e in ITEMS[:2]:
        f.tag("2026-11-24 11:00", "R-DOCKIN-1", e, direction="in")
    (b,) = f.stock("2026-11-24 11:05", "receive", to="dock-in", epcs=ITEMS)  # 2 of 12 read: too few
    assert "only 2 of them were read" in b.summary
