"""The node's connectors: built from ``Settings.connectors``, fed into the node's ingest path.

    >>> connectors = Connectors.build(node)      # doctest: +SKIP
    >>> connectors.start(); connectors.status(); connectors.stop()  # doctest: +SKIP

Each connector's binding becomes a :class:`~stockade.node.ingest.Principal`, so what arrives over
MQTT is checked exactly like a line posted with an ``ingest`` key (site, sources,
and the kinds it may write), and gets the same per-line results and metrics.
The door-command key is ``<data>/keys/door-ed25519.pem`` (0600), created on
first use; controllers are given its public half (``stockade connectors door-key``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stockade.connectors.base import Binding, Health, IngestSink, Outcome
from stockade.connectors.errors import ConnectorConfigError
from stockade.connectors.frigate.adapter import FrigateConnector
from stockade.connectors.frigate.evidence import FrigateEvidence
from stockade.connectors.mqtt.adapter import MqttConnector
from stockade.connectors.mqtt.commands import CommandSigner
from stockade.connectors.siem.adapter import SiemExporter
from stockade.connectors.webhook.adapter import Webhooks
from stockade.events import Envelope
from stockade.ledger.keys import read_private, write_private
from stockade.node.ingest import Principal
from stockade.response.portset import Ports, Recording, Unconfigured
from stockade.site.sources import DEVICE_KINDS
from stockade.store import EventQuery, Store
from stockade.store.outbox import OutboxTables

if TYPE_CHECKING:
    from stockade.node.runtime import Node

log = logging.getLogger(__name__)
DOOR_KEY_FILE = "door-ed25519.pem"


def principal_for(binding: Binding) -> Principal:
    """The binding as an ingest principal: its site, its sources (none: nothing may be written) and its
    kinds (none named: the device kinds, as for an ``ingest`` key)."""
    return Principal(f"connector:{binding.name}", binding.site, binding.sources, binding.kinds or DEVICE_KINDS)


def ingest_sink(node: Node) -> IngestSink:
    """The node's ingest path as a connector sees it (with the node's metrics)."""

    def sink(lines: Sequence[bytes], binding: Binding) -> list[Outcome]:
        started = time.perf_counter()
        report = node.ingestor.ingest_lines(lines, principal_for(binding))
        metrics = node.metrics
        for (site, kind), n in report.accepted_by_kind.items():
            metrics.events.labels(site, kind, "accepted").inc(n)
        for r in report.results:
            if r.status != "accepted":
                metrics.events.labels(binding.site or "", "", r.status).inc()
        metrics.ingest_seconds.observe(time.perf_counter() - started)
        return [Outcome(r.line, r.status, r.id, r.seq, r.field, r.reason) for r in report.results]

    return sink


def load_or_create_door_key(keys_dir: Path) -> Ed25519PrivateKey:
    path = keys_dir / DOOR_KEY_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        return key
    loaded = serialization.load_pem_private_key(read_private(path), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise TypeError(f"{path} does not hold an Ed25519 key")
    return loaded


Connector = MqttConnector | FrigateConnector | Webhooks | SiemExporter


class StoreFindings:
    """The SIEM exporter's view of the store: outputs by kind after a cursor, and the cursors."""

    def __init__(self, store: Store, cursors: OutboxTables) -> None:
        self._store = store
        self.cursor_get = cursors.cursor_get
        self.cursor_set = cursors.cursor_set

    def findings(self, site: str, after_seq: int, kinds: tuple[str, ...], limit: int) -> list[tuple[int, Envelope]]:
        return [(r.seq, r.event) for r in self._store.query(EventQuery(site, kinds=kinds, after_seq=after_seq,
                                                                           limit=limit))]


class Connectors:
    def __init__(self) -> None:
        self.mqtt: MqttConnector | None = None
        self.frigate: FrigateConnector | None = None
        self.evidence: FrigateEvidence | None = None
        self.signer: CommandSigner | None = None
        self.webhooks: Webhooks | None = None
        self.siem: SiemExporter | None = None
        self.started = False
        self.ports: Ports | None = None  # the ports the node's playbooks act through (``use_ports``)

    @classmethod
    def build(cls, node: Node) -> Connectors:
        settings = node.settings.connectors
        sink = ingest_sink(node)
        out = cls()
        if settings.mqtt is not None:
            out.signer = CommandSigner(load_or_create_door_key(node.settings.data_dir / "keys"))
            out.mqtt = MqttConnector(settings.mqtt, sink, signer=out.signer)
        if (f := settings.frigate) is not None:
            site = node.sites.get(f.site)
            if site is None:
                raise ConnectorConfigError(f"connectors.frigate.site: {f.site!r} is not a loaded site")
            out.frigate = FrigateConnector(f, site, sink)
            if f.api_url is not None:
                out.evidence = FrigateEvidence(f.api_url, timeout_s=f.api_timeout_s,
                                               token=f.api_token.get_secret_value() if f.api_token else None)
        if settings.webhooks is not None:
            if not isinstance(node.store, OutboxTables):
                raise ConnectorConfigError("connectors.webhooks: this store keeps no outbox")
            out.webhooks = Webhooks(settings.webhooks, node.store)
        if settings.siem is not None:
            if not isinstance(node.store, OutboxTables):
                raise ConnectorConfigError("connectors.siem: this store keeps no export cursors")
            out.siem = SiemExporter(settings.siem, StoreFindings(node.store, node.store), sorted(node.sites))
        node.metrics.registry.register(ConnectorMetrics(out))
        return out

    def use_ports(self, given: Ports | None = None, *, drill: bool = False) -> Ports:
        """The response ports the node acts through: ``given`` (a caller's own), or every port a
        connector's settings configure (``Recording`` for all in a drill, which acts on nothing):

            door_control    MQTT door commands (``connectors.mqtt``, role ``commands`` or ``both``)
            notifier        webhooks (``connectors.webhooks`` with a destination)
            flow_control    webhooks (``connectors.webhooks.flow_destination``)
            evidence_store  Frigate's retain API (``connectors.frigate.api_url``)

        A port no setting configures is :class:`Unconfigured`: its steps fail and escalate."""
        if given is None and drill:
            given = Ports.of(Recording())
        if given is None:
            none = Unconfigured()
            mqtt, hooks = self.mqtt, self.webhooks
            commands = mqtt is not None and mqtt.settings.role in ("commands", "both")
            given = Ports(
                door_control=mqtt.doors if mqtt is not None and commands else none,
                flow_control=hooks if hooks is not None and hooks.settings.flow_destination else none,
                notifier=hooks if hooks is not None and hooks.settings.destinations else none,
                evidence_store=self.evidence or none,
            )
        self.ports = given
        return given

    def port_status(self) -> dict[str, str]:
        """What carries out each port: a connector, ``recording`` (a drill), ``unconfigured``."""
        ports = self.ports
        if ports is None:
            return {}
        carriers: list[tuple[object, str]] = [(self.webhooks, "webhooks"), (self.evidence, "frigate")]
        if self.mqtt is not None:
            carriers.append((self.mqtt.doors, "mqtt"))
        by = {id(c): name for c, name in carriers if c is not None}
        out: dict[str, str] = {}
        for name in ("door_control", "flow_control", "notifier", "evidence_store"):
            port = getattr(ports, name)
            if isinstance(port, Unconfigured):
                out[name] = "unconfigured"
            elif isinstance(port, Recording):
                out[name] = "recording"
            else:
                out[name] = by.get(id(port), type(port).__name__)
        return out

    def all(self) -> list[Connector]:
        return [c for c in (self.mqtt, self.frigate, self.webhooks, self.siem) if c is not None]

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        for c in self.all():
            c.start()

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        for c in reversed(self.all()):
            c.stop()
        if self.evidence is not None:
            self.evidence.close()

    def health(self) -> list[Health]:
        return [c.health for c in self.all()]

    def status(self, store: Store) -> dict[str, object]:
        """What ``GET /v1/connectors`` and ``stockade connectors status`` show."""
        rows: list[dict[str, object]] = []
        for c in self.all():
            snap = c.health.snapshot()
            if self.siem is not None and c is self.siem and isinstance(store, OutboxTables):
                behind = {f"{name}/{site}": store.last_seq(site) - store.cursor_get(name, site)
                          for name, d in self.siem.settings.destinations.items()
                          for site in (d.sites or self.siem.sites)}
                snap["behind"] = behind  # log entries not yet looked at, per destination and site
            rows.append(snap)
        out: dict[str, object] = {"running": self.started, "connectors": rows, "ports": self.port_status()}
        if self.webhooks is not None:
            out["outbox"] = [{"destination": d, "status": s, "count": n}
                             for (d, s), n in sorted(self.webhooks.outbox.outbox_counts().items())]
            out["dead_letters"] = [{"id": e.msg_id, "destination": e.destination, "attempts": e.attempts,
                                    "error": e.last_error, "created_us": e.created_us}
                                   for e in self.webhooks.dead_letters()]
        return out


class ConnectorMetrics(Collector):
    """Connector figures for ``/metrics``, read when scraped.

        stockade_connector_up{connector}                 1 connected or idle, 0 otherwise
        stockade_connector_messages_total{connector}     messages received (or sent, for outputs)
        stockade_connector_refused_total{connector}      payloads refused (see the reasons in the status)
        stockade_connector_errors_total{connector}       connection, commit and delivery errors
        stockade_connector_lag_seconds{connector}        receipt to commit, last batch
        stockade_webhook_outbox{destination, status}     messages pending, delivered and dead-lettered
    """

    def __init__(self, connectors: Connectors) -> None:
        self._connectors = connectors

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("stockade_connector_up", "1 while the connector is connected or idle",
                               labels=["connector"])
        messages = CounterMetricFamily("stockade_connector_messages", "Messages received or sent",
                                       labels=["connector"])
        refused = CounterMetricFamily("stockade_connector_refused", "Payloads refused", labels=["connector"])
        errors = CounterMetricFamily("stockade_connector_errors", "Errors", labels=["connector"])
        lag = GaugeMetricFamily("stockade_connector_lag_seconds", "Receipt to commit, last batch",
                                labels=["connector"])
        for h in self._connectors.health():
            up.add_metric([h.name], 1.0 if h.state in ("connected", "idle") else 0.0)
            messages.add_metric([h.name], float(h.received))
            refused.add_metric([h.name], float(h.refused))
            errors.add_metric([h.name], float(h.errors))
            lag.add_metric([h.name], h.lag_s)
        yield from (up, messages, refused, errors, lag)
        if self._connectors.webhooks is not None:
            outbox = GaugeMetricFamily("stockade_webhook_outbox", "Webhook messages by destination and status",
                                       labels=["destination", "status"])
            for (dest, status), n in self._connectors.webhooks.outbox.outbox_counts().items():
                outbox.add_metric([dest, status], float(n))
            yield outbox
