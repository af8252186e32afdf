"""The Frigate connector: Frigate's MQTT feed in, through the node's ingest path.

    >>> conn = FrigateConnector(settings, site, sink)     # doctest: +SKIP
    >>> conn.start()  # doctest: +SKIP

Subscribes (QoS 1) to ``<prefix>/events``, ``/reviews``, ``/available``,
``/tracked_object_update`` and ``/+/status/+``, maps each message
(:mod:`.mapping`) and commits the events with a binding of the site, its
Frigate-mapped cameras as sources and the kinds ``video`` and ``device``. The
broker's acknowledgement waits for the commit; a refused payload (an unmapped
camera, a repeat, a false positive, bad JSON) is counted in the connector's
health by its reason and acknowledged, and the connection stays up. A retained
``available`` or status value seen again on reconnection is not logged twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from stockade.connectors.base import Binding, Health, IngestSink, Outcome
from stockade.connectors.broker import Message, MqttSession
from stockade.connectors.errors import MappingRefused
from stockade.connectors.frigate.config import FrigateSettings
from stockade.connectors.frigate.mapping import CameraMaps, map_message
from stockade.connectors.pump import Pump, Work
from stockade.site import SiteConfig

_encode = msgspec.json.Encoder().encode


class FrigateConnector:
    def __init__(self, settings: FrigateSettings, site: SiteConfig, sink: IngestSink, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.cameras = CameraMaps.of_site(site)
        self.health = Health("frigate", "frigate")
        self.binding = Binding("frigate", site.site, frozenset(c.camera for c in self.cameras.by_frigate.values()),
                               frozenset({"video", "device"}))
        self.clock = clock
        self.session = MqttSession(settings.broker, settings.client_id, on_message=self._message,
                                   health=self.health, manual_ack=True)
        self.pump = Pump(sink, self.health, batch_max=settings.batch_max)
        self._retained: dict[str, bytes] = {}

    def subscriptions(self) -> list[tuple[str, int]]:
        p = self.settings.prefix
        return [(f"{p}/events", 1), (f"{p}/reviews", 1), (f"{p}/available", 1), (f"{p}/tracked_object_update", 1),
                (f"{p}/+/status/+", 1)]

    def start(self) -> None:
        self.pump.start("frigate-ingest")
        self.session.start(self.subscriptions())

    def stop(self) -> None:
        self.session.stop()
        self.pump.stop()

    def _message(self, message: Message) -> None:
        payload = bytes(message.payload)
        state_topic = message.topic.endswith("/available") or "/status/" in message.topic
        if state_topic and self._retained.get(message.topic) == payload:
            self._skip(message, "a status already logged (retained or repeated)")
            return
        try:
            events = map_message(self.cameras, self.settings.prefix, message.topic, payload, self.clock())
        except MappingRefused as e:
            self._skip(message, f"{e.field}: {e.reason}" if e.field else e.reason)
            return
        if state_topic:
            self._retained[message.topic] = payload

        def done(out: list[Outcome]) -> None:
            if state_topic and any(o.status == "rejected" for o in out):
                self._retained.pop(message.topic, None)
            self.session.ack(message)

        self.pump.put(Work([_encode(e) for e in events], self.binding, done))

    def _skip(self, message: Message, reason: str) -> None:
        self.health.refuse(reason)
        self.pump.put(Work([], self.binding, lambda _: self.session.ack(message)))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.pump.idle.wait(timeout)

