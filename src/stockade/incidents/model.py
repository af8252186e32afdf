"""The current state of one incident, as the projection keeps it and the API serves it.

An :class:`IncidentState` is what :func:`stockade.incidents.fold.apply` makes of
the correlator's incident versions and the changes analysts and playbooks log
(``action`` events from ``stockade:`` sources). It is plain typed data: the
store keeps it as msgspec JSON, the API and ``stockade analyze --json`` serve it
through :mod:`stockade.incidents.records`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

import msgspec

from stockade.events.model import Entities, IncidentStatus, Severity

Disposition = Literal["true_positive", "false_positive", "benign", "duplicate", "drill"]
DISPOSITIONS: tuple[Disposition, ...] = get_args(Disposition)
STATUSES: tuple[IncidentStatus, ...] = get_args(IncidentStatus)
StepStatus = Literal["planned", "awaiting_approval", "approved", "rejected", "sent", "confirmed", "failed",
                     "skipped"]
STEP_STATUSES: tuple[StepStatus, ...] = get_args(StepStatus)


class Task(msgspec.Struct, frozen=True, kw_only=True):
    """Work for a person, added by a playbook; a mandatory task not done blocks closing."""

    id: str
    title: str
    mandatory: bool = False
    done: bool = False
    step: str | None = None


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """A playbook step on this incident and its latest outcome."""

    id: str
    do: str
    playbook: str
    status: StepStatus
    intent: str
    ts: datetime
    detail: str | None = None
    requested_by: str | None = None
    roles: tuple[str, ...] = ()  # an approval: the roles that may decide it (empty: any analyst but the requester)
    drill: bool = False


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the incident's history: what changed, when (event time), by whom, why."""

    ts: datetime
    event: str
    change: str
    actor: str | None = None
    detail: str | None = None
    to: str | None = None


class Note(msgspec.Struct, frozen=True, kw_only=True):
    ts: datetime
    actor: str
    text: str


class Sla(msgspec.Struct, frozen=True, kw_only=True):
    """Seconds from the first evidence to detection, and from opening to each milestone."""

    time_to_detect_s: float
    time_to_acknowledge_s: float | None = None
    time_to_contain_s: float | None = None
    time_to_resolve_s: float | None = None


class IncidentState(msgspec.Struct, frozen=True, kw_only=True):
    site: str
    id: str
    pattern: str
    severity: Severity
    status: IncidentStatus
    version: int
    opened: datetime
    start: datetime
    end: datetime
    entities: Entities
    alerts: tuple[str, ...]
    evidence: tuple[str, ...]
    summary: str
    assignee: str | None = None
    disposition: Disposition | None = None
    duplicate_of: str | None = None
    tasks: tuple[Task, ...] = ()
    steps: tuple[Step, ...] = ()
    notes: tuple[Note, ...] = ()
    history: tuple[Change, ...] = ()
    acknowledged_at: datetime | None = None
    contained_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    updated: datetime | None = None
    first_seq: int = 0
    last_seq: int = 0

    def sla(self) -> Sla:
        def since(t: datetime | None) -> float | None:
            return None if t is None else (t - self.opened).total_seconds()

        return Sla(time_to_detect_s=max(0.0, (self.opened - self.start).total_seconds()),
                   time_to_acknowledge_s=since(self.acknowledged_at),
                   time_to_contain_s=since(self.contained_at), time_to_resolve_s=since(self.resolved_at))

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


encode_state = msgspec.json.Encoder().encode
decode_state = msgspec.json.Decoder(IncidentState).decode
