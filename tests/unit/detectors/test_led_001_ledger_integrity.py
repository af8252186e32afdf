from stockade.detectors.led_001_ledger_integrity import LedgerIntegrity
from stockade.events import Action


def _failed(f, t, check="audit", detail="row 4's kind column says 'tick'; its entry says 'access'", **kw):
    fields = {"source": "stockade:ledger", "action": "ledger_check", "outcome": "failed", "target": check,
              "detail": detail, **kw}
    return f.send(Action, t, **fields)


def test_a_failed_ledger_check_is_a_critical_alert_once(feed):
    f = feed(LedgerIntegrity())
    (a,) = _failed(f, "2026-11-24 10:30")
    assert a.severity == "critical"
    assert a.detector == "STK-LED-001"
    assert "failed its audit check: row 4's kind column says 'tick'" in a.summary
    assert "stockade ledger audit --site" in a.summary
    assert _failed(f, "2026-11-24 10:31") == []  # the same problem again
    (b,) = _failed(f, "2026-11-24 10:32", check="proof", detail="the proof of entry 4 does not verify")
    assert "proof check" in b.summary


def test_only_the_nodes_own_failed_checks_count(feed):
    f = feed(LedgerIntegrity())
    assert _failed(f, "2026-11-24 10:30", source="ctl-1") == []
    assert _failed(f, "2026-11-24 10:30", outcome="ok") == []
    assert f.send(Action, "2026-11-24 10:30", source="stockade:ledger", action="lock_door", outcome="failed") == []
