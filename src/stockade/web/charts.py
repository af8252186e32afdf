"""The pictures drawn from the API's data: bar charts and a person's risk over time.

    >>> [(b.x, b.height) for b in bars([("2026-W47", 2), ("2026-W48", 4)], height=40)]
    [(0, 20.0), (8, 40.0)]

Risk over time is the engine's own model (:class:`stockade.engine.risk.RiskModel`,
the same weights and half-life) run over the alerts that name the person, read
at regular steps of event time: the curve a desk sees rises at each alert and
decays between them, as the score the access decision point reads does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stockade.engine.risk import RiskModel


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    x: int
    y: float
    height: float


def bars(values: Sequence[tuple[str, float]], *, height: int = 30, step: int = 8) -> list[Bar]:
    """One bar per value, scaled so the largest fills ``height``; ``step`` pixels apart."""
    peak = max((v for _, v in values), default=0) or 1
    out = []
    for i, (label, value) in enumerate(values):
        h = round(height * value / peak, 1)
        out.append(Bar(label, value, i * step, round(height - h, 1), h))
    return out


@dataclass(frozen=True, slots=True)
class Curve:
    """Risk 0-100 of one person at ``len(points)`` evenly spaced times from ``start`` to ``end``."""

    person: str
    start: datetime
    end: datetime
    scores: tuple[float, ...]
    alerts: int

    def points(self, width: int = 240, height: int = 40) -> str:
        """The curve as an SVG ``points`` attribute (100 at the top)."""
        n = max(len(self.scores) - 1, 1)
        return " ".join(f"{round(i * width / n, 1)},{round(height - height * s / 100, 1)}"
                        for i, s in enumerate(self.scores))


def risk_curve(person: str, alerts: Sequence[dict[str, Any]], start: datetime, end: datetime,
               samples: int = 48) -> Curve:
    """The person's risk over ``[start, end]`` from ``alerts`` (alert events as the API gives them)."""
    model = RiskModel()
    weights = {str(severity): w for severity, w in model.params.weights.items()}
    timed = sorted((datetime.fromisoformat(a["ts"]), a["severity"]) for a in alerts if a.get("severity") in weights)
    span = max(end - start, timedelta(seconds=1))
    scores: list[float] = []
    i = 0
    for k in range(samples):
        at = start + span * (k / (samples - 1))
        while i < len(timed) and timed[i][0] <= at:
            model.add("person", person, weights[timed[i][1]], timed[i][0])
            i += 1
        scores.append(model.score("person", person, at))
    return Curve(person, start, end, tuple(scores), len(timed))


@dataclass
class Recent:
    """Pictures that change by the hour, kept ``ttl_s`` seconds per site: fifty dashboards polling the
    overview every ten seconds read a site's alerts once every ``ttl_s``, not five times a second.
    A site's alert counts are the same for every key that may read the site (the overview asks only for
    the sites the signed-in key may read), so the cache is per site."""

    ttl_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[float, list[int]]] = field(default_factory=dict)

    def get(self, site: str) -> list[int] | None:
        kept = self._kept.get(site)
        return kept[1] if kept is not None and self.clock() < kept[0] else None

    def put(self, site: str, value: list[int]) -> None:
        self._kept[site] = (self.clock() + self.ttl_s, value)
