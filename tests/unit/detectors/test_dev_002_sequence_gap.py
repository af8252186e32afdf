from stockade.detectors.dev_002_sequence_gap import SequenceGap


def test_gap_is_reported_after_it_settles(feed):
    f = feed(SequenceGap())
    from stockade.events import Device

    def dev(t, seq, source="C-DOCKOUT-1"):
        return f.send(Device, t, source=source, device="C-DOCKOUT-1", status="online", seq=seq)

    dev("2026-11-24 02:00:00", 100)
    dev("2026-11-24 02:00:01", 101)
    assert dev("2026-11-24 02:19:00", 140) == []
    (a,) = f.tick("2026-11-24 02:19:06")
    assert a.severity == "high"
    assert "38 sequence number(s) (102-139)" in a.summary
    assert a.evidence == ("ev-2", "ev-3")


def test_out_of_order_fills_the_gap(feed):
    from stockade.events import Device

    f = feed(SequenceGap())

    def dev(t, seq):
        return f.send(Device, t, source="R-1", device="R-HV-1", status="online", seq=seq)

    dev("2026-11-24 10:00:00", 5)
    dev("2026-11-24 10:00:01", 7)
    dev("2026-11-24 10:00:01", 6)
    f.tick("2026-11-24 10:00:30")
    assert f.alerts == []


def test_restart_and_first_value_are_not_gaps(feed):
    from stockade.events import Device

    f = feed(SequenceGap())

    def dev(t, seq):
        return f.send(Device, t, source="R-2", device="R-HV-1", status="online", seq=seq)

    dev("2026-11-24 10:00:00", 5000)  # may start anywhere
    dev("2026-11-24 10:00:01", 5001)
    dev("2026-11-24 10:00:02", 0)  # restart
    dev("2026-11-24 10:00:03", 1)
    (a,) = (dev("2026-11-24 10:00:04", 3), f.tick("2026-11-24 10:00:10"))[1]
    assert a.severity == "medium"  # one lost event
