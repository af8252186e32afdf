"""The lifecycle rules (stockade.incidents.lifecycle): allowed moves, reasons, dispositions, tasks, four eyes."""

from __future__ import annotations

from msgspec.structs import replace

from stockade.incidents.lifecycle import Decide, Transition, allowed, check
from stockade.incidents.model import Task
from tests.unit.incidents.helpers import fold, step_outcome, version


def test_closed_to_contained_is_refused_listing_the_allowed_moves() -> None:
    state = replace(fold(version(1)), status="closed", disposition="benign")
    refusal = check(state, Transition("contained"), "k-ann")
    assert refusal is not None
    assert refusal.code == "conflict"
    assert refusal.allowed == ("acknowledged",) == allowed("closed")


def test_a_stale_version_is_a_conflict() -> None:
    state = fold(version(1), version(2))
    refusal = check(state, Transition("acknowledged"), "k-ann", version=1)
    assert refusal is not None
    assert (refusal.code, "stale version 1") == ("conflict", refusal.reason[:15])
    assert check(state, Transition("acknowledged"), "k-ann", version=2) is None


def test_resolving_needs_a_disposition_and_a_duplicate_needs_its_original() -> None:
    state = fold(version(1))
    assert check(state, Transition("resolved"), "a").code == "invalid"  # type: ignore[union-attr]
    assert check(state, Transition("resolved", disposition="duplicate"), "a").code == "invalid"  # type: ignore[union-attr]
    assert check(state, Transition("resolved", disposition="duplicate", duplicate_of="inc-0"), "a") is None
    assert check(state, Transition("closed", disposition="false_positive"), "a") is None


def test_reopening_needs_a_reason() -> None:
    state = replace(fold(version(1)), status="resolved", disposition="true_positive")
    assert check(state, Transition("acknowledged"), "a").code == "invalid"  # type: ignore[union-attr]
    assert check(state, Transition("acknowledged", reason="goods still missing"), "a") is None


def test_a_mandatory_task_not_done_blocks_closing() -> None:
    state = replace(fold(version(1)), status="resolved", disposition="true_positive",
                    tasks=(Task(id="report", title="file a police report", mandatory=True),))
    refusal = check(state, Transition("closed"), "a")
    assert refusal is not None
    assert "report" in refusal.reason
    done = replace(state, tasks=(replace(state.tasks[0], done=True),))
    assert check(done, Transition("closed"), "a") is None


def test_approving_ones_own_step_is_forbidden() -> None:
    state = fold(version(1), step_outcome("approve-lock", "awaiting_approval", requested_by="k-ann"))
    refusal = check(state, Decide("approve-lock", approve=True), "k-ann")
    assert refusal is not None
    assert refusal.code == "forbidden"
    assert "k-ann requested step 'approve-lock'" in refusal.reason
    assert check(state, Decide("approve-lock", approve=True), "k-bob") is None
