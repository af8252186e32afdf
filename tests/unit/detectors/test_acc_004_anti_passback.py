from stockade.detectors.acc_004_anti_passback import AntiPassback


def test_second_entry_without_exit(feed):
    f = feed(AntiPassback())
    f.access("2026-11-24 09:00", "D-FLOOR", "badge:1001")
    (a,) = f.access("2026-11-24 09:05", "D-FLOOR", "badge:1001")
    assert a.severity == "medium"
    assert a.entities.zones == ("storage",)
    assert a.evidence == ("ev-1", "ev-2")


def test_exit_between_entries_is_quiet(feed):
    f = feed(AntiPassback())
    f.access("2026-11-24 09:00", "D-FLOOR", "badge:1001")
    f.access("2026-11-24 09:03", "D-FLOOR", "badge:1001", direction="out")
    assert f.access("2026-11-24 09:05", "D-FLOOR", "badge:1001") == []


def test_leaving_by_another_door_counts_as_exit(feed):
    f = feed(AntiPassback())
    f.access("2026-11-24 09:00", "D-FLOOR", "badge:1001")
    f.access("2026-11-24 09:03", "D-PACK", "badge:1001")  # storage -> pack
    assert f.access("2026-11-24 09:05", "D-PACK", "badge:1001", direction="out") == []


def test_late_repeat_is_low_and_public_zones_ignored(feed):
    f = feed(AntiPassback())
    f.access("2026-11-24 07:00", "D-FLOOR", "badge:1001")
    (a,) = f.access("2026-11-24 09:00", "D-FLOOR", "badge:1001")
    assert a.severity == "low"
    f.access("2026-11-24 09:10", "D-LOBBY", "badge:1002")
    assert f.access("2026-11-24 09:11", "D-LOBBY", "badge:1002") == []  # lobby is public


def test_undirected_accesses_are_not_judged(feed):
    f = feed(AntiPassback())
    f.access("2026-11-24 09:00", "D-FLOOR", "badge:1001", direction=None)
    assert f.access("2026-11-24 09:01", "D-FLOOR", "badge:1001", direction=None) == []
