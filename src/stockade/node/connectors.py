"""The node's connectors: built from ``Settings.connectors``, fed into the node's ingest path.

    >>> connectors = Connectors.build(node)      # doctest: +SKIP
    >>> connectors.start(); connectors.status(); connectors.stop()

Each connector's binding becomes a :class:`BoundPrincipal`, so what arrives over
MQTT is checked exactly like a line posted with an ``ingest`` key (site, sources,
and the kinds it may write), and gets the same per-line results and metrics.
The door-command key is ``<data>/keys/door-ed25519.pem`` (0600), created on
first use; controllers are given its public half (``door_public_key``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
from stockade.store import EventQuery, Store
from stockade.store.outbox import OutboxTables

if TYPE_CHECKING:
    from stockade.node.runtime import Node

log = logging.getLogger(__name__)
DOOR_KEY_FILE = "door-ed25519.pem"


@dataclass(frozen=True, slots=True)
class BoundPrincipal(Principal):
    """A principal that may also be limited to some event kinds (a connector's binding)."""

    kinds: frozenset[str] = field(default_factory=frozenset)

    def forbids(self, event: Envelope) -> tuple[str, str] | None:
        if (why := Principal.forbids(self, event)) is not None:
            return why
        if self.kinds and event.kind not in self.kinds:
            return "kind", f"forbidden: {self.key_id} may not post {event.kind!r} events"
        return None


def principal_for(binding: Binding) -> BoundPrincipal:
    return BoundPrincipal(f"connector:{binding.name}", binding.site, binding.sources, binding.kinds)


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
