"""The incident projection's fold: incident versions and logged changes in, current state out.

Pure and deterministic, so the projection the store keeps can always be rebuilt
from the log: :func:`apply` takes the state of one incident (or None) and one
committed event with its log sequence number.

- an ``incident`` event (a correlator version) opens the incident or updates
  what correlation knows (pattern, severity, span, entities, alerts, evidence,
  summary); the lifecycle fields are the analysts' and are kept;
- an ``action`` event from ``stockade:incidents`` is an analyst's change,
  applied when :func:`stockade.incidents.lifecycle.check` allows it (a change
  that lost a race is kept in the history as refused, and changes nothing);
- an ``action`` event from ``stockade:response`` is a playbook step's outcome
  (or a task it adds).

Analysts' changes and correlator versions raise ``version``; step outcomes do not
(the dashboard's optimistic concurrency is about what people change).

    >>> state = apply(None, version_event, seq=10)             # doctest: +SKIP
    >>> state.status, state.version                             # doctest: +SKIP
    ('new', 1)
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from msgspec.structs import replace

from stockade.events import Envelope, Incident
from stockade.events.model import Action
from stockade.incidents.changes import INCIDENTS_SOURCE, RESPONSE_SOURCE, TASK_ADD, parse_change
from stockade.incidents.lifecycle import AddNote, Assign, CompleteTask, Decide, Transition, check, reopens
from stockade.incidents.model import Change, IncidentState, Note, Step, StepStatus, Task

_STEP_STATUSES: dict[str, StepStatus] = {s: s for s in get_args(StepStatus)}
_MAX_HISTORY = 500


def incident_of(event: Envelope) -> str | None:
    """The incident an event changes, if it is one the fold reads."""
    if isinstance(event, Incident):
        return event.incident
    if isinstance(event, Action) and event.incident and event.source in (INCIDENTS_SOURCE, RESPONSE_SOURCE):
        return event.incident
    return None


def apply(state: IncidentState | None, event: Envelope, seq: int) -> IncidentState | None:
    if isinstance(event, Incident):
        return _version(state, event, seq)
    if state is None or not isinstance(event, Action):
        return state  # a change to an incident not opened (yet): nothing to change
    if event.source == INCIDENTS_SOURCE:
        return _analyst(state, event, seq)
    if event.source == RESPONSE_SOURCE:
        return _response(state, event, seq)
    return state


def _history(state: IncidentState, entry: Change) -> tuple[Change, ...]:
    history = (*state.history, entry)
    return history[-_MAX_HISTORY:]


def _version(state: IncidentState | None, v: Incident, seq: int) -> IncidentState:
    if state is None:
        return IncidentState(
            site=v.site, id=v.incident, pattern=v.pattern, severity=v.severity, status="new", version=1,
            opened=v.ts, start=v.start, end=v.end, entities=v.entities, alerts=v.alerts, evidence=v.evidence,
            summary=v.summary, updated=v.ts, first_seq=seq, last_seq=seq,
            history=(Change(ts=v.ts, event=v.id, change="opened", detail=f"{v.pattern}, {v.severity}"),),
        )
    changed = (v.pattern, v.severity) != (state.pattern, state.severity)
    history = state.history
    if changed:
        history = _history(state, Change(ts=v.ts, event=v.id, change="escalated",
                                         detail=f"{v.pattern}, {v.severity}"))
    return replace(state, pattern=v.pattern, severity=v.severity, start=v.start, end=v.end,
                   entities=v.entities, alerts=v.alerts, evidence=v.evidence, summary=v.summary,
                   version=state.version + 1, updated=v.ts, last_seq=seq, history=history)


def _analyst(state: IncidentState, ev: Action, seq: int) -> IncidentState:
    change = parse_change(ev)
    actor = ev.actor or "unknown"
    if change is None:
        return state
    refusal = check(state, change, actor)
    if refusal is not None:
        return replace(state, last_seq=seq, history=_history(state, Change(
            ts=ev.ts, event=ev.id, change="refused", actor=actor, detail=refusal.reason)))
    entry = Change(ts=ev.ts, event=ev.id, change=ev.action.removeprefix("incident."), actor=actor,
                   detail=ev.detail)
    state = replace(state, version=state.version + 1, updated=ev.ts, last_seq=seq)
    match change:
        case Transition():
            state = _transition(state, change, ev.ts)
            entry = replace(entry, to=change.to)
        case Assign(assignee=who):
            state = replace(state, assignee=who)
            entry = replace(entry, to=who)
        case AddNote(text=text):
            state = replace(state, notes=(*state.notes, Note(ts=ev.ts, actor=actor, text=text)))
        case CompleteTask(task=task):
            state = replace(state, tasks=tuple(replace(t, done=True) if t.id == task else t for t in state.tasks))
            entry = replace(entry, to=task)
        case Decide(step=step_id, approve=ok):
            status: StepStatus = "approved" if ok else "rejected"
            state = _set_step(state, step_id, status, ev.ts, ev.detail or f"{status} by {actor}")
            entry = replace(entry, to=step_id)
    return replace(state, history=_history(state, entry))


def _transition(state: IncidentState, t: Transition, at: datetime) -> IncidentState:
    if reopens(state.status, t.to):  # reopened: the milestones after acknowledgement start again
        state = replace(state, contained_at=None, resolved_at=None, closed_at=None, disposition=None,
                        duplicate_of=None)
    order = ("new", "acknowledged", "contained", "resolved", "closed")
    reached = order.index(t.to)
    stamps = {
        "acknowledged_at": state.acknowledged_at, "contained_at": state.contained_at,
        "resolved_at": state.resolved_at, "closed_at": state.closed_at,
    }
    for rank, name in enumerate(("acknowledged_at", "contained_at", "resolved_at", "closed_at"), start=1):
        # reaching a later state reaches the earlier ones (closing a false positive acknowledges it)
        if rank <= reached and stamps[name] is None and not (name == "contained_at" and t.to != "contained"):
            stamps[name] = at
    return replace(state, status=t.to, disposition=t.disposition or state.disposition,
                   duplicate_of=t.duplicate_of or state.duplicate_of, **stamps)


def _set_step(state: IncidentState, step_id: str, status: StepStatus, at: datetime,
              detail: str | None) -> IncidentState:
    steps = tuple(replace(s, status=status, ts=at, detail=detail) if s.id == step_id else s for s in state.steps)
    return replace(state, steps=steps)


def _roles(value: object) -> tuple[str, ...]:
    return tuple(str(r) for r in value) if isinstance(value, list) else ()


def _response(state: IncidentState, ev: Action, seq: int) -> IncidentState:
    attrs = ev.attrs or {}
    if ev.action == TASK_ADD and ev.target:
        if any(t.id == ev.target for t in state.tasks):
            return state
        task = Task(id=ev.target, title=ev.detail or ev.target, mandatory=bool(attrs.get("mandatory")),
                    step=str(attrs["step"]) if "step" in attrs else None)
        return replace(state, tasks=(*state.tasks, task), last_seq=seq)
    status = _STEP_STATUSES.get(ev.outcome)
    if ev.target is None or status is None:
        return state
    existing = state.step(ev.target)
    if existing is None:
        step = Step(id=ev.target, do=ev.action, playbook=ev.playbook or "", status=status,
                    intent=str(attrs.get("intent", ev.id)), ts=ev.ts, detail=ev.detail,
                    requested_by=attrs.get("requested_by") if isinstance(attrs.get("requested_by"), str) else None,
                    roles=_roles(attrs.get("roles")), drill=bool(attrs.get("drill")))
        steps = (*state.steps, step)
    else:
        roles = _roles(attrs.get("roles")) or existing.roles
        steps = tuple(replace(s, status=status, ts=ev.ts, detail=ev.detail, roles=roles) if s.id == ev.target
                      else s for s in state.steps)
    return replace(state, steps=steps, last_seq=seq, history=_history(state, Change(
        ts=ev.ts, event=ev.id, change=f"step {status}", actor=ev.source, detail=ev.detail, to=ev.target)))
