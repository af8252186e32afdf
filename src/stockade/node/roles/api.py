"""The cluster's API role: authenticate, validate, publish to JetStream, answer after its acknowledgement.

    >>> node = ApiNode.open(settings)          # PostgreSQL for reads and keys, NATS for writes   # doctest: +SKIP
    >>> app = create_dashboard(node, start_node=False); node.start(background=True)          # doctest: +SKIP

Every route is the embedded node's. Ingest runs the same decoding, validation
and authority checks (:class:`~stockade.node.ingest.Ingestor`), then the
valid events of a site go to ``stk.in.<site>`` with ``<site>/<id>`` as the
``Nats-Msg-Id`` (:mod:`stockade.connectors.nats.mapping`): JetStream's dedup
window and the store's (site, id) dedup agree, so a client retrying on another
API node is safe. A line is ``accepted`` (or ``duplicate``) only after the
publish is acknowledged, with no ``seq`` yet: the worker owning the site
sequences it. NATS unreachable or slow: the whole request is a 503 with
``Retry-After`` (:class:`~stockade.connectors.errors.BusUnavailable`), never a
silent accept. What the API node itself writes (analysts' changes, threat
levels, access decisions) goes the same way, to be logged by the owning worker.

It decides access from the facts the site's owner publishes
(:mod:`stockade.node.roles.facts`, followed by
:mod:`stockade.node.roles.facts_follow`): the owner's own decision point's
facts, threat levels and risk scores, loaded whole, with this node's Cedar
pack. A decision is answered only once its ``decision`` event is acknowledged
by JetStream on ``stk.in.<site>``; not acknowledged, it is a ``deny``
(:class:`~stockade.access.service.AccessService`). Facts older than
``facts_max_age_s`` by the owner's heartbeat, or none yet: a logged ``deny``
naming the staleness. A threat level set through this node is in force here
at once and stays so until the owner's facts include it.

The node keeps no log and runs no engine or response: it reads the store
(PostgreSQL), and follows what the workers commit on ``stk.out.<site>`` for
the live stream and the live picture.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import msgspec
from nats.aio.msg import Msg

from stockade.connectors.errors import BusUnavailable as BusUnavailable  # the API answers it 503, via the node
from stockade.connectors.nats.facts_bucket import FactsBucket
from stockade.connectors.nats.link import NatsLink
from stockade.connectors.nats.mapping import OUT_PREFIX, site_of
from stockade.events import Envelope
from stockade.node.ingest import Forward, Status
from stockade.node.roles.facts_follow import FactsFollower
from stockade.node.roles.outputs import decode_output
from stockade.node.roles.parts import RoleParts
from stockade.node.runtime import Node, load_sites, open_store
from stockade.node.settings import Settings
from stockade.site import SiteConfig
from stockade.store import Store

log = logging.getLogger(__name__)


def publisher(link: NatsLink) -> Forward:
    """The API node's forward: publish in order and wait for every acknowledgement."""

    def forward(site: str, events: Sequence[Envelope], entries: Sequence[bytes]) -> list[Status]:
        acks = link.publish_events(site, [(e.id, entry) for e, entry in zip(events, entries, strict=True)])
        return ["duplicate" if ack.duplicate else "accepted" for ack in acks]

    return forward


class ApiNode(Node):
    def __init__(self, settings: Settings, store: Store, sites: dict[str, SiteConfig], link: NatsLink) -> None:
        super().__init__(settings, store, sites, parts=RoleParts(keeps_ledgers=False, forward=publisher(link)))
        self.link = link
        self.facts = FactsFollower(self.access, settings.cluster)
        self.access.untrusted = self.facts.untrusted
        self.access.on_threat_logged = self.facts.threat_logged
        self._following = asyncio.Event()

    @classmethod
    def open_role(cls, settings: Settings) -> ApiNode:
        """No data-directory lock: several API nodes and workers share one key directory."""
        store = open_store(settings)
        try:
            return cls(settings, store, load_sites(settings), NatsLink(settings.cluster, name="stockade-api"))
        except BaseException:
            store.close()
            raise

    async def _on_output(self, msg: Msg) -> None:
        """What a worker committed: the live stream and the live picture follow it."""
        try:
            seq, event = decode_output(msg.data)
        except msgspec.DecodeError:
            log.warning("undecodable output on %s dropped", msg.subject)
            return
        site = site_of(msg.subject)
        if site not in self.sites:
            return
        events = [(seq, event)]
        self.facts.committed(site, seq, event.id)
        self.live.apply(site, events)
        self.broadcast.publish(site, events)

    def start(self, *, background: bool = False) -> None:
        self.link.start()
        self.link.subscribe(OUT_PREFIX + "*", self._on_output)
        self.link.spawn(FactsBucket(self.link, self.settings.cluster).follow(self.facts.on_entry, self._following))
        for site in self.sites:
            self.recovery.begin(site, self.store.last_seq(site))
            self.live.replay(site)
        self.recovery.finish()
        self.serving.set()
        self.connectors.start()

    def stop(self) -> None:
        self.connectors.stop()
        self.link.loop.call_soon_threadsafe(self._following.set)
        self.link.stop()
        self.engine.stop()
        self.store.close()
