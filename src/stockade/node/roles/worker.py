"""The cluster's worker role: own partitions by lease, consume, sequence, commit, detect, publish.

    >>> Worker(settings).run(stop)          # until ``stop`` is set (SIGTERM, Ctrl-C)   # doctest: +SKIP

A worker holds the leases of some partitions (:mod:`stockade.connectors.nats.leases`);
a site belongs to partition ``partition_of(site, N)``. For the sites it owns
it runs an embedded :class:`~stockade.node.runtime.Node` on PostgreSQL, with
its ledger tiles in PostgreSQL and a sequencer that refuses to write once the
lease is no longer good (:class:`~stockade.node.sequencer.LeasedSequencer`).
When the set of partitions changes, that node is stopped and another is
built for the new set: it resumes each site from its typed snapshot and the
log's tail and reopens its log from the shared tiles, as an embedded node
does after a crash — the same code.

Each owned site is read with a durable pull consumer on ``stk.in.<site>``
(ack policy *all*, in order). Taking a site, the worker recreates the consumer
from its ack floor, so whatever the previous owner had fetched but not
acknowledged is delivered again first. A batch is committed
(:meth:`~stockade.node.ingest.Ingestor.commit`: the store's (site, id) dedup
makes a redelivery a no-op) and only then acknowledged. The store failing:
nothing is acknowledged, the batch is delivered again, the worker waits and
goes on. Everything committed (inputs and what the engine decided) is
published on ``stk.out.<site>`` for the API nodes.

Before it reads a site's log, the worker claims the site in PostgreSQL with
its lease's revision as the fencing token (:mod:`stockade.store.postgres.fence`);
every write of the log checks it. A write refused because a newer owner
claimed the site (the worker was paused past its lease) marks the site lost:
the worker drops its partition and freezes its log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import Sequence

import msgspec
import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from stockade.connectors.errors import BusUnavailable
from stockade.connectors.nats.leases import Leases
from stockade.connectors.nats.link import NatsLink
from stockade.connectors.nats.mapping import consumer_name, partition_of, subject_in, subject_out
from stockade.errors import StockadeError
from stockade.events import Envelope, Event
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.broadcast import Subscription
from stockade.node.ingest import log_entry
from stockade.node.roles.facts import FactsPublisher
from stockade.node.roles.outputs import encode_output
from stockade.node.roles.parts import RoleParts
from stockade.node.runtime import Node, load_sites
from stockade.node.sequencer import LeasedSequencer, NotOwner
from stockade.node.settings import Settings
from stockade.store.postgres import PostgresStore
from stockade.store.postgres.fence import Fenced, Fences
from stockade.store.postgres.tiles import PostgresTiles

log = logging.getLogger(__name__)
_decode = msgspec.json.Decoder(Event).decode
_TRANSIENT = (BusUnavailable, StockadeError, nats.errors.Error)  # logged; the loop goes on
ACK_WAIT_S = 30.0  # a live owner that has not acknowledged within this gets its messages again (deduped)


def default_worker_id() -> str:
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())[:40]
    return f"{host}-{os.getpid()}"


class Worker:
    def __init__(self, settings: Settings) -> None:
        if not settings.postgres_dsn:
            raise StockadeError("a worker needs the cluster's PostgreSQL: set postgres_dsn")
        self.settings = settings.model_copy(update={"engine": "thread"})  # the worker is the engine's process
        self.cluster = settings.cluster
        self.id = self.cluster.worker_id or default_worker_id()
        self.all_sites = load_sites(settings)
        self.link = NatsLink(self.cluster, name=f"stockade-worker-{self.id}")
        self.leases = Leases(self.link, self.id, self.cluster)
        self.fences = Fences()
        self.tiles = PostgresTiles.open(settings.postgres_dsn, fences=self.fences)
        self.node: Node | None = None
        self.owned: set[int] = set()
        self._subs: dict[str, JetStreamContext.PullSubscription] = {}
        self._feed: Subscription | None = None
        self.committed = 0
        self._flowing = False  # the last round fetched something
        self.facts = FactsPublisher(self.link, self.cluster, self.id)  # the access facts, for the API nodes

    def owns(self, site: str) -> bool:
        return self.leases.valid(partition_of(site, self.cluster.partitions)) and self.fences.claimed(site)

    # --- the loop -------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        self.link.start(wait_s=10.0)
        renewing = threading.Thread(target=self._renew, args=(stop,), name="stockade-leases", daemon=True)
        renewing.start()
        next_round = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_round:
                    next_round = time.monotonic() + self.cluster.lease_s / 2
                    try:
                        self._lease_round()
                    except Exception:  # a node that does not open (damage, store down): next round
                        log.exception("taking partitions %s failed; trying again", sorted(self.owned))
                        self._stop_node()
                        self.owned = set()
                self.facts.publish(self.node)
                if self.node is None or not self._subs:
                    stop.wait(0.2)
                    continue
                try:
                    self._consume_once()
                except _TRANSIENT:
                    log.exception("consuming failed; retrying")
                    stop.wait(0.5)
                if lost := self.fences.lost() & set(self._subs):
                    self._drop_fenced(lost)
        finally:
            stop.set()
            renewing.join(timeout=10)
            self._shutdown()

    def _renew(self, stop: threading.Event) -> None:
        """Renew the leases every quarter of the lease time, whatever the main loop is doing."""
        while not stop.wait(self.cluster.lease_s / 4):
            try:
                self.link.run(self.leases.renew())
            except _TRANSIENT as e:
                log.warning("lease renewal failed (%s)", e)

    def _lease_round(self) -> None:
        try:
            held = self.link.run(self.leases.round())
            extra = self.leases.extra()
        except _TRANSIENT as e:
            log.warning("lease round failed (%s); partitions are kept only while their leases are good", e)
            held, extra = {p for p in self.owned if self.leases.valid(p)}, set()
        if held - extra != self.owned:
            self._rebuild(held - extra)
        if extra:
            self.link.run(self.leases.release(extra))

    def _drop_fenced(self, lost: set[str]) -> None:
        """A newer owner claimed these sites in the store: give their partitions up, freeze their logs."""
        partitions = {partition_of(s, self.cluster.partitions) for s in lost}
        log.error("worker %s was fenced out of %s: dropping partitions %s", self.id, sorted(lost), sorted(partitions))
        try:
            self._rebuild(self.owned - partitions)
        except Exception:  # as in a lease round: the rest is taken again on the next one
            log.exception("keeping partitions %s failed; trying again", sorted(self.owned - partitions))
            self._stop_node()
            self.owned = set()
        try:
            self.link.run(self.leases.release(partitions))
        except _TRANSIENT as e:
            log.warning("could not release partitions %s (%s); they expire", sorted(partitions), e)

    def _rebuild(self, owned: set[int]) -> None:
        """Stop the node of the old set of partitions, start one for the new set."""
        self._stop_node()
        for site in self.all_sites:
            self.fences.forget(site)
        self.owned = owned
        sites = {s: c for s, c in self.all_sites.items() if partition_of(s, self.cluster.partitions) in owned}
        log.info("worker %s owns partitions %s: sites %s", self.id, sorted(owned), sorted(sites) or "none")
        if not sites:
            return
        store = PostgresStore.open(self.settings.postgres_dsn or "", fences=self.fences,
                                   seal=load_or_create_row_seal(self.settings.data_dir / "keys"))
        try:
            for site in sites:  # before the log is read: what an older owner committed comes before this
                store.claim(site, self.leases.held[partition_of(site, self.cluster.partitions)], self.id)
        except BaseException:  # Fenced (a newer owner: our lease is stale) or the store down: next round
            store.close()
            self.owned = set()
            raise
        parts = RoleParts(sequencer=LeasedSequencer(self.owns), tiles=self.tiles.site)
        node = Node(self.settings, store, sites, parts=parts)
        node.start()
        self.node = node
        self._feed = node.broadcast.subscribe(self.link.loop)
        self.link.spawn(self._forward(self._feed))
        for site in sites:
            self._subs[site] = self.link.run(self._bind(site), timeout=30.0)

    def _stop_node(self) -> None:
        node, self.node = self.node, None
        for sub in self._subs.values():
            self.link.spawn(sub.unsubscribe())
        self._subs.clear()
        if node is None:
            return
        if self._feed is not None:
            node.broadcast.unsubscribe(self._feed)
            self._feed = None
        for site, site_log in node.ledgers.logs.items():
            if not self.owns(site):  # another worker may own it already: sign nothing more for it
                site_log.freeze("the partition lease was lost")
        try:
            node.stop()
        except Exception:  # a stop that fails must not stop the worker; the next owner recovers
            log.exception("stopping the node of partitions %s failed", sorted(self.owned))

    def _shutdown(self) -> None:
        self._stop_node()
        try:
            self.link.run(self.leases.leave())
        except _TRANSIENT as e:
            log.warning("could not release the leases (%s); they expire on their own", e)
        self.link.stop()
        self.tiles.close()

    # --- consuming ------------------------------------------------------------

    async def _bind(self, site: str) -> JetStreamContext.PullSubscription:
        """The site's durable consumer, recreated from its ack floor: unacknowledged messages first."""
        js = await self.link.js()
        stream, name = self.cluster.stream, consumer_name(site)
        start = 0
        try:
            info = await js.consumer_info(stream, name)
            start = info.ack_floor.stream_seq + 1 if info.ack_floor and info.ack_floor.stream_seq else 0
            await js.delete_consumer(stream, name)
        except nats.js.errors.NotFoundError:
            pass
        await js.add_consumer(stream, ConsumerConfig(
            durable_name=name, filter_subject=subject_in(site), ack_policy=AckPolicy.ALL,
            max_ack_pending=self.cluster.batch, ack_wait=ACK_WAIT_S, max_deliver=-1,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE if start else DeliverPolicy.ALL,
            opt_start_seq=start or None))
        return await js.pull_subscribe_bind(durable=name, stream=stream)

    async def _fetch_all(self, wait_s: float) -> dict[str, list[Msg]]:
        subs = list(self._subs.items())

        async def one(sub: JetStreamContext.PullSubscription) -> list[Msg]:
            try:
                return await sub.fetch(self.cluster.batch, timeout=wait_s)
            except nats.errors.TimeoutError:
                return []

        got = await asyncio.gather(*(one(sub) for _, sub in subs), return_exceptions=True)
        for (site, _), failed in zip(subs, got, strict=True):
            if isinstance(failed, BaseException):
                log.warning("%s: fetch failed (%s); retrying", site, failed)
        return {site: msgs for (site, _), msgs in zip(subs, got, strict=True) if isinstance(msgs, list) and msgs}

    def _consume_once(self) -> None:
        # a fetch on an idle site waits its whole timeout, and a round waits for every site: while messages
        # flow, wait briefly, so idle sites do not hold the busy ones back (measured: docs/cluster.md, Scale)
        batches = self.link.run(self._fetch_all(0.05 if self._flowing else 0.5), timeout=10.0)
        self._flowing = bool(batches)
        for site, msgs in batches.items():
            self._commit(site, msgs)

    def _commit(self, site: str, msgs: Sequence[Msg]) -> None:
        node = self.node
        if node is None:
            return
        events: list[Envelope] = []
        for msg in msgs:
            try:
                events.append(_decode(msg.data))
            except msgspec.DecodeError:  # nothing an API node published: logged, and acknowledged with the rest
                log.exception("undecodable message %s on %s skipped", msg.metadata.sequence, msg.subject)
        try:
            node.ingestor.commit(site, events, [log_entry(e) for e in events])
        except (NotOwner, Fenced) as e:
            log.warning("%s: not committed (%s); the new owner gets these again", site, e)
            self.link.run(_nak(msgs))
            return
        except StockadeError as e:  # the store is unreachable: pause; the batch comes again unacknowledged
            log.warning("%s: commit failed (%s); pausing", site, e)
            self.link.run(_nak(msgs))
            time.sleep(1.0)
            return
        self.committed += len(events)
        try:  # ack policy all: every message up to this one. Lost: delivered again, and deduplicated
            self.link.run(msgs[-1].ack_sync(timeout=5.0), timeout=10.0)
        except BusUnavailable as e:
            log.warning("%s: the acknowledgement was not confirmed (%s); a redelivery is deduplicated", site, e)

    async def _forward(self, feed: Subscription) -> None:
        """Everything the node commits, out on ``stk.out.<site>`` (the API nodes' live feed)."""
        while self._feed is feed:
            try:
                seq, event = await asyncio.wait_for(feed.queue.get(), timeout=1.0)
            except TimeoutError:
                continue
            self.link.publish_plain(subject_out(event.site), [encode_output(seq, event)])


async def _nak(msgs: Sequence[Msg]) -> None:
    for msg in msgs:
        await msg.nak()
