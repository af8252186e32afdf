"""Lifecycle changes as log events, and back.

Every change to an incident is an ``action`` event the node writes itself
(DESIGN: output kinds and ``stockade:`` sources come only from Stockade):
analysts' changes from ``stockade:incidents`` with the key's principal as
``actor``, playbook steps' outcomes from ``stockade:response``.

    >>> from datetime import datetime, timezone
    >>> ev = change_event("dc-demo", "inc-1", Assign("duty-lead"), actor="key-7",
    ...                   at=datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc), event_id="chg-1")
    >>> ev.action, ev.target, ev.actor, ev.source
    ('incident.assign', 'duty-lead', 'key-7', 'stockade:incidents')
    >>> parse_change(ev)
    Assign(assignee='duty-lead')
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from stockade.events.model import Action, IncidentStatus
from stockade.incidents.lifecycle import AddNote, Assign, Change, CompleteTask, Decide, Transition
from stockade.incidents.model import DISPOSITIONS, STATUSES, Disposition

INCIDENTS_SOURCE = "stockade:incidents"
RESPONSE_SOURCE = "stockade:response"
TRANSITION = "incident.transition"
ASSIGN = "incident.assign"
NOTE = "incident.note"
TASK_DONE = "incident.task_done"
TASK_ADD = "incident.task_add"
_STATUS: dict[str, IncidentStatus] = {s: s for s in STATUSES}
APPROVE = "step.approve"
REJECT = "step.reject"


def change_event(site: str, incident: str, change: Change, *, actor: str, at: datetime, event_id: str,
                 version: int | None = None, roles: Collection[str] = ()) -> Action:
    """The ``action`` event that logs ``change`` by ``actor`` (an approval or rejection: with the
    actor's ``roles``, as its key had them then)."""
    attrs: dict[str, Any] = {} if version is None else {"version": version}
    target: str | None
    detail: str | None
    match change:
        case Transition():
            action, target, detail = TRANSITION, change.to, change.reason
            if change.disposition is not None:
                attrs["disposition"] = change.disposition
            if change.duplicate_of is not None:
                attrs["duplicate_of"] = change.duplicate_of
        case Assign():
            action, target, detail = ASSIGN, change.assignee, None
        case AddNote():
            action, target, detail = NOTE, None, change.text
        case CompleteTask():
            action, target, detail = TASK_DONE, change.task, None
        case Decide():
            action, target, detail = (APPROVE if change.approve else REJECT), change.step, change.reason
            if roles:
                attrs["roles"] = sorted(roles)
    return Action(id=event_id, ts=at, site=site, source=INCIDENTS_SOURCE, action=action, outcome="ok",
                  incident=incident, target=target, actor=actor, detail=detail, attrs=attrs or None)


def parse_change(event: Action) -> Change | None:
    """The analyst's change an event logs, or None when it logs something else (or is malformed)."""
    attrs = event.attrs or {}
    match event.action:
        case "incident.transition" if (to := _STATUS.get(event.target or "")) is not None:
            disposition = attrs.get("disposition")
            duplicate_of = attrs.get("duplicate_of")
            return Transition(
                to=to, reason=event.detail,
                disposition=cast("Disposition", disposition) if disposition in DISPOSITIONS else None,
                duplicate_of=duplicate_of if isinstance(duplicate_of, str) else None)
        case "incident.assign" if event.target:
            return Assign(event.target)
        case "incident.note" if event.detail:
            return AddNote(event.detail)
        case "incident.task_done" if event.target:
            return CompleteTask(event.target)
        case "step.approve" | "step.reject" if event.target:
            return Decide(event.target, approve=event.action == APPROVE, reason=event.detail)
    return None
