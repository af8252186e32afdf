"""Carrying intents out through the ports, logging each outcome: the executor's core.

For each decision, in order: an outcome the planner decided is logged as it
is; an intent whose step the log already shows past ``planned`` is not acted
on again (replay never re-sends); otherwise it is logged ``planned`` (carrying
the whole intent), sent through its port with the intent id as the
idempotency key — retried with exponential backoff on
:class:`~stockade.response.ports.PortError` — and logged ``sent`` or
``failed`` (which the planner escalates). Approvals are logged
``awaiting_approval``; assignments and tasks are logged as the incident changes
they are. The node runs this on a thread with a queue
(:mod:`stockade.node.executor`); ``stockade analyze`` and drills run it with
recording ports.

    >>> carrier = Carrier(Ports.of(Recording()), write, lookup)     # doctest: +SKIP
    >>> carrier.carry_out(intent)                                    # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from stockade.events import Alert, Envelope
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Assign
from stockade.incidents.model import IncidentState
from stockade.response.intents import (
    AddTask,
    AskApproval,
    AssignTo,
    Decision,
    Evidence,
    Hold,
    Intent,
    Lock,
    Notify,
    Outcome,
)
from stockade.response.logbook import intent_event, outcome_event, task_event
from stockade.response.ports import DoorCommand, FlowHold, Notification, PortError
from stockade.response.portset import NotConfigured, Ports

log = logging.getLogger(__name__)
Writer = Callable[[str, Sequence[Envelope]], None]
Lookup = Callable[[str, str], IncidentState | None]  # site, incident -> its current state
ThreatSetter = Callable[[str, str, str, str, datetime], None]  # site, zone, level, actor, at
EvidenceCapture = Callable[[Evidence], str]  # builds and keeps the bundle; returns where it is


class Carrier:
    def __init__(self, ports: Ports, write: Writer, lookup: Lookup, *, set_threat: ThreatSetter | None = None,
                 capture: EvidenceCapture | None = None, attempts: int = 4, backoff_s: float = 0.5,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.ports = ports
        self._write = write
        self._lookup = lookup
        self._set_threat = set_threat
        self.capture = capture
        self._attempts = attempts
        self._backoff_s = backoff_s
        self.clock = clock  # event time in drills; the wall clock in a live node
        self._sleep = sleep
        self.sent_at: dict[str, float] = {}  # intent id -> monotonic time it was sent (bench, tests)

    # --- carrying out ----------------------------------------------------------

    def _now(self, floor: datetime) -> datetime:
        return max(self.clock(), floor)

    def _logged(self, site: str, incident: str, step: str) -> str | None:
        state = self._lookup(site, incident)
        found = state.step(step) if state is not None else None
        return found.status if found is not None else None

    def carry_out(self, d: Decision) -> None:
        if isinstance(d, Alert):
            self._write(d.site, [d])
            return
        if isinstance(d, Outcome):
            self._write(d.site, [outcome_event(d, drill=d.drill)])
            return
        status = self._logged(d.site, d.incident, d.step)
        if isinstance(d, AddTask):
            self._write(d.site, [task_event(d, d.at)])
            return
        if status is not None and status != "planned":
            return  # already carried out (or decided): never again
        if status is None:
            self._write(d.site, [intent_event(d, "planned", d.at)])
        self._act(d)

    def _act(self, d: Intent) -> None:
        match d:
            case AskApproval():
                wait = f"awaiting approval by {', '.join(d.roles)} until {d.due.isoformat()}"
                self._write(d.site, [intent_event(d, "awaiting_approval", self._now(d.at), wait)])
            case AssignTo():
                at = self._now(d.at)
                self._write(d.site, [
                    change_event(d.site, d.incident, Assign(d.assignee), actor=f"playbook:{d.playbook}", at=at,
                                 event_id=f"{d.id}:assign"),
                    intent_event(d, "sent", at, f"assigned to {d.assignee}")])
            case Lock() | Hold() | Notify() | Evidence():
                self._send(d)
            case AddTask():
                pass

    def _send(self, d: Lock | Hold | Notify | Evidence) -> None:
        error: str | None = None
        detail = ""
        tries = 0
        for attempt in range(max(1, self._attempts)):
            tries = attempt + 1
            try:
                detail = self._port(d)
                error = None
                break
            except PortError as e:
                error = f"{type(e).__name__}: {e}"
                log.warning("intent %s (%s) attempt %d failed: %s", d.id, d.step, attempt + 1, e)
                if isinstance(e, NotConfigured):
                    break
                if attempt + 1 < self._attempts:
                    self._sleep(self._backoff_s * 2 ** attempt)
        at = self._now(d.at)
        if error is not None:
            why = f"{error} (after {tries} attempt{'s' if tries > 1 else ''})"
            self._write(d.site, [intent_event(d, "failed", at, why)])
            return
        self.sent_at[d.id] = time.monotonic()
        self._write(d.site, [intent_event(d, "sent", at, detail)])

    def _port(self, d: Lock | Hold | Notify | Evidence) -> str:
        match d:
            case Lock():
                if self._set_threat is not None:
                    at = self._now(d.at)  # event time: a wall-clock stamp would move a simulated night's clock
                    for zone in d.zones:
                        self._set_threat(d.site, zone, d.level, f"playbook:{d.playbook}", at)
                for door in d.doors:  # one request per door: the key is the intent and the door
                    self.ports.door_control.lock(f"{d.id}.{door}", DoorCommand(
                        site=d.site, door=door, command="LOCK", incident=d.incident))
                return f"threat level {d.level} in {', '.join(d.zones) or 'no zone'}; lock sent to " \
                       f"{', '.join(d.doors) or 'no door'}"
            case Hold():
                for zone in d.zones:
                    self.ports.flow_control.hold(f"{d.id}.{zone}", FlowHold(
                        site=d.site, zone=zone, direction=d.direction,
                        incident=d.incident, expires_us=d.expires_us))
                return f"{d.direction} flows held in {', '.join(d.zones) or 'no zone'}"
            case Notify():
                self.ports.notifier.notify(d.id, Notification(site=d.site, destination=d.destination,
                                                              subject=d.subject, body=d.body))
                return f"notified {d.destination}"
            case Evidence():
                if self.capture is None:
                    raise NotConfigured("this node cannot build evidence bundles (no ledger)")
                return self.capture(d)

