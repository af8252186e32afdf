"""The planner (stockade.response.planner) through the in-memory loop: steps, timers, approvals, escalation."""

from __future__ import annotations

from datetime import timedelta

from stockade.incidents.lifecycle import Decide, Transition
from stockade.response.portset import Ports, Recording
from tests.unit.response.helpers import (
    DOCK_DOORS,
    T0,
    analyst,
    blind_and_grab,
    locked,
    outcomes,
    rehearsal,
)

B = "blind-and-grab"


def test_an_incident_starts_its_playbook_at_once() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    got = outcomes(r)
    assert (f"{B}:approve-lock", "awaiting_approval") in got
    for step in ("hold", "evidence", "page"):
        assert (f"{B}:{step}", "sent") in got
    assert not any(t == f"{B}:lock" for t, _ in got)  # waits for the approval
    assert [x.id for x in r.states["inc-bg"].tasks] == ["police-report"]
    ports = [(q.port, getattr(q.payload, "destination", None)) for q in r.recording.requests]
    assert ("notifier", "security-desk") in ports
    assert ("flow_control", None) in ports


def test_nobody_acknowledges_so_the_duty_manager_is_escalated_at_3_minutes() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.tick(T0 + timedelta(seconds=179))
    assert (f"{B}:escalate", "sent") not in outcomes(r)
    r.tick(T0 + timedelta(seconds=180))
    assert (f"{B}:escalate", "sent") in outcomes(r)
    assert (f"{B}:escalate.0", "sent") in outcomes(r)
    assert [q.payload.destination for q in r.recording.requests  # type: ignore[union-attr]
            if q.port == "notifier"] == ["security-desk", "duty-manager"]


def test_every_open_incident_gets_its_own_timeouts_and_escalation() -> None:
    # two incidents share the playbook's step names: each one's outcomes are its own (a dedup keyed by
    # the step alone logged only the first incident's approval timeout and escalation)
    r = rehearsal()
    for inc in ("inc-a", "inc-b"):
        r.feed(blind_and_grab(incident=inc))
    r.tick(T0 + timedelta(minutes=4))
    by_incident = {(a.incident, str(a.target), a.outcome) for a in r.actions}
    for inc in ("inc-a", "inc-b"):
        assert (inc, f"{B}:approve-lock", "approved") in by_incident
        assert (inc, f"{B}:escalate", "sent") in by_incident
        assert (inc, f"{B}:escalate.0", "sent") in by_incident


def test_acknowledged_in_time_skips_the_escalation() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.feed(analyst(Transition("acknowledged"), at_s=60))
    r.tick(T0 + timedelta(minutes=10))
    assert (f"{B}:escalate", "skipped") in outcomes(r)
    assert not any(t == f"{B}:escalate.0" for t, _ in outcomes(r))


def test_an_approval_by_another_analyst_locks_and_the_doors_confirm() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.feed(analyst(Decide(f"{B}:approve-lock", approve=True), at_s=30, actor="k-lead"))
    assert (f"{B}:lock", "sent") in outcomes(r)
    doors = sorted(q.payload.door for q in r.recording.requests if q.port == "door_control")  # type: ignore[union-attr]
    assert doors == sorted(DOCK_DOORS)
    for i, door in enumerate(DOCK_DOORS):
        r.feed(locked(door, 31 + i))
    assert (f"{B}:lock", "confirmed") in outcomes(r)


def test_a_door_that_never_reports_locked_fails_the_step_and_escalates() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.feed(analyst(Decide(f"{B}:approve-lock", approve=True), at_s=30, actor="k-lead"))
    r.feed(locked(DOCK_DOORS[0], 31))
    r.tick(T0 + timedelta(seconds=30 + 31))
    lock = r.states["inc-bg"].step(f"{B}:lock")
    assert lock is not None
    assert lock.status == "failed"
    assert "D-YARD-DOCKOUT" in (lock.detail or "")
    assert (f"{B}:lock.escalation", "sent") in outcomes(r)


def test_the_approval_times_out_and_proceeds_as_declared() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.tick(T0 + timedelta(seconds=120))
    assert (f"{B}:approve-lock", "approved") in outcomes(r)
    assert (f"{B}:lock", "sent") in outcomes(r)


def test_a_rejected_approval_skips_what_depends_on_it() -> None:
    r = rehearsal()
    r.feed(blind_and_grab())
    r.feed(analyst(Decide(f"{B}:approve-lock", approve=False, reason="staff on the dock"), at_s=20, actor="k-lead"))
    assert (f"{B}:lock", "skipped") in outcomes(r)


def test_planning_is_deterministic_and_new_versions_plan_nothing_twice() -> None:
    runs = []
    for _ in range(2):
        r = rehearsal()
        r.feed(blind_and_grab())
        r.feed(blind_and_grab(2, at_s=5))
        r.tick(T0 + timedelta(minutes=5))
        runs.append([(a.id, a.outcome) for a in r.actions])
    assert runs[0] == runs[1]
    ids = [i for i, _ in runs[0]]
    assert len(ids) == len(set(ids))


def test_drill_mode_marks_every_action() -> None:
    r = rehearsal(drill=True, ports=Ports.of(Recording()))
    r.feed(blind_and_grab())
    assert r.actions
    assert all((a.attrs or {}).get("drill") is True for a in r.actions if a.source == "stockade:response")
    assert all(s.drill for s in r.states["inc-bg"].steps)


def test_while_outbound_flows_are_held_goods_leaving_the_zone_are_an_alert() -> None:
    from stockade.events import Gate, Stock

    r = rehearsal()
    r.feed(blind_and_grab())
    at = T0 + timedelta(seconds=30)
    r.feed(Stock(id="s1", ts=at, site="dc-demo", source="wms-1", op="pick", from_="storage/A-1", epcs=("e1",),
                 order="o-1"))
    assert r.alerts == []  # storage is not held
    r.feed(Stock(id="s2", ts=at, site="dc-demo", source="wms-1", op="ship", from_="dock-out", epcs=("e1",),
                 shipment="sh-9"))
    [alert] = r.alerts
    assert (alert.detector, alert.severity, alert.evidence) == ("STK-RSP-001", "high", ("s2",))
    assert "inc-bg" in alert.summary
    assert alert.entities.shipments == ("sh-9",)
    r.feed(Gate(id="g1", ts=at, site="dc-demo", source="gate-1", gate="G-1", direction="out", plate="AB-1"))
    assert len(r.alerts) == 1  # the yard is not held by this incident
