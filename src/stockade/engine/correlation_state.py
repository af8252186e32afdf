"""The correlator's memory as typed data, for snapshots.

What a :class:`~stockade.engine.correlation.Correlator` keeps between alerts —
the open incidents, which key belongs to which, the alerts still waiting to
open one — as msgspec Structs; :func:`save` and :func:`load` convert both
ways. Keys (``(kind, id)`` pairs) become lists, since a JSON object's keys are
strings.

    >>> saved = save(correlator)                 # doctest: +SKIP
    >>> load(Correlator(site), saved)            # doctest: +SKIP
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from stockade.engine.correlation_incident import OpenIncident
from stockade.engine.correlation_keys import Key
from stockade.events.model import Alert, Severity

if TYPE_CHECKING:
    from stockade.engine.correlation import Correlator


@dataclass(slots=True)
class Pending:
    """A quiet alert waiting for company before it may open an incident."""

    alert: Alert
    keys: frozenset[Key]


class OpenIncidentSnapshot(msgspec.Struct, frozen=True):
    incident: str
    site: str
    opened: datetime
    start: datetime
    end: datetime
    versions: int
    severity: Severity
    pattern: str
    alerts: list[str]
    counts: dict[str, int]
    detectors: list[str]
    base: Severity
    main: Alert | None
    entities: dict[str, list[str]]
    evidence: list[str]
    key_seen: list[tuple[str, str, datetime]]
    shown: tuple[int, ...]


class PendingSnapshot(msgspec.Struct, frozen=True):
    alert: Alert
    keys: list[tuple[str, str]]


class CorrelatorSnapshot(msgspec.Struct, frozen=True):
    open: list[OpenIncidentSnapshot]
    by_key: list[tuple[str, str, str]]
    pending: list[PendingSnapshot]
    now: datetime | None
    pruned: datetime | None


def _save_incident(inc: OpenIncident) -> OpenIncidentSnapshot:
    return OpenIncidentSnapshot(
        inc.incident, inc.site, inc.opened, inc.start, inc.end, inc.versions, inc.severity, inc.pattern,
        inc.alerts, inc.counts, list(inc.detectors), inc.base, inc.main,
        {name: list(ids) for name, ids in inc.entities.items()}, list(inc.evidence),
        [(k[0], k[1], ts) for k, ts in inc.key_seen.items()], inc.shown,
    )


def _load_incident(s: OpenIncidentSnapshot) -> OpenIncident:
    return OpenIncident(
        incident=s.incident, site=s.site, opened=s.opened, start=s.start, end=s.end, versions=s.versions,
        severity=s.severity, pattern=s.pattern, alerts=s.alerts, counts=s.counts,
        detectors=dict.fromkeys(s.detectors), base=s.base, main=s.main,
        entities={name: dict.fromkeys(ids) for name, ids in s.entities.items()},
        evidence=dict.fromkeys(s.evidence), key_seen={(k, v): ts for k, v, ts in s.key_seen}, shown=s.shown,
    )


def save(c: Correlator) -> CorrelatorSnapshot:
    return CorrelatorSnapshot(
        [_save_incident(inc) for inc in c.open.values()],
        [(k[0], k[1], inc) for k, inc in c.by_key.items()],
        [PendingSnapshot(p.alert, sorted(p.keys)) for p in c.pending],
        c.now, c.pruned,
    )


def load(c: Correlator, saved: CorrelatorSnapshot) -> None:
    """Put ``saved`` into ``c`` (built from the current site file and parameters)."""
    c.open = {s.incident: _load_incident(s) for s in saved.open}
    c.by_key = {(k, v): inc for k, v, inc in saved.by_key}
    c.pending = deque(Pending(p.alert, frozenset(p.keys)) for p in saved.pending)
    c.now, c.pruned = saved.now, saved.pruned
