"""The door-control port over MQTT: ``lock(intent_id, DoorCommand)`` publishes to the door's ``set`` topic.

    >>> doors = MqttDoorControl(session, settings, CommandSigner(key))        # doctest: +SKIP
    >>> doors.lock("intent-7", DoorCommand("dc-demo", "D-DOCK-2", "LOCK", "inc-1"))  # doctest: +SKIP

A signed JSON command (``commands.py``; controllers check it with
``door_verify.py``) or, with ``doors.signed = false``, Home Assistant's plain
``LOCK`` / ``UNLOCK``. Each command carries MQTT 5 response topic
(``<p>/node/<node>/door-acks``), correlation data (the intent id) and a message
expiry, so a controller answers ``{"intent", "result": "ok" | "refused", "reason"}``
and a stale command dies in the broker. The intent id is the idempotency key: a
second ``lock`` with the same id sends nothing. ``lock`` returns once the broker
has the command (QoS 1) and raises ``PortError`` if it cannot hand it over; the
door's confirmation is its state, which comes back in as a ``door`` event.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from paho.mqtt.properties import Properties

from stockade.connectors.broker import Message, MqttSession, publish_properties
from stockade.connectors.errors import ConnectorError
from stockade.connectors.mqtt.commands import CommandSigner
from stockade.connectors.mqtt.config import MqttSettings
from stockade.connectors.mqtt.mapping import ack_topic, door_set_topic
from stockade.response.ports import DoorCommand, PortError


@dataclass(frozen=True, slots=True)
class DoorAck:
    intent: str
    ok: bool
    reason: str
    latency_s: float


class MqttDoorControl:
    def __init__(self, session: MqttSession, settings: MqttSettings, signer: CommandSigner | None, *,
                 clock: Callable[[], float] = time.time,
                 on_ack: Callable[[DoorAck], None] | None = None) -> None:
        if settings.doors.signed and signer is None:
            raise ConnectorError("signed door commands need the node's door-command key")
        self._session = session
        self._settings = settings
        self._signer = signer
        self._clock = clock
        self._on_ack = on_ack
        self._sent: dict[str, float] = {}
        self._lock = threading.Lock()
        self.acks: dict[str, DoorAck] = {}
        self.ack_topic = ack_topic(settings.prefix, settings.node)

    @property
    def sent(self) -> int:
        """Commands handed to the broker so far (each answered at most once in :attr:`acks`)."""
        with self._lock:
            return len(self._sent)

    def lock(self, intent_id: str, command: DoorCommand) -> None:
        with self._lock:
            if intent_id in self._sent:
                return
            if not self._session.connected.is_set():
                raise PortError(f"not connected to the MQTT broker; {command.command} {command.door} not sent")
            now = self._clock()
            ttl = self._settings.doors.ttl_s
            if self._settings.doors.signed and self._signer is not None:
                body = self._signer.sign(command, intent_id, now_s=now, ttl_s=ttl)
                payload = json.dumps(body, separators=(",", ":")).encode()
                ttl = max(1, int(body["not_after"] - now))
            else:
                payload = command.command.encode()
            props = publish_properties(response_topic=self.ack_topic, correlation=intent_id.encode(), expiry_s=ttl)
            topic = door_set_topic(self._settings.prefix, command.site, command.door)
            # known before it is published: a controller may answer before the broker's PUBACK reaches us
            self._sent[intent_id] = time.monotonic()
            error = self._hand_over(topic, payload, props)
            if error is not None:
                del self._sent[intent_id]  # not handed over: the same intent may be tried again
                raise PortError(f"{command.command} {command.door} not handed to the broker: {error}")

    def _hand_over(self, topic: str, payload: bytes, props: Properties) -> str | None:
        """Publish (QoS 1) and wait for the broker's PUBACK; why not, or None."""
        timeout = self._settings.doors.publish_timeout_s
        try:
            info = self._session.publish(topic, payload, qos=1, properties=props)
            info.wait_for_publish(timeout)
        except (ConnectorError, RuntimeError, ValueError) as e:
            return str(e)
        return None if info.is_published() else f"no PUBACK within {timeout}s"

    def handle_ack(self, message: Message) -> None:
        """A controller's answer on the response topic (correlation data = intent id)."""
        props = message.properties
        correlation = getattr(props, "CorrelationData", None) if props is not None else None
        try:
            body = json.loads(message.payload)
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        intent = correlation.decode("utf-8", "replace") if correlation else str(body.get("intent", ""))
        sent = self._sent.get(intent)
        if sent is None:  # not a command of ours: anyone may publish here, keep nothing
            self._session.health.refuse("door ack for an intent this node did not send")
            return
        ack = DoorAck(intent, body.get("result") == "ok", str(body.get("reason", ""))[:200],
                      time.monotonic() - sent)
        self.acks[intent] = ack
        if self._on_ack is not None:
            self._on_ack(ack)
