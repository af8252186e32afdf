from datetime import timedelta

from stockade.detectors.ano_001_access_anomaly import AccessAnomaly


def _routine(f, days=10):
    start = f.when("2026-11-02 06:10")
    for d in range(days):
        day = start + timedelta(days=d)
        if day.weekday() >= 5:
            continue
        f.access(day, "D-LOBBY", "badge:1001")
        f.access(day + timedelta(minutes=2), "D-TURNSTILE", "badge:1001")
        f.access(day + timedelta(minutes=5), "D-FLOOR", "badge:1001")
        f.access(day + timedelta(hours=7), "D-FLOOR", "badge:1001", direction="out")
        f.access(day + timedelta(hours=7, minutes=3), "D-LOBBY", "badge:1001", direction="out")


def test_nothing_before_warmup(feed):
    f = feed(AccessAnomaly())
    f.access("2026-11-02 03:00", "D-HV", "badge:1001")
    assert f.alerts == []


def test_routine_is_quiet_and_a_night_visit_to_a_new_door_is_explained(feed):
    det = AccessAnomaly()
    f = feed(det)
    _routine(f)
    assert f.alerts == []
    (a,) = f.access("2026-11-13 03:12", "D-HV", "badge:1001")
    assert a.severity == "low"  # two unusual features
    assert "hour 03:00" in a.summary
    assert "door D-HV (never)" in a.summary
    (b,) = f.access("2026-11-28 03:12", "D-HV", "badge:1001", result="denied")  # + weekend, + denied
    assert b.severity == "medium"
    assert ("unusual hour 03:00 (1 of 41 accesses within an hour of it); weekend (0 of 41 accesses);"
            " denied (0 of 41 accesses).") in b.summary  # each unusual feature explained, in order
    scores = f.engine.state.anomalies  # drained by the engine after each step
    assert scores == []


def test_scores_reach_the_risk_model(site, feed):
    seen = []

    class Risk:
        def observe(self, alert):
            pass

        def observe_anomaly(self, entity_type, entity_id, score, ts):
            seen.append((entity_type, entity_id, round(score, 2)))

    f = feed(AccessAnomaly())
    f.engine.risk = Risk()
    _routine(f)
    f.access("2026-11-13 03:12", "D-FLOOR", "badge:1001")
    assert ("person", "emp-1001") in {(t, i) for t, i, _ in seen}
    assert all(0 < s <= 1 for _, _, s in seen)


def test_an_hour_within_the_persons_own_shift_is_not_unusual(feed):
    """grd-1 works guard-day (06:00-18:00 every day) and has only ever badged at 06:00 and 17:55:
    a mid-shift round at 15:06 is the rota, not an anomaly; the same door at 02:00 still is."""
    f = feed(AccessAnomaly())
    start = f.when("2026-11-02 06:00")
    for d in range(25):
        day = start + timedelta(days=d)
        f.access(day, "D-LOBBY", "badge:8001")
        f.access(day + timedelta(hours=11, minutes=55), "D-LOBBY", "badge:8001", direction="out")
    assert f.access("2026-11-27 15:06", "D-LOBBY", "badge:8001") == []
    assert f.engine.state.anomalies == []
    (night,) = f.access("2026-11-28 02:10", "D-LOBBY", "badge:8001")
    assert "hour 02:00" in night.summary
