"""The machine-readable shape of alerts and incidents (``stockade analyze --json``).

DESIGN.md, "Interfaces", fixes the shape: one JSON object per line, ``type``
``alert`` or ``incident``, then ``id``, ``detector`` or ``pattern``,
``severity``, ``ts`` (incidents: when it was opened) plus ``start``/``end`` for
incidents, ``entities`` with all nine lists, ``alerts`` (incidents only),
``evidence`` and ``summary``. Pure functions, so eval and the API reuse them.

    >>> line = json_line(alert_record(alert))                      # doctest: +SKIP
    >>> line                                                        # doctest: +SKIP
    b'{"type":"alert","id":"al-1","detector":"STK-DOR-001","severity":"high","ts":"2026-11-21T02:04:00+01:00",...}'
    >>> [json_line(r) for r in records(analysis)]                  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from stockade.events import Alert, Entities, Incident
from stockade.events.model import Severity
from stockade.pipeline.analyze import Analysis


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


Record = AlertRecord | IncidentRecord
_encoder = msgspec.json.Encoder()


def rfc3339(ts: datetime) -> str:
    """RFC 3339 with the offset the event carried (``+00:00`` for UTC)."""
    return ts.isoformat()


def alert_record(alert: Alert) -> AlertRecord:
    return AlertRecord(id=alert.id, detector=alert.detector, severity=alert.severity, ts=rfc3339(alert.ts),
                       entities=alert.entities, evidence=alert.evidence, summary=alert.summary)


def incident_record(incident: Incident, opened: datetime) -> IncidentRecord:
    """The latest version of an incident; ``opened`` is the time of its first version."""
    return IncidentRecord(
        id=incident.incident, pattern=incident.pattern, severity=incident.severity, ts=rfc3339(opened),
        start=rfc3339(incident.start), end=rfc3339(incident.end), entities=incident.entities,
        alerts=incident.alerts, evidence=incident.evidence, summary=incident.summary,
    )


def records(analysis: Analysis) -> list[Record]:
    """Alerts in event-time order, then incidents in the order they were opened."""
    out: list[Record] = [alert_record(a) for a in analysis.alerts]
    out += [incident_record(i, analysis.opened[i.incident]) for i in analysis.incidents]
    return out


def json_line(record: Record) -> bytes:
    """One NDJSON line (without the newline)."""
    return _encoder.encode(record)
