from stockade.detectors.acc_006_borrowed_credential import BorrowedCredential
from stockade.events import Access


def test_badge_presented_from_a_zone_its_holder_never_reached(feed):
    f = feed(BorrowedCredential())
    assert f.access("2026-11-24 10:00", "D-TURNSTILE", "badge:1001") == []  # lobby -> lockers
    assert f.access("2026-11-24 10:01", "D-FLOOR", "badge:1001") == []  # lockers -> storage
    # ten minutes later the same badge opens pack -> dock-out: the holder never reached pack
    (a,) = f.access("2026-11-24 10:11", "D-PACK-DOCK", "badge:1001")
    assert a.severity == "medium"
    assert "placed in storage by D-FLOOR at 10:01" in a.summary
    assert "from pack at 10:11" in a.summary
    assert "Check the D-PACK-DOCK camera" in a.summary
    assert a.entities.people == ("emp-1001",)
    assert a.evidence == ("ev-2", "ev-3")


def test_an_ordinary_walk_is_quiet(feed):
    f = feed(BorrowedCredential())
    for t, door, d in [("10:00", "D-TURNSTILE", "in"), ("10:01", "D-FLOOR", "in"), ("10:20", "D-PACK", "in"),
                       ("10:40", "D-PACK", "out"), ("12:00", "D-FLOOR", "out")]:
        assert f.access(f"2026-11-24 {t}", door, "badge:1001", direction=d) == []


def test_edges_public_zones_stale_position_biometrics_and_too_fast(feed):
    f = feed(BorrowedCredential())
    f.access("2026-11-24 10:00", "D-LOBBY", "badge:1001")  # into the public lobby: says nothing
    assert f.access("2026-11-24 10:05", "D-FLOOR", "badge:1001") == []
    f.access("2026-11-24 10:06", "D-FLOOR", "badge:1002")  # emp-1002 in storage
    assert f.access("2026-11-24 15:00", "D-PACK-DOCK", "badge:1002") == []  # 5 h later: stale
    f.access("2026-11-24 16:00", "D-FLOOR", "badge:1003")
    assert f.send(  # a face match proves the holder
        Access, "2026-11-24 16:10", door="D-PACK-DOCK",
        credential="badge:1003", result="granted", direction="in", factors=["badge", "face"]) == []
    f.access("2026-11-24 16:20", "D-FLOOR", "badge:1004")  # storage
    # pack is one door from storage: 5 s is faster than a walk, so STK-ACC-003's if anyone's
    assert f.access("2026-11-24 16:20:05", "D-PACK-DOCK", "badge:1004") == []
    assert f.access("2026-11-24 16:22", "D-PACK", "badge:1004", result="denied") == []
