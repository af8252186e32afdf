"""``stockade eval``: simulate scenarios, run the same analysis as ``stockade analyze``, score.

    >>> reports = [eval_scenario(p) for p in scenario_paths(["examples/scenarios"])]   # doctest: +SKIP
    >>> combine(reports).overall.recall                                                 # doctest: +SKIP

``eval_files`` scores incidents produced elsewhere (``stockade analyze --json``
lines, alerts and incidents) against any labels file with the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import msgspec

from stockade.events import Alert, Entities, Incident, decode_event
from stockade.pipeline.analyze import analyze
from stockade.sim.errors import ScenarioError
from stockade.sim.labels import read_labels
from stockade.sim.presence import presence_spans
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import load_scenario
from stockade.sim.score import Report, attack_free_hours, score
from stockade.site import SiteConfig
from stockade.site.config import parse_clock


class _Line(msgspec.Struct):
    """One line of ``stockade analyze --json``."""

    type: Literal["alert", "incident"]
    id: str
    severity: Literal["info", "low", "medium", "high", "critical"]
    ts: datetime
    entities: Entities = Entities()
    evidence: tuple[str, ...] = ()
    summary: str = ""
    pattern: str = ""
    detector: str = ""
    start: datetime | None = None
    end: datetime | None = None
    alerts: tuple[str, ...] = ()
    site: str = "-"


_line = msgspec.json.Decoder(_Line)


def read_analysis(data: bytes, source: str = "incidents") -> tuple[list[Incident], list[Alert]]:
    """Incidents (latest line per id wins) and alerts from ``analyze --json`` output."""
    incidents: dict[str, Incident] = {}
    alerts: list[Alert] = []
    for n, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            x = _line.decode(raw)
        except msgspec.DecodeError as e:
            raise ScenarioError(source, f"line {n}", f"not an analyze --json line: {e}") from e
        if x.type == "alert":
            alerts.append(Alert(id=x.id, ts=x.ts, site=x.site, source="analyze", detector=x.detector or "?",
                                severity=x.severity, entities=x.entities, evidence=x.evidence, summary=x.summary))
        else:
            incidents[x.id] = Incident(
                id=x.id, ts=x.ts, site=x.site, source="analyze", incident=x.id, pattern=x.pattern or "?",
                severity=x.severity, status="new", start=x.start or x.ts, end=x.end or x.ts,
                entities=x.entities, alerts=x.alerts, evidence=x.evidence, summary=x.summary)
    return list(incidents.values()), alerts


def scenario_paths(items: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for item in items:
        p = Path(item)
        out += sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")) if p.is_dir() else [p]
    return out


def site_kind(site: SiteConfig) -> str:
    """What kind of site, as the evaluation groups them: ``24/7``, ``night crew``, ``no night crew``."""
    if site.hours is None:
        return "24/7"
    crew = False
    for p in site.people:
        role = site.roles.get(p.role or "")
        shift = site.shifts.get(p.shift or "")
        if role is None or role.responder or shift is None:
            continue
        if parse_clock(shift.end) <= parse_clock(shift.start):
            crew = True
            break
    return "night crew" if crew else "no night crew"


def eval_scenario(path: str | Path) -> Report:
    sc = load_scenario(path)
    sink = ListSink()
    result = simulate(sc, sink)
    analysis = analyze(result.site, sink.events)
    hours = attack_free_hours(presence_spans(sink.events), result.labels)
    report = score(result.labels, analysis.incidents, analysis.alerts, person_hours=hours, name=sc.model.scenario)
    report.tier = sc.model.tier
    report.site_kind = site_kind(result.site)
    return report


def eval_files(labels: Path, incidents: Path, *, events: Path | None = None,
               person_hours: float | None = None) -> Report:
    try:
        labs = read_labels(labels.read_bytes())
    except (OSError, msgspec.DecodeError) as e:
        raise ScenarioError(str(labels), "", f"not a labels file: {e}") from e
    try:
        incs, alerts = read_analysis(incidents.read_bytes(), str(incidents))
    except OSError as e:
        raise ScenarioError(str(incidents), "", f"cannot read: {e.strerror}") from e
    hours = person_hours
    if hours is None and events is not None:
        with events.open("rb") as f:
            evs = [decode_event(line) for line in f if line.strip()]
        hours = attack_free_hours(presence_spans(evs), labs)
    return score(labs, incs, alerts, person_hours=hours, name=labels.name)
