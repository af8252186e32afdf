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
