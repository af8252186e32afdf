"""The one shape of alerts and incidents: ``stockade analyze --json`` and the API serve these.

DESIGN.md, "Interfaces": ``type`` ``alert`` or ``incident``, ``id``,
``detector`` or ``pattern``, ``severity``, ``ts`` (incidents: when opened),
``start``/``end`` for incidents, ``entities`` with all nine lists, ``alerts``
(incidents only), ``evidence``, ``summary``; then, for incidents, the
lifecycle: ``site``, ``status``, ``version``, ``assignee``, ``disposition``,
``duplicate_of``, ``tasks``, ``steps``, ``sla`` and ``history``. An offline
analysis has no analyst, so its incidents are ``new`` with the playbook steps
they would have run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from stockade.events import Alert, Entities
from stockade.events.model import IncidentStatus, Severity
from stockade.incidents.model import Change, Disposition, IncidentState, Sla, Step, Task


class AlertRecord(msgspec.Struct, frozen=True, kw_only=True):
    type: Literal["alert"] = "alert"
    id: str
    detector: str
    severity: Severity
    ts: str
    entities: Entities
    evidence: tuple[str, ...]
    summary: str


class IncidentRecord(msgspec.Struct, frozen=True, kw_only=True):
    type: Literal["incident"] = "incident"
    id: str  # the incident's stable id, not one version's event id
    pattern: str
    severity: Severity
    ts: str
    start: str
    end: str
    entities: Entities
    alerts: tuple[str, ...]
    evidence: tuple[str, ...]
    summary: str
    site: str
    status: IncidentStatus
    version: int
    assignee: str | None
    disposition: Disposition | None
    duplicate_of: str | None
    tasks: tuple[Task, ...]
    steps: tuple[Step, ...]
    sla: Sla
    history: tuple[Change, ...]


Record = AlertRecord | IncidentRecord
_encoder = msgspec.json.Encoder()


def rfc3339(ts: datetime) -> str:
    """RFC 3339 with the offset the event carried (``+00:00`` for UTC)."""
    return ts.isoformat()


def alert_record(alert: Alert) -> AlertRecord:
    return AlertRecord(id=alert.id, detector=alert.detector, severity=alert.severity, ts=rfc3339(alert.ts),
                       entities=alert.entities, evidence=alert.evidence, summary=alert.summary)


def incident_record(state: IncidentState) -> IncidentRecord:
    return IncidentRecord(
        id=state.id, pattern=state.pattern, severity=state.severity, ts=rfc3339(state.opened),
        start=rfc3339(state.start), end=rfc3339(state.end), entities=state.entities, alerts=state.alerts,
        evidence=state.evidence, summary=state.summary, site=state.site, status=state.status,
        version=state.version, assignee=state.assignee, disposition=state.disposition,
        duplicate_of=state.duplicate_of, tasks=state.tasks, steps=state.steps, sla=state.sla(),
        history=state.history,
    )


def json_line(record: Record) -> bytes:
    """One NDJSON line (without the newline)."""
    return _encoder.encode(record)
