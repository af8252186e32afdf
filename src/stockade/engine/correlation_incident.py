"""One incident while it is open: the alerts it holds and how to write its next version.

:class:`OpenIncident` accumulates alerts (entities, evidence, signals) and
renders an :class:`~stockade.events.Incident` event for each version. The
incident's timeline is its ``alerts`` list: each alert is an event in the log
with its own time, so the timeline is always derivable from the events (see
:func:`timeline`).

    >>> inc = OpenIncident("inc-3f2a9c", "dc-demo", opened=t, start=t, end=t)   # doctest: +SKIP
    >>> inc.add(alert, zones=["dock-out"])                                        # doctest: +SKIP
    >>> inc.version(alert.ts, "stockade/correlation", repeat_n=3).id             # doctest: +SKIP
    'inc-3f2a9c:1'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from stockade.engine.correlation_keys import Key
from stockade.engine.patterns import SUPPORTING, classify, escalate, label, rank
from stockade.events.model import ENTITY_FIELDS, SEVERITIES, Alert, Entities, Incident, Severity

_SUMMARY_ZONES = 3


@dataclass
class OpenIncident:
    incident: str
    site: str
    opened: datetime
    start: datetime
    end: datetime
    versions: int = 0
    severity: Severity = "info"
    pattern: str = ""
    alerts: list[str] = field(default_factory=list)  # alert ids, in the order they joined
    counts: dict[str, int] = field(default_factory=dict)  # detector -> alerts above info, first-seen order
    detectors: dict[str, None] = field(default_factory=dict)
    base: Severity = "info"
    main: Alert | None = None
    entities: dict[str, dict[str, None]] = field(default_factory=lambda: {f: {} for f in ENTITY_FIELDS})
    evidence: dict[str, None] = field(default_factory=dict)
    key_seen: dict[Key, datetime] = field(default_factory=dict)
    shown: tuple[int, ...] = ()  # detectors and entity counts as of the last version

    def add(self, alert: Alert, zones: list[str]) -> None:
        """Take in one alert; ``zones`` are its zones including those of its devices and doors."""
        self.alerts.append(alert.id)
        self.start = min(self.start, alert.ts)
        self.end = max(self.end, alert.ts)
        for name in ENTITY_FIELDS:
            values = zones if name == "zones" else getattr(alert.entities, name)
            self.entities[name].update(dict.fromkeys(values))
        self.evidence.update(dict.fromkeys(alert.evidence))
        self.detectors[alert.detector] = None
        if alert.severity != "info":
            self.counts[alert.detector] = self.counts.get(alert.detector, 0) + 1
        self.base = max(self.base, alert.severity, key=SEVERITIES.index)
        if self.main is None or _lead_key(alert) < _lead_key(self.main) or _restates(alert, self.main):
            self.main = alert

    def _shape(self) -> tuple[int, ...]:
        return (len(self.detectors), *(len(self.entities[name]) for name in ENTITY_FIELDS))

    def _assess(self, repeat_n: int) -> tuple[Severity, str]:
        if self.main is None:
            raise ValueError("an incident needs at least one alert")
        match = classify(list(self.detectors), self.main.detector)
        repeats = max(self.counts.values(), default=0) >= repeat_n
        severity = escalate(self.base, len(self.counts), match.floor, repeats=repeats)
        return max(self.severity, severity, key=SEVERITIES.index), match.pattern

    def worth_a_version(self, repeat_n: int) -> bool:
        """Whether the alert just added changes what the incident says: a new signal or entity, a
        higher severity, another pattern — or its alert count reaches a power of two. Pure repeats
        (an alert storm on one door) are folded in at doubling intervals, so a storm of n alerts
        writes O(log n) versions instead of n ever-growing ones; every alert is in the log anyway."""
        n = len(self.alerts)
        return (self._shape() != self.shown or self._assess(repeat_n) != (self.severity, self.pattern)
                or n & (n - 1) == 0)

    def version(self, ts: datetime, source: str, repeat_n: int) -> Incident:
        """The next version of this incident, as the event Stockade writes."""
        main = self.main
        if main is None:
            raise ValueError("an incident version needs at least one alert")
        detectors = list(self.detectors)
        match = classify(detectors, main.detector)
        self.severity, self.pattern = self._assess(repeat_n)
        self.shown = self._shape()
        self.versions += 1
        zones = list(self.entities["zones"])[:_SUMMARY_ZONES]
        where = f" in {', '.join(zones)}" if zones else ""
        span = f"{self.start:%H:%M}" if self.start == self.end else f"{self.start:%H:%M}–{self.end:%H:%M}"
        summary = (
            f"{match.title}{where}: {'; '.join(label(d) for d in detectors)} "
            f"({len(self.alerts)} alert{'s' if len(self.alerts) > 1 else ''}, {span}). {main.summary}"
        )
        return Incident(
            id=f"{self.incident}:{self.versions}", ts=ts, site=self.site, source=source,
            incident=self.incident, pattern=self.pattern, severity=self.severity, status="new",
            start=self.start, end=self.end,
            entities=Entities(**{name: tuple(self.entities[name]) for name in ENTITY_FIELDS}),
            alerts=tuple(self.alerts), evidence=tuple(self.evidence), summary=summary,
        )


def _lead_key(alert: Alert) -> tuple[bool, int, datetime, str]:
    """Order for the lead signal: not merely supporting, most severe, earliest."""
    return (alert.detector in SUPPORTING, -rank(alert.severity), alert.ts, alert.id)


def _restates(alert: Alert, lead: Alert) -> bool:
    """A later alert of the lead's detector, as severe, tells the lead signal as it stands now
    ("5 devices went down" after "2 devices went down"): the summary follows it."""
    return alert.detector == lead.detector and rank(alert.severity) >= rank(lead.severity) and alert.ts >= lead.ts


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    ts: datetime
    alert: str
    detector: str
    severity: Severity
    summary: str


def timeline(incident: Incident, alerts: Mapping[str, Alert]) -> list[TimelineEntry]:
    """The incident's alerts in event-time order, from the alert events themselves.

    Alerts not in ``alerts`` (e.g. outside a queried range) are left out.
    """
    entries = [
        TimelineEntry(a.ts, a.id, a.detector, a.severity, a.summary)
        for a in (alerts.get(i) for i in incident.alerts) if a is not None
    ]
    return sorted(entries, key=lambda e: (e.ts, e.alert))
