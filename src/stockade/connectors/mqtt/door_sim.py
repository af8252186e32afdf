"""A simulated door controller on MQTT, for tests and the demo.

It subscribes to ``<p>/<site>/door/+/set`` for its doors, checks every command
with the reference verifier (:mod:`door_verify`), answers on the command's
MQTT 5 response topic with its correlation data, and on success reports the new
state, retained, on ``<p>/<site>/door/<door>/state`` (``LOCKED`` / ``UNLOCKED``)
as a Home Assistant lock would. Its own availability is
``<p>/<site>/controller/<id>/available`` (``offline`` is its last will).

    >>> ctl = SimulatedController(BrokerSettings(), "dc-demo", "CTL-1", ["D-DOCK-2"], keys=[pub])  # doctest: +SKIP
    >>> ctl.start()                                                # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stockade.connectors.broker import BrokerSettings, Message, MqttSession, publish_properties
from stockade.connectors.mqtt.door_verify import verify_command
from stockade.connectors.mqtt.mapping import door_state_topic

STATE = {"LOCK": b"LOCKED", "UNLOCK": b"UNLOCKED"}


@dataclass(frozen=True, slots=True)
class Handled:
    door: str
    ok: bool
    reason: str


class SimulatedController:
    def __init__(self, broker: BrokerSettings, site: str, controller: str, doors: Sequence[str], *,
                 keys: Sequence[bytes], prefix: str = "stockade", accept_plain: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self.site, self.controller, self.doors, self.prefix = site, controller, set(doors), prefix
        self._keys = list(keys)
        self._accept_plain = accept_plain
        self._clock = clock
        self.counters: dict[str, int] = {}
        self.state: dict[str, str] = {}
        self.handled: list[Handled] = []
        self.changed = threading.Condition()
        self.available_topic = f"{prefix}/{site}/controller/{controller}/available"
        # the client id names the topic tree too: a broker hands a second connection with the same id the first
        # one's session (and its subscriptions), so two sites' simulations under different prefixes stay apart
        self.session = MqttSession(broker, f"stockade-sim-{prefix}-{site}-{controller}", on_message=self._message,
                                   will=(self.available_topic, b"offline"), on_connect=self._online)

    def start(self, timeout: float = 10.0) -> None:
        self.session.start([(f"{self.prefix}/{self.site}/door/{d}/set", 1) for d in sorted(self.doors)])
        if not self.session.wait_connected(timeout):
            raise TimeoutError(f"simulated controller {self.controller} could not connect")

    def stop(self) -> None:
        self.session.stop(farewell=(self.available_topic, b"offline"))

    def _online(self) -> None:
        self.session.publish(self.available_topic, b"online", qos=1, retain=True)

    def _message(self, message: Message) -> None:
        door = message.topic.split("/")[3]
        payload = bytes(message.payload)
        if self._accept_plain and payload in (b"LOCK", b"UNLOCK"):
            ok, reason, command, intent = True, "ok", payload.decode(), ""
        else:
            verdict = verify_command(payload, keys=self._keys, site=self.site, door=door,
                                     last_counter=self.counters.get(door, 0), now_s=self._clock())
            ok, reason, command, intent = verdict.ok, verdict.reason, verdict.command, verdict.intent
            if ok:
                self.counters[door] = verdict.counter
        self._answer(message, intent, ok, reason)
        if ok:
            self.state[door] = STATE[command].decode()
            self.session.publish(door_state_topic(self.prefix, self.site, door), STATE[command], qos=1, retain=True)
        with self.changed:
            self.handled.append(Handled(door, ok, reason))
            self.changed.notify_all()

    def _answer(self, message: Message, intent: str, ok: bool, reason: str) -> None:
        props = message.properties
        topic = getattr(props, "ResponseTopic", None) if props is not None else None
        if not topic:
            return
        correlation = getattr(props, "CorrelationData", None)
        body = json.dumps({"intent": intent, "result": "ok" if ok else "refused", "reason": reason}).encode()
        self.session.publish(topic, body, qos=1, properties=publish_properties(correlation=correlation))

    def wait_handled(self, n: int, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.handled) >= n, timeout)
