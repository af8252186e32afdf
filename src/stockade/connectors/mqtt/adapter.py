"""The MQTT connector: Stockade's topics on one broker, both ways.

    >>> conn = MqttConnector(settings, sink, signer=CommandSigner(key))     # doctest: +SKIP
    >>> conn.start(); conn.doors.lock("intent-1", DoorCommand(...)); conn.stop()  # doctest: +SKIP

In: SEF/1 on ``<p>/<site>/events/<source>`` (QoS 1), Home Assistant lock states
on ``<p>/<site>/door/<door>/state`` and controllers' availability on
``<p>/<site>/controller/<id>/available``. A line must claim the topic's site and
source (a publisher cannot write for another source than its topic names), and
goes through the node's ingest path with the connector's binding (site, sources,
kinds) narrowed to the topic's site, so it is held to exactly what an ingest key
would be. The broker gets the acknowledgement only after the commit (paho's
manual ack, :mod:`stockade.connectors.pump`); redelivered messages are
duplicates by id. The per-line results of an events message are published to
``<p>/<site>/results/<source>`` (with the request's MQTT 5 correlation data, if
it had any). A payload that cannot be read is answered, counted by reason in
the connector's health, and acknowledged: the connection stays up.

Out: the node's retained availability ``<p>/node/<node>/available`` (``online``
at every connection, ``offline`` as its last will and at a clean stop) and door
commands (:class:`~stockade.connectors.mqtt.doors.MqttDoorControl`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from paho.mqtt.client import MQTTMessageInfo

from stockade.connectors.base import Binding, Health, IngestSink, Outcome
from stockade.connectors.broker import Message, MqttSession, publish_properties
from stockade.connectors.errors import ConnectorError, MappingRefused
from stockade.connectors.mqtt import mapping
from stockade.connectors.mqtt.commands import CommandSigner
from stockade.connectors.mqtt.config import MqttSettings
from stockade.connectors.mqtt.doors import DoorAck, MqttDoorControl
from stockade.connectors.pump import Pump, Work
from stockade.events import EventError, split_body


class _Head(msgspec.Struct):
    site: object = None
    source: object = None


_head = msgspec.json.Decoder(_Head).decode


def _own_source(lines: list[bytes], route: mapping.Route) -> tuple[list[bytes], dict[int, Outcome]]:
    """Lines that claim the topic's site and source, and refusals for those that claim another.

    Checked here, on a two-field decode, so that one ingest call can commit a whole batch of
    messages from many sources; everything else about a line is checked by the ingest path."""
    kept: list[bytes] = []
    refused: dict[int, Outcome] = {}
    for number, line in enumerate(lines, start=1):
        try:
            head = _head(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            kept.append(line)  # the ingest path says precisely what is wrong with it
            continue
        if isinstance(head.site, str) and head.site != route.site:
            refused[number] = Outcome(number, "rejected", field="site",
                                      reason=f"forbidden: topic of site {route.site} carries site {head.site[:64]!r}")
        elif isinstance(head.source, str) and head.source != route.name:
            refused[number] = Outcome(number, "rejected", field="source", reason=f"forbidden: topic of source "
                                      f"{route.name} carries source {head.source[:64]!r}")
        else:
            kept.append(line)
    return kept, refused


def _merge(early: dict[int, Outcome], later: list[Outcome]) -> list[Outcome]:
    """The outcomes of one message in its line order: refusals made here, then the ingest path's."""
    if not early:
        return later
    out: list[Outcome] = []
    rest = iter(later)
    for number in range(1, len(early) + len(later) + 1):
        if number in early:
            out.append(early[number])
        else:
            o = next(rest)
            out.append(Outcome(number, o.status, o.id, o.seq, o.field, o.reason))
    return out


class MqttConnector:
    def __init__(self, settings: MqttSettings, sink: IngestSink, *, signer: CommandSigner | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_ack: Callable[[DoorAck], None] | None = None) -> None:
        self.settings = settings
        self.health = Health("mqtt", "mqtt")
        b = settings.binding
        self.binding = Binding("mqtt", b.site, frozenset(b.sources), frozenset(b.kinds))
        self.clock = clock
        p = settings.prefix
        self.available_topic = mapping.node_available_topic(p, settings.node)
        self.session = MqttSession(
            settings.broker, f"stockade-{settings.node}", on_message=self._message, health=self.health,
            manual_ack=True, will=(self.available_topic, b"offline"), on_connect=self._announce,
        )
        self.pump = Pump(sink, self.health, batch_max=settings.batch_max)
        self.doors = MqttDoorControl(self.session, settings, signer, on_ack=on_ack)
        self._last_state: dict[tuple[str, str], bytes] = {}
        self.announced: MQTTMessageInfo | None = None  # the last ``online`` published

    def subscriptions(self) -> list[tuple[str, int]]:
        p, s = self.settings.prefix, self.settings
        sites = s.sites or ["+"]
        subs: list[tuple[str, int]] = []
        if s.role in ("ingest", "both"):
            for site in sites:
                subs.append((f"{p}/{site}/events/+", 1))
                if s.door_states:
                    subs.append((f"{p}/{site}/door/+/state", 1))
                if s.controllers:
                    subs.append((f"{p}/{site}/controller/+/available", 1))
        if s.role in ("commands", "both"):
            subs.append((self.doors.ack_topic, 1))
        return subs

    def start(self) -> None:
        self.pump.start("mqtt-ingest")
        self.session.start(self.subscriptions())

    def stop(self) -> None:
        self.session.stop(farewell=(self.available_topic, b"offline"))
        self.pump.stop()

    def _announce(self) -> None:
        try:
            self.announced = self.session.publish(self.available_topic, b"online", qos=1, retain=True)
        except ConnectorError as e:
            self.health.error(str(e))

    def wait_announced(self, timeout: float = 10.0) -> bool:
        """Wait until the broker has this connection's retained ``online`` (its PUBACK)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.announced
            if info is not None and info.is_published():
                return True
            time.sleep(0.01)
        return False

    # --- inbound (paho's network thread) -----------------------------------------

    def _message(self, message: Message) -> None:
        if message.topic == self.doors.ack_topic:
            self.doors.handle_ack(message)
            self.session.ack(message)
            return
        try:
            route = mapping.parse_topic(self.settings.prefix, message.topic)
        except MappingRefused as e:
            self._refuse(message, None, e.reason)
            return
        binding = self.binding.narrowed(route.site)  # site, sources and kinds: checked by the ingest path
        if route.kind == "events":
            try:
                lines = list(split_body(bytes(message.payload)))
            except EventError as e:
                self._refuse(message, route, e.reason, field=e.field or "payload")
                return
            kept, early = _own_source(lines, route)
            self.pump.put(Work(kept, binding, lambda out: self._reply(message, route, _merge(early, out))))
            return
        self._state(message, route, binding)

    def _state(self, message: Message, route: mapping.Route, binding: Binding) -> None:
        key = (route.site, f"{route.kind}:{route.name}")
        if self._last_state.get(key) == bytes(message.payload):  # a retained or repeated state already logged
            self.pump.put(Work([], binding, lambda _: self.session.ack(message)))
            return
        now = self.clock()
        try:
            event = (mapping.door_state_event(route, bytes(message.payload), now) if route.kind == "door_state"
                     else mapping.controller_event(route, bytes(message.payload), now))
        except MappingRefused as e:
            self._refuse(message, route, e.reason, field=e.field)
            return

        state = bytes(message.payload)
        self._last_state[key] = state  # now, so a repeat arriving before the commit is skipped too

        def done(out: list[Outcome]) -> None:
            if out and out[0].status == "rejected" and self._last_state.get(key) == state:
                del self._last_state[key]
            self.session.ack(message)

        self.pump.put(Work(mapping.encode_lines([event]), binding, done))

    def _refuse(self, message: Message, route: mapping.Route | None, reason: str, field: str = "payload") -> None:
        """Answer a message that cannot be ingested; in arrival order with the rest, then acknowledge it."""
        self.health.refuse(f"{field}: {reason}")
        outcome = Outcome(1, "rejected", field=field, reason=reason)
        binding = self.binding if route is None else Binding("mqtt", route.site, frozenset(), frozenset())

        def done(_: list[Outcome]) -> None:
            if route is not None and route.kind == "events":
                self._publish_results(message, route, [outcome])
            self.session.ack(message)

        self.pump.put(Work([], binding, done))

    def _reply(self, message: Message, route: mapping.Route, outcomes: list[Outcome]) -> None:
        self._publish_results(message, route, outcomes)
        self.session.ack(message)

    def _publish_results(self, message: Message, route: mapping.Route, outcomes: list[Outcome]) -> None:
        topic = mapping.results_topic(self.settings.prefix, route.site, route.name)
        correlation = getattr(message.properties, "CorrelationData", None) if message.properties else None
        props = publish_properties(correlation=correlation) if correlation else None
        try:
            self.session.publish(topic, mapping.results_payload(outcomes), qos=0, properties=props)
        except ConnectorError as e:  # the commit stands; the sender can ask again, a duplicate answers
            self.health.error(str(e))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every message received so far is committed and acknowledged (tests, demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pump.idle.wait(0.05):
                return True
        return False
