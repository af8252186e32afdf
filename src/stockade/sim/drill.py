"""Drills: a simulated attack through a node whose playbooks run in drill mode, and a scorecard.

The scenario is simulated (:func:`stockade.sim.run.simulate`), then its events
go through a node of their own (temporary data directory, the same ingest
commit, engine, incident projection, planner and executor as ``stockade
serve``) in event-time order, with event time driving the playbooks' timers.
The ports record: nothing reaches a door, a WMS or a webhook, and every action
is marked ``drill`` in the log. ``ack_after`` plays the security desk
acknowledging each incident that long after it opened (none by default: an
unattended night).

    >>> card = run_drill(load_scenario("examples/scenarios/attack-blind-and-grab.yaml"))   # doctest: +SKIP
    >>> [(r.pattern, r.met) for r in card.rows]                                             # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from stockade.events import canonical_event
from stockade.events.model import Action
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Transition
from stockade.incidents.model import IncidentState
from stockade.node.executor import open_incidents
from stockade.node.runtime import Node, open_store
from stockade.node.settings import Settings
from stockade.response.portset import Ports, Recording
from stockade.sim.eventtime import EventClock, on_event_time
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import Scenario

DETECT_TARGET_S = 60.0  # DESIGN: time to detect, median <= 60 s
ACK_TARGET_S = 180.0  # TAPA FSR: alarms acknowledged (or escalated) within 3 minutes
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Row:
    incident: str
    pattern: str
    severity: str
    detect_s: float
    acknowledge_s: float | None
    contain_s: float | None
    steps: int
    failed: tuple[str, ...]
    escalated: bool

    @property
    def met(self) -> bool:
        return (self.detect_s <= DETECT_TARGET_S and self.acknowledge_s is not None
                and self.acknowledge_s <= ACK_TARGET_S and not self.failed)


@dataclass
class Scorecard:
    scenario: str
    events: int
    rows: list[Row] = field(default_factory=list)
    requests: int = 0  # what the recording ports received
    unmarked: int = 0  # response actions in the log not marked drill (must be 0)


def _row(state: IncidentState) -> Row:
    sla = state.sla()
    return Row(incident=state.id, pattern=state.pattern, severity=state.severity, detect_s=sla.time_to_detect_s,
               acknowledge_s=sla.time_to_acknowledge_s, contain_s=sla.time_to_contain_s, steps=len(state.steps),
               failed=tuple(s.id for s in state.steps if s.status == "failed"),
               escalated=any(s.status == "sent" and (s.id.endswith(".escalation") or ":escalate." in s.id)
                             for s in state.steps))


def run_drill(scenario: Scenario, *, ack_after: timedelta | None = None, playbook_dir: Path | None = None,
              work_dir: Path | None = None) -> Scorecard:
    sink = ListSink()
    result = simulate(scenario, sink)
    site = result.site
    events = sorted(sink.events, key=lambda e: e.ts)
    data = work_dir or Path(tempfile.mkdtemp(prefix="stockade-drill-"))
    settings = Settings(data_dir=data, drill=True, engine="thread", playbook_dir=playbook_dir)
    recording = Recording()
    node = Node(settings, open_store(settings), {site.site: site}, ports=Ports.of(recording))
    clock = EventClock(events[0].ts if events else datetime.now().astimezone())
    on_event_time(node, clock)
    desk = _Desk(node, site.site, ack_after)
    try:
        node.recover()
        for i in range(0, len(events), _BATCH):
            batch = events[i:i + _BATCH]
            node.ingestor.commit(site.site, batch, [canonical_event(e) for e in batch])
            _settle(node, clock, batch[-1].ts, desk)
        _settle(node, clock, clock.now + timedelta(minutes=10), desk)  # let the last timers run out
        card = Scorecard(scenario=scenario.model.scenario, events=len(events), requests=len(recording.requests))
        card.rows = [_row(s) for s in open_incidents(node.store, site.site)]
        card.unmarked = sum(1 for r in node.store.read(site.site) if isinstance(r.event, Action)
                            and r.event.source == "stockade:response" and not (r.event.attrs or {}).get("drill"))
        return card
    finally:
        node.stop()


def _settle(node: Node, clock: EventClock, upto: datetime, desk: _Desk) -> None:
    """Run the engine and the response loop up to event time ``upto``: each timer and each of the
    desk's acknowledgements at its own time (so what it logs is stamped then), then ``upto``."""
    _drain(node)
    while True:
        stops = [t for t in (node.response.next_due(), desk.next_at()) if t is not None]
        if not stops or min(stops) > upto:
            break
        clock.advance(min(stops))
        desk.acknowledge(clock.now)
        node.response.tick(clock.now)
        _drain(node)
    clock.advance(upto)
    node.response.tick(clock.now)
    _drain(node)


def _drain(node: Node) -> None:
    for _ in range(100):
        node.drain()
        node.executor.drain()
        if node.executor.idle() and node.bus.depth() == 0:
            return


class _Desk:
    """The security desk of a drill: acknowledges each new incident ``after`` its opening (never: None)."""

    def __init__(self, node: Node, site: str, after: timedelta | None) -> None:
        self.node, self.site, self.after = node, site, after
        self.done: set[str] = set()

    def _waiting(self) -> list[IncidentState]:
        if self.after is None:
            return []
        return [s for s in open_incidents(self.node.store, self.site) if s.id not in self.done and s.status == "new"]

    def next_at(self) -> datetime | None:
        return min((s.opened + self.after for s in self._waiting() if self.after is not None), default=None)

    def acknowledge(self, now: datetime) -> None:
        for state in self._waiting():
            if self.after is None or state.opened + self.after > now:
                continue
            self.done.add(state.id)
            change = Transition("acknowledged", reason="drill desk")
            self.node._write_outputs(self.site, [change_event(self.site, state.id, change, actor="drill-desk",
                                                              at=now, event_id=f"act-chg-{uuid.uuid4().hex}")])
        _drain(self.node)
