"""The rules of an incident's lifecycle: which changes are allowed, and why not.

``new → acknowledged → contained → resolved → closed``; a step may be skipped
forwards (a false positive is closed straight from ``new``), and a resolved or
closed incident is reopened to ``acknowledged`` with a reason. Resolving or
closing needs a disposition (``duplicate`` needs the other incident); a
mandatory task not done blocks closing; an approval is never given by the one
who asked for it. :func:`check` is used twice with the same answer: by the
API before a change is logged (a refusal becomes a 409, 403 or 422), and by
the fold, which ignores a logged change the rules refuse (two writers raced).

    >>> allowed("closed")
    ('acknowledged',)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from stockade.events.model import IncidentStatus
from stockade.incidents.model import DISPOSITIONS, Disposition, IncidentState

TRANSITIONS: dict[IncidentStatus, tuple[IncidentStatus, ...]] = {
    "new": ("acknowledged", "contained", "resolved", "closed"),
    "acknowledged": ("contained", "resolved", "closed"),
    "contained": ("resolved", "closed"),
    "resolved": ("closed", "acknowledged"),
    "closed": ("acknowledged",),
}
REOPENED_FROM: frozenset[IncidentStatus] = frozenset({"resolved", "closed"})


def allowed(status: IncidentStatus) -> tuple[IncidentStatus, ...]:
    return TRANSITIONS[status]


def reopens(status: IncidentStatus, to: IncidentStatus) -> bool:
    return status in REOPENED_FROM and to == "acknowledged"


@dataclass(frozen=True, slots=True)
class Transition:
    to: IncidentStatus
    reason: str | None = None
    disposition: Disposition | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Assign:
    assignee: str


@dataclass(frozen=True, slots=True)
class AddNote:
    text: str


@dataclass(frozen=True, slots=True)
class CompleteTask:
    task: str


@dataclass(frozen=True, slots=True)
class Decide:
    """Approve or reject a step awaiting approval."""

    step: str
    approve: bool
    reason: str | None = None


Change = Transition | Assign | AddNote | CompleteTask | Decide


@dataclass(frozen=True, slots=True)
class Refusal:
    code: Literal["conflict", "forbidden", "invalid", "not_found"]
    reason: str
    allowed: tuple[str, ...] = field(default=())


def check(state: IncidentState, change: Change, actor: str, version: int | None = None,
          roles: Collection[str] | None = None) -> Refusal | None:
    """Why ``actor`` may not make ``change`` to ``state`` now, or None when it may. ``roles`` are the
    actor's (its API key's); None when they are not known here (the fold re-checking a logged change:
    the API checked them when it was made)."""
    if version is not None and version != state.version:
        return Refusal("conflict", f"stale version {version}: incident {state.id} is at version "
                                   f"{state.version}; reload it and try again")
    match change:
        case Transition():
            return _check_transition(state, change)
        case CompleteTask(task=task):
            if not any(t.id == task for t in state.tasks):
                return Refusal("not_found", f"incident {state.id} has no task {task!r}")
        case Decide(step=step_id):
            step = state.step(step_id)
            if step is None:
                return Refusal("not_found", f"incident {state.id} has no step {step_id!r}")
            if step.status != "awaiting_approval":
                return Refusal("conflict", f"step {step_id!r} is {step.status}, not awaiting approval")
            if step.requested_by is not None and step.requested_by == actor:
                return Refusal("forbidden", f"{actor} requested step {step_id!r} and may not approve or reject "
                                            "it: another person must (four eyes)")
            if roles is not None and step.roles and not set(step.roles) & set(roles):
                held = ", ".join(sorted(roles)) or "none"
                return Refusal("forbidden", f"step {step_id!r} needs a key with the role {' or '.join(step.roles)} "
                                            f"to approve or reject it; {actor}'s roles: {held}")
        case Assign() | AddNote():
            pass
    return None


def _check_transition(state: IncidentState, t: Transition) -> Refusal | None:
    options = allowed(state.status)
    if t.to not in options:
        return Refusal("conflict", f"incident {state.id} is {state.status}: it may move to "
                                   f"{', '.join(options)}, not {t.to}", options)
    if reopens(state.status, t.to) and not (t.reason or "").strip():
        return Refusal("invalid", f"reopening a {state.status} incident needs a reason")
    if t.to in ("resolved", "closed"):
        disposition = t.disposition or state.disposition
        if disposition is None:
            return Refusal("invalid", f"{t.to} needs a disposition: one of {', '.join(DISPOSITIONS)}")
        if disposition == "duplicate" and not (t.duplicate_of or state.duplicate_of):
            return Refusal("invalid", "a duplicate needs duplicate_of: the id of the incident it repeats")
        if (t.duplicate_of or None) == state.id:
            return Refusal("invalid", "an incident cannot be a duplicate of itself")
    if t.to == "closed":
        open_tasks = [task.id for task in state.tasks if task.mandatory and not task.done]
        if open_tasks:
            return Refusal("conflict", f"mandatory task(s) not done: {', '.join(open_tasks)}; "
                                       "complete them before closing")
    return None
