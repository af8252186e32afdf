"""An MQTT session to one broker: TLS and credentials, a persistent session, reconnect with backoff.

Every MQTT-speaking connector (Stockade's own topics, Frigate) opens one of
these with its :class:`BrokerSettings`; the connector decides what to subscribe
to and what to do with a message.

    >>> session = MqttSession(BrokerSettings(port=1883), "stockade-node-1", on_message=handle)  # doctest: +SKIP
    >>> session.start([("stockade/+/events/+", 1)])                                             # doctest: +SKIP

With ``manual_ack`` a QoS 1 message stays unacknowledged until the connector
calls :meth:`ack` (after its commit): a node killed before that gets it again
from the broker, because the session (clean start off, a session expiry) outlives
the connection. paho's own loop reconnects, waiting ``reconnect_min_s`` doubling
up to ``reconnect_max_s`` between attempts.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from stockade.connectors.base import Health
from stockade.connectors.errors import ConnectorError

log = logging.getLogger(__name__)


class BrokerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="the broker's host name or address")
    port: int = Field(1883, ge=1, le=65535, description="1883 plain, 8883 with TLS by convention")
    username: str | None = Field(None, description="MQTT user name")
    password: SecretStr | None = Field(None, description="MQTT password")
    tls: bool = Field(False, description="connect with TLS")
    ca_file: Path | None = Field(None, description="CA bundle that signed the broker's certificate (TLS)")
    cert_file: Path | None = Field(None, description="client certificate, for brokers that require one (TLS)")
    key_file: Path | None = Field(None, description="the client certificate's private key (TLS)")
    keepalive_s: int = Field(30, ge=5, le=3600, description="MQTT keep-alive interval")
    session_expiry_s: int = Field(3600, ge=0, description="how long the broker keeps the session (and the "
                                  "QoS 1 messages not yet acknowledged) while the node is away")
    reconnect_min_s: int = Field(1, ge=1, description="first wait before reconnecting; doubles each attempt")
    reconnect_max_s: int = Field(30, ge=1, description="longest wait between reconnection attempts")
    receive_maximum: int = Field(2000, ge=1, le=65535, description="QoS 1 messages in flight to the node "
                                 "before the broker waits for acknowledgements")


class _ClosedOnFailedHandshake(ssl.SSLSocket):
    """paho leaves the socket of a failed TLS handshake to the garbage collector; this closes it at once."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


def _send_at_once(_client: mqtt.Client, _userdata: object, sock: object) -> None:
    """Each MQTT packet leaves at once (``TCP_NODELAY``). paho leaves Nagle's algorithm on, so a
    packet written while the one before it was unacknowledged — an answer published right after
    the PUBACK of the request — waited for the broker's delayed ACK, about 40 ms a hop on Linux."""
    if isinstance(sock, socket.socket):  # a TLS socket is one too
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tls_context(settings: BrokerSettings) -> ssl.SSLContext:
    """The client's TLS: the system's trust store or ``ca_file``, host name checked, a client certificate if
    given. A file that cannot be read is a :class:`ConnectorError` naming the setting."""
    try:
        ctx = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
        if settings.cert_file is not None:
            ctx.load_cert_chain(str(settings.cert_file), str(settings.key_file) if settings.key_file else None)
    except (OSError, ssl.SSLError) as e:
        raise ConnectorError(f"broker TLS settings (ca_file, cert_file, key_file): {e}") from e
    ctx.sslsocket_class = _ClosedOnFailedHandshake
    return ctx


Message = mqtt.MQTTMessage
OnMessage = Callable[[Message], None]


class MqttSession:
    """One MQTT 5 connection, kept up in paho's network thread."""

    def __init__(
        self,
        settings: BrokerSettings,
        client_id: str,
        *,
        on_message: OnMessage,
        health: Health | None = None,
        manual_ack: bool = False,
        will: tuple[str, bytes] | None = None,
        on_connect: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.health = health or Health(client_id, "mqtt")
        self._subscriptions: list[tuple[str, int]] = []
        self._on_connect_hook = on_connect
        self._on_message = on_message
        self.connected = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5, manual_ack=manual_ack)
        if settings.username is not None:
            password = settings.password.get_secret_value() if settings.password else None
            self.client.username_pw_set(settings.username, password)
        if settings.tls:
            self.client.tls_set_context(tls_context(settings))
        if will is not None:
            self.client.will_set(will[0], will[1], qos=1, retain=True)
        self.client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_message = self._message
        self.client.on_subscribe = self._subscribed
        self.client.on_connect_fail = self._connect_failed
        self.client.on_socket_open = _send_at_once
        self._subscribe_mid: int | None = None

    # --- lifecycle -----------------------------------------------------------

    def start(self, subscriptions: Sequence[tuple[str, int]] = ()) -> None:
        """Connect in the background (and keep reconnecting); subscribe on every connection."""
        self._subscriptions = list(subscriptions)
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho leaves __init__ unannotated
        props.SessionExpiryInterval = self.settings.session_expiry_s
        props.ReceiveMaximum = self.settings.receive_maximum
        try:
            self.client.connect_async(self.settings.host, self.settings.port, self.settings.keepalive_s,
                                      clean_start=False, properties=props)
        except (OSError, ValueError) as e:
            raise ConnectorError(f"cannot reach MQTT broker {self.settings.host}:{self.settings.port}: {e}") from e
        self.client.loop_start()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        """Wait until connected and subscribed (the broker acknowledged the subscriptions)."""
        return self.connected.wait(timeout)

    def stop(self, farewell: tuple[str, bytes] | None = None) -> None:
        """Publish ``farewell`` (retained, e.g. availability ``offline``), disconnect, stop the loop."""
        if farewell is not None and self.connected.is_set():
            info = self.client.publish(farewell[0], farewell[1], qos=1, retain=True)
            try:
                info.wait_for_publish(2.0)
            except (RuntimeError, ValueError):
                log.warning("could not publish %s before disconnecting", farewell[0])
        self.client.disconnect()
        self.client.loop_stop()
        # paho makes its wake-up socket pair before each connection attempt and closes it only at the next one,
        # so a session stopped after a failed attempt (a TLS handshake refused) would leave it to the GC
        self.client._reset_sockets()  # paho has no public way to close them
        self.connected.clear()
        self.health.set_state("stopped")

    # --- paho callbacks (network thread) --------------------------------------

    def _connected(self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags,
                   reason: ReasonCode, properties: Properties | None) -> None:
        if reason.is_failure:
            self.health.error(f"broker refused the connection: {reason}")
            return
        if self._on_connect_hook is not None:
            self._on_connect_hook()
        if self._subscriptions:
            rc, self._subscribe_mid = client.subscribe(
                [(topic, SubscribeOptions(qos=qos)) for topic, qos in self._subscriptions])
            if rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
                return  # connected once the broker has the subscriptions (SUBACK): what is published then is ours
            self.health.error(f"could not subscribe: {mqtt.error_string(rc)}")
        self._ready()

    def _connect_failed(self, client: mqtt.Client, userdata: object) -> None:
        """No connection (refused, unreachable, a TLS handshake that failed): said, and retried with backoff."""
        self.health.error(f"could not connect to {self.settings.host}:{self.settings.port}"
                          + (" (TLS)" if self.settings.tls else ""))
        if self.health.state != "stopped":
            self.health.set_state("disconnected")

    def _subscribed(self, client: mqtt.Client, userdata: object, mid: int, reasons: list[ReasonCode],
                    properties: Properties | None) -> None:
        if mid != self._subscribe_mid:
            return
        refused = [str(r) for r in reasons if r.is_failure]
        if refused:  # the connection is up; what was refused is said, and the rest is taken
            self.health.error(f"broker refused {len(refused)} of {len(reasons)} subscriptions: {refused[0]}")
        self._ready()

    def _ready(self) -> None:
        self.connected.set()
        self.health.set_state("connected")

    def _disconnected(self, client: mqtt.Client, userdata: object, flags: mqtt.DisconnectFlags,
                      reason: ReasonCode, properties: Properties | None) -> None:
        self.connected.clear()
        if self.health.state != "stopped":
            self.health.set_state("disconnected")
            if reason.is_failure:
                self.health.error(f"disconnected from the broker: {reason}")

    def _message(self, client: mqtt.Client, userdata: object, message: Message) -> None:
        self.health.message()
        self._on_message(message)

    # --- acting ----------------------------------------------------------------

    def ack(self, message: Message) -> None:
        """Acknowledge a QoS 1 message (manual-ack sessions, after the commit)."""
        if message.qos > 0:
            self.client.ack(message.mid, message.qos)

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                properties: Properties | None = None) -> mqtt.MQTTMessageInfo:
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise ConnectorError(f"cannot publish to {topic}: {mqtt.error_string(info.rc)}")
        return info


def publish_properties(*, response_topic: str | None = None, correlation: bytes | None = None,
                       expiry_s: int | None = None) -> Properties:
    """MQTT 5 PUBLISH properties for a request (response topic, correlation data, message expiry)."""
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]  # paho leaves __init__ unannotated
    if response_topic is not None:
        props.ResponseTopic = response_topic
    if correlation is not None:
        props.CorrelationData = correlation
    if expiry_s is not None:
        props.MessageExpiryInterval = max(1, expiry_s)
    return props
