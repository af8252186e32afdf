"""Hand-made alerts for the correlation, pattern and risk tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from stockade.events import Alert, Entities
from stockade.events.model import Severity

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=timezone(timedelta(hours=1)))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def alert(
    aid: str, detector: str, severity: Severity, minute: float, site: str = "dc-demo", **entities: list[str]
) -> Alert:
    return Alert(
        id=aid, ts=at(minute), site=site, source="stockade/detectors", detector=detector,
        severity=severity, entities=Entities(**{k: tuple(v) for k, v in entities.items()}),
        evidence=(f"ev-{aid}",), summary=f"{detector} fired ({aid})",
    )
