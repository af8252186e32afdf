"""Offline analysis: run the full detection engine over events in event-time order.

    >>> result = analyze(site, events)                          # doctest: +SKIP
    >>> [a.detector for a in result.alerts]                      # doctest: +SKIP
    ['STK-DEV-001', 'STK-DOR-001', 'STK-INV-001']
    >>> [(i.pattern, i.severity) for i in result.incidents]      # doctest: +SKIP
    [('blind_and_grab', 'critical')]

This is the one code path of ``stockade analyze`` and ``stockade eval``: a fresh
engine from :func:`~stockade.pipeline.build.build_engine` (every registered
detector, the correlator and the risk model), the same as the live node's.
Outputs found in the input (alerts, incidents, actions, checkpoints of an old
log) are skipped, since the engine derives them again; access decisions are
inputs to detection and go through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from stockade.engine.engine import SiteEngine
from stockade.engine.risk import RiskModel
from stockade.events import Action, Alert, Envelope, Incident
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import engine_skips
from stockade.response.playbook import Playbook
from stockade.response.rehearsal import Rehearsal
from stockade.site import SiteConfig

PROGRESS_EVERY = 1_000


@dataclass
class Analysis:
    alerts: list[Alert] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)  # latest version of each, in opening order
    versions: list[Incident] = field(default_factory=list)  # every version, in the order written
    actions: list[Action] = field(default_factory=list)  # what the playbooks would have logged, in order
    opened: dict[str, datetime] = field(default_factory=dict)  # incident id -> time of its first version
    risk: RiskModel | None = None
    events: int = 0  # events run through the engine
    skipped: int = 0  # outputs in the input, not run


def analyze(
    site: SiteConfig,
    events: Iterable[Envelope],
    make_engine: Callable[[SiteConfig], SiteEngine] = build_engine,
    playbooks: Sequence[Playbook] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """Fold ``events`` (sorted here by event time, stable) through a fresh engine; with ``playbooks``,
    also through the response loop with recording ports: ``actions`` is what they would have done.
    ``progress`` is told how many events are done, every :data:`PROGRESS_EVERY` and at the end."""
    engine = make_engine(site)
    rehearsal = Rehearsal(site, playbooks) if playbooks else None
    result = Analysis(risk=engine.risk if isinstance(engine.risk, RiskModel) else None)
    latest: dict[str, Incident] = {}
    ordered = sorted(events, key=lambda e: e.ts)
    for seq, event in enumerate(ordered):
        if progress is not None and seq % PROGRESS_EVERY == 0 and seq:
            progress(seq)
        if engine_skips(event):
            result.skipped += 1
            continue
        result.events += 1
        if rehearsal is not None:
            rehearsal.feed(event)
        for out in engine.step(event, seq):
            if isinstance(out, Alert):
                result.alerts.append(out)
            elif isinstance(out, Incident):
                result.versions.append(out)
                result.opened.setdefault(out.incident, out.ts)
                latest[out.incident] = out
                if rehearsal is not None:
                    rehearsal.feed(out)
    result.incidents = list(latest.values())
    if progress is not None:
        progress(len(ordered))
    if rehearsal is not None:
        result.actions = rehearsal.actions
        result.alerts = sorted([*result.alerts, *rehearsal.alerts], key=lambda a: a.ts)
    return result
