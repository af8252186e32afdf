"""Incident versions and changes to fold in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stockade.events import Entities, Envelope, Incident
from stockade.events.model import Action
from stockade.incidents.changes import RESPONSE_SOURCE, change_event
from stockade.incidents.fold import apply
from stockade.incidents.lifecycle import Change
from stockade.incidents.model import IncidentState

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def version(n: int, incident: str = "inc-1", severity: str = "high", at_s: int = 0) -> Incident:
    return Incident(id=f"{incident}:{n}", ts=T0 + timedelta(seconds=at_s), site="s1",
                    source="stockade/correlation", incident=incident, pattern="blind_and_grab",
                    severity=severity,  # type: ignore[arg-type]  # tests pass literals
                    status="new", start=T0 - timedelta(seconds=30), end=T0 + timedelta(seconds=at_s),
                    entities=Entities(zones=("dock-out",)), alerts=(f"al-{n}",), evidence=(), summary=f"v{n}")


def change(c: Change, actor: str = "k-ann", at_s: int = 60, n: int = 1) -> Action:
    return change_event("s1", "inc-1", c, actor=actor, at=T0 + timedelta(seconds=at_s), event_id=f"chg-{n}")


def step_outcome(step: str, outcome: str, at_s: int = 1, requested_by: str | None = None) -> Action:
    attrs: dict[str, object] = {"intent": f"int-{step}"}
    if requested_by:
        attrs["requested_by"] = requested_by
    return Action(id=f"act-{step}-{outcome}", ts=T0 + timedelta(seconds=at_s), site="s1", source=RESPONSE_SOURCE,
                  action="approve", outcome=outcome,  # type: ignore[arg-type]  # tests pass literals
                  incident="inc-1", playbook="pb", target=step, attrs=attrs)


def fold(*events: Envelope) -> IncidentState:
    state: IncidentState | None = None
    for seq, event in enumerate(events, start=1):
        state = apply(state, event, seq)
    assert state is not None
    return state
