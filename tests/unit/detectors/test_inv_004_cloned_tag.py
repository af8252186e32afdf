from stockade.detectors.inv_004_cloned_tag import ClonedTag

from .conftest import HV


def test_same_epc_in_two_distant_zones_at_once(feed):
    f = feed(ClonedTag())
    f.tag("2026-11-24 03:12:00", "R-HV-1", HV + "1")
    (a,) = f.tag("2026-11-24 03:12:06", "R-DOCKOUT-1", HV + "1", direction="out")
    assert a.severity == "high"
    assert set(a.entities.zones) == {"hv-cage", "dock-out"}
    assert a.evidence == ("ev-1", "ev-2")
    assert f.tag("2026-11-24 03:12:07", "R-HV-1", HV + "1") == []  # once per hour per EPC


def test_plausible_movement_and_neighbours_are_quiet(feed):
    f = feed(ClonedTag())
    f.tag("2026-11-24 03:00:00", "R-HV-1", HV + "2")
    assert f.tag("2026-11-24 03:05:00", "R-DOCKOUT-1", HV + "2", direction="out") == []
    f.tag("2026-11-24 03:10:00", "R-STORAGE-1", HV + "3")
    assert f.tag("2026-11-24 03:10:01", "R-HV-1", HV + "3") == []  # adjacent zones: RF bleed


def test_out_of_order_reads(feed):
    f = feed(ClonedTag())
    f.tag("2026-11-24 03:12:06", "R-DOCKOUT-1", HV + "4")
    assert f.tag("2026-11-24 03:12:00", "R-HV-1", HV + "4")


def test_near_the_walking_limit_goods_are_slower(feed):
    f = feed(ClonedTag())
    f.tag("2026-11-25 00:05:31", "R-HV-1", HV + "5")
    (a,) = f.tag("2026-11-25 00:06:20", "R-DOCKIN-1", HV + "5", direction="in")  # 49 s for 2 doors: < 60 s
    assert "need at least 60 s" in a.summary


def test_stock_on_the_shelf_arriving_inbound(feed):
    f = feed(ClonedTag())
    f.stock("2026-11-23 00:00", "receive", to="hv-cage/F-06-1", epcs=[HV + "6"], reason="opening_balance")
    (a,) = f.tag("2026-11-25 10:00", "R-DOCKIN-1", HV + "6", direction="in")
    assert "records hold it at hv-cage/F-06-1" in a.summary
    assert set(a.entities.zones) == {"hv-cage", "dock-in"}


def test_returns_and_new_receipts_arriving_are_normal(feed):
    f = feed(ClonedTag())
    f.stock("2026-11-23 00:00", "receive", to="storage", epcs=[HV + "7"])
    f.stock("2026-11-23 09:00", "pick", **{"from": "storage"}, to="pack", epcs=[HV + "7"], order="o")
    f.stock("2026-11-23 10:00", "ship", **{"from": "dock-out"}, epcs=[HV + "7"], shipment="s")
    assert f.tag("2026-11-25 10:00", "R-DOCKIN-1", HV + "7", direction="in") == []  # a return
    assert f.tag("2026-11-25 10:00", "R-DOCKIN-1", HV + "8", direction="in") == []  # before its receive
    f.stock("2026-11-23 00:00", "receive", to="dock-in", epcs=[HV + "9"])
    assert f.tag("2026-11-25 10:01", "R-DOCKIN-2", HV + "9", direction="in") == []  # expected at the dock
