"""``stockade analyze --json``: alerts and incidents in the shape the API serves too.

The shape is :mod:`stockade.incidents.records` (DESIGN.md, "Interfaces"); an
incident is the fold of its versions by :mod:`stockade.incidents.fold`, the
same fold the store's incident projection runs, so an incident reads the same
offline and from ``GET /v1/incidents`` (a test compares them on one log), and an
alert from ``GET /v1/alerts`` is the same record with its ``site`` and ``log_seq``.

    >>> line = json_line(alert_record(alert))                      # doctest: +SKIP
    >>> line                                                        # doctest: +SKIP
    b'{"type":"alert","id":"al-1","detector":"STK-DOR-001","severity":"high","ts":"2026-11-21T02:04:00+01:00",...}'
    >>> [json_line(r) for r in records(analysis)]                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

from stockade.events import Envelope
from stockade.incidents.fold import apply, incident_of
from stockade.incidents.model import IncidentState
from stockade.incidents.records import (
    AlertRecord,
    IncidentRecord,
    Record,
    alert_record,
    incident_record,
    json_line,
    rfc3339,
)
from stockade.pipeline.analyze import Analysis

__all__ = ["AlertRecord", "IncidentRecord", "Record", "alert_record", "fold_incidents", "incident_record",
           "json_line", "records", "rfc3339"]


def fold_incidents(events: Iterable[Envelope]) -> list[IncidentState]:
    """Each incident's current state from its versions (and any changes), in opening order."""
    states: dict[str, IncidentState] = {}
    for seq, event in enumerate(events, start=1):
        key = incident_of(event)
        if key is not None and (state := apply(states.get(key), event, seq)) is not None:
            states[key] = state
    return list(states.values())


def records(analysis: Analysis) -> list[Record]:
    """Alerts in event-time order, then incidents in the order they were opened."""
    out: list[Record] = [alert_record(a) for a in analysis.alerts]
    changes = sorted([*analysis.versions, *analysis.actions], key=lambda e: e.ts)
    out += [incident_record(s) for s in fold_incidents(changes)]
    return out
