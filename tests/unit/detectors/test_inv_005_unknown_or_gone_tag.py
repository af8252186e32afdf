from stockade.detectors.inv_005_unknown_or_gone_tag import UnknownOrGoneTag

from .conftest import HV, LOW


def test_tag_written_off_as_stolen_is_seen_again(feed):
    f = feed(UnknownOrGoneTag())
    f.stock("2026-11-20 08:00", "receive", to="storage", epcs=[HV + "1"])
    f.stock("2026-11-21 08:00", "adjust", **{"from": "storage"}, epcs=[HV + "1"], qty=-1, reason="stolen",
            user="emp-1022")
    (a,) = f.tag("2026-11-24 14:02", "R-DOCKOUT-1", HV + "1", direction="out")
    assert a.severity == "high"
    assert f.tag("2026-11-24 14:03", "R-DOCKOUT-1", HV + "1", direction="out") == []


def test_epcis_disposition_counts(feed):
    f = feed(UnknownOrGoneTag())
    f.stock("2026-11-21 08:00", "adjust", **{"from": "storage"}, epcs=[HV + "2"], reason="correction",
            qty=-1, user="x", attrs={"disposition": "urn:epcglobal:cbv:disp:destroyed"})
    assert f.tag("2026-11-24 14:02", "R-STORAGE-1", HV + "2")


def test_never_received_tags_in_storage_after_opening_balance(feed):
    f = feed(UnknownOrGoneTag())
    f.stock("2026-11-20 00:00", "receive", to="storage", epcs=[LOW + "1"], reason="opening_balance")
    assert f.tag("2026-11-24 10:00", "R-STORAGE-1", LOW + "1") == []
    assert f.tag("2026-11-24 10:00", "R-DOCKIN-1", LOW + "9") == []  # before its receive: normal
    (a,) = f.tag("2026-11-24 10:01", "R-STORAGE-1", LOW + "2")
    assert a.severity == "medium"
    (b,) = f.tag("2026-11-24 10:01", "R-DOCKOUT-1", LOW + "3", direction="out")
    assert b.severity == "high"


def test_no_judgement_of_unknown_tags_while_warming_up(feed):
    f = feed(UnknownOrGoneTag())
    assert f.tag("2026-11-24 10:00", "R-STORAGE-1", LOW + "5") == []
    assert f.tag("2026-11-25 10:01", "R-STORAGE-1", LOW + "6")  # a day later
