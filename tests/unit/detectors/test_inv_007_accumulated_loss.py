from stockade.detectors.inv_007_accumulated_loss import AccumulatedLoss

from .conftest import LOW, epc


def write_off(f, t, n, first, user="emp-1033", reason="damaged", qty_sign=-1, loc="storage/A-2"):
    items = [epc(LOW, first + k) for k in range(n)]
    return f.stock(t, "adjust", **{"from": loc}, epcs=items, qty=qty_sign * n, reason=reason, user=user,
                   sku="0614141.107467")


def test_small_write_offs_over_days_add_up_per_person(feed):
    f = feed(AccumulatedLoss())
    assert write_off(f, "2026-11-23 10:00", 2, 1) == []
    assert write_off(f, "2026-11-24 10:00", 2, 3) == []
    out = write_off(f, "2026-11-25 10:00", 2, 5)
    by = {a.summary.split(" ")[0]: a for a in out}
    a = by["emp-1033"]
    assert a.severity == "medium"
    assert "wrote off 6 items" in a.summary
    assert "in 3 write-offs over 3 days (Mon 23 Nov – Wed 25 Nov)" in a.summary
    assert "Count storage/A-2 and review emp-1033's write-offs" in a.summary
    assert a.entities.people == ("emp-1033",)
    assert len(a.evidence) == 3
    assert write_off(f, "2026-11-26 10:00", 1, 7) == []  # 7 < twice 6: no repeat


def test_the_same_sku_across_people_adds_up(feed):
    f = feed(AccumulatedLoss())
    write_off(f, "2026-11-23 10:00", 2, 1, user="emp-1022")
    write_off(f, "2026-11-24 10:00", 2, 3, user="emp-1042")
    (a,) = write_off(f, "2026-11-25 10:00", 2, 5, user="emp-1050")
    assert "was written off 6 items" in a.summary
    assert "ask who wrote them off" in a.summary


def test_edges_one_sitting_a_recount_that_finds_them_and_the_window(feed):
    f = feed(AccumulatedLoss())
    assert write_off(f, "2026-11-23 10:00", 3, 1) == []
    assert write_off(f, "2026-11-23 10:05", 3, 4) == []
    assert write_off(f, "2026-11-23 10:10", 3, 7) == []  # one day only: INV-003's, not an accumulation
    assert write_off(f, "2026-11-24 09:00", 6, 1, reason="found", qty_sign=1) == []  # the recount finds them
    assert write_off(f, "2026-11-24 10:00", 1, 20) == []  # net 4 of 10 lost
    g = feed(AccumulatedLoss())
    write_off(g, "2026-11-01 10:00", 3, 1)
    write_off(g, "2026-11-02 10:00", 3, 4)
    assert write_off(g, "2026-11-20 10:00", 2, 7) == []  # the first two fell out of the 7 days
