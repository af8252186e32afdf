"""The whole response loop in memory, on event time: for ``stockade analyze``, drills and tests.

Events go in (the engine's incident versions, analysts' changes, doors' states,
anything with a time); the incidents are folded as the store's projection
folds them, the planner decides, and a :class:`~stockade.response.execute.Carrier`
with recording ports carries the intents out, writing its ``action`` events
back into the loop. ``actions`` is what the playbooks would have logged;
``ports.requests`` what they would have sent.

    >>> r = Rehearsal(site, PlaybookSet().playbooks)             # doctest: +SKIP
    >>> for e in analysis.versions: r.feed(e)                     # doctest: +SKIP
    >>> [(a.target, a.outcome) for a in r.actions][:2]           # doctest: +SKIP
    [('blind-and-grab:approve-lock', 'planned'), ('blind-and-grab:approve-lock', 'awaiting_approval')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from stockade.events import Alert, Door, Envelope, Gate, Stock
from stockade.events.model import Action
from stockade.incidents.fold import apply, incident_of
from stockade.incidents.model import IncidentState
from stockade.response.execute import Carrier, EvidenceCapture
from stockade.response.intents import Decision, Evidence
from stockade.response.planner import Planner
from stockade.response.playbook import Playbook
from stockade.response.portset import Ports, Recording
from stockade.response.steps.base import site_facts
from stockade.site import SiteConfig

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _bundle_reference(intent: Evidence) -> str:
    return f"evidence window {intent.start.isoformat()} .. {intent.end.isoformat()} (not built offline)"


class Rehearsal:
    def __init__(self, site: SiteConfig, playbooks: Sequence[Playbook], *, ports: Ports | None = None,
                 drill: bool = False, capture: EvidenceCapture | None = _bundle_reference,
                 attempts: int = 1) -> None:
        self.site = site.site
        self.recording = Recording()
        self.ports = ports or Ports.of(self.recording)
        self.planner = Planner(site.site, playbooks, site_facts(site), drill=drill)
        self.states: dict[str, IncidentState] = {}
        self.actions: list[Action] = []
        self.alerts: list[Alert] = []
        self.now = _EPOCH
        self._seq = 0
        self._ids: set[str] = set()
        self._pending: deque[Decision] = deque()
        self.carrier = Carrier(self.ports, self._write, lambda _site, i: self.states.get(i), capture=capture,
                               attempts=attempts, clock=lambda: self.now, sleep=lambda _s: None)

    def feed(self, event: Envelope) -> None:
        """One event of the site's log, in log order."""
        self.now = max(self.now, event.ts)
        self._pending.extend(self.planner.tick(self.now))
        self._fold(event)
        if isinstance(event, Door):
            self._pending.extend(self.planner.door(event.door, event.state, event.ts))
        elif isinstance(event, Stock | Gate):
            self._pending.extend(self.planner.goods(event))
        self._run()

    def tick(self, now: datetime) -> None:
        self.now = max(self.now, now)
        self._pending.extend(self.planner.tick(self.now))
        self._run()

    def _fold(self, event: Envelope) -> None:
        key = incident_of(event)
        if key is None:
            return
        self._seq += 1
        state = apply(self.states.get(key), event, self._seq)
        if state is not None:
            self.states[key] = state
            self._pending.extend(self.planner.observe(state, self.now))

    def _write(self, _site: str, events: Sequence[Envelope]) -> None:
        for event in events:
            if event.id in self._ids:
                continue  # the log's dedupe by id
            self._ids.add(event.id)
            if isinstance(event, Action):
                self.actions.append(event)
            elif isinstance(event, Alert):
                self.alerts.append(event)
            self._fold(event)

    def _run(self) -> None:
        while self._pending:
            self.carrier.carry_out(self._pending.popleft())
