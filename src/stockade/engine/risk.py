"""Risk scores from 0 to 100 for every person, credential, zone, device and vendor.

Each alert adds weight (by severity) to every entity it names, and to the ones
they imply: a credential's holder, a person's vendor, the zones its devices
watch and its doors lead into. Anomaly scores from
STK-ANO-001 add weight in proportion to the score. Weight decays exponentially
on event time with a half-life; the score maps accumulated weight onto 0–100
with ``100 · (1 − e^(−weight / scale))``, so it saturates instead of overflowing.

    >>> from datetime import datetime, timedelta, timezone
    >>> risk = RiskModel()
    >>> t = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
    >>> risk.add("person", "emp-1042", 25.0, t)      # what one ``high`` alert weighs
    >>> round(risk.score("person", "emp-1042", t))
    57
    >>> round(risk.score("person", "emp-1042", t + timedelta(hours=6)))   # one half-life later
    34

Plain data throughout: :meth:`save` gives the weights as a typed
:class:`RiskSnapshot` and :meth:`load` puts them back (engine snapshots and the
node's mirror of the worker's scores use it); :meth:`snapshot` gives JSON-ready
dicts and :meth:`from_snapshot` rebuilds the model. The access decision point reads
:meth:`score`; the API lists :meth:`top`, and :meth:`explain` says which alerts make a score
(each alert's weight for the entity, decayed to now, largest first).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec

from stockade.engine.correlation_keys import KeyIndex
from stockade.events.model import Alert, Severity
from stockade.site import SiteConfig

RISK_TYPES: tuple[str, ...] = ("person", "credential", "zone", "device", "vendor")
_FORGET = 0.01  # weight below which an entity is dropped from memory


@dataclass(frozen=True, slots=True)
class RiskParams:
    half_life_s: float = 6 * 3600.0
    scale: float = 30.0
    anomaly_weight: float = 15.0
    weights: dict[Severity, float] = field(default_factory=lambda: {
        "info": 1.0, "low": 3.0, "medium": 10.0, "high": 25.0, "critical": 50.0,
    })


class RiskEntry(msgspec.Struct, frozen=True, array_like=True):
    type: str
    id: str
    weight: float
    ts: datetime  # event time the weight was last brought up to


class Contribution(msgspec.Struct, frozen=True):
    """What one alert adds to an entity's risk now: its weight, decayed on event time to ``at``."""

    alert: str
    detector: str
    severity: Severity
    ts: datetime
    summary: str
    weight: float
    share: float  # of the entity's whole weight now (anomaly scores make up the rest)


class RiskSnapshot(msgspec.Struct, frozen=True):
    """The scores' memory: every entity's weight, and how many additions made it."""

    entities: list[RiskEntry]
    updates: int = 0


@dataclass
class RiskModel:
    """Decaying risk per entity; ``observe`` for alerts, ``observe_anomaly`` for anomaly scores."""

    site: SiteConfig | None = None
    params: RiskParams = field(default_factory=RiskParams)
    # (entity type, id) -> (weight, event time it was last brought up to)
    weights: dict[tuple[str, str], tuple[float, datetime]] = field(default_factory=dict)
    updates: int = 0
    index: KeyIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = KeyIndex.of(self.site)

    def observe(self, alert: Alert) -> None:
        """Add an alert's weight to every entity it names and implies."""
        w = self.params.weights[alert.severity]
        for etype, eid in self.entities_of(alert):
            self.add(etype, eid, w, alert.ts)

    def observe_anomaly(self, entity_type: str, entity_id: str, score: float, ts: datetime) -> None:
        """Add an anomaly score in [0, 1] (values outside are clamped) for one entity."""
        if entity_type not in RISK_TYPES:
            return
        self.add(entity_type, entity_id, self.params.anomaly_weight * min(max(score, 0.0), 1.0), ts)

    def entities_of(self, alert: Alert) -> list[tuple[str, str]]:
        e = alert.entities
        people = dict.fromkeys(e.people)
        vendors = dict.fromkeys(e.vendors)
        if self.site is not None:
            holders = self.site.person_by_credential
            people.update(dict.fromkeys(holders[c].id for c in e.credentials if c in holders))
            known = self.site.people_by_id
            vendors.update(dict.fromkeys(
                v for p in people if p in known and (v := known[p].vendor) is not None
            ))
        refs = [("person", p) for p in people] + [("credential", c) for c in e.credentials]
        refs += [("zone", z) for z in self.index.zones_of(alert)] + [("device", d) for d in e.devices]
        refs += [("vendor", v) for v in vendors]
        return refs

    def add(self, entity_type: str, entity_id: str, weight: float, ts: datetime) -> None:
        """Add ``weight`` at event time ``ts`` (an earlier ``ts`` adds it already decayed)."""
        key = (entity_type, entity_id)
        held = self.weights.get(key)
        if held is None:
            self.weights[key] = (weight, ts)
        elif ts >= held[1]:
            self.weights[key] = (held[0] * self._decay(ts, held[1]) + weight, ts)
        else:
            self.weights[key] = (held[0] + weight * self._decay(held[1], ts), held[1])
        self.updates += 1
        if self.updates % 10_000 == 0:
            self.forget(ts)

    def _decay(self, later: datetime, earlier: datetime) -> float:
        dt = (later - earlier).total_seconds()
        return 0.5 ** (dt / self.params.half_life_s) if dt > 0 else 1.0

    def weight(self, entity_type: str, entity_id: str, at: datetime) -> float:
        held = self.weights.get((entity_type, entity_id))
        return 0.0 if held is None else held[0] * self._decay(at, held[1])

    def score(self, entity_type: str, entity_id: str, at: datetime) -> float:
        """Risk of one entity at event time ``at``, 0 (nothing known) to 100."""
        w = self.weight(entity_type, entity_id, at)
        return round(100.0 * (1.0 - math.exp(-w / self.params.scale)), 2)

    def top(self, entity_type: str, n: int, at: datetime) -> list[tuple[str, float]]:
        """The ``n`` riskiest entities of a type at ``at``: (id, score), riskiest first, ties by id."""
        scored = [(eid, self.score(etype, eid, at)) for (etype, eid) in self.weights if etype == entity_type]
        scored = [s for s in scored if s[1] > 0.0]
        return sorted(scored, key=lambda s: (-s[1], s[0]))[:n]

    def explain(self, alerts: Iterable[Alert], entity_type: str, entity_id: str, at: datetime,
                n: int = 3) -> list[Contribution]:
        """The ``n`` alerts (of ``alerts``) that weigh most in the entity's risk at ``at``, largest first.

        An alert counts for the entity when :meth:`entities_of` names it (a credential's alert counts
        for its holder, a device's for the zones it watches), with its severity's weight decayed from
        the alert's time to ``at``; alerts after ``at`` count for nothing. Pure: the caller reads the
        alerts (the API asks the store for those naming the entity)."""
        total = self.weight(entity_type, entity_id, at)
        ref = (entity_type, entity_id)
        found: list[tuple[float, Alert]] = []
        for alert in alerts:
            if alert.ts <= at and ref in self.entities_of(alert):
                found.append((self.params.weights[alert.severity] * self._decay(at, alert.ts), alert))
        found.sort(key=lambda f: (-f[0], f[1].id))
        return [Contribution(a.id, a.detector, a.severity, a.ts, a.summary, round(w, 3),
                             round(min(w / total, 1.0), 3) if total > 0 else 0.0) for w, a in found[:n]]

    def horizon(self) -> timedelta:
        """Four half-lives: an older alert weighs under 1/16 of what it did."""
        return timedelta(seconds=4 * self.params.half_life_s)

    def forget(self, at: datetime) -> None:
        """Drop entities whose weight has decayed to nothing (keeps memory bounded)."""
        gone = [k for k, (w, t) in self.weights.items() if w * self._decay(at, t) < _FORGET]
        for k in gone:
            del self.weights[k]

    def save(self) -> RiskSnapshot:
        return RiskSnapshot([RiskEntry(t, i, w, ts) for (t, i), (w, ts) in self.weights.items()], self.updates)

    def load(self, saved: RiskSnapshot) -> None:
        """Take the weights from ``saved``; the parameters stay this model's own."""
        self.weights = {(e.type, e.id): (e.weight, e.ts) for e in saved.entities}
        self.updates = saved.updates

    def snapshot(self) -> dict[str, Any]:
        """Plain data: ``{"params": {...}, "entities": [[type, id, weight, ts], ...]}``."""
        p = self.params
        return {
            "params": {"half_life_s": p.half_life_s, "scale": p.scale,
                       "anomaly_weight": p.anomaly_weight, "weights": dict(p.weights)},
            "entities": [[t, i, w, ts.isoformat()] for (t, i), (w, ts) in sorted(self.weights.items())],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], site: SiteConfig | None = None) -> RiskModel:
        p = data["params"]
        params = RiskParams(float(p["half_life_s"]), float(p["scale"]), float(p["anomaly_weight"]),
                            {k: float(v) for k, v in p["weights"].items()})
        model = cls(site, params)
        for t, i, w, ts in data["entities"]:
            model.weights[(str(t), str(i))] = (float(w), datetime.fromisoformat(ts))
        return model
