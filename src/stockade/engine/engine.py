"""The engine: a fold over one site's ordered log.

``SiteEngine.step(event)`` applies one event on event time and returns the
events Stockade writes in answer (alerts, then incidents). It reads no clock
and does no I/O, so replaying a log gives the same outputs, and a snapshot plus
the log's tail rebuilds the same state.

    >>> engine = SiteEngine(site, detectors=all_detectors())   # doctest: +SKIP
    >>> outputs = engine.step(event)                            # doctest: +SKIP
    >>> data = engine.snapshot()              # typed data, see ``engine.snapshot``   # doctest: +SKIP
    >>> build_engine(site).restore(data)      # or SnapshotRefused: rebuild from the log   # doctest: +SKIP

One step: (1) advance event time and expire heartbeats, (2) the detectors that
read this kind (or ``"*"``, every kind) look at the event against the state as
it stood before it, (3) the state folds the event in, once, (4) each alert goes
to the correlator and the risk model, and anomaly scores to the risk model.
Detectors are passed in (the registry lives in ``stockade.detectors``, below
the engine in the import order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

import msgspec

from stockade.engine import snapshot as snapshots
from stockade.engine.correlation_state import CorrelatorSnapshot
from stockade.engine.risk import Contribution, RiskSnapshot
from stockade.engine.state import SiteState
from stockade.events import Admin, Alert, Envelope, Incident
from stockade.site import SiteConfig
from stockade.site.authority import admitted

EVERY_KIND = "*"


class Detector(Protocol):
    """A rule that turns events into alerts. One class per file in ``stockade.detectors``."""

    id: ClassVar[str]
    kinds: ClassVar[frozenset[str]]  # event kinds it reads; "*" for every event (timeouts)
    memory_type: ClassVar[type[msgspec.Struct] | None]  # the shape of its working memory, if it has one

    @property
    def params(self) -> msgspec.Struct: ...

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]: ...

    def save_memory(self) -> msgspec.Struct | None: ...

    def load_memory(self, memory: msgspec.Struct) -> None: ...


class Correlator(Protocol):
    """Joins alerts into incidents; returns the incident versions an alert creates or changes."""

    @property
    def params(self) -> object: ...

    def observe(self, alert: Alert) -> list[Incident]: ...

    def save(self) -> CorrelatorSnapshot: ...

    def load(self, saved: CorrelatorSnapshot) -> None: ...


class RiskModel(Protocol):
    """Risk scores 0-100 per entity, from alerts and anomaly scores."""

    def observe(self, alert: Alert) -> None: ...

    def observe_anomaly(self, entity_type: str, entity_id: str, score: float, ts: datetime) -> None: ...

    def score(self, entity_type: str, entity_id: str, at: datetime) -> float: ...

    def top(self, entity_type: str, n: int, at: datetime) -> list[tuple[str, float]]: ...

    def explain(self, alerts: Iterable[Alert], entity_type: str, entity_id: str, at: datetime,
                n: int = 3) -> list[Contribution]: ...

    def horizon(self) -> timedelta:
        """How far back an alert still weighs in a score (the alerts worth reading to explain it)."""
        ...

    @property
    def params(self) -> object: ...

    @property
    def updates(self) -> int:
        """How many additions made the weights (changes when the scores change)."""
        ...

    def save(self) -> RiskSnapshot: ...

    def load(self, saved: RiskSnapshot) -> None: ...


class SiteEngine:
    def __init__(
        self,
        site: SiteConfig,
        detectors: Sequence[Detector],
        correlator: Correlator | None = None,
        risk: RiskModel | None = None,
    ) -> None:
        self.state = SiteState(site)
        self.detectors = list(detectors)
        self.correlator = correlator
        self.risk = risk
        self._fingerprint: snapshots.Fingerprint | None = None
        self._index()

    def _index(self) -> None:
        every = [d for d in self.detectors if EVERY_KIND in d.kinds]
        self._by_kind: dict[str, tuple[Detector, ...]] = {}
        kinds = {k for d in self.detectors for k in d.kinds if k != EVERY_KIND}
        for kind in kinds:
            self._by_kind[kind] = tuple(d for d in self.detectors if kind in d.kinds or d in every)
        self._every = tuple(every)

    def step(self, event: Envelope, seq: int = 0) -> list[Envelope]:
        """Apply one event in log order; return the outputs it causes (alerts, then incidents)."""
        state = self.state
        if isinstance(event, Admin) and not admitted(state.site, event):
            return []  # an admin event no one may write changes nothing (site/authority.py)
        state.begin(event, seq)
        alerts: list[Alert] = []
        for detector in self._by_kind.get(event.kind, self._every):
            found = detector.observe(state, event)
            if found:
                alerts.extend(found)
        state.apply(event)
        risk = self.risk
        if state.anomalies:
            if risk is not None:
                for entity_type, entity_id, score, ts in state.anomalies:
                    risk.observe_anomaly(entity_type, entity_id, score, ts)
            state.anomalies.clear()
        if not alerts:
            return []
        outputs: list[Envelope] = list(alerts)
        for alert in alerts:
            if risk is not None:
                risk.observe(alert)
            if self.correlator is not None:
                outputs.extend(self.correlator.observe(alert))
        return outputs

    def fold_late(self, event: Envelope) -> None:
        """A late event's facts, without findings (``pipeline.loop.ALLOWED_LATENESS``).

        A late admin event — a grant, a revocation, an override — still changes who may be where, as
        it does at the door (the decision point folds every committed event): detection and
        enforcement keep one picture of the site. Nothing else of a late event is folded, its time
        moves no clock, and no detector sees it."""
        if isinstance(event, Admin) and admitted(self.state.site, event):
            self.state.apply(event)

    def fingerprint(self) -> snapshots.Fingerprint:
        """Hashes of the site file and the catalogue this engine folds with (fixed once built)."""
        if self._fingerprint is None:
            self._fingerprint = snapshots.fingerprint(self)
        return self._fingerprint

    def snapshot(self) -> bytes:
        """The whole state as versioned, typed data (see ``engine.snapshot``), to resume from."""
        return snapshots.encode(self)

    def restore(self, data: bytes) -> None:
        """Take the state of a snapshot into this freshly built engine.

        Raises :class:`~stockade.engine.errors.SnapshotRefused` (with the reason) when the snapshot
        is not one this engine can use: then rebuild from the log instead."""
        snapshots.restore(self, data)
