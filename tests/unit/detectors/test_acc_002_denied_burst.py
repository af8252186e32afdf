from stockade.detectors.acc_002_denied_burst import DeniedBurst


def test_probing_many_badges_at_one_door(feed):
    f = feed(DeniedBurst())
    for i, cred in enumerate(["badge:1003", "badge:1009", "badge:7001"]):
        assert f.access(f"2026-11-24 10:0{i}", "D-HV", cred, result="denied") == []
    (a,) = f.access("2026-11-24 10:03", "D-HV", "badge:9999", result="denied")
    assert a.severity == "medium"
    assert a.entities.doors == ("D-HV",)
    assert len(a.evidence) == 4
    assert "4 denied attempts at D-HV" in a.summary


def test_one_credential_tried_at_many_doors(feed):
    f = feed(DeniedBurst())
    doors = ["D-HV", "D-SERVER", "D-OFFICE", "D-RETURNS"]
    out = [f.access(f"2026-11-24 10:0{i}", d, "badge:1001", result="denied") for i, d in enumerate(doors)]
    (a,) = out[-1]
    assert a.entities.credentials == ("badge:1001",)
    assert "denied 4 times" in a.summary


def test_a_mistyped_pin_is_quiet(feed):
    f = feed(DeniedBurst())
    f.access("2026-11-24 10:00:00", "D-FLOOR", "badge:1001", result="denied")
    f.access("2026-11-24 10:00:08", "D-FLOOR", "badge:1001", result="denied")
    f.access("2026-11-24 10:00:15", "D-FLOOR", "badge:1001")
    assert f.alerts == []


def test_window_edge_and_escalation(feed):
    f = feed(DeniedBurst())
    for i in range(3):
        f.access(f"2026-11-24 10:0{i}", "D-HV", f"badge:90{i}", result="denied")
    # the fourth comes just after the first left the 5-minute window
    assert f.access("2026-11-24 10:05:01", "D-HV", "badge:999", result="denied") == []
    f.access("2026-11-24 10:05:30", "D-HV", "badge:998", result="denied")
    assert [a.severity for a in f.alerts] == ["medium"]
    for i in range(5):
        f.access(f"2026-11-24 10:06:0{i}", "D-HV", f"badge:8{i}", result="denied")
    assert [a.severity for a in f.alerts] == ["medium", "high"]
