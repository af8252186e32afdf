"""The response planner: a pure fold on event time from incidents to intents.

It reads each incident's current state (the projection's, with the outcomes the
executor logged) and event time (``now`` of each change, and ticks), and
decides, per playbook whose trigger the incident matched: which steps are
ready (their ``depends_on`` succeeded, their ``run_if`` holds), which are
skipped, which timers are due (approvals, ``escalate_after``, lockdown
confirmations). Intents have stable ids (:func:`stockade.response.intents.intent_id`),
so planning the same log twice plans the same intents; a step already logged
is never planned again. No I/O and no clock: the node passes time in.

    >>> planner = Planner("dc-demo", playbooks, facts)                  # doctest: +SKIP
    >>> [type(d).__name__ for d in planner.observe(incident, at)]      # doctest: +SKIP
    ['AskApproval', 'Hold', 'Evidence', 'Notify']
    >>> planner.tick(at + timedelta(minutes=3))                         # doctest: +SKIP
    [Notify(destination='duty-manager', ...)]

Its memory (started runs, in-flight keys, timers, door states) is rebuilt by
observing the open incidents of the projection at start, so it needs no snapshot.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime, timedelta

from stockade.events import Envelope
from stockade.incidents.model import IncidentState, Step, StepStatus
from stockade.response.holds import Holds
from stockade.response.intents import AddTask, Decision, Outcome, intent_id
from stockade.response.playbook import Playbook
from stockade.response.steps import AnyStep, ApproveSpec, EscalateAfterSpec, HoldFlowsSpec, LockdownSpec
from stockade.response.steps.base import PlanContext, SiteFacts
from stockade.response.steps.escalate_after import REACHED
from stockade.response.steps.notify import notify

BAD: frozenset[str] = frozenset({"failed", "skipped", "rejected"})
DONE: frozenset[str] = frozenset({"approved", "sent", "confirmed"})
ENDED: frozenset[str] = frozenset({"resolved", "closed"})
_ON_TIMEOUT: dict[str, StepStatus] = {"proceed": "approved", "skip": "skipped", "escalate": "failed"}


class Planner:
    def __init__(self, site: str, playbooks: Sequence[Playbook], facts: SiteFacts, *, drill: bool = False) -> None:
        self.site = site
        self.playbooks = tuple(playbooks)
        self.facts = facts
        self.drill = drill
        self.incidents: dict[str, IncidentState] = {}
        self.started: set[tuple[str, str]] = set()
        self.emitted: set[str] = set()
        self.locked: dict[str, datetime] = {}
        self.locking: set[str] = set()
        self._timers: list[tuple[datetime, str]] = []
        self._next: dict[str, datetime] = {}  # incident -> its earliest queued timer
        self.holds = Holds(facts.gate_zones)
        self._held: set[str] = set()  # hold steps whose holds stand (registered once)
        self._logged: dict[str, Step] = {}  # the steps of the incident being evaluated, by id

    # --- inputs ----------------------------------------------------------------

    def observe(self, state: IncidentState, now: datetime) -> list[Decision]:
        """An incident changed (a version, an analyst's change, a logged outcome)."""
        self.incidents[state.id] = state
        return self._evaluate(state.id, now)

    def door(self, door: str, state: str, at: datetime) -> list[Decision]:
        """A door reported its state; lockdowns waiting for it may now be confirmed."""
        if state == "locked":
            self.locked[door] = at
        else:
            self.locked.pop(door, None)
        out: list[Decision] = []
        for incident in sorted(self.locking):
            out += self._evaluate(incident, at)
        return out

    def goods(self, event: Envelope) -> list[Decision]:
        """A stock or gate event: goods leaving a held zone are an alert."""
        alert = self.holds.check(event)
        return [alert] if alert is not None else []

    def tick(self, now: datetime) -> list[Decision]:
        """Event time advanced: run the timers now due (nothing else is looked at)."""
        due: dict[str, None] = {}
        while self._timers and self._timers[0][0] <= now:
            at, incident = heapq.heappop(self._timers)
            if self._next.get(incident) == at:
                del self._next[incident]
                due[incident] = None
        out: list[Decision] = []
        for incident in due:
            if incident in self.incidents:
                out += self._evaluate(incident, now)
        return out

    def timers(self) -> int:
        return len(self._next)

    def next_due(self) -> datetime | None:
        """When the earliest queued timer falls due (None: nothing queued); a driver stepping event
        time (the demo) ticks at each one so every outcome is stamped when it fell due."""
        while self._timers and self._next.get(self._timers[0][1]) != self._timers[0][0]:
            heapq.heappop(self._timers)  # superseded by an earlier timer of the same incident
        return self._timers[0][0] if self._timers else None

    # --- evaluation ------------------------------------------------------------

    def _evaluate(self, incident: str, now: datetime) -> list[Decision]:
        state = self.incidents[incident]
        self._logged = {s.id: s for s in state.steps}
        if state.status == "closed":
            self.locking.discard(incident)
            self.holds.release(incident)
            self._held -= {s.intent for s in state.steps}  # reopened, its holds stand again
            return []
        out: list[Decision] = []
        for pb in self.playbooks:
            if (incident, pb.playbook) not in self.started:
                if state.status in ENDED or not pb.trigger.matches(state, self.facts.zone_kinds):
                    continue
                self.started.add((incident, pb.playbook))
                out += [self._task(state, pb, t.id, t.title, t.mandatory, now) for t in pb.tasks
                        if not any(x.id == t.id for x in state.tasks)]
            for spec in pb.steps:
                out += self._step(state, pb, spec, now)
            out += self._escalations(state, pb, now)
        return [d for d in out if self._first(d)]

    def _first(self, d: Decision) -> bool:
        key = f"{d.intent}#{d.status}" if isinstance(d, Outcome) else d.id  # the intent names the incident
        if key in self.emitted:
            return False
        self.emitted.add(key)
        return True

    def _ctx(self, state: IncidentState, pb: Playbook, step: str, now: datetime) -> PlanContext:
        return PlanContext(site=self.site, incident=state, playbook=pb.playbook, step=step,
                           intent=intent_id(self.site, state.id, step), now=now, facts=self.facts, drill=self.drill)

    def _task(self, state: IncidentState, pb: Playbook, task: str, title: str, mandatory: bool,
              now: datetime) -> AddTask:
        ctx = self._ctx(state, pb, f"{pb.playbook}:task:{task}", now)
        return AddTask(**ctx.common(), title=title, mandatory=mandatory)

    def _outcome(self, state: IncidentState, pb: Playbook, key: str, do: str, status: StepStatus,
                 now: datetime, detail: str) -> Outcome:
        return Outcome(site=self.site, incident=state.id, playbook=pb.playbook, step=key, do=do, status=status,
                       at=now, intent=intent_id(self.site, state.id, key), detail=detail, drill=self.drill)

    def _due(self, incident: str, at: datetime) -> None:
        """Wake ``incident`` at ``at``; one queued timer per incident, its earliest (each evaluation
        queues the next one it needs)."""
        queued = self._next.get(incident)
        if queued is not None and queued <= at:
            return
        self._next[incident] = at
        heapq.heappush(self._timers, (at, incident))

    def _status(self, state: IncidentState, pb: Playbook, step_id: str) -> str | None:
        logged = self._logged.get(f"{pb.playbook}:{step_id}")
        return logged.status if logged else None

    def _succeeded(self, pb: Playbook, step_id: str, status: str | None) -> bool:
        spec = pb.step(step_id)
        if isinstance(spec, LockdownSpec):
            return status == "confirmed"
        return status in DONE

    def _step(self, state: IncidentState, pb: Playbook, spec: AnyStep, now: datetime) -> list[Decision]:
        key = f"{pb.playbook}:{spec.id}"
        logged = self._logged.get(key)
        if logged is None:
            return self._unplanned(state, pb, spec, key, now)
        return self._in_progress(state, pb, spec, key, logged, now)

    def _unplanned(self, state: IncidentState, pb: Playbook, spec: AnyStep, key: str,
                   now: datetime) -> list[Decision]:
        do = spec.do
        if state.status in ENDED:
            return []
        deps = {d: self._status(state, pb, d) for d in spec.depends_on}
        failed = [d for d, s in deps.items() if s in BAD]
        if failed:
            return [self._outcome(state, pb, key, do, "skipped", now, f"{failed[0]} did not succeed")]
        if not all(self._succeeded(pb, d, s) for d, s in deps.items()):
            return []
        if spec.run_if is not None and not spec.run_if.matches(state, self.facts.zone_kinds):
            return [self._outcome(state, pb, key, do, "skipped", now, f"run_if not met: {spec.run_if.describe()}")]
        if isinstance(spec, EscalateAfterSpec):
            return self._escalate_after(state, pb, spec, key, now)
        return [spec.plan(self._ctx(state, pb, key, now))]

    def _escalate_after(self, state: IncidentState, pb: Playbook, spec: EscalateAfterSpec, key: str,
                        now: datetime) -> list[Decision]:
        if state.status in REACHED[spec.unless]:
            return [self._outcome(state, pb, key, spec.do, "skipped", now, f"{spec.unless} in time")]
        due = state.opened + timedelta(seconds=spec.after)
        if now < due:
            self._due(state.id, due)
            return []
        out: list[Decision] = [self._outcome(
            state, pb, key, spec.do, "sent", now,
            f"not {spec.unless} within {spec.after} s of opening: escalated")]
        for i, then in enumerate(spec.then):
            out.append(then.plan(self._ctx(state, pb, f"{key}.{i}", now)))
        return out

    def _in_progress(self, state: IncidentState, pb: Playbook, spec: AnyStep, key: str, logged: Step,
                     now: datetime) -> list[Decision]:
        if isinstance(spec, ApproveSpec) and logged.status == "awaiting_approval":
            due = logged.ts + timedelta(seconds=spec.within)
            if now < due:
                self._due(state.id, due)
                return []
            status = _ON_TIMEOUT[spec.on_timeout]
            return [self._outcome(state, pb, key, spec.do, status, now,
                                  f"no decision within {spec.within} s: {spec.on_timeout}")]
        if isinstance(spec, HoldFlowsSpec) and logged.status == "sent":
            if logged.intent in self._held:
                return []
            self._held.add(logged.intent)
            hold = spec.plan(self._ctx(state, pb, key, logged.ts))
            for zone in hold.zones:
                self.holds.hold(zone, hold.direction, until_us=hold.expires_us, incident=state.id, site=self.site)
            return []
        if isinstance(spec, LockdownSpec) and logged.status == "sent":
            ctx = self._ctx(state, pb, key, now)
            doors = spec.plan(ctx).doors
            waiting = [d for d in doors if not (d in self.locked and self.locked[d] >= logged.ts)]
            if not waiting:
                self.locking.discard(state.id)
                return [self._outcome(state, pb, key, spec.do, "confirmed", now,
                                      f"every door reported locked: {', '.join(doors) or 'none'}")]
            self.locking.add(state.id)
            due = logged.ts + timedelta(seconds=spec.confirm_within)
            if now < due:
                self._due(state.id, due)
                return []
            self.locking.discard(state.id)
            return [self._outcome(state, pb, key, spec.do, "failed", now,
                                  f"not reported locked within {spec.confirm_within} s: {', '.join(waiting)}")]
        return []

    def _escalations(self, state: IncidentState, pb: Playbook, now: datetime) -> list[Decision]:
        if pb.escalate_to is None:
            return []
        out: list[Decision] = []
        prefix = f"{pb.playbook}:"
        for step in state.steps:
            if step.status == "failed" and step.id.startswith(prefix) and not step.id.endswith(".escalation"):
                key = f"{step.id}.escalation"
                if key not in self._logged:
                    ctx = self._ctx(state, pb, key, now)
                    out.append(notify(ctx, pb.escalate_to, f"step {step.id} failed: {step.detail or ''}"))
        return out
