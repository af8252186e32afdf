from stockade.detectors.inv_003_suspicious_write_off import SuspiciousWriteOff

from .conftest import HV, LOW


def test_write_off_of_goods_that_left_is_a_cover_up(feed):
    f = feed(SuspiciousWriteOff())
    f.stock("2026-11-23 08:00", "receive", to="hv-cage", epcs=[HV + "1", HV + "2"])
    f.tag("2026-11-24 01:00", "R-DOCKOUT-1", HV + "1", direction="out")
    (a,) = f.stock("2026-11-24 09:00", "adjust", **{"from": "hv-cage"}, epcs=[HV + "1"], qty=-1,
                   reason="damaged", user="emp-1020")
    assert a.severity == "high"
    assert a.evidence == ("ev-2", "ev-3")
    assert a.entities.people == ("emp-1020",)


def test_ordinary_damage_write_off_is_quiet(feed):
    f = feed(SuspiciousWriteOff())
    f.stock("2026-11-23 08:00", "receive", to="storage", epcs=[LOW + "1"])
    assert f.stock("2026-11-24 09:00", "adjust", **{"from": "storage"}, epcs=[LOW + "1"], qty=-1,
                   reason="damaged", user="emp-1010") == []
    assert f.stock("2026-11-24 09:05", "adjust", **{"from": "storage"}, sku="0614141.107467", qty=2,
                   reason="found", user="emp-1010") == []


def test_presence_off_shift_with_high_value(feed):
    f = feed(SuspiciousWriteOff())
    f.access("2026-11-24 23:48", "D-HV", "badge:1040")  # late shift ends 22:00
    (a,) = f.stock("2026-11-25 00:10", "adjust", **{"from": "hv-cage"}, epcs=[HV + "7"], qty=-1,
                   reason="lost", user="emp-1040")
    assert a.severity == "medium"
    assert "badged into hv-cage" in a.summary


def test_out_of_line_with_the_users_baseline(feed):
    f = feed(SuspiciousWriteOff())
    for day in range(20, 30, 3):
        f.stock(f"2026-10-{day} 10:00", "adjust", **{"from": "storage"}, sku="0614141.107500", qty=-1,
                reason="damaged", user="emp-1011")
    assert f.alerts == []
    out = [f.stock(f"2026-11-24 1{i}:00", "adjust", **{"from": "storage"}, sku="0614141.107500", qty=-2,
                   reason="damaged", user="emp-1011") for i in range(3)]
    assert out[0] == []
    assert out[1][0].severity == "medium"
    assert "usual for them" in out[1][0].summary


def test_someone_who_was_just_there_on_shift(feed):
    f = feed(SuspiciousWriteOff())
    f.access("2026-11-24 09:30", "D-FLOOR", "badge:1060")  # into storage
    f.access("2026-11-24 09:40", "D-FLOOR", "badge:1060", direction="out")
    (a,) = f.stock("2026-11-24 10:05", "adjust", **{"from": "storage/E-21-1"}, epcs=[LOW + "9"], qty=-1,
                   reason="lost", user="emp-1060")
    assert a.severity == "medium"
    assert "badged into storage at 09:30" in a.summary
    # hours later, the visit no longer counts
    assert f.stock("2026-11-24 12:05", "adjust", **{"from": "storage/E-21-1"}, epcs=[LOW + "8"], qty=-1,
                   reason="damaged", user="emp-1060") == []


def test_a_recount_sitting_is_no_presence_or_baseline_but_a_cover_up_still_is(feed):
    f = feed(SuspiciousWriteOff())
    f.access("2026-11-24 09:00", "D-FLOOR", "badge:1022")  # the supervisor is in storage, counting
    for k in range(8):
        loc = f"storage/A-{k}"
        f.stock(f"2026-11-24 09:{10 + 5 * k}", "count", to=loc, epcs=[], user="emp-1022")
        assert f.stock(f"2026-11-24 09:{11 + 5 * k}", "adjust", **{"from": loc}, sku="0614141.107467", qty=-1,
                       reason="correction", user="emp-1022") == []
    # another user's write-off at a counted bin, and a count too long ago, are judged as ever
    assert f.stock("2026-11-24 09:52", "adjust", **{"from": "storage/A-7"}, sku="0614141.107467", qty=-1,
                   reason="correction", user="emp-1042") == []  # emp-1042 was not there: quiet
    (a,) = f.stock("2026-11-24 11:00", "adjust", **{"from": "storage/A-0"}, sku="0614141.107467", qty=-1,
                   reason="correction", user="emp-1022")
    assert "badged into storage at 09:00" in a.summary
    f.stock("2026-11-23 08:00", "receive", to="storage/B-1", epcs=[LOW + "9"])
    f.tag("2026-11-24 12:00", "R-DOCKOUT-1", LOW + "9", direction="out")
    f.stock("2026-11-24 12:10", "count", to="storage/B-1", epcs=[], user="emp-1022")
    (b,) = f.stock("2026-11-24 12:11", "adjust", **{"from": "storage/B-1"}, epcs=[LOW + "9"], qty=-1,
                   reason="lost", user="emp-1022")
    assert b.severity == "high"
