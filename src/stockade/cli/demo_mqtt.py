"""``stockade demo --mqtt``: the demo's devices speak MQTT to a broker instead of HTTP to the API.

The simulated day goes through the local Mosquitto: every device publishes its
SEF/1 events on ``<p>/<site>/events/<source>``, the cameras are behind a
simulated Frigate (``<fp>/<camera>/status/detect`` and ``/record`` when they go
down, so the blinding of the cameras arrives as Frigate availability), and the
site's door controllers are simulated on ``<p>/<site>/controller/<id>/available``
and ``door/<door>/set``, verifying signed commands with the reference verifier.
The node's own connectors take it all in through the same ingest path as HTTP.

At the end the blind-and-grab playbook's lockdown is carried through: a security
lead approves it over the API (``POST /v1/incidents/<site>/<id>/steps/<step>/approve``),
the node's door-control port (the MQTT connector, built from its settings) signs a
``LOCK`` per door, and the simulated controllers verify each with the reference
verifier and report ``LOCKED`` on the doors' state topics, which come back in as
``door`` events.

Frigate's status topics carry no time, so the simulated Frigate's clock is the
stream's: before each status message the node's Frigate connector is given the
event time of the moment (the replay is accelerated; a real Frigate is live).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import httpx
import msgspec

from stockade.cli.common import console
from stockade.cli.demo_response import LEAD_ROLE
from stockade.connectors.broker import BrokerSettings, MqttSession
from stockade.connectors.mqtt.door_sim import SimulatedController
from stockade.events import Envelope
from stockade.events.model import Device, Door
from stockade.incidents.model import IncidentState, Step
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.site import SiteConfig
from stockade.store.base import EventQuery, IncidentQuery

_T = TypeVar("_T")
FRIGATE_STATUS = {"offline": ("detect", b"offline"), "recording_stopped": ("record", b"offline"),
                  "recording_started": ("record", b"online")}


@dataclass(frozen=True, slots=True)
class Topics:
    """One demo run's names on the broker. The node's name is its MQTT client id, and a broker gives a second
    connection with the same id the first one's session, subscriptions included: two demos on one broker
    would take each other's messages, so the name is as unique as the topics."""

    prefix: str
    frigate: str
    node: str

    @classmethod
    def unique(cls) -> Topics:
        tag = uuid.uuid4().hex[:6]
        return cls(f"stockade-demo-{tag}", f"frigate-demo-{tag}", f"demo-{tag}")


def controllers(doors: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The demo's door controllers: one per four doors, ``CTL-1``, ``CTL-2``, …, with their doors."""
    return [(f"CTL-{i // 4 + 1}", list(doors[i:i + 4])) for i in range(0, len(doors), 4)]


def connector_settings(site: SiteConfig, topics: Topics, port: int, sources: Sequence[str],
                       kinds: Sequence[str]) -> dict[str, object]:
    """The demo's connectors. The MQTT binding names what publishes there: the simulated sources and
    kinds (as the ingest key does), and the doors' lock states and controllers' availability."""
    broker = {"port": port, "reconnect_max_s": 2}
    doors = [d.id for d in site.doors]
    bound = sorted({*sources, *doors, *(ctl for ctl, _ in controllers(doors))})
    binding = {"site": site.site, "sources": bound, "kinds": sorted({*kinds, "door", "device"})}
    return {"mqtt": {"node": topics.node, "prefix": topics.prefix, "broker": broker, "binding": binding},
            "frigate": {"site": site.site, "prefix": topics.frigate, "broker": broker,
                        "client_id": f"stockade-{topics.frigate}"}}


def with_frigate(site: dict[str, object]) -> dict[str, object]:
    """The demo site with every camera behind the simulated Frigate, under its own name in lower case."""
    cameras = site.get("cameras")
    if isinstance(cameras, list):
        for cam in cameras:
            if isinstance(cam, dict):
                cam["frigate"] = {"camera": str(cam["id"]).lower()}
    return site


class MqttStream:
    """Publishes the simulated events as the devices (and Frigate) would."""

    def __init__(self, node: Node, site: SiteConfig, topics: Topics, port: int) -> None:
        self.node, self.site, self.topics = node, site, topics
        self.broker = BrokerSettings(port=port)
        self.session = MqttSession(self.broker, f"stockade-demo-devices-{uuid.uuid4().hex[:6]}",
                                   on_message=lambda _m: None)
        self.controllers: list[SimulatedController] = []
        self._down: set[str] = set()
        self._sent = {"mqtt": 0, "frigate": 0}  # messages published to each connector's topics
        self._encode = msgspec.json.Encoder().encode
        self.cameras = {c.id for c in site.cameras}
        self.last_ts: datetime | None = None

    def start(self, first_ts: datetime) -> None:
        self._set_clock(first_ts)
        self.session.start()
        if not self.session.wait_connected(10):
            raise ConnectionError(f"no MQTT broker on 127.0.0.1:{self.broker.port}")
        signer = self.node.connectors.signer
        keys = [signer.public_raw] if signer is not None else []
        for name, doors in controllers([d.id for d in self.site.doors]):
            ctl = SimulatedController(self.broker, self.site.site, name, doors, keys=keys, prefix=self.topics.prefix)
            ctl.start()
            self.controllers.append(ctl)
            self._sent["mqtt"] += 1  # its retained "online" availability
        console.print(f"MQTT 127.0.0.1:{self.broker.port}: devices on {self.topics.prefix}/{self.site.site}/…, "
                      f"a simulated Frigate on {self.topics.frigate}/…, {len(self.controllers)} door controllers")

    def _set_clock(self, ts: datetime) -> None:
        c = self.node.connectors
        if c.frigate is not None:
            c.frigate.clock = lambda: ts
        if c.mqtt is not None:
            c.mqtt.clock = lambda: ts

    def publish(self, batch: Sequence[Envelope]) -> None:
        """Runs of one source's events as one NDJSON message each; camera outages through Frigate."""
        run: list[Envelope] = []
        if batch:
            self.last_ts = batch[-1].ts
        for event in batch:
            frigate = self._frigate_topic(event)
            if frigate is not None:
                self._flush(run)
                run = []
                self._idle()
                self._set_clock(event.ts)
                self.session.publish(frigate[0], frigate[1], qos=1)
                self._sent["frigate"] += 1
                self._idle()
                continue
            if run and run[-1].source != event.source:
                self._flush(run)
                run = []
            if event.source in self.cameras and event.seq is not None:
                # part of a camera's story now goes through Frigate, which numbers nothing: its SEF/1 counter
                # would show gaps that are not losses
                event = msgspec.structs.replace(event, seq=None)
            run.append(event)
        self._flush(run)
        self._idle()  # an accelerated day: let the node keep up, so the broker's per-client queue never overflows

    def _frigate_topic(self, event: Envelope) -> tuple[str, bytes] | None:
        if not isinstance(event, Device) or event.device not in self.cameras:
            return None
        cam = event.device.lower()
        if event.status in FRIGATE_STATUS:
            role, value = FRIGATE_STATUS[event.status]
            if event.status == "offline":
                self._down.add(event.device)
            return f"{self.topics.frigate}/{cam}/status/{role}", value
        if event.status == "online" and event.device in self._down:  # back: Frigate sees the stream again
            self._down.discard(event.device)
            return f"{self.topics.frigate}/{cam}/status/detect", b"online"
        return None

    def _flush(self, run: list[Envelope]) -> None:
        if run:
            topic = f"{self.topics.prefix}/{self.site.site}/events/{run[0].source}"
            self.session.publish(topic, b"\n".join(self._encode(e) for e in run), qos=1)
            self._sent["mqtt"] += 1

    def _idle(self, timeout: float = 120.0) -> None:
        """Wait until the node has committed every message published so far. MQTT keeps one client's order,
        but the devices, Frigate and the node's two connectors are separate clients: a status published
        before the node took the events before it could overtake them (and be logged as late), so each
        connector's count of committed messages is waited for, never a guess at the time in flight."""
        c = self.node.connectors
        pumps = [(name, x.pump) for name, x in (("mqtt", c.mqtt), ("frigate", c.frigate)) if x is not None]
        deadline = time.monotonic() + timeout
        while any(pump.completed < self._sent[name] for name, pump in pumps):
            if time.monotonic() > deadline:
                behind = ", ".join(f"{name} {pump.completed:,} of {self._sent[name]:,}" for name, pump in pumps)
                raise TimeoutError(f"the node did not take in the published messages within {timeout:.0f} s "
                                   f"({behind} committed)")
            time.sleep(0.01)

    def stop(self) -> None:
        self._idle()
        for ctl in self.controllers:
            ctl.stop()
        self.session.stop()
        for h in self.node.connectors.health():
            console.print(f"connector {h.name}: {h.received:,} messages, {h.accepted:,} lines accepted, "
                          f"{h.refused:,} refused" + "".join(f"\n  {n:,} × {r}" for r, n in sorted(
                              h.reasons.items(), key=lambda kv: -kv[1])[:5]), highlight=False)

    def lockdown(self, url: str, timeout: float = 60.0) -> None:
        """Approve the critical blind-and-grab's lockdown over the API (unless the clock already did), and
        wait until every door it locks has verified its signed command and reported ``LOCKED``."""
        site = self.site.site
        if self.last_ts is not None:
            self._set_clock(self.last_ts)  # the doors' states are stamped with the stream's time, not the wall clock's
        before = self.node.store.last_seq(site)
        token, record = new_key(("analyst",), site=site, label="demo security lead", roles=(LEAD_ROLE,))
        self.node.store.put_key(record)
        incident = _wait(lambda: _blind_and_grab(self.node, site), timeout)
        if incident is None:
            console.print("[yellow]no critical blind-and-grab incident: no lockdown to carry out[/]")
            return
        approval = _wait(lambda: _step(self.node, site, incident.id, "approve", ("planned",)), timeout)
        if approval is not None and approval.status == "awaiting_approval":
            r = httpx.post(f"{url}/v1/incidents/{site}/{incident.id}/steps/{approval.id}/approve",
                           headers={"Authorization": f"Bearer {token}"}, json={"reason": "demo: lock the docks"},
                           timeout=30)
            how = f"approved over the API (HTTP {r.status_code})"
        else:
            how = f"{approval.status if approval else 'no approval step'} before the stream ended"
        lock = _wait(lambda: _step(self.node, site, incident.id, "lockdown", ("planned",)), timeout)
        if lock is None or lock.status not in ("sent", "confirmed", "succeeded"):
            console.print(f"[yellow]lockdown of {incident.id} {how}; the lock step is "
                          f"{lock.status if lock else 'not planned'}: {lock.detail if lock else ''}[/]")
            return
        mqtt = self.node.connectors.mqtt

        def acked() -> int:
            return sum(a.ok for a in mqtt.doors.acks.values()) if mqtt is not None else 0

        # a controller's acknowledgement and its LOCKED state travel on separate topics: wait for both,
        # first for an answer to every command the node handed over (the step is "sent" once all were),
        # then for each locked door's state to come back in as a door event
        sent = mqtt.doors.sent if mqtt is not None else 0
        _wait(lambda: True if mqtt is not None and len(mqtt.doors.acks) >= sent else None, timeout)
        _wait(lambda: self._reported(before) or None, timeout)
        verified = [(c.controller, h) for c in self.controllers for h in c.handled if h.ok]
        refused = [(c.controller, h) for c in self.controllers for h in c.handled if not h.ok]
        locked = sorted(d for c in self.controllers for d, st in c.state.items() if st == "LOCKED")
        acks = acked()
        console.print(f"lockdown of {incident.id}: {approval.id if approval else 'lock'} {how}; "
                      f"{len(verified)} signed LOCK commands verified by "
                      f"{len({c for c, _ in verified})} controllers, {len(refused)} refused, {acks} acknowledged "
                      f"to the node; reported LOCKED: {', '.join(locked) or 'none'}", highlight=False)

    def _reported(self, after_seq: int) -> bool:
        """For each door a controller locked, its ``locked`` state logged (after ``after_seq``)."""
        locked = {d for c in self.controllers for d, st in c.state.items() if st == "LOCKED"}
        if not locked:
            return False
        rows = self.node.store.query(EventQuery(self.site.site, kinds=("door",), after_seq=after_seq, limit=10_000))
        logged = {r.event.door for r in rows if isinstance(r.event, Door) and r.event.state == "locked"}
        return locked <= logged


def _wait(probe: Callable[[], _T | None], timeout: float) -> _T | None:
    deadline = time.monotonic() + timeout
    while (found := probe()) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _blind_and_grab(node: Node, site: str) -> IncidentState | None:
    return next((i for i in node.store.list_incidents(IncidentQuery(site, limit=500))
                 if i.pattern == "blind_and_grab" and i.severity == "critical"), None)


def _step(node: Node, site: str, incident: str, do: str, not_in: tuple[str, ...]) -> Step | None:
    """The incident's first step doing ``do``, once its status is none of ``not_in``."""
    state = node.store.get_incident(site, incident)
    step = next((s for s in state.steps if s.do == do), None) if state is not None else None
    return step if step is not None and step.status not in not_in else None
