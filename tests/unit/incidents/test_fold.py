"""The incident projection's fold (stockade.incidents.fold): versions and logged changes to current state."""

from __future__ import annotations

from stockade.incidents.lifecycle import AddNote, Assign, Decide, Transition
from tests.unit.incidents.helpers import change, fold, step_outcome, version


def test_versions_update_what_correlation_knows_and_keep_the_lifecycle() -> None:
    state = fold(version(1), change(Transition("acknowledged"), at_s=90), version(2, severity="critical", at_s=120))
    assert (state.status, state.severity, state.summary, state.version) == ("acknowledged", "critical", "v2", 3)
    assert state.sla().time_to_detect_s == 30.0
    assert state.sla().time_to_acknowledge_s == 90.0
    assert [h.change for h in state.history] == ["opened", "transition", "escalated"]
    assert state.history[1].actor == "k-ann"


def test_the_full_lifecycle_records_who_when_why_and_the_milestones() -> None:
    state = fold(
        version(1),
        change(Assign("duty-lead"), n=1, at_s=10),
        change(Transition("acknowledged"), n=2, at_s=20),
        change(Transition("contained", reason="dock locked"), n=3, at_s=200),
        change(Transition("resolved", disposition="true_positive"), n=4, at_s=900),
        change(AddNote("police informed"), n=5, at_s=950),
        change(Transition("closed"), n=6, at_s=1000),
    )
    assert (state.status, state.assignee, state.disposition) == ("closed", "duty-lead", "true_positive")
    sla = state.sla()
    assert (sla.time_to_acknowledge_s, sla.time_to_contain_s, sla.time_to_resolve_s) == (20.0, 200.0, 900.0)
    assert state.notes[0].text == "police informed"
    assert [h.to for h in state.history if h.change == "transition"] == [
        "acknowledged", "contained", "resolved", "closed"]


def test_a_logged_change_the_rules_refuse_is_kept_as_refused_and_changes_nothing() -> None:
    state = fold(version(1), change(Transition("closed", disposition="benign"), n=1),
                 change(Transition("contained"), n=2))
    assert state.status == "closed"
    assert state.history[-1].change == "refused"
    assert state.version == 2


def test_reopening_clears_the_later_milestones() -> None:
    state = fold(version(1), change(Transition("resolved", disposition="benign"), n=1, at_s=50),
                 change(Transition("acknowledged", reason="it happened again"), n=2, at_s=80))
    assert (state.status, state.disposition, state.resolved_at) == ("acknowledged", None, None)


def test_step_outcomes_and_approvals_are_folded_without_raising_the_version() -> None:
    state = fold(version(1), step_outcome("approve-lock", "awaiting_approval", requested_by="k-ann"))
    assert state.version == 1
    assert [(s.id, s.status) for s in state.steps] == [("approve-lock", "awaiting_approval")]
    approved = fold(version(1), step_outcome("approve-lock", "awaiting_approval"),
                    change(Decide("approve-lock", approve=True), actor="k-bob"))
    assert approved.steps[0].status == "approved"
    assert approved.version == 2


def test_changes_before_the_incident_is_opened_are_ignored() -> None:
    state = fold(change(Transition("acknowledged")), version(1))
    assert state.status == "new"
