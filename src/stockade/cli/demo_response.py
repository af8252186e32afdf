"""The demo's night desk: playbooks on the night's event time, a security lead approving through the API.

``stockade demo`` streams a simulated day and night into a running node. This
module is what makes the playbooks answer in step with that night:

- one :class:`~stockade.sim.eventtime.EventClock` for every part of incident
  response, moved by :meth:`NightDesk.advance` after each batch the stream
  posts — first to each timer due (approval timeouts, ``escalate_after``,
  lockdown confirmations) and each approval the lead gives, then to the
  batch's last event — so timers fire at their event time, not the wall
  clock's;
- a security lead (an ``analyst`` key with the ``security-lead`` role) who
  approves each step awaiting that role ``LEAD_DELAY`` after it was asked,
  through ``POST /v1/incidents/{site}/{id}/steps/{step}/approve`` like anyone;
  nobody acknowledges, so ``escalate_after`` escalates;
- simulated door controllers (:class:`~stockade.sim.doors.SimulatedDoors`,
  the door-control port) that report each locked door through
  ``POST /v1/events`` with a door-controller ingest key.

:func:`response_summary` prints what the playbooks did to the night's
blind-and-grab, from the log, and checks its evidence bundle as ``stockade
evidence verify`` does — and once more with one byte changed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import httpx
import msgspec

from stockade.cli.common import console
from stockade.events import Envelope
from stockade.events.model import Action
from stockade.ledger.errors import LedgerError
from stockade.node.executor import open_incidents
from stockade.node.runtime import Node
from stockade.response.evidence import EvidenceError, verify_bundle
from stockade.sim.doors import SimulatedDoors
from stockade.sim.eventtime import EventClock
from stockade.store import EventQuery

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)")
LEAD_ROLE = "security-lead"
LEAD_DELAY = timedelta(seconds=40)  # the lead looks at the last camera frames, then approves


class NightDesk:
    def __init__(self, node: Node, site: str, clock: EventClock, doors: SimulatedDoors) -> None:
        self.node, self.site, self.clock, self.doors = node, site, clock, doors
        self._lead: httpx.Client | None = None
        self._controllers: httpx.Client | None = None
        self._approve_at: dict[tuple[str, str], datetime] = {}
        self.approved: list[tuple[str, str, datetime]] = []  # (incident, step, at)
        self.refused: list[str] = []

    def connect(self, url: str, lead_key: str, controller_key: str) -> None:
        self._lead = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {lead_key}"}, timeout=30)
        self._controllers = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {controller_key}"},
                                         timeout=30)

    def close(self) -> None:
        for client in (self._lead, self._controllers):
            if client is not None:
                client.close()

    # --- the door controllers' reports (SimulatedDoors calls this on its thread) ---------------

    def report(self, events: Sequence[Envelope]) -> None:
        if self._controllers is None:
            raise RuntimeError("the door controllers are not connected to the API yet")
        r = self._controllers.post("/v1/events", content=msgspec.json.Encoder().encode_lines(list(events)))
        r.raise_for_status()
        bad = [x for x in r.json()["results"] if x["status"] == "rejected"]
        if bad:
            raise RuntimeError(f"door report refused: {bad[0].get('field')}: {bad[0].get('reason')}")

    # --- event time ------------------------------------------------------------------------

    def advance(self, upto: datetime) -> None:
        """Everything that happens in the night up to ``upto``, in event-time order."""
        while True:
            self.settle()
            self._notice_requests()
            stops = list(self._approve_at.values())
            if (due := self.node.response.next_due()) is not None:
                stops.append(due)
            stop = min(stops, default=None)
            if stop is None or stop > upto:
                break
            self.clock.advance(stop)
            self._approve_due()
            self.node.response.tick(self.clock.now)
        self.clock.advance(upto)
        self.node.response.tick(self.clock.now)
        self.settle()

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait until the engine, the executor and the door controllers have nothing left to do."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            before = self.node.store.last_seq(self.site)
            self.node.wait_for_engine(self.site, timeout_s)
            if (self.node.executor.idle() and self.doors.idle() and self.node.bus.depth() == 0
                    and self.node.store.last_seq(self.site) == before):
                return
            time.sleep(0.002)
        console.print(f"[yellow]incident response had not settled after {timeout_s:.0f} s[/]")

    # --- the security lead -----------------------------------------------------------------

    def _notice_requests(self) -> None:
        for state in open_incidents(self.node.store, self.site):
            for step in state.steps:
                key = (state.id, step.id)
                if step.status == "awaiting_approval" and key not in self._approve_at and self._asks_lead(step.intent):
                    self._approve_at[key] = max(step.ts + LEAD_DELAY, self.clock.now)

    def _asks_lead(self, intent: str) -> bool:
        row = self.node.store.get(self.site, f"{intent}:planned")
        payload = (row.event.attrs or {}).get("payload") if row is not None and isinstance(row.event, Action) else None
        return isinstance(payload, dict) and LEAD_ROLE in (payload.get("roles") or ())

    def _approve_due(self) -> None:
        for (incident, step), at in sorted(self._approve_at.items(), key=lambda kv: kv[1]):
            if at > self.clock.now:
                continue
            del self._approve_at[(incident, step)]
            state = self.node.store.get_incident(self.site, incident)
            if state is None or (found := state.step(step)) is None or found.status != "awaiting_approval":
                continue  # decided meanwhile (its timeout, say)
            self.clock.advance(state.updated or state.opened)  # the desk stamps no earlier than the last change
            if self._lead is None:
                raise RuntimeError("the security lead is not connected to the API yet")
            r = self._lead.post(f"/v1/incidents/{self.site}/{incident}/steps/{step}/approve",
                                json={"reason": "cameras down and goods leaving the dock: lock it"})
            if r.status_code == 200:
                self.approved.append((incident, step, self.clock.now))
            else:
                self.refused.append(f"{step}: {r.status_code} {r.text}")
            self.settle()


def _local(ts: datetime, tz: tzinfo) -> str:
    return f"{ts.astimezone(tz):%H:%M:%S}"


def response_summary(node: Node, site: str, desk: NightDesk, data_dir: Path) -> None:
    """What the playbooks did to the night's blind-and-grab, from the log; its evidence bundle checked."""
    tz = node.sites[site].tz
    found = [s for s in open_incidents(node.store, site) if s.pattern == "blind_and_grab"]
    if not found:
        console.print("[yellow]no blind-and-grab incident: no response to show[/]")
        return
    state = found[0]
    actions = [r.event for r in node.store.query(EventQuery(site, kinds=("action",), limit=100_000))
               if isinstance(r.event, Action) and r.event.incident == state.id]
    console.print(f"\n[bold]Response[/] to {state.id} (blind_and_grab, opened {_local(state.opened, tz)}, "
                  f"status {state.status}), from the log:")
    for a in sorted(actions, key=lambda a: a.ts):
        if a.source == "stockade:response" and a.outcome in ("planned", "ok"):
            continue
        ours = a.source == "stockade:response"
        outcome = a.outcome if ours else a.action
        who = "" if ours else f"by the {LEAD_ROLE}'s API key: "
        detail = _ISO.sub(lambda m: _local(datetime.fromisoformat(m.group(0)), tz),
                          (a.detail or "").replace(str(data_dir), data_dir.name))
        console.print(f"  {_local(a.ts, tz)} {a.target or a.action:34} {outcome or '':18} {who}{detail}",
                      highlight=False, soft_wrap=True)
    bundles = sorted((data_dir / "evidence" / site).glob(f"{state.id}.*.evidence.json"))
    if not bundles:
        console.print("[red]evidence: no bundle was written[/]")
        return
    _check_bundle(node, bundles[0], data_dir)


def _check_bundle(node: Node, bundle: Path, data_dir: Path) -> None:
    log = next(iter(node.ledgers.logs.values()))
    verifiers = node.ledgers.keys.verifiers(log.origin)
    data = bundle.read_bytes()
    shown = bundle.relative_to(data_dir.parent) if bundle.is_relative_to(data_dir.parent) else bundle
    try:
        ok = verify_bundle(data, verifiers)
    except (EvidenceError, LedgerError) as e:
        console.print(f"[red]evidence: {shown} REFUSED: {e}[/]", highlight=False)
        return
    console.print(f"evidence: {ok.events} events and {ok.clips} clips, every proof checks against the "
                  f"checkpoint at size {ok.checkpoint.size} (stockade evidence verify: OK)", highlight=False)
    at = data.index(b'"entry"', data.index(b'"entries"')) + 30  # a byte inside the first event's entry
    changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    try:
        verify_bundle(changed, verifiers)
    except (EvidenceError, LedgerError) as e:
        console.print(f"evidence with byte {at} changed: REFUSED: {e}", highlight=False)
    else:
        console.print(f"[red]evidence with byte {at} changed: accepted — the bundle check is broken[/]")
