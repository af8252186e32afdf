"""Scoring detection against ground truth: pure functions, no I/O.

    >>> report = score(labels, incidents, alerts, person_hours=812.0)    # doctest: +SKIP
    >>> report.overall.recall, report.overall.precision                   # doctest: +SKIP
    (0.94, 0.9)

The rule (issue 4): an incident matches an attack when they share an entity
(same kind and id: a person, credential, door, zone, EPC, device, shipment,
vendor or truck) and the incident's span overlaps [start − 5 min, end + 30 min].

- recall: attacks with a matching incident of severity medium or above;
- precision: incidents (of any severity) that match some attack;
- false incidents per 1,000 person-hours of attack-free time;
- time to detect: first matching alert (an alert of a matching incident that
  itself shares an entity with the attack and falls in the window; else the
  incident's ``ts``) minus the attack's first observable event, never below 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stockade.events import Alert, Entities, Incident
from stockade.sim.labels import Label

BEFORE = timedelta(minutes=5)
AFTER = timedelta(minutes=30)
SEVERE = frozenset({"medium", "high", "critical"})


def entity_pairs(e: Entities) -> set[tuple[str, str]]:
    return {(name, v) for name in e.__struct_fields__ for v in getattr(e, name)}


def window(label: Label) -> tuple[datetime, datetime]:
    return label.start - BEFORE, label.end + AFTER


def matches(label: Label, incident: Incident) -> bool:
    lo, hi = window(label)
    if incident.end < lo or incident.start > hi:
        return False
    return bool(label.entities.pairs() & entity_pairs(incident.entities))


def _alert_matches(label: Label, alert: Alert) -> bool:
    lo, hi = window(label)
    return lo <= alert.ts <= hi and bool(label.entities.pairs() & entity_pairs(alert.entities))


def detect_time(label: Label, incidents: Sequence[Incident], alerts: dict[str, Alert]) -> float | None:
    """Seconds from the first observable event to the first matching alert."""
    best: datetime | None = None
    for inc in incidents:
        own = [alerts[a] for a in inc.alerts if a in alerts]
        hits = [a.ts for a in own if _alert_matches(label, a)] or [inc.ts]
        first = min(hits)
        best = first if best is None else min(best, first)
    if best is None:
        return None
    return max(0.0, (best - label.first_ts).total_seconds())


def attack_free_hours(spans: Iterable[tuple[datetime, datetime]], labels: Sequence[Label]) -> float:
    """Hours of on-site presence outside every attack's window."""
    windows = sorted(window(lab) for lab in labels)
    total = 0.0
    for s, e in spans:
        length = (e - s).total_seconds()
        for lo, hi in windows:
            overlap = (min(e, hi) - max(s, lo)).total_seconds()
            if overlap > 0:
                length -= overlap
        total += max(length, 0.0) / 3600
    return total


@dataclass
class Figures:
    attacks: int = 0
    detected: int = 0
    incidents: int = 0
    matched_incidents: int = 0
    ttd_s: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.detected / self.attacks if self.attacks else None

    @property
    def precision(self) -> float | None:
        return self.matched_incidents / self.incidents if self.incidents else None

    @property
    def ttd_median_s(self) -> float | None:
        return statistics.median(self.ttd_s) if self.ttd_s else None

    @property
    def ttd_p90_s(self) -> float | None:
        if not self.ttd_s:
            return None
        ordered = sorted(self.ttd_s)
        return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]

    def add(self, other: Figures) -> None:
        self.attacks += other.attacks
        self.detected += other.detected
        self.incidents += other.incidents
        self.matched_incidents += other.matched_incidents
        self.ttd_s += other.ttd_s


@dataclass
class Report:
    name: str
    overall: Figures
    by_type: dict[str, Figures]
    false_incidents: int
    person_hours: float | None
    missed: list[str]  # label ids with no severe matching incident
    tier: str = ""  # "catalogue" or "novel" (the scenario's tier); "" when mixed or unknown
    site_kind: str = ""  # see ``site_kind``

    @property
    def false_per_1000h(self) -> float | None:
        if not self.person_hours:
            return None
        return self.false_incidents / (self.person_hours / 1000)


def score(labels: Sequence[Label], incidents: Sequence[Incident], alerts: Sequence[Alert] = (), *,
          person_hours: float | None = None, name: str = "") -> Report:
    """Score one scenario's (or one file's) incidents against its labels."""
    by_id = {a.id: a for a in alerts}
    overall = Figures(attacks=len(labels), incidents=len(incidents))
    by_type: dict[str, Figures] = {}
    matched_by: dict[str, set[str]] = {}
    missed: list[str] = []
    for lab in labels:
        fig = by_type.setdefault(lab.type, Figures())
        fig.attacks += 1
        hits = [inc for inc in incidents if matches(lab, inc)]
        for inc in hits:
            matched_by.setdefault(inc.incident, set()).add(lab.type)
        severe = [inc for inc in hits if inc.severity in SEVERE]
        if severe:
            fig.detected += 1
            overall.detected += 1
            ttd = detect_time(lab, severe, by_id)
            if ttd is not None:
                fig.ttd_s.append(ttd)
                overall.ttd_s.append(ttd)
        else:
            missed.append(lab.id)
    overall.matched_incidents = len(matched_by)
    types_here = {lab.type for lab in labels}
    false = overall.incidents - overall.matched_incidents
    for t in types_here:
        fig = by_type[t]
        fig.matched_incidents = sum(1 for ts in matched_by.values() if t in ts)
        fig.incidents = fig.matched_incidents + false
    return Report(name, overall, by_type, false, person_hours, missed)


def groups(reports: Sequence[Report]) -> dict[str, Report]:
    """The reports combined per tier, and per tier and site kind: ``novel``, ``novel / open hours, no night crew``."""
    keys: dict[str, list[Report]] = {}
    for r in reports:
        tier = r.tier or "catalogue"
        keys.setdefault(tier, []).append(r)
        if r.site_kind:
            keys.setdefault(f"{tier} / {r.site_kind}", []).append(r)
    out = {}
    for k in sorted(keys, key=lambda k: (k.split(" / ")[0] != "catalogue", k)):
        c = combine(keys[k], k)
        c.tier = k.split(" / ")[0]
        out[k] = c
    return out


def combine(reports: Sequence[Report], name: str = "all") -> Report:
    overall = Figures()
    by_type: dict[str, Figures] = {}
    hours: float | None = 0.0
    for r in reports:
        overall.add(r.overall)
        for t, f in r.by_type.items():
            by_type.setdefault(t, Figures()).add(f)
        hours = None if hours is None or r.person_hours is None else hours + r.person_hours
    return Report(name, overall, by_type, sum(r.false_incidents for r in reports), hours,
                  [m for r in reports for m in r.missed])


def report_json(r: Report) -> dict[str, object]:
    def figs(f: Figures) -> dict[str, object]:
        return {"attacks": f.attacks, "detected": f.detected, "recall": f.recall, "incidents": f.incidents,
                "matched_incidents": f.matched_incidents, "precision": f.precision,
                "ttd_median_s": f.ttd_median_s, "ttd_p90_s": f.ttd_p90_s}
    return {"name": r.name, "overall": figs(r.overall), "by_type": {t: figs(f) for t, f in sorted(r.by_type.items())},
            "false_incidents": r.false_incidents, "person_hours": r.person_hours,
            "false_per_1000_person_hours": r.false_per_1000h, "missed": r.missed, "tier": r.tier,
            "site_kind": r.site_kind}
