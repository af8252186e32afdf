from __future__ import annotations

from datetime import datetime, timedelta, timezone

from stockade.events import Alert, Entities, Incident
from stockade.sim.labels import Label, LabelEntities
from stockade.sim.score import attack_free_hours, matches, score

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone(timedelta(hours=1)))


def lab(**ents: list[str]) -> Label:
    return Label(id="atk-1", type="tailgating", start=T0, end=T0 + timedelta(minutes=10),
                 entities=LabelEntities(**ents), first_event="e1", first_ts=T0)


def inc(start: datetime, severity: str = "high", alerts: tuple[str, ...] = (), **ents: tuple[str, ...]) -> Incident:
    return Incident(id="inc-1", ts=start, site="s", source="x", incident=f"inc-{start.minute}", pattern="p",
                    severity=severity, status="new", start=start, end=start + timedelta(minutes=1),  # type: ignore[arg-type]
                    entities=Entities(**ents), alerts=alerts, evidence=(), summary="")


def test_match_needs_a_shared_entity_of_the_same_kind() -> None:
    assert matches(lab(doors=["D-1"]), inc(T0, doors=("D-1",)))
    assert not matches(lab(doors=["D-1"]), inc(T0, devices=("D-1",)))
    assert not matches(lab(doors=["D-1"]), inc(T0, doors=("D-2",)))


def test_match_window_is_minus_5_plus_30_minutes() -> None:
    label = lab(zones=["z"])
    assert matches(label, inc(T0 - timedelta(minutes=5, seconds=50), zones=("z",)))  # ends inside
    assert not matches(label, inc(T0 - timedelta(minutes=7), zones=("z",)))
    assert matches(label, inc(T0 + timedelta(minutes=39), zones=("z",)))
    assert not matches(label, inc(T0 + timedelta(minutes=41), zones=("z",)))


def test_recall_needs_medium_and_precision_counts_every_incident() -> None:
    alert = Alert(id="al-1", ts=T0 + timedelta(seconds=42), site="s", source="x", detector="STK-VID-001",
                  severity="high", entities=Entities(doors=("D-1",)), evidence=(), summary="")
    good = inc(T0 + timedelta(seconds=40), alerts=("al-1",), doors=("D-1",))
    low = inc(T0 + timedelta(minutes=3), severity="low", doors=("D-1",))
    false = inc(T0 + timedelta(hours=5), doors=("D-9",))
    r = score([lab(doors=["D-1"])], [good, low, false], [alert], person_hours=500.0)
    assert r.overall.recall == 1.0
    assert r.overall.precision == 2 / 3
    assert r.false_incidents == 1
    assert r.false_per_1000h == 2.0
    assert r.overall.ttd_s == [42.0]
    only_low = score([lab(doors=["D-1"])], [low])
    assert only_low.overall.recall == 0.0
    assert only_low.missed == ["atk-1"]


def test_attack_windows_are_not_counted_as_attack_free_time() -> None:
    spans = [(T0 - timedelta(hours=1), T0 + timedelta(hours=1))]
    hours = attack_free_hours(spans, [lab()])
    assert abs(hours - (2 - 45 / 60)) < 1e-9
