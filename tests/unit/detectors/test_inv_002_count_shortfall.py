from stockade.detectors.inv_002_count_shortfall import CountShortfall, CountShortfallParams

from .conftest import HV, LOW


def _stock(f, n, prefix=LOW, loc="storage/A-1"):
    epcs = [f"{prefix}{i}" for i in range(n)]
    f.stock("2026-11-23 08:00", "receive", to="dock-in", epcs=epcs)
    f.stock("2026-11-23 09:00", "putaway", **{"from": "dock-in"}, to=loc, epcs=epcs)
    return epcs


def test_large_shortfall_at_a_count(feed):
    f = feed(CountShortfall())
    epcs = _stock(f, 50, HV)
    (a,) = f.stock("2026-11-24 06:40", "count", to="storage/A-1", epcs=epcs[:45], user="emp-1010")
    assert a.severity == "high"
    assert len(a.entities.epcs) == 5
    assert "found 45 of 50" in a.summary


def test_one_missing_item_alerts_by_default(feed):
    f = feed(CountShortfall())
    epcs = _stock(f, 100)
    (a,) = f.stock("2026-11-24 06:40", "count", to="storage/A-1", epcs=epcs[1:])
    assert a.entities.epcs == (epcs[0],)
    assert a.severity == "medium"


def test_raw_sweeps_a_missed_read_is_quiet_but_twice_is_not(feed):
    f = feed(CountShortfall(CountShortfallParams(min_missing=3, min_fraction=0.02)))
    epcs = _stock(f, 100)
    assert f.stock("2026-11-24 06:40", "count", to="storage/A-1", epcs=epcs[1:]) == []
    assert f.stock("2026-11-25 06:40", "count", to="storage/A-1", epcs=epcs[:50] + epcs[51:]) == []
    (a,) = f.stock("2026-11-26 06:40", "count", to="storage/A-1", epcs=epcs[:50] + epcs[52:])
    assert a.entities.epcs == (epcs[50],)  # 51 is missing for the first time
    assert "also missing at the previous count" in a.summary
    assert a.severity == "medium"


def test_transactions_and_reads_elsewhere_explain(feed):
    f = feed(CountShortfall())
    epcs = _stock(f, 10)
    f.stock("2026-11-24 05:00", "pick", **{"from": "storage/A-1"}, epcs=epcs[:5], order="o-1", to="pack")
    f.tag("2026-11-24 05:30", "R-RETURNS-1", epcs[5])
    f.tag("2026-11-24 05:31", "R-RETURNS-1", epcs[6])
    f.tag("2026-11-24 05:32", "R-RETURNS-1", epcs[7])
    assert f.stock("2026-11-24 06:40", "count", to="storage/A-1", epcs=epcs[8:]) == []


def test_zone_count_covers_its_bins(feed):
    f = feed(CountShortfall())
    a = _stock(f, 10, loc="storage/A-1")
    b = [f"{HV}b{i}" for i in range(10)]
    f.stock("2026-11-23 08:00", "receive", to="storage/B-2", epcs=b)
    (al,) = f.stock("2026-11-24 06:40", "count", to="storage", epcs=a + b[:6])
    assert len(al.entities.epcs) == 4
    assert f.stock("2026-11-24 06:41", "count", to="storage/A-1", epcs=a) == []


def test_known_missing_goods_are_not_reported_again(feed):
    f = feed(CountShortfall())
    epcs = _stock(f, 50, HV)
    assert f.stock("2026-11-24 06:40", "count", to="storage/A-1", epcs=epcs[:45])
    assert f.stock("2026-11-25 06:40", "count", to="storage/A-1", epcs=epcs[:45]) == []
    (a,) = f.stock("2026-11-26 06:40", "count", to="storage/A-1", epcs=epcs[:44])  # only the new one
    assert a.entities.epcs == (epcs[44],)
    assert f.stock("2026-11-27 06:40", "count", to="storage/A-1", epcs=epcs[:44]) == []
