from stockade.detectors.inv_001_unexplained_exit import UnexplainedExit

from .conftest import HV, LOW


def test_goods_leaving_with_no_pick_grow_by_steps(feed):
    f = feed(UnexplainedExit())
    (a,) = f.tag("2026-11-24 02:14:00", "R-DOCKOUT-1", HV + "1", direction="out")
    assert a.severity == "medium"  # one high-value tag
    assert a.entities.epcs == (HV + "1",)
    for i in range(2, 5):
        assert f.tag(f"2026-11-24 02:14:0{i}", "R-DOCKOUT-1", HV + str(i), direction="out") == []
    (b,) = f.tag("2026-11-24 02:14:05", "R-DOCKOUT-1", HV + "5", direction="out")
    assert b.severity == "high"
    assert "5 tag(s) (5 high-value" in b.summary
    assert len(b.evidence) == 5


def test_picked_goods_may_leave(feed):
    f = feed(UnexplainedExit())
    f.stock("2026-11-24 09:00", "receive", to="storage", epcs=[HV + "1"])
    f.stock("2026-11-24 10:00", "pick", **{"from": "storage"}, epcs=[HV + "1"], order="o-1", to="pack")
    assert f.tag("2026-11-24 10:30", "R-DOCKOUT-1", HV + "1", direction="out") == []
    f.stock("2026-11-24 10:40", "ship", **{"from": "dock-out"}, epcs=[HV + "1"], shipment="sh-1")
    assert f.tag("2026-11-24 10:41", "R-DOCKOUT-2", HV + "1", direction="out") == []


def test_inbound_reads_and_non_exit_readers_are_quiet(feed):
    f = feed(UnexplainedExit())
    assert f.tag("2026-11-24 10:00", "R-DOCKOUT-1", LOW + "1", direction="in") == []
    assert f.tag("2026-11-24 10:00", "R-DOCKIN-1", LOW + "2", direction="out") == []
    assert f.tag("2026-11-24 10:00", "R-STORAGE-1", LOW + "3") == []
    assert f.tag("2026-11-24 10:00", "R-DOCKOUT-1", LOW + "4") == []  # portal read with no direction


def test_single_ordinary_tag_is_low_and_bursts_end_after_a_gap(feed):
    f = feed(UnexplainedExit())
    (a,) = f.tag("2026-11-24 10:00", "R-DOCKOUT-1", LOW + "1", direction="out")
    assert a.severity == "low"
    assert f.tag("2026-11-24 10:01", "R-DOCKOUT-1", LOW + "1", direction="out") == []  # same tag again
    (b,) = f.tag("2026-11-24 10:20", "R-DOCKOUT-1", LOW + "2", direction="out")  # a new burst
    assert b.severity == "low"
