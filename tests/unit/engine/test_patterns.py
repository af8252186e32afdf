"""Pattern naming and severity escalation (stockade.engine.patterns)."""

from __future__ import annotations

import pytest

from stockade.engine.patterns import SIGNALS, classify, escalate, label


@pytest.mark.parametrize(
    ("detectors", "main", "pattern", "floor"),
    [
        (["STK-DEV-001", "STK-DOR-001"], "STK-DOR-001", "blind_and_grab", "high"),
        (["STK-DEV-001", "STK-PER-001"], "STK-PER-001", "blind_and_grab", "high"),
        (["STK-DEV-001", "STK-VID-003"], "STK-VID-003", "blind_and_grab", "high"),
        (["STK-DEV-003", "STK-DOR-001"], "STK-DOR-001", "blind_and_grab", "high"),
        (["STK-DEV-001", "STK-DOR-001", "STK-INV-001"], "STK-DOR-001", "blind_and_grab", "critical"),
        (["STK-DEV-001", "STK-INV-001"], "STK-INV-001", "blind_and_grab", "critical"),
        (["STK-ACC-001", "STK-INV-001"], "STK-ACC-001", "insider_after_hours_theft", "high"),
        (["STK-VID-003", "STK-INV-002"], "STK-VID-003", "insider_after_hours_theft", "high"),
        (["STK-GAT-001"], "STK-GAT-001", "fictitious_pickup", "medium"),
        (["STK-GAT-001", "STK-INV-001"], "STK-INV-001", "fictitious_pickup", "critical"),
        (["STK-INV-003", "STK-INV-002"], "STK-INV-003", "record_cover_up", "high"),
        (["STK-INV-001", "STK-INV-003"], "STK-INV-001", "record_cover_up", "high"),
        (["STK-VID-001"], "STK-VID-001", "tailgate_intrusion", "medium"),
        (["STK-VID-001", "STK-ACC-005"], "STK-VID-001", "tailgate_intrusion", "high"),
        (["STK-VID-001", "STK-VID-003"], "STK-VID-003", "tailgate_intrusion", "high"),
    ],
)
def test_named_patterns(detectors: list[str], main: str, pattern: str, floor: str) -> None:
    m = classify(detectors, main)
    assert (m.pattern, m.floor) == (pattern, floor)


def test_a_lone_device_alert_is_tampering_not_blind_and_grab() -> None:
    assert classify(["STK-DEV-001"], "STK-DEV-001").pattern == "device_tampering"


def test_a_lone_write_off_is_not_a_cover_up() -> None:
    m = classify(["STK-INV-003"], "STK-INV-003")
    assert (m.pattern, m.floor) == ("suspicious_adjustment", None)


@pytest.mark.parametrize(
    ("main", "pattern"),
    [("STK-ACC-003", "cloned_badge"), ("STK-PER-001", "perimeter_breach"),
     ("STK-ACC-002", "badge_probing"), ("STK-GAT-002", "seal_mismatch"),
     ("STK-VEN-001", "vendor_violation"), ("STK-ADM-001", "privilege_abuse"),
     ("STK-INV-004", "cloned_tag"), ("STK-DOR-002", "propped_door"), ("STK-VID-002", "loitering"),
     ("STK-INV-002", "shrinkage"), ("STK-DEV-002", "event_suppression"), ("STK-ANO-001", "anomalous_access")],
)
def test_other_incidents_are_named_after_their_main_signal(main: str, pattern: str) -> None:
    assert classify([main], main).pattern == pattern


def test_every_catalogue_detector_has_a_signal() -> None:
    ids = {f"STK-{g}-{n:03d}" for g, k in
           (("ACC", 5), ("DOR", 2), ("VID", 3), ("PER", 1), ("DEV", 3), ("INV", 5), ("GAT", 2), ("ADM", 1),
            ("VEN", 1), ("ANO", 1)) for n in range(1, k + 1)}
    assert set(SIGNALS) == ids
    assert len({s.pattern for s in SIGNALS.values()}) == len(SIGNALS)
    assert label("STK-DOR-001") == "door forced"
    assert label("ACME-1") == "ACME-1"


@pytest.mark.parametrize(
    ("base", "distinct", "floor", "repeats", "expected"),
    [
        ("medium", 1, None, False, "medium"),
        ("medium", 2, None, False, "high"),
        ("medium", 3, None, False, "critical"),
        ("low", 5, None, False, "high"),  # at most two levels from distinct signals
        ("low", 1, None, True, "medium"),
        ("low", 2, None, True, "medium"),  # repetition counts only for a single signal
        ("info", 1, "medium", False, "medium"),
        ("critical", 4, "high", False, "critical"),
        ("low", 1, "high", False, "high"),
    ],
)
def test_escalation(base: str, distinct: int, floor: str | None, repeats: bool, expected: str) -> None:
    assert escalate(base, distinct, floor, repeats) == expected  # type: ignore[arg-type]
