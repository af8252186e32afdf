"""Offline analysis: run the engine over events in event-time order.

    >>> result = analyze(site, events)          # doctest: +SKIP
    >>> [a.detector for a in result.alerts]      # doctest: +SKIP

This is the code path of ``stockade analyze`` and ``stockade eval``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from stockade.engine.engine import SiteEngine
from stockade.events import Alert, Envelope, Incident
from stockade.site import SiteConfig


@dataclass
class Analysis:
    alerts: list[Alert] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)  # latest version of each


def analyze(site: SiteConfig, events: Iterable[Envelope]) -> Analysis:
    """Fold ``events`` (sorted here by event time, stable) through a fresh engine."""
    engine = SiteEngine(site, detectors=[])
    result = Analysis()
    latest: dict[str, Incident] = {}
    ordered = sorted(events, key=lambda e: e.ts)
    for seq, event in enumerate(ordered):
        for out in engine.step(event, seq):
            if isinstance(out, Alert):
                result.alerts.append(out)
            elif isinstance(out, Incident):
                latest[out.incident] = out
    result.incidents = list(latest.values())
    return result
